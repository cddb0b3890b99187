// Lays out each step as "operands = result", and fills the panels from the trace.
#include "equationview.h"

#include "labels.h"
#include "matrixmodel.h"
#include "report.h"
#include "theme.h"
#include "stagecontroller.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

namespace attention {

namespace {

QStringList indexLabels(const QString &prefix, Eigen::Index count)
{
    QStringList out;
    for (Eigen::Index i = 0; i < count; ++i)
        out << prefix + QString::number(i);
    return out;
}

} // namespace

EquationView::EquationView(StageController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 4, 6, 4);

    // The Q, K, V step shows one projection at a time so it fits a projector; "All" shows the three.
    m_projectionBar = new QWidget(this);
    auto *bar = new QHBoxLayout(m_projectionBar);
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(new QLabel(tr("Show:"), m_projectionBar));
    m_projectionButtons = new QButtonGroup(this);
    const QList<QPair<QString, Projection>> choices = {{tr("Query Q"), Projection::Query},
                                                       {tr("Key K"), Projection::Key},
                                                       {tr("Value V"), Projection::Value},
                                                       {tr("All three"), Projection::All}};
    for (const auto &[label, p] : choices) {
        auto *b = new QToolButton(m_projectionBar);
        b->setText(label);
        b->setCheckable(true);
        b->setChecked(p == m_projection);
        b->setObjectName(QStringLiteral("projection-%1").arg(int(p)));
        m_projectionButtons->addButton(b, int(p));
        bar->addWidget(b);
    }
    bar->addStretch(1);
    connect(m_projectionButtons, &QButtonGroup::idClicked, this,
            [this](int id) { setProjection(static_cast<Projection>(id)); });
    outer->addWidget(m_projectionBar);

    m_equation = new QWidget(this);
    outer->addWidget(m_equation, 1);
    new QVBoxLayout(m_equation);

    makePanel(QStringLiteral("E"), MatrixRole::Input);
    makePanel(QStringLiteral("P"), MatrixRole::Input);
    makePanel(QStringLiteral("X"), MatrixRole::Input);
    makePanel(QStringLiteral("W_Q"), MatrixRole::Query);
    makePanel(QStringLiteral("W_K"), MatrixRole::Key);
    makePanel(QStringLiteral("W_V"), MatrixRole::Value);
    makePanel(QStringLiteral("Q"), MatrixRole::Query);
    makePanel(QStringLiteral("K"), MatrixRole::Key);
    makePanel(QStringLiteral("V"), MatrixRole::Value);
    makePanel(QStringLiteral("Kᵀ"), MatrixRole::Key);
    makePanel(QStringLiteral("Qᵀ"), MatrixRole::Query);
    makePanel(QStringLiteral("scores"), MatrixRole::Scores);
    makePanel(QStringLiteral("scaled"), MatrixRole::Scores);
    makePanel(QStringLiteral("mask"), MatrixRole::Scores);
    makePanel(QStringLiteral("masked"), MatrixRole::Scores);
    makePanel(QStringLiteral("weights"), MatrixRole::Weights);
    makePanel(QStringLiteral("output"), MatrixRole::Output);
    makePanel(QStringLiteral("concat"), MatrixRole::Output);
    makePanel(QStringLiteral("W_O"), MatrixRole::Weight);
    makePanel(QStringLiteral("attention output"), MatrixRole::Output);
    makePanel(QStringLiteral("layer output"), MatrixRole::Output);
}

MatrixPanel *EquationView::makePanel(const QString &name, MatrixRole role)
{
    auto *p = new MatrixPanel(name, role, this);
    p->hide();
    m_panels.insert(name, p);
    connect(p->view(), &MatrixView::cellActivated, this,
            [this, name](int row, int column) { emit cellActivated(name, row, column); });
    connect(p->view(), &MatrixView::cellHovered, this,
            [this, name](int row, int column) { emit cellHovered(name, row, column); });
    return p;
}

void EquationView::setPrecision(int decimals)
{
    m_precision = decimals;
    for (MatrixPanel *p : std::as_const(m_panels)) {
        p->model()->setPrecision(decimals);
        p->view()->fitCells();
    }
}

void EquationView::setProjection(Projection projection)
{
    m_projection = projection;
    if (auto *b = m_projectionButtons->button(int(projection)))
        b->setChecked(true);
    m_hasLayout = false;
    refresh();
}

void EquationView::addOperator(QHBoxLayout *row, const QString &text, const QString &toolTip)
{
    auto *label = new QLabel(text, m_equation);
    QFont f = label->font();
    f.setPointSizeF(f.pointSizeF() * 1.6);
    f.setBold(true);
    label->setFont(f);
    label->setToolTip(toolTip);
    label->setAlignment(Qt::AlignCenter);
    label->setObjectName(QStringLiteral("operator"));
    row->addWidget(label, 0, Qt::AlignVCenter);
    m_operators << label;
}

void EquationView::layOut(Step step)
{
    const AppState &s = m_controller->state();
    const AttentionTrace *trace = m_controller->trace();
    const bool positions = trace && trace->positionEmbeddings.size() > 0;
    // Everything that changes which panels and operators the equation has.
    const int key = stepIndex(step) * 1000 + int(m_projection) * 100 + (s.swapQK ? 1 : 0) +
                    (positions ? 2 : 0) + (s.scale ? 4 : 0) + (s.head < 0 ? 8 : 0) +
                    16 * m_controller->model().d_k;
    if (m_hasLayout && key == m_layoutKey)
        return;
    m_hasLayout = true;
    m_layoutKey = key;
    m_laidOut = step;

    // Take the old equation apart: panels are kept (hidden), operators and row widgets are deleted.
    for (MatrixPanel *p : std::as_const(m_panels)) {
        p->hide();
        p->setParent(this);
    }
    qDeleteAll(m_operators);
    m_operators.clear();
    delete m_equation->layout();
    qDeleteAll(m_equation->findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly));
    auto *rows = new QVBoxLayout(m_equation);
    rows->setContentsMargins(0, 0, 0, 0);
    m_visible.clear();
    m_result = nullptr;

    auto newRow = [&]() {
        auto *w = new QWidget(m_equation);
        auto *h = new QHBoxLayout(w);
        h->setContentsMargins(0, 0, 0, 0);
        h->setSpacing(6);
        rows->addWidget(w, 1);
        w->show(); // created after the view was shown, so it must be shown explicitly
        return h;
    };
    auto add = [&](QHBoxLayout *row, const QString &name) {
        MatrixPanel *p = m_panels.value(name);
        p->setParent(row->parentWidget());
        row->addWidget(p, 0);
        p->show();
        if (!m_visible.contains(p))
            m_visible << p;
    };

    // The result: named at the end of the equation, drawn large in the heatmap below.
    auto result = [&](QHBoxLayout *row, const QString &name) {
        m_result = m_panels.value(name);
        auto *label =
            new QLabel(tr("<b>%1</b><br>shown below ↓").arg(name.toHtmlEscaped()), row->parentWidget());
        label->setObjectName(QStringLiteral("resultName"));
        label->setAlignment(Qt::AlignCenter);
        QFont f = label->font();
        f.setPointSizeF(f.pointSizeF() * 1.2);
        label->setFont(f);
        label->setStyleSheet(
            QStringLiteral("color: %1")
                .arg(MatrixPanel::roleColor(name == QLatin1String("Q")   ? MatrixRole::Query
                                            : name == QLatin1String("K") ? MatrixRole::Key
                                            : name == QLatin1String("V") ? MatrixRole::Value
                                                                         : MatrixRole::Output)
                         .name()));
        row->addWidget(label, 0, Qt::AlignVCenter);
        m_operators << label;
    };

    m_projectionBar->setVisible(step == Step::QKV);
    QHBoxLayout *row = newRow();
    switch (step) {
    case Step::Embeddings:
        if (positions) {
            add(row, QStringLiteral("E"));
            addOperator(row, QStringLiteral("+"), tr("token embedding plus position embedding"));
            add(row, QStringLiteral("P"));
        } else {
            auto *note =
                new QLabel(tr("This model adds no position information:\nX is the token embeddings alone."),
                           row->parentWidget());
            row->addWidget(note, 0, Qt::AlignVCenter);
            m_operators << note;
        }
        addOperator(row, QStringLiteral("="));
        result(row, QStringLiteral("X"));
        break;
    case Step::QKV: {
        const QList<QPair<QString, QString>> all = {{QStringLiteral("W_Q"), QStringLiteral("Q")},
                                                    {QStringLiteral("W_K"), QStringLiteral("K")},
                                                    {QStringLiteral("W_V"), QStringLiteral("V")}};
        QList<QPair<QString, QString>> shown;
        if (m_projection == Projection::All)
            shown = all;
        else
            shown << all.at(int(m_projection));
        for (int i = 0; i < shown.size(); ++i) {
            if (i > 0)
                row = newRow();
            if (i == 0) {
                add(row, QStringLiteral("X"));
            } else {
                auto *spacer = new QLabel(QStringLiteral("X"), row->parentWidget());
                spacer->setToolTip(tr("the same X as above"));
                row->addWidget(spacer);
                m_operators << spacer;
            }
            if (s.head < 0) {
                // The average has no weight matrix of its own: each head projects with its own W.
                addOperator(row, tr("· %1 of each head,\nthen the mean =").arg(shown[i].first),
                            tr("choose a single head to see its weight matrix"));
            } else {
                addOperator(row, QStringLiteral("·"), tr("matrix product"));
                add(row, shown[i].first);
                addOperator(row, QStringLiteral("="));
            }
            if (shown.size() == 1)
                result(row, shown[i].second);
            else
                add(row, shown[i].second);
            row->addStretch(1);
        }
        break;
    }
    case Step::Scores:
        if (s.swapQK) {
            add(row, QStringLiteral("K"));
            addOperator(row, QStringLiteral("·"), tr("⚠ swapped: keys times queries"));
            add(row, QStringLiteral("Qᵀ"));
        } else {
            add(row, QStringLiteral("Q"));
            addOperator(row, QStringLiteral("·"), tr("every query times every key"));
            add(row, QStringLiteral("Kᵀ"));
        }
        addOperator(row, QStringLiteral("="));
        result(row, QStringLiteral("scores"));
        break;
    case Step::Scale: {
        add(row, QStringLiteral("scores"));
        // The divisor the trace used, not one worked out here from the model: the equation shows what was
        // computed.
        const HeadTrace *head = m_controller->headTrace();
        const double divisor = head ? head->divisor : 1.0;
        const int dk = m_controller->trace() ? m_controller->trace()->model->d_k : m_controller->model().d_k;
        const QString op = s.scale ? QStringLiteral("÷ √%1\n= ÷ %2").arg(dk).arg(divisor, 0, 'f', 2)
                                   : tr("÷ 1\n(scaling off)");
        addOperator(row, op, tr("divide every score by the square root of d_k"));
        addOperator(row, QStringLiteral("="));
        result(row, QStringLiteral("scaled"));
        break;
    }
    case Step::Mask:
        add(row, QStringLiteral("scaled"));
        addOperator(row, QStringLiteral("+"), tr("adding −∞ blocks a cell; adding 0 leaves it"));
        add(row, QStringLiteral("mask"));
        addOperator(row, QStringLiteral("="));
        result(row, QStringLiteral("masked"));
        break;
    case Step::Softmax:
        addOperator(row, QStringLiteral("softmax"), tr("applied to each row separately"));
        add(row, QStringLiteral("masked"));
        addOperator(row, QStringLiteral("="));
        result(row, QStringLiteral("weights"));
        break;
    case Step::WeightedSum:
        add(row, QStringLiteral("weights"));
        addOperator(row, QStringLiteral("·"), tr("each output row mixes the value rows by the weights"));
        add(row, QStringLiteral("V"));
        addOperator(row, QStringLiteral("="));
        result(row, QStringLiteral("output"));
        break;
    case Step::Output:
        add(row, QStringLiteral("concat"));
        addOperator(row, QStringLiteral("·"), tr("the output projection mixes the heads"));
        add(row, QStringLiteral("W_O"));
        addOperator(row, QStringLiteral("="));
        result(row, QStringLiteral("attention output"));
        break;
    }
    if (step == Step::QKV && m_projection == Projection::All)
        m_result = m_panels.value(QStringLiteral("Q"));
    if (step != Step::QKV)
        row->addStretch(1);
    rows->addStretch(0);
}

void EquationView::fillMatrices()
{
    const AttentionTrace *trace = m_controller->trace();
    const LayerTrace *layer = m_controller->layerTrace();
    const HeadTrace *head = m_controller->headTrace();
    if (!trace || !layer || !head)
        return;
    const Model &model = *trace->model;
    const AppState &s = m_controller->state();
    const LayerWeights &lw = model.layers[static_cast<std::size_t>(s.layer)];
    // With the average of heads there is no single head's weights to show (head -1).
    const HeadWeights *hw = s.head >= 0 ? &lw.heads[static_cast<std::size_t>(s.head)] : nullptr;
    const QStringList tokens = toQStringList(tokenLabels(*trace));
    const QStringList features = toQStringList(featureLabels(model));
    // Columns of Q, K and V are numbered q0…, k0…, v0… so each matrix says what it is.
    const QStringList qk = indexLabels(QStringLiteral("q"), model.d_k);
    const QStringList dk = indexLabels(QStringLiteral("k"), model.d_k);
    const QStringList dv = indexLabels(QStringLiteral("v"), model.d_k);
    const QStringList concatLabels = indexLabels(QStringLiteral("c"), layer->concat.cols());

    // Fill only what the current step shows: a keystroke then costs a few small models, not twenty.
    auto fill = [&](const QString &name, const Eigen::MatrixXd &m, const QStringList &rows,
                    const QStringList &cols, const QColor &rowColor, const QColor &colColor) {
        MatrixPanel *p = m_panels.value(name);
        if (!m_visible.contains(p) && p != m_result)
            return;
        p->model()->setLabelColors(rowColor, colColor);
        p->setMatrix(m, rows, cols);
    };
    const QColor none;
    const QColor q = theme::query(), k = theme::key(), v = theme::value();
    fill(QStringLiteral("E"), trace->tokenEmbeddings, tokens, features, none, none);
    if (trace->positionEmbeddings.size() > 0)
        fill(QStringLiteral("P"), trace->positionEmbeddings, tokens, features, none, none);
    fill(QStringLiteral("X"), layer->input, tokens, features, none, none);
    if (hw) {
        fill(QStringLiteral("W_Q"), hw->W_Q, features, qk, none, q);
        fill(QStringLiteral("W_K"), hw->W_K, features, dk, none, k);
        fill(QStringLiteral("W_V"), hw->W_V, features, dv, none, v);
    }
    fill(QStringLiteral("Q"), head->Q, tokens, qk, q, q);
    fill(QStringLiteral("K"), head->K, tokens, dk, k, k);
    fill(QStringLiteral("V"), head->V, tokens, dv, v, v);
    fill(QStringLiteral("Kᵀ"), head->K.transpose(), dk, tokens, k, k);
    fill(QStringLiteral("Qᵀ"), head->Q.transpose(), qk, tokens, q, q);
    // With the swap, row i of the scores belongs to key i: the labels say so.
    const QColor rowRole = s.swapQK ? k : q;
    const QColor colRole = s.swapQK ? q : k;
    fill(QStringLiteral("scores"), head->scores, tokens, tokens, rowRole, colRole);
    fill(QStringLiteral("scaled"), head->scaled, tokens, tokens, rowRole, colRole);
    fill(QStringLiteral("mask"), additiveMask(trace->blocked), tokens, tokens, q, k);
    fill(QStringLiteral("masked"), head->masked, tokens, tokens, rowRole, colRole);
    fill(QStringLiteral("weights"), head->weights, tokens, tokens, q, k);
    fill(QStringLiteral("output"), head->output, tokens, dv, theme::output(), v);
    fill(QStringLiteral("concat"), layer->concat, tokens, concatLabels, theme::output(), none);
    fill(QStringLiteral("W_O"),
         lw.W_O.size() > 0 ? lw.W_O
                           : Eigen::MatrixXd(Eigen::MatrixXd::Identity(layer->concat.cols(), model.d_model)),
         concatLabels, features, none, none);
    m_panels.value(QStringLiteral("W_O"))
        ->setSubtitle(lw.W_O.size() > 0 ? QString() : tr("identity: this model has no W_O"));
    fill(QStringLiteral("attention output"), layer->attentionOutput, tokens, features, theme::output(), none);
    fill(QStringLiteral("layer output"), layer->output, tokens, features, theme::output(), none);
}

void EquationView::updateHighlights()
{
    const AppState &s = m_controller->state();
    for (MatrixPanel *p : std::as_const(m_visible)) {
        const QString n = p->name();
        const bool square = n == QLatin1String("scores") || n == QLatin1String("scaled") ||
                            n == QLatin1String("mask") || n == QLatin1String("masked") ||
                            n == QLatin1String("weights");
        const bool tokenRows = n != QLatin1String("W_Q") && n != QLatin1String("W_K") &&
                               n != QLatin1String("W_V") && n != QLatin1String("W_O") &&
                               n != QLatin1String("Kᵀ") && n != QLatin1String("Qᵀ");
        int row = -1;
        int column = -1;
        if (square) {
            row = s.query;
            column = s.key;
        } else if (n == QLatin1String("Kᵀ") || n == QLatin1String("Qᵀ")) {
            column = s.key; // the key's column in Kᵀ makes the selected score
        } else if ((n == QLatin1String("K") && !s.swapQK) || (n == QLatin1String("V"))) {
            row = s.key >= 0 ? s.key : -1;
        } else if (tokenRows) {
            row = s.query;
        }
        p->view()->setHighlight(row, column);
    }
}

void EquationView::refresh()
{
    layOut(m_controller->state().step);
    fillMatrices();
    updateHighlights();
}

} // namespace attention
