// PNG through QImageWriter, SVG through QSvgGenerator, CSV from the table model; each is made in memory
// and then written with writeFileSafely, so a failed export never damages the file it would replace.
// Captions are broken into lines by QTextLayout and drawn one line at a time with drawText, so the SVG
// holds each line as one <text> element that a slide program can still edit.
#include "exporter.h"

#include "equationview.h"

#include "appstate.h"
#include "heatmapview.h"
#include "labels.h"
#include "lineview.h"
#include "matrixmodel.h"
#include "safewrite.h"
#include "theme.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QSettings>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QTextLayout>
#include <QWidget>
#include <algorithm>
#include <cmath>
#include <functional>

namespace attention {

bool exportFormatFromPath(const QString &path, ExportFormat *format)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        *format = ExportFormat::Png;
    else if (suffix == QLatin1String("svg"))
        *format = ExportFormat::Svg;
    else if (suffix == QLatin1String("csv"))
        *format = ExportFormat::Csv;
    else
        return false;
    return true;
}

namespace {

// The size to draw at, and a painter callback, for the views that can paint themselves whole.
bool wholeViewPainter(QWidget *view, QSize *size, std::function<void(QPainter &, const QRect &)> *paint)
{
    if (auto *h = qobject_cast<HeatmapView *>(view)) {
        *size = h->exportSizeHint();
        *paint = [h](QPainter &p, const QRect &r) { h->paintExport(p, r); };
        return true;
    }
    if (auto *l = qobject_cast<LineView *>(view)) {
        *size = l->exportSizeHint();
        *paint = [l](QPainter &p, const QRect &r) { l->paintExport(p, r); };
        return true;
    }
    if (auto *e = qobject_cast<EquationView *>(view)) {
        // The whole equation: every panel with all its cells and the result, without scroll bars.
        *size = e->wholeSize();
        *paint = [e](QPainter &p, const QRect &) { e->renderWhole(&p); };
        return true;
    }
    return false;
}

// A caption broken into the lines it is drawn in, for one width.
struct CaptionLines
{
    QStringList lines;
    QList<qreal> widths;
    qreal lineSpacing = 0;
    qreal ascent = 0;
    qreal padding = 0; // above the first line and below the last
    int height = 0;    // the band's height in device-independent pixels
};

bool hasCaption(const QString &caption)
{
    return !caption.trimmed().isEmpty();
}

CaptionLines breakCaption(const QString &caption, const QFont &font, int width)
{
    CaptionLines out;
    if (!hasCaption(caption))
        return out;
    const QFontMetricsF fm(font);
    out.lineSpacing = fm.lineSpacing();
    out.ascent = fm.ascent();
    out.padding = std::ceil(0.25 * out.lineSpacing);
    // Half a line of margin each side absorbs the small differences between the advances measured here
    // and those of the PNG's or SVG's own font engine, so the ends of a line are never cut off.
    const qreal lineWidth = std::max<qreal>(1.0, width - out.lineSpacing);
    QTextOption option;
    option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    const QChar noBreak(0x00A0);
    const QString separator = QStringLiteral(" · ");
    for (QString paragraph : caption.trimmed().split(QLatin1Char('\n'))) {
        // The details ("layer 2", "mean of 4 heads") break only after their " · ", never inside, so no
        // line starts with a lone "1"; a quoted sentence breaks at any space.
        QStringList parts = paragraph.split(separator);
        for (QString &part : parts)
            if (!part.startsWith(QChar(0x201C)))
                part.replace(QLatin1Char(' '), noBreak);
        paragraph = parts.join(QString(noBreak) + QStringLiteral("· "));
        QTextLayout layout(paragraph, font);
        layout.setTextOption(option);
        layout.beginLayout();
        for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
            line.setLineWidth(lineWidth);
            out.lines << paragraph.mid(line.textStart(), line.textLength())
                             .replace(noBreak, QLatin1Char(' '))
                             .trimmed();
            out.widths << std::min(line.naturalTextWidth(), lineWidth);
        }
        layout.endLayout();
    }
    out.height = static_cast<int>(std::ceil(out.lines.size() * out.lineSpacing + 2 * out.padding));
    return out;
}

// Draws the band `lines` was made for, `width` wide, with its top at `top`: each line centred.
void drawCaption(QPainter &p, const CaptionLines &lines, const QFont &font, qreal top, int width,
                 const QColor &background, const QColor &text)
{
    p.save();
    p.fillRect(QRectF(0, top, width, lines.height), background);
    p.setFont(font);
    p.setPen(text);
    for (int i = 0; i < lines.lines.size(); ++i) {
        const qreal x = (width - lines.widths.at(i)) / 2.0;
        const qreal baseline = top + lines.padding + i * lines.lineSpacing + lines.ascent;
        p.drawText(QPointF(x, baseline), lines.lines.at(i));
    }
    p.restore();
}

} // namespace

QFont exportCaptionFont(const QWidget *view)
{
    QFont f = view ? view->font() : QFont();
    const int dpi = view ? std::max(1, view->logicalDpiY()) : 96;
    double points = f.pointSizeF();
    if (points <= 0)
        points = f.pixelSize() * 72.0 / dpi;
    points = std::max(points, theme::kMinimumPointSize);
    // In pixels, not points: QSvgGenerator works at 72 dpi, where a point size would come out smaller
    // than on the screen and in the PNG.
    f.setPixelSize(static_cast<int>(std::ceil(points * dpi / 72.0)));
    return f;
}

int exportCaptionHeight(const QWidget *view, const QString &caption, int width)
{
    return breakCaption(caption, exportCaptionFont(view), width).height;
}

QString exportView(QWidget *view, const QString &path, ExportFormat format, const QString &caption,
                   CaptionPlacement placement)
{
    if (!view)
        return QStringLiteral("there is no view to export");
    QSize size = view->size();
    std::function<void(QPainter &, const QRect &)> paint;
    const bool whole = wholeViewPainter(view, &size, &paint);
    if (size.isEmpty())
        return QStringLiteral("the view has no size yet");

    const QFont captionFont = exportCaptionFont(view);
    const CaptionLines lines = breakCaption(caption, captionFont, size.width());
    const bool above = placement == CaptionPlacement::Above;
    const int pictureTop = above ? lines.height : 0;
    const int captionTop = above ? 0 : size.height();
    const QSize total(size.width(), size.height() + lines.height);
    // A whole view is drawn on white; a grabbed widget brings its own background.
    const QColor background = whole ? QColor(Qt::white) : view->palette().color(QPalette::Window);
    const QColor text = whole ? QColor(0x20, 0x20, 0x20) : view->palette().color(QPalette::WindowText);

    if (format == ExportFormat::Png) {
        QImage image;
        if (whole) {
            // Twice the pixels so text stays sharp when a slide is projected.
            image = QImage(total * 2, QImage::Format_ARGB32_Premultiplied);
            if (image.isNull())
                return QStringLiteral("%1: a %2 × %3 pixel image does not fit in memory")
                    .arg(path)
                    .arg(total.width() * 2)
                    .arg(total.height() * 2);
            image.setDevicePixelRatio(2.0);
            image.fill(Qt::white);
            QPainter p(&image);
            p.setRenderHint(QPainter::Antialiasing);
            if (!lines.lines.isEmpty())
                drawCaption(p, lines, captionFont, captionTop, total.width(), background, text);
            p.translate(0, pictureTop);
            paint(p, QRect(QPoint(0, 0), size));
        } else {
            image = view->grab().toImage();
            if (!lines.lines.isEmpty()) {
                const qreal ratio = image.devicePixelRatio();
                const QImage picture = image;
                image = QImage(picture.width(), picture.height() + int(std::ceil(lines.height * ratio)),
                               QImage::Format_ARGB32_Premultiplied);
                if (image.isNull())
                    return QStringLiteral("%1: the picture with its caption does not fit in memory")
                        .arg(path);
                image.setDevicePixelRatio(ratio);
                image.fill(background);
                const int width = int(std::floor(picture.width() / ratio));
                QPainter p(&image);
                p.setRenderHint(QPainter::Antialiasing);
                drawCaption(p, lines, captionFont, captionTop, width, background, text);
                p.drawImage(QPointF(0, pictureTop), picture);
            }
        }
        QBuffer png;
        png.open(QIODevice::WriteOnly);
        QImageWriter writer(&png, "PNG");
        if (!writer.write(image))
            return QStringLiteral("%1: the PNG cannot be made (%2)").arg(path, writer.errorString());
        return writeFileSafely(path, png.data());
    }
    if (format == ExportFormat::Svg) {
        QBuffer svgBytes;
        svgBytes.open(QIODevice::WriteOnly);
        QSvgGenerator svg;
        svg.setOutputDevice(&svgBytes);
        svg.setSize(total);
        svg.setViewBox(QRect(QPoint(0, 0), total));
        // Not the caption as the title or description: Qt 6.4 writes those without escaping them, so a
        // sentence with '&' or '<' would make the file unreadable. The caption's <text> is escaped.
        svg.setTitle(QStringLiteral("AttentionLab"));
        QPainter p;
        if (!p.begin(&svg))
            return QStringLiteral("%1: the SVG cannot be made").arg(path);
        if (!lines.lines.isEmpty())
            drawCaption(p, lines, captionFont, captionTop, total.width(), background, text);
        p.translate(0, pictureTop);
        if (whole)
            paint(p, QRect(QPoint(0, 0), size));
        else
            view->render(&p);
        p.end();
        // The generator writes the closing tag when the painter ends; without it the drawing is unfinished.
        if (!svgBytes.data().trimmed().endsWith("</svg>"))
            return QStringLiteral("%1: the SVG cannot be made (the drawing did not finish)").arg(path);
        return writeFileSafely(path, svgBytes.data());
    }
    return QStringLiteral("a view is exported as PNG or SVG, not CSV");
}

QString exportCsv(const MatrixModel &matrix, const QString &path)
{
    return writeFileSafely(path, matrix.toCsv().toUtf8());
}

namespace {

// True when position `i` of `text` is inside a character: between the halves of a surrogate pair, or
// before a combining mark that belongs to the letter in front of it.
bool insideCharacter(const QString &text, qsizetype i)
{
    return i > 0 && i < text.size() && (text.at(i).isLowSurrogate() || text.at(i).isMark());
}

// `text` at most `maxLength` characters long, its middle replaced by " … " when it is longer; the cuts
// prefer spaces near them and never split a character.
QString shortenInTheMiddle(const QString &text, int maxLength)
{
    if (text.size() <= maxLength)
        return text;
    const QString ellipsis = QStringLiteral(" … ");
    const qsizetype keep = std::max<qsizetype>(2, maxLength - ellipsis.size());
    qsizetype headEnd = (keep + 1) / 2;
    qsizetype tailStart = text.size() - (keep - headEnd);
    constexpr qsizetype kWordSlack = 16; // how far a cut may move back to land on a space
    const qsizetype space = text.lastIndexOf(QLatin1Char(' '), headEnd);
    if (space > 0 && headEnd - space <= kWordSlack)
        headEnd = space;
    const qsizetype nextSpace = text.indexOf(QLatin1Char(' '), tailStart - 1);
    if (nextSpace >= 0 && nextSpace + 1 - tailStart <= kWordSlack)
        tailStart = nextSpace + 1;
    while (insideCharacter(text, headEnd))
        --headEnd;
    while (insideCharacter(text, tailStart))
        ++tailStart;
    return text.left(headEnd).trimmed() + ellipsis + text.mid(tailStart).trimmed();
}

QString quoted(const QString &text)
{
    return QStringLiteral("“%1”").arg(text);
}

QString tokenText(const QStringList &tokens, int index)
{
    return quoted(shortenInTheMiddle(tokens.at(index).simplified(), 30));
}

// "trained model" for a built-in name, "model weights.json" for a file: its name, not the folders.
QString modelText(const QString &modelName)
{
    const QString name = modelName.trimmed();
    if (name.isEmpty())
        return QString();
    const QFileInfo file(name);
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) || !file.suffix().isEmpty())
        return QStringLiteral("model %1").arg(shortenInTheMiddle(file.fileName(), 40));
    if (name.contains(QLatin1String("model"), Qt::CaseInsensitive))
        return name;
    return QStringLiteral("%1 model").arg(name);
}

} // namespace

QString exportCaption(const AppState &state, const QString &modelName, const QStringList &tokens,
                      int headCount)
{
    QStringList details;
    details << stepTitleText(state.step);
    const QString model = modelText(modelName);
    if (!model.isEmpty())
        details << model;
    details << QStringLiteral("layer %1").arg(state.layer + 1);
    if (state.head < 0)
        details << (headCount > 0 ? QStringLiteral("mean of %1 heads").arg(headCount)
                                  : QStringLiteral("mean of the heads"));
    else if (headCount != 1) // a model with one head has nothing to tell apart
        details << QStringLiteral("head %1").arg(state.head + 1);
    if (state.mask == MaskMode::Causal) {
        details << QStringLiteral("causal mask");
    } else if (state.mask == MaskMode::Custom) {
        const int blocked = int(state.customBlocked.count());
        details << (blocked == 1 ? QStringLiteral("custom mask (1 cell blocked)")
                                 : QStringLiteral("custom mask (%1 cells blocked)").arg(blocked));
    }
    if (!state.scale)
        details << QStringLiteral("unscaled (no ÷ √d_k)");
    if (state.swapQK)
        details << QStringLiteral("Q and K swapped (K·Qᵀ)");
    const bool hasQuery = state.query >= 0 && state.query < tokens.size();
    if (hasQuery && state.key >= 0 && state.key < tokens.size())
        details << QStringLiteral("query %1, key %2")
                       .arg(tokenText(tokens, state.query), tokenText(tokens, state.key));
    else if (hasQuery)
        details << QStringLiteral("query %1").arg(tokenText(tokens, state.query));

    const QString separator = QStringLiteral(" · ");
    const QString detailLine = details.join(separator);
    const QString sentence = state.sentence.simplified();
    if (sentence.isEmpty())
        return detailLine;
    const QString first = quoted(shortenInTheMiddle(sentence, kCaptionSentenceLength));
    if (first.size() + separator.size() + detailLine.size() <= kCaptionSentenceLength)
        return first + separator + detailLine;
    return first + QLatin1Char('\n') + detailLine;
}

namespace {

// Letters that Unicode's decomposition leaves alone but that have a usual ASCII spelling.
QString asciiSpelling(QChar c)
{
    switch (c.unicode()) {
    case 0x00DF:
        return QStringLiteral("ss"); // ß
    case 0x00E6:
        return QStringLiteral("ae"); // æ
    case 0x00C6:
        return QStringLiteral("ae");
    case 0x0153:
        return QStringLiteral("oe"); // œ
    case 0x0152:
        return QStringLiteral("oe");
    case 0x00F8:
        return QStringLiteral("o"); // ø
    case 0x00D8:
        return QStringLiteral("o");
    case 0x0142:
        return QStringLiteral("l"); // ł
    case 0x0141:
        return QStringLiteral("l");
    case 0x0111:
        return QStringLiteral("d"); // đ
    case 0x0110:
        return QStringLiteral("d");
    case 0x00F0:
        return QStringLiteral("d"); // ð
    case 0x00FE:
        return QStringLiteral("th"); // þ
    case 0x0131:
        return QStringLiteral("i"); // dotless ı
    default:
        return QString();
    }
}

// `text` in lower-case ASCII letters, digits, '_' and single '-' between words, at most `maxLength`
// characters: accents are dropped ("Ünïcödé" is "unicode"), apostrophes vanish ("didn't" is "didnt"),
// other punctuation and spaces separate words, letters of other scripts and symbols are dropped.
QString fileNamePart(const QString &text, int maxLength)
{
    QString out;
    bool pendingDash = false;
    const auto append = [&](const QString &piece) {
        if (pendingDash && !out.isEmpty())
            out += QLatin1Char('-');
        pendingDash = false;
        out += piece;
    };
    for (const QChar c : text.normalized(QString::NormalizationForm_KD)) {
        const char16_t u = c.unicode();
        if ((u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '_')
            append(QString(c));
        else if (u >= 'A' && u <= 'Z')
            append(QString(c.toLower()));
        else if (u == '\'' || u == 0x2019 || u == 0x02BC || c.isMark())
            continue; // inside a word: "didn't", "l’homme"; the accents the decomposition split off
        else if (!asciiSpelling(c).isEmpty())
            append(asciiSpelling(c));
        else if (u < 0x80 || c.isSpace() || c.isPunct())
            pendingDash = true;
    }
    if (out.size() > maxLength) {
        out.truncate(maxLength);
        while (out.endsWith(QLatin1Char('-')))
            out.chop(1);
    }
    return out;
}

} // namespace

QString suggestedExportName(const AppState &state, const QStringList &tokens, const QString &what,
                            const QString &extension, int layerCount, int headCount)
{
    QStringList parts;
    parts << QString::fromStdString(stepKey(state.step));
    if (state.query >= 0 && state.query < tokens.size()) {
        const QString token = fileNamePart(tokens.at(state.query), 24);
        parts << (token.isEmpty() ? QStringLiteral("token%1").arg(state.query + 1) : token);
    }
    if (layerCount > 1)
        parts << QStringLiteral("layer%1").arg(state.layer + 1);
    if (headCount > 1)
        parts << (state.head < 0 ? QStringLiteral("avg") : QStringLiteral("head%1").arg(state.head + 1));
    if (state.mask == MaskMode::Causal)
        parts << QStringLiteral("causal");
    else if (state.mask == MaskMode::Custom)
        parts << QStringLiteral("custom-mask");
    if (!state.scale)
        parts << QStringLiteral("unscaled");
    if (state.swapQK)
        parts << QStringLiteral("swapped");
    const QString whatPart = fileNamePart(what, 32);
    if (!whatPart.isEmpty())
        parts << whatPart;

    QString suffix = fileNamePart(extension, 10);
    suffix.remove(QLatin1Char('-'));
    const int room = kMaxExportNameLength - (suffix.isEmpty() ? 0 : int(suffix.size()) + 1);
    // The step key and the parts made here are already safe; joining them cannot start with '.'.
    QString base = parts.join(QLatin1Char('-'));
    if (base.size() > room) {
        base.truncate(room);
        while (base.endsWith(QLatin1Char('-')))
            base.chop(1);
    }
    return suffix.isEmpty() ? base : base + QLatin1Char('.') + suffix;
}

namespace {
const QString kExportFolderKey = QStringLiteral("export/folder");
}

QString exportFolder(const QSettings *settings)
{
    if (settings) {
        const QString remembered = settings->value(kExportFolderKey).toString();
        if (!remembered.isEmpty() && QFileInfo(remembered).isDir())
            return QDir::cleanPath(remembered);
    }
    // A folder that was removed or unmounted since: where pictures usually go.
    for (const auto location : {QStandardPaths::PicturesLocation, QStandardPaths::DocumentsLocation}) {
        const QString folder = QStandardPaths::writableLocation(location);
        if (!folder.isEmpty() && QFileInfo(folder).isDir())
            return QDir::cleanPath(folder);
    }
    return QDir::homePath();
}

void rememberExportFolder(QSettings *settings, const QString &filePath)
{
    if (!settings || filePath.isEmpty())
        return;
    settings->setValue(kExportFolderKey, QFileInfo(filePath).absolutePath());
}

} // namespace attention
