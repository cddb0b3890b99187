// Writes views as PNG or SVG and matrices as CSV, for slides and spreadsheets.
#pragma once

#include <QString>

class QWidget;

namespace attention {

class MatrixModel;

enum class ExportFormat { Png, Svg, Csv };

// Picks the format from the file name's extension (.png, .svg, .csv); false when it is none of them.
bool exportFormatFromPath(const QString &path, ExportFormat *format);

// Renders a view to a PNG or SVG file. Views that can paint themselves whole (the heatmap and the line
// view) are drawn in full, not just the part scrolled into sight. Returns an error message, or "".
// Every export is drawn in memory and then written with writeFileSafely (safewrite.h): when the write
// fails, the error names the file and the system's reason, and a file already at `path` keeps its bytes.
QString exportView(QWidget *view, const QString &path, ExportFormat format);

// Writes the matrix with its labels as CSV (UTF-8, "-inf" for blocked cells). Returns an error, or "".
QString exportCsv(const MatrixModel &matrix, const QString &path);

} // namespace attention
