// Exports (PNG, SVG, CSV) read back, and exports that fail for real: a file-size limit (EFBIG) or a full
// device (ENOSPC) must give an error naming the file and the reason, and leave the old file byte for byte.
#include "equationview.h"
#include "exporter.h"
#include "heatmapview.h"
#include "lineview.h"
#include "mainwindow.h"
#include "matrixmodel.h"
#include "modelio.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>
#include <csignal>
#include <limits>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace attention;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const QByteArray kOldBytes = "the slide I made last week\n\x01\x02\xff binary tail\n";

// While alive, files this process writes cannot grow past `bytes`: a write beyond fails with EFBIG
// ("File too large"), as a full disk fails with ENOSPC. SIGXFSZ is ignored in initTestCase, so the write
// returns the error instead of killing the test.
class FileSizeLimit
{
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        getrlimit(RLIMIT_FSIZE, &m_old);
        rlimit limited = m_old;
        limited.rlim_cur = m_old.rlim_max == RLIM_INFINITY ? bytes : std::min(bytes, m_old.rlim_max);
        m_ok = setrlimit(RLIMIT_FSIZE, &limited) == 0;
    }
    ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &m_old); }
    bool ok() const { return m_ok; }

private:
    rlimit m_old{};
    bool m_ok = false;
};

constexpr rlim_t kLimit = 100; // bytes: less than every export below (each test checks it)

// 3 × 3 with numbers that need all 17 digits, a masked cell and a label with a comma and a quote.
Eigen::MatrixXd smallMatrix()
{
    Eigen::MatrixXd m(3, 3);
    m << 0.1, 0.2, 0.7,       //
        0.25, 0.75, -kInf,    //
        1.0 / 3, 1e-300, 2.5; //
    return m;
}
const QStringList kTokens{QStringLiteral("the"), QStringLiteral("cat, \"Tom\""), QStringLiteral("sat")};

// 120 × 120 random-looking values: a CSV of about 300 KB, past QIODevice's 16 KB write buffer, so the
// data goes to the file in one large write rather than in the final flush.
Eigen::MatrixXd largeMatrix()
{
    Eigen::MatrixXd m(120, 120);
    for (Eigen::Index i = 0; i < m.size(); ++i)
        m.data()[i] = std::sin(double(i)) * 1e3 + 1.0 / (i + 3);
    return m;
}

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

void writeOld(const QString &path)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(kOldBytes), qint64(kOldBytes.size()));
}

QStringList entries(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                               QDir::Name);
}

// The CSV's cells, split on commas outside quotes, quotes undone.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> rows;
    for (const QString &line : text.split('\n', Qt::SkipEmptyParts)) {
        QStringList cells;
        QString cell;
        bool quoted = false;
        for (int i = 0; i < line.size(); ++i) {
            const QChar c = line[i];
            if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                cells << cell;
                cell.clear();
            } else {
                cell += c;
            }
        }
        cells << cell;
        rows << cells;
    }
    return rows;
}

// True when `bytes` is one well-formed XML document whose root is <svg>, closed.
bool isCompleteSvg(const QByteArray &bytes, QString *why)
{
    QXmlStreamReader xml(bytes);
    QString root;
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && root.isEmpty())
            root = xml.name().toString();
    }
    *why = xml.hasError() ? xml.errorString() : root;
    return !xml.hasError() && root == QLatin1String("svg") && bytes.trimmed().endsWith("</svg>");
}

} // namespace

class tst_Exporter : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();

    void csvHasTheMatrixNumbers();
    void svgIsCompleteXml();
    void pngLoadsAtTheRightSize();
    void overwritesAnOldFileWhenTheWriteSucceeds();

    void failedExportKeepsTheOldFile_data();
    void failedExportKeepsTheOldFile();
    void failedExportLeavesNoNewFile();
    void mainWindowExportsReportTheFailure();
    void fullDeviceReportsNoSpace();
    void folderIsRefusedAndKept();

private:
    void exportTo(const QString &format, const QString &path, QString *error);

    QTemporaryDir m_root;
    QString m_dir; // a fresh, empty folder per test function
    int m_serial = 0;
    HeatmapView *m_heatmap = nullptr;
    LineView *m_lines = nullptr;
    MatrixModel m_small;
    MatrixModel m_large;
    void (*m_oldXfsz)(int) = nullptr;
};

void tst_Exporter::initTestCase()
{
    QVERIFY(m_root.isValid());
    m_oldXfsz = std::signal(SIGXFSZ, SIG_IGN);
    m_small.setMatrix(smallMatrix(), kTokens, kTokens);
    QStringList labels;
    for (int i = 0; i < 120; ++i)
        labels << QStringLiteral("w%1").arg(i);
    m_large.setMatrix(largeMatrix(), labels, labels);
    m_heatmap = new HeatmapView;
    m_heatmap->resize(400, 300);
    m_heatmap->setMatrix(smallMatrix(), kTokens, kTokens);
    Eigen::MatrixXd weights(3, 3);
    weights << 0.5, 0.3, 0.2, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4;
    m_lines = new LineView;
    m_lines->resize(400, 300);
    m_lines->setWeights(weights, kTokens);
}

void tst_Exporter::cleanupTestCase()
{
    delete m_heatmap;
    delete m_lines;
    std::signal(SIGXFSZ, m_oldXfsz);
}

void tst_Exporter::init()
{
    m_dir = m_root.filePath(QString::number(++m_serial));
    QVERIFY(QDir().mkpath(m_dir));
}

// One export by name: "csv", "csv-large", "svg", "png", "lines-png", "lines-svg".
void tst_Exporter::exportTo(const QString &format, const QString &path, QString *error)
{
    if (format == QLatin1String("csv"))
        *error = exportCsv(m_small, path);
    else if (format == QLatin1String("csv-large"))
        *error = exportCsv(m_large, path);
    else if (format == QLatin1String("svg"))
        *error = exportView(m_heatmap, path, ExportFormat::Svg);
    else if (format == QLatin1String("png"))
        *error = exportView(m_heatmap, path, ExportFormat::Png);
    else if (format == QLatin1String("lines-svg"))
        *error = exportView(m_lines, path, ExportFormat::Svg);
    else if (format == QLatin1String("lines-png"))
        *error = exportView(m_lines, path, ExportFormat::Png);
    else
        QFAIL("unknown format");
}

void tst_Exporter::csvHasTheMatrixNumbers()
{
    const QString path = m_dir + QStringLiteral("/weights.csv");
    QCOMPARE(exportCsv(m_small, path), QString());
    const QList<QStringList> rows = parseCsv(QString::fromUtf8(readAll(path)));
    QCOMPARE(rows.size(), 4); // the header and three rows
    QCOMPARE(rows[0], (QStringList{QString(), kTokens[0], kTokens[1], kTokens[2]}));
    // Written as a person would: 0.2, not 0.20000000000000001.
    QCOMPARE(rows[1][2], QStringLiteral("0.2"));
    QCOMPARE(rows[2][1], QStringLiteral("0.25"));
    QCOMPARE(rows[3][1], QStringLiteral("0.3333333333333333"));
    const Eigen::MatrixXd m = smallMatrix();
    for (int r = 0; r < 3; ++r) {
        QCOMPARE(rows[r + 1].size(), 4);
        QCOMPARE(rows[r + 1][0], kTokens[r]);
        for (int c = 0; c < 3; ++c) {
            const QString cell = rows[r + 1][c + 1];
            if (std::isinf(m(r, c))) {
                QCOMPARE(cell, QStringLiteral("-inf"));
                continue;
            }
            bool ok = false;
            // The shortest decimal that reads back to the same double, bit for bit.
            QCOMPARE(cell.toDouble(&ok), m(r, c));
            QVERIFY(ok);
        }
    }
    QCOMPARE(entries(m_dir), QStringList{QStringLiteral("weights.csv")});
}

void tst_Exporter::svgIsCompleteXml()
{
    for (const QString &format : {QStringLiteral("svg"), QStringLiteral("lines-svg")}) {
        const QString path = m_dir + '/' + format + QStringLiteral(".svg");
        QString error;
        exportTo(format, path, &error);
        QCOMPARE(error, QString());
        const QByteArray bytes = readAll(path);
        QString why;
        QVERIFY2(isCompleteSvg(bytes, &why), qPrintable(format + ": " + why));
        QVERIFY(bytes.contains("AttentionLab")); // the title the exporter sets
        if (format == QLatin1String("svg"))
            QVERIFY(QString::fromUtf8(bytes).contains(QStringLiteral("−∞"))); // the masked cell
    }
}

void tst_Exporter::pngLoadsAtTheRightSize()
{
    // Whole views are drawn at twice their export size; other widgets are grabbed as they are on screen.
    const QString heat = m_dir + QStringLiteral("/heat.png");
    const QString lines = m_dir + QStringLiteral("/lines.png");
    const QString plain = m_dir + QStringLiteral("/plain.png");
    QCOMPARE(exportView(m_heatmap, heat, ExportFormat::Png), QString());
    QCOMPARE(exportView(m_lines, lines, ExportFormat::Png), QString());
    QWidget widget;
    widget.resize(123, 45);
    QCOMPARE(exportView(&widget, plain, ExportFormat::Png), QString());

    QImage image;
    QVERIFY(image.load(heat, "PNG"));
    QCOMPARE(image.size(), m_heatmap->exportSizeHint() * 2);
    QVERIFY(image.load(lines, "PNG"));
    QCOMPARE(image.size(), m_lines->exportSizeHint() * 2);
    QVERIFY(image.load(plain, "PNG"));
    QCOMPARE(image.size() / image.devicePixelRatio(), QSize(123, 45));
    QCOMPARE(entries(m_dir), (QStringList{QStringLiteral("heat.png"), QStringLiteral("lines.png"),
                                          QStringLiteral("plain.png")}));
}

void tst_Exporter::overwritesAnOldFileWhenTheWriteSucceeds()
{
    const QString path = m_dir + QStringLiteral("/weights.csv");
    writeOld(path);
    QCOMPARE(exportCsv(m_small, path), QString());
    QCOMPARE(readAll(path), m_small.toCsv().toUtf8());
    QCOMPARE(entries(m_dir), QStringList{QStringLiteral("weights.csv")});
}

void tst_Exporter::failedExportKeepsTheOldFile_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("suffix");
    // Through a buffered QSaveFile, a small CSV fails only in the final flush and a large one in a short
    // write; Qt 6.4's commit() then reported success for both and renamed the cut file over the old one.
    QTest::newRow("small csv") << QStringLiteral("csv") << QStringLiteral("csv");
    QTest::newRow("large csv") << QStringLiteral("csv-large") << QStringLiteral("csv");
    QTest::newRow("heatmap svg") << QStringLiteral("svg") << QStringLiteral("svg");
    QTest::newRow("heatmap png") << QStringLiteral("png") << QStringLiteral("png");
    QTest::newRow("lines svg") << QStringLiteral("lines-svg") << QStringLiteral("svg");
    QTest::newRow("lines png") << QStringLiteral("lines-png") << QStringLiteral("png");
}

void tst_Exporter::failedExportKeepsTheOldFile()
{
    QFETCH(QString, format);
    QFETCH(QString, suffix);
    // The same export without a limit, to know it is larger than the limit.
    QString error;
    const QString reference = m_root.filePath(QStringLiteral("reference-%1.%2").arg(m_serial).arg(suffix));
    exportTo(format, reference, &error);
    QCOMPARE(error, QString());
    QVERIFY2(QFileInfo(reference).size() > qint64(kLimit), qPrintable(QString::number(kLimit)));

    const QString path = m_dir + QStringLiteral("/slide.") + suffix;
    writeOld(path);
    {
        FileSizeLimit limit(kLimit);
        QVERIFY(limit.ok());
        exportTo(format, path, &error);
    }
    QCOMPARE(readAll(path), kOldBytes);
    QCOMPARE(entries(m_dir), QStringList{QStringLiteral("slide.") + suffix}); // no temporary file left
    QVERIFY2(error.contains(QStringLiteral("File too large")), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));

    // With the limit gone, the same export replaces the old file.
    exportTo(format, path, &error);
    QCOMPARE(error, QString());
    QCOMPARE(readAll(path).size(), readAll(reference).size());
}

void tst_Exporter::failedExportLeavesNoNewFile()
{
    const QString path = m_dir + QStringLiteral("/new.csv");
    QString error;
    {
        FileSizeLimit limit(kLimit);
        QVERIFY(limit.ok());
        error = exportCsv(m_large, path);
    }
    QCOMPARE(entries(m_dir), QStringList()); // neither a truncated new.csv nor a temporary file
    QVERIFY2(error.contains(QStringLiteral("File too large")), qPrintable(error));
}

void tst_Exporter::mainWindowExportsReportTheFailure()
{
    // The window's own export entry points (the menus call these): the equation is grabbed, not drawn
    // whole, so this also covers widgets without an export painter.
    const ModelLoad loaded = loadModel(QStringLiteral("didactic"));
    QVERIFY(loaded.ok());
    MainWindow w(loaded.model);
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setSentence(QStringLiteral("The cat sat on the mat."));
    QVERIFY(w.heatmapModel());

    const QString png = m_dir + QStringLiteral("/view.png");
    const QString svg = m_dir + QStringLiteral("/equation.svg");
    const QString csv = m_dir + QStringLiteral("/matrix.csv");
    for (const QString &path : {png, svg, csv})
        writeOld(path);
    QString viewError, equationError, csvError;
    {
        FileSizeLimit limit(kLimit);
        QVERIFY(limit.ok());
        viewError = w.exportCurrentView(png);
        equationError = w.exportEquation(svg);
        csvError = w.exportMatrixCsv(csv);
    }
    for (const QString &path : {png, svg, csv})
        QCOMPARE(readAll(path), kOldBytes);
    QCOMPARE(entries(m_dir), (QStringList{QStringLiteral("equation.svg"), QStringLiteral("matrix.csv"),
                                          QStringLiteral("view.png")}));
    for (const QString &error : {viewError, equationError, csvError})
        QVERIFY2(error.contains(QStringLiteral("File too large")), qPrintable(error));
    QVERIFY(viewError.contains(png) && equationError.contains(svg) && csvError.contains(csv));
}

void tst_Exporter::fullDeviceReportsNoSpace()
{
    // A device has no old bytes to keep: the export writes to it directly and must report ENOSPC, and the
    // device must still be a device afterwards (renaming a temporary file over it would replace it).
    // As root, a private copy of /dev/full (char 1, 7) keeps the system's own node out of harm's way.
    QString device = m_dir + QStringLiteral("/full");
    if (::mknod(QFile::encodeName(device).constData(), S_IFCHR | 0666, makedev(1, 7)) != 0 ||
        !QFile(device).open(QIODevice::WriteOnly)) {
        QFile::remove(device);
        if (::geteuid() == 0)
            QSKIP("cannot make a private /dev/full here, and a root test must not write near /dev/full");
        device = QStringLiteral("/dev/full");
    }
    for (const QString &format :
         {QStringLiteral("csv"), QStringLiteral("csv-large"), QStringLiteral("svg"), QStringLiteral("png")}) {
        QString error;
        exportTo(format, device, &error);
        QVERIFY2(error.contains(QStringLiteral("No space left on device")),
                 qPrintable(format + ": " + error));
        QVERIFY2(error.contains(device), qPrintable(error));
        struct stat st = {};
        QCOMPARE(::stat(QFile::encodeName(device).constData(), &st), 0);
        QVERIFY2(S_ISCHR(st.st_mode), qPrintable(format));
    }
}

void tst_Exporter::folderIsRefusedAndKept()
{
    const QString folder = m_dir + QStringLiteral("/slides.png");
    QVERIFY(QDir().mkpath(folder));
    writeOld(folder + QStringLiteral("/inside.txt"));
    const QString error = exportView(m_heatmap, folder, ExportFormat::Png);
    QVERIFY2(error.contains(folder) && error.contains(QStringLiteral("folder")), qPrintable(error));
    QCOMPARE(readAll(folder + QStringLiteral("/inside.txt")), kOldBytes);
    QCOMPARE(entries(m_dir), QStringList{QStringLiteral("slides.png")});
}

QTEST_MAIN(tst_Exporter)
#include "tst_exporter.moc"
