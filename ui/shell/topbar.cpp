// The sentence, tokens and step bar: they show the controller's state and send every change back to it.
#include "topbar.h"

#include "meaning.h"

#include "labels.h"
#include "report.h"
#include "stagecontroller.h"
#include "stepnavigator.h"
#include "theme.h"
#include "tokenstrip.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

namespace attention {

namespace {
constexpr double kSentenceScale = 1.25; // the sentence is read from the back of a room
} // namespace

TopBar::TopBar(StageController *controller, QMenu *examples, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(4);

    auto *row = new QHBoxLayout;
    m_sentence = new QLineEdit(this);
    m_sentence->setObjectName(QStringLiteral("sentence"));
    m_sentence->setAccessibleName(tr("Sentence"));
    m_sentence->setPlaceholderText(
        tr("Type any sentence, for example: The animal didn't cross the street because it was too tired."));
    m_sentence->setClearButtonEnabled(true);
    m_sentence->setMaxLength(200000);
    m_sentence->setToolTip(tr("Everything below is recomputed as you type (Ctrl+L to come back here)"));
    // Undo and redo belong to the whole state, not to the field's own history: let the window's actions
    // have the keys.
    m_sentence->installEventFilter(this);
    // Text set from the state comes back here equal to it, which is no change.
    connect(m_sentence, &QLineEdit::textChanged, m_controller, &StageController::setSentence);
    m_examples = new QToolButton(this);
    m_examples->setText(tr("Examples"));
    m_examples->setAccessibleName(tr("Examples"));
    m_examples->setPopupMode(QToolButton::InstantPopup);
    m_examples->setObjectName(QStringLiteral("examplesButton"));
    m_examples->setMenu(examples);
    row->addWidget(m_sentence, 1);
    row->addWidget(m_examples);
    v->addLayout(row);

    m_tokens = new TokenStrip(this);
    m_tokens->setAccessibleName(tr("Tokens"));
    connect(m_tokens, &TokenStrip::tokenClicked, this,
            [this](int i) { m_controller->select(i, m_controller->state().key); });
    v->addWidget(m_tokens);

    m_navigator = new StepNavigator(this);
    m_navigator->setAccessibleName(tr("Steps"));
    connect(m_navigator, &StepNavigator::stepRequested, m_controller, &StageController::setStep);
    v->addWidget(m_navigator);

    m_bannerRow = new QWidget(this);
    m_bannerRow->setObjectName(QStringLiteral("bannerRow"));
    auto *bannerLayout = new QHBoxLayout(m_bannerRow);
    bannerLayout->setContentsMargins(0, 0, 0, 0);
    m_banner = new QLabel(m_bannerRow);
    m_banner->setObjectName(QStringLiteral("problemBanner"));
    m_banner->setTextFormat(Qt::PlainText); // the problem quotes model names and words from files
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #FDECEA; color: %1; border: 1px solid %1;"
                                           " border-radius: 4px; padding: 4px 8px; }")
                                .arg(theme::warning().name()));
    m_bannerAction = new QToolButton(m_bannerRow);
    m_bannerAction->setObjectName(QStringLiteral("bannerAction"));
    m_bannerAction->setText(tr("Use the didactic model for the whole text"));
    m_bannerAction->setAccessibleName(m_bannerAction->text());
    connect(m_bannerAction, &QToolButton::clicked, this, &TopBar::wholeTextRequested);
    bannerLayout->addWidget(m_banner, 1);
    bannerLayout->addWidget(m_bannerAction, 0, Qt::AlignTop);
    m_bannerRow->hide();
    v->addWidget(m_bannerRow);

    applyFonts();
    connect(m_controller, &StageController::traceChanged, this, &TopBar::showTrace);
    connect(m_controller, &StageController::updatingChanged, this, &TopBar::updateBanner);
    connect(m_controller, &StageController::stepChanged, this, &TopBar::showStep);
    connect(m_controller, &StageController::selectionChanged, this, &TopBar::showSelection);
    showTrace();
    showStep();
}

bool TopBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_sentence && event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo))
            return true; // not accepted: the shortcut goes to the Edit menu's Undo and Redo
    }
    return QWidget::eventFilter(watched, event);
}

void TopBar::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && !m_applyingFonts)
        applyFonts();
}

void TopBar::applyFonts()
{
    // Fonts set on a child stop following the window's zoom: derive them from ours again on every change.
    m_applyingFonts = true;
    QFont big = font();
    big.setPointSizeF(font().pointSizeF() * kSentenceScale);
    m_sentence->setFont(big);
    // A style sheet resolves a widget's font from the application's, not the zoomed window's: the
    // banner would be read smaller than the text around it.
    m_banner->setFont(font());
    m_bannerAction->setFont(font());
    m_applyingFonts = false;
}

void TopBar::showTrace()
{
    const AppState &s = m_controller->state();
    if (m_sentence->text() != s.sentence) {
        // Undo, an example or a lesson changed the text: show it, the cursor where it was if it still fits.
        // A field the person is typing in keeps its cursor; otherwise it goes to the end, where they go on.
        const bool typing = m_sentence->hasFocus();
        const int cursor = m_sentence->cursorPosition();
        m_sentence->setText(s.sentence);
        m_sentence->setCursorPosition(typing ? std::min(cursor, static_cast<int>(s.sentence.size()))
                                             : static_cast<int>(s.sentence.size()));
    }
    const AttentionTrace *trace = m_controller->trace();
    if (m_controller->isEmpty() || !trace) {
        m_tokens->setTokens({}, {}, {});
    } else {
        QVector<bool> known;
        for (bool k : trace->known)
            known << k;
        m_tokens->setTokens(
            toQStringList(tokenLabels(*trace)), known,
            tr("“%1” is not in the vocabulary of the %2 model, so it gets a made-up vector built from "
               "its spelling. Its attention means little.")
                .arg(QStringLiteral("%1"), QString::fromStdString(trace->model->name)));
        // How each token is known (trained, from WordNet, spelled out), from the trace itself.
        QStringList labels, explanations;
        QVector<bool> fromWordNet;
        for (std::size_t i = 0; i < trace->origins.size(); ++i) {
            const WordOrigin &o = trace->origins[i];
            labels << QString::fromStdString(originLabel(o));
            explanations << QString::fromStdString(
                originExplanation(o, trace->tokens[i].text, trace->model->name));
            fromWordNet << (o.source == WordSource::WordNet);
        }
        m_tokens->setOrigins(labels, explanations, fromWordNet);
    }
    m_navigator->setStepEnabled(Step::Scale, s.scale);
    m_navigator->setStepEnabled(Step::Mask, s.mask != MaskMode::None);
    showSelection();
    showStep();
    updateBanner();
}

void TopBar::showStep()
{
    m_navigator->setStep(m_controller->state().step);
}

void TopBar::showSelection()
{
    const AttentionTrace *trace = m_controller->trace();
    const int query = m_controller->state().query;
    m_tokens->setSelected(trace && query < trace->tokenCount() ? query : -1);
}

void TopBar::updateBanner()
{
    const QString problem = m_controller->problem();
    const AttentionTrace *trace = m_controller->trace();
    QString text;
    bool offerWhole = false;
    if (!problem.isEmpty()) {
        // With no earlier trace (a first text that fails) there is nothing still shown.
        text = trace ? tr("%1. The views still show the last text that worked.").arg(problem)
                     : tr("%1.").arg(problem);
    } else if (m_controller->truncatedFrom() > 0 && trace) {
        text = tr("The %1 model reads at most %2 tokens: the views show the first %2 of the %3 tokens typed.")
                   .arg(QString::fromStdString(trace->model->name))
                   .arg(trace->tokenCount())
                   .arg(m_controller->truncatedFrom());
        offerWhole = m_controller->state().model != QLatin1String("didactic");
    } else if (m_controller->isUpdating()) {
        text = trace ? tr("Updating: the views show the previous text until the new one is computed.")
                     : tr("Computing the attention of the text…");
    }
    m_banner->setText(text);
    m_bannerAction->setVisible(offerWhole);
    m_banner->setVisible(!text.isEmpty());
    m_bannerRow->setVisible(!text.isEmpty());
}

} // namespace attention
