// The Code panel: two read-only listings with a gutter of line numbers, the current step's lines lit.
#include "codepanel.h"

#include "stagecontroller.h"
#include "theme.h"

#include <QAbstractTextDocumentLayout>
#include <QEvent>
#include <QFile>
#include <QFontDatabase>
#include <QLabel>
#include <QPainter>
#include <QRegularExpression>
#include <QResizeEvent>
#include <QScrollBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTextBlock>
#include <QTextEdit>
#include <QTimer>
#include <QVBoxLayout>

namespace attention {

namespace {
const QString kSourcePath = QStringLiteral("core/attention.cpp");
const QString kMarker = QStringLiteral("▶");

QColor litBackground()
{
    return QColor(0xFF, 0xEC, 0xB3); // a soft amber: dark text stays at full contrast on it
}

bool isBlank(const QString &line)
{
    return line.trimmed().isEmpty();
}

// The code of a line without its trailing comment (the file has no "//" inside strings).
QString codeOf(const QString &line)
{
    const qsizetype comment = line.indexOf(QStringLiteral("//"));
    return (comment < 0 ? line : line.left(comment)).trimmed();
}

bool endsStatement(const QString &code)
{
    return code.isEmpty() || code.endsWith(QLatin1Char(';')) || code.endsWith(QLatin1Char('{')) ||
           code.endsWith(QLatin1Char('}'));
}

QString withoutTrailingSpace(QString text)
{
    while (!text.isEmpty() && text.back().isSpace())
        text.chop(1);
    return text;
}

// The first line of a definition at namespace level: its signature.
bool startsDefinition(const QString &line)
{
    if (isBlank(line) || line.at(0).isSpace())
        return false;
    return !line.startsWith(QLatin1Char('{')) && !line.startsWith(QLatin1Char('}')) &&
           !line.startsWith(QLatin1Char('#')) && !line.startsWith(QStringLiteral("//")) &&
           !line.startsWith(QStringLiteral("namespace"));
}

// "118–119, 134": consecutive numbers as ranges.
QString ranges(QList<int> numbers)
{
    std::sort(numbers.begin(), numbers.end());
    QStringList parts;
    for (qsizetype i = 0; i < numbers.size();) {
        qsizetype j = i;
        while (j + 1 < numbers.size() && numbers[j + 1] <= numbers[j] + 1)
            ++j;
        parts << (numbers[j] == numbers[i] ? QString::number(numbers[i])
                                           : QStringLiteral("%1–%2").arg(numbers[i]).arg(numbers[j]));
        i = j + 1;
    }
    return parts.join(QStringLiteral(", "));
}
} // namespace

// A listing with a gutter: the line's number in its source, and a marker beside the lit lines. A QTextEdit,
// not a QPlainTextEdit, for its hanging indents: a line wrapped at the dock's width goes on further in.
class CodeView : public QTextEdit
{
public:
    explicit CodeView(QWidget *parent) : QTextEdit(parent), m_gutter(new Gutter(this))
    {
        setReadOnly(true);
        setUndoRedoEnabled(false);
        setAcceptRichText(false);
        document()->setDocumentMargin(2);
        setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
        // Wrapped at the dock's width: the lit part of a long line never hides past a scroll bar.
        setLineWrapMode(QTextEdit::WidgetWidth);
        setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        connect(verticalScrollBar(), &QScrollBar::valueChanged, m_gutter, qOverload<>(&QWidget::update));
        connect(document()->documentLayout(), &QAbstractTextDocumentLayout::update, m_gutter,
                qOverload<>(&QWidget::update));
        updateGutterWidth();
    }

    void setLines(const QList<CodeLine> &lines, bool swapped)
    {
        m_lines = lines;
        QStringList texts;
        for (const CodeLine &line : lines)
            texts << (swapped && !line.swappedText.isEmpty() ? line.swappedText : line.text);
        setPlainText(texts.join(QLatin1Char('\n')));
        updateGutterWidth();
        indentWrappedLines();
    }

    void setMarks(const QList<int> &lit, const QList<int> &dimmed)
    {
        m_lit = lit;
        QList<QTextEdit::ExtraSelection> marks;
        for (int block : lit) {
            QTextEdit::ExtraSelection mark;
            mark.cursor = QTextCursor(document()->findBlockByNumber(block));
            mark.format.setBackground(litBackground());
            mark.format.setProperty(QTextFormat::FullWidthSelection, true);
            marks << mark;
        }
        for (int block : dimmed) {
            QTextEdit::ExtraSelection mark;
            mark.cursor = QTextCursor(document()->findBlockByNumber(block));
            mark.cursor.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
            mark.format.setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            marks << mark;
        }
        setExtraSelections(marks);
        m_gutter->update();
    }

    // The lit lines in view, the first of them at least.
    void scrollToLit()
    {
        if (m_lit.isEmpty())
            return;
        // The lit lines a third of the way down when they fit, so that the lines before them (the comment
        // that says why) show too; else from their first line.
        const auto [first, last] = std::minmax_element(m_lit.begin(), m_lit.end());
        const QAbstractTextDocumentLayout *layout = document()->documentLayout();
        const QRectF top = layout->blockBoundingRect(document()->findBlockByNumber(*first));
        const QRectF bottom = layout->blockBoundingRect(document()->findBlockByNumber(*last));
        const double span = bottom.bottom() - top.top();
        const double room = viewport()->height();
        const double lead = span < room ? (room - span) / 3 : QFontMetricsF(font()).height();
        verticalScrollBar()->setValue(static_cast<int>(top.top() - lead));
        setTextCursor(QTextCursor(document()->findBlockByNumber(*first)));
    }

    // Where a block is drawn, in viewport coordinates.
    QRectF blockRect(const QTextBlock &block) const
    {
        return document()->documentLayout()->blockBoundingRect(block).translated(
            -horizontalScrollBar()->value(), -verticalScrollBar()->value());
    }

protected:
    void resizeEvent(QResizeEvent *event) override
    {
        QTextEdit::resizeEvent(event);
        const QRect r = contentsRect();
        m_gutter->setGeometry(r.left(), r.top(), gutterWidth(), r.height());
        // A new width wraps the lines anew and moves the lit ones: bring them back once laid out.
        if (event->size().width() != event->oldSize().width())
            QTimer::singleShot(0, this, [this] { scrollToLit(); });
    }

    void changeEvent(QEvent *event) override
    {
        QTextEdit::changeEvent(event);
        if (event->type() == QEvent::FontChange) {
            updateGutterWidth();
            indentWrappedLines();
        }
    }

private:
    class Gutter : public QWidget
    {
    public:
        explicit Gutter(CodeView *view) : QWidget(view), m_view(view) {}

    protected:
        void paintEvent(QPaintEvent *event) override { m_view->paintGutter(event->rect()); }

    private:
        CodeView *m_view;
    };

    int gutterWidth() const
    {
        int largest = 9;
        for (const CodeLine &line : m_lines)
            largest = std::max(largest, line.number);
        const QFontMetrics fm(font());
        return fm.horizontalAdvance(kMarker) + fm.horizontalAdvance(QString::number(largest)) +
               fm.horizontalAdvance(QLatin1Char(' ')) * 2;
    }

    void updateGutterWidth()
    {
        m_gutter->setFont(font());
        setViewportMargins(gutterWidth(), 0, 0, 0);
        const QRect r = contentsRect();
        m_gutter->setGeometry(r.left(), r.top(), gutterWidth(), r.height());
    }

    // A wrapped line continues two characters in from where its code starts.
    void indentWrappedLines()
    {
        const double space = QFontMetricsF(font()).horizontalAdvance(QLatin1Char(' '));
        QTextCursor cursor(document());
        cursor.beginEditBlock();
        for (QTextBlock block = document()->begin(); block.isValid(); block = block.next()) {
            const QString text = block.text();
            qsizetype leading = 0;
            while (leading < text.size() && text.at(leading) == QLatin1Char(' '))
                ++leading;
            QTextBlockFormat format = block.blockFormat();
            format.setLeftMargin((static_cast<double>(leading) + 2) * space);
            format.setTextIndent(-(static_cast<double>(leading) + 2) * space);
            cursor.setPosition(block.position());
            cursor.setBlockFormat(format);
        }
        cursor.endEditBlock();
    }

    void paintGutter(const QRect &area)
    {
        QPainter p(m_gutter);
        p.fillRect(area, palette().color(QPalette::AlternateBase));
        const QFontMetrics fm(font());
        const int space = fm.horizontalAdvance(QLatin1Char(' '));
        const int offset = viewport()->y() - m_gutter->y(); // the viewport's top in the gutter
        for (QTextBlock block = document()->begin(); block.isValid(); block = block.next()) {
            const QRectF r = blockRect(block).translated(0, offset);
            if (r.top() > area.bottom())
                break;
            if (r.bottom() < area.top())
                continue;
            // The number and the marker beside the block's first line, not the middle of a wrapped one.
            const QTextLayout *layout = block.layout();
            const double firstLine =
                layout && layout->lineCount() > 0 ? layout->lineAt(0).height() : fm.height();
            const QRect line(0, static_cast<int>(r.top()), m_gutter->width(), static_cast<int>(firstLine));
            const bool lit = m_lit.contains(block.blockNumber());
            if (lit) {
                p.fillRect(QRectF(0, r.top(), m_gutter->width(), r.height()), litBackground());
                p.setPen(palette().color(QPalette::Highlight));
                p.drawText(line, Qt::AlignLeft | Qt::AlignVCenter, kMarker);
            }
            const int number = block.blockNumber() < m_lines.size() ? m_lines[block.blockNumber()].number : 0;
            if (number > 0) {
                p.setPen(lit ? palette().color(QPalette::Text)
                             : palette().color(QPalette::Disabled, QPalette::Text));
                p.drawText(line.adjusted(0, 0, -space, 0), Qt::AlignRight | Qt::AlignVCenter,
                           QString::number(number));
            }
        }
    }

    Gutter *m_gutter;
    QList<CodeLine> m_lines;
    QList<int> m_lit;
};

QList<CodeLine> CodePanel::pseudocode()
{
    // The same computation as core/attention.cpp, in the words of the lessons: one function per level.
    const auto line = [](const char *text, std::optional<Step> step = std::nullopt,
                         const char *swapped = "") {
        return CodeLine{QString::fromUtf8(text), 0, step, QString::fromUtf8(swapped)};
    };
    QList<CodeLine> lines = {
        line("def self_attention(tokens, heads, W_O, mask):"),
        line("    X = embed(tokens) + positions(tokens)", Step::Embeddings),
        line("    outputs = [head(X, *W, mask) for W in heads]"),
        line("    concat = concatenate(outputs, axis=-1)", Step::Output),
        line("    return concat @ W_O", Step::Output),
        line(""),
        line("def head(X, W_Q, W_K, W_V, mask):"),
        line("    Q = X @ W_Q", Step::QKV),
        line("    K = X @ W_K", Step::QKV),
        line("    V = X @ W_V", Step::QKV),
        line("    scores = Q @ K.T", Step::Scores, "    scores = K @ Q.T  # swapped!"),
        line("    d_k = Q.shape[-1]", Step::Scale),
        line("    scaled = scores / sqrt(d_k)", Step::Scale),
        line("    masked = scaled + mask  # 0 or -inf", Step::Mask),
        line("    weights = softmax(masked, axis=-1)", Step::Softmax),
        line("    output = weights @ V", Step::WeightedSum),
        line("    return output"),
        line(""),
        line("def softmax(x, axis):"),
        line("    e = exp(x - x.max(axis, keepdims=True))", Step::Softmax),
        line("    return e / e.sum(axis, keepdims=True)", Step::Softmax),
    };
    for (qsizetype i = 0; i < lines.size(); ++i)
        lines[i].number = static_cast<int>(i) + 1;
    return lines;
}

QString CodePanel::embeddedSource()
{
    QFile file(QStringLiteral(":/source/") + kSourcePath);
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(file.readAll());
}

QList<CodeLine> CodePanel::sourceExcerpt(const QString &source, QStringList *problems)
{
    QStringList src = source.split(QLatin1Char('\n'));
    if (!src.isEmpty() && src.last().isEmpty())
        src.removeLast();
    const qsizetype n = src.size();

    // 1. Read the markers.
    static const QRegularExpression marker(QStringLiteral("^(.*?)//\\s*step:\\s*([A-Za-z-]+)\\s*$"));
    QList<std::optional<Step>> marked(n);
    for (qsizetype i = 0; i < n; ++i) {
        const QRegularExpressionMatch m = marker.match(src[i]);
        if (!m.hasMatch())
            continue;
        const std::optional<Step> step = stepFromKey(m.captured(2).toStdString());
        if (!step) {
            if (problems)
                *problems << QStringLiteral("line %1: unknown step “%2”").arg(i + 1).arg(m.captured(2));
            continue;
        }
        if (m.captured(1).trimmed().isEmpty()) {
            for (qsizetype j = i + 1;
                 j < n && !isBlank(src[j]) && !src[j].trimmed().startsWith(QStringLiteral("//")); ++j)
                marked[j] = step;
        } else {
            qsizetype j = i;
            marked[j] = step;
            while (!endsStatement(codeOf(src[j])) && j + 1 < n)
                marked[++j] = step;
        }
    }

    // 2. The functions that hold a marked line: from the signature to the closing brace at column 0.
    QList<QPair<qsizetype, qsizetype>> functions;
    for (qsizetype i = 0; i < n; ++i) {
        if (!marked[i] || (!functions.isEmpty() && i <= functions.last().second))
            continue;
        qsizetype start = i;
        while (start > 0 && !startsDefinition(src[start]))
            --start;
        qsizetype end = i;
        while (end + 1 < n && src[end] != QLatin1String("}"))
            ++end;
        functions.append({start, end});
    }

    // 3. Each function whole, but for long runs far from the marked lines.
    QList<CodeLine> out;
    for (const auto &[start, end] : functions) {
        if (!out.isEmpty())
            out.append(CodeLine{});
        qsizetype open = start;
        while (open < end && src[open] != QLatin1String("{"))
            ++open;
        QList<bool> keep(end - start + 1, false);
        for (qsizetype j = start; j <= end; ++j) {
            bool near = j <= open || j == end;
            for (qsizetype k = std::max(start, j - kContextLines);
                 !near && k <= std::min(end, j + kContextLines); ++k)
                near = marked[k].has_value();
            keep[j - start] = near;
        }
        for (qsizetype j = start; j <= end;) {
            qsizetype run = j;
            while (run <= end && !keep[run - start])
                ++run;
            if (run - j >= 2) {
                // At the indentation of the body (the folded runs are never a function's first lines).
                out.append(CodeLine{QStringLiteral("    ⋯ %1 lines").arg(run - j), 0, std::nullopt, {}});
                j = run;
                continue;
            }
            // The markers are for this panel, not for the learner: shown without them.
            const QRegularExpressionMatch m = marker.match(src[j]);
            if (!m.hasMatch())
                out.append(CodeLine{src[j], static_cast<int>(j) + 1, marked[j], {}});
            else if (!m.captured(1).trimmed().isEmpty())
                out.append(
                    CodeLine{withoutTrailingSpace(m.captured(1)), static_cast<int>(j) + 1, marked[j], {}});
            ++j;
        }
    }
    return out;
}

CodePanel::CodePanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_caption = new QLabel(this);
    m_caption->setWordWrap(true);
    m_caption->setTextFormat(Qt::PlainText);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->tabBar()->setElideMode(Qt::ElideNone);
    // Both titles whole at any zoom: the tabs set the panel's minimum width rather than scroll.
    m_tabs->tabBar()->setUsesScrollButtons(false);
    m_pseudo = new CodeView(m_tabs);
    m_pseudo->setObjectName(QStringLiteral("pseudocode"));
    m_pseudo->setAccessibleName(tr("Pseudocode of self-attention"));
    m_cpp = new CodeView(m_tabs);
    m_cpp->setObjectName(QStringLiteral("cppSource"));
    m_cpp->setAccessibleName(tr("C++ source of %1").arg(kSourcePath));
    m_tabs->addTab(m_pseudo, tr("Pseudocode"));
    m_tabs->addTab(m_cpp, tr("C++")); // short, so that both fit a narrow dock at 200 %
    m_tabs->setTabToolTip(1, kSourcePath);
    layout->addWidget(m_caption);
    layout->addWidget(m_tabs, 1);

    m_pseudoLines = pseudocode();
    m_cppLines = sourceExcerpt(embeddedSource());
    m_pseudo->setLines(m_pseudoLines, m_swapQK);
    m_cpp->setLines(m_cppLines, false);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        m_caption->setText(caption());
        QTimer::singleShot(
            0, this, [this] { scrollToLit(m_tabs->currentIndex() == 0 ? View::Pseudocode : View::Cpp); });
    });
    applyFont();
    refresh();
}

void CodePanel::follow(const StageController *controller)
{
    const auto options = [this, controller] {
        const AppState &s = controller->state();
        showOptions(s.mask, s.scale, s.swapQK);
    };
    connect(controller, &StageController::stepChanged, this, &CodePanel::showStep);
    connect(controller, &StageController::traceChanged, this, options);
    connect(controller, &StageController::viewChanged, this, options);
    options();
    showStep(controller->state().step);
}

void CodePanel::showStep(Step step)
{
    if (step == m_step)
        return;
    m_step = step;
    refresh();
}

void CodePanel::showOptions(MaskMode mask, bool scale, bool swapQK)
{
    if (mask == m_mask && scale == m_scale && swapQK == m_swapQK)
        return;
    const bool swapChanged = swapQK != m_swapQK;
    m_mask = mask;
    m_scale = scale;
    m_swapQK = swapQK;
    if (swapChanged)
        m_pseudo->setLines(m_pseudoLines, m_swapQK);
    refresh();
}

const QList<CodeLine> &CodePanel::lines(View view) const
{
    return view == View::Pseudocode ? m_pseudoLines : m_cppLines;
}

QList<int> CodePanel::litLines(View view) const
{
    QList<int> lit;
    const QList<CodeLine> &all = lines(view);
    for (qsizetype i = 0; i < all.size(); ++i)
        if (all[i].step == m_step)
            lit << static_cast<int>(i);
    return lit;
}

QList<int> CodePanel::dimmedLines(View view) const
{
    QList<int> dimmed;
    const QList<CodeLine> &all = lines(view);
    for (qsizetype i = 0; i < all.size(); ++i)
        if ((all[i].step == Step::Mask && m_mask == MaskMode::None) ||
            (all[i].step == Step::Scale && !m_scale))
            dimmed << static_cast<int>(i);
    return dimmed;
}

CodeView *CodePanel::viewOf(View view) const
{
    return view == View::Pseudocode ? m_pseudo : m_cpp;
}

QTextEdit *CodePanel::editor(View view) const
{
    return viewOf(view);
}

QString CodePanel::caption() const
{
    const bool pseudo = m_tabs->currentIndex() == 0;
    QList<int> numbers;
    const QList<CodeLine> &all = lines(pseudo ? View::Pseudocode : View::Cpp);
    for (int block : litLines(pseudo ? View::Pseudocode : View::Cpp))
        numbers << all[block].number;
    QString text = QString::fromStdString(stepTitle(m_step));
    if (numbers.isEmpty())
        return text;
    text +=
        numbers.size() == 1 ? tr(", line %1").arg(ranges(numbers)) : tr(", lines %1").arg(ranges(numbers));
    if (!pseudo)
        text += tr(" of %1").arg(kSourcePath);
    if (m_step == Step::Mask && m_mask == MaskMode::None)
        text += tr(" (no mask: the step changes nothing)");
    else if (m_step == Step::Scale && !m_scale)
        text += tr(" (scaling off: divided by 1)");
    return text;
}

void CodePanel::refresh()
{
    for (View view : {View::Pseudocode, View::Cpp}) {
        // A lit line stays at full contrast even when its step is off: the caption says it does nothing.
        const QList<int> lit = litLines(view);
        QList<int> dimmed = dimmedLines(view);
        dimmed.removeIf([&lit](int block) { return lit.contains(block); });
        viewOf(view)->setMarks(lit, dimmed);
        scrollToLit(view);
    }
    m_caption->setText(caption());
    setAccessibleDescription(m_caption->text());
}

void CodePanel::scrollToLit(View view)
{
    viewOf(view)->scrollToLit();
}

void CodePanel::applyFont()
{
    // Monospace at the panel's size: the dock's font carries the window's zoom.
    QFont base = font();
    if (base.pointSizeF() < theme::kMinimumPointSize)
        base.setPointSizeF(theme::kMinimumPointSize);
    m_caption->setFont(base);
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    mono.setStyleHint(QFont::Monospace);
    mono.setFixedPitch(true);
    mono.setPointSizeF(base.pointSizeF());
    m_pseudo->setFont(mono);
    m_cpp->setFont(mono);
    // The tab bar's own minimum forgets a zoom while the dock waits behind another tab: set it here.
    m_tabs->setMinimumWidth(m_tabs->tabBar()->sizeHint().width());
}

void CodePanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        applyFont();
}

void CodePanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // Once the listings have their size and have wrapped their lines.
    QTimer::singleShot(0, this, [this] {
        for (View view : {View::Pseudocode, View::Cpp})
            scrollToLit(view);
    });
}

} // namespace attention
