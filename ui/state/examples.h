// The example sentences offered in the Examples menu, each with what to look for.
#pragma once

#include <QList>
#include <QString>

namespace attention {

struct SampleSentence
{
    QString title;    // menu text
    QString sentence; // the text put in the sentence field
    QString focus;    // the token to select first
    QString hint;     // what to look for, shown in the status bar
    QString model;    // the built-in model the example is about ("didactic" or "trained")
    QString expect;   // the word `focus` attends to most (head average, some layer); "" makes no claim
};

QList<SampleSentence> builtinExamples();

} // namespace attention
