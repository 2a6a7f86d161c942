// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cli/Terminal.h"
#include "client/CloudApi.h"
#include "client/HttpTransport.h"
#include "client/SecretStore.h"
#include "client/SessionKeeper.h"
#include "client/WebSocketEventChannel.h"

#include <QEventLoop>
#include <QUrl>

#include <memory>

// The client objects one command needs, built the way the window builds them (the keychain, the session, the typed
// API, the live channel), and a way to wait for a Call on the event loop — the command line's only waiting.
namespace stint::cli {

class CliClient
{
public:
    explicit CliClient(const QUrl& cloudUrl);
    ~CliClient();

    // The cloud to talk to: --cloud, else $STINT_CLOUD, else the desktop app's setting. Checked like the app checks it.
    static Result<QUrl> resolveCloudUrl(const QString& flag);

    QUrl cloudUrl() const { return m_cloudUrl; }
    client::CloudApi& api() { return *m_api; }
    client::SessionKeeper& session() { return *m_session; }
    client::EventChannel& events() { return *m_events; }
    TimeMs serverNow() const;

    // Opens the live channel with the session (for --wait); waits up to a few seconds for it to be ready, and goes on
    // without it (polling) when it is not.
    void openEvents();

    Result<client::SharedSession> signInWithSecurityKey(const QString& email, bool pinFromStdin);
    Result<client::SharedSession> signInWithBrowser();

    // Runs the event loop until `call` is resolved; "cli.interrupted" when Ctrl-C came first.
    template <typename T> Result<T> await(const client::Call<T>& call)
    {
        QEventLoop loop;
        InterruptibleLoop interruptible(loop);
        QObject context;
        std::optional<Result<T>> out;
        call.then(&context, [&](const Result<T>& r) {
            out.emplace(r);
            loop.quit();
        });
        loop.exec();
        if (!out)
            return Error{QStringLiteral("cli.interrupted"), QStringLiteral("Interrupted."), {}};
        return std::move(*out);
    }

private:
    QUrl m_cloudUrl;
    std::unique_ptr<client::HttpTransport> m_transport;
    std::unique_ptr<client::CloudApi> m_api;
    std::unique_ptr<client::KeychainSecretStore> m_secrets;
    std::unique_ptr<client::SessionKeeper> m_session;
    std::unique_ptr<client::WebSocketEventChannel> m_events;
};

} // namespace stint::cli
