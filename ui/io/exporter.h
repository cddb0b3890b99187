// Writes views as PNG or SVG and matrices as CSV, for slides and spreadsheets; says what a picture shows
// (its caption), what to call its file, and where the last one went.
#pragma once

#include <QString>
#include <QStringList>

class QFont;
class QSettings;
class QWidget;

namespace attention {

class MatrixModel;
struct AppState;

enum class ExportFormat { Png, Svg, Csv };
// Where exportView draws a caption: under the picture (the default) or over it.
enum class CaptionPlacement { Below, Above };

// Picks the format from the file name's extension (.png, .svg, .csv); false when it is none of them.
bool exportFormatFromPath(const QString &path, ExportFormat *format);

// Renders a view to a PNG or SVG file. Views that can paint themselves whole (the heatmap and the line
// view) are drawn in full, not just the part scrolled into sight. Returns an error message, or "".
// Every export is drawn in memory and then written with writeFileSafely (safewrite.h): when the write
// fails, the error names the file and the system's reason, and a file already at `path` keeps its bytes.
// A non-empty `caption` is drawn below (or above) the picture in the view's font (at least
// theme::kMinimumPointSize), wrapped to the picture's width; the picture grows by exportCaptionHeight and
// is otherwise drawn exactly as without a caption. A '\n' in the caption starts a new line.
QString exportView(QWidget *view, const QString &path, ExportFormat format,
                   const QString &caption = QString(), CaptionPlacement placement = CaptionPlacement::Below);

// Writes the matrix with its labels as CSV (UTF-8, "-inf" for blocked cells). Returns an error, or "".
QString exportCsv(const MatrixModel &matrix, const QString &path);

// What an exported picture shows, for a slide: the sentence in quotes, the step, the model, the layer and
// the head (counted from 1; head -1 is "mean of N heads" with N = `headCount`, or "mean of the heads" when
// it is unknown, <= 0), then the mask, scaling and Q/K swap when they differ from the defaults, then the
// selected query (and key). `modelName` is a name ("trained" gives "trained model") or a model file, of
// which only the file's name is shown. The sentence has its whitespace collapsed and, past
// kCaptionSentenceLength characters, is shortened in its middle with "…"; a caption with a long sentence
// puts the rest on a second line. With no sentence the caption starts with the step.
QString exportCaption(const AppState &state, const QString &modelName, const QStringList &tokens,
                      int headCount = 0);
constexpr int kCaptionSentenceLength = 120;

// The font exportView draws `view`'s caption in, and the height in pixels (device-independent, as the
// view's size) by which a picture `width` pixels wide grows for `caption`: 0 for an empty caption.
QFont exportCaptionFont(const QWidget *view);
int exportCaptionHeight(const QWidget *view, const QString &caption, int width);

// A file name for an export, e.g. "softmax-it-layer2-head1-equation.png": the step's key, the selected
// query's token, "layerN" when the model has several layers, "headN" or "avg" when it has several heads,
// "causal"/"custom-mask", "unscaled" and "swapped" for options that differ from the defaults, then `what`
// ("equation", "matrix", …). Only ASCII letters, digits, '-' and '_' (lower case): accented letters lose
// their accents, other characters are dropped or become '-', a token with nothing left is "tokenN". Never
// empty, never starts with '.', at most kMaxExportNameLength characters with the extension. `extension`
// may be given with or without its dot; an empty one gives a name without an extension.
QString suggestedExportName(const AppState &state, const QStringList &tokens, const QString &what,
                            const QString &extension, int layerCount = 1, int headCount = 1);
constexpr int kMaxExportNameLength = 80;

// The folder the file dialogs of exports open in: the one remembered under "export/folder" while it is
// still a folder, otherwise the user's Pictures folder, or Documents, or home (the first that exists).
// `settings` may be null.
QString exportFolder(const QSettings *settings);
// Remembers the folder of `filePath` (an exported file) under "export/folder". Does nothing for a null
// `settings` or an empty path.
void rememberExportFolder(QSettings *settings, const QString &filePath);

} // namespace attention
