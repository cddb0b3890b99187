// The row of token chips under the sentence: click or arrow-key a token to make it the current query.
#pragma once

#include <QFont>
#include <QRect>
#include <QStringList>
#include <QVector>
#include <QWidget>

class QScrollBar;

namespace attention {

class TokenStrip : public QWidget
{
    Q_OBJECT
public:
    explicit TokenStrip(QWidget *parent = nullptr);

    // `known[i]` false marks token i as outside the model's vocabulary; `unknownTooltip` explains
    // that to the learner, with %1 standing for the token's text.
    void setTokens(const QStringList &texts, const QVector<bool> &known, const QString &unknownTooltip);
    // How the model knows each token, after setTokens: `labels[i]` is "trained", "from WordNet:
    // noun.animal, like 'horse'" or "spelled out: not in the dictionary"; `explanations[i]` says what that
    // means for its attention. Both go into the tooltip; a token known from WordNet gets a small "≈" on
    // its chip, a spelled-out one the "?" of unknown tokens. Lists of another length are ignored.
    void setOrigins(const QStringList &labels, const QStringList &explanations, const QVector<bool> &fromWordNet);
    QString originLabel(int index) const;
    // -1 clears the selection; any other index is scrolled into view.
    void setSelected(int index);
    int selected() const { return m_selected; }
    int count() const { return static_cast<int>(m_texts.size()); }
    // In this widget's coordinates, after scrolling; empty for an index out of range.
    QRect chipRect(int index) const;
    QString toolTipFor(int index) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

signals:
    void tokenClicked(int index);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    void updateFonts();
    void layoutChips();
    void updateScrollBar();
    void selectByUser(int index);
    int chipAt(const QPoint &pos) const;
    int scrollOffset() const;
    bool indicesFit() const;
    int chipTop() const;

    QStringList m_texts;
    QVector<bool> m_known;
    QString m_unknownTooltip;
    QStringList m_originLabels;
    QStringList m_originExplanations;
    QVector<bool> m_fromWordNet;
    // Chip geometry in content coordinates (before scrolling), computed once per setTokens because
    // measuring 2,048 strings on every paint would make scrolling stutter.
    QVector<QRect> m_chips;
    int m_contentWidth = 0;
    int m_selected = -1;
    int m_hovered = -1;
    QFont m_chipFont;
    QFont m_smallFont;
    int m_chipHeight = 0;
    int m_indexHeight = 0;
    QScrollBar *m_scrollBar = nullptr;
};

} // namespace attention
