// Reading and writing the last session. The file may be damaged or edited by hand: every value is checked.
#include "session.h"

#include <QJsonDocument>
#include <QSettings>
#include <QTimer>

namespace attention {

namespace {
const QString kStateKey = QStringLiteral("session/state");
const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kDockKey = QStringLiteral("window/state");
} // namespace

Session::Session(QSettings *settings, QObject *parent)
    : QObject(parent), m_settings(settings), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    m_timer->setInterval(kSaveDelayMs);
    connect(m_timer, &QTimer::timeout, this, &Session::save);
}

bool Session::hasSavedState() const
{
    return m_settings && m_settings->contains(kStateKey);
}

AppState Session::restoredState(const AppState &base)
{
    if (!hasSavedState())
        return base;
    const QVariant value = m_settings->value(kStateKey);
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(value.toString().toUtf8(), &error);
    if (value.typeId() != QMetaType::QString || error.error != QJsonParseError::NoError ||
        !document.isObject()) {
        m_problems << tr("the saved state (not a JSON object)");
        return base;
    }
    QStringList unusable;
    const AppState state = stateFromJson(document.object(), base, &unusable);
    m_problems += unusable;
    return state;
}

QByteArray Session::geometry() const
{
    return m_settings ? m_settings->value(kGeometryKey).toByteArray() : QByteArray();
}

QByteArray Session::dockLayout() const
{
    return m_settings ? m_settings->value(kDockKey).toByteArray() : QByteArray();
}

void Session::setSource(std::function<AppState()> state, std::function<QByteArray()> geometry,
                        std::function<QByteArray()> dockLayout)
{
    m_state = std::move(state);
    m_geometry = std::move(geometry);
    m_dockLayout = std::move(dockLayout);
}

void Session::scheduleSave()
{
    if (m_settings && m_state)
        m_timer->start();
}

void Session::save()
{
    m_timer->stop();
    if (!m_settings || !m_state)
        return;
    m_settings->setValue(kStateKey, QString::fromUtf8(QJsonDocument(stateToJson(m_state()))
                                                          .toJson(QJsonDocument::Compact)));
    if (m_geometry)
        m_settings->setValue(kGeometryKey, m_geometry());
    if (m_dockLayout)
        m_settings->setValue(kDockKey, m_dockLayout());
    m_settings->sync();
    if (m_settings->status() != QSettings::NoError)
        emit saveFailed(tr("The session could not be saved to %1 (is the disk full or read-only?)")
                            .arg(m_settings->fileName()));
}

} // namespace attention
