// Builds the left panel's controls and turns their changes into signals with plain values.
#include "pipelinepanel.h"

#include "flowdiagram.h"
#include "labels.h"
#include "modelio.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace attention {

PipelinePanel::PipelinePanel(QWidget *parent) : QWidget(parent)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(6, 4, 6, 4);
    setAccessibleName(tr("Pipeline"));
    m_flow = new FlowDiagram(this);
    connect(m_flow, &FlowDiagram::stepRequested, this, &PipelinePanel::stepRequested);
    v->addWidget(m_flow, 1);

    auto *options = new QGroupBox(tr("What to compute"), this);
    auto *ol = new QVBoxLayout(options);
    m_causal = new QCheckBox(tr("Causal mask"), options);
    m_causal->setObjectName(QStringLiteral("causalMask"));
    m_causal->setAccessibleName(tr("Causal mask"));
    m_causal->setToolTip(
        tr("Each token may look only at itself and the tokens before it, as when a model writes "
           "text one word at a time (Ctrl+M)"));
    m_scale = new QCheckBox(tr("Scale by √d_k"), options);
    m_scale->setObjectName(QStringLiteral("scale"));
    m_scale->setAccessibleName(tr("Scale by the square root of d_k"));
    m_scale->setChecked(true);
    m_scale->setToolTip(tr("Divide the scores by the square root of the key length; switch it off to see the "
                           "softmax become sharper"));
    m_swap = new QCheckBox(tr("Swap Q and K ⚠"), options);
    m_swap->setObjectName(QStringLiteral("swapQK"));
    m_swap->setAccessibleName(tr("Swap Q and K"));
    m_swap->setAccessibleDescription(tr("A common mistake, shown on purpose"));
    m_swap->setStyleSheet(QStringLiteral("QCheckBox { color: %1; }").arg(theme::warning().name()));
    m_swap->setToolTip(
        tr("Compute K·Qᵀ instead of Q·Kᵀ: the numbers still come out, but each row now says how "
           "a key matches the queries, not what a query looks for"));
    m_editMask = new QToolButton(options);
    m_editMask->setObjectName(QStringLiteral("editMask"));
    m_editMask->setText(tr("Edit the mask…"));
    m_editMask->setCheckable(true);
    m_editMask->setToolTip(tr("While this is on, clicking a cell of the heatmap blocks or unblocks it"));
    m_editMask->setAccessibleName(tr("Edit the mask"));
    m_editMask->setAccessibleDescription(m_editMask->toolTip());
    // As wide as the column, never narrower than its text: the label must read whole at every zoom.
    m_editMask->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_editMask->setSizePolicy(QSizePolicy::MinimumExpanding, QSizePolicy::Fixed);
    for (QWidget *w : {static_cast<QWidget *>(m_causal), static_cast<QWidget *>(m_scale),
                       static_cast<QWidget *>(m_swap), static_cast<QWidget *>(m_editMask)})
        ol->addWidget(w);
    connect(m_causal, &QCheckBox::toggled, this, &PipelinePanel::causalChosen);
    connect(m_scale, &QCheckBox::toggled, this, &PipelinePanel::scaleChosen);
    connect(m_swap, &QCheckBox::toggled, this, &PipelinePanel::swapChosen);
    connect(m_editMask, &QToolButton::toggled, this, &PipelinePanel::editMaskChosen);
    v->addWidget(options);

    auto *modelGroup = new QGroupBox(tr("Model"), this);
    auto *form = new QFormLayout(modelGroup);
    // Labels above their fields when the column is too narrow for both side by side.
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    m_model = new QComboBox(modelGroup);
    for (const QString &name : builtinModelNames())
        m_model->addItem(name, name);
    m_model->setToolTip(tr("The weights that turn tokens into queries, keys and values"));
    m_model->setAccessibleName(tr("Model"));
    m_model->setAccessibleDescription(m_model->toolTip());
    // A model file's name can be long: the box may be narrower than it, the list shows it whole.
    m_model->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_model->setMinimumContentsLength(10);
    connect(m_model, &QComboBox::currentIndexChanged, this,
            [this](int index) { emit modelChosen(m_model->itemData(index).toString()); });
    m_layer = new QSpinBox(modelGroup);
    m_layer->setAccessibleName(tr("Layer"));
    connect(m_layer, &QSpinBox::valueChanged, this, [this](int v) { emit layerChosen(v - 1); });
    m_head = new QComboBox(modelGroup);
    m_head->setObjectName(QStringLiteral("head"));
    m_head->setAccessibleName(tr("Head"));
    m_head->setToolTip(
        tr("Each head has its own W_Q, W_K and W_V; the average shows what the layer does as a "
           "whole"));
    connect(m_head, &QComboBox::currentIndexChanged, this, [this](int index) {
        // The last entry is the average of the heads (head -1).
        emit headChosen(index == m_head->count() - 1 && m_head->count() > 1 ? -1 : index);
    });
    m_precision = new QSpinBox(modelGroup);
    m_precision->setRange(0, kMaxDecimals);
    m_precision->setValue(2);
    m_precision->setToolTip(tr("Decimals shown in the matrices"));
    m_precision->setAccessibleName(tr("Decimals"));
    m_precision->setAccessibleDescription(m_precision->toolTip());
    connect(m_precision, &QSpinBox::valueChanged, this, &PipelinePanel::precisionChosen);
    form->addRow(tr("Model"), m_model);
    form->addRow(tr("Layer"), m_layer);
    form->addRow(tr("Head"), m_head);
    form->addRow(tr("Decimals"), m_precision);
    v->addWidget(modelGroup);
}

void PipelinePanel::showState(const AppState &s, const Model &model)
{
    const QSignalBlocker b1(m_causal), b2(m_scale), b3(m_swap), b4(m_layer), b5(m_head);
    m_causal->setChecked(s.mask == MaskMode::Causal);
    m_causal->setText(s.mask == MaskMode::Custom ? tr("Causal mask (custom on)") : tr("Causal mask"));
    m_scale->setChecked(s.scale);
    m_swap->setChecked(s.swapQK);
    m_layer->setRange(1, static_cast<int>(model.layers.size()));
    m_layer->setValue(s.layer + 1);
    m_layer->setEnabled(model.layers.size() > 1);
    const int entries = model.headCount() > 1 ? model.headCount() + 1 : 1;
    if (m_head->count() != entries) {
        m_head->clear();
        for (int h = 0; h < model.headCount(); ++h)
            m_head->addItem(tr("Head %1").arg(h + 1));
        if (model.headCount() > 1)
            m_head->addItem(tr("Average"));
    }
    m_head->setCurrentIndex(s.head < 0 ? m_head->count() - 1 : s.head);
    m_head->setEnabled(model.headCount() > 1);
    m_flow->setOptions(s.scale, s.mask, s.swapQK);
}

void PipelinePanel::showStep(Step step)
{
    m_flow->setStep(step);
}

void PipelinePanel::showModel(const QString &source)
{
    const QSignalBlocker block(m_model);
    int index = m_model->findData(source);
    if (index < 0) { // a model file: listed by its file name, with the path in the tooltip
        m_model->addItem(tr("file: %1").arg(QFileInfo(source).fileName()), source);
        index = m_model->count() - 1;
        m_model->setItemData(index, literalToolTip(source), Qt::ToolTipRole);
    }
    m_model->setCurrentIndex(index);
}

void PipelinePanel::setPrecision(int decimals)
{
    m_precision->setValue(decimals);
}

} // namespace attention
