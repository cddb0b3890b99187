// The lessons' place in the window.
#include "lessons.h"

#include "comparepanel.h"
#include "lessonio.h"
#include "lessonpanel.h"
#include "lessonplayer.h"
#include "sidepanels.h"
#include "stage.h"
#include "stagecontroller.h"

#include <QAction>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMainWindow>
#include <QMenuBar>
#include <QMessageBox>
#include <QEvent>
#include <memory>
#include <QLabel>
#include <QTimer>

namespace attention {

namespace {
// A plain cover over a panel, following the panel's size.
class Cover : public QLabel
{
public:
    explicit Cover(QWidget *parent) : QLabel(parent)
    {
        setAlignment(Qt::AlignCenter);
        setWordWrap(true);
        setTextFormat(Qt::PlainText);
        setAutoFillBackground(true);
        setGeometry(parent->rect());
        parent->installEventFilter(this);
    }
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == parentWidget() && event->type() == QEvent::Resize)
            setGeometry(parentWidget()->rect());
        return QLabel::eventFilter(watched, event);
    }
};
} // namespace

Lessons::Lessons(QMainWindow *window, StageController *controller, Stage *stage, SidePanels *panels,
                 QSettings *settings)
    : QObject(window), m_window(window), m_panels(panels)
{
    m_player = new LessonPlayer(controller, settings, this);
    m_dock = new QDockWidget(tr("Lesson"), window);
    m_dock->setObjectName(QStringLiteral("lessonDock"));
    m_panel = new LessonPanel(m_player, controller, m_dock);
    m_dock->setWidget(m_panel);
    // Beside the other panels on the right, as one more tab: Explain stays a click away.
    panels->addTabbedDock(m_dock);
    m_dock->hide();
    connect(m_panel, &LessonPanel::resultHidden, stage, &Stage::setResultHidden);
    // The panels that show the weights keep them to themselves until the question is answered: each is
    // covered, at its own size, so that nothing moves.
    connect(m_panel, &LessonPanel::resultHidden, this, [window](bool hidden) {
        for (const char *name : {"explainDock", "gridDock", "layerFlowDock"})
            if (auto *d = window->findChild<QDockWidget *>(QLatin1String(name)); d && d->widget()) {
                auto *cover = d->widget()->findChild<Cover *>(QString(), Qt::FindDirectChildrenOnly);
                if (!cover && hidden)
                    cover = new Cover(d->widget());
                if (cover) {
                    cover->setText(tr("Hidden until the lesson's question is answered."));
                    cover->setVisible(hidden);
                    cover->raise();
                }
            }
    });
    // A step that names two sentences to compare fills the Compare panel with them.
    connect(m_player, &LessonPlayer::stepChanged, this, [this] {
        const LessonStep *step = m_player->currentStep();
        if (step && !step->state.compareA.empty())
            m_panels->compare()->setInputs(QString::fromStdString(step->state.compareA),
                                           QString::fromStdString(step->state.compareB),
                                           QString::fromStdString(step->state.compareWord));
    });
    connect(m_player, &LessonPlayer::problem, this, [this](const QString &text) {
        emit message(text.section(QLatin1Char('\n'), 0, 1).replace(QLatin1Char('\n'), QLatin1Char(' ')));
    });

    // The Lessons menu: open a file, the shipped course, close. Before Help, as menus go.
    m_menu = new QMenu(tr("&Lessons"), window);
    QAction *openFile = m_menu->addAction(tr("&Open Lesson…"), this, &Lessons::openFromDialog);
    openFile->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    m_menu->addSeparator();
    struct Entry
    {
        QAction *action;
        QString path, label;
        int steps;
    };
    auto entries = std::make_shared<QList<Entry>>();
    for (const QString &path : shippedLessons()) {
        const LessonFile file = readLesson(path);
        const QString title = QString::fromStdString(file.parse.lesson.title);
        const QString number = QFileInfo(path).fileName().section(QLatin1Char('-'), 0, 0);
        const QString label =
            QStringLiteral("%1  %2").arg(number, title.isEmpty() ? QFileInfo(path).fileName() : title);
        QAction *a = m_menu->addAction(label, this, [this, path] { open(path); });
        entries->append({a, path, label, static_cast<int>(file.parse.lesson.steps.size())});
    }
    // Each lesson says how far the learner got: "3 of 5 steps", or a tick when all are done.
    connect(m_menu, &QMenu::aboutToShow, this, [entries, settings] {
        for (const Entry &e : *entries) {
            const int done = std::min(LessonPlayer::doneCount(settings, e.path), e.steps);
            e.action->setText(done == 0 ? e.label
                              : done >= e.steps
                                  ? tr("%1  ✓").arg(e.label)
                                  : tr("%1  (%2 of %3 steps)").arg(e.label).arg(done).arg(e.steps));
        }
    });
    m_menu->addSeparator();
    QAction *close = m_menu->addAction(tr("&Close Lesson"), m_player, &LessonPlayer::close);
    close->setEnabled(false);
    connect(m_player, &LessonPlayer::lessonChanged, close, [this, close] { close->setEnabled(m_player->isOpen()); });
    QMenuBar *bar = window->menuBar();
    QAction *help = nullptr;
    for (QAction *a : bar->actions())
        if (a->menu() && a->text().contains(QLatin1String("Help")))
            help = a;
    bar->insertMenu(help, m_menu);
    // File → Open Lesson…, after the file menu's first group.
    for (QAction *a : bar->actions())
        if (a->menu() && a->text().contains(QLatin1String("File"))) {
            QMenu *fileMenu = a->menu();
            const QList<QAction *> items = fileMenu->actions();
            QAction *before = items.isEmpty() ? nullptr : items.first();
            auto *item = new QAction(tr("Open &Lesson…"), fileMenu);
            connect(item, &QAction::triggered, this, &Lessons::openFromDialog);
            fileMenu->insertAction(before, item);
            break;
        }
}

QString Lessons::open(const QString &nameOrPath, int step)
{
    const QString path = findLesson(nameOrPath);
    if (path.isEmpty())
        return tr("No lesson is called “%1”, and there is no such file").arg(nameOrPath);
    const QString error = m_player->open(path, step);
    if (error.isEmpty()) {
        m_panels->raiseTabbedDock(m_dock);
    }
    return error;
}

void Lessons::openFromDialog()
{
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open a lesson"), QString(),
                                                      tr("Lessons (*.lesson.md *.md *.txt);;All files (*)"));
    if (path.isEmpty())
        return;
    const QString error = open(path);
    if (!error.isEmpty()) {
        // Plain text: the problems quote the file, which a message box would read as markup.
        QMessageBox box(QMessageBox::Warning, tr("Lesson"), tr("This lesson cannot be opened; the one open stays open."),
                        QMessageBox::Ok, m_window);
        box.setTextFormat(Qt::PlainText);
        box.setDetailedText(error);
        box.setInformativeText(error.section(QLatin1Char('\n'), 0, 4));
        box.exec();
    }
}

} // namespace attention
