// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/QtDesktop.h"

#include <QClipboard>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDesktopServices>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QMimeData>
#include <QSystemTrayIcon>

Q_LOGGING_CATEGORY(lcQtDesktop, "stint.ui.qtdesktop")

namespace stint::ui {

namespace {
const QString kService = QStringLiteral("org.freedesktop.Notifications");
const QString kPath = QStringLiteral("/org/freedesktop/Notifications");
const QString kInterface = QStringLiteral("org.freedesktop.Notifications");
constexpr int kTrayMessageMs = 10'000;
} // namespace

QtDesktop::QtDesktop(QObject* parent)
    : Desktop(parent)
{
    m_clearClipboard.setSingleShot(true);
    connect(&m_clearClipboard, &QTimer::timeout, this, [this]() {
        QClipboard* clipboard = QGuiApplication::clipboard();
        // Only what we put there: anything copied since replaced (and deleted) our data.
        const bool ours = m_secretOnClipboard && clipboard->mimeData() == m_secretOnClipboard.data();
        if (ours) {
            qCInfo(lcQtDesktop) << "clearing the copied secret from the clipboard";
            clipboard->clear();
        }
        m_secretOnClipboard.clear();
        emit secretExpired(ours);
    });
}

QtDesktop::~QtDesktop()
{
    // A secret copied moments before quitting does not outlive the app.
    if (m_secretOnClipboard && QGuiApplication::clipboard()->mimeData() == m_secretOnClipboard.data())
        QGuiApplication::clipboard()->clear();
}

void QtDesktop::setTrayIcon(QSystemTrayIcon* tray)
{
    if (m_tray)
        disconnect(m_tray, nullptr, this, nullptr);
    m_tray = tray;
    if (tray) {
        connect(tray, &QSystemTrayIcon::messageClicked, this, [this]() {
            if (!m_lastTrayMessage.isEmpty())
                emit actionInvoked(m_lastTrayMessage, QStringLiteral("default"));
        });
    }
}

bool QtDesktop::openUrl(const QUrl& url)
{
    return QDesktopServices::openUrl(url);
}

void QtDesktop::copySecret(QByteArrayView secret, int clearAfterMs)
{
    auto* data = new QMimeData;
    data->setData(QStringLiteral("text/plain;charset=utf-8"), secret.toByteArray());
    data->setText(QString::fromUtf8(secret));
    data->setData(QString::fromLatin1(kPasswordManagerHint), QByteArrayLiteral("secret"));
    QGuiApplication::clipboard()->setMimeData(data);
    m_secretOnClipboard = data;
    if (clearAfterMs > 0)
        m_clearClipboard.start(clearAfterMs);
}

void QtDesktop::copyText(const QString& text)
{
    QGuiApplication::clipboard()->setText(text);
    m_secretOnClipboard.clear();
    m_clearClipboard.stop();
}

QString QtDesktop::notify(const QString& title, const QString& body, const QList<QPair<QString, QString>>& actions)
{
    const QString ourId = QStringLiteral("stint-%1").arg(++m_next);
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!m_dbusChecked) {
        // Set up on the first notification, so start-up does not wait for the bus. The service is often started on
        // demand (D-Bus activation), so it is not looked up first: a refused call falls back to the tray.
        m_dbusChecked = true;
        m_dbusAvailable = bus.isConnected();
        if (m_dbusAvailable) {
            bus.connect(kService, kPath, kInterface, QStringLiteral("ActionInvoked"), this,
                        SLOT(onDBusAction(uint, QString)));
            bus.connect(kService, kPath, kInterface, QStringLiteral("NotificationClosed"), this,
                        SLOT(onDBusClosed(uint, uint)));
        }
        qCInfo(lcQtDesktop) << "desktop notifications through"
                            << (m_dbusAvailable ? "the freedesktop service" : "the tray icon");
    }
    if (!m_dbusAvailable) {
        notifyThroughTray(ourId, title, body);
        return ourId;
    }
    QStringList flat;
    for (const auto& [id, label] : actions)
        flat << id << label;
    if (!actions.isEmpty() && actions.first().first != QLatin1String("default"))
        flat << QStringLiteral("default") << QString(); // a click on the body opens Stint
    QVariantMap hints;
    hints.insert(QStringLiteral("desktop-entry"), QString::fromLatin1(kDesktopEntry));
    hints.insert(QStringLiteral("urgency"), QVariant::fromValue<uchar>(1));
    QDBusMessage call = QDBusMessage::createMethodCall(kService, kPath, kInterface, QStringLiteral("Notify"));
    call << QStringLiteral("Stint") << uint(0) << m_appIcon << title << body << flat << hints << int(-1);
    auto* watcher = new QDBusPendingCallWatcher(bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, ourId, title, body]() {
        watcher->deleteLater();
        QDBusPendingReply<uint> reply = *watcher;
        if (reply.isError()) {
            qCWarning(lcQtDesktop) << "the notification service refused a notification:" << reply.error().message();
            m_dbusAvailable = false;
            notifyThroughTray(ourId, title, body);
            return;
        }
        m_byDbusId.insert(reply.value(), ourId);
    });
    return ourId;
}

void QtDesktop::notifyThroughTray(const QString& ourId, const QString& title, const QString& body)
{
    if (!m_tray || !m_tray->isVisible()) {
        qCInfo(lcQtDesktop) << "no way to show a notification (no notification service, no tray)";
        return;
    }
    m_lastTrayMessage = ourId;
    m_tray->showMessage(title, body, QSystemTrayIcon::Information, kTrayMessageMs);
}

void QtDesktop::onDBusAction(uint dbusId, const QString& actionKey)
{
    const auto it = m_byDbusId.constFind(dbusId);
    if (it == m_byDbusId.constEnd())
        return; // another application's notification
    emit actionInvoked(*it, actionKey);
}

void QtDesktop::onDBusClosed(uint dbusId, uint reason)
{
    Q_UNUSED(reason);
    m_byDbusId.remove(dbusId);
}

} // namespace stint::ui
