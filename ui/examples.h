// The example sentences offered in the Examples menu, each with what to look for.
#pragma once

#include <QList>
#include <QString>

namespace attention {

struct Example
{
    QString title;    // menu text
    QString sentence; // the text put in the sentence field
    QString focus;    // the token to select first
    QString hint;     // what to look for, shown in the status bar
};

QList<Example> builtinExamples();

} // namespace attention
