// SPDX-License-Identifier: GPL-3.0-or-later
// BrowserSignIn (declared in LoopbackFlows.h): the cloud's native hand-off (docs/api.md, "Desktop app through the
// browser"). The app makes a PKCE S256 pair and a state, opens the cloud's /signin page with the challenge, the state
// and its loopback redirect URI, takes the one-time code from the one callback whose state matches, and trades code
// and verifier for a session at /v1/auth/native/token. The verifier never leaves this process until that exchange,
// so a code seen by anyone else (another local process, a browser extension) is worth nothing.
#include "client/loopback/LoopbackFlowSupport.h"
#include "client/loopback/LoopbackFlows.h"
#include "client/loopback/LoopbackServer.h"
#include "core/Crypto.h"

#include <QLoggingCategory>
#include <optional>

Q_LOGGING_CATEGORY(lcBrowserSignIn, "stint.client.browsersignin")

namespace stint::client {

using namespace loopback;

struct BrowserSignIn::Impl
{
    CloudApi& api;
    OpenUrl openUrl;
    int timeoutMs = kSignInTimeoutMs;
    std::unique_ptr<LoopbackServer> server;
    std::optional<Call<SharedSession>> pending;
    crypto::SecretBytes verifier;
    quint64 run = 0;
};

BrowserSignIn::BrowserSignIn(CloudApi& api, OpenUrl openUrl, QObject* parent)
    : QObject(parent)
    , d(new Impl {api, std::move(openUrl)})
{
}

BrowserSignIn::~BrowserSignIn()
{
    if (d->pending)
        d->pending->fail(flowError(loopbackErrors::kCancelled, tr("Signing in was cancelled.")));
}

void BrowserSignIn::setTimeoutMs(int ms)
{
    d->timeoutMs = ms;
}

int BrowserSignIn::timeoutMs() const
{
    return d->timeoutMs;
}

bool BrowserSignIn::isRunning() const
{
    return d->pending.has_value();
}

Call<SharedSession> BrowserSignIn::signIn()
{
    if (d->pending)
        return Call<SharedSession>::failed(
            flowError(loopbackErrors::kBusy, tr("Signing in is under way already; finish or cancel that first.")));
    Call<SharedSession> call;
    d->pending = call;
    const quint64 run = ++d->run;

    auto finish = [this, run](Result<SharedSession> result) {
        if (run != d->run || !d->pending)
            return;
        auto pending = std::move(*d->pending);
        d->pending.reset();
        d->verifier = crypto::SecretBytes();
        if (d->server && d->server->phase() != LoopbackServer::Phase::Expired)
            d->server->close();
        if (!result.ok())
            qCInfo(lcBrowserSignIn) << "signing in through the browser failed:" << result.error().code;
        emit stageChanged(LoopbackStage::Done);
        pending.resolve(std::move(result));
    };

    if (d->server)
        d->server.release()->deleteLater();
    d->server = std::make_unique<LoopbackServer>(QString::fromLatin1(kSignInCallbackPath));
    LoopbackServer* server = d->server.get();
    emit stageChanged(LoopbackStage::Starting);
    if (auto listening = server->listen(); !listening) {
        finish(listening.error());
        return call;
    }

    // RFC 7636: a 256-bit verifier (43 base64url characters), its SHA-256 as the challenge; a state of its own.
    d->verifier = crypto::SecretBytes(crypto::base64UrlEncode(crypto::randomBytes(32)));
    const QByteArray challenge = crypto::base64UrlEncode(crypto::sha256(d->verifier.bytes()));
    const QByteArray state = crypto::base64UrlEncode(crypto::randomBytes(32));
    const QString redirectUri = server->redirectUri();

    QUrl url(d->api.transport().origin() + QStringLiteral("/signin"), QUrl::StrictMode);
    url.setQuery(QStringLiteral("redirect_uri=%1&code_challenge=%2&code_challenge_method=S256&state=%3")
                     .arg(QString::fromLatin1(QUrl::toPercentEncoding(redirectUri)), QString::fromLatin1(challenge),
                          QString::fromLatin1(state)),
                 QUrl::StrictMode);
    if (!acceptableBrowserUrl(url)) {
        finish(flowError(loopbackErrors::kBadAuthorizationUrl,
                         tr("The Stint service's address cannot be opened in a browser for signing in.")));
        return call;
    }

    QObject::connect(server, &LoopbackServer::timedOut, this, [finish]() {
        finish(flowError(loopbackErrors::kTimeout, tr("No answer came from the browser in time. Sign in again.")));
    });
    QObject::connect(server, &LoopbackServer::callbackReceived, this,
                     [this, run, server, redirectUri, finish](const QUrl& callbackUrl) {
                         if (run != d->run)
                             return;
                         emit stageChanged(LoopbackStage::Completing);
                         const auto items = callbackParameters(callbackUrl);
                         const std::optional<QString> code = items ? single(*items, "code") : std::nullopt;
                         if (!code || code->isEmpty()) {
                             const QString error = items ? single(*items, "error").value_or(QString()) : QString();
                             const Error failed
                                 = flowError(loopbackErrors::kSignInFailed,
                                             tr("The sign-in page did not hand over a sign-in code. Sign in again."),
                                             {{QStringLiteral("error"), error}});
                             server->answer(LoopbackPage::failed(failed.message, failed.code));
                             return finish(failed);
                         }
                         d->api.nativeToken(*code, QString::fromLatin1(d->verifier.bytes()), redirectUri)
                             .then(this, [this, run, finish](const Result<SharedSession>& r) {
                                 if (run == d->run && d->server) {
                                     if (r.ok()) {
                                         const models::Person& person = (*r)->person;
                                         d->server->answer(LoopbackPage::signedIn(
                                             person.displayName.isEmpty() ? person.email : person.displayName));
                                     } else {
                                         d->server->answer(pageForError(r.error()));
                                     }
                                 }
                                 finish(r);
                             });
                     });

    server->awaitCallback(state, d->timeoutMs);
    emit stageChanged(LoopbackStage::WaitingForBrowser);
    if (!d->openUrl || !d->openUrl(url))
        finish(flowError(loopbackErrors::kBrowserUnavailable,
                         tr("Stint could not open the web browser. Open the address Stint shows in a browser on "
                            "this computer."),
                         {{QStringLiteral("url"), url.toString(QUrl::FullyEncoded)}}));
    return call;
}

void BrowserSignIn::cancel()
{
    if (!d->pending)
        return;
    ++d->run;
    auto pending = std::move(*d->pending);
    d->pending.reset();
    d->verifier = crypto::SecretBytes();
    if (d->server)
        d->server->close(LoopbackPage::cancelled());
    emit stageChanged(LoopbackStage::Done);
    pending.fail(flowError(loopbackErrors::kCancelled, tr("Signing in was cancelled.")));
}

} // namespace stint::client
