// Plays a lesson on the stage: each step is an AppState applied with the controller's one call, plus its
// narration, notes and question. The file is watched: edited beside the running app, it is read again at
// the same step, and a malformed edit keeps the lesson that was open.
#pragma once

#include "appstate.h"
#include "lessonio.h"

#include <QObject>
#include <QSettings>
#include <QString>

class QFileSystemWatcher;
class QTimer;

namespace attention {

class StageController;

// The AppState a lesson step shows: `base` (what the window had) with everything the lesson states.
// Tokens are found in the step's sentence ("it", "the#4"); one that is missing selects nothing.
AppState appStateForLessonStep(const LessonState &step, const AppState &base);

class LessonPlayer : public QObject
{
    Q_OBJECT
public:
    // `settings` (may be null) keeps the steps done, per lesson, between runs.
    LessonPlayer(StageController *controller, QSettings *settings, QObject *parent = nullptr);

    // Opens a lesson file (or a shipped one, ":/lessons/…") at `step` (from 0). On failure the lesson that
    // was open stays open, and the message names every problem ("file:line: step N: field: what").
    QString open(const QString &path, int step = 0);
    void close();
    bool isOpen() const { return !m_file.parse.lesson.steps.empty(); }
    const Lesson &lesson() const { return m_file.parse.lesson; }
    QString path() const { return m_file.path; }
    int stepIndex() const { return m_step; }
    int stepCount() const { return static_cast<int>(m_file.parse.lesson.steps.size()); }
    const LessonStep *currentStep() const;
    // Goes to a step (clamped); false when there is no lesson.
    bool goTo(int step);
    bool next() { return goTo(m_step + 1); }
    bool previous() { return goTo(m_step - 1); }

    // Progress: a step is done once its question is answered right (or it has none and was shown).
    void markDone(int step);
    bool isDone(int step) const;
    static QString progressKey(const QString &path);
    // How many steps of the lesson at `path` are done, from the settings.
    static int doneCount(const QSettings *settings, const QString &path);

    // Reads the file again now (the watcher does this when it changes on disk).
    QString reload();

signals:
    void lessonChanged();      // opened, reloaded or closed
    void stepChanged(int step);
    void problem(const QString &message); // a reload or an open that failed; the open lesson stays
    void progressChanged();

private:
    void watch();

    StageController *m_controller;
    QSettings *m_settings;
    LessonFile m_file;
    int m_step = -1;
    QFileSystemWatcher *m_watcher = nullptr;
    QTimer *m_reloadTimer = nullptr;
};

} // namespace attention
