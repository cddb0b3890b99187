// PNG through QImage, SVG through QSvgGenerator, CSV from the table model.
#include "exporter.h"

#include "heatmapview.h"
#include "lineview.h"
#include "matrixmodel.h"

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
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
            image.setDevicePixelRatio(2.0);
            image.fill(Qt::white);
            QPainter p(&image);
            p.setRenderHint(QPainter::Antialiasing);
            paint(p, QRect(QPoint(0, 0), size));
        } else {
            image = view->grab().toImage();
        }
        if (!image.save(path, "PNG"))
            return QStringLiteral("%1: cannot be written").arg(path);
        return {};
    }
    if (format == ExportFormat::Svg) {
        QSvgGenerator svg;
        svg.setFileName(path);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(QStringLiteral("AttentionLab"));
        QPainter p;
        if (!p.begin(&svg))
            return QStringLiteral("%1: cannot be written").arg(path);
        if (whole)
            paint(p, QRect(QPoint(0, 0), size));
        else
            view->render(&p);
        p.end();
        if (!QFileInfo(path).isFile() || QFileInfo(path).size() == 0)
            return QStringLiteral("%1: cannot be written").arg(path);
        return {};
    }
    return QStringLiteral("a view is exported as PNG or SVG, not CSV");
}

QString exportCsv(const MatrixModel &matrix, const QString &path)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return QStringLiteral("%1: cannot be written (%2)").arg(path, file.errorString());
    file.write(matrix.toCsv().toUtf8());
    if (!file.commit())
        return QStringLiteral("%1: cannot be written (%2)").arg(path, file.errorString());
    return {};
}

} // namespace attention
