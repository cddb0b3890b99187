// Converts the core's labels (token spellings, feature names) into Qt strings for the views.
#pragma once

#include "steps.h"

#include <QString>
#include <QStringList>
#include <string>
#include <vector>

namespace attention {

inline QStringList toQStringList(const std::vector<std::string> &labels)
{
    QStringList out;
    out.reserve(static_cast<qsizetype>(labels.size()));
    for (const std::string &s : labels)
        out << QString::fromStdString(s);
    return out;
}

// The core's step vocabulary as Qt strings.
inline QString stepTitleText(Step step)
{
    return QString::fromStdString(stepTitle(step));
}
inline QString stepFormulaText(Step step, bool swapQK = false)
{
    return QString::fromStdString(stepFormula(step, swapQK));
}
inline QString stepDescriptionText(Step step)
{
    return QString::fromStdString(stepDescription(step));
}
inline QString matrixNameText(MatrixId id)
{
    return QString::fromStdString(matrixName(id));
}

// Qt shows a tooltip as rich text as soon as it looks like HTML (Qt::mightBeRichText), so a word or a
// model name from a file such as "<img src=…>" would be rendered, and its image loaded. This shows the
// text literally, line breaks and spaces kept as a plain tooltip shows them.
inline QString literalToolTip(const QString &text)
{
    if (text.isEmpty())
        return text; // an empty tooltip hides the tip
    return QStringLiteral("<p style='white-space:pre'>%1</p>").arg(text.toHtmlEscaped());
}

} // namespace attention
