// A lesson on the stage: the steps' states through the controller, the file watched for edits.
#include "lessonplayer.h"

#include "stagecontroller.h"

#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>

namespace attention {

AppState appStateForLessonStep(const LessonState &l, const AppState &base)
{
    AppState s = base;
    s.sentence = QString::fromStdString(l.sentence);
    s.model = QString::fromStdString(l.model);
    s.step = l.step;
    s.mask = l.mask;
    s.scale = l.scale;
    s.swapQK = l.swapQK;
    s.layer = l.layer - 1;
    s.head = l.head == 0 ? -1 : l.head - 1;
    SidePanel panel = s.panel;
    if (panelFromKey(QString::fromStdString(l.panel), &panel))
        s.panel = panel;
    s.view = l.view == "lines" ? StageView::Lines : StageView::Heatmap;
    Projection projection = s.projection;
    if (projectionFromKey(QString::fromStdString(l.projection), &projection))
        s.projection = projection;
    s.decimals = l.decimals;
    s.zoom = l.zoom;
    s.maskEdit = false;
    const std::vector<Token> tokens = tokenize(l.sentence);
    std::string error;
    s.query = l.query.empty() ? -1 : findToken(tokens, l.query, &error);
    s.key = l.key.empty() || s.query < 0 ? -1 : findToken(tokens, l.key, &error);
    return s;
}

LessonPlayer::LessonPlayer(StageController *controller, QSettings *settings, QObject *parent)
    : QObject(parent), m_controller(controller), m_settings(settings)
{
    m_watcher = new QFileSystemWatcher(this);
    m_reloadTimer = new QTimer(this);
    m_reloadTimer->setSingleShot(true);
    // Editors save by writing a new file and renaming it: wait for the dust to settle, then read once.
    m_reloadTimer->setInterval(250);
    connect(m_reloadTimer, &QTimer::timeout, this, [this] {
        const QString error = reload();
        if (!error.isEmpty())
            emit problem(error);
    });
    connect(m_watcher, &QFileSystemWatcher::fileChanged, m_reloadTimer, qOverload<>(&QTimer::start));
    connect(m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] {
        // The file was replaced: watch the new one.
        if (!m_file.path.isEmpty() && !m_watcher->files().contains(m_file.path) && QFileInfo::exists(m_file.path))
            m_watcher->addPath(m_file.path);
        m_reloadTimer->start();
    });
}

const LessonStep *LessonPlayer::currentStep() const
{
    if (m_step < 0 || m_step >= stepCount())
        return nullptr;
    return &m_file.parse.lesson.steps[static_cast<std::size_t>(m_step)];
}

QString LessonPlayer::open(const QString &path, int step)
{
    LessonFile file = readLesson(path);
    if (!file.error.isEmpty())
        return file.error;
    if (!file.parse.ok()) {
        QStringList lines;
        for (const LessonProblem &p : file.parse.problems)
            lines << QString::fromStdString(formatProblem(file.shownName.toStdString(), p));
        return lines.join(QLatin1Char('\n'));
    }
    m_file = std::move(file);
    m_step = -1;
    watch();
    emit lessonChanged();
    goTo(step);
    return QString();
}

void LessonPlayer::close()
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    m_file = LessonFile();
    m_step = -1;
    emit lessonChanged();
}

void LessonPlayer::watch()
{
    if (!m_watcher->files().isEmpty())
        m_watcher->removePaths(m_watcher->files());
    if (!m_watcher->directories().isEmpty())
        m_watcher->removePaths(m_watcher->directories());
    if (m_file.path.startsWith(QLatin1String(":/")))
        return; // a shipped lesson does not change
    m_watcher->addPath(m_file.path);
    m_watcher->addPath(QFileInfo(m_file.path).absolutePath());
}

QString LessonPlayer::reload()
{
    if (m_file.path.isEmpty())
        return QString();
    const int step = m_step;
    const QString path = m_file.path;
    LessonFile file = readLesson(path);
    QString error = file.error;
    if (error.isEmpty() && !file.parse.ok()) {
        QStringList lines;
        for (const LessonProblem &p : file.parse.problems)
            lines << QString::fromStdString(formatProblem(file.shownName.toStdString(), p));
        error = lines.join(QLatin1Char('\n'));
    }
    if (!error.isEmpty())
        return tr("The lesson on disk has problems; the version read before stays open.\n%1").arg(error);
    m_file = std::move(file);
    if (!m_watcher->files().contains(path) && QFileInfo::exists(path))
        m_watcher->addPath(path);
    emit lessonChanged();
    m_step = -1;
    goTo(std::min(step, stepCount() - 1));
    return QString();
}

bool LessonPlayer::goTo(int step)
{
    if (!isOpen())
        return false;
    step = std::clamp(step, 0, stepCount() - 1);
    const LessonStep &s = m_file.parse.lesson.steps[static_cast<std::size_t>(step)];
    const QString error = m_controller->applyState(appStateForLessonStep(s.state, m_controller->state()));
    if (!error.isEmpty())
        emit problem(tr("Step %1 cannot be shown: %2").arg(step + 1).arg(error));
    const bool changed = step != m_step;
    m_step = step;
    if (s.question.kind == QuestionKind::None)
        markDone(step);
    if (changed)
        emit stepChanged(step);
    return true;
}

QString LessonPlayer::progressKey(const QString &path)
{
    // Shipped lessons by name (they move with the installation); files by their absolute path.
    const QString id = path.startsWith(QLatin1String(":/")) ? QFileInfo(path).fileName() : QFileInfo(path).absoluteFilePath();
    return QStringLiteral("lessons/done/%1").arg(QString::fromUtf8(id.toUtf8().toPercentEncoding()));
}

int LessonPlayer::doneCount(const QSettings *settings, const QString &path)
{
    return settings ? static_cast<int>(settings->value(progressKey(path)).toStringList().size()) : 0;
}

void LessonPlayer::markDone(int step)
{
    if (!m_settings || !isOpen() || isDone(step))
        return;
    QStringList done = m_settings->value(progressKey(m_file.path)).toStringList();
    done << QString::number(step);
    m_settings->setValue(progressKey(m_file.path), done);
    emit progressChanged();
}

bool LessonPlayer::isDone(int step) const
{
    if (!m_settings || m_file.path.isEmpty())
        return false;
    return m_settings->value(progressKey(m_file.path)).toStringList().contains(QString::number(step));
}

} // namespace attention
