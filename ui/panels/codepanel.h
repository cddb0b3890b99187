// The Code panel: the attention computation as Python-like pseudocode and as the project's own C++ from
// core/attention.cpp (compiled in from that file), with the lines of the current step lit.
#pragma once

#include "attention.h"
#include "steps.h"

#include <QList>
#include <QStringList>
#include <QWidget>
#include <optional>

QT_BEGIN_NAMESPACE
class QLabel;
class QTextEdit;
class QTabWidget;
QT_END_NAMESPACE

namespace attention {

class CodeView;
class StageController;

// One line as the panel shows it.
struct CodeLine
{
    QString text;
    int number = 0;           // the line's number in its source (1-based); 0 for a folded run
    std::optional<Step> step; // the step it computes, if any
    QString swappedText;      // what the line reads with Q and K swapped (the pseudocode's scores), or ""
};

class CodePanel : public QWidget
{
    Q_OBJECT
public:
    enum class View { Pseudocode, Cpp };

    explicit CodePanel(QWidget *parent = nullptr);

    // Follows the controller's step and options from now on.
    void follow(const StageController *controller);
    void showStep(Step step);
    // Lines of a step that is switched off (no mask, no scaling) are dimmed; the swap rewrites Q·Kᵀ.
    void showOptions(MaskMode mask, bool scale, bool swapQK);

    Step step() const { return m_step; }
    // The blocks of the view's document that are lit: the lines of the current step.
    QList<int> litLines(View view) const;
    // The blocks that are dimmed because their step is switched off.
    QList<int> dimmedLines(View view) const;
    // One entry per block of the view's document.
    const QList<CodeLine> &lines(View view) const;
    QTextEdit *editor(View view) const;
    QTabWidget *tabs() const { return m_tabs; }
    // What is lit, in words: "Scores, lines 118–119 of core/attention.cpp".
    QString caption() const;

    // The pseudocode, each line tagged with its step.
    static QList<CodeLine> pseudocode();
    // core/attention.cpp as compiled into the program.
    static QString embeddedSource();
    // The functions of `source` that hold a `// step: <key>` marker, in the file's order, each whole except
    // for long runs far from any marked line, which fold into one "⋯ n lines" line. A marker after code
    // marks its statement (to the line that ends it); a marker on a line of its own marks the statements
    // after it, up to the next blank or comment line. Unknown keys are added to `problems`.
    static QList<CodeLine> sourceExcerpt(const QString &source, QStringList *problems = nullptr);
    static constexpr int kContextLines = 3; // kept around each marked line before folding

protected:
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void applyFont();
    void refresh();
    void scrollToLit(View view);
    CodeView *viewOf(View view) const;

    QTabWidget *m_tabs = nullptr;
    QLabel *m_caption = nullptr;
    CodeView *m_pseudo = nullptr;
    CodeView *m_cpp = nullptr;
    QList<CodeLine> m_pseudoLines;
    QList<CodeLine> m_cppLines;
    Step m_step = Step::Embeddings;
    MaskMode m_mask = MaskMode::None;
    bool m_scale = true;
    bool m_swapQK = false;
};

} // namespace attention
