// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/Desktop.h"

#include <QHash>
#include <QPointer>
#include <QTimer>

class QMimeData;
class QSystemTrayIcon;

// ui::Desktop on the real desktop: the default browser through QDesktopServices; the clipboard with the
// x-kde-passwordManagerHint = "secret" mark (clipboard managers such as Klipper skip it) and cleared after a while
// unless something else was copied since; notifications through the freedesktop Notifications service on D-Bus, which
// gives them buttons, falling back to the tray icon's balloon (no buttons: a click on it counts as "default").
namespace stint::ui {

class QtDesktop final : public Desktop
{
    Q_OBJECT
public:
    explicit QtDesktop(QObject* parent = nullptr);
    ~QtDesktop() override;

    // The tray icon for the fallback notifications (optional).
    void setTrayIcon(QSystemTrayIcon* tray);
    // The icon name or path the notification service shows next to Stint's notifications.
    void setAppIcon(const QString& icon) { m_appIcon = icon; }
    // The desktop entry the notifications belong to (the app id, without ".desktop").
    static constexpr auto kDesktopEntry = "io.stint.Stint";

    bool openUrl(const QUrl& url) override;
    void copySecret(QByteArrayView secret, int clearAfterMs) override;
    void copyText(const QString& text) override;
    QString notify(const QString& title, const QString& body, const QList<QPair<QString, QString>>& actions) override;

    // The MIME type clipboard managers read to leave a password out of their history.
    static constexpr auto kPasswordManagerHint = "x-kde-passwordManagerHint";
    // False once the notification service refused (or there is no session bus): the tray's balloon is used then.
    bool notifiesThroughDBus() const { return !m_dbusChecked || m_dbusAvailable; }

signals:
    // The copied secret's time was up: `cleared` is false when something else had been copied since (left alone).
    void secretExpired(bool cleared);

private slots:
    // Slots by name: QDBusConnection::connect takes no function pointers (Qt 6.4).
    void onDBusAction(uint dbusId, const QString& actionKey);
    void onDBusClosed(uint dbusId, uint reason);

private:
    void notifyThroughTray(const QString& ourId, const QString& title, const QString& body);

    QPointer<QSystemTrayIcon> m_tray;
    QString m_appIcon = QString::fromLatin1(kDesktopEntry);
    bool m_dbusChecked = false;
    bool m_dbusAvailable = false;
    quint64 m_next = 0;
    QHash<uint, QString> m_byDbusId; // D-Bus notification id → ours
    QString m_lastTrayMessage; // ours, for a click on the tray's balloon
    QPointer<QMimeData> m_secretOnClipboard;
    QTimer m_clearClipboard;
};

} // namespace stint::ui
