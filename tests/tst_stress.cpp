// The main window under thousands of seeded random events: clicks, keys, odd text, model, layer and head
// switches, mask edits, steps, zoom and resizes. After every batch the event loop must still answer and
// the controller's state must agree with what the window shows. STRESS_SEED and STRESS_EVENTS run it
// longer or differently; STRESS_VERBOSE=1 prints every event before it happens (the last line printed
// before a crash is the event that crashed).
#include "equationview.h"
#include "heatmapview.h"
#include "lineview.h"
#include "mainwindow.h"
#include "matrixmodel.h"
#include "modelio.h"
#include "stepnavigator.h"
#include "tokenstrip.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDockWidget>
#include <QFile>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPointer>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolButton>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <random>

using namespace attention;

namespace {

// The suite's run: a fixed seed and a few thousand events, well under a minute.
constexpr quint32 kDefaultSeed = 12345;
constexpr int kDefaultEvents = 2000;
constexpr int kBatch = 50;
// The responsiveness check counts, it never times: a zero timer posted to a window that answers fires
// within a pass or two of the event loop, however slow the machine; one that has not fired after this many
// passes is behind a queue that refills itself. (A hang inside one event never returns to the checks at
// all: CTest's timeout ends the run, and STRESS_VERBOSE=1 prints each event before it runs.)
constexpr int kResponsivePasses = 100;

long long envNumber(const char *name, long long fallback)
{
    bool ok = false;
    const long long v = qEnvironmentVariable(name).toLongLong(&ok);
    return ok ? v : fallback;
}

// Closes any dialog or popup that opens, and remembers it. The test avoids what opens dialogs (export
// menus, Help, Quit); this is the net for what slips through, so the run can never block on a dialog.
class DialogCloser : public QObject
{
public:
    DialogCloser()
    {
        m_timer.setInterval(20);
        connect(&m_timer, &QTimer::timeout, this, [this] { closeAll(); });
        m_timer.start();
    }
    void closeAll()
    {
        if (QWidget *popup = QApplication::activePopupWidget()) {
            ++popups;
            popup->close();
        }
        if (QWidget *modal = QApplication::activeModalWidget()) {
            QString what = QString::fromLatin1(modal->metaObject()->className());
            if (auto *box = qobject_cast<QMessageBox *>(modal))
                what += QStringLiteral(": ") + box->text();
            dialogs << what;
            if (auto *dialog = qobject_cast<QDialog *>(modal))
                dialog->reject();
            else
                modal->close();
        }
    }
    int popups = 0;
    QStringList dialogs;

private:
    QTimer m_timer;
};

// Counts the widgets shown and hidden while one event settles. Scroll bars that appear and vanish in turn
// are a layout that never settles: past kLoopToggles, it names the widgets and stops the run, because
// the event loop would never return to the test.
class ShowHideSpy : public QObject
{
public:
    static constexpr int kLoopToggles = 200000;
    explicit ShowHideSpy(quint32 seed) : m_seed(seed) { qApp->installEventFilter(this); }
    ~ShowHideSpy() override { qApp->removeEventFilter(this); }
    void begin(int index, const QString &what)
    {
        m_index = index;
        m_what = what;
        m_counts.clear();
        m_total = 0;
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if ((event->type() == QEvent::Show || event->type() == QEvent::Hide) && watched->isWidgetType() &&
            ++m_total > kLoopToggles) {
            std::fprintf(stderr, "STRESS LAYOUT LOOP: event %d (%s), seed %u: %d shows and hides; most:\n",
                         m_index, qPrintable(m_what), m_seed, m_total);
            QList<QPair<int, QString>> top;
            for (auto it = m_counts.cbegin(); it != m_counts.cend(); ++it)
                top << qMakePair(it.value(), it.key());
            std::sort(top.begin(), top.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
            for (int i = 0; i < std::min<int>(8, int(top.size())); ++i)
                std::fprintf(stderr, "  %d  %s\n", top[i].first, qPrintable(top[i].second));
            std::fflush(stderr);
            std::abort();
        }
        if ((event->type() == QEvent::Show || event->type() == QEvent::Hide) && watched->isWidgetType()) {
            QString path;
            for (auto *o = watched; o; o = o->parent())
                path = QStringLiteral("%1(%2)/").arg(o->metaObject()->className(), o->objectName()) + path;
            ++m_counts[path];
        }
        return false;
    }

private:
    const quint32 m_seed;
    int m_index = -1;
    QString m_what;
    QHash<QString, int> m_counts;
    int m_total = 0;
};

bool insideMenus(const QWidget *w)
{
    for (; w; w = w->parentWidget())
        if (qobject_cast<const QMenuBar *>(w) || qobject_cast<const QMenu *>(w))
            return true;
    return false;
}

} // namespace

class tst_Stress : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void randomEvents();

private:
    // One random event; returns what it did, for the log.
    QString randomEvent(MainWindow &w);
    QString randomText();
    QString clickAt(QWidget *target, const QPoint &pos, bool twice = false);
    QString keyEvent(MainWindow &w);
    QString useBadModel(MainWindow &w);
    // Empty when the state is consistent; otherwise what disagrees.
    QString inconsistency(const MainWindow &w) const;
    int pick(int n) { return n <= 1 ? 0 : std::uniform_int_distribution<int>(0, n - 1)(m_rng); }
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    bool chance(double p) { return std::bernoulli_distribution(p)(m_rng); }

    std::mt19937 m_rng;
    QTemporaryDir m_dir;
    QStringList m_badModels;
    std::vector<std::string> m_vocabulary;
    int m_refusals = 0;
};

void tst_Stress::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // Model files that must each be refused with a message: not JSON, cut short, the wrong shapes, empty,
    // a folder, and a file that does not exist.
    const QList<QPair<QString, QByteArray>> bad = {
        {QStringLiteral("garbage.json"), QByteArray("\x00\xff\xfe not a model", 15)},
        {QStringLiteral("cut.json"),
         QByteArray("{\"name\": \"cut\", \"d_model\": 8, \"vocabulary\": [\"a\"")},
        {QStringLiteral("shapes.json"),
         QByteArray("{\"name\":\"x\",\"d_model\":4,\"d_k\":2,\"vocabulary\":[\"a\"],\"embeddings\":[[1,2]],"
                    "\"layers\":[]}")},
        {QStringLiteral("empty.json"), QByteArray()},
        {QStringLiteral("huge.json"),
         QByteArray("{\"name\":\"x\",\"d_model\":2000000000,\"d_k\":2000000000,\"vocabulary\":[]}")},
    };
    for (const auto &[name, bytes] : bad) {
        QFile f(m_dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        m_badModels << f.fileName();
    }
    m_badModels << m_dir.path() << m_dir.filePath(QStringLiteral("missing.json"));
}

QString tst_Stress::randomText()
{
    auto words = [this](int count) {
        QStringList out;
        for (int i = 0; i < count; ++i) {
            if (!m_vocabulary.empty() && chance(0.85))
                out << QString::fromStdString(
                    m_vocabulary[static_cast<std::size_t>(pick(static_cast<int>(m_vocabulary.size())))]);
            else
                out << QStringLiteral("zq%1").arg(pick(1000)); // a word no model knows
            if (chance(0.1))
                out.last() += QStringLiteral(".,;!?'").at(pick(6));
        }
        return out.join(' ');
    };
    static const QStringList odd = {
        QStringLiteral("👨‍👩‍👧 loves 🐈‍⬛ and 🇫🇷 🏳️‍🌈"),
        QStringLiteral("我爱你 it 猫が好き 고양이"),
        QStringLiteral("שלום it עולם مرحبا بالعالم"),
        QStringLiteral("a\u202Eb\u202Dc \u200B\u200D\uFEFF d"),
        QStringLiteral("Ｚａｌｇｏ t̸̢̛̛e̷̢x̶̨t̵̡ ̸̛"),
        QStringLiteral("\t\t\n\r the \u00A0 cat \u2028 sat"),
        QString(QChar(0xD800)) + QStringLiteral("x ") + QChar(0xDFFF) + QStringLiteral(" y"),
        QStringLiteral("\uFFFF \uFFFE \uFDD0 end"),
        QStringLiteral("... --- !!! ??? ,,,"),
        QStringLiteral("1234567890 3.14159 -0 1e308"),
        QStringLiteral("<b>bold</b> <img src=x> &amp; %1 %n"),
    };
    switch (pick(10)) {
    case 0:
        return {};
    case 1:
        return QString(between(1, 30), ' ');
    case 2: // a long sentence: a few hundred tokens
        return words(between(65, 400));
    case 3: { // one very long word
        QString s;
        for (int i = 0, n = between(200, 3000); i < n; ++i)
            s += QChar('a' + pick(26));
        return s;
    }
    case 4:
        return odd.at(pick(odd.size()));
    case 5: { // random code points, surrogate halves and controls included
        QString s;
        for (int i = 0, n = between(1, 60); i < n; ++i)
            s += QChar(static_cast<char16_t>(pick(0x10000)));
        return s;
    }
    case 6:
        return words(between(1, 3)) + ' ' + odd.at(pick(odd.size())) + ' ' + words(between(1, 5));
    default:
        return words(between(1, 20));
    }
}

QString tst_Stress::clickAt(QWidget *target, const QPoint &pos, bool twice)
{
    if (!target || insideMenus(target))
        return QStringLiteral("skip click");
    const Qt::KeyboardModifiers mods =
        chance(0.85) ? Qt::NoModifier : (chance(0.5) ? Qt::ShiftModifier : Qt::ControlModifier);
    const QString what =
        QStringLiteral("%1 %2 (%3) at %4,%5 mods %6")
            .arg(twice ? QStringLiteral("double-click") : QStringLiteral("click"),
                 QString::fromLatin1(target->metaObject()->className()), target->objectName())
            .arg(pos.x())
            .arg(pos.y())
            .arg(int(mods));
    if (twice)
        QTest::mouseDClick(target, Qt::LeftButton, mods, pos);
    else
        QTest::mouseClick(target, Qt::LeftButton, mods, pos);
    return what;
}

QString tst_Stress::keyEvent(MainWindow &w)
{
    struct Key
    {
        Qt::Key key;
        Qt::KeyboardModifiers mods;
        const char *name;
    };
    // No Ctrl+Q (quits), no Ctrl+Shift+P/S/C (file dialogs), no Alt+letter (menus).
    static const Key keys[] = {
        {Qt::Key_PageDown, Qt::NoModifier, "PageDown"},
        {Qt::Key_PageUp, Qt::NoModifier, "PageUp"},
        {Qt::Key_Left, Qt::NoModifier, "Left"},
        {Qt::Key_Right, Qt::NoModifier, "Right"},
        {Qt::Key_Up, Qt::NoModifier, "Up"},
        {Qt::Key_Down, Qt::NoModifier, "Down"},
        {Qt::Key_Tab, Qt::NoModifier, "Tab"},
        {Qt::Key_Backtab, Qt::ShiftModifier, "Shift+Tab"},
        {Qt::Key_Escape, Qt::NoModifier, "Escape"},
        {Qt::Key_Home, Qt::NoModifier, "Home"},
        {Qt::Key_End, Qt::NoModifier, "End"},
        {Qt::Key_Return, Qt::NoModifier, "Return"},
        {Qt::Key_Space, Qt::NoModifier, "Space"},
        {Qt::Key_Backspace, Qt::NoModifier, "Backspace"},
        {Qt::Key_Delete, Qt::NoModifier, "Delete"},
        {Qt::Key_Z, Qt::ControlModifier, "Ctrl+Z"},
        {Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier, "Ctrl+Shift+Z"},
        {Qt::Key_Plus, Qt::ControlModifier, "Ctrl++"},
        {Qt::Key_Minus, Qt::ControlModifier, "Ctrl+-"},
        {Qt::Key_Equal, Qt::ControlModifier, "Ctrl+="},
        {Qt::Key_0, Qt::ControlModifier, "Ctrl+0"},
        {Qt::Key_M, Qt::ControlModifier, "Ctrl+M"},
        {Qt::Key_L, Qt::ControlModifier, "Ctrl+L"},
        {Qt::Key_F, Qt::ControlModifier, "Ctrl+F"},
        {Qt::Key_A, Qt::ControlModifier, "Ctrl+A"},
        {Qt::Key_Right, Qt::AltModifier, "Alt+Right"},
        {Qt::Key_Left, Qt::AltModifier, "Alt+Left"},
        {Qt::Key_Down, Qt::ShiftModifier, "Shift+Down"},
        {Qt::Key_Right, Qt::ShiftModifier, "Shift+Right"},
    };
    QWidget *target = QApplication::focusWidget();
    if (!target || !w.isAncestorOf(target) || insideMenus(target) || chance(0.2))
        target = &w;
    const QString where = QString::fromLatin1(target->metaObject()->className());
    if (chance(0.25)) { // a letter or a digit, as typing
        const char c = chance(0.8) ? char('a' + pick(26)) : char('0' + pick(10));
        QTest::keyClick(target, c);
        return QStringLiteral("key '%1' to %2").arg(QChar(c)).arg(where);
    }
    const Key &k = keys[pick(int(std::size(keys)))];
    QTest::keyClick(target, k.key, k.mods);
    return QStringLiteral("key %1 to %2").arg(QLatin1String(k.name), where);
}

QString tst_Stress::useBadModel(MainWindow &w)
{
    const auto before = w.controller()->modelPointer();
    const QString path = m_badModels.at(pick(m_badModels.size()));
    const QString error = w.useModel(path);
    ++m_refusals;
    // Refused with a message, and the model in use stays.
    if (error.isEmpty())
        QTest::qFail(qPrintable(QStringLiteral("the bad model %1 was accepted").arg(path)), __FILE__,
                     __LINE__);
    else if (w.controller()->modelPointer() != before)
        QTest::qFail(qPrintable(QStringLiteral("refusing %1 changed the model").arg(path)), __FILE__,
                     __LINE__);
    return QStringLiteral("bad model %1: %2").arg(QFileInfo(path).fileName(), error.left(120));
}

QString tst_Stress::randomEvent(MainWindow &w)
{
    const AttentionTrace *trace = w.controller()->trace();
    const int n = trace ? trace->tokenCount() : 0;
    // How often each kind of event comes, out of 100: the upper bounds of their ranges.
    static const int kinds[] = {15, 30, 38, 41, 45, 65, 72, 75, 80, 85, 89, 92, 96, 98};
    const int kind = int(std::upper_bound(std::begin(kinds), std::end(kinds), pick(100)) - std::begin(kinds));
    switch (kind) {
    case 0: { // anywhere in the window
        const QPoint p(pick(w.width()), pick(w.height()));
        QWidget *child = w.childAt(p);
        return clickAt(child ? child : &w, child ? child->mapFrom(&w, p) : p, chance(0.1));
    }
    case 1: { // on one of the visible widgets
        QList<QWidget *> visible;
        for (QWidget *c : w.findChildren<QWidget *>())
            if (c->isVisible() && !insideMenus(c) && c->width() > 0 && c->height() > 0)
                visible << c;
        if (visible.isEmpty())
            return QStringLiteral("no widget");
        QWidget *c = visible.at(pick(visible.size()));
        return clickAt(c, QPoint(pick(c->width()), pick(c->height())), chance(0.05));
    }
    case 2: { // a heatmap cell, mask editing or not
        if (n == 0)
            return QStringLiteral("no cells");
        const QRect cell = w.heatmap()->cellRect(pick(n), pick(n));
        if (cell.isEmpty() || !w.heatmap()->viewport()->rect().contains(cell.center()))
            return QStringLiteral("cell out of sight");
        return clickAt(w.heatmap()->viewport(), cell.center());
    }
    case 3: { // a token chip
        const QRect chip = w.tokenStrip()->chipRect(pick(std::max(1, n)));
        return chip.isEmpty() ? QStringLiteral("no chip") : clickAt(w.tokenStrip(), chip.center());
    }
    case 4: { // resting the mouse somewhere (hover explanations)
        const QPoint p(pick(w.width()), pick(w.height()));
        QWidget *child = w.childAt(p);
        if (!child || insideMenus(child))
            return QStringLiteral("hover nowhere");
        QTest::mouseMove(child, child->mapFrom(&w, p));
        return QStringLiteral("hover %1 at %2,%3")
            .arg(child->metaObject()->className())
            .arg(p.x())
            .arg(p.y());
    }
    case 5:
        return keyEvent(w);
    case 6: { // new text in the sentence field: typed when short, pasted when long
        const QString text = randomText();
        QLineEdit *field = w.sentenceField();
        const QString shown = QStringLiteral("%1 chars \"%2\"").arg(text.size()).arg(text.left(40));
        if (text.size() <= 30 && chance(0.5)) {
            field->setFocus();
            QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
            // One key event per code point, carrying its text: QTest::keyClicks only knows ASCII.
            for (int k = 0; k < text.size(); ++k) {
                const int len = text.at(k).isHighSurrogate() && k + 1 < text.size() ? 2 : 1;
                QTest::sendKeyEvent(QTest::Click, field, Qt::Key_unknown, text.mid(k, len), Qt::NoModifier);
                k += len - 1;
            }
            return QStringLiteral("type ") + shown;
        }
        field->selectAll();
        field->insert(text);
        return QStringLiteral("paste ") + shown;
    }
    case 7: { // a built-in model, or a bad file
        if (chance(0.3))
            return useBadModel(w);
        QComboBox *models = w.modelSelector();
        const int index = pick(models->count());
        models->setCurrentIndex(index);
        return QStringLiteral("model %1").arg(models->itemText(index));
    }
    case 8: { // layer and head
        if (chance(0.5)) {
            QComboBox *heads = w.headSelector();
            const int index = pick(heads->count());
            heads->setCurrentIndex(index);
            return QStringLiteral("head %1").arg(heads->itemText(index));
        }
        QSpinBox *layer = nullptr;
        for (QSpinBox *s : w.findChildren<QSpinBox *>())
            if (s->parentWidget() == w.headSelector()->parentWidget() && s->minimum() == 1)
                layer = s;
        if (layer && chance(0.7)) {
            const int v = between(layer->minimum(), layer->maximum());
            layer->setValue(v);
            return QStringLiteral("layer spin box %1").arg(v);
        }
        const int l = between(-2, 14);
        w.controller()->setLayer(l); // out of range on purpose: the controller must clamp
        return QStringLiteral("setLayer(%1)").arg(l);
    }
    case 9: { // the mask and the options
        QAbstractButton *buttons[] = {w.editMaskButton(), w.causalMaskBox(), w.scaleBox(), w.swapBox()};
        QAbstractButton *b = buttons[chance(0.5) ? 0 : pick(4)];
        if (!b->isVisible())
            b->toggle();
        else
            QTest::mouseClick(b, Qt::LeftButton, {}, b->rect().center());
        return QStringLiteral("toggle %1 -> %2").arg(b->objectName()).arg(b->isChecked());
    }
    case 10: { // steps
        if (chance(0.5)) {
            const Step s = kAllSteps[static_cast<std::size_t>(pick(8))];
            w.controller()->setStep(s);
            return QStringLiteral("setStep(%1)").arg(stepIndex(s));
        }
        if (chance(0.5))
            w.stepNavigator()->next();
        else
            w.stepNavigator()->previous();
        return QStringLiteral("navigator next/previous");
    }
    case 11: { // zoom: text size, heatmap cells, Ctrl+wheel
        const int kind = pick(3);
        if (kind == 0) {
            const double z = std::uniform_real_distribution<double>(0.4, 3.4)(m_rng);
            w.setZoom(z);
            return QStringLiteral("setZoom(%1)").arg(z);
        }
        if (kind == 1) {
            const double cell = std::uniform_real_distribution<double>(0.5, 200)(m_rng);
            w.heatmap()->setCellSize(cell);
            return QStringLiteral("heatmap cell %1").arg(cell);
        }
        QWidget *target = w.heatmap()->viewport();
        const QPointF pos(pick(std::max(1, target->width())), pick(std::max(1, target->height())));
        const int delta = chance(0.5) ? 120 : -120;
        const Qt::KeyboardModifiers mods = chance(0.6) ? Qt::ControlModifier : Qt::NoModifier;
        QWheelEvent wheel(pos, target->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton, mods,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(target, &wheel);
        return QStringLiteral("wheel %1 mods %2").arg(delta).arg(int(mods));
    }
    case 12: { // resize, from 400 × 300 up to 1920 × 1080
        QSize size(between(400, 1920), between(300, 1080));
        const int corner = pick(6);
        if (corner == 0)
            size = QSize(400, 300);
        else if (corner == 1)
            size = QSize(1920, 1080);
        w.resize(size);
        return QStringLiteral("resize %1x%2").arg(size.width()).arg(size.height());
    }
    case 13: { // panels
        static const QStringList names = {QStringLiteral("explain"),  QStringLiteral("grid"),
                                          QStringLiteral("flow"),     QStringLiteral("compare"),
                                          QStringLiteral("pipeline"), QStringLiteral("nonsense")};
        if (chance(0.6)) {
            const QString name = names.at(pick(names.size()));
            const bool ok = w.showPanel(name);
            if (ok == (name == QLatin1String("nonsense")))
                QTest::qFail(qPrintable(QStringLiteral("showPanel(%1) returned %2").arg(name).arg(ok)),
                             __FILE__, __LINE__);
            return QStringLiteral("showPanel(%1)").arg(name);
        }
        const QList<QDockWidget *> docks = w.findChildren<QDockWidget *>();
        if (docks.isEmpty())
            return QStringLiteral("no docks");
        QDockWidget *d = docks.at(pick(docks.size()));
        d->toggleViewAction()->trigger();
        return QStringLiteral("toggle dock %1").arg(d->objectName());
    }
    default: { // an example from the Examples menu
        QList<QAction *> examples;
        for (QAction *menu : w.menuBar()->actions())
            if (menu->menu() && menu->text().contains(QStringLiteral("xamples")))
                for (QAction *a : menu->menu()->actions())
                    if (!a->isSeparator())
                        examples << a;
        if (examples.isEmpty())
            return QStringLiteral("no examples");
        QAction *a = examples.at(pick(examples.size()));
        a->trigger();
        return QStringLiteral("example %1").arg(a->text());
    }
    }
}

QString tst_Stress::inconsistency(const MainWindow &w) const
{
    const StageController *c = w.controller();
    const AppState &s = c->state();
    if (!w.isVisible())
        return QStringLiteral("the window is no longer shown");
    if (w.sentenceField()->text() != s.sentence)
        return QStringLiteral("the sentence field and the controller disagree");
    const int step = stepIndex(s.step);
    if (step < 0 || step >= int(kAllSteps.size()))
        return QStringLiteral("step %1 is not a step").arg(step);
    if (w.stepNavigator()->step() != s.step)
        return QStringLiteral("the navigator shows step %1, the controller has %2")
            .arg(stepIndex(w.stepNavigator()->step()))
            .arg(step);
    // The banner says why the views do not simply show the text typed: a problem, a cut, an update.
    const bool explained = !c->problem().isEmpty() || c->truncatedFrom() > 0 || c->isUpdating();
    if (w.problemBanner()->isHidden() == explained)
        return QStringLiteral("the banner is %1 but the problem is \"%2\"")
            .arg(w.problemBanner()->isHidden() ? QStringLiteral("hidden") : QStringLiteral("shown"),
                 c->problem());
    const AttentionTrace *t = c->trace();
    if (c->isEmpty()) {
        if (!w.showsEmptyState())
            return QStringLiteral("blank text, but no empty state");
        return {};
    }
    // Text with no trace yet: there must be a reason on screen, a problem or the banner's "Computing the
    // attention of the text…" while a long text is traced in the background (on a loaded machine that
    // can outlast the check's passes of the event loop).
    if (!t) {
        if (c->problem().isEmpty() && !c->isUpdating())
            return QStringLiteral("no trace, no problem message and nothing being computed");
        return {};
    }
    const int n = t->tokenCount();
    if (n <= 0 || n > kMaxTokens)
        return QStringLiteral("%1 tokens").arg(n);
    // The selection belongs to the text; the trace shown may be shorter (a model's first positions only, or
    // the last text that worked while a longer one is traced), and the views check against it.
    const int typed = static_cast<int>(tokenize(s.sentence.toStdString()).size());
    if (s.query < -1 || s.query >= typed || s.key < -1 || s.key >= typed)
        return QStringLiteral("selection %1, %2 outside %3 tokens").arg(s.query).arg(s.key).arg(typed);
    if (w.tokenStrip()->selected() >= n)
        return QStringLiteral("the token strip selects %1 of %2 tokens").arg(w.tokenStrip()->selected()).arg(n);
    const int layers = static_cast<int>(t->layers.size());
    if (s.layer < 0 || s.layer >= layers)
        return QStringLiteral("layer %1 of %2").arg(s.layer).arg(layers);
    const int heads = static_cast<int>(t->layers[static_cast<std::size_t>(s.layer)].heads.size());
    if (s.head < -1 || s.head >= heads)
        return QStringLiteral("head %1 of %2").arg(s.head).arg(heads);
    const HeadTrace *h = c->headTrace();
    if (!h)
        return QStringLiteral("a trace without a head trace");
    if (h->weights.rows() != n || h->weights.cols() != n)
        return QStringLiteral("weights %1 x %2 for %3 tokens")
            .arg(h->weights.rows())
            .arg(h->weights.cols())
            .arg(n);
    for (int i = 0; i < n; ++i) {
        const double sum = h->weights.row(i).sum();
        // A softmax row sums to 1; a fully masked row is all 0.
        if (!(std::abs(sum - 1.0) < 1e-9 || (t->fullyMasked[static_cast<std::size_t>(i)] && sum == 0.0)))
            return QStringLiteral("weights row %1 sums to %2").arg(i).arg(sum, 0, 'g', 17);
    }
    if (t->blocked.rows() != n || t->blocked.cols() != n)
        return QStringLiteral("mask %1 x %2 for %3 tokens")
            .arg(t->blocked.rows())
            .arg(t->blocked.cols())
            .arg(n);
    if (w.tokenStrip()->count() != n)
        return QStringLiteral("the token strip has %1 chips for %2 tokens")
            .arg(w.tokenStrip()->count())
            .arg(n);
    if (w.weightsModel()->rowCount() != n)
        return QStringLiteral("the weights model has %1 rows for %2 tokens")
            .arg(w.weightsModel()->rowCount())
            .arg(n);
    if (!w.heatmapModel() || w.heatmapModel()->rowCount() != n)
        return QStringLiteral("the heatmap's matrix does not have %1 rows").arg(n);
    return {};
}

void tst_Stress::randomEvents()
{
    const quint32 seed = static_cast<quint32>(envNumber("STRESS_SEED", kDefaultSeed));
    const int events =
        static_cast<int>(std::clamp<long long>(envNumber("STRESS_EVENTS", kDefaultEvents), 1, 10000000));
    const bool verbose = envNumber("STRESS_VERBOSE", 0) != 0;
    m_rng.seed(seed);

    const ModelLoad loaded = loadModel(QStringLiteral("didactic"));
    QVERIFY(loaded.ok());
    MainWindow w(loaded.model); // no settings: nothing is read from or written to the user's
    w.resize(1366, 768);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const ModelLoad trained = loadModel(QStringLiteral("trained"));
    for (const auto &m : {loaded, trained})
        if (m.ok())
            m_vocabulary.insert(m_vocabulary.end(), m.model->vocabulary.begin(), m.model->vocabulary.end());

    DialogCloser closer;
    ShowHideSpy loops(seed);
    std::deque<QString> recent; // the last events, shown when a check fails
    for (int i = 0; i < events; ++i) {
        if (verbose) // the event's description follows once it has run; a crash leaves only the number
            std::fprintf(stderr, "stress %u #%d: ", seed, i);
        // Draw the event first so the log line can name it before it runs.
        const QString what = randomEvent(w);
        loops.begin(i, what);
        QCoreApplication::processEvents();
        closer.closeAll();
        if (verbose)
            std::fprintf(stderr, "%s\n", qPrintable(what));
        recent.push_back(QStringLiteral("#%1 %2").arg(i).arg(what));
        if (recent.size() > 12)
            recent.pop_front();
        if (QTest::currentTestFailed())
            break;
        if ((i + 1) % kBatch != 0 && i + 1 != events)
            continue;

        bool answered = false;
        QTimer::singleShot(0, &w, [&answered] { answered = true; });
        for (int pass = 0; pass < kResponsivePasses && !answered; ++pass)
            QCoreApplication::processEvents();
        QVERIFY2(answered,
                 qPrintable(QStringLiteral("seed %1, after event %2: a zero timer had not fired after "
                                           "%3 passes of the event loop")
                                .arg(seed)
                                .arg(i)
                                .arg(kResponsivePasses)));
        const QString problem = inconsistency(w);
        if (!problem.isEmpty()) {
            QStringList log(recent.begin(), recent.end());
            QFAIL(qPrintable(QStringLiteral("seed %1, after event %2: %3\nlast events:\n  %4")
                                 .arg(seed)
                                 .arg(i)
                                 .arg(problem, log.join(QStringLiteral("\n  ")))));
        }
    }
    if (QTest::currentTestFailed()) {
        QStringList log(recent.begin(), recent.end());
        qWarning("seed %u; last events:\n  %s", seed, qPrintable(log.join(QStringLiteral("\n  "))));
        return;
    }
    // "Being computed" excuses a missing trace only for a while: the last text's trace arrives, and then
    // everything must agree again.
    QTRY_VERIFY_WITH_TIMEOUT(!w.controller()->isUpdating(), 60000);
    const QString settled = inconsistency(w);
    QVERIFY2(settled.isEmpty(),
             qPrintable(QStringLiteral("seed %1, once the last trace arrived: %2").arg(seed).arg(settled)));
    qInfo("seed %u: %d events; %d bad models refused; %d popups and %d dialogs closed%s%s", seed, events,
          m_refusals, closer.popups, int(closer.dialogs.size()), closer.dialogs.isEmpty() ? "" : ": ",
          qPrintable(closer.dialogs.join(QStringLiteral("; "))));
}

QTEST_MAIN(tst_Stress)
#include "tst_stress.moc"
