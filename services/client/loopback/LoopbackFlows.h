// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"

#include <QObject>
#include <QUrl>
#include <functional>
#include <memory>

// The two browser round trips of the desktop app, both RFC 8252 loopback redirects on 127.0.0.1 and a random port,
// one callback accepted, state checked, a friendly page shown in the browser, a timeout:
//   TenantConnector — connect a customer tenant: connection/start → Microsoft's consent or sign-in → callback →
//                     connection/complete;
//   BrowserSignIn   — sign in through the cloud's web page with the browser's passkeys: PKCE S256 → callback with a
//                     one-time code → native/token → a session.
// Opening the browser is the caller's (a function: QDesktopServices in the app, a test playing the browser).
//
// Both flows run on client/loopback/LoopbackServer (127.0.0.1 only, one callback, state in constant time) and show
// their outcome in the browser with a LoopbackPage. One flow at a time per object; a second call while one runs
// fails with loopback.busy. Besides the cloud's own errors (api.*, network.*) they fail with:
//   loopback.listen_failed          no port on 127.0.0.1
//   loopback.bad_authorization_url  the cloud sent the browser somewhere that is neither https nor loopback
//   loopback.browser_unavailable    OpenUrl returned false; details.url holds the address to open by hand
//   loopback.timeout                no callback in time (the browser then gets a "too late" page for a while)
//   loopback.cancelled              cancel(), or the object went away
//   loopback.busy                   a flow is already running
//   loopback.authorization_failed   Microsoft answered with an error (connect): details.error (OAuth error),
//                                   details.aadsts ("AADSTS65004") and details.description (error_description)
//   loopback.signin_failed          the sign-in page answered with an error or without a code
namespace stint::client {

using OpenUrl = std::function<bool(const QUrl&)>;

// The path the loopback listener answers on. For connecting tenants the MSP's app registration (and a customer's
// own app) must list http://127.0.0.1/stint/connect as a redirect URI (Entra ignores the port of loopback URIs but
// not the path: protocols.md 1.6).
inline constexpr auto kConnectCallbackPath = "/stint/connect";
inline constexpr auto kSignInCallbackPath = "/stint/signin";

// Defaults: the cloud keeps a connect state for 10 minutes, and a person signs in well within 5.
inline constexpr int kConnectTimeoutMs = 10 * 60 * 1000;
inline constexpr int kSignInTimeoutMs = 5 * 60 * 1000;

namespace loopbackErrors {
inline constexpr auto kListenFailed = "loopback.listen_failed";
inline constexpr auto kBadAuthorizationUrl = "loopback.bad_authorization_url";
inline constexpr auto kBrowserUnavailable = "loopback.browser_unavailable";
inline constexpr auto kTimeout = "loopback.timeout";
inline constexpr auto kCancelled = "loopback.cancelled";
inline constexpr auto kBusy = "loopback.busy";
inline constexpr auto kAuthorizationFailed = "loopback.authorization_failed";
inline constexpr auto kSignInFailed = "loopback.signin_failed";
} // namespace loopbackErrors

// Progress of a flow, for the UI's status line.
enum class LoopbackStage
{
    Starting, // asking the cloud
    WaitingForBrowser, // the browser is open; waiting for the person
    Completing, // callback received; telling the cloud
    Done,
};

class TenantConnector : public QObject
{
    Q_OBJECT
public:
    TenantConnector(CloudApi& api, OpenUrl openUrl, QObject* parent = nullptr);
    ~TenantConnector() override;

    // `kind`: models::kConnectAdminConsent or kConnectAuthorizationCode. Resolves with the connection as the cloud
    // reports it after the callback (status "verifying" or similar: the outcome follows as a live event).
    Call<models::ConnectionState> connect(const QString& tenantId, const QString& kind, const QString& loginHint = {},
                                          const QString& tenantHint = {});
    void cancel();
    void setTimeoutMs(int ms);
    int timeoutMs() const;
    bool isRunning() const;

signals:
    void stageChanged(stint::client::LoopbackStage stage);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

class BrowserSignIn : public QObject
{
    Q_OBJECT
public:
    BrowserSignIn(CloudApi& api, OpenUrl openUrl, QObject* parent = nullptr);
    ~BrowserSignIn() override;

    Call<SharedSession> signIn();
    void cancel();
    void setTimeoutMs(int ms);
    int timeoutMs() const;
    bool isRunning() const;

signals:
    void stageChanged(stint::client::LoopbackStage stage);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace stint::client
