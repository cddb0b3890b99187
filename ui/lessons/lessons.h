// The lessons in the window: the player, its panel in a dock, the Lessons menu and File → Open Lesson.
#pragma once

#include <QObject>

class QDockWidget;
class QMainWindow;
class QMenu;
class QSettings;

namespace attention {

class LessonPanel;
class LessonPlayer;
class SidePanels;
class Stage;
class StageController;

class Lessons : public QObject
{
    Q_OBJECT
public:
    Lessons(QMainWindow *window, StageController *controller, Stage *stage, SidePanels *panels, QSettings *settings);

    LessonPlayer *player() const { return m_player; }
    LessonPanel *panel() const { return m_panel; }
    QDockWidget *dock() const { return m_dock; }
    QMenu *menu() const { return m_menu; }
    // Opens a lesson by name ("05-java", "5") or path at `step` (from 0), shows its panel; returns the error.
    QString open(const QString &nameOrPath, int step = 0);
    // File → Open Lesson…: asks for a file.
    void openFromDialog();

signals:
    void message(const QString &text);

private:
    QMainWindow *m_window;
    SidePanels *m_panels;
    LessonPlayer *m_player;
    LessonPanel *m_panel;
    QDockWidget *m_dock;
    QMenu *m_menu;
};

} // namespace attention
