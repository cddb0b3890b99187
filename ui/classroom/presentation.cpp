// Classroom mode: the audience's full-screen stage, the presenter's window, and the clicker's keys.
#include "presentation.h"

#include "colormap.h"
#include "equationview.h"
#include "heatmapview.h"
#include "labels.h"
#include "matrixmodel.h"
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
#include <QPainter>
#include <QPlainTextEdit>
#include <QScreen>
#include <QTextDocument>
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

Spotlight::Spotlight(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("spotlight"));
    setAttribute(Qt::WA_TransparentForMouseEvents);
    hide();
}

QFont Spotlight::valueFont() const
{
    QFont f = font();
    f.setPixelSize(f.pixelSize() * 3 / 2);
    f.setBold(true);
    return f;
}

void Spotlight::showCell(const QRect &cell, const QColor &colour, const QString &value, const QString &text)
{
    m_colour = colour;
    m_value = value;
    m_text = text;
    const QRect area = parentWidget() ? parentWidget()->rect() : rect();
    setGeometry(area);
    // 1. The cell, three times its size (and never smaller than its number), centred where it is.
    const QFontMetrics vm(valueFont());
    const int side = std::max({3 * std::max(cell.width(), cell.height()), vm.horizontalAdvance(value) + 32,
                               vm.height() * 2});
    m_big = QRect(0, 0, side, side);
    m_big.moveCenter(cell.center());
    m_big.moveLeft(std::clamp(m_big.left(), 0, std::max(0, area.width() - side)));
    m_big.moveTop(std::clamp(m_big.top(), 0, std::max(0, area.height() - side)));
    // 2. The card beside it: right, left, below or above, the first that fits in the window without
    //    covering the enlarged cell.
    const QFontMetrics fm(font());
    const int pad = fm.height() / 2;
    const QRect textBox = fm.boundingRect(QRect(0, 0, area.width() * 3 / 4, area.height()), Qt::TextWordWrap, text);
    const QSize card(textBox.width() + 2 * pad, textBox.height() + 2 * pad);
    const auto clampedTo = [&](QRect r) {
        r.moveLeft(std::clamp(r.left(), 0, std::max(0, area.width() - r.width())));
        r.moveTop(std::clamp(r.top(), 0, std::max(0, area.height() - r.height())));
        return r;
    };
    const int midY = m_big.center().y() - card.height() / 2, midX = m_big.center().x() - card.width() / 2;
    const QList<QRect> places{QRect(QPoint(m_big.right() + pad, midY), card),
                              QRect(QPoint(m_big.left() - pad - card.width(), midY), card),
                              QRect(QPoint(midX, m_big.bottom() + pad), card),
                              QRect(QPoint(midX, m_big.top() - pad - card.height()), card)};
    m_card = clampedTo(places[2]);
    for (const QRect &place : places) {
        const QRect r = clampedTo(place);
        if (!r.intersects(m_big)) {
            m_card = r;
            break;
        }
    }
    show();
    update();
}

void Spotlight::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor frame(230, 160, 0);
    p.setPen(QPen(frame, 4));
    p.setBrush(m_colour);
    p.drawRect(m_big);
    p.setFont(valueFont());
    p.setPen(textColorOn(m_colour));
    p.drawText(m_big, Qt::AlignCenter, m_value);
    p.setPen(QPen(frame, 3));
    p.setBrush(QColor(255, 248, 196));
    p.drawRoundedRect(m_card, 8, 8);
    p.setFont(font());
    p.setPen(QColor(17, 17, 17));
    const int pad = QFontMetrics(font()).height() / 2;
    p.drawText(m_card.adjusted(pad, pad, -pad, -pad), Qt::TextWordWrap, m_text);
}

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
    m_heatmap->setFocusPolicy(Qt::NoFocus); // the keys are the presenter's; no focus frame on the projector
    m_narration = new LessonText(this);
    m_narration->setAccessibleName(tr("Narration"));
    m_narration->setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    darken(m_narration);
    v->addWidget(m_sentence);
    v->addWidget(m_step);
    v->addWidget(m_heatmap, 5);
    v->addWidget(m_narration);
    m_answer = new QLabel(this);
    m_answer->setTextFormat(Qt::PlainText);
    m_answer->setWordWrap(true);
    m_answer->setObjectName(QStringLiteral("roomAnswer"));
    m_answer->setStyleSheet(QStringLiteral("QLabel { color: #ffe066; }"));
    m_answer->hide();
    v->addWidget(m_answer);
    m_cover = new QLabel(this);
    m_cover->setTextFormat(Qt::PlainText);
    m_cover->setWordWrap(true);
    m_cover->setAlignment(Qt::AlignCenter);
    m_cover->setAutoFillBackground(true);
    m_cover->setStyleSheet(QStringLiteral("QLabel { background: #24242c; color: #f0f0f0; border: 2px dashed #8a8aa0; }"));
    m_cover->hide();
    m_heatmap->installEventFilter(this);
    m_spotlight = new Spotlight(this);
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
    for (QWidget *w : {static_cast<QWidget *>(m_narration), static_cast<QWidget *>(m_heatmap)})
        w->setFont(f);
    QFont big = f;
    big.setPixelSize(textPixels() * 4 / 3);
    m_sentence->setFont(big);
    QFont card = f;
    card.setPixelSize(textPixels() * 5 / 4);
    m_spotlight->setFont(card);
    QFont bold = f;
    bold.setBold(true);
    bold.setPixelSize(textPixels() * 7 / 6);
    m_step->setFont(bold);
    m_answer->setFont(bold);
    m_cover->setFont(bold);
}

void AudienceWindow::fitNarration()
{
    // As tall as its text, up to 45% of the window: the rest is the result's. Longer text scrolls.
    QTextDocument *doc = m_narration->document();
    doc->setTextWidth(m_narration->viewport()->width());
    const int needed = int(std::ceil(doc->size().height())) + 2 * m_narration->frameWidth() + 4;
    // With an answer revealed, narration and answer share 55% between them, so the result stays readable.
    const int answer = m_answer->isVisibleTo(this) ? m_answer->heightForWidth(m_narration->width()) : 0;
    const int room = answer > 0 ? height() * 55 / 100 - answer : height() * 45 / 100;
    m_narration->setFixedHeight(std::clamp(needed, 2 * textPixels(), std::max(2 * textPixels(), room)));
}

void AudienceWindow::setResultCovered(bool covered, const QString &why)
{
    m_cover->setText(why);
    m_cover->setVisible(covered);
    if (covered)
        m_spotlight->hide(); // nothing under the cover is named
    placeCover();
}

bool AudienceWindow::resultCovered() const
{
    return m_cover->isVisibleTo(const_cast<AudienceWindow *>(this));
}

void AudienceWindow::placeCover()
{
    if (!m_cover->isVisibleTo(this))
        return;
    m_cover->setGeometry(m_heatmap->geometry());
    m_cover->raise();
    m_blank->raise(); // a blank screen stays over everything
}

void AudienceWindow::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    applyFonts();
    fitNarration();
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
    const double v = m_heatmap->matrix()(cell.y(), cell.x());
    const double lo = m_heatmap->colorMinimum(), hi = m_heatmap->colorMaximum();
    // The heatmap's own colour for the value (its scale is public): blocked cells are its grey.
    const QColor colour = std::isfinite(v) ? viridis(hi > lo ? (v - lo) / (hi - lo) : 0.5) : theme::blocked();
    const QRect r = m_heatmap->cellRect(cell.y(), cell.x());
    const QRect inWindow(m_heatmap->viewport()->mapTo(this, r.topLeft()), r.size());
    m_spotlight->showCell(inWindow, colour,
                          std::isinf(v) ? QStringLiteral("−∞") : QString::number(v, 'f', m_heatmap->precision() + 1),
                          text);
    // Under a blank screen, never over it.
    m_spotlight->stackUnder(m_blank);
}

bool AudienceWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_heatmap && (event->type() == QEvent::Resize || event->type() == QEvent::Move))
        placeCover();
    if (watched == m_heatmap->viewport() && event->type() == QEvent::MouseMove && m_spotlightOn && !resultCovered())
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
    // Read at a glance from a lectern: the position and the times large, the notes larger than a menu.
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.8);
    big.setBold(true);
    for (QLabel *l : {m_position, m_elapsed, m_clock})
        l->setFont(big);
    QFont reading = font();
    reading.setPointSizeF(reading.pointSizeF() * 1.3);
    m_notes = new LessonText(this);
    m_notes->setAccessibleName(tr("Presenter notes"));
    m_notes->setFont(reading);
    m_elapsed->setToolTip(tr("Time since the presentation began"));
    m_clock->setToolTip(tr("The time of day"));
    auto *top = new QHBoxLayout;
    top->addWidget(m_position, 1);
    top->addWidget(m_elapsed);
    top->addSpacing(24);
    top->addWidget(m_clock);
    v->addLayout(top);
    // Notes on the left, where the eye reads first; the next step on the right, drawn as it will look.
    auto *columns = new QHBoxLayout;
    auto *left = new QVBoxLayout;
    m_questionHint = new QLabel(this);
    m_questionHint->setTextFormat(Qt::PlainText);
    m_questionHint->setWordWrap(true);
    m_questionHint->setFont(reading);
    m_questionHint->setStyleSheet(QStringLiteral("QLabel { background: #fff3bf; color: #111; padding: 6px; }"));
    m_questionHint->hide();
    left->addWidget(m_questionHint);
    left->addWidget(new QLabel(tr("Notes"), this));
    left->addWidget(m_notes, 1);
    auto *right = new QVBoxLayout;
    m_next->setFont(reading);
    right->addWidget(m_next);
    m_preview = new HeatmapView(this);
    m_preview->setAccessibleName(tr("The next step"));
    m_preview->setFocusPolicy(Qt::NoFocus);
    m_preview->setMinimumSize(200, 150);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8); // a thumbnail: its labels small enough to leave the cells room
    m_preview->setFont(small);
    right->addWidget(m_preview, 100);
    m_previewText = new QLabel(this);
    m_previewText->setTextFormat(Qt::PlainText);
    m_previewText->setWordWrap(true);
    m_previewText->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_previewText->setFont(reading);
    right->addWidget(m_previewText);
    right->addStretch(1); // keeps "the end of the lesson" at the top when there is no preview
    columns->addLayout(left, 3);
    columns->addLayout(right, 2);
    v->addLayout(columns, 1);
    resize(1000, 600);
}

void PresenterWindow::showPreviewText(const QString &text)
{
    m_previewText->setText(text);
    m_previewText->setVisible(!text.isEmpty());
}

void PresenterWindow::showStep(const QString &position, const QString &next, const QString &notesMarkdown)
{
    m_position->setText(position);
    m_next->setText(next);
    m_notes->showMarkdown(notesMarkdown.isEmpty() ? tr("*No notes for this step.*") : notesMarkdown);
    layout()->activate(); // new texts get their room now, not at the next event loop pass
}

void PresenterWindow::setTimes(const QString &elapsed, const QString &clock)
{
    m_elapsed->setText(elapsed);
    m_clock->setText(clock);
    layout()->activate();
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
    delete m_previewStage;
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
        emit presentingChanged(true);
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
    delete m_previewStage;
    m_previewStage = nullptr;
    delete m_previewController;
    m_previewController = nullptr;
    m_typingGoTo = false;
    m_main->activateWindow();
    emit presentingChanged(false);
}

void Presentation::showPresenter()
{
    if (!m_presenter) {
        m_presenter = new PresenterWindow;
        const QRect screen = m_main->screen()->availableGeometry();
        m_presenter->resize(std::min(m_presenter->width(), screen.width() - 80),
                            std::min(m_presenter->height(), screen.height() - 80));
        m_presenter->move(screen.topLeft() + QPoint(40, 40));
    }
    if (!m_previewController) {
        m_previewController =
            new StageController(m_controller->modelPointer(), this, m_controller->state().model);
        m_previewStage = new Stage(m_previewController, nullptr);
        m_previewStage->setAttribute(Qt::WA_DontShowOnScreen);
        connect(m_previewController, &StageController::traceChanged, this, &Presentation::fillPreview);
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
    const MatrixPanel *result = m_stage->equation()->resultPanel();
    const Eigen::MatrixXd &m = m_audience->heatmap()->matrix();
    if (!result || row >= m.rows() || column >= m.cols())
        return QString();
    // The labels the heatmap was filled with: tokens for rows, keys or dimensions for columns.
    const QString r = result->model()->headerData(row, Qt::Vertical).toString();
    const QString c = result->model()->headerData(column, Qt::Horizontal).toString();
    const double v = m(row, column);
    const QString value = std::isinf(v) ? QStringLiteral("−∞") : QString::number(v, 'f', 3);
    const auto pair = [&](const QString &what, const QString &how) {
        return tr("%1(%2 → %3) = %4\n%5").arg(what, r, c, value, how);
    };
    switch (result->id()) {
    case MatrixId::Scores:
        return pair(tr("score"), tr("the query of ‘%1’ · the key of ‘%2’").arg(r, c));
    case MatrixId::Scaled:
        return pair(tr("scaled"), tr("score(%1 → %2) ÷ √d_k").arg(r, c));
    case MatrixId::Mask:
        return pair(tr("mask"), tr("0: ‘%1’ may look at ‘%2’; −∞: it may not").arg(r, c));
    case MatrixId::Masked:
        return pair(tr("masked"), tr("the scaled score, or −∞ where the mask hides ‘%1’").arg(c));
    case MatrixId::Weights:
        return pair(tr("weight"), tr("e^masked(%1 → %2) ÷ the sum of e^masked(%1 → each key);\n"
                                     "the row of ‘%1’ adds up to 1")
                                      .arg(r, c));
    default:
        break;
    }
    QString how;
    switch (result->id()) {
    case MatrixId::E: how = tr("the embedding of ‘%1’").arg(r); break;
    case MatrixId::X: how = tr("the embedding of ‘%1’ + its position's").arg(r); break;
    case MatrixId::Q: how = tr("‘%1’ as a query: its input · column %2 of W_Q").arg(r, c); break;
    case MatrixId::K: how = tr("‘%1’ as a key: its input · column %2 of W_K").arg(r, c); break;
    case MatrixId::V: how = tr("‘%1’ as a value: its input · column %2 of W_V").arg(r, c); break;
    case MatrixId::Output: how = tr("the weights of ‘%1’ · column %2 of V").arg(r, c); break;
    default: how = result->name(); break;
    }
    return tr("%1(%2, %3) = %4\n%5").arg(result->name(), r, c, value, how);
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
    // A new step's question starts unanswered for the room.
    const int index = step ? m_lessons->stepIndex() : -1;
    if (index != m_questionStep) {
        m_questionStep = index;
        m_revealed = false;
    }
    const bool question = step && step->question.kind != QuestionKind::None;
    QString narration = step ? QString::fromStdString(step->narration) : stepDescriptionText(s.step);
    if (question)
        narration += QStringLiteral("\n\n**") + tr("Question:") + QStringLiteral("** ") + roomQuestion(*step);
    m_audience->narration()->showMarkdown(narration);
    const AttentionTrace *trace = m_controller->trace();
    const QString answer = question && m_revealed && trace ? roomAnswer(*step, *trace) : QString();
    m_audience->answer()->setText(answer);
    m_audience->answer()->setVisible(!answer.isEmpty());
    m_audience->fitNarration();
    m_audience->setResultCovered(question && step->question.kind == QuestionKind::Click && !m_revealed,
                                 tr("Which word will “%1” attend to most? Decide, then we look.")
                                     .arg(QString::fromStdString(step ? step->state.query : std::string())));
    // A longer sentence wraps onto another line: give it that line now, before anything is drawn or grabbed.
    m_audience->layout()->activate();
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
    QLabel *hint = m_presenter->questionHint();
    hint->setText(!question  ? QString()
                  : m_revealed ? tr("Revealed to the room: %1").arg(answer)
                               : tr("A question is on screen. Press R to reveal the answer to the room."));
    hint->setVisible(question);
    refreshPreview();
}

void Presentation::reveal()
{
    const LessonStep *step = m_lessons->isOpen() ? m_lessons->currentStep() : nullptr;
    if (!isPresenting() || !step || step->question.kind == QuestionKind::None || m_revealed)
        return;
    m_revealed = true;
    // The room has its answer: the step counts as done, and the main window's stage is uncovered too.
    m_lessons->markDone(m_lessons->stepIndex());
    m_stage->setResultHidden(false);
    refresh();
}

std::optional<AppState> Presentation::nextState() const
{
    const AppState &s = m_controller->state();
    if (m_lessons->isOpen()) {
        const int i = m_lessons->stepIndex();
        if (i + 1 >= m_lessons->stepCount())
            return std::nullopt;
        return appStateForLessonStep(m_lessons->lesson().steps[std::size_t(i + 1)].state, s);
    }
    const int i = stepIndex(s.step);
    if (i + 1 >= int(kAllSteps.size()))
        return std::nullopt;
    AppState next = s;
    next.step = kAllSteps[std::size_t(i + 1)];
    return next;
}

void Presentation::refreshPreview()
{
    if (!m_presenter || !m_previewController)
        return;
    const std::optional<AppState> next = nextState();
    m_presenter->preview()->setVisible(next.has_value());
    if (!next) {
        m_presenter->showPreviewText(QString());
        return;
    }
    // What the next step will say, its first paragraph as plain text.
    QString text;
    if (m_lessons->isOpen()) {
        QTextDocument doc;
        doc.setMarkdown(QString::fromStdString(m_lessons->lesson().steps[std::size_t(m_lessons->stepIndex() + 1)].narration));
        text = doc.toPlainText().section(QLatin1Char('\n'), 0, 0, QString::SectionSkipEmpty).trimmed();
    } else {
        text = stepDescriptionText(next->step);
    }
    if (text.size() > 240)
        text = text.left(239) + QChar(0x2026);
    m_presenter->showPreviewText(text);
    const QString error = m_previewController->applyState(*next);
    if (!error.isEmpty())
        m_presenter->showPreviewText(tr("The next step cannot be shown: %1").arg(error));
    fillPreview();
}

void Presentation::fillPreview()
{
    if (!m_presenter || !m_previewStage || !m_presenter->preview()->isVisibleTo(m_presenter))
        return;
    HeatmapView *view = m_presenter->preview();
    m_previewStage->fillHeatmap(view);
    const AppState &s = m_previewController->state();
    view->setSelection(s.query, s.key);
    view->fitToView();
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
    case Qt::Key_R:
        reveal();
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
                                     Qt::Key_G, Qt::Key_L, Qt::Key_S, Qt::Key_R, Qt::Key_Escape, Qt::Key_Return, Qt::Key_Enter,
                                     Qt::Key_0, Qt::Key_1, Qt::Key_2, Qt::Key_3, Qt::Key_4, Qt::Key_5, Qt::Key_6,
                                     Qt::Key_7, Qt::Key_8, Qt::Key_9};
        if (keys.contains(key->key()))
            event->accept();
        return false;
    }
    return handleKey(key);
}

} // namespace attention
