// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/Desktop.h"

#include <QByteArray>
#include <QList>

// ui::Desktop for GUI tests: records the URLs opened, what was copied (and whether as a secret, and for how long)
// and the notifications shown; a test "clicks" a notification's action with invoke().
namespace stint::test {

class FakeDesktop final : public ui::Desktop
{
    Q_OBJECT
public:
    struct Notification
    {
        QString id;
        QString title;
        QString body;
        QList<QPair<QString, QString>> actions;
    };

    using ui::Desktop::Desktop;

    bool openUrl(const QUrl& url) override
    {
        opened.append(url);
        return openSucceeds;
    }
    void copySecret(QByteArrayView secret, int clearAfterMs) override
    {
        clipboard = secret.toByteArray();
        clipboardIsSecret = true;
        clipboardClearAfterMs = clearAfterMs;
    }
    void copyText(const QString& text) override
    {
        clipboard = text.toUtf8();
        clipboardIsSecret = false;
        clipboardClearAfterMs = 0;
    }
    QString notify(const QString& title, const QString& body, const QList<QPair<QString, QString>>& actions) override
    {
        Notification n{QStringLiteral("n%1").arg(notifications.size() + 1), title, body, actions};
        notifications.append(n);
        return n.id;
    }
    void invoke(const QString& notificationId, const QString& actionId) { emit actionInvoked(notificationId, actionId); }

    QList<QUrl> opened;
    bool openSucceeds = true;
    QByteArray clipboard;
    bool clipboardIsSecret = false;
    int clipboardClearAfterMs = 0;
    QList<Notification> notifications;
};

} // namespace stint::test
