// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "entra/BlockingHttp.h"
#include "entra/GraphPacer.h"
#include "entra/TokenProvider.h"

#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <optional>

// Microsoft Graph requests with what the service asks of a client (protocols.md 2.1, 2.9–2.11): a client-request-id
// per request, retries of 429 after Retry-After (also per $batch item), of 5xx and lost connections with exponential
// backoff and full jitter, a 401 answered by one fresh token, replication-lag 404s retried only where the caller
// says so, pacing under the documented budgets, and a time budget per call.
namespace stint::entra {

inline constexpr auto kGraphError = "entra.graph_error";
inline constexpr auto kNotFound = "entra.not_found";
// A request that must not be sent twice (POST /users …) may or may not have been carried out: the caller re-reads.
inline constexpr auto kOutcomeUnknown = "entra.outcome_unknown";

struct GraphRequest
{
    QByteArray method = "GET";
    // Relative to the version root ("/users/{id}?$select=id"), query values percent-encoded — or an absolute
    // @odata.nextLink under the same root.
    QString url;
    std::optional<QJsonObject> body;
    // A 404 Request_ResourceNotFound may be replication lag here (the object was just made): retry it, bounded.
    bool retryNotFound = false;
    // May be sent again when an attempt's outcome is unknown (dropped connection, 500/502/504). Defaults to true for
    // everything but POST; a POST that is harmless to repeat (a TAP, which replaces the last one) sets it.
    std::optional<bool> resendSafe;
    // $batch only: the item's id (default: its position, from "1") and the earlier items it needs to have succeeded.
    QString id;
    QStringList dependsOn;

    bool isResendSafe() const { return resendSafe.value_or(method.toUpper() != "POST"); }
};

struct GraphResponse
{
    int status = 0; // 0: no response (only in batch results, for a request that was not resent: outcome unknown)
    QJsonObject body;
    HttpHeaders headers;

    bool ok() const { return status >= 200 && status < 300; }
    QString errorCode() const; // error.code
    QString errorMessage() const; // error.message
    QStringList errorDetailCodes() const; // error.details[].code (ObjectConflict …)
};

struct GraphClientOptions
{
    const Clock* clock = nullptr; // nullptr: the system clock
    std::function<void(qint64 ms)> sleep; // default: sleep the calling thread; tests inject one
    QString apiVersion = QStringLiteral("v1.0");
    int requestTimeoutMs = 30'000;
    qint64 callBudgetMs = 120'000; // a send() or batch() gives up after this long, retries included
    qint64 notFoundBudgetMs = 90'000; // how long a replication-lag 404 is retried
    qint64 backoffBaseMs = 500;
    qint64 backoffCapMs = 16'000;
    qint64 maxRetryAfterMs = 120'000; // a longer Retry-After is treated as this (then the budget decides)
    GraphBudgets budgets;
};

class GraphClient
{
public:
    GraphClient(TokenProvider& tokens, GraphClientOptions options = {});

    // One request. Any response Graph gives in the end is returned (check ok()); errors are for no usable response:
    // entra.throttled / entra.transient / entra.unreachable after the budget, entra.outcome_unknown for a request
    // not safe to resend, entra.authentication when a fresh token is refused too, and the token errors.
    // `roundTrips` (optional) is incremented per HTTP exchange with Graph.
    Result<GraphResponse> send(const TenantAccess& tenant, const GraphRequest& request, int* roundTrips = nullptr);

    // How the items of a $batch run. Graph runs a batch either fully in parallel (no item has dependsOn) or fully in
    // sequence (every item after the first depends on one before it), and refuses anything between (400 "Batch should
    // be either fully sequential or fully parallel", protocols.md 2.9); in sequence, an item that fails makes every
    // item after it fail with 424.
    enum class Order
    {
        Parallel,   // no order among the items (unless one declares dependsOn: then Sequential)
        Sequential, // the items run in the order given, each one after the one before it
    };

    // Many requests through JSON $batch (≤ 20 per batch), answered in the order of `requests` whatever order Graph
    // answers in. A request's dependsOn (earlier ids only) means "only if that one succeeded": its 424 is final when
    // the one it names failed for good. Sequential batches are sent as one chain each (item k depends on item k-1);
    // an item that got 424 only because an unrelated item before it failed was not carried out, and is sent again,
    // in order, with what else is left. Items that failed in a retryable way (429, 503, a lagging 404 where marked,
    // 500/502/504 where resend-safe) are sent again. Item errors are in the items; the call fails only when some item
    // could not be brought to an answer within the budget (entra.throttled / entra.transient) or the app is not
    // authenticated.
    Result<QList<GraphResponse>> batch(const TenantAccess& tenant, const QList<GraphRequest>& requests,
                                       int* roundTrips = nullptr, Order order = Order::Parallel);

    GraphPacer& pacer() { return m_pacer; }
    TokenProvider& tokens() { return m_tokens; }

    // Percent-encodes an OData string literal for a $filter: quotes doubled, then URL-encoded.
    static QString odataString(const QString& value);

private:
    struct Exchange;
    Result<HttpResponse> exchange(const TenantAccess& tenant, const QByteArray& method, const QString& relativeUrl,
                                  const QByteArray& body, bool* refreshed, int* roundTrips);
    Result<QString> relativeUrl(const TenantAccess& tenant, const QString& url) const;
    QString versionRoot(const TenantAccess& tenant) const;
    qint64 backoff(int attempt) const;
    qint64 retryAfterMs(const QByteArray& header) const;
    TimeMs now() const;

    TokenProvider& m_tokens;
    GraphClientOptions m_options;
    SystemClock m_systemClock;
    GraphPacer m_pacer;
};

// Maps a final non-2xx response to a typed error: 401 entra.authentication, 403 entra.forbidden, 404
// entra.not_found, 429 entra.throttled, 5xx entra.transient, else entra.graph_error. `what` names the step.
Error graphError(const GraphResponse& response, const QString& what);

} // namespace stint::entra
