// The example sentences offered in the Examples menu, each with what to look for.
#pragma once

#include "appstate.h"

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
    QString expect;   // the word `focus` attends to most (head average, the example's layer); "" makes no claim
    int layer = -1;   // the layer the hint is about, from 0; -1 is the model's last layer
};

QList<SampleSentence> builtinExamples();
// The state an example opens in: its model and sentence, its focus token selected, at the Softmax step of
// the layer its hint describes, with the average of the heads and the default options. The rest (panels,
// zoom, decimals) is kept from `base`.
AppState exampleState(const SampleSentence &example, const AppState &base);

} // namespace attention
