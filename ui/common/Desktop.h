// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QObject>
#include <QStringList>
#include <QUrl>

// What the views ask of the desktop around them: open a URL in the default browser, put a secret on the clipboard
// (marked so clipboard managers skip it, cleared after a while), show a desktop notification with actions. The app
// uses QtDesktop (ui/shell/QtDesktop); GUI tests use a fake that records what was asked.
namespace stint::ui {

class Desktop : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual bool openUrl(const QUrl& url) = 0;
    // Copies `secret` to the clipboard with x-kde-passwordManagerHint = secret, and clears it after `clearAfterMs`
    // unless something else was copied since.
    virtual void copySecret(QByteArrayView secret, int clearAfterMs) = 0;
    virtual void copyText(const QString& text) = 0;
    // Shows a notification; `actions` are (id, label) pairs offered as buttons. Returns an id for actionInvoked.
    virtual QString notify(const QString& title, const QString& body, const QList<QPair<QString, QString>>& actions) = 0;

signals:
    void actionInvoked(const QString& notificationId, const QString& actionId);
};

} // namespace stint::ui
