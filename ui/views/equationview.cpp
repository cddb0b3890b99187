// Lays out each step as "operands = result", and fills the panels from the trace.
#include "equationview.h"

#include "labels.h"
#include "matrixmodel.h"
#include "report.h"
#include "stagecontroller.h"
#include "theme.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QTextDocument>
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

MatrixRole roleOf(MatrixId id)
{
    switch (id) {
    case MatrixId::E:
    case MatrixId::P:
    case MatrixId::X:
        return MatrixRole::Input;
    case MatrixId::W_Q:
    case MatrixId::Q:
    case MatrixId::QT:
        return MatrixRole::Query;
    case MatrixId::W_K:
    case MatrixId::K:
    case MatrixId::KT:
        return MatrixRole::Key;
    case MatrixId::W_V:
    case MatrixId::V:
        return MatrixRole::Value;
    case MatrixId::Scores:
    case MatrixId::Scaled:
    case MatrixId::Mask:
    case MatrixId::Masked:
        return MatrixRole::Scores;
    case MatrixId::Weights:
        return MatrixRole::Weights;
    case MatrixId::Output:
    case MatrixId::Concat:
    case MatrixId::AttentionOutput:
    case MatrixId::LayerOutput:
        return MatrixRole::Output;
    case MatrixId::W_O:
        return MatrixRole::Weight;
    }
    return MatrixRole::Input;
}

// One head's own matrix `id` (a per-head matrix); empty for the others.
Eigen::MatrixXd headMatrix(const HeadTrace &head, MatrixId id)
{
    switch (id) {
    case MatrixId::Q:
        return head.Q;
    case MatrixId::K:
        return head.K;
    case MatrixId::V:
        return head.V;
    case MatrixId::KT:
        return head.K.transpose();
    case MatrixId::QT:
        return head.Q.transpose();
    case MatrixId::Scores:
        return head.scores;
    case MatrixId::Scaled:
        return head.scaled;
    case MatrixId::Masked:
        return head.masked;
    case MatrixId::Weights:
        return head.weights;
    case MatrixId::Output:
        return head.output;
    default:
        return {};
    }
}

// The matrix each head computes at a step, of which the average of heads shows the mean.
MatrixId perHeadResult(Step step)
{
    switch (step) {
    case Step::Scores:
        return MatrixId::Scores;
    case Step::Scale:
        return MatrixId::Scaled;
    case Step::Mask:
        return MatrixId::Masked;
    case Step::Softmax:
        return MatrixId::Weights;
    case Step::WeightedSum:
        return MatrixId::Output;
    default:
        return MatrixId::Q; // the Q, K, V step picks its projection itself
    }
}

// The picture of the whole equation (renderWhole), in pixels.
constexpr int kWholeMargin = 8;  // around the picture
constexpr int kWholeSpacing = 6; // between the things of a row, and between rows (as the layouts)
constexpr int kPanelPadding = 4; // inside a panel, around its title and table (as its layout's margins)

// The title label of a panel: its only direct QLabel child.
QLabel *titleOf(const MatrixPanel *panel)
{
    return panel->findChild<QLabel *>(QString(), Qt::FindDirectChildrenOnly);
}

// How a panel is drawn whole: the sizes its view uses on screen, every row and column.
struct PanelMetrics
{
    int rows = 0, columns = 0;
    int cellWidth = 0, cellHeight = 0;
    int rowHeaderWidth = 0, columnHeaderHeight = 0;
    QSize title;

    QSize box() const
    {
        const int table = rowHeaderWidth + columns * cellWidth + 1;
        return {std::max(title.width(), table) + 2 * kPanelPadding,
                kPanelPadding + title.height() + 2 + columnHeaderHeight + rows * cellHeight + 1 +
                    kPanelPadding};
    }
    // The top left of cell (0, 0) in the box.
    QPoint cellOrigin() const
    {
        return {kPanelPadding + rowHeaderWidth, kPanelPadding + title.height() + 2 + columnHeaderHeight};
    }
};

PanelMetrics metricsOf(const MatrixPanel *panel)
{
    PanelMetrics m;
    const MatrixModel *model = panel->model();
    const MatrixView *view = panel->view();
    m.rows = model->rowCount();
    m.columns = model->columnCount();
    m.cellWidth = view->horizontalHeader()->defaultSectionSize();
    m.cellHeight = view->verticalHeader()->defaultSectionSize();
    const QFontMetrics header(view->verticalHeader()->font());
    int labels = 0;
    for (int r = 0; r < m.rows; ++r)
        labels = std::max(labels, header.horizontalAdvance(model->headerData(r, Qt::Vertical).toString()));
    m.rowHeaderWidth = labels + 10;
    m.columnHeaderHeight = QFontMetrics(view->horizontalHeader()->font()).height() + 8;
    if (const QLabel *title = titleOf(panel)) {
        QTextDocument doc;
        doc.setDocumentMargin(0);
        doc.setDefaultFont(title->font());
        doc.setHtml(title->text());
        m.title = QSize(int(std::ceil(doc.idealWidth())), int(std::ceil(doc.size().height())));
    }
    return m;
}

QSize labelSize(const QLabel *label)
{
    const QFontMetrics fm(label->font());
    return fm.boundingRect(QRect(0, 0, 100000, 100000), Qt::AlignCenter, label->text()).size() + QSize(4, 4);
}

void drawPanel(QPainter *painter, const MatrixPanel *panel, const QRect &box)
{
    const PanelMetrics m = metricsOf(panel);
    const MatrixModel *model = panel->model();
    const MatrixView *view = panel->view();
    painter->save();
    painter->translate(box.topLeft());
    if (const QLabel *title = titleOf(panel)) {
        QTextDocument doc;
        doc.setDocumentMargin(0);
        doc.setDefaultFont(title->font());
        doc.setHtml(title->text());
        painter->save();
        painter->translate(kPanelPadding, kPanelPadding);
        doc.drawContents(painter);
        painter->restore();
    }
    const QPoint origin = m.cellOrigin();
    const QColor text = panel->palette().color(QPalette::WindowText);
    auto labelPen = [&](Qt::Orientation o, int section) {
        const QVariant c = model->headerData(section, o, Qt::ForegroundRole);
        return c.isValid() ? c.value<QBrush>().color() : text;
    };
    // Column labels above, row labels to the left, as the view's headers (long column labels elided).
    const QFont columnFont = view->horizontalHeader()->font();
    const QFontMetrics cfm(columnFont);
    painter->setFont(columnFont);
    for (int c = 0; c < m.columns; ++c) {
        const QRect r(origin.x() + c * m.cellWidth, origin.y() - m.columnHeaderHeight, m.cellWidth,
                      m.columnHeaderHeight);
        painter->setPen(labelPen(Qt::Horizontal, c));
        painter->drawText(
            r, Qt::AlignCenter,
            cfm.elidedText(model->headerData(c, Qt::Horizontal).toString(), Qt::ElideRight, m.cellWidth - 4));
    }
    painter->setFont(view->verticalHeader()->font());
    for (int r = 0; r < m.rows; ++r) {
        const QRect rr(kPanelPadding, origin.y() + r * m.cellHeight, m.rowHeaderWidth - 4, m.cellHeight);
        painter->setPen(labelPen(Qt::Vertical, r));
        painter->drawText(rr, Qt::AlignRight | Qt::AlignVCenter,
                          model->headerData(r, Qt::Vertical).toString());
    }
    // The cells, painted as the view's delegate paints them, highlights included.
    const QFont cellFont = view->font();
    const QFontMetrics fm(cellFont);
    painter->setFont(cellFont);
    const int hr = view->highlightedRow(), hc = view->highlightedColumn();
    for (int r = 0; r < m.rows; ++r)
        for (int c = 0; c < m.columns; ++c) {
            const QModelIndex index = model->index(r, c);
            const QRect cell(origin.x() + c * m.cellWidth, origin.y() + r * m.cellHeight, m.cellWidth - 1,
                             m.cellHeight - 1);
            painter->fillRect(cell, index.data(Qt::BackgroundRole).value<QBrush>());
            if (index.data(MatrixModel::BlockedRole).toBool())
                painter->fillRect(cell, QBrush(QColor(0, 0, 0, 40), Qt::BDiagPattern));
            if (r == hr || c == hc) {
                QColor tint = r == hr ? theme::query() : theme::key();
                tint.setAlpha(70);
                painter->fillRect(cell, tint);
            }
            const QString value = index.data(Qt::DisplayRole).toString();
            painter->setPen(index.data(Qt::ForegroundRole).value<QBrush>().color());
            if (fm.horizontalAdvance(value) + 4 <= cell.width() + 1)
                painter->drawText(cell.adjusted(2, 0, -3, 0), Qt::AlignRight | Qt::AlignVCenter, value);
            if (r == hr && c == hc) {
                painter->setPen(QPen(theme::selection(), 3));
                painter->drawRect(cell.adjusted(1, 1, -1, -1));
            }
        }
    // The grid: a line after every row and column, and around the table.
    painter->setPen(panel->palette().color(QPalette::Mid));
    const int right = origin.x() + m.columns * m.cellWidth - 1;
    const int bottom = origin.y() + m.rows * m.cellHeight - 1;
    painter->drawLine(origin.x() - 1, origin.y() - 1, right, origin.y() - 1);
    painter->drawLine(origin.x() - 1, origin.y() - 1, origin.x() - 1, bottom);
    for (int r = 1; r <= m.rows; ++r)
        painter->drawLine(origin.x(), origin.y() + r * m.cellHeight - 1, right,
                          origin.y() + r * m.cellHeight - 1);
    for (int c = 1; c <= m.columns; ++c)
        painter->drawLine(origin.x() + c * m.cellWidth - 1, origin.y(), origin.x() + c * m.cellWidth - 1,
                          bottom);
    painter->restore();
}

} // namespace

struct EquationView::WholeLayout
{
    struct Placed
    {
        Item item;
        QRect rect;
    };
    QList<Placed> placed;
    QSize size;
};

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
    connect(m_projectionButtons, &QButtonGroup::idClicked, this, [this](int id) {
        emit projectionRequested(static_cast<Projection>(id));
        // The state decides what is shown: unless it called setProjection, the old choice stays checked.
        if (auto *b = m_projectionButtons->button(int(m_projection)))
            b->setChecked(true);
    });
    outer->addWidget(m_projectionBar);

    m_equation = new QWidget(this);
    outer->addWidget(m_equation, 1);
    new QVBoxLayout(m_equation);

    for (int i = 0; i < kMatrixCount; ++i) {
        const auto id = static_cast<MatrixId>(i);
        m_panels[static_cast<std::size_t>(i)] = makePanel(id, matrixNameText(id), roleOf(id));
    }
    // The bias rows; a bias panel answers to its weight's id (a click on it selects nothing, as on W).
    for (const auto &[weight, name] : {std::pair{MatrixId::W_Q, "b_Q"}, std::pair{MatrixId::W_K, "b_K"},
                                       std::pair{MatrixId::W_V, "b_V"}, std::pair{MatrixId::W_O, "b_O"}})
        m_biases.insert(int(weight), makePanel(weight, QString::fromLatin1(name), roleOf(weight)));
}

MatrixPanel *EquationView::makePanel(MatrixId id, const QString &name, MatrixRole role)
{
    auto *p = new MatrixPanel(id, name, role, this);
    p->hide();
    p->model()->setPrecision(m_precision);
    connect(p->view(), &MatrixView::cellActivated, this,
            [this, id](int row, int column) { emit cellActivated(id, row, column); });
    connect(p->view(), &MatrixView::cellHovered, this,
            [this, id](int row, int column) { emit cellHovered(id, row, column); });
    return p;
}

MatrixPanel *EquationView::headPanel(MatrixId id, int head) const
{
    MatrixPanel *p = m_headPanels.value(int(id) * 1000 + head);
    return p && m_visible.contains(p) ? p : nullptr;
}

MatrixPanel *EquationView::ensureHeadPanel(MatrixId id, int head)
{
    const int key = int(id) * 1000 + head;
    if (MatrixPanel *p = m_headPanels.value(key))
        return p;
    MatrixPanel *p = makePanel(id, tr("%1 of head %2").arg(matrixNameText(id)).arg(head + 1), roleOf(id));
    p->setObjectName(
        QStringLiteral("matrix-%1-head%2").arg(QString::fromStdString(matrixKey(id))).arg(head + 1));
    m_headPanels.insert(key, p);
    m_headOf.insert(p, head);
    return p;
}

void EquationView::setPrecision(int decimals)
{
    m_precision = decimals;
    QList<MatrixPanel *> all(m_panels.begin(), m_panels.end());
    all << m_headPanels.values() << m_biases.values();
    for (MatrixPanel *p : std::as_const(all)) {
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

QStringList EquationView::operatorTexts() const
{
    QStringList out;
    for (const QList<Item> &row : m_items)
        for (const Item &item : row)
            if (item.label && !item.result && item.label->objectName() == QLatin1String("operator"))
                out << item.label->text();
    return out;
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
    m_items.last().append(Item{nullptr, label, false});
}

void EquationView::layOut(Step step)
{
    const AppState &s = m_controller->state();
    const AttentionTrace *trace = m_controller->trace();
    const LayerTrace *layer = m_controller->layerTrace();
    const Model &model = trace ? *trace->model : m_controller->model();
    const bool positions = trace && trace->positionEmbeddings.size() > 0;
    const bool averaging = m_controller->averagingHeads();
    const int heads = layer ? static_cast<int>(layer->heads.size()) : 0;
    const LayerWeights *lw = s.layer >= 0 && s.layer < static_cast<int>(model.layers.size())
                                 ? &model.layers[std::size_t(s.layer)]
                                 : nullptr;
    const HeadWeights *hw = !averaging && lw && s.head >= 0 && s.head < static_cast<int>(lw->heads.size())
                                ? &lw->heads[std::size_t(s.head)]
                                : nullptr;
    // A bias is part of the equation when the model has it: X·W_Q alone is not Q then.
    auto hasBias = [&](MatrixId weight) {
        switch (weight) {
        case MatrixId::W_Q:
            return hw && hw->b_Q.size() > 0;
        case MatrixId::W_K:
            return hw && hw->b_K.size() > 0;
        case MatrixId::W_V:
            return hw && hw->b_V.size() > 0;
        case MatrixId::W_O:
            return lw && lw->b_O.size() > 0;
        default:
            return false;
        }
    };
    // Everything that changes which panels and operators the equation has.
    const QString key = QStringList{QString::number(stepIndex(step)),
                                    QString::number(int(m_projection)),
                                    QString::number(s.swapQK),
                                    QString::number(positions),
                                    QString::number(s.scale),
                                    QString::number(averaging),
                                    QString::number(heads),
                                    QString::number(model.d_k),
                                    QString::number(s.layer),
                                    QString::number(hasBias(MatrixId::W_Q)),
                                    QString::number(hasBias(MatrixId::W_K)),
                                    QString::number(hasBias(MatrixId::W_V)),
                                    QString::number(hasBias(MatrixId::W_O))}
                            .join(QLatin1Char(','));
    if (m_hasLayout && key == m_layoutKey)
        return;
    m_hasLayout = true;
    m_layoutKey = key;
    m_laidOut = step;

    // Take the old equation apart: panels are kept (hidden), operators and row widgets are deleted.
    QList<MatrixPanel *> all(m_panels.begin(), m_panels.end());
    all << m_headPanels.values() << m_biases.values();
    for (MatrixPanel *p : std::as_const(all)) {
        p->hide();
        p->setParent(this);
    }
    qDeleteAll(m_operators);
    m_operators.clear();
    m_items.clear();
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
        h->setSpacing(kWholeSpacing);
        rows->addWidget(w, 1);
        w->show(); // created after the view was shown, so it must be shown explicitly
        m_items.append(QList<Item>());
        return h;
    };
    auto addPanel = [&](QHBoxLayout *row, MatrixPanel *p) {
        p->setParent(row->parentWidget());
        row->addWidget(p, 0);
        p->show();
        if (!m_visible.contains(p))
            m_visible << p;
        m_items.last().append(Item{p, nullptr, false});
    };
    auto add = [&](QHBoxLayout *row, MatrixId id) { addPanel(row, panel(id)); };
    auto addNote = [&](QHBoxLayout *row, const QString &text, const QString &toolTip = {}) {
        auto *note = new QLabel(text, row->parentWidget());
        note->setObjectName(QStringLiteral("note"));
        note->setToolTip(toolTip);
        row->addWidget(note, 0, Qt::AlignVCenter);
        m_operators << note;
        m_items.last().append(Item{nullptr, note, false});
    };
    // "W" and, when the model has one, "+ b": the bias row is added to every row of the product.
    auto addWeight = [&](QHBoxLayout *row, MatrixId weight) {
        add(row, weight);
        if (hasBias(weight)) {
            addOperator(row, QStringLiteral("+"), tr("the bias row is added to every row"));
            addPanel(row, biasPanel(weight));
        }
    };
    // The average of heads is each head's own matrix, then their mean cell by cell: "1/h · (A¹ + A² + …)".
    auto addMean = [&](QHBoxLayout *row, MatrixId id) {
        const QString name = matrixNameText(id);
        addOperator(row, QStringLiteral("1/%1 · (").arg(heads),
                    tr("the mean of the %1 heads, cell by cell: each head computes its own %2. Choose a "
                       "single head to see how.")
                        .arg(heads)
                        .arg(name));
        for (int h = 0; h < heads; ++h) {
            if (h > 0)
                addOperator(row, QStringLiteral("+"));
            addPanel(row, ensureHeadPanel(id, h));
        }
        addOperator(row, QStringLiteral(")"));
    };

    // The result: named at the end of the equation, drawn large in the heatmap below.
    auto result = [&](QHBoxLayout *row, MatrixId id) {
        m_result = panel(id);
        const QString name = matrixNameText(id);
        auto *label =
            new QLabel(tr("<b>%1</b><br>shown below ↓").arg(name.toHtmlEscaped()), row->parentWidget());
        label->setObjectName(QStringLiteral("resultName"));
        label->setAlignment(Qt::AlignCenter);
        QFont f = label->font();
        f.setPointSizeF(f.pointSizeF() * 1.2);
        label->setFont(f);
        label->setStyleSheet(QStringLiteral("color: %1")
                                 .arg(MatrixPanel::roleColor(id == MatrixId::Q   ? MatrixRole::Query
                                                             : id == MatrixId::K ? MatrixRole::Key
                                                             : id == MatrixId::V ? MatrixRole::Value
                                                                                 : MatrixRole::Output)
                                          .name()));
        row->addWidget(label, 0, Qt::AlignVCenter);
        m_operators << label;
        m_items.last().append(Item{m_result, label, true});
    };

    m_projectionBar->setVisible(step == Step::QKV);
    QHBoxLayout *row = newRow();
    switch (step) {
    case Step::Embeddings:
        if (s.layer > 0) {
            // A later layer does not start from the embeddings: its X is the previous layer's output.
            addNote(row, tr("Layer %1 reads the output\nof layer %2:").arg(s.layer + 1).arg(s.layer));
            add(row, MatrixId::LayerOutput);
        } else if (positions) {
            add(row, MatrixId::E);
            addOperator(row, QStringLiteral("+"), tr("token embedding plus position embedding"));
            add(row, MatrixId::P);
        } else {
            addNote(row, tr("This model adds no position information:\nX is the token embeddings alone."));
        }
        addOperator(row, QStringLiteral("="));
        result(row, MatrixId::X);
        break;
    case Step::QKV: {
        const QList<QPair<MatrixId, MatrixId>> projections = {
            {MatrixId::W_Q, MatrixId::Q}, {MatrixId::W_K, MatrixId::K}, {MatrixId::W_V, MatrixId::V}};
        QList<QPair<MatrixId, MatrixId>> shown;
        if (m_projection == Projection::All)
            shown = projections;
        else
            shown << projections.at(int(m_projection));
        for (int i = 0; i < shown.size(); ++i) {
            if (i > 0)
                row = newRow();
            if (averaging) {
                // The average has no weight matrix of its own: each head projects X with its own W.
                addMean(row, shown[i].second);
            } else {
                if (i == 0) {
                    add(row, MatrixId::X);
                } else {
                    addNote(row, QStringLiteral("X"), tr("the same X as above"));
                }
                addOperator(row, QStringLiteral("·"), tr("matrix product"));
                addWeight(row, shown[i].first);
            }
            addOperator(row, QStringLiteral("="));
            if (shown.size() == 1)
                result(row, shown[i].second);
            else
                add(row, shown[i].second);
            row->addStretch(1);
        }
        break;
    }
    case Step::Scores:
    case Step::Scale:
    case Step::Mask:
    case Step::Softmax:
    case Step::WeightedSum:
        if (averaging) {
            // Mean Q times mean Kᵀ is not the mean of the heads' scores, nor is softmax of the mean scores
            // the mean of their weights: the average is shown as what it is, the mean of each head's result.
            addMean(row, perHeadResult(step));
            addOperator(row, QStringLiteral("="));
            result(row, perHeadResult(step));
            break;
        }
        switch (step) {
        case Step::Scores:
            if (s.swapQK) {
                add(row, MatrixId::K);
                addOperator(row, QStringLiteral("·"), tr("⚠ swapped: keys times queries"));
                add(row, MatrixId::QT);
            } else {
                add(row, MatrixId::Q);
                addOperator(row, QStringLiteral("·"), tr("every query times every key"));
                add(row, MatrixId::KT);
            }
            addOperator(row, QStringLiteral("="));
            result(row, MatrixId::Scores);
            break;
        case Step::Scale: {
            add(row, MatrixId::Scores);
            // The divisor the trace used, not one worked out here from the model: the equation shows what
            // was computed.
            const HeadTrace *head = m_controller->headTrace();
            const double divisor = head ? head->divisor : 1.0;
            const QString op = s.scale
                                   ? QStringLiteral("÷ √%1\n= ÷ %2").arg(model.d_k).arg(divisor, 0, 'f', 2)
                                   : tr("÷ 1\n(scaling off)");
            addOperator(row, op, tr("divide every score by the square root of d_k"));
            addOperator(row, QStringLiteral("="));
            result(row, MatrixId::Scaled);
            break;
        }
        case Step::Mask:
            add(row, MatrixId::Scaled);
            addOperator(row, QStringLiteral("+"), tr("adding −∞ blocks a cell; adding 0 leaves it"));
            add(row, MatrixId::Mask);
            addOperator(row, QStringLiteral("="));
            result(row, MatrixId::Masked);
            break;
        case Step::Softmax:
            addOperator(row, QStringLiteral("softmax"), tr("applied to each row separately"));
            add(row, MatrixId::Masked);
            addOperator(row, QStringLiteral("="));
            result(row, MatrixId::Weights);
            break;
        default: // Step::WeightedSum
            add(row, MatrixId::Weights);
            addOperator(row, QStringLiteral("·"), tr("each output row mixes the value rows by the weights"));
            add(row, MatrixId::V);
            addOperator(row, QStringLiteral("="));
            result(row, MatrixId::Output);
            break;
        }
        break;
    case Step::Output:
        // Not a head's matrix: concat holds every head side by side, whichever head is selected.
        add(row, MatrixId::Concat);
        addOperator(row, QStringLiteral("·"), tr("the output projection mixes the heads"));
        addWeight(row, MatrixId::W_O);
        addOperator(row, QStringLiteral("="));
        result(row, MatrixId::AttentionOutput);
        break;
    }
    if (step == Step::QKV && m_projection == Projection::All)
        m_result = panel(MatrixId::Q);
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
    const QColor none;
    const QColor q = theme::query(), k = theme::key(), v = theme::value(), out = theme::output();
    // With the swap, row i of the scores belongs to key i: the labels say so.
    const QColor rowRole = s.swapQK ? k : q;
    const QColor colRole = s.swapQK ? q : k;

    struct Labels
    {
        QStringList rows, columns;
        QColor rowColor, columnColor;
    };
    auto labelsOf = [&](MatrixId id) -> Labels {
        switch (id) {
        case MatrixId::E:
        case MatrixId::P:
        case MatrixId::X:
            return {tokens, features, none, none};
        case MatrixId::W_Q:
            return {features, qk, none, q};
        case MatrixId::W_K:
            return {features, dk, none, k};
        case MatrixId::W_V:
            return {features, dv, none, v};
        case MatrixId::Q:
            return {tokens, qk, q, q};
        case MatrixId::K:
            return {tokens, dk, k, k};
        case MatrixId::V:
            return {tokens, dv, v, v};
        case MatrixId::KT:
            return {dk, tokens, k, k};
        case MatrixId::QT:
            return {qk, tokens, q, q};
        case MatrixId::Scores:
        case MatrixId::Scaled:
        case MatrixId::Masked:
            return {tokens, tokens, rowRole, colRole};
        case MatrixId::Mask:
        case MatrixId::Weights:
            return {tokens, tokens, q, k};
        case MatrixId::Output:
            return {tokens, dv, out, v};
        case MatrixId::Concat:
            return {tokens, concatLabels, out, none};
        case MatrixId::W_O:
            return {concatLabels, features, none, none};
        case MatrixId::AttentionOutput:
        case MatrixId::LayerOutput:
            return {tokens, features, out, none};
        }
        return {};
    };
    const Eigen::MatrixXd identity = Eigen::MatrixXd::Identity(layer->concat.cols(), model.d_model);
    auto matrixOf = [&](MatrixId id) -> Eigen::MatrixXd {
        switch (id) {
        case MatrixId::E:
            return trace->tokenEmbeddings;
        case MatrixId::P:
            return trace->positionEmbeddings;
        case MatrixId::X:
            return layer->input;
        case MatrixId::W_Q:
            return hw ? hw->W_Q : Eigen::MatrixXd();
        case MatrixId::W_K:
            return hw ? hw->W_K : Eigen::MatrixXd();
        case MatrixId::W_V:
            return hw ? hw->W_V : Eigen::MatrixXd();
        case MatrixId::Mask:
            return additiveMask(trace->blocked);
        case MatrixId::Concat:
            return layer->concat;
        case MatrixId::W_O:
            return lw.W_O.size() > 0 ? lw.W_O : identity;
        case MatrixId::AttentionOutput:
            return layer->attentionOutput;
        case MatrixId::LayerOutput:
            // Shown only on the embeddings step of a later layer: the output its input comes from.
            return s.layer > 0 ? trace->layers[static_cast<std::size_t>(s.layer - 1)].output : layer->output;
        default:
            return headMatrix(*head, id);
        }
    };
    auto biasOf = [&](MatrixId weight) -> Eigen::MatrixXd {
        const Eigen::RowVectorXd none;
        const Eigen::RowVectorXd &b = weight == MatrixId::W_Q   ? (hw ? hw->b_Q : none)
                                      : weight == MatrixId::W_K ? (hw ? hw->b_K : none)
                                      : weight == MatrixId::W_V ? (hw ? hw->b_V : none)
                                                                : lw.b_O;
        return b;
    };

    // Fill only what the current step shows: a keystroke then costs a few small models, not twenty.
    QList<MatrixPanel *> shown = m_visible;
    if (m_result && !shown.contains(m_result))
        shown << m_result;
    for (MatrixPanel *p : std::as_const(shown)) {
        const MatrixId id = p->id();
        const Labels labels = labelsOf(id);
        p->model()->setLabelColors(labels.rowColor, labels.columnColor);
        const int h = headOf(p);
        if (h >= 0 && h < static_cast<int>(layer->heads.size())) {
            p->setMatrix(headMatrix(layer->heads[static_cast<std::size_t>(h)], id), labels.rows,
                         labels.columns);
        } else if (p == biasPanel(id)) {
            p->model()->setLabelColors(none, labels.columnColor);
            p->setMatrix(biasOf(id), {tr("every row")}, labels.columns);
        } else {
            p->setMatrix(matrixOf(id), labels.rows, labels.columns);
        }
    }
    panel(MatrixId::W_O)->setSubtitle(lw.W_O.size() > 0 ? QString() : tr("identity: this model has no W_O"));
    panel(MatrixId::LayerOutput)->setSubtitle(s.layer > 0 ? tr("of layer %1").arg(s.layer) : QString());
}

void EquationView::updateHighlights()
{
    const AppState &s = m_controller->state();
    QList<MatrixPanel *> shown = m_visible;
    if (m_result && !shown.contains(m_result))
        shown << m_result; // drawn in the picture of the whole equation
    for (MatrixPanel *p : std::as_const(shown)) {
        const MatrixId id = p->id();
        int row = -1;
        int column = -1;
        if (p == biasPanel(id)) {
            // a bias row belongs to no token
        } else if (isSquareMatrix(id)) {
            row = s.query;
            column = s.key;
        } else if (id == MatrixId::KT || id == MatrixId::QT) {
            column = s.key; // the key's column in Kᵀ makes the selected score
        } else if ((id == MatrixId::K && !s.swapQK) || id == MatrixId::V) {
            row = s.key >= 0 ? s.key : -1;
        } else if (!isWeightMatrix(id)) {
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

EquationView::WholeLayout EquationView::wholeLayout() const
{
    WholeLayout out;
    int y = kWholeMargin;
    int width = 0;
    for (const QList<Item> &row : m_items) {
        // Sizes first, then every item centred on the row's height, as the row layouts align them.
        QList<QSize> sizes;
        int height = 0;
        for (const Item &item : row) {
            const QSize size = item.panel ? metricsOf(item.panel).box() : labelSize(item.label);
            sizes << size;
            height = std::max(height, size.height());
        }
        int x = kWholeMargin;
        for (int i = 0; i < row.size(); ++i) {
            out.placed.append({row[i], QRect(QPoint(x, y + (height - sizes[i].height()) / 2), sizes[i])});
            x += sizes[i].width() + kWholeSpacing;
        }
        width = std::max(width, x - kWholeSpacing + kWholeMargin);
        y += height + kWholeSpacing;
    }
    out.size = QSize(std::max(width, 2 * kWholeMargin),
                     std::max(y - kWholeSpacing + kWholeMargin, 2 * kWholeMargin));
    return out;
}

QSize EquationView::wholeSize() const
{
    return wholeLayout().size;
}

void EquationView::renderWhole(QPainter *painter) const
{
    const WholeLayout layout = wholeLayout();
    painter->save();
    painter->fillRect(QRect(QPoint(), layout.size), palette().color(QPalette::Window));
    for (const WholeLayout::Placed &placed : layout.placed) {
        if (placed.item.panel) {
            drawPanel(painter, placed.item.panel, placed.rect);
        } else if (placed.item.label) {
            const QLabel *label = placed.item.label;
            painter->setFont(label->font());
            painter->setPen(label->palette().color(QPalette::WindowText));
            painter->drawText(placed.rect, Qt::AlignCenter, label->text());
        }
    }
    painter->restore();
}

QRect EquationView::wholeCellRect(const MatrixPanel *panel, int row, int column) const
{
    for (const WholeLayout::Placed &placed : wholeLayout().placed) {
        if (placed.item.panel != panel)
            continue;
        const PanelMetrics m = metricsOf(panel);
        if (row < 0 || row >= m.rows || column < 0 || column >= m.columns)
            return {};
        const QPoint origin = placed.rect.topLeft() + m.cellOrigin();
        return QRect(origin.x() + column * m.cellWidth, origin.y() + row * m.cellHeight, m.cellWidth - 1,
                     m.cellHeight - 1);
    }
    return {};
}

} // namespace attention
