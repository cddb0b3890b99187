// Deep dive: attention against an RNN. The same sentence twice: on top a small recurrent network that
// passes a hidden state from token to token (n sequential steps), below attention, which links every pair
// in one parallel step. Two chosen tokens and the path between them: j − i hops through the RNN, with the
// first token's influence fading at each one (‖∂h_j/∂x_i‖, from core/rnndive.h), against one through
// attention. Play animates both paths at once, calmly; nothing moves until it is pressed.
#pragma once

#include "rnndive.h"

#include <QString>
#include <QStringList>
#include <QWidget>
#include <memory>

class QComboBox;
class QLabel;
class QPushButton;
class QScrollArea;
class QVariantAnimation;

namespace attention {

struct Model;

class RnnPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RnnPanel(QWidget *parent = nullptr);
    ~RnnPanel() override;

    // The sentence to compare on and the model whose embeddings (and d_model) the RNN reads. Computed when
    // the panel is visible (at once if it is, else when it is next shown). Tokens past kMaxTokens are left
    // out. The same model and sentence again change nothing (the chosen pair stays); a new sentence chooses
    // "animal" and the "it" after it again, or the first and last tokens.
    void setInput(std::shared_ptr<const Model> model, const QString &sentence);
    static constexpr int kMaxTokens = 40;
    // Each hop of the animation, in milliseconds.
    static constexpr int kHopMs = 320;

    bool isComputed() const { return m_computed; }
    QStringList tokens() const { return m_tokens; }
    int fromToken() const; // the earlier of the two chosen tokens, as chosen in the first combo
    int toToken() const;
    // The hop counts shown for the chosen pair (rnnPathLength, attentionPathLength) and the sequential steps
    // each needs for the whole sentence (n for the RNN, 1 for attention).
    int rnnHops() const { return m_rnnHops; }
    int attentionHops() const { return m_attentionHops; }
    int rnnSteps() const { return m_influence.trace.sequentialSteps; }
    // The influence of the earlier chosen token on every hidden state after it (core's rnnInfluence).
    const RnnInfluence &influence() const { return m_influence; }
    QComboBox *fromCombo() const { return m_fromCombo; }
    QComboBox *toCombo() const { return m_toCombo; }
    QPushButton *playButton() const { return m_play; }
    QLabel *summary() const { return m_summary; }
    QLabel *status() const { return m_status; }
    // The animation: running or not, and how far the RNN's hops have come (0 … rnnHops(); rnnHops() at rest).
    bool isPlaying() const;
    double progress() const { return m_progress; }

public slots:
    void play(); // from the start; while playing, the button stops instead
    void stop(); // jumps to the end

signals:
    void playFinished();

protected:
    void showEvent(QShowEvent *event) override;

private:
    class Canvas;
    void compute();
    void pairChanged();
    void setProgress(double hops);
    void updateStatus();

    std::shared_ptr<const Model> m_model;
    QString m_sentence;
    bool m_computed = false;
    QStringList m_tokens;
    Eigen::MatrixXd m_embeddings; // the tokens' embeddings the RNN reads (n × d_model)
    RnnWeights m_weights;
    RnnInfluence m_influence;
    int m_rnnHops = 0;
    int m_attentionHops = 0;
    double m_progress = 0;

    QLabel *m_intro;
    QComboBox *m_fromCombo;
    QComboBox *m_toCombo;
    QPushButton *m_play;
    QLabel *m_summary;
    QLabel *m_status;
    QScrollArea *m_scroll;
    Canvas *m_canvas;
    QVariantAnimation *m_animation;
};

} // namespace attention
