// The comparison's input state (two sentences, a word) goes to the core; the view shows the result.
#include "comparepanel.h"

#include "compareview.h"
#include "theme.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace attention {

namespace {
// The first token spelled like `word` (ignoring ASCII case), or -1.
int findWord(const AttentionTrace &trace, const std::string &word)
{
    const std::string wanted = normalizeForLookup(word);
    for (int i = 0; i < trace.tokenCount(); ++i)
        if (normalizeForLookup(trace.tokens[static_cast<std::size_t>(i)].text) == wanted)
            return i;
    return -1;
}
} // namespace

ComparePanel::ComparePanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    setAccessibleName(tr("Compare"));
    auto *form = new QFormLayout;
    // In a narrow dock or at a large zoom the labels go above their fields instead of being cut.
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_left = new QLineEdit(this);
    m_left->setObjectName(QStringLiteral("compareLeft"));
    m_left->setAccessibleName(tr("Sentence A"));
    m_right = new QLineEdit(this);
    m_right->setObjectName(QStringLiteral("compareRight"));
    m_right->setAccessibleName(tr("Sentence B"));
    m_word = new QLineEdit(this);
    m_word->setObjectName(QStringLiteral("compareWord"));
    m_word->setToolTip(tr("The word to follow in both sentences (its first occurrence)"));
    m_word->setAccessibleName(tr("Word"));
    m_word->setAccessibleDescription(m_word->toolTip());
    form->addRow(tr("Sentence A"), m_left);
    form->addRow(tr("Sentence B"), m_right);
    form->addRow(tr("Word"), m_word);
    layout->addLayout(form);
    m_problem = new QLabel(this);
    m_problem->setTextFormat(Qt::PlainText); // the reasons quote words and model names from files
    m_problem->setWordWrap(true);
    m_problem->setAccessibleName(tr("Problem"));
    m_problem->setStyleSheet(QStringLiteral("color: %1").arg(theme::warning().name()));
    m_problem->hide();
    layout->addWidget(m_problem);
    m_view = new CompareView(this);
    layout->addWidget(m_view, 1);
    for (QLineEdit *e : {m_left, m_right, m_word})
        connect(e, &QLineEdit::textChanged, this, &ComparePanel::recompute);
    // Sentences the trained model knows every word of; the didactic model marks the words it lacks.
    setInputs(QStringLiteral("the student kept talking about the bank and the river ."),
              QStringLiteral("the student kept talking about the bank and the loan ."),
              QStringLiteral("bank"));
}

void ComparePanel::setModel(std::shared_ptr<const Model> model)
{
    m_model = std::move(model);
    recompute();
}

void ComparePanel::setOptions(bool scale, bool causal, bool swapQK)
{
    if (m_options.scale == scale && (m_options.mask == MaskMode::Causal) == causal &&
        m_options.swapQK == swapQK)
        return;
    m_options.scale = scale;
    m_options.mask = causal ? MaskMode::Causal : MaskMode::None;
    m_options.swapQK = swapQK;
    recompute();
}

void ComparePanel::setInputs(const QString &left, const QString &right, const QString &word)
{
    for (QLineEdit *e : {m_left, m_right, m_word})
        e->blockSignals(true);
    m_left->setText(left);
    m_right->setText(right);
    m_word->setText(word);
    for (QLineEdit *e : {m_left, m_right, m_word})
        e->blockSignals(false);
    recompute();
}

QString ComparePanel::problem() const
{
    return m_problem->isVisible() ? m_problem->text() : QString();
}

void ComparePanel::recompute()
{
    auto fail = [this](const QString &why) {
        m_view->clear();
        m_problem->setText(why);
        m_problem->show();
    };
    if (!m_model)
        return fail(tr("No model is loaded."));
    // This panel is the comparison's own controller: its input state goes to the core, as the main
    // window's does through StageController.
    const TraceResult a = traceText(m_model, m_left->text().toStdString(), m_options);
    const TraceResult b = traceText(m_model, m_right->text().toStdString(), m_options);
    if (!a.ok())
        return fail(tr("Sentence A: %1").arg(QString::fromStdString(a.error)));
    if (!b.ok())
        return fail(tr("Sentence B: %1").arg(QString::fromStdString(b.error)));
    const std::string word = m_word->text().trimmed().toStdString();
    const int i = findWord(a.trace, word);
    const int j = findWord(b.trace, word);
    if (word.empty() || i < 0 || j < 0)
        return fail(tr("Type a word that appears in both sentences."));
    m_problem->hide();
    m_view->setComparison(&a.trace, i, &b.trace, j);
}

} // namespace attention
