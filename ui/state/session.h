// The last session, kept in the settings: the whole AppState (as its JSON) and the window's geometry and
// panel layout. Every value read back is checked; what cannot be used is named, never trusted.
#pragma once

#include "appstate.h"

#include <QByteArray>
#include <QObject>
#include <QStringList>
#include <functional>

class QSettings;
class QTimer;

namespace attention {

class Session : public QObject
{
    Q_OBJECT
public:
    // `settings` may be null (nothing is read or written); otherwise it must outlive the session.
    explicit Session(QSettings *settings, QObject *parent = nullptr);

    // The saved state on top of `base`. Values that are missing keep base's; values that are not usable
    // too, and are listed in problems().
    AppState restoredState(const AppState &base);
    QByteArray geometry() const;
    QByteArray dockLayout() const;
    bool hasSavedState() const;
    // What could not be restored, for the status bar: empty when everything could.
    QStringList problems() const { return m_problems; }
    void addProblem(const QString &what) { m_problems << what; }

    // What to save: called when the save timer fires and on save().
    void setSource(std::function<AppState()> state, std::function<QByteArray()> geometry,
                   std::function<QByteArray()> dockLayout);
    // Saves kSaveDelayMs after the last call: one write for a burst of changes.
    void scheduleSave();
    void save();
    static constexpr int kSaveDelayMs = 300;

signals:
    // The settings could not be written (a full disk, a read-only folder): what the user should know.
    void saveFailed(const QString &message);

private:
    QSettings *m_settings;
    QTimer *m_timer;
    QStringList m_problems;
    std::function<AppState()> m_state;
    std::function<QByteArray()> m_geometry;
    std::function<QByteArray()> m_dockLayout;
};

} // namespace attention
