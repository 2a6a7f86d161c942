// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "core/Result.h"

#include <QPointer>
#include <QUrl>
#include <QWidget>

class QFrame;
class QLabel;
class QLineEdit;
class QPushButton;

namespace stint::client {
class BrowserSignIn;
class SecurityKeys;
class SecurityKeySignIn;
enum class LoopbackStage;
} // namespace stint::client

// The sign-in screen: a security key (the app is the WebAuthn client; an optional email for username-first sign-in),
// or the browser (the service's page with the browser's passkeys, handed back through a loopback redirect). It says at
// every moment what is happening — contacting the service, "touch your key" (or "touch the one you want to use" with
// several keys), the PIN prompt, waiting for the browser — and each failure with what to do next (ErrorText). On the
// first run, or when the person asks, it also takes the service's address and checks it before anything is sent.
//
// It drives the ceremonies itself and hands the new session out through signedIn(); keeping it (keychain, workspace)
// is the shell's business.
namespace stint::ui {

class Banner;
class BusySpinner;
class PinDialog;

class SignInPage : public QWidget
{
    Q_OBJECT
public:
    struct Services
    {
        client::SecurityKeySignIn* keySignIn = nullptr;
        client::SecurityKeys* keys = nullptr;
        client::BrowserSignIn* browser = nullptr;
    };

    explicit SignInPage(QWidget* parent = nullptr);
    ~SignInPage() override;

    // The service sign-in goes to and its ceremonies (none yet on the first run).
    void setService(const QUrl& url, const Services& services);
    // Shows the address field (the first run, or a service that cannot be used).
    void setServiceEditable(bool editable);
    void setEmail(const QString& email);
    // A message above the form ("Your session has ended…"); empty hides it.
    void setNotice(const QString& text, const char* tone = "warn");
    // Back to idle: no ceremony running, no error shown.
    void reset();

    bool isBusy() const { return m_busy; }
    QString statusText() const;
    QString errorText() const;

signals:
    // The person entered another service address: build its services and call setService() before returning.
    void serviceChosen(const QUrl& url);
    void signedIn(stint::client::SharedSession session);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void fitCard();
    void signInWithKey(std::shared_ptr<const crypto::SecretBytes> pin = {});
    void signInWithBrowser();
    bool prepareService();
    void onKeyResult(const Result<client::SharedSession>& result);
    void askForPin(const QString& error);
    void onBrowserStage(client::LoopbackStage stage);
    void onTouchRequested(int keyCount);
    void setBusy(bool busy, const QString& status = {});
    void setStatus(const QString& text);
    void showError(const Error& error);
    void showServiceError(const QString& text);
    void updateServiceLine();

    QUrl m_url;
    Services m_services;
    bool m_editable = false;
    bool m_busy = false;
    enum class Running
    {
        None,
        Key,
        Browser,
    } m_running
        = Running::None;
    quint64 m_attempt = 0; // answers of an attempt that was cancelled or superseded are dropped

    QFrame* m_card = nullptr;
    Banner* m_notice;
    QLabel* m_serviceLine;
    QPushButton* m_changeService;
    QWidget* m_serviceBox;
    QLineEdit* m_serviceField;
    QLabel* m_serviceError;
    QLineEdit* m_email;
    QPushButton* m_keyButton;
    QPushButton* m_browserButton;
    BusySpinner* m_spinner;
    QLabel* m_status;
    QLabel* m_error;
    QPushButton* m_cancel;
    QPointer<PinDialog> m_pinDialog;
    QList<QMetaObject::Connection> m_serviceConnections;
};

} // namespace stint::ui
