// "Explain this cell": the worked arithmetic behind one number, with the tokens in their role colours.
#pragma once

#include "explain.h"
#include "steps.h"

#include <QStringList>
#include <QWidget>
#include <functional>

QT_BEGIN_NAMESPACE
class QTextBrowser;
QT_END_NAMESPACE

namespace attention {

class StageController;

class ExplainPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ExplainPanel(QWidget *parent = nullptr);

    // How the panel names a token: its text, and its 0-based position (as the token strip numbers the
    // chips) when that text occurs more than once in the sentence; -1 for none.
    struct TokenName
    {
        QString text;
        int position = -1;
    };
    using TokenNames = QList<TokenName>;
    // One name per token: the repeated texts with their positions, the others plain.
    static TokenNames sentenceNames(const QStringList &tokens);

    // Decimals for every number shown; the current explanation is redrawn.
    void setPrecision(int decimals);
    int precision() const { return m_precision; }

    // The show functions name the tokens exactly as given (no positions); explainCell and explainSelection
    // add the positions of repeated tokens themselves.
    void showScore(const ScoreExplanation &e, const QString &queryToken, const QString &keyToken);
    void showScale(const ScaleExplanation &e, const QString &queryToken, const QString &keyToken);
    // keyTokens: one per key of the row.
    void showSoftmax(const SoftmaxExplanation &e, const QString &queryToken, const QStringList &keyTokens);
    // columnLabel names V's column, e.g. "k1".
    void showOutput(const OutputExplanation &e, const QString &queryToken, const QStringList &keyTokens,
                    const QString &columnLabel);
    void showMask(const MaskExplanation &e, const QString &queryToken, const QString &keyToken);
    // The arithmetic of one cell of the matrix `panel`, from the controller's trace and its layer and head.
    // With the average of heads: every head's number for the cell and their mean. Nothing for a cell
    // outside the trace, or a matrix whose cells have no arithmetic of their own (W_Q, …).
    void explainCell(const StageController &controller, MatrixId panel, int row, int column);
    // What the state selects: the cell query × key of the step's result when both are chosen, else where
    // the selected query looks most (a tie and an even spread are named as such), else a hint.
    void explainSelection(const StageController &controller);
    // Free rich text, e.g. a hint before anything is selected.
    void showMessage(const QString &html);

    // The current explanation without markup.
    QString plainText() const;
    QTextBrowser *browser() const { return m_browser; }

    // Long sums list this many of their largest terms and count the rest.
    static constexpr int kMaxTerms = 12;

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyFont();
    // Keeps the last explanation as a closure so a precision change can redraw it.
    void present(std::function<QString()> render);
    QString number(double value) const;

    QString scoreHtml(const ScoreExplanation &e, const TokenName &queryToken,
                      const TokenName &keyToken) const;
    QString scaleHtml(const ScaleExplanation &e, const TokenName &queryToken,
                      const TokenName &keyToken) const;
    QString softmaxHtml(const SoftmaxExplanation &e, const TokenName &queryToken,
                        const TokenNames &keyTokens) const;
    QString outputHtml(const OutputExplanation &e, const TokenName &queryToken, const TokenNames &keyTokens,
                       const QString &columnLabel) const;
    QString maskHtml(const MaskExplanation &e, const TokenName &queryToken, const TokenName &keyToken) const;

    QTextBrowser *m_browser = nullptr;
    int m_precision = 2;
    std::function<QString()> m_render;
};

} // namespace attention
