// Text that does not show whole, and controls without a name: the checks of every test that looks at the
// window as a person (or a screen reader) meets it.
#pragma once

#include "showntext.h"

#include <QAbstractButton>
#include <QAbstractSpinBox>
#include <QComboBox>
#include <QFontMetrics>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QStatusBar>
#include <QStringList>
#include <QTabBar>

namespace attention::testing {

// Whether `line` drawn in `font` within `width` pixels loses its end to "…".
inline bool elided(const QString &line, const QFont &font, int width)
{
    return QFontMetrics(font).elidedText(line, Qt::ElideRight, width) != line;
}

// Every label and button under `root` whose text does not show whole, with why. A word-wrapped label must
// be tall enough for its lines and wide enough for its longest word; any other label and every button must
// hold its text at its real width.
inline QStringList clippedTexts(QWidget *root)
{
    QStringList clipped;
    for (QLabel *label : root->findChildren<QLabel *>()) {
        if (!label->isVisibleTo(root) || label->text().isEmpty())
            continue;
        int images = 0;
        const QString shown = shownText(label->text(), label->textFormat(), &images);
        const QRect area = label->contentsRect();
        if (label->wordWrap()) {
            if (label->heightForWidth(area.width()) > area.height())
                clipped << QStringLiteral("label “%1”: %2 px tall, needs %3")
                               .arg(shown)
                               .arg(area.height())
                               .arg(label->heightForWidth(area.width()));
            const QRegularExpression space(QStringLiteral("\\s+"));
            for (const QString &word : shown.split(space, Qt::SkipEmptyParts))
                if (elided(word, label->font(), area.width()))
                    clipped << QStringLiteral("label “%1”: the word “%2” is wider than %3 px")
                                   .arg(shown, word)
                                   .arg(area.width());
            continue;
        }
        for (const QString &line : shown.split(QLatin1Char('\n')))
            if (elided(line, label->font(), area.width()))
                clipped << QStringLiteral("label “%1” in %2 px").arg(line).arg(area.width());
    }
    for (QAbstractButton *button : root->findChildren<QAbstractButton *>()) {
        if (!button->isVisibleTo(root) || button->text().isEmpty())
            continue;
        // The style's own size for the text (indicator, padding): below it, Qt cuts the text.
        if (button->width() < button->sizeHint().width())
            clipped << QStringLiteral("button “%1”: %2 px wide, needs %3")
                           .arg(button->text())
                           .arg(button->width())
                           .arg(button->sizeHint().width());
    }
    return clipped;
}

// Every tab of the tab bars under `root` (the docks' tabs are the main window's) that is cut or scrolled out
// of its bar, and a status line that does not fit.
inline QStringList clippedTabsAndStatus(QWidget *root)
{
    QStringList clipped;
    for (QTabBar *bar : root->findChildren<QTabBar *>()) {
        if (!bar->isVisibleTo(root))
            continue;
        for (int i = 0; i < bar->count(); ++i)
            if (bar->isTabVisible(i) && !bar->rect().contains(bar->tabRect(i)))
                clipped << QStringLiteral("tab “%1” outside its bar").arg(bar->tabText(i));
    }
    for (QStatusBar *status : root->findChildren<QStatusBar *>())
        if (status->isVisibleTo(root) && !status->currentMessage().isEmpty() &&
            elided(status->currentMessage(), status->font(), status->width() - 24))
            clipped << QStringLiteral("status “%1” in %2 px").arg(status->currentMessage()).arg(status->width());
    return clipped;
}

// Every control under `root` that a screen reader would announce without a name.
inline QStringList unnamedControls(QWidget *root)
{
    QStringList unnamed;
    for (QWidget *w : root->findChildren<QWidget *>()) {
        const bool control = qobject_cast<QAbstractButton *>(w) || qobject_cast<QComboBox *>(w) ||
                             qobject_cast<QAbstractSpinBox *>(w) || qobject_cast<QLineEdit *>(w);
        // A combo box's or a spin box's own line edit is announced as part of it.
        const bool inner = qobject_cast<QLineEdit *>(w) &&
                           (qobject_cast<QComboBox *>(w->parentWidget()) ||
                            qobject_cast<QAbstractSpinBox *>(w->parentWidget()));
        if (control && !inner && w->accessibleName().trimmed().isEmpty())
            unnamed << QStringLiteral("%1 “%2”").arg(QString::fromLatin1(w->metaObject()->className()),
                                                      w->objectName());
    }
    return unnamed;
}

} // namespace attention::testing
