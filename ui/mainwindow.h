// The main window: a sentence field and the views of its attention trace.
#pragma once

#include "attention.h"

#include <QMainWindow>
#include <memory>

class QLineEdit;
class QTableView;
class QLabel;

namespace attention {

class MatrixModel;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(std::shared_ptr<const Model> model, QWidget *parent = nullptr);

    void setSentence(const QString &text);
    const AttentionTrace *trace() const { return m_hasTrace ? &m_trace : nullptr; }

private:
    void recompute();

    std::shared_ptr<const Model> m_model;
    AttentionTrace m_trace;
    bool m_hasTrace = false;
    QLineEdit *m_sentence = nullptr;
    QTableView *m_weightsView = nullptr;
    MatrixModel *m_weights = nullptr;
    QLabel *m_message = nullptr;
};

} // namespace attention
