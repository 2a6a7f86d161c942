// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"

#include <QObject>
#include <QUrl>

#include <functional>

// The two browser round trips of the desktop app, both RFC 8252 loopback redirects on 127.0.0.1 and a random port,
// one callback accepted, state checked, a friendly page shown in the browser, a timeout:
//   TenantConnector — connect a customer tenant: connection/start → Microsoft's consent or sign-in → callback →
//                     connection/complete;
//   BrowserSignIn   — sign in through the cloud's web page with the browser's passkeys: PKCE S256 → callback with a
//                     one-time code → native/token → a session.
// Opening the browser is the caller's (a function: QDesktopServices in the app, a test playing the browser).
namespace stint::client {

using OpenUrl = std::function<bool(const QUrl&)>;

// The path the loopback listener answers on. For connecting tenants the MSP's app registration (and a customer's
// own app) must list http://127.0.0.1/stint/connect as a redirect URI (Entra ignores the port of loopback URIs but
// not the path: protocols.md 1.6).
inline constexpr auto kConnectCallbackPath = "/stint/connect";
inline constexpr auto kSignInCallbackPath = "/stint/signin";

// Progress of a flow, for the UI's status line.
enum class LoopbackStage
{
    Starting,          // asking the cloud
    WaitingForBrowser, // the browser is open; waiting for the person
    Completing,        // callback received; telling the cloud
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

signals:
    void stageChanged(stint::client::LoopbackStage stage);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace stint::client
