// Sentences written for AttentionLab: each shows one thing attention does (or cannot do) in one layer.
#include "examples.h"

#include <QCoreApplication>

namespace attention {

QList<SampleSentence> builtinExamples()
{
    auto tr = [](const char *s) { return QCoreApplication::translate("Examples", s); };
    const QString didactic = QStringLiteral("didactic");
    QList<SampleSentence> examples = {
        {tr("Pronoun: the tired animal"),
         QStringLiteral("The animal didn't cross the street because it was too tired."), QStringLiteral("it"),
         tr("Select “it”: which word does it look at?"), didactic, QStringLiteral("animal")},
        {tr("Pronoun: the wide street"),
         QStringLiteral("The animal didn't cross the street because it was too wide."), QStringLiteral("it"),
         tr("Here “it” is the street, yet one layer still picks “animal”: its query never sees “wide”."),
         didactic, QStringLiteral("animal")},
        {tr("Java the language"), QStringLiteral("Java programming is fun."), QStringLiteral("Java"),
         tr("“Java” looks for context and finds “programming”."), didactic, QStringLiteral("programming")},
        {tr("Bank of a river"), QStringLiteral("We sat on the bank of the river."), QStringLiteral("bank"),
         tr("“bank” takes its sense from “river”."), didactic, QStringLiteral("river")},
        {tr("Bank for money"), QStringLiteral("She put her money in the bank."), QStringLiteral("bank"),
         tr("Same word, other neighbours: now “bank” leans on “money”."), didactic, QStringLiteral("money")},
        {tr("French: “la” looks back"), QStringLiteral("Marie a pris la pomme et la mange."),
         QStringLiteral("la"), tr("The second “la” stands for a noun said earlier: which one does it pick?"),
         didactic, QStringLiteral("pomme")},
        {tr("Code: a variable used later"), QStringLiteral("total = price * count ; print ( total )"),
         QStringLiteral("total"),
         tr("A name used later should find where it was defined. This hand-set model has no feature for "
            "that, so its attention spreads evenly: a limit worth seeing."),
         didactic, QString()},
        {tr("A bat in a cave"), QStringLiteral("The bat flew out of the cave."), QStringLiteral("bat"),
         tr("“bat” the animal: the cave settles it."), didactic, QStringLiteral("cave")},
    };
    // The trained model learned these; its first layer reads the adjective, its second picks the noun.
    const QString trained = QStringLiteral("trained");
    const QList<SampleSentence> learned = {
        {tr("Trained: “it” is the tired animal"),
         QStringLiteral("The animal didn't cross the street because it was too tired."), QStringLiteral("it"),
         tr("Layer 1: “it” reads “tired”. Layer 2: it picks “animal”. See Layers × heads and Follow a "
            "token."),
         trained, QStringLiteral("animal")},
        {tr("Trained: “it” is the wide street"),
         QStringLiteral("The animal didn't cross the street because it was too wide."), QStringLiteral("it"),
         tr("One word changed, and layer 2 sends “it” to “street”: two layers can do what one could not."),
         trained, QStringLiteral("street")},
        {tr("Trained: the trophy is too big"),
         QStringLiteral("The trophy doesn't fit in the suitcase because it is too big."),
         QStringLiteral("it"), tr("“big” describes the thing that does not fit: the trophy."), trained,
         QStringLiteral("trophy")},
        {tr("Trained: the suitcase is too small"),
         QStringLiteral("The trophy doesn't fit in the suitcase because it is too small."),
         QStringLiteral("it"), tr("“small” describes the container: the suitcase."), trained,
         QStringLiteral("suitcase")},
        {tr("Trained: the dog is too weak"),
         QStringLiteral("The dog couldn't lift the piano because it was too weak."), QStringLiteral("it"),
         tr("Only a creature is weak: layer 2 of “it” lands on “dog”."), trained, QStringLiteral("dog")},
        {tr("Trained: the piano is too heavy"),
         QStringLiteral("The dog couldn't lift the piano because it was too heavy."), QStringLiteral("it"),
         tr("Only the load is heavy: now “it” looks at “piano”."), trained, QStringLiteral("piano")},
        {tr("Trained: Java the island"), QStringLiteral("the island reminded the child of java ."),
         QStringLiteral("java"), tr("“java” reads “island” to know which Java it is."), trained,
         QStringLiteral("island")},
        {tr("Trained: Java the coffee"), QStringLiteral("the espresso reminded the child of java ."),
         QStringLiteral("java"), tr("Same sentence, another cue: “espresso”."), trained,
         QStringLiteral("espresso")},
        {tr("Trained: python the snake"), QStringLiteral("the snake reminded the child of python ."),
         QStringLiteral("python"), tr("Compare it with the next example in the Compare panel."), trained,
         QStringLiteral("snake")},
        {tr("Trained: python the language"), QStringLiteral("the compiler reminded the child of python ."),
         QStringLiteral("python"), tr("“python” now leans on “compiler”."), trained,
         QStringLiteral("compiler")},
        {tr("Trained: a bat in a cave"), QStringLiteral("the cave reminded the child of the bat ."),
         QStringLiteral("bat"), tr("“cave”: the animal."), trained, QStringLiteral("cave")},
        {tr("Trained: a bat and an umpire"), QStringLiteral("the umpire reminded the child of the bat ."),
         QStringLiteral("bat"), tr("“umpire”: the baseball bat."), trained, QStringLiteral("umpire")},
        {tr("Trained: a mouse and cheese"), QStringLiteral("the cheese reminded the child of the mouse ."),
         QStringLiteral("mouse"), tr("“cheese”: the animal."), trained, QStringLiteral("cheese")},
        {tr("Trained: a mouse and a keyboard"),
         QStringLiteral("the keyboard reminded the child of the mouse ."), QStringLiteral("mouse"),
         tr("“keyboard”: the computer mouse."), trained, QStringLiteral("keyboard")},
        {tr("Trained: a bank and a river"),
         QStringLiteral("the student kept talking about the bank and the river ."), QStringLiteral("bank"),
         tr("“river” makes it a river bank."), trained, QStringLiteral("river")},
        {tr("Trained: a bank and a loan"),
         QStringLiteral("the student kept talking about the bank and the loan ."), QStringLiteral("bank"),
         tr("“loan” makes it a money bank."), trained, QStringLiteral("loan")},
    };
    examples += learned;
    return examples;
}

AppState exampleState(const SampleSentence &e, const AppState &base)
{
    AppState s = base;
    s.model = e.model;
    s.sentence = e.sentence;
    s.mask = MaskMode::None;
    s.customBlocked = BoolMatrix();
    s.scale = true;
    s.swapQK = false;
    s.layer = e.layer < 0 ? 1 << 20 : e.layer; // the controller brings it within the model: its last layer
    s.head = -1;
    s.step = Step::Softmax;
    s.maskEdit = false;
    s.query = -1;
    s.key = -1;
    const std::vector<Token> tokens = tokenize(e.sentence.toStdString());
    for (std::size_t i = 0; i < tokens.size(); ++i)
        if (QString::fromStdString(tokens[i].text) == e.focus) {
            s.query = static_cast<int>(i);
            break;
        }
    return s;
}

} // namespace attention
