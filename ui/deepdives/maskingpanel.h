// Deep dive: why mask. (a) Decoding: the sentence revealed one token at a time, with the cells each position
// may see and the weights the causal trace gives them. (b) Cheating: change a later word and see how much
// the outputs of the earlier positions change, with the causal mask (not at all) and without it.
#pragma once

#include "maskingdive.h"

#include <QStringList>
#include <QWidget>
#include <memory>

class QBarCategoryAxis;
class QBarSet;
class QChartView;
class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QTabWidget;
class QTimer;
class QValueAxis;

namespace attention {

// The triangle of cells: row i is query i, column j key j. Rows before the step show their weights (the
// newest row with its numbers); the cells to the right of the diagonal are the blocked future; rows and
// columns of tokens that do not exist yet are left empty.
class DecodingGrid : public QWidget
{
    Q_OBJECT
public:
    explicit DecodingGrid(QWidget *parent = nullptr);
    void setData(const QStringList &tokens, const DecodingStep &step);

    int tokenCount() const { return int(m_tokens.size()); }
    int revealed() const { return m_step.step; }
    // A cell drawn with its weight: query i < step and key j ≤ i.
    bool cellShown(int i, int j) const;
    int shownCellCount() const;
    // The rectangle of a cell in this widget's coordinates (empty when out of range).
    QRectF cellRect(int i, int j) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    double labelWidth() const;
    double headerHeight() const;
    double cellSize() const;

    QStringList m_tokens;
    DecodingStep m_step;
};

class MaskingPanel : public QWidget
{
    Q_OBJECT
public:
    explicit MaskingPanel(QWidget *parent = nullptr);

    // The model and sentence to show (an empty sentence: defaultMaskingSentence()). Cheap: the traces are
    // computed when the panel is visible, at once if it is, else when it is next shown.
    void setInput(std::shared_ptr<const Model> model, const QString &sentence);
    QString sentence() const { return m_sentence; }
    bool isComputed() const { return !m_dirty; }
    QString error() const { return m_error; }

    // --- Decoding ---
    int step() const { return m_decoding.step; }
    int tokenCount() const { return int(m_tokens.size()); }
    void setStep(int t); // clamped to 1 … n
    bool isPlaying() const;
    const DecodingStep &decoding() const { return m_decoding; }
    DecodingGrid *grid() const { return m_grid; }
    QPushButton *backButton() const { return m_back; }
    QPushButton *nextButton() const { return m_next; }
    QPushButton *playButton() const { return m_play; }
    QComboBox *headCombo() const { return m_headCombo; }
    QLabel *stepLabel() const { return m_stepLabel; }
    static constexpr int kPlayIntervalMs = 800; // per token

    // --- Cheating ---
    QCheckBox *maskToggle() const { return m_mask; }
    QComboBox *positionCombo() const { return m_position; }
    QComboBox *replacementCombo() const { return m_replacement; }
    QComboBox *measureCombo() const { return m_measure; }
    int position() const; // j, the token that is replaced
    QBarSet *changeBars() const { return m_bars; }
    // What the chart shows, in sentence order (the bars run from the last position up to the first):
    // position i's change, and its label.
    std::vector<double> shownChanges() const;
    QStringList shownPositions() const;
    QBarCategoryAxis *positionsAxis() const { return m_positionsAxis; }
    QValueAxis *changeAxis() const { return m_changeAxis; }
    QLabel *cheatingSummary() const { return m_summary; }
    const CheatingResult &cheating() const { return m_cheating; }

    QTabWidget *tabs() const { return m_tabs; }

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void applyChartFont();
    void recompute();
    void fillHeadChoices();
    void fillPositions();
    void fillReplacements();
    void updateDecoding();
    void runCheating();
    void showCheating();
    void togglePlay();
    void playTick();
    HeadChoice headChoice() const;
    CheatingOptions cheatingOptions() const;

    std::shared_ptr<const Model> m_model;
    QString m_sentence;
    bool m_dirty = true;
    bool m_filling = false;
    QString m_error;
    std::vector<Token> m_tokens;
    QStringList m_tokenTexts;
    std::shared_ptr<AttentionTrace> m_causal;
    DecodingStep m_decoding;
    CheatingResult m_cheating;
    int m_wantedStep = 1;

    QTabWidget *m_tabs;
    QLabel *m_errorLabel;
    DecodingGrid *m_grid;
    QPushButton *m_back;
    QPushButton *m_next;
    QPushButton *m_play;
    QComboBox *m_headCombo;
    QLabel *m_stepLabel;
    QTimer *m_timer;

    QCheckBox *m_mask;
    QComboBox *m_position;
    QComboBox *m_replacement;
    QComboBox *m_measure;
    QChartView *m_chartView = nullptr;
    QBarSet *m_bars;
    QBarCategoryAxis *m_positionsAxis = nullptr;
    QValueAxis *m_changeAxis = nullptr;
    QLabel *m_summary;
};

} // namespace attention
