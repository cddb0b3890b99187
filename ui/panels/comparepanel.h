// Two sentences and one word: traces both and shows the word's two contextual vectors side by side.
#pragma once

#include "attention.h"

#include <QWidget>
#include <memory>

class QLineEdit;
class QLabel;

namespace attention {

class CompareView;

class ComparePanel : public QWidget
{
    Q_OBJECT
public:
    explicit ComparePanel(QWidget *parent = nullptr);

    void setModel(std::shared_ptr<const Model> model);
    // The main window's scaling, causal mask and swap, so both views compute the same way. A custom mask
    // belongs to the main sentence and is not carried over.
    void setOptions(bool scale, bool causal, bool swapQK);
    // Fills the three fields and recomputes.
    void setInputs(const QString &left, const QString &right, const QString &word);
    CompareView *view() const { return m_view; }
    QString problem() const; // why nothing is compared, or ""

private:
    void recompute();

    std::shared_ptr<const Model> m_model;
    TraceOptions m_options;
    QLineEdit *m_left = nullptr;
    QLineEdit *m_right = nullptr;
    QLineEdit *m_word = nullptr;
    QLabel *m_problem = nullptr;
    CompareView *m_view = nullptr;
    // The view copies what it shows, so the traces need not outlive a recompute.
};

} // namespace attention
