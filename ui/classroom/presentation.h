// Classroom mode, with the conventions of slide software: F5 presents from the start, Shift+F5 from the
// current step, Esc ends. The audience sees a full-screen stage in high contrast (the sentence, the step,
// its result and the narration); the presenter gets notes, the next step, the time and the clock.
#pragma once

#include "appstate.h"

#include <QElapsedTimer>
#include <QObject>
#include <QWidget>
#include <functional>
#include <optional>

class QLabel;
class QTimer;

namespace attention {

class HeatmapView;
class LessonPlayer;
class LessonText;
class Stage;
class StageController;

// The spotlight over the audience's heatmap: the cell under the pointer drawn large with its value, and a
// card saying what the number is. It only paints; the mouse goes through it to the heatmap.
class Spotlight : public QWidget
{
    Q_OBJECT
public:
    explicit Spotlight(QWidget *parent = nullptr);
    // `cell` in the parent's coordinates.
    void showCell(const QRect &cell, const QColor &colour, const QString &value, const QString &text);
    QString text() const { return m_text; }
    QString value() const { return m_value; }
    QRect magnifiedRect() const { return m_big; }
    QRect cardRect() const { return m_card; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QFont valueFont() const;
    QColor m_colour;
    QString m_value;
    QString m_text;
    QRect m_big;
    QRect m_card;
};

// The audience's window: only the stage, large and calm.
class AudienceWindow : public QWidget
{
    Q_OBJECT
public:
    explicit AudienceWindow(QWidget *parent = nullptr);
    HeatmapView *heatmap() const { return m_heatmap; }
    QLabel *sentence() const { return m_sentence; }
    QLabel *stepTitle() const { return m_step; }
    LessonText *narration() const { return m_narration; }
    // The answer to the step's question once the teacher reveals it (plain text, hidden until then).
    QLabel *answer() const { return m_answer; }
    Spotlight *spotlight() const { return m_spotlight; }
    // The narration as tall as its text needs, up to 45% of the window.
    void fitNarration();
    // Predict, then reveal: the result is covered, saying `why`, until the teacher reveals it.
    void setResultCovered(bool covered, const QString &why = QString());
    bool resultCovered() const;
    QLabel *cover() const { return m_cover; }
    // Black, white, or the stage again (Qt::transparent).
    void blank(const QColor &colour);
    QColor blanked() const { return m_blankColour; }
    void setSpotlight(bool on);
    bool spotlightOn() const { return m_spotlightOn; }
    // The text size every label uses: at least 24 px, more on a taller screen.
    int textPixels() const;
    // What the spotlight says about the cell under `viewportPos` of the heatmap; "" outside every cell.
    std::function<QString(int row, int column)> describeCell;

signals:
    void keyPressed(QKeyEvent *event);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void applyFonts();
    void moveSpotlight(const QPoint &viewportPos);
    void placeCover();

    QLabel *m_sentence;
    QLabel *m_step;
    HeatmapView *m_heatmap;
    LessonText *m_narration;
    QLabel *m_answer;
    QLabel *m_cover;
    QWidget *m_blank;
    Spotlight *m_spotlight;
    QColor m_blankColour = Qt::transparent;
    bool m_spotlightOn = false;
};

// The presenter's window: notes, what comes next, where we are, and the time.
class PresenterWindow : public QWidget
{
    Q_OBJECT
public:
    explicit PresenterWindow(QWidget *parent = nullptr);
    QLabel *position() const { return m_position; }
    QLabel *next() const { return m_next; }
    QLabel *elapsed() const { return m_elapsed; }
    QLabel *clock() const { return m_clock; }
    LessonText *notes() const { return m_notes; }
    // What the teacher can do about the step's question: reveal it with R, or what was revealed.
    QLabel *questionHint() const { return m_questionHint; }
    // The next step drawn small, as the audience will see it, and the first lines of what it says.
    HeatmapView *preview() const { return m_preview; }
    QLabel *previewText() const { return m_previewText; }
    void showStep(const QString &position, const QString &next, const QString &notesMarkdown);
    void showPreviewText(const QString &text);
    void setTimes(const QString &elapsed, const QString &clock);

signals:
    void keyPressed(QKeyEvent *event);

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    QLabel *m_position;
    QLabel *m_next;
    QLabel *m_elapsed;
    QLabel *m_clock;
    LessonText *m_notes;
    QLabel *m_questionHint;
    HeatmapView *m_preview;
    QLabel *m_previewText;
};

class Presentation : public QObject
{
    Q_OBJECT
public:
    // `advance` moves by one step (a lesson's, or the stage's) as the clicker keys of the main window do.
    Presentation(QWidget *mainWindow, StageController *controller, Stage *stage, LessonPlayer *lessons,
                 std::function<void(int)> advance);
    ~Presentation() override;

    // F5 (fromStart) and Shift+F5.
    void start(bool fromStart);
    void stop();
    bool isPresenting() const { return m_audience != nullptr; }
    AudienceWindow *audience() const { return m_audience; }
    PresenterWindow *presenter() const { return m_presenter; }
    // S: the presenter window on this screen (with two screens it opens by itself).
    void showPresenter();
    // R: the answer to the step's question, for the whole room (the result uncovered, the answer shown).
    void reveal();
    bool revealed() const { return m_revealed; }
    // A key from any of the windows while presenting; true when it was a presentation key.
    bool handleKey(QKeyEvent *event);

signals:
    void presentingChanged(bool presenting);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void refresh();
    // The state the clicker would show next (the lesson's next step, or the stage's next step), if any.
    std::optional<AppState> nextState() const;
    void refreshPreview();
    void fillPreview();
    void tick();
    QString cellDescription(int row, int column) const;

    QWidget *m_main;
    StageController *m_controller;
    Stage *m_stage;
    LessonPlayer *m_lessons;
    std::function<void(int)> m_advance;
    AudienceWindow *m_audience = nullptr;
    PresenterWindow *m_presenter = nullptr;
    // The next step is computed as the stage computes it: its own controller and a stage never shown.
    StageController *m_previewController = nullptr;
    Stage *m_previewStage = nullptr;
    QTimer *m_timer = nullptr;
    QElapsedTimer m_clock;
    QString m_goTo; // digits typed after G
    int m_questionStep = -1; // the lesson step whose question the room sees
    bool m_revealed = false;
    bool m_typingGoTo = false;
};

} // namespace attention
