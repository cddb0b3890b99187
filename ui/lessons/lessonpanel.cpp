// The lesson panel: narration, position and the question, answered against the trace on screen.
#include "lessonpanel.h"

#include "lessonplayer.h"
#include "stagecontroller.h"
#include "theme.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTextDocument>
#include <QUrl>
#include <QVBoxLayout>

namespace attention {

LessonText::LessonText(QWidget *parent) : QTextBrowser(parent)
{
    setOpenLinks(false);
    setOpenExternalLinks(false);
    setFrameShape(QFrame::NoFrame);
}

void LessonText::showMarkdown(const QString &markdown)
{
    // GitHub's dialect without its HTML: a lesson's text is text, never markup that could load files.
    document()->setMarkdown(markdown, QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub |
                                                                       QTextDocument::MarkdownNoHTML));
}

QVariant LessonText::loadResource(int type, const QUrl &name)
{
    // Images beside the lesson only: a relative path inside its folder, read as an image and nothing else.
    if (type != QTextDocument::ImageResource || m_folder.isEmpty() || !name.isRelative() || !name.scheme().isEmpty())
        return QVariant();
    const QString path = QDir::cleanPath(QDir(m_folder).filePath(name.path()));
    if (!path.startsWith(QDir::cleanPath(m_folder) + QLatin1Char('/')) || !QFileInfo(path).isFile() ||
        QFileInfo(path).size() > 16 * 1024 * 1024)
        return QVariant();
    QImageReader reader(path);
    reader.setAllocationLimit(256);
    const QImage image = reader.read();
    return image.isNull() ? QVariant() : QVariant(image);
}

LessonPanel::LessonPanel(LessonPlayer *player, StageController *controller, QWidget *parent)
    : QWidget(parent), m_player(player), m_controller(controller)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(6, 6, 6, 6);
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_position = new QLabel(this);
    m_position->setWordWrap(true);
    m_position->setTextFormat(Qt::PlainText);
    m_steps = new QComboBox(this);
    m_steps->setAccessibleName(tr("Lesson steps"));
    m_steps->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_steps->setMinimumContentsLength(12);
    connect(m_steps, qOverload<int>(&QComboBox::activated), m_player, &LessonPlayer::goTo);
    m_narration = new LessonText(this);
    m_narration->setAccessibleName(tr("Lesson text"));
    v->addWidget(m_title);
    v->addWidget(m_position);
    v->addWidget(m_steps);
    v->addWidget(m_narration, 3);

    m_questionBox = new QWidget(this);
    m_questionLayout = new QVBoxLayout(m_questionBox);
    m_questionLayout->setContentsMargins(0, 0, 0, 0);
    m_questionText = new LessonText(m_questionBox);
    m_questionText->setAccessibleName(tr("Question"));
    m_questionText->setMaximumHeight(120);
    m_questionLayout->addWidget(m_questionText);
    m_optionsBox = new QWidget(m_questionBox);
    new QGridLayout(m_optionsBox);
    m_optionsBox->layout()->setContentsMargins(0, 0, 0, 0);
    m_questionLayout->addWidget(m_optionsBox);
    m_number = new QLineEdit(m_questionBox);
    m_number->setPlaceholderText(tr("Your answer, e.g. 0.25"));
    m_number->setAccessibleName(tr("Your answer"));
    m_questionLayout->addWidget(m_number);
    m_check = new QPushButton(tr("Check"), m_questionBox);
    m_check->setAccessibleName(tr("Check the answer"));
    m_questionLayout->addWidget(m_check);
    m_feedback = new QLabel(m_questionBox);
    m_feedback->setWordWrap(true);
    m_feedback->setTextFormat(Qt::PlainText);
    m_questionLayout->addWidget(m_feedback);
    v->addWidget(m_questionBox, 2);
    connect(m_check, &QPushButton::clicked, this, [this] { check(); });
    connect(m_number, &QLineEdit::returnPressed, this, [this] { check(); });

    auto *buttons = new QHBoxLayout;
    m_previous = new QPushButton(tr("◀ Back"), this);
    m_previous->setAccessibleName(tr("Previous lesson step"));
    m_next = new QPushButton(tr("Next ▶"), this);
    m_next->setAccessibleName(tr("Next lesson step"));
    buttons->addWidget(m_previous);
    buttons->addStretch(1);
    buttons->addWidget(m_next);
    v->addLayout(buttons);
    connect(m_previous, &QPushButton::clicked, m_player, &LessonPlayer::previous);
    connect(m_next, &QPushButton::clicked, m_player, &LessonPlayer::next);

    connect(m_player, &LessonPlayer::lessonChanged, this, &LessonPanel::showStep);
    connect(m_player, &LessonPlayer::stepChanged, this, &LessonPanel::showStep);
    connect(m_player, &LessonPlayer::lessonChanged, this, &LessonPanel::fillStepList);
    connect(m_player, &LessonPlayer::progressChanged, this, &LessonPanel::fillStepList);
    connect(m_player, &LessonPlayer::progressChanged, this, [this] {
        const LessonPlayer &p = *m_player;
        if (p.isOpen())
            m_position->setText(tr("Step %1 of %2%3")
                                    .arg(p.stepIndex() + 1)
                                    .arg(p.stepCount())
                                    .arg(p.isDone(p.stepIndex()) ? tr(" · done") : QString()));
    });
    showStep();
}

QList<QAbstractButton *> LessonPanel::answerButtons() const
{
    return m_options ? m_options->buttons() : QList<QAbstractButton *>();
}

void LessonPanel::fillStepList()
{
    const QSignalBlocker block(m_steps);
    m_steps->clear();
    for (int i = 0; i < m_player->stepCount(); ++i) {
        const LessonStep &step = m_player->lesson().steps[static_cast<std::size_t>(i)];
        const QString title = step.title.empty() ? QString::fromStdString(stepTitle(step.state.step))
                                                 : QString::fromStdString(step.title);
        m_steps->addItem(QStringLiteral("%1 %2. %3").arg(m_player->isDone(i) ? QStringLiteral("✓") : QStringLiteral("  "))
                             .arg(i + 1)
                             .arg(title));
    }
    m_steps->setCurrentIndex(m_player->stepIndex());
    m_steps->setVisible(m_player->isOpen());
}

void LessonPanel::showStep()
{
    {
        const QSignalBlocker block(m_steps);
        if (m_player->stepIndex() < m_steps->count())
            m_steps->setCurrentIndex(m_player->stepIndex());
    }
    const LessonStep *step = m_player->currentStep();
    m_answered = false;
    if (!step) {
        m_title->setText(tr("No lesson open"));
        m_position->setText(tr("Open one from the Lessons menu."));
        m_narration->showMarkdown(QString());
        m_questionBox->hide();
        m_previous->setEnabled(false);
        m_next->setEnabled(false);
        emit resultHidden(false, QString());
        return;
    }
    const QString path = m_player->path();
    const QString folder = path.startsWith(QLatin1String(":/")) ? QString() : QFileInfo(path).absolutePath();
    m_narration->setLessonFolder(folder);
    m_questionText->setLessonFolder(folder);
    m_title->setText(QString::fromStdString(m_player->lesson().title));
    const QString stepTitle = QString::fromStdString(step->title);
    m_position->setText(tr("Step %1 of %2%3%4")
                            .arg(m_player->stepIndex() + 1)
                            .arg(m_player->stepCount())
                            .arg(stepTitle.isEmpty() ? QString() : QStringLiteral(" · ") + stepTitle)
                            .arg(m_player->isDone(m_player->stepIndex()) ? tr(" · done") : QString()));
    m_narration->showMarkdown(QString::fromStdString(step->narration));
    m_previous->setEnabled(m_player->stepIndex() > 0);
    m_next->setEnabled(m_player->stepIndex() + 1 < m_player->stepCount());
    buildQuestion();
}

void LessonPanel::buildQuestion()
{
    const LessonStep *step = m_player->currentStep();
    delete m_options;
    m_options = nullptr;
    qDeleteAll(m_optionsBox->findChildren<QAbstractButton *>(QString(), Qt::FindDirectChildrenOnly));
    m_feedback->clear();
    m_number->clear();
    const LessonQuestion &q = step->question;
    m_questionBox->setVisible(q.kind != QuestionKind::None);
    if (q.kind == QuestionKind::None) {
        emit resultHidden(false, QString());
        return;
    }
    m_questionText->showMarkdown(QString::fromStdString(q.text));
    m_number->setVisible(q.kind == QuestionKind::Number);
    m_check->setVisible(q.kind != QuestionKind::Click);
    auto *grid = static_cast<QGridLayout *>(m_optionsBox->layout());
    m_options = new QButtonGroup(this);
    if (q.kind == QuestionKind::Choice) {
        const bool several = std::count(q.correct.begin(), q.correct.end(), true) > 1;
        m_options->setExclusive(!several);
        for (std::size_t i = 0; i < q.options.size(); ++i) {
            QAbstractButton *b = several ? static_cast<QAbstractButton *>(new QCheckBox(m_optionsBox))
                                         : static_cast<QAbstractButton *>(new QRadioButton(m_optionsBox));
            b->setText(QString::fromStdString(q.options[i]));
            b->setAccessibleName(b->text());
            m_options->addButton(b, static_cast<int>(i));
            grid->addWidget(b, static_cast<int>(i), 0);
        }
    } else if (q.kind == QuestionKind::Click) {
        // Predict, then reveal: one button per token, and the result stays hidden until one is chosen.
        const AttentionTrace *trace = m_controller->trace();
        const int n = trace ? trace->tokenCount() : 0;
        for (int i = 0; i < n; ++i) {
            auto *b = new QPushButton(QString::fromStdString(trace->tokens[std::size_t(i)].text), m_optionsBox);
            b->setAccessibleName(tr("Answer: %1").arg(b->text()));
            m_options->addButton(b, i);
            grid->addWidget(b, i / 4, i % 4);
        }
        connect(m_options, &QButtonGroup::idClicked, this, [this](int id) { check(id); });
        emit resultHidden(true, tr("Answer the question in the lesson panel to see the weights."));
        return;
    }
    emit resultHidden(false, QString());
}

void LessonPanel::check(int clicked)
{
    const LessonStep *step = m_player->currentStep();
    const AttentionTrace *trace = m_controller->trace();
    if (!step || !trace)
        return;
    const LessonQuestion &q = step->question;
    std::string error;
    const auto name = [trace](int i) { return QStringLiteral("“%1”").arg(QString::fromStdString(trace->tokens[std::size_t(i)].text)); };
    if (q.kind == QuestionKind::Choice) {
        bool right = true, any = false;
        QStringList rightOnes;
        for (std::size_t i = 0; i < q.options.size(); ++i) {
            const bool chosen = m_options->button(static_cast<int>(i))->isChecked();
            any = any || chosen;
            right = right && chosen == q.correct[i];
            if (q.correct[i])
                rightOnes << QString::fromStdString(q.options[i]);
        }
        if (!any) {
            m_feedback->setText(tr("Choose an answer first."));
            return;
        }
        answer(right, right ? tr("Right.") : tr("Not quite. The answer: %1.").arg(rightOnes.join(QStringLiteral("; "))));
    } else if (q.kind == QuestionKind::Click) {
        const int best = clickAnswer(*step, *trace, &error);
        if (best < 0) {
            m_feedback->setText(QString::fromStdString(error));
            return;
        }
        const int query = findToken(trace->tokens, step->state.query, &error);
        const Eigen::MatrixXd w = lessonWeights(*trace, step->state);
        const bool right = clicked == best || (query >= 0 && std::abs(w(query, clicked) - w(query, best)) < 1e-12);
        const QString fact = tr("%1 gives %2 the weight %3; %4 gets %5.")
                                 .arg(name(query), name(best), QString::number(w(query, best), 'f', 2), name(clicked),
                                      QString::number(w(query, clicked), 'f', 2));
        answer(right, (right ? tr("Right. ") : tr("Not this time. ")) + fact);
        emit resultHidden(false, QString());
    } else if (q.kind == QuestionKind::Number) {
        const std::optional<double> expected = numberAnswer(*step, *trace, &error);
        if (!expected) {
            m_feedback->setText(QString::fromStdString(error));
            return;
        }
        bool readable = false;
        const bool right = numberMatches(m_number->text().toStdString(), *expected, q.tolerance, &readable);
        if (!readable) {
            m_feedback->setText(tr("Type a number, such as 0.25."));
            return;
        }
        const QString worked = tr("%1 is %2 on this screen (within %3 counts as right).")
                                   .arg(QString::fromStdString(q.answer), QString::number(*expected, 'f', 4),
                                        QString::number(q.tolerance));
        answer(right, (right ? tr("Right. ") : tr("Not quite. ")) + worked);
    }
}

void LessonPanel::answer(bool right, const QString &text)
{
    m_answered = true;
    QString shown = text;
    if (const LessonStep *step = m_player->currentStep(); step && !step->question.explanation.empty()) {
        QTextDocument doc;
        doc.setMarkdown(QString::fromStdString(step->question.explanation),
                        QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub | QTextDocument::MarkdownNoHTML));
        shown += QLatin1Char('\n') + doc.toPlainText();
    }
    m_feedback->setText(shown);
    QPalette p = m_feedback->palette();
    p.setColor(QPalette::WindowText, right ? QColor(27, 120, 55) : theme::warning());
    m_feedback->setPalette(p);
    if (right)
        m_player->markDone(m_player->stepIndex());
}

QString roomQuestion(const LessonStep &step)
{
    const LessonQuestion &q = step.question;
    if (q.kind == QuestionKind::None)
        return QString();
    QString md = QString::fromStdString(q.text);
    if (q.kind == QuestionKind::Choice) {
        // A paragraph per option: Markdown would run lines of "A. …" together.
        for (std::size_t i = 0; i < q.options.size(); ++i)
            md += QStringLiteral("\n\n%1. %2").arg(QChar('A' + int(i % 26))).arg(QString::fromStdString(q.options[i]));
    }
    return md;
}

QString roomAnswer(const LessonStep &step, const AttentionTrace &trace)
{
    const LessonQuestion &q = step.question;
    std::string error;
    const auto name = [&trace](int i) {
        return QStringLiteral("“%1”").arg(QString::fromStdString(trace.tokens[std::size_t(i)].text));
    };
    QString text;
    switch (q.kind) {
    case QuestionKind::None:
        return QString();
    case QuestionKind::Choice: {
        QStringList right;
        for (std::size_t i = 0; i < q.options.size(); ++i)
            if (q.correct[i])
                right << QStringLiteral("%1. %2").arg(QChar('A' + int(i % 26))).arg(QString::fromStdString(q.options[i]));
        text = LessonPanel::tr("The answer: %1.").arg(right.join(QStringLiteral("; ")));
        break;
    }
    case QuestionKind::Click: {
        const int best = clickAnswer(step, trace, &error);
        const int query = findToken(trace.tokens, step.state.query, &error);
        if (best < 0 || query < 0)
            return QString::fromStdString(error);
        const Eigen::MatrixXd w = lessonWeights(trace, step.state);
        text = LessonPanel::tr("%1 attends most to %2: a weight of %3.")
                   .arg(name(query), name(best), QString::number(w(query, best), 'f', 2));
        break;
    }
    case QuestionKind::Number: {
        const std::optional<double> expected = numberAnswer(step, trace, &error);
        if (!expected)
            return QString::fromStdString(error);
        text = LessonPanel::tr("%1 is %2 on this screen.")
                   .arg(QString::fromStdString(q.answer), QString::number(*expected, 'f', 4));
        break;
    }
    }
    if (!q.explanation.empty()) {
        QTextDocument doc;
        doc.setMarkdown(QString::fromStdString(q.explanation),
                        QTextDocument::MarkdownFeatures(QTextDocument::MarkdownDialectGitHub | QTextDocument::MarkdownNoHTML));
        text += QLatin1Char('\n') + doc.toPlainText();
    }
    return text;
}

} // namespace attention
