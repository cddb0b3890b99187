// Exports (PNG, SVG, CSV) read back, and exports that fail for real: a file-size limit (EFBIG) or a full
// device (ENOSPC) must give an error naming the file and the reason, and leave the old file byte for byte.
// Then what a teacher puts on a slide: the caption's wording, the caption drawn in the PNG and the SVG,
// the suggested file names and the remembered export folder.
#include "appstate.h"
#include "equationview.h"
#include "exporter.h"
#include "heatmapview.h"
#include "lineview.h"
#include "mainwindow.h"
#include "matrixmodel.h"
#include "modelio.h"

#include <QDir>
#include <QFile>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QSvgRenderer>
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

// The pixels of `rect` darker than mid-grey: the caption's text on a light background.
int darkPixels(const QImage &image, const QRect &rect)
{
    int dark = 0;
    for (int y = rect.top(); y <= rect.bottom(); ++y)
        for (int x = rect.left(); x <= rect.right(); ++x)
            dark += qGray(image.pixel(x, y)) < 128;
    return dark;
}

const QString kAnimal = QStringLiteral("The animal didn't cross the street because it was too tired.");
const QStringList kAnimalTokens{QStringLiteral("the"),     QStringLiteral("animal"), QStringLiteral("didn't"),
                                QStringLiteral("cross"),   QStringLiteral("the"),    QStringLiteral("street"),
                                QStringLiteral("because"), QStringLiteral("it"),     QStringLiteral("was"),
                                QStringLiteral("too"),     QStringLiteral("tired"),  QStringLiteral(".")};

AppState animalState()
{
    AppState s;
    s.sentence = kAnimal;
    s.step = Step::Softmax;
    s.layer = 1;
    s.head = 0;
    return s;
}

// The text of every element named `element`, in order.
QStringList elementTexts(const QByteArray &svg, const QString &element, QString *error)
{
    QStringList texts;
    QXmlStreamReader xml(svg);
    while (!xml.atEnd()) {
        if (xml.readNext() == QXmlStreamReader::StartElement && xml.name() == element)
            texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
    }
    *error = xml.hasError() ? xml.errorString() : QString();
    return texts;
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

    void captionDescribesTheState();
    void longSentenceIsShortenedInTheMiddle();
    void captionedPngGrowsByTheCaption();
    void captionAboveKeepsThePictureBelowIt();
    void longCaptionWrapsInsideANarrowPicture();
    void svgCaptionIsEscapedText();
    void suggestedNamesAreSafe();
    void exportFolderIsRememberedAndFallsBack();

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

void tst_Exporter::captionDescribesTheState()
{
    AppState s = animalState();
    // Short enough for one line: the sentence, then the step, the model, the layer and the head from 1.
    QCOMPARE(exportCaption(s, QStringLiteral("trained"), kAnimalTokens, 4),
             QStringLiteral("“The animal didn't cross the street because it was too tired.” · Softmax · "
                            "trained model · layer 2 · head 1"));

    // The mean of the heads, with the selected query: past 120 characters the details take a second line.
    s.head = -1;
    s.query = 7;
    QCOMPARE(exportCaption(s, QStringLiteral("trained"), kAnimalTokens, 4),
             QStringLiteral("“The animal didn't cross the street because it was too tired.”\n"
                            "Softmax · trained model · layer 2 · mean of 4 heads · query “it”"));
    QCOMPARE(exportCaption(s, QStringLiteral("trained"), kAnimalTokens),
             QStringLiteral("“The animal didn't cross the street because it was too tired.”\n"
                            "Softmax · trained model · layer 2 · mean of the heads · query “it”"));
    s.key = 1;
    QVERIFY(exportCaption(s, QStringLiteral("trained"), kAnimalTokens, 4)
                .endsWith(QStringLiteral("query “it”, key “animal”")));

    // Options that differ from the defaults; a one-head model names no head.
    AppState c;
    c.sentence = QStringLiteral("The cat sat.");
    c.step = Step::Scores;
    c.mask = MaskMode::Causal;
    c.scale = false;
    c.swapQK = true;
    QCOMPARE(exportCaption(c, QStringLiteral("didactic"), {"the", "cat", "sat", "."}, 1),
             QStringLiteral("“The cat sat.” · Scores · didactic model · layer 1 · causal mask · "
                            "unscaled (no ÷ √d_k) · Q and K swapped (K·Qᵀ)"));
    c.mask = MaskMode::Custom;
    c.customBlocked = BoolMatrix::Zero(4, 4);
    c.customBlocked(0, 1) = c.customBlocked(2, 3) = true;
    c.scale = true;
    c.swapQK = false;
    QCOMPARE(
        exportCaption(c, QStringLiteral("didactic"), {"the", "cat", "sat", "."}, 1),
        QStringLiteral("“The cat sat.” · Scores · didactic model · layer 1 · custom mask (2 cells blocked)"));

    // No sentence: no quotes, and a query left over from an earlier sentence is not named.
    AppState empty;
    empty.query = 3;
    QCOMPARE(exportCaption(empty, QStringLiteral("didactic"), {}),
             QStringLiteral("Embeddings · didactic model · layer 1 · head 1"));
    // A model file is named by its file, not its folders; whitespace in the sentence is collapsed.
    empty.sentence = QStringLiteral("  two\n lines\t here ");
    QCOMPARE(exportCaption(empty, QStringLiteral("/home/ada/models/tiny-2x2.json"), {}, 2),
             QStringLiteral("“two lines here” · Embeddings · model tiny-2x2.json · layer 1 · head 1"));
}

void tst_Exporter::longSentenceIsShortenedInTheMiddle()
{
    QStringList words;
    for (int i = 1; i <= 60; ++i)
        words << QStringLiteral("word%1").arg(i);
    AppState s;
    s.sentence = words.join(QLatin1Char(' ')); // 353 characters
    s.step = Step::Mask;
    const QStringList lines = exportCaption(s, QStringLiteral("didactic"), words, 1).split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 2);
    const QString first = lines[0];
    // The quotes around at most 120 characters, with the cut shown, between whole words.
    QVERIFY2(first.size() <= kCaptionSentenceLength + 2, qPrintable(first));
    QVERIFY2(first.size() >= kCaptionSentenceLength - 20, qPrintable(first));
    QVERIFY2(first.startsWith(QStringLiteral("“word1 word2 word3 ")), qPrintable(first));
    QVERIFY2(first.endsWith(QStringLiteral(" word59 word60”")), qPrintable(first));
    QVERIFY2(first.contains(QStringLiteral(" … ")), qPrintable(first));
    const QString inner = first.mid(1, first.size() - 2).remove(QStringLiteral(" …"));
    for (const QString &w : inner.split(QLatin1Char(' ')))
        QVERIFY2(words.contains(w), qPrintable(w)); // no word cut in half
    QCOMPARE(lines[1], QStringLiteral("Mask · didactic model · layer 1"));

    // A cut never splits a character: 200 emoji (surrogate pairs) keep whole pairs around the ellipsis.
    s.sentence = QString(200, QChar(0xD83D));
    for (int i = 0; i < 200; ++i)
        s.sentence[i] = i % 2 ? QChar(0xDE00) : QChar(0xD83D); // 100 × 😀
    s.sentence += s.sentence;
    const QString caption = exportCaption(s, QString(), {}, 1);
    const QString emoji = caption.section(QLatin1Char('\n'), 0, 0);
    QVERIFY(emoji.contains(QStringLiteral(" … ")));
    for (const QString &half : emoji.mid(1, emoji.size() - 2).split(QStringLiteral(" … "))) {
        QVERIFY(!half.isEmpty());
        QVERIFY2(half.size() % 2 == 0 && half.front().isHighSurrogate() && half.back().isLowSurrogate(),
                 qPrintable(QString::number(half.size())));
    }
}

void tst_Exporter::captionedPngGrowsByTheCaption()
{
    const QString caption = exportCaption(animalState(), QStringLiteral("trained"), kAnimalTokens, 4);
    const QString plainPath = m_dir + QStringLiteral("/plain.png");
    const QString captionedPath = m_dir + QStringLiteral("/captioned.png");
    QCOMPARE(exportView(m_heatmap, plainPath, ExportFormat::Png), QString());
    QCOMPARE(exportView(m_heatmap, captionedPath, ExportFormat::Png, caption), QString());
    QImage plain, captioned;
    QVERIFY(plain.load(plainPath, "PNG"));
    QVERIFY(captioned.load(captionedPath, "PNG"));

    // The caption's font is the view's, and never smaller than 11 pt.
    const QFont font = exportCaptionFont(m_heatmap);
    QVERIFY(font.pixelSize() >= QFontInfo(m_heatmap->font()).pixelSize());
    QVERIFY(font.pixelSize() >= int(11.0 * m_heatmap->logicalDpiY() / 72.0));
    const qreal lineSpacing = QFontMetricsF(font).lineSpacing();

    // Same width, taller by the caption: at twice the pixels. The 3 × 3 heatmap is about 300 px wide, so
    // this caption takes several lines, and a short one takes one line: about a line's height.
    const QSize size = m_heatmap->exportSizeHint();
    const int band = exportCaptionHeight(m_heatmap, caption, size.width());
    QCOMPARE(captioned.width(), plain.width());
    QCOMPARE(captioned.height(), plain.height() + 2 * band);
    QVERIFY2(band > 2 * lineSpacing,
             qPrintable(QStringLiteral("%1 px, %2 px a line").arg(band).arg(lineSpacing)));
    const int oneLine = exportCaptionHeight(m_heatmap, QStringLiteral("Softmax · layer 2"), size.width());
    QVERIFY2(oneLine >= lineSpacing && oneLine <= 2 * lineSpacing,
             qPrintable(QStringLiteral("%1 px, %2 px a line").arg(oneLine).arg(lineSpacing)));
    // Each further line adds one line's height.
    const int lineCount = qRound((band - oneLine) / lineSpacing) + 1;
    QVERIFY(lineCount >= 3);
    QVERIFY2(std::abs(band - oneLine - (lineCount - 1) * lineSpacing) <= 1.0,
             qPrintable(QString::number(band)));
    QCOMPARE(exportCaptionHeight(m_heatmap, QString(), size.width()), 0);
    QCOMPARE(exportCaptionHeight(m_heatmap, QStringLiteral("  \n "), size.width()), 0);

    // The picture above the caption is exactly the uncaptioned one; the band below holds dark text.
    const QImage top = captioned.copy(0, 0, plain.width(), plain.height()).convertToFormat(plain.format());
    QVERIFY(top == plain);
    const QRect bandRect(0, plain.height(), captioned.width(), captioned.height() - plain.height());
    const int dark = darkPixels(captioned, bandRect);
    QVERIFY2(dark > 200, qPrintable(QString::number(dark)));
    // Nothing touches the band's left and right edges: the text is not cut off at either side.
    QCOMPARE(darkPixels(captioned, QRect(0, bandRect.top(), 4, bandRect.height())), 0);
    QCOMPARE(darkPixels(captioned, QRect(captioned.width() - 4, bandRect.top(), 4, bandRect.height())), 0);

    // The line view draws its caption the same way.
    const QString linesPath = m_dir + QStringLiteral("/lines.png");
    QCOMPARE(exportView(m_lines, linesPath, ExportFormat::Png, caption), QString());
    QImage lines;
    QVERIFY(lines.load(linesPath, "PNG"));
    const QSize linesSize = m_lines->exportSizeHint();
    QCOMPARE(lines.size(),
             QSize(linesSize.width(),
                   linesSize.height() + exportCaptionHeight(m_lines, caption, linesSize.width())) *
                 2);
}

void tst_Exporter::captionAboveKeepsThePictureBelowIt()
{
    const QString caption = QStringLiteral("Softmax · didactic model · layer 1 · head 1");
    const QString plainPath = m_dir + QStringLiteral("/plain.png");
    const QString abovePath = m_dir + QStringLiteral("/above.png");
    QCOMPARE(exportView(m_lines, plainPath, ExportFormat::Png), QString());
    QCOMPARE(exportView(m_lines, abovePath, ExportFormat::Png, caption, CaptionPlacement::Above), QString());
    QImage plain, above;
    QVERIFY(plain.load(plainPath, "PNG"));
    QVERIFY(above.load(abovePath, "PNG"));
    const int band = above.height() - plain.height();
    QCOMPARE(band, 2 * exportCaptionHeight(m_lines, caption, m_lines->exportSizeHint().width()));
    QVERIFY(above.copy(0, band, plain.width(), plain.height()).convertToFormat(plain.format()) == plain);
    QVERIFY(darkPixels(above, QRect(0, 0, above.width(), band)) > 100);
}

void tst_Exporter::longCaptionWrapsInsideANarrowPicture()
{
    // A widget without an export painter is grabbed; a caption far wider than it wraps onto several lines,
    // all inside the picture's width.
    QWidget widget;
    widget.resize(160, 50);
    QPalette palette = widget.palette();
    palette.setColor(QPalette::Window, Qt::white);
    palette.setColor(QPalette::WindowText, Qt::black);
    widget.setPalette(palette);
    AppState s = animalState();
    s.query = 7;
    const QString caption = exportCaption(s, QStringLiteral("trained"), kAnimalTokens, 4);
    const int band = exportCaptionHeight(&widget, caption, 160);
    const qreal lineSpacing = QFontMetricsF(exportCaptionFont(&widget)).lineSpacing();
    QVERIFY2(band >= 5 * lineSpacing, qPrintable(QString::number(band / lineSpacing)));

    const QString path = m_dir + QStringLiteral("/narrow.png");
    QCOMPARE(exportView(&widget, path, ExportFormat::Png, caption), QString());
    QImage image;
    QVERIFY(image.load(path, "PNG"));
    const qreal ratio = widget.devicePixelRatioF();
    QCOMPARE(image.width(), qRound(160 * ratio));
    QCOMPARE(image.height(), qRound(50 * ratio) + int(std::ceil(band * ratio)));
    const QRect bandRect(0, qRound(50 * ratio), image.width(), image.height() - qRound(50 * ratio));
    QVERIFY(darkPixels(image, bandRect) > 300);
    QCOMPARE(darkPixels(image, QRect(0, bandRect.top(), 3, bandRect.height())), 0);
    QCOMPARE(darkPixels(image, QRect(image.width() - 3, bandRect.top(), 3, bandRect.height())), 0);
    // The last line is inside the band too: its bottom rows are empty again.
    QCOMPARE(darkPixels(image, QRect(0, image.height() - 2, image.width(), 2)), 0);
}

void tst_Exporter::svgCaptionIsEscapedText()
{
    AppState s;
    s.sentence = QStringLiteral("Say <b>&\"hi\"</b> & 'bye'");
    s.step = Step::Softmax;
    const QString caption = exportCaption(s, QStringLiteral("didactic"), {}, 1);
    QCOMPARE(caption, QStringLiteral("“Say <b>&\"hi\"</b> & 'bye'” · Softmax · didactic model · layer 1"));

    for (const auto placement : {CaptionPlacement::Below, CaptionPlacement::Above}) {
        const QString path = m_dir + QStringLiteral("/caption-%1.svg").arg(int(placement));
        QCOMPARE(exportView(m_heatmap, path, ExportFormat::Svg, caption, placement), QString());
        const QByteArray bytes = readAll(path);
        QString why;
        QVERIFY2(isCompleteSvg(bytes, &why), qPrintable(why));
        QVERIFY(!bytes.contains("<b>")); // the sentence's markup is text, not elements
        // Read back as XML, the caption's lines are the first <text> elements (it is drawn before the
        // picture), with the sentence as written; the 300 px wide export breaks it at spaces.
        QString error;
        const QStringList texts = elementTexts(bytes, QStringLiteral("text"), &error);
        QCOMPARE(error, QString());
        QVERIFY2(texts.join(QLatin1Char(' ')).startsWith(caption), qPrintable(texts.join(QLatin1Char('|'))));
        QVERIFY2(texts.value(0).contains(QStringLiteral("<b>&\"hi\"</b>")), qPrintable(texts.value(0)));
        QCOMPARE(elementTexts(bytes, QStringLiteral("title"), &error),
                 QStringList{QStringLiteral("AttentionLab")});

        // The drawing is taller by the caption, and the caption's band, drawn, holds dark text.
        QSvgRenderer renderer(bytes);
        QVERIFY(renderer.isValid());
        const QSize size = m_heatmap->exportSizeHint();
        const int band = exportCaptionHeight(m_heatmap, caption, size.width());
        QCOMPARE(renderer.viewBox(), QRect(0, 0, size.width(), size.height() + band));
        QImage image(renderer.viewBox().size(), QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter p(&image);
        renderer.render(&p);
        p.end();
        const QRect bandRect = placement == CaptionPlacement::Below
                                   ? QRect(0, size.height(), size.width(), band)
                                   : QRect(0, 0, size.width(), band);
        QVERIFY2(darkPixels(image, bandRect) > 50, qPrintable(QString::number(darkPixels(image, bandRect))));
    }
}

void tst_Exporter::suggestedNamesAreSafe()
{
    AppState s = animalState();
    s.query = 7; // "it"
    QCOMPARE(suggestedExportName(s, kAnimalTokens, QString(), QStringLiteral("png"), 2, 1),
             QStringLiteral("softmax-it-layer2.png"));
    s.head = -1;
    QCOMPARE(suggestedExportName(s, kAnimalTokens, QStringLiteral("equation"), QStringLiteral(".SVG"), 2, 4),
             QStringLiteral("softmax-it-layer2-avg-equation.svg"));
    s.head = 2;
    s.mask = MaskMode::Causal;
    s.scale = false;
    s.swapQK = true;
    QCOMPARE(suggestedExportName(s, kAnimalTokens, QStringLiteral("attention matrix"), QStringLiteral("csv"),
                                 2, 4),
             QStringLiteral("softmax-it-layer2-head3-causal-unscaled-swapped-attention-matrix.csv"));

    // Tricky tokens: an apostrophe vanishes, accents go, a path is no path, nothing left is "tokenN".
    AppState t;
    t.step = Step::WeightedSum;
    const QStringList tokens{QStringLiteral("didn't"), QStringLiteral("Ünïcödé"),
                             QStringLiteral(".."),     QStringLiteral("/etc/passwd"),
                             QStringLiteral("猫"),     QStringLiteral("Straße")};
    const QStringList expected{QStringLiteral("weighted-sum-didnt-matrix.png"),
                               QStringLiteral("weighted-sum-unicode-matrix.png"),
                               QStringLiteral("weighted-sum-token3-matrix.png"),
                               QStringLiteral("weighted-sum-etc-passwd-matrix.png"),
                               QStringLiteral("weighted-sum-token5-matrix.png"),
                               QStringLiteral("weighted-sum-strasse-matrix.png")};
    const QRegularExpression safe(QStringLiteral("^[a-z0-9_][a-z0-9_-]*(\\.[a-z0-9]+)?$"));
    for (int i = 0; i < tokens.size(); ++i) {
        t.query = i;
        const QString name = suggestedExportName(t, tokens, QStringLiteral("matrix"), QStringLiteral("png"));
        QCOMPARE(name, expected[i]);
        QVERIFY2(safe.match(name).hasMatch(), qPrintable(name));
    }

    // No sentence (and a query left over from one): the step alone; no extension, no dot.
    AppState empty;
    empty.query = 2;
    QCOMPARE(suggestedExportName(empty, {}, QString(), QStringLiteral("png")),
             QStringLiteral("embeddings.png"));
    QCOMPARE(suggestedExportName(empty, {}, QString(), QString()), QStringLiteral("embeddings"));
    QCOMPARE(suggestedExportName(empty, {}, QStringLiteral("../../.hidden"), QStringLiteral("..")),
             QStringLiteral("embeddings-hidden"));

    // Very long parts are cut to 80 characters with the extension, never ending in '-' before the dot.
    t.query = 0;
    const QStringList longTokens{QString(200, QLatin1Char('a'))};
    const QString longWhat = QString(6, QLatin1Char('b')) + QLatin1Char(' ') + QString(93, QLatin1Char('b'));
    const QString name = suggestedExportName(t, longTokens, longWhat, QStringLiteral("png"), 12, 12);
    QVERIFY2(name.size() <= kMaxExportNameLength, qPrintable(name));
    QVERIFY2(name.endsWith(QStringLiteral(".png")) && !name.contains(QStringLiteral("-.")), qPrintable(name));
    QVERIFY2(
        name.startsWith(QStringLiteral("weighted-sum-") + QString(24, QLatin1Char('a')) + "-layer1-head1-"),
        qPrintable(name));
    QVERIFY2(safe.match(name).hasMatch(), qPrintable(name));
}

void tst_Exporter::exportFolderIsRememberedAndFallsBack()
{
    // A home of our own, with no user-dirs.dirs: Pictures and Documents are $HOME/Pictures and
    // $HOME/Documents, and exist only when the test makes them.
    const QByteArray oldHome = qgetenv("HOME");
    const bool hadConfig = qEnvironmentVariableIsSet("XDG_CONFIG_HOME");
    const QByteArray oldConfig = qgetenv("XDG_CONFIG_HOME");
    const QString home = m_dir + QStringLiteral("/home");
    QVERIFY(QDir().mkpath(home + QStringLiteral("/.config")));
    qputenv("HOME", QFile::encodeName(home));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(home + QStringLiteral("/.config")));
    const auto restore = qScopeGuard([&] {
        qputenv("HOME", oldHome);
        if (!hadConfig)
            qunsetenv("XDG_CONFIG_HOME");
        else
            qputenv("XDG_CONFIG_HOME", oldConfig);
    });

    QCOMPARE(exportFolder(nullptr), home);
    QSettings settings(m_dir + QStringLiteral("/settings.ini"), QSettings::IniFormat);
    QCOMPARE(exportFolder(&settings), home);
    QVERIFY(QDir().mkpath(home + QStringLiteral("/Documents")));
    QCOMPARE(exportFolder(&settings), home + QStringLiteral("/Documents"));
    QVERIFY(QDir().mkpath(home + QStringLiteral("/Pictures")));
    QCOMPARE(exportFolder(&settings), home + QStringLiteral("/Pictures"));

    // The folder of the last export is remembered under "export/folder", and read back from the file.
    const QString slides = m_dir + QStringLiteral("/lesson 3/slides");
    QVERIFY(QDir().mkpath(slides));
    rememberExportFolder(&settings, slides + QStringLiteral("/softmax-it-layer2.png"));
    QCOMPARE(settings.value(QStringLiteral("export/folder")).toString(), slides);
    QCOMPARE(exportFolder(&settings), slides);
    settings.sync();
    {
        const QSettings again(m_dir + QStringLiteral("/settings.ini"), QSettings::IniFormat);
        QCOMPARE(exportFolder(&again), slides);
    }
    rememberExportFolder(&settings, QString()); // nothing to remember: the folder stays
    rememberExportFolder(nullptr, slides + QStringLiteral("/x.png"));
    QCOMPARE(exportFolder(&settings), slides);

    // Once the folder is gone (or was never a folder), Pictures again.
    QVERIFY(QDir(m_dir + QStringLiteral("/lesson 3")).removeRecursively());
    QCOMPARE(exportFolder(&settings), home + QStringLiteral("/Pictures"));
    writeOld(m_dir + QStringLiteral("/a-file"));
    settings.setValue(QStringLiteral("export/folder"), m_dir + QStringLiteral("/a-file"));
    QCOMPARE(exportFolder(&settings), home + QStringLiteral("/Pictures"));
}

QTEST_MAIN(tst_Exporter)
#include "tst_exporter.moc"
