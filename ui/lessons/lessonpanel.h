// The lesson's side panel: where the lesson is, its narration in Markdown, and its question with the
// answer checked against the trace on screen.
#pragma once

#include <QTextBrowser>
#include <QWidget>

class QAbstractButton;
class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QVBoxLayout;

namespace attention {

class LessonPlayer;
class StageController;
struct AttentionTrace;
struct LessonStep;

// The answer to a step's question for a whole room, as the teacher reveals it in classroom mode: which
// options are right, the token the query attends to most with its weight, or the number on screen; then
// the lesson's explanation. Plain text; "" when the step has no question.
QString roomAnswer(const LessonStep &step, const AttentionTrace &trace);
// The question as the room reads it: its text, then the options lettered A, B, C… (Markdown).
QString roomQuestion(const LessonStep &step);

// Markdown from a lesson file, shown as text: no HTML, no links followed, and images only from the
// lesson's own folder (or the application's resources for a shipped lesson).
class LessonText : public QTextBrowser
{
    Q_OBJECT
public:
    explicit LessonText(QWidget *parent = nullptr);
    void setLessonFolder(const QString &folder) { m_folder = folder; }
    void showMarkdown(const QString &markdown);
    QVariant loadResource(int type, const QUrl &name) override;

private:
    QString m_folder;
};

class LessonPanel : public QWidget
{
    Q_OBJECT
public:
    LessonPanel(LessonPlayer *player, StageController *controller, QWidget *parent = nullptr);

    LessonText *narration() const { return m_narration; }
    QLabel *position() const { return m_position; }
    // Every step of the lesson, done ones ticked: choosing one goes there.
    QComboBox *stepList() const { return m_steps; }
    QLabel *feedback() const { return m_feedback; }
    QPushButton *nextButton() const { return m_next; }
    QPushButton *previousButton() const { return m_previous; }
    QPushButton *checkButton() const { return m_check; }
    QLineEdit *numberField() const { return m_number; }
    // The options of a choice question, or the tokens of a click question.
    QList<QAbstractButton *> answerButtons() const;
    bool answered() const { return m_answered; }

signals:
    // A click question hides the result until it is answered (predict, then reveal).
    void resultHidden(bool hidden, const QString &why);

private:
    void showStep();
    void fillStepList();
    void buildQuestion();
    void check(int clicked = -1);
    void answer(bool right, const QString &text);

    LessonPlayer *m_player;
    StageController *m_controller;
    QLabel *m_title = nullptr;
    QLabel *m_position = nullptr;
    QComboBox *m_steps = nullptr;
    LessonText *m_narration = nullptr;
    QWidget *m_questionBox = nullptr;
    QVBoxLayout *m_questionLayout = nullptr;
    LessonText *m_questionText = nullptr;
    QButtonGroup *m_options = nullptr;
    QWidget *m_optionsBox = nullptr;
    QLineEdit *m_number = nullptr;
    QPushButton *m_check = nullptr;
    QLabel *m_feedback = nullptr;
    QPushButton *m_previous = nullptr;
    QPushButton *m_next = nullptr;
    bool m_answered = false;
};

} // namespace attention
