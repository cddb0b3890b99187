// What a label or a tooltip really shows a learner, for the tests that check file strings stay literal.
#pragma once

#include <QString>
#include <QTextBlock>
#include <QTextDocument>

namespace attention::testing {

// The text Qt displays for `text` in `format`: rich text is laid out as a document, as Qt does it, and
// `images` counts the images that document would load.
inline QString shownText(const QString &text, Qt::TextFormat format, int *images)
{
    const bool rich = format == Qt::RichText || (format == Qt::AutoText && Qt::mightBeRichText(text));
    if (!rich)
        return text;
    QTextDocument doc;
    doc.setHtml(text);
    for (QTextBlock b = doc.begin(); b.isValid(); b = b.next())
        for (auto it = b.begin(); !it.atEnd(); ++it)
            *images += it.fragment().charFormat().isImageFormat() ? 1 : 0;
    return doc.toPlainText();
}

} // namespace attention::testing
