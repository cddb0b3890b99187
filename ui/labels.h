// Converts the core's labels (token spellings, feature names) into Qt strings for the views.
#pragma once

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

} // namespace attention
