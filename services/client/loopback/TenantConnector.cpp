// SPDX-License-Identifier: GPL-3.0-or-later
// TenantConnector (declared in LoopbackFlows.h): connection/start → the browser at Microsoft's consent or sign-in
// page → the one callback on the loopback listener → connection/complete, with the outcome shown in the browser.
#include "client/loopback/LoopbackFlowSupport.h"
#include "client/loopback/LoopbackFlows.h"
#include "client/loopback/LoopbackServer.h"

#include <QLoggingCategory>
#include <optional>

Q_LOGGING_CATEGORY(lcConnector, "stint.client.tenantconnector")

namespace stint::client {

using namespace loopback;

struct TenantConnector::Impl
{
    CloudApi& api;
    OpenUrl openUrl;
    int timeoutMs = kConnectTimeoutMs;
    // Kept after a flow ends, so that a late browser still gets its page, until the next flow or this object goes.
    std::unique_ptr<LoopbackServer> server;
    std::optional<Call<models::ConnectionState>> pending;
    QString tenantId;
    quint64 run = 0; // answers of an earlier (cancelled) run are ignored
};

TenantConnector::TenantConnector(CloudApi& api, OpenUrl openUrl, QObject* parent)
    : QObject(parent)
    , d(new Impl {api, std::move(openUrl)})
{
}

TenantConnector::~TenantConnector()
{
    if (d->pending)
        d->pending->fail(flowError(loopbackErrors::kCancelled, tr("Connecting the tenant was cancelled.")));
}

void TenantConnector::setTimeoutMs(int ms)
{
    d->timeoutMs = ms;
}

int TenantConnector::timeoutMs() const
{
    return d->timeoutMs;
}

bool TenantConnector::isRunning() const
{
    return d->pending.has_value();
}

Call<models::ConnectionState> TenantConnector::connect(const QString& tenantId, const QString& kind,
                                                       const QString& loginHint, const QString& tenantHint)
{
    if (d->pending)
        return Call<models::ConnectionState>::failed(
            flowError(loopbackErrors::kBusy, tr("A tenant is being connected already; finish or cancel that first.")));
    Call<models::ConnectionState> call;
    d->pending = call;
    d->tenantId = tenantId;
    const quint64 run = ++d->run;

    // Finishes this run once: resolves the call, and stops listening unless the listener still has a page to show.
    auto finish = [this, run](Result<models::ConnectionState> result) {
        if (run != d->run || !d->pending)
            return;
        auto pending = std::move(*d->pending);
        d->pending.reset();
        if (d->server && d->server->phase() != LoopbackServer::Phase::Expired)
            d->server->close();
        if (!result.ok())
            qCInfo(lcConnector) << "connecting" << d->tenantId << "failed:" << result.error().code;
        emit stageChanged(LoopbackStage::Done);
        pending.resolve(std::move(result));
    };

    if (d->server)
        d->server.release()->deleteLater();
    d->server = std::make_unique<LoopbackServer>(QString::fromLatin1(kConnectCallbackPath));
    LoopbackServer* server = d->server.get();
    emit stageChanged(LoopbackStage::Starting);
    if (auto listening = server->listen(); !listening) {
        finish(listening.error());
        return call;
    }

    QObject::connect(server, &LoopbackServer::timedOut, this, [finish]() {
        finish(flowError(loopbackErrors::kTimeout,
                         tr("No answer came from the browser in time. Start connecting the tenant again.")));
    });
    QObject::connect(server, &LoopbackServer::callbackReceived, this, [this, run, server, finish](const QUrl& url) {
        if (run != d->run)
            return;
        emit stageChanged(LoopbackStage::Completing);
        const auto items = callbackParameters(url);
        const std::optional<QString> error = items ? single(*items, "error") : std::nullopt;
        const QString callbackUrl = url.toString(QUrl::FullyEncoded);
        if (error) {
            // Microsoft said no (declined, not an admin, …): the browser learns why at once; the cloud still gets
            // the callback, so that the refusal is audited, and the flow fails with Microsoft's reason.
            const QString description = single(*items, "error_description").value_or(QString());
            server->answer(LoopbackPage::refusedByMicrosoft(*error, description));
            const QString aadsts = LoopbackPage::aadstsCode(description);
            const Error refused = flowError(loopbackErrors::kAuthorizationFailed,
                                            tr("Microsoft did not grant the connection: %1")
                                                .arg(LoopbackPage::firstSentence(description).isEmpty()
                                                         ? *error
                                                         : LoopbackPage::firstSentence(description)),
                                            {{QStringLiteral("error"), *error},
                                             {QStringLiteral("aadsts"), aadsts},
                                             {QStringLiteral("description"), description.left(4000)}});
            d->api.completeConnection(d->tenantId, callbackUrl)
                .then(this, [finish, refused](const Result<models::ConnectionState>&) { finish(refused); });
            return;
        }
        d->api.completeConnection(d->tenantId, callbackUrl)
            .then(this, [this, run, finish](const Result<models::ConnectionState>& r) {
                if (run == d->run && d->server)
                    d->server->answer(r.ok() ? LoopbackPage::connected() : pageForError(r.error()));
                finish(r);
            });
    });

    d->api.startConnection(tenantId, kind, server->redirectUri(), loginHint, tenantHint)
        .then(this, [this, run, finish](const Result<models::ConnectStart>& r) {
            if (run != d->run || !d->server)
                return;
            if (!r.ok())
                return finish(r.error());
            const QUrl url(r->authorizationUrl, QUrl::StrictMode);
            if (!acceptableBrowserUrl(url) || r->state.isEmpty())
                return finish(flowError(loopbackErrors::kBadAuthorizationUrl,
                                        tr("The Stint service sent an address for the browser that Stint does not "
                                           "open (it must use https).")));
            d->server->awaitCallback(r->state.toUtf8(), d->timeoutMs);
            emit stageChanged(LoopbackStage::WaitingForBrowser);
            if (!d->openUrl || !d->openUrl(url))
                finish(flowError(loopbackErrors::kBrowserUnavailable,
                                 tr("Stint could not open the web browser. Open the address Stint shows in a "
                                    "browser on this computer."),
                                 {{QStringLiteral("url"), url.toString(QUrl::FullyEncoded)}}));
        });
    return call;
}

void TenantConnector::cancel()
{
    if (!d->pending)
        return;
    ++d->run; // late answers of this run are ignored from here on
    auto pending = std::move(*d->pending);
    d->pending.reset();
    if (d->server) {
        // Once the callback went to the cloud, cancelling only stops waiting: the cloud goes on verifying, and the
        // outcome still reaches the app as the tenant's connection. The browser is not told otherwise.
        const bool completing = d->server->phase() == LoopbackServer::Phase::Answering;
        d->server->close(completing ? LoopbackPage::received() : LoopbackPage::cancelled());
    }
    emit stageChanged(LoopbackStage::Done);
    pending.fail(flowError(loopbackErrors::kCancelled, tr("Connecting the tenant was cancelled.")));
}

} // namespace stint::client
