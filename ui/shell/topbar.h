// The top of the window: the sentence, its tokens, the step bar, and the banner that says what is shown when it is not simply the text typed (a problem, a cut, an update).
#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QMenu;
class QToolButton;

namespace attention {

class StageController;
class StepNavigator;
class TokenStrip;

class TopBar : public QWidget
{
    Q_OBJECT
public:
    TopBar(StageController *controller, QMenu *examples, QWidget *parent = nullptr);

    QLineEdit *sentenceField() const { return m_sentence; }
    TokenStrip *tokenStrip() const { return m_tokens; }
    StepNavigator *stepNavigator() const { return m_navigator; }
    QLabel *problemBanner() const { return m_banner; }

signals:
    // The banner's button: trace the whole text with the didactic model, which has no position limit.
    void wholeTextRequested();

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void showTrace();
    void showStep();
    void showSelection();
    void updateBanner();
    void applyFonts();

    StageController *m_controller;
    QLineEdit *m_sentence = nullptr;
    QToolButton *m_examples = nullptr;
    TokenStrip *m_tokens = nullptr;
    StepNavigator *m_navigator = nullptr;
    QWidget *m_bannerRow = nullptr;
    QLabel *m_banner = nullptr;
    QToolButton *m_bannerAction = nullptr;
    bool m_applyingFonts = false;
};

} // namespace attention
