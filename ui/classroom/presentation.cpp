// Classroom mode: the audience's full-screen stage, the presenter's window, and the clicker's keys.
#include "presentation.h"

#include "heatmapview.h"
#include "labels.h"
#include "lessonpanel.h"
#include "lessonplayer.h"
#include "stage.h"
#include "stagecontroller.h"
#include "theme.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScreen>
#include <QTextEdit>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

namespace attention {

namespace {
const QColor kBackground(18, 18, 22);
const QColor kText(240, 240, 240);

void darken(QWidget *w)
{
    QPalette p = w->palette();
    for (QPalette::ColorRole role : {QPalette::Window, QPalette::Base})
        p.setColor(role, kBackground);
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(role, kText);
    w->setPalette(p);
    w->setAutoFillBackground(true);
}
} // namespace

AudienceWindow::AudienceWindow(QWidget *parent) : QWidget(parent, Qt::Window)
{
    setWindowTitle(tr("AttentionLab — audience"));
    setObjectName(QStringLiteral("audienceWindow"));
    darken(this);
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(32, 24, 32, 24);
    v->setSpacing(12);
    m_sentence = new QLabel(this);
    m_sentence->setWordWrap(true);
    m_sentence->setTextFormat(Qt::PlainText);
    m_step = new QLabel(this);
    m_step->setWordWrap(true);
    m_step->setTextFormat(Qt::PlainText);
    m_heatmap = new HeatmapView(this);
    m_heatmap->setAccessibleName(tr("The step's result"));
    m_narration = new LessonText(this);
    m_narration->setAccessibleName(tr("Narration"));
    m_narration->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    darken(m_narration);
    v->addWidget(m_sentence);
    v->addWidget(m_step);
    v->addWidget(m_heatmap, 5);
    v->addWidget(m_narration, 2);
    m_spotlight = new QLabel(this);
    m_spotlight->setObjectName(QStringLiteral("spotlight"));
    m_spotlight->setTextFormat(Qt::PlainText);
    m_spotlight->hide();
    m_heatmap->viewport()->setMouseTracking(true);
    m_heatmap->viewport()->installEventFilter(this);
    m_blank = new QWidget(this);
    m_blank->setAutoFillBackground(true);
    m_blank->hide();
    applyFonts();
}

int AudienceWindow::textPixels() const
{
    // 24 px on a 768-line projector, growing with taller screens.
    return std::max(24, height() / 32);
}

void AudienceWindow::applyFonts()
{
    QFont f = font();
    f.setPixelSize(textPixels());
    for (QWidget *w : {static_cast<QWidget *>(m_narration), static_cast<QWidget *>(m_heatmap),
                       static_cast<QWidget *>(m_spotlight)})
        w->setFont(f);
    QFont big = f;
    big.setPixelSize(textPixels() * 4 / 3);
    m_sentence->setFont(big);
    QFont bold = f;
    bold.setBold(true);
    bold.setPixelSize(textPixels() * 7 / 6);
    m_step->setFont(bold);
    // A style sheet sets its own font: give it the size outright.
    m_spotlight->setStyleSheet(QStringLiteral("QLabel { background: #FFF8C4; color: #111; border: 3px solid #E6A000;"
                                              " border-radius: 8px; padding: 10px 14px; font-size: %1px; }")
                                   .arg(textPixels() * 5 / 4));
}

void AudienceWindow::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    applyFonts();
    m_blank->setGeometry(rect());
}

void AudienceWindow::blank(const QColor &colour)
{
    m_blankColour = colour;
    if (colour.alpha() == 0) {
        m_blank->hide();
        return;
    }
    QPalette p = m_blank->palette();
    p.setColor(QPalette::Window, colour);
    m_blank->setPalette(p);
    m_blank->setGeometry(rect());
    m_blank->show();
    m_blank->raise();
}

void AudienceWindow::setSpotlight(bool on)
{
    m_spotlightOn = on;
    if (!on)
        m_spotlight->hide();
    else
        moveSpotlight(m_heatmap->viewport()->mapFromGlobal(QCursor::pos()));
}

void AudienceWindow::moveSpotlight(const QPoint &viewportPos)
{
    const QPoint cell = m_heatmap->cellAt(viewportPos);
    const QString text = m_spotlightOn && cell.x() >= 0 && cell.y() >= 0 && describeCell
                             ? describeCell(cell.y(), cell.x())
                             : QString();
    if (text.isEmpty()) {
        m_spotlight->hide();
        return;
    }
    m_spotlight->setText(text);
    m_spotlight->adjustSize();
    // Beside the pointer, inside the window, never under it.
    QPoint at = m_heatmap->viewport()->mapTo(this, viewportPos) + QPoint(24, 24);
    at.setX(std::clamp(at.x(), 0, std::max(0, width() - m_spotlight->width())));
    at.setY(std::clamp(at.y(), 0, std::max(0, height() - m_spotlight->height())));
    m_spotlight->move(at);
    m_spotlight->show();
    m_spotlight->raise();
}

bool AudienceWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_heatmap->viewport() && event->type() == QEvent::MouseMove && m_spotlightOn)
        moveSpotlight(static_cast<QMouseEvent *>(event)->position().toPoint());
    if (watched == m_heatmap->viewport() && event->type() == QEvent::Leave)
        m_spotlight->hide();
    return QWidget::eventFilter(watched, event);
}

void AudienceWindow::keyPressEvent(QKeyEvent *event)
{
    emit keyPressed(event);
    if (!event->isAccepted())
        QWidget::keyPressEvent(event);
}

PresenterWindow::PresenterWindow(QWidget *parent) : QWidget(parent, Qt::Window)
{
    setWindowTitle(tr("AttentionLab — presenter"));
    setObjectName(QStringLiteral("presenterWindow"));
    auto *v = new QVBoxLayout(this);
    m_position = new QLabel(this);
    m_next = new QLabel(this);
    m_next->setWordWrap(true);
    m_elapsed = new QLabel(this);
    m_clock = new QLabel(this);
    for (QLabel *l : {m_position, m_next, m_elapsed, m_clock})
        l->setTextFormat(Qt::PlainText);
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    m_position->setFont(big);
    m_elapsed->setFont(big);
    m_notes = new LessonText(this);
    m_notes->setAccessibleName(tr("Presenter notes"));
    auto *times = new QHBoxLayout;
    times->addWidget(m_elapsed);
    times->addStretch(1);
    times->addWidget(m_clock);
    v->addWidget(m_position);
    v->addLayout(times);
    v->addWidget(new QLabel(tr("Notes"), this));
    v->addWidget(m_notes, 1);
    v->addWidget(m_next);
    resize(640, 480);
}

void PresenterWindow::showStep(const QString &position, const QString &next, const QString &notesMarkdown)
{
    m_position->setText(position);
    m_next->setText(next);
    m_notes->showMarkdown(notesMarkdown.isEmpty() ? tr("*No notes for this step.*") : notesMarkdown);
}

void PresenterWindow::setTimes(const QString &elapsed, const QString &clock)
{
    m_elapsed->setText(elapsed);
    m_clock->setText(clock);
}

void PresenterWindow::keyPressEvent(QKeyEvent *event)
{
    emit keyPressed(event);
    if (!event->isAccepted())
        QWidget::keyPressEvent(event);
}

Presentation::Presentation(QWidget *mainWindow, StageController *controller, Stage *stage, LessonPlayer *lessons,
                           std::function<void(int)> advance)
    : QObject(mainWindow), m_main(mainWindow), m_controller(controller), m_stage(stage), m_lessons(lessons),
      m_advance(std::move(advance))
{
    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &Presentation::tick);
    connect(m_controller, &StageController::traceChanged, this, &Presentation::refresh);
    connect(m_controller, &StageController::stepChanged, this, &Presentation::refresh);
    connect(m_controller, &StageController::selectionChanged, this, &Presentation::refresh);
    connect(m_controller, &StageController::viewChanged, this, &Presentation::refresh);
    connect(m_lessons, &LessonPlayer::stepChanged, this, &Presentation::refresh);
    connect(m_lessons, &LessonPlayer::lessonChanged, this, &Presentation::refresh);
}

Presentation::~Presentation()
{
    if (isPresenting())
        qApp->removeEventFilter(this);
    delete m_audience;
    delete m_presenter;
}

void Presentation::start(bool fromStart)
{
    if (!isPresenting()) {
        m_audience = new AudienceWindow;
        m_audience->describeCell = [this](int row, int column) { return cellDescription(row, column); };
        // The audience gets the second screen when there is one; the presenter keeps this one.
        const QList<QScreen *> screens = QGuiApplication::screens();
        QScreen *here = m_main->screen();
        QScreen *audienceScreen = here;
        for (QScreen *s : screens)
            if (s != here)
                audienceScreen = s;
        m_audience->setGeometry(audienceScreen->geometry());
        m_audience->showFullScreen();
        if (audienceScreen != here)
            showPresenter();
        qApp->installEventFilter(this);
        m_clock.start();
        m_timer->start();
    }
    if (fromStart) {
        if (m_lessons->isOpen())
            m_lessons->goTo(0);
        else
            m_controller->setStep(Step::Embeddings);
    }
    refresh();
    tick();
}

void Presentation::stop()
{
    if (!isPresenting())
        return;
    qApp->removeEventFilter(this);
    m_timer->stop();
    m_audience->deleteLater();
    m_audience = nullptr;
    if (m_presenter) {
        m_presenter->deleteLater();
        m_presenter = nullptr;
    }
    m_typingGoTo = false;
    m_main->activateWindow();
}

void Presentation::showPresenter()
{
    if (!m_presenter) {
        m_presenter = new PresenterWindow;
        m_presenter->move(m_main->screen()->geometry().topLeft() + QPoint(40, 40));
    }
    m_presenter->show();
    m_presenter->raise();
    refresh();
    tick();
}

void Presentation::tick()
{
    if (!m_presenter)
        return;
    const qint64 s = m_clock.isValid() ? m_clock.elapsed() / 1000 : 0;
    m_presenter->setTimes(tr("%1:%2").arg(s / 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0')),
                          QTime::currentTime().toString(QStringLiteral("HH:mm")));
}

QString Presentation::cellDescription(int row, int column) const
{
    const HeatmapView *h = m_audience->heatmap();
    const Eigen::MatrixXd &m = h->matrix();
    if (row >= m.rows() || column >= m.cols())
        return QString();
    const AttentionTrace *trace = m_controller->trace();
    const double v = m(row, column);
    const QString value = std::isinf(v) ? QStringLiteral("−∞") : QString::number(v, 'f', 3);
    const Step step = m_controller->state().step;
    const bool square = m.rows() == m.cols() && trace && m.rows() == trace->tokenCount() && step >= Step::Scores &&
                        step <= Step::Softmax;
    if (square) {
        const QString q = QString::fromStdString(trace->tokens[std::size_t(row)].text);
        const QString k = QString::fromStdString(trace->tokens[std::size_t(column)].text);
        static const char *what[] = {"", "", "score", "scaled score", "masked score", "weight"};
        static const char *how[] = {"", "", "q·k", "q·k ÷ √d_k", "scaled + mask", "e^x ÷ the row's sum of e^x"};
        const int i = stepIndex(step);
        return tr("%1(%2 → %3) = %4\n%5").arg(QLatin1String(what[i]), q, k, value, QLatin1String(how[i]));
    }
    return tr("row %1, column %2: %3").arg(row).arg(column).arg(value);
}

void Presentation::refresh()
{
    if (!isPresenting())
        return;
    const AppState &s = m_controller->state();
    m_audience->sentence()->setText(s.sentence);
    m_audience->stepTitle()->setText(tr("%1 · %2    %3")
                                         .arg(stepIndex(s.step) + 1)
                                         .arg(stepTitleText(s.step), stepFormulaText(s.step, s.swapQK)));
    m_stage->fillHeatmap(m_audience->heatmap());
    // Lighter query and key colours: the stage's are made for a white page.
    if (s.step >= Step::Scores && s.step <= Step::Softmax)
        m_audience->heatmap()->setLabelColors(theme::query().lighter(170), theme::key().lighter(130));
    else
        m_audience->heatmap()->setLabelColors(kText, kText);
    m_audience->heatmap()->setSelection(s.query, s.key);
    const LessonStep *step = m_lessons->isOpen() ? m_lessons->currentStep() : nullptr;
    m_audience->narration()->showMarkdown(step ? QString::fromStdString(step->narration) : stepDescriptionText(s.step));
    if (!m_presenter)
        return;
    QString position, next, notes;
    if (step) {
        const int i = m_lessons->stepIndex(), n = m_lessons->stepCount();
        position = tr("Step %1 of %2 · %3").arg(i + 1).arg(n).arg(QString::fromStdString(m_lessons->lesson().title));
        if (i + 1 < n) {
            const LessonStep &after = m_lessons->lesson().steps[std::size_t(i + 1)];
            next = tr("Next: %1 — %2")
                       .arg(after.title.empty() ? stepTitleText(after.state.step) : QString::fromStdString(after.title),
                            stepFormulaText(after.state.step, after.state.swapQK));
        } else {
            next = tr("Next: the end of the lesson");
        }
        notes = QString::fromStdString(step->notes);
    } else {
        const int i = stepIndex(s.step);
        position = tr("Step %1 of %2").arg(i + 1).arg(kAllSteps.size());
        next = i + 1 < int(kAllSteps.size())
                   ? tr("Next: %1 — %2").arg(stepTitleText(kAllSteps[std::size_t(i + 1)]),
                                             stepFormulaText(kAllSteps[std::size_t(i + 1)], s.swapQK))
                   : tr("Next: the last step is on screen");
    }
    m_presenter->showStep(position, next, notes);
}

bool Presentation::handleKey(QKeyEvent *event)
{
    const int key = event->key();
    if (m_typingGoTo) {
        if (key >= Qt::Key_0 && key <= Qt::Key_9) {
            m_goTo += QChar('0' + (key - Qt::Key_0));
            return true;
        }
        if (key == Qt::Key_Return || key == Qt::Key_Enter) {
            m_typingGoTo = false;
            const int n = m_goTo.toInt();
            if (m_lessons->isOpen() && n >= 1)
                m_lessons->goTo(n - 1);
            else if (n >= 1 && n <= int(kAllSteps.size()))
                m_controller->setStep(kAllSteps[std::size_t(n - 1)]);
            return true;
        }
        m_typingGoTo = false; // any other key ends the number
        if (key == Qt::Key_Escape)
            return true;
    }
    switch (key) {
    case Qt::Key_PageDown:
    case Qt::Key_Right:
    case Qt::Key_Space:
    case Qt::Key_N:
        m_advance(+1);
        return true;
    case Qt::Key_PageUp:
    case Qt::Key_Left:
    case Qt::Key_Backspace:
    case Qt::Key_P:
        m_advance(-1);
        return true;
    case Qt::Key_B:
    case Qt::Key_Period:
        m_audience->blank(m_audience->blanked() == QColor(Qt::black) ? QColor(Qt::transparent) : QColor(Qt::black));
        return true;
    case Qt::Key_W:
        m_audience->blank(m_audience->blanked() == QColor(Qt::white) ? QColor(Qt::transparent) : QColor(Qt::white));
        return true;
    case Qt::Key_G:
        m_typingGoTo = true;
        m_goTo.clear();
        return true;
    case Qt::Key_L:
        m_audience->setSpotlight(!m_audience->spotlightOn());
        return true;
    case Qt::Key_S:
        showPresenter();
        return true;
    case Qt::Key_Escape:
        if (m_audience->blanked().alpha() != 0)
            m_audience->blank(Qt::transparent);
        else
            stop();
        return true;
    default:
        return false;
    }
}

bool Presentation::eventFilter(QObject *watched, QEvent *event)
{
    if (!isPresenting() || (event->type() != QEvent::KeyPress && event->type() != QEvent::ShortcutOverride))
        return QObject::eventFilter(watched, event);
    auto *w = qobject_cast<QWidget *>(watched);
    if (!w || !(w->window() == m_main || w->window() == m_audience || (m_presenter && w->window() == m_presenter)))
        return QObject::eventFilter(watched, event);
    // The teacher may type a student's sentence mid-lesson: keys in a text field are the field's.
    QWidget *focus = QApplication::focusWidget();
    const bool typing = focus && focus->window() == m_main && w->window() == m_main &&
                        (qobject_cast<QLineEdit *>(focus) || qobject_cast<QTextEdit *>(focus) ||
                         qobject_cast<QPlainTextEdit *>(focus) || qobject_cast<QAbstractSpinBox *>(focus) ||
                         (qobject_cast<QComboBox *>(focus) && static_cast<QComboBox *>(focus)->isEditable()));
    auto *key = static_cast<QKeyEvent *>(event);
    // Page Down / Page Up (a clicker) and Escape still present; every other key types.
    const bool clicker = key->key() == Qt::Key_PageDown || key->key() == Qt::Key_PageUp || key->key() == Qt::Key_Escape;
    if ((typing && !clicker) || key->modifiers() & (Qt::ControlModifier | Qt::AltModifier))
        return QObject::eventFilter(watched, event);
    if (event->type() == QEvent::ShortcutOverride) {
        // Claim the key before a shortcut (Page Down is also the step bar's) takes it: it comes back as a press.
        static const QList<int> keys{Qt::Key_PageDown, Qt::Key_PageUp, Qt::Key_Right, Qt::Key_Left, Qt::Key_Space,
                                     Qt::Key_Backspace, Qt::Key_N, Qt::Key_P, Qt::Key_B, Qt::Key_Period, Qt::Key_W,
                                     Qt::Key_G, Qt::Key_L, Qt::Key_S, Qt::Key_Escape, Qt::Key_Return, Qt::Key_Enter,
                                     Qt::Key_0, Qt::Key_1, Qt::Key_2, Qt::Key_3, Qt::Key_4, Qt::Key_5, Qt::Key_6,
                                     Qt::Key_7, Qt::Key_8, Qt::Key_9};
        if (keys.contains(key->key()))
            event->accept();
        return false;
    }
    return handleKey(key);
}

} // namespace attention
