// PNG through QImageWriter, SVG through QSvgGenerator, CSV from the table model; each is made in memory
// and then written with writeFileSafely, so a failed export never damages the file it would replace.
#include "exporter.h"

#include "heatmapview.h"
#include "lineview.h"
#include "matrixmodel.h"
#include "safewrite.h"

#include <QBuffer>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QSvgGenerator>
#include <QWidget>
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
    return false;
}

} // namespace

QString exportView(QWidget *view, const QString &path, ExportFormat format)
{
    if (!view)
        return QStringLiteral("there is no view to export");
    QSize size = view->size();
    std::function<void(QPainter &, const QRect &)> paint;
    const bool whole = wholeViewPainter(view, &size, &paint);
    if (size.isEmpty())
        return QStringLiteral("the view has no size yet");

    if (format == ExportFormat::Png) {
        QImage image;
        if (whole) {
            // Twice the pixels so text stays sharp when a slide is projected.
            image = QImage(size * 2, QImage::Format_ARGB32_Premultiplied);
            if (image.isNull())
                return QStringLiteral("%1: a %2 × %3 pixel image does not fit in memory")
                    .arg(path)
                    .arg(size.width() * 2)
                    .arg(size.height() * 2);
            image.setDevicePixelRatio(2.0);
            image.fill(Qt::white);
            QPainter p(&image);
            p.setRenderHint(QPainter::Antialiasing);
            paint(p, QRect(QPoint(0, 0), size));
        } else {
            image = view->grab().toImage();
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
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(QStringLiteral("AttentionLab"));
        QPainter p;
        if (!p.begin(&svg))
            return QStringLiteral("%1: the SVG cannot be made").arg(path);
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

} // namespace attention
