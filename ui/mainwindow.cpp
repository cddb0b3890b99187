// Composes the views; every number comes from the core's trace.
#include "mainwindow.h"

#include "matrixmodel.h"
#include "report.h"

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QStatusBar>
#include <QTableView>
#include <QVBoxLayout>

namespace attention {

namespace {
QStringList toQStrings(const std::vector<std::string> &v)
{
    QStringList out;
    for (const std::string &s : v)
        out << QString::fromStdString(s);
    return out;
}
} // namespace

MainWindow::MainWindow(std::shared_ptr<const Model> model, QWidget *parent)
    : QMainWindow(parent), m_model(std::move(model))
{
    setWindowTitle(tr("AttentionLab"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_sentence = new QLineEdit(central);
    m_sentence->setPlaceholderText(tr("Type a sentence…"));
    m_message = new QLabel(central);
    m_weights = new MatrixModel(this);
    m_weightsView = new QTableView(central);
    m_weightsView->setModel(m_weights);
    m_weightsView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_sentence);
    layout->addWidget(m_message);
    layout->addWidget(m_weightsView, 1);
    setCentralWidget(central);
    connect(m_sentence, &QLineEdit::textChanged, this, &MainWindow::recompute);
    setSentence(QStringLiteral("The animal didn't cross the street because it was too tired."));
}

void MainWindow::setSentence(const QString &text)
{
    m_sentence->setText(text);
    recompute();
}

void MainWindow::recompute()
{
    const TraceResult result = traceText(m_model, m_sentence->text().toStdString());
    if (!result.ok()) {
        m_message->setText(QString::fromStdString(result.error));
        return;
    }
    m_trace = result.trace;
    m_hasTrace = true;
    m_message->setText(tr("Attention weights: each row is a query, each column a key."));
    const QStringList tokens = toQStrings(tokenLabels(m_trace));
    m_weights->setMatrix(m_trace.layers.front().heads.front().weights, tokens, tokens);
    statusBar()->showMessage(tr("%1 model · %2 tokens").arg(QString::fromStdString(m_model->name)).arg(tokens.size()));
}

} // namespace attention
