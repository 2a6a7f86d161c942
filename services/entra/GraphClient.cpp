// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/GraphClient.h"

#include "entra/EntraLogging.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QThread>
#include <QUuid>

namespace stint::entra {
namespace {

constexpr int kMaxBatchItems = 20; // protocols.md 2.9

QString pathOnly(const QString& relativeUrl)
{
    const qsizetype q = relativeUrl.indexOf(QLatin1Char('?'));
    return q < 0 ? relativeUrl : relativeUrl.left(q);
}

bool lostOrUnclear(int status)
{
    return status == 500 || status == 502 || status == 504;
}

GraphResponse fromHttp(const HttpResponse& http)
{
    GraphResponse response;
    response.status = http.status;
    response.headers = http.headers;
    response.body = QJsonDocument::fromJson(http.body).object();
    return response;
}

void logThrottleHeaders(const HttpHeaders& headers)
{
    for (const auto& [name, value] : headers) {
        const QByteArray lower = name.toLower();
        if (lower.startsWith("x-ms-throttle") || lower == "retry-after" || lower == "x-ms-resource-unit")
            qCDebug(lcEntra).noquote() << "graph" << QString::fromLatin1(name) << QString::fromLatin1(value);
    }
}

} // namespace

QString GraphResponse::errorCode() const
{
    return body.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

QString GraphResponse::errorMessage() const
{
    return body.value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
}

QStringList GraphResponse::errorDetailCodes() const
{
    QStringList out;
    const QJsonArray details
        = body.value(QStringLiteral("error")).toObject().value(QStringLiteral("details")).toArray();
    for (const QJsonValue& detail : details)
        out.append(detail.toObject().value(QStringLiteral("code")).toString());
    return out;
}

Error graphError(const GraphResponse& response, const QString& what)
{
    const QString message = QStringLiteral("%1: Graph answered %2 %3 %4")
                                .arg(what)
                                .arg(response.status)
                                .arg(response.errorCode(), response.errorMessage().left(300))
                                .trimmed();
    QString code = QString::fromLatin1(kGraphError);
    if (response.status == 0)
        code = QString::fromLatin1(kOutcomeUnknown);
    else if (response.status == 401)
        code = QString::fromLatin1(EntraGateway::kAuthentication);
    else if (response.status == 403)
        code = QString::fromLatin1(EntraGateway::kForbidden);
    else if (response.status == 404)
        code = QString::fromLatin1(kNotFound);
    else if (response.status == 429)
        code = QString::fromLatin1(kThrottled);
    else if (response.status >= 500)
        code = QString::fromLatin1(EntraGateway::kTransient);
    Error error = makeError(code, message);
    // A 401 reaches here only for a token the client had just fetched again (exchange() retries a 401 once with a
    // fresh token): Graph refuses the app itself, as for a deleted service principal.
    if (response.status == 401)
        error.details.insert(QStringLiteral("credentialGone"), true);
    return error;
}

GraphClient::GraphClient(TokenProvider& tokens, GraphClientOptions options)
    : m_tokens(tokens)
    , m_options(std::move(options))
    , m_pacer(
          m_options.budgets, m_options.clock ? m_options.clock : &m_systemClock,
          m_options.sleep ? m_options.sleep : [](qint64 ms) { QThread::msleep(std::max<qint64>(0, ms)); })
{
    if (!m_options.sleep)
        m_options.sleep = [](qint64 ms) { QThread::msleep(std::max<qint64>(0, ms)); };
}

TimeMs GraphClient::now() const
{
    return (m_options.clock ? m_options.clock : &m_systemClock)->now();
}

QString GraphClient::odataString(const QString& value)
{
    QString quoted = value;
    quoted.replace(QLatin1Char('\''), QStringLiteral("''"));
    return QString::fromLatin1(QUrl::toPercentEncoding(quoted, "@"));
}

QString GraphClient::versionRoot(const TenantAccess& tenant) const
{
    return tenant.endpoints.graph.toString(QUrl::StripTrailingSlash) + QLatin1Char('/') + m_options.apiVersion;
}

Result<QString> GraphClient::relativeUrl(const TenantAccess& tenant, const QString& url) const
{
    if (url.startsWith(QLatin1Char('/')))
        return url;
    // An @odata.nextLink: followed only under the same Graph root, so the token never goes anywhere else.
    const QString root = versionRoot(tenant) + QLatin1Char('/');
    if (url.startsWith(root, Qt::CaseInsensitive))
        return url.mid(root.size() - 1);
    return makeError(QString::fromLatin1(kGraphError), QStringLiteral("Refusing a Graph URL outside the Graph root"));
}

qint64 GraphClient::backoff(int attempt) const
{
    // Full jitter (a random wait between zero and an exponential ceiling) keeps many workers from retrying in step.
    const qint64 ceiling = std::min(m_options.backoffCapMs, m_options.backoffBaseMs << std::min(attempt, 20));
    return QRandomGenerator::global()->bounded(ceiling + 1);
}

qint64 GraphClient::retryAfterMs(const QByteArray& header) const
{
    if (header.isEmpty())
        return -1;
    bool isNumber = false;
    const qint64 seconds = header.trimmed().toLongLong(&isNumber);
    qint64 ms = -1;
    if (isNumber) {
        ms = std::max<qint64>(0, seconds) * 1000;
    } else {
        const QDateTime at = QDateTime::fromString(QString::fromLatin1(header.trimmed()), Qt::RFC2822Date);
        if (at.isValid())
            ms = std::max<qint64>(0, at.toMSecsSinceEpoch() - now());
    }
    return ms < 0 ? -1 : std::min(ms, m_options.maxRetryAfterMs);
}

Result<HttpResponse> GraphClient::exchange(const TenantAccess& tenant, const QByteArray& method,
                                           const QString& relativeUrl, const QByteArray& body, bool* refreshed,
                                           int* roundTrips)
{
    for (;;) {
        auto token = m_tokens.token(tenant);
        if (!token)
            return token.error();
        HttpRequest request;
        request.method = method;
        request.url = QUrl(versionRoot(tenant) + relativeUrl, QUrl::TolerantMode);
        request.timeoutMs = m_options.requestTimeoutMs;
        const QByteArray clientRequestId = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
        request.headers = {{"Authorization", "Bearer " + (*token)->value.bytes()},
                           {"Accept", "application/json"},
                           {"client-request-id", clientRequestId}};
        if (!body.isEmpty()) {
            request.headers.append(std::make_pair(QByteArray("Content-Type"), QByteArray("application/json")));
            request.body = body;
        }
        if (roundTrips)
            ++*roundTrips;
        auto http = httpSend(request);
        crypto::wipe(request.headers.first().second);
        if (!http) {
            qCInfo(lcEntra).noquote() << "graph" << method << pathOnly(relativeUrl)
                                      << "no response:" << http.error().message << "client-request-id"
                                      << clientRequestId;
            return http;
        }
        const QByteArray requestId = http->header("request-id");
        if (http->status >= 200 && http->status < 300)
            qCDebug(lcEntra).noquote() << "graph" << method << pathOnly(relativeUrl) << http->status << "request-id"
                                       << requestId;
        else
            qCInfo(lcEntra).noquote() << "graph" << method << pathOnly(relativeUrl) << http->status
                                      << fromHttp(*http).errorCode() << "request-id" << requestId << "client-request-id"
                                      << clientRequestId;
        logThrottleHeaders(http->headers);
        if (http->status == 401 && !*refreshed) {
            // The token may have been revoked or expired early: one fresh token, once.
            *refreshed = true;
            m_tokens.invalidate(tenant, *token);
            continue;
        }
        return http;
    }
}

Result<GraphResponse> GraphClient::send(const TenantAccess& tenant, const GraphRequest& request, int* roundTrips)
{
    auto relative = relativeUrl(tenant, request.url);
    if (!relative)
        return relative.error();
    const TimeMs start = now();
    const TimeMs deadline = start + m_options.callBudgetMs;
    const TimeMs lagDeadline = std::min(deadline, start + m_options.notFoundBudgetMs);
    QByteArray body = request.body ? QJsonDocument(*request.body).toJson(QJsonDocument::Compact) : QByteArray();
    const auto finish = [&](auto result) {
        crypto::wipe(body);
        return result;
    };
    bool refreshed = false;
    const GraphPacer::Cost cost = GraphPacer::costOf(request.method, *relative);
    for (int attempt = 0;; ++attempt) {
        // The token first (usually cached): a reservation should be spent right when it matures, not after a token
        // request, or requests bunch up at Graph.
        if (auto token = m_tokens.token(tenant); !token)
            return finish(Result<GraphResponse>(token.error()));
        if (auto paced = m_pacer.acquire(tenant.app.clientId, tenant.entraTenantId, cost, deadline); !paced)
            return finish(Result<GraphResponse>(paced.error()));
        auto http = exchange(tenant, request.method, *relative, body, &refreshed, roundTrips);
        qint64 wait = -1;
        Error giveUp;
        if (!http) {
            if (http.error().code != QLatin1String(kUnreachable))
                return finish(Result<GraphResponse>(http.error()));
            if (!request.isResendSafe())
                return finish(
                    Result<GraphResponse>(makeError(QString::fromLatin1(kOutcomeUnknown), http.error().message)));
            wait = backoff(attempt);
            giveUp = makeError(QString::fromLatin1(kUnreachable), http.error().message);
        } else {
            GraphResponse response = fromHttp(*http);
            if (response.status == 429) {
                wait = retryAfterMs(http->header("Retry-After"));
                if (wait < 0)
                    wait = backoff(attempt);
                m_pacer.pause(tenant.app.clientId, tenant.entraTenantId, now() + wait);
                giveUp = graphError(response, QStringLiteral("Throttled until the call's time budget ran out"));
                if (now() + wait > deadline)
                    return finish(Result<GraphResponse>(giveUp));
                continue; // the pacer waits out the pause before the next attempt
            }
            if (response.status == 503 || (lostOrUnclear(response.status) && request.isResendSafe())) {
                wait = retryAfterMs(http->header("Retry-After"));
                if (wait < 0)
                    wait = backoff(attempt);
                giveUp
                    = graphError(response, QStringLiteral("Graph kept failing until the call's time budget ran out"));
            } else if (lostOrUnclear(response.status)) {
                return finish(
                    Result<GraphResponse>(makeError(QString::fromLatin1(kOutcomeUnknown),
                                                    graphError(response, QStringLiteral("Unclear outcome")).message)));
            } else if (response.status == 404 && request.retryNotFound
                       && response.errorCode() == QStringLiteral("Request_ResourceNotFound")) {
                wait = backoff(attempt);
                if (now() + wait > lagDeadline)
                    return finish(Result<GraphResponse>(response));
                qCDebug(lcEntra) << "graph: not found yet (replication lag?), retrying in" << wait << "ms";
            } else {
                return finish(Result<GraphResponse>(response));
            }
        }
        if (now() + wait > deadline)
            return finish(Result<GraphResponse>(giveUp));
        m_options.sleep(wait);
    }
}

Result<QList<GraphResponse>> GraphClient::batch(const TenantAccess& tenant, const QList<GraphRequest>& requests,
                                                int* roundTrips, Order order)
{
    const int n = int(requests.size());
    QStringList ids;
    QHash<QString, int> indexOf;
    QStringList relatives;
    QList<QList<int>> needs(n); // the declared dependencies of each item, as indexes (all earlier)
    bool sequential = order == Order::Sequential;
    for (int i = 0; i < n; ++i) {
        const QString id = requests[i].id.isEmpty() ? QString::number(i + 1) : requests[i].id;
        if (indexOf.contains(id.toLower()))
            return makeError(QString::fromLatin1(kGraphError), QStringLiteral("Duplicate $batch item id %1").arg(id));
        for (const QString& dependency : requests[i].dependsOn) {
            // Graph runs a dependant after what it names; only an earlier item can be named (no cycles, and the
            // order of the list is the order of execution).
            if (!indexOf.contains(dependency.toLower()))
                return makeError(QString::fromLatin1(kGraphError),
                                 QStringLiteral("Unknown or later $batch dependency %1").arg(dependency));
            needs[i].append(indexOf.value(dependency.toLower()));
            sequential = true;
        }
        indexOf.insert(id.toLower(), i);
        ids.append(id);
        auto relative = relativeUrl(tenant, requests[i].url);
        if (!relative)
            return relative.error();
        relatives.append(*relative);
    }

    const TimeMs start = now();
    const TimeMs deadline = start + m_options.callBudgetMs;
    const TimeMs lagDeadline = std::min(deadline, start + m_options.notFoundBudgetMs);
    QList<std::optional<GraphResponse>> results(n);
    QList<int> attempts(n, 0);
    QList<int> pending;
    for (int i = 0; i < n; ++i)
        pending.append(i);
    bool refreshed = false;
    int round = 0;
    Error lastProblem
        = makeError(QString::fromLatin1(EntraGateway::kTransient), QStringLiteral("Graph $batch did not complete"));
    const auto failedDependency = [] {
        GraphResponse failed;
        failed.status = 424;
        failed.body = QJsonObject {
            {QStringLiteral("error"),
             QJsonObject {{QStringLiteral("code"), QStringLiteral("FailedDependency")},
                          {QStringLiteral("message"), QStringLiteral("A request it depends on failed.")}}}};
        return failed;
    };
    // Whether something the item needs failed for good.
    const auto needFailed = [&](int i) {
        for (int j : needs[i]) {
            if (results[j] && !results[j]->ok())
                return true;
        }
        return false;
    };

    while (!pending.isEmpty()) {
        // This round's chunks. In parallel, any number of chunks of up to 20. In sequence, one chain of up to 20 in
        // the given order (what follows it waits for the next round, so that nothing overtakes an item left behind).
        QList<QList<int>> chunks;
        for (int i : std::as_const(pending)) {
            if (needFailed(i)) {
                results[i] = failedDependency();
                continue;
            }
            if (chunks.isEmpty() || chunks.last().size() >= kMaxBatchItems) {
                if (sequential && !chunks.isEmpty())
                    break;
                chunks.append(QList<int>());
            }
            chunks.last().append(i);
        }

        qint64 wait = 0;
        for (const QList<int>& chunk : std::as_const(chunks)) {
            GraphPacer::Cost cost {0, 0, 1};
            QJsonArray items;
            for (qsizetype k = 0; k < chunk.size(); ++k) {
                const int i = chunk[k];
                const GraphPacer::Cost one = GraphPacer::costOf(requests[i].method, relatives[i]);
                cost.units += one.units;
                cost.writes += one.writes;
                QJsonObject item {{QStringLiteral("id"), ids[i]},
                                  {QStringLiteral("method"), QString::fromLatin1(requests[i].method.toUpper())},
                                  {QStringLiteral("url"), relatives[i]}};
                if (requests[i].body) {
                    item.insert(QStringLiteral("body"), *requests[i].body);
                    item.insert(QStringLiteral("headers"),
                                QJsonObject {{QStringLiteral("Content-Type"), QStringLiteral("application/json")}});
                }
                // Fully sequential: each item after the one before it (which, in turn, after the ones it needs).
                if (sequential && k > 0)
                    item.insert(QStringLiteral("dependsOn"), QJsonArray {ids[chunk[k - 1]]});
                items.append(item);
            }
            if (auto token = m_tokens.token(tenant); !token)
                return token.error();
            if (auto paced = m_pacer.acquire(tenant.app.clientId, tenant.entraTenantId, cost, deadline); !paced)
                return paced.error();
            QByteArray body
                = QJsonDocument(QJsonObject {{QStringLiteral("requests"), items}}).toJson(QJsonDocument::Compact);
            auto http = exchange(tenant, "POST", QStringLiteral("/$batch"), body, &refreshed, roundTrips);
            crypto::wipe(body);
            if (http && http->status == 401)
                return graphError(fromHttp(*http), QStringLiteral("Graph refused a fresh token"));
            if (http && http->status != 200 && http->status != 429 && http->status < 500)
                return graphError(fromHttp(*http), QStringLiteral("Graph refused the $batch"));
            if (!http || http->status != 200) {
                // The whole batch failed: what may be resent is; the rest has an unknown outcome.
                if (!http && http.error().code != QLatin1String(kUnreachable))
                    return http.error();
                qint64 itemWait = http ? retryAfterMs(http->header("Retry-After")) : -1;
                if (itemWait < 0)
                    itemWait = backoff(round);
                if (http && http->status == 429)
                    m_pacer.pause(tenant.app.clientId, tenant.entraTenantId, now() + itemWait);
                wait = std::max(wait, itemWait);
                lastProblem = http ? graphError(fromHttp(*http), QStringLiteral("Graph $batch kept failing"))
                                   : makeError(QString::fromLatin1(kUnreachable), http.error().message);
                for (int i : chunk) {
                    if (!requests[i].isResendSafe() && (!http || lostOrUnclear(http->status)))
                        results[i] = GraphResponse {}; // status 0: outcome unknown
                }
                if (sequential)
                    break; // nothing may overtake what this chunk left undone
                continue;
            }
            const QJsonArray responses
                = QJsonDocument::fromJson(http->body).object().value(QStringLiteral("responses")).toArray();
            QHash<int, GraphResponse> answered;
            for (const QJsonValue& value : responses) {
                const QJsonObject object = value.toObject();
                const int i = indexOf.value(object.value(QStringLiteral("id")).toString().toLower(), -1);
                if (i < 0 || !chunk.contains(i) || answered.contains(i))
                    continue;
                GraphResponse item;
                item.status = object.value(QStringLiteral("status")).toInt();
                item.body = object.value(QStringLiteral("body")).toObject();
                const QJsonObject headers = object.value(QStringLiteral("headers")).toObject();
                for (auto it = headers.begin(); it != headers.end(); ++it)
                    item.headers.append(
                        std::make_pair(it.key().toLatin1(), it.value().toVariant().toString().toLatin1()));
                logThrottleHeaders(item.headers);
                answered.insert(i, item);
            }
            // In the order of the chunk, so that a 424 is judged after what came before it.
            for (int i : chunk) {
                const auto found = answered.constFind(i);
                if (found == answered.constEnd()) {
                    if (!requests[i].isResendSafe())
                        results[i] = GraphResponse {};
                    continue;
                }
                const GraphResponse& item = *found;
                const bool lagged = item.status == 404 && requests[i].retryNotFound
                    && item.errorCode() == QStringLiteral("Request_ResourceNotFound");
                if (item.status == 429 || item.status == 503) {
                    qint64 itemWait = retryAfterMs(findHeader(item.headers, "Retry-After"));
                    if (itemWait < 0)
                        itemWait = backoff(attempts[i]);
                    if (item.status == 429)
                        m_pacer.pause(tenant.app.clientId, tenant.entraTenantId, now() + itemWait);
                    wait = std::max(wait, itemWait);
                    lastProblem = graphError(item, QStringLiteral("A $batch item kept failing"));
                    ++attempts[i];
                } else if (lostOrUnclear(item.status) && requests[i].isResendSafe()) {
                    wait = std::max(wait, backoff(attempts[i]++));
                    lastProblem = graphError(item, QStringLiteral("A $batch item kept failing"));
                } else if (lagged && now() < lagDeadline) {
                    wait = std::max(wait, backoff(attempts[i]++));
                } else if (item.status == 424) {
                    // Not carried out. Final only when something it needs failed for good; otherwise (what it
                    // needs is retried, or it only followed an unrelated item in the chain) it goes again.
                    if (needFailed(i))
                        results[i] = item;
                } else {
                    results[i] = item;
                }
            }
            if (sequential)
                break;
        }
        ++round;
        QList<int> stillPending;
        for (int i : std::as_const(pending)) {
            if (!results[i])
                stillPending.append(i);
        }
        if (stillPending.size() == pending.size() && wait == 0)
            wait = backoff(round); // no answer moved on (a Graph that keeps refusing the chain's head): not a hot loop
        pending = stillPending;
        if (pending.isEmpty())
            break;
        if (now() + wait > deadline)
            return makeError(
                lastProblem.code,
                QStringLiteral("%1 (%2 of %3 items unanswered)").arg(lastProblem.message).arg(pending.size()).arg(n));
        if (wait > 0)
            m_options.sleep(wait);
    }
    QList<GraphResponse> out;
    out.reserve(n);
    for (auto& result : results)
        out.append(result.value_or(GraphResponse {}));
    return out;
}

} // namespace stint::entra
