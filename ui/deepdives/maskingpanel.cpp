#include "maskingpanel.h"

#include "colormap.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGraphicsLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <numeric>

namespace attention {

namespace {
constexpr int kMaxShownTokens = 32; // a grid a learner can read; longer text is cut to its first tokens
constexpr int kFinalOutput = -100;  // the measure combo's "final output" entry

QString quoted(const QString &s)
{
    return QStringLiteral("“%1”").arg(s);
}

QScrollArea *scrolled(QWidget *content, QWidget *parent)
{
    auto *area = new QScrollArea(parent);
    area->setWidget(content);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
}
} // namespace

// ----- DecodingGrid -----

DecodingGrid::DecodingGrid(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("decodingGrid"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setAccessibleName(tr("Cells each position may see"));
}

void DecodingGrid::setData(const QStringList &tokens, const DecodingStep &step)
{
    const bool resized = tokens.size() != m_tokens.size() || tokens != m_tokens;
    m_tokens = tokens;
    m_step = step;
    if (resized)
        updateGeometry();
    update();
}

bool DecodingGrid::cellShown(int i, int j) const
{
    return i >= 0 && j >= 0 && i < m_step.visible.rows() && j < m_step.visible.cols() && m_step.visible(i, j);
}

int DecodingGrid::shownCellCount() const
{
    return int(m_step.visible.count());
}

double DecodingGrid::labelWidth() const
{
    const QFontMetricsF fm(font());
    double w = fm.horizontalAdvance(QStringLiteral("M"));
    for (const QString &t : m_tokens)
        w = std::max(w, fm.horizontalAdvance(t));
    return std::min(w, fm.averageCharWidth() * 14) + fm.averageCharWidth() * 1.5;
}

double DecodingGrid::headerHeight() const
{
    return labelWidth(); // the column labels stand upright, as long as the row labels are wide
}

double DecodingGrid::cellSize() const
{
    const QFontMetricsF fm(font());
    const int n = std::max(1, tokenCount());
    // Small enough that a sentence of 12 tokens fits a dock of 360 px without scrolling sideways.
    const double least = fm.height() * 0.9;
    const double most = fm.horizontalAdvance(QStringLiteral("0.00")) + fm.averageCharWidth() * 1.5;
    const double fit = std::min((width() - labelWidth() - 4) / n, (height() - headerHeight() - 4) / n);
    return std::clamp(fit, least, std::max(least, most));
}

QSize DecodingGrid::sizeHint() const
{
    const QFontMetricsF fm(font());
    const int n = std::max(1, tokenCount());
    const double most = fm.horizontalAdvance(QStringLiteral("0.00")) + fm.averageCharWidth() * 1.5;
    return QSize(int(labelWidth() + n * most + 6), int(headerHeight() + n * most + 6));
}

QSize DecodingGrid::minimumSizeHint() const
{
    const QFontMetricsF fm(font());
    const int n = std::max(1, tokenCount());
    const double least = fm.height() * 0.9;
    return QSize(int(labelWidth() + n * least + 6), int(headerHeight() + n * least + 6));
}

QRectF DecodingGrid::cellRect(int i, int j) const
{
    const int n = tokenCount();
    if (i < 0 || j < 0 || i >= n || j >= n)
        return {};
    const double c = cellSize();
    return QRectF(labelWidth() + j * c, headerHeight() + i * c, c, c);
}

void DecodingGrid::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), palette().color(QPalette::Base));
    const int n = tokenCount();
    const int t = m_step.step;
    if (n == 0)
        return;
    const QFontMetricsF fm(font());
    const double c = cellSize();
    const double lw = labelWidth();
    const double hh = headerHeight();
    const QColor text = palette().color(QPalette::Text);
    // Labels: only the tokens that exist yet.
    for (int k = 0; k < t && k < n; ++k) {
        const QString label = fm.elidedText(m_tokens[k], Qt::ElideRight, lw - fm.averageCharWidth());
        QFont f = font();
        f.setBold(k == t - 1);
        p.setFont(f);
        p.setPen(k == t - 1 ? theme::query() : text);
        p.drawText(QRectF(0, hh + k * c, lw - fm.averageCharWidth() * 0.5, c),
                   Qt::AlignRight | Qt::AlignVCenter, label);
        p.save();
        p.translate(lw + k * c, hh - fm.averageCharWidth() * 0.5);
        p.rotate(-90);
        p.setPen(k == t - 1 ? theme::key() : text);
        p.drawText(QRectF(0, 0, hh - fm.averageCharWidth(), c), Qt::AlignLeft | Qt::AlignVCenter, label);
        p.restore();
    }
    p.setFont(font());
    // Cells: weights below the diagonal, the blocked future above it, nothing for rows not yet written.
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const QRectF r = cellRect(i, j).adjusted(1, 1, -1, -1);
            if (i >= t) {
                if (j <= i) {
                    p.setPen(QPen(palette().color(QPalette::Mid), 1, Qt::DotLine));
                    p.setBrush(Qt::NoBrush);
                    p.drawRect(r);
                }
                continue;
            }
            if (j > i) {
                p.setPen(Qt::NoPen);
                p.setBrush(theme::blocked());
                p.drawRect(r);
                p.setBrush(QBrush(theme::blockedText(), Qt::BDiagPattern));
                p.drawRect(r);
                continue;
            }
            const double w = m_step.weights(i, j);
            const QColor fill = viridis(w);
            p.setPen(Qt::NoPen);
            p.setBrush(fill);
            p.drawRect(r);
            if (i == t - 1) {
                const QString number = QString::number(w, 'f', 2).mid(w < 1 ? 1 : 0); // ".42", "1.00"
                // In small cells the numbers shrink (to three quarters of the text at most) rather than go.
                QFont small = font();
                const double room = r.width() - 2, needed = fm.horizontalAdvance(number);
                if (needed >= room)
                    small.setPointSizeF(font().pointSizeF() * std::max(0.75, room / needed * 0.95));
                if (QFontMetricsF(small).horizontalAdvance(number) < room) {
                    p.setFont(small);
                    p.setPen(textColorOn(fill));
                    p.drawText(r, Qt::AlignCenter, number);
                    p.setFont(font());
                }
            }
        }
    }
    if (t >= 1) {
        // The newest row: the token just written and what it may see.
        QRectF row(lw, hh + (t - 1) * c, t * c, c);
        p.setPen(QPen(theme::selection(), std::max(2.0, fm.height() / 9.0)));
        p.setBrush(Qt::NoBrush);
        p.drawRect(row.adjusted(1, 1, -1, -1));
    }
}

// ----- MaskingPanel -----

MaskingPanel::MaskingPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("maskingPanel"));
    auto *v = new QVBoxLayout(this);
    auto *title = new QLabel(tr("<b>Why mask?</b>"), this);
    v->addWidget(title);
    m_errorLabel = new QLabel(this);
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextFormat(Qt::PlainText);
    m_errorLabel->hide();
    v->addWidget(m_errorLabel);
    m_tabs = new QTabWidget(this);
    v->addWidget(m_tabs, 1);

    // (a) Decoding, one token at a time.
    auto *decoding = new QWidget;
    auto *dv = new QVBoxLayout(decoding);
    auto *intro =
        new QLabel(tr("A decoder writes one token at a time. Each new token may look at itself and the "
                      "tokens before it; the grey, hatched cells are the future, which the mask blocks."),
                   decoding);
    intro->setWordWrap(true);
    dv->addWidget(intro);
    auto *headRow = new QHBoxLayout;
    auto *headLabel = new QLabel(tr("Weights of"), decoding);
    m_headCombo = new QComboBox(decoding);
    m_headCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    headLabel->setBuddy(m_headCombo);
    headRow->addWidget(headLabel);
    headRow->addWidget(m_headCombo, 1);
    dv->addLayout(headRow);
    m_grid = new DecodingGrid;
    auto *gridArea = scrolled(m_grid, decoding);
    gridArea->setMinimumHeight(180);
    dv->addWidget(gridArea, 1);
    auto *buttons = new QHBoxLayout;
    m_back = new QPushButton(tr("◀ Back"), decoding);
    m_play = new QPushButton(tr("&Play"), decoding);
    m_next = new QPushButton(tr("Next ▶"), decoding);
    m_back->setAccessibleName(tr("Back one token"));
    m_next->setAccessibleName(tr("Next token"));
    m_play->setAccessibleName(tr("Play the decoding"));
    buttons->addWidget(m_back);
    buttons->addWidget(m_play);
    buttons->addWidget(m_next);
    buttons->addStretch(1);
    dv->addLayout(buttons);
    m_stepLabel = new QLabel(decoding);
    m_stepLabel->setWordWrap(true);
    m_stepLabel->setTextFormat(Qt::PlainText);
    // Room for the text wrapped to four lines in a narrow dock; the grid above gives way (it scrolls).
    m_stepLabel->setMinimumHeight(fontMetrics().lineSpacing() * 4 + 4);
    m_stepLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    dv->addWidget(m_stepLabel);
    // Not in a scroll area of its own: the grid scrolls, and the wrapped text keeps the height it needs.
    m_tabs->addTab(decoding, tr("Decoding"));

    m_timer = new QTimer(this);
    m_timer->setInterval(kPlayIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &MaskingPanel::playTick);
    connect(m_back, &QPushButton::clicked, this, [this] {
        m_timer->stop();
        m_play->setText(tr("&Play"));
        setStep(step() - 1);
    });
    connect(m_next, &QPushButton::clicked, this, [this] {
        m_timer->stop();
        m_play->setText(tr("&Play"));
        setStep(step() + 1);
    });
    connect(m_play, &QPushButton::clicked, this, &MaskingPanel::togglePlay);
    connect(m_headCombo, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
        if (!m_filling)
            setStep(step());
    });

    // (b) Cheating: change a later word, and compare the earlier outputs.
    auto *cheating = new QWidget;
    auto *cv = new QVBoxLayout(cheating);
    auto *cheatIntro = new QLabel(tr("Change one word and see how much the output of each position before it "
                                     "changes. With the mask, those positions never see the word."),
                                  cheating);
    cheatIntro->setWordWrap(true);
    cv->addWidget(cheatIntro);
    auto *form = new QFormLayout;
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_position = new QComboBox(cheating);
    m_position->setAccessibleName(tr("Token to change"));
    m_replacement = new QComboBox(cheating);
    m_replacement->setEditable(true);
    m_replacement->setInsertPolicy(QComboBox::NoInsert);
    m_replacement->setAccessibleName(tr("Replacement word"));
    m_measure = new QComboBox(cheating);
    m_measure->setAccessibleName(tr("Output compared"));
    m_mask = new QCheckBox(tr("Causal mask on"), cheating);
    m_mask->setChecked(true);
    form->addRow(tr("Change"), m_position);
    form->addRow(tr("to"), m_replacement);
    form->addRow(tr("Compare"), m_measure);
    form->addRow(m_mask);
    cv->addLayout(form);

    auto *chart = new QChart;
    chart->setTitle(tr("Change of each earlier output"));
    m_bars = new QBarSet(tr("change"));
    m_bars->setColor(theme::output());
    // Horizontal bars: each token's label reads in full, even in a narrow dock; the sentence runs downwards.
    auto *series = new QHorizontalBarSeries;
    series->append(m_bars);
    chart->addSeries(series);
    m_positionsAxis = new QBarCategoryAxis; // filled from the last position to the first: the first on top
    chart->addAxis(m_positionsAxis, Qt::AlignLeft);
    series->attachAxis(m_positionsAxis);
    m_changeAxis = new QValueAxis;
    m_changeAxis->setRange(0, 1);
    m_changeAxis->setTickCount(3);
    m_changeAxis->setLabelFormat(QStringLiteral("%.2f"));
    m_changeAxis->setTitleText(tr("change of the output (L2 norm)"));
    chart->addAxis(m_changeAxis, Qt::AlignBottom);
    series->attachAxis(m_changeAxis);
    chart->legend()->hide();
    m_chartView = new QChartView(chart, cheating);
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->layout()->setContentsMargins(0, 0, 0, 0);
    applyChartFont();
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(260);
    cv->addWidget(m_chartView, 1);
    m_summary = new QLabel(cheating);
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::PlainText);
    cv->addWidget(m_summary);
    m_tabs->addTab(scrolled(cheating, m_tabs), tr("Cheating"));

    connect(m_mask, &QCheckBox::toggled, this, &MaskingPanel::showCheating);
    connect(m_position, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
        if (m_filling)
            return;
        fillReplacements();
        runCheating();
    });
    connect(m_replacement, &QComboBox::currentTextChanged, this, [this] {
        if (!m_filling)
            runCheating();
    });
    connect(m_measure, QOverload<int>::of(&QComboBox::currentIndexChanged), this, [this] {
        if (!m_filling)
            runCheating();
    });
    updateDecoding();
}

void MaskingPanel::setInput(std::shared_ptr<const Model> model, const QString &sentence)
{
    const QString s = sentence.trimmed().isEmpty() ? QString::fromUtf8(defaultMaskingSentence()) : sentence;
    if (model == m_model && s == m_sentence && !m_dirty)
        return;
    m_model = std::move(model);
    m_sentence = s;
    m_dirty = true;
    if (isVisible())
        recompute();
}

void MaskingPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_dirty)
        recompute();
}

void MaskingPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_timer->stop();
    m_play->setText(tr("&Play"));
}

void MaskingPanel::recompute()
{
    m_dirty = false;
    m_error.clear();
    m_causal.reset();
    m_tokens.clear();
    m_tokenTexts.clear();
    m_cheating = CheatingResult();
    if (m_sentence.isEmpty())
        m_sentence = QString::fromUtf8(defaultMaskingSentence());
    if (!m_model) {
        m_error = tr("There is no model to run.");
    } else {
        m_tokens = tokenize(m_sentence.toStdString());
        int cap = kMaxShownTokens;
        if (m_model->positions.kind == PositionEncoding::Kind::Table && m_model->maxPositions() > 0)
            cap = std::min(cap, m_model->maxPositions());
        const bool cut = int(m_tokens.size()) > cap;
        if (cut)
            m_tokens.resize(std::size_t(cap));
        TraceOptions o;
        o.mask = MaskMode::Causal;
        TraceResult r = traceTokens(m_model, m_tokens, o);
        if (!r.ok()) {
            m_error = QString::fromStdString(r.error);
            m_tokens.clear();
        } else {
            m_causal = std::make_shared<AttentionTrace>(std::move(r.trace));
            for (const Token &t : m_tokens)
                m_tokenTexts << QString::fromStdString(t.text);
            if (cut)
                m_error = tr("Only the first %1 tokens are shown.").arg(cap);
        }
    }
    m_errorLabel->setText(m_error);
    m_errorLabel->setVisible(!m_error.isEmpty());
    fillHeadChoices();
    fillPositions();
    fillReplacements();
    setStep(m_wantedStep);
    runCheating();
}

void MaskingPanel::fillHeadChoices()
{
    m_filling = true;
    // Keep what was chosen when the new model has it too.
    const QVariant was = m_headCombo->currentIndex() >= 0 ? m_headCombo->currentData() : QVariant();
    const QVariant wasMeasure = m_measure->currentIndex() >= 0 ? m_measure->currentData() : QVariant();
    m_headCombo->clear();
    m_measure->clear();
    m_measure->addItem(tr("Final output (every layer)"), QPoint(kFinalOutput, -1));
    if (m_causal) {
        const int layers = int(m_causal->layers.size());
        for (int l = layers - 1; l >= 0; --l) {
            const int heads = int(m_causal->layers[std::size_t(l)].heads.size());
            if (heads > 1)
                m_headCombo->addItem(tr("Layer %1, average of heads").arg(l + 1), QPoint(l, -1));
            for (int h = 0; h < heads; ++h)
                m_headCombo->addItem(heads > 1 ? tr("Layer %1, head %2").arg(l + 1).arg(h + 1)
                                               : tr("Layer %1").arg(l + 1),
                                     QPoint(l, h));
        }
        for (int l = 0; l < layers; ++l) {
            const int heads = int(m_causal->layers[std::size_t(l)].heads.size());
            m_measure->addItem(tr("Layer %1 attention output").arg(l + 1), QPoint(l, -1));
            for (int h = 0; heads > 1 && h < heads; ++h)
                m_measure->addItem(tr("Layer %1, head %2 (weights·V)").arg(l + 1).arg(h + 1), QPoint(l, h));
        }
    }
    const int at = was.isValid() ? m_headCombo->findData(was) : -1;
    m_headCombo->setCurrentIndex(at >= 0 ? at : 0);
    const int atMeasure = wasMeasure.isValid() ? m_measure->findData(wasMeasure) : -1;
    m_measure->setCurrentIndex(atMeasure >= 0 ? atMeasure : 0);
    m_filling = false;
}

void MaskingPanel::fillPositions()
{
    m_filling = true;
    m_position->clear();
    for (int j = 1; j < int(m_tokens.size()); ++j)
        m_position->addItem(QStringLiteral("%1: %2").arg(j + 1).arg(m_tokenTexts[j]), j);
    const int j = defaultCheatingPosition(m_tokens);
    m_position->setCurrentIndex(j >= 1 ? j - 1 : -1);
    m_filling = false;
}

void MaskingPanel::fillReplacements()
{
    m_filling = true;
    m_replacement->clear();
    const int j = position();
    if (j >= 1 && j < int(m_tokens.size()))
        for (const std::string &w : replacementWords(m_tokens[std::size_t(j)].text))
            m_replacement->addItem(QString::fromStdString(w));
    m_replacement->setCurrentIndex(m_replacement->count() > 0 ? 0 : -1);
    m_filling = false;
}

std::vector<double> MaskingPanel::shownChanges() const
{
    std::vector<double> v;
    for (int i = m_bars->count() - 1; i >= 0; --i)
        v.push_back(m_bars->at(i));
    return v;
}

QStringList MaskingPanel::shownPositions() const
{
    QStringList c = m_positionsAxis->categories();
    std::reverse(c.begin(), c.end());
    return c;
}

int MaskingPanel::position() const
{
    return m_position->currentIndex() >= 0 ? m_position->currentData().toInt() : -1;
}

HeadChoice MaskingPanel::headChoice() const
{
    const QPoint p = m_headCombo->currentData().toPoint();
    return m_headCombo->currentIndex() >= 0 ? HeadChoice{p.x(), p.y()} : HeadChoice{};
}

CheatingOptions MaskingPanel::cheatingOptions() const
{
    CheatingOptions o;
    const QPoint p = m_measure->currentData().toPoint();
    if (m_measure->currentIndex() >= 0 && p.x() != kFinalOutput) {
        o.measure = CheatingMeasure::AttentionOutput;
        o.choice = HeadChoice{p.x(), p.y()};
    }
    return o;
}

void MaskingPanel::setStep(int t)
{
    m_wantedStep = std::max(1, t);
    if (!m_causal) {
        m_decoding = DecodingStep();
    } else {
        m_decoding = decodingStep(*m_causal, std::clamp(t, 1, m_causal->tokenCount()), headChoice());
        m_wantedStep = m_decoding.step;
    }
    updateDecoding();
}

void MaskingPanel::applyChartFont()
{
    // The chart's texts in the panel's font: they do not follow it by themselves (the window's zoom).
    for (QAbstractAxis *axis :
         {static_cast<QAbstractAxis *>(m_positionsAxis), static_cast<QAbstractAxis *>(m_changeAxis)}) {
        axis->setLabelsFont(font());
        axis->setTitleFont(font());
    }
    QFont bold = font();
    bold.setBold(true);
    m_chartView->chart()->setTitleFont(bold);
}

void MaskingPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange && m_chartView)
        applyChartFont();
}

bool MaskingPanel::isPlaying() const
{
    return m_timer->isActive();
}

void MaskingPanel::togglePlay()
{
    if (m_timer->isActive()) {
        m_timer->stop();
        m_play->setText(tr("&Play"));
        return;
    }
    if (!m_causal)
        return;
    if (step() >= tokenCount())
        setStep(1);
    m_play->setText(tr("&Pause"));
    m_timer->start();
}

void MaskingPanel::playTick()
{
    if (step() < tokenCount())
        setStep(step() + 1);
    if (step() >= tokenCount()) {
        m_timer->stop();
        m_play->setText(tr("&Play"));
    }
}

void MaskingPanel::updateDecoding()
{
    m_grid->setData(m_tokenTexts, m_decoding);
    const int t = m_decoding.step;
    const int n = tokenCount();
    m_back->setEnabled(t > 1);
    m_next->setEnabled(t < n);
    m_play->setEnabled(n > 1);
    if (t < 1 || t > n) {
        m_stepLabel->setText(m_error);
        return;
    }
    const QString newest = quoted(m_tokenTexts[t - 1]);
    QString text;
    if (t == 1) {
        text = tr("Step 1 of %1: %2 is written. It may look only at itself.").arg(n).arg(newest);
    } else {
        std::vector<int> order(static_cast<std::size_t>(t));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [this](int a, int b) {
            return m_decoding.newest[std::size_t(a)] > m_decoding.newest[std::size_t(b)];
        });
        QStringList top;
        for (int k = 0; k < std::min(3, t); ++k)
            top << QStringLiteral("%1 %2")
                       .arg(m_tokenTexts[order[std::size_t(k)]])
                       .arg(m_decoding.newest[std::size_t(order[std::size_t(k)])], 0, 'f', 2);
        text = tr("Step %1 of %2: %3 is written. It may look at %1 tokens; most weight to %4.")
                   .arg(t)
                   .arg(n)
                   .arg(newest, top.join(QStringLiteral(", ")));
    }
    text += QLatin1Char('\n') + tr("The rows above stay as they were: a later token cannot change them.");
    m_stepLabel->setText(text);
}

void MaskingPanel::runCheating()
{
    const int j = position();
    const QString word = m_replacement->currentText().trimmed();
    if (!m_causal || j < 1) {
        m_cheating = CheatingResult();
        m_cheating.error =
            m_error.isEmpty() ? tr("There is nothing to change.").toStdString() : m_error.toStdString();
    } else {
        m_cheating = cheatingExperiment(m_model, m_tokens, j, word.toStdString(), cheatingOptions());
    }
    showCheating();
}

void MaskingPanel::showCheating()
{
    m_bars->remove(0, m_bars->count());
    m_positionsAxis->clear();
    if (!m_cheating.ok()) {
        m_summary->setText(QString::fromStdString(m_cheating.error));
        return;
    }
    const bool masked = m_mask->isChecked();
    const std::vector<double> &values = masked ? m_cheating.causal : m_cheating.unmasked;
    QStringList categories;
    for (int i = 0; i < int(values.size()); ++i) {
        QString label = m_tokenTexts[i];
        if (categories.contains(label))
            label = QStringLiteral("%1 (%2)").arg(label).arg(i + 1); // categories must differ
        categories << label;
    }
    QStringList topDown = categories;
    std::reverse(topDown.begin(), topDown.end());
    m_positionsAxis->append(topDown);
    const QFontMetrics fm(font());
    m_chartView->setMinimumHeight(
        std::max(260, int(categories.size()) * (fm.height() + 6) + 6 * fm.height()));
    for (auto x = values.rbegin(); x != values.rend(); ++x)
        m_bars->append(*x);
    // One scale for both: with the mask on, the bars sit at 0 against the size they have without it.
    const double top = std::max(m_cheating.unmaskedMax, 1e-3) * 1.1;
    m_changeAxis->setRange(0, top);
    m_changeAxis->applyNiceNumbers();
    const QString from =
        quoted(QString::fromStdString(m_cheating.tokens[std::size_t(m_cheating.position)].text));
    const QString to =
        quoted(QString::fromStdString(m_cheating.changed[std::size_t(m_cheating.position)].text));
    if (m_cheating.unmaskedMax == 0) {
        m_summary->setText(tr("To this model %1 and %2 are the same vector, so nothing changes, mask or not. "
                              "Try another word.")
                               .arg(from, to));
    } else if (masked) {
        m_summary->setText(tr("Mask on: changing %1 to %2 moves no earlier output (largest change %3). "
                              "Those positions cannot see it, so a decoder can write them before it exists.")
                               .arg(from, to)
                               .arg(m_cheating.causalMax, 0, 'g', 2));
    } else {
        const int most = m_cheating.unmaskedArgMax;
        // Positions that change as much as the most, to the two decimals shown, share the first place.
        int tied = 0;
        for (double x : m_cheating.unmasked)
            tied += std::abs(x - m_cheating.unmaskedMax) < 0.005 ? 1 : 0;
        const QString who =
            tied > 1 ? tr("%n positions change most", nullptr, tied)
                     : tr("%1 changes most").arg(most >= 0 ? quoted(m_tokenTexts[most]) : QString());
        m_summary->setText(tr("Mask off: every earlier position reads %1 — %2 (%3). In training that is "
                              "cheating: a position could look at the words it should predict.")
                               .arg(to, who)
                               .arg(m_cheating.unmaskedMax, 0, 'f', 2));
    }
}

} // namespace attention
