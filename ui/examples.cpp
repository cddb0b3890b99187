// Sentences written for AttentionLab: each shows one thing attention does (or cannot do) in one layer.
#include "examples.h"

#include <QCoreApplication>

namespace attention {

QList<Example> builtinExamples()
{
    auto tr = [](const char *s) { return QCoreApplication::translate("Examples", s); };
    return {
        {tr("Pronoun: the tired animal"),
         QStringLiteral("The animal didn't cross the street because it was too tired."), QStringLiteral("it"),
         tr("Select “it”: which word does it look at?")},
        {tr("Pronoun: the wide street"),
         QStringLiteral("The animal didn't cross the street because it was too wide."), QStringLiteral("it"),
         tr("Here “it” is the street, yet one layer still picks “animal”: its query never sees “wide”.")},
        {tr("Java the language"), QStringLiteral("Java programming is fun."), QStringLiteral("Java"),
         tr("“Java” looks for context and finds “programming”.")},
        {tr("Bank of a river"), QStringLiteral("We sat on the bank of the river."), QStringLiteral("bank"),
         tr("“bank” takes its sense from “river”.")},
        {tr("Bank for money"), QStringLiteral("She put her money in the bank."), QStringLiteral("bank"),
         tr("Same word, other neighbours: now “bank” leans on “money”.")},
        {tr("French: “la” looks back"), QStringLiteral("Marie a pris la pomme et la mange."),
         QStringLiteral("la"), tr("The second “la” stands for a noun said earlier: which one does it pick?")},
        {tr("Code: a variable used later"), QStringLiteral("total = price * count ; print ( total )"),
         QStringLiteral("total"),
         tr("A name used later should find where it was defined. This hand-set model has no feature for "
            "that, so its attention spreads evenly: a limit worth seeing.")},
        {tr("A bat in a cave"), QStringLiteral("The bat flew out of the cave."), QStringLiteral("bat"),
         tr("“bat” the animal: the cave settles it.")},
    };
}

} // namespace attention
