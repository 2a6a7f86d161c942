// SPDX-License-Identifier: GPL-3.0-or-later
#include "GraphEndpoints.h"

#include "Faults.h"
#include "GraphCall.h"
#include "Simulator.h"
#include "Throttling.h"
#include "core/Json.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>

namespace stint::entrasim {

GraphEndpoints::GraphEndpoints(Simulator& simulator)
    : m_simulator(simulator)
{
}

SimResponse GraphEndpoints::error(int status, const QString& code, const QString& message, const QString& requestId,
                                  const QString& clientRequestId, const QJsonArray& details)
{
    QJsonObject inner {{"date", innerErrorDate()}, {"request-id", requestId}, {"client-request-id", clientRequestId}};
    QJsonObject err {{"code", code}, {"message", message}, {"innerError", inner}};
    if (!details.isEmpty())
        err.insert("details", details);
    SimResponse r = SimResponse::json(status, QJsonObject {{"error", err}});
    r.setHeader("request-id", requestId.toLatin1());
    r.setHeader("client-request-id", clientRequestId.toLatin1());
    r.setHeader(
        "x-ms-ags-diagnostic",
        R"({"ServerInfo":{"DataCenter":"Local","Slice":"E","Ring":"5","ScaleUnit":"000","RoleInstance":"ENTRA-SIM"}})");
    return r;
}

SimResponse GraphEndpoints::handle(const SimRequest& request, const QString& version, const QString& rest,
                                   LoggedRequest& entry)
{
    Call call {request, rest.isEmpty() ? QStringLiteral("/") : rest, SimState::newGuid(),
               QString::fromLatin1(request.header("client-request-id").left(200))};
    if (call.clientRequestId.isEmpty())
        call.clientRequestId = SimState::newGuid();
    SimResponse response;
    if (version == QLatin1String("beta")) {
        // Stint uses v1.0 only; the simulator does not pretend to know beta.
        response = error(400, QStringLiteral("BadRequest"),
                         QStringLiteral("The beta endpoint is not supported by entra-sim; use /v1.0."), call.requestId,
                         call.clientRequestId);
    } else {
        response = dispatch(call);
    }
    if (call.tenant)
        entry.tenantId = call.tenant->id;
    entry.appId = call.claims.appId;
    entry.throttled = call.throttled;
    return response;
}

SimResponse GraphEndpoints::dispatch(Call& call)
{
    // The token (protocols.md 2.1, 1.8).
    const QByteArray authorization = call.request.header("Authorization");
    QByteArray bearer;
    if (authorization.size() > 7 && authorization.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
        bearer = authorization.mid(7).trimmed();
    const auto claims = m_simulator.tokens().verify(bearer, m_simulator.clock().now());
    if (!claims) {
        SimResponse r = error(401, QStringLiteral("InvalidAuthenticationToken"), claims.error().message, call.requestId,
                              call.clientRequestId);
        r.setHeader(
            "WWW-Authenticate",
            R"(Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000")");
        return r;
    }
    call.claims = *claims;
    call.now = m_simulator.clock().now();
    call.tenant = m_simulator.state().tenant(call.claims.tenantId);
    if (!call.tenant) {
        return error(401, QStringLiteral("InvalidAuthenticationToken"),
                     QStringLiteral("Access token validation failure. Invalid audience."), call.requestId,
                     call.clientRequestId);
    }
    call.servicePrincipal = m_simulator.state().servicePrincipal(call.tenant->id, call.claims.appId);
    if (!call.servicePrincipal) {
        // The app was removed from the tenant after the token was issued: its service principal is gone, and Graph
        // no longer accepts the token (the exact text is not in the stored docs [unverified]).
        return error(401, QStringLiteral("InvalidAuthenticationToken"),
                     QStringLiteral("Access token validation failure. The service principal of the application "
                                    "was not found in the tenant."),
                     call.requestId, call.clientRequestId);
    }
    if (call.path == QLatin1String("/$batch") && call.request.method == "POST")
        return batch(call);
    return authorizeAndRoute(call);
}

// Throttling applies per request, and per item inside a $batch (protocols.md 2.9, 2.10).
SimResponse GraphEndpoints::authorizeAndRoute(Call& call)
{
    const QString& tenantId = call.tenant->id;
    if (const int retryAfter = m_simulator.faults().takeForcedThrottle(tenantId, QStringLiteral("/v1.0") + call.path)) {
        call.throttled = true;
        SimResponse r
            = error(429, QStringLiteral("TooManyRequests"),
                    QStringLiteral("Too many requests. Please try again later."), call.requestId, call.clientRequestId);
        r.setHeader("Retry-After", QByteArray::number(retryAfter));
        return r;
    }
    const bool write = call.request.method != "GET" && call.request.method != "HEAD";
    const int units = Throttling::resourceUnits(call.request.method, call.path, call.request.query);
    const ThrottleDecision decision
        = m_simulator.throttling().charge(tenantId, call.claims.appId, call.tenant->size, units, write);
    if (!decision.allowed) {
        call.throttled = true;
        SimResponse r
            = error(429, QStringLiteral("TooManyRequests"),
                    QStringLiteral("Too many requests. Please try again later."), call.requestId, call.clientRequestId);
        r.setHeader("Retry-After", QByteArray::number(decision.retryAfterSeconds));
        r.setHeader("x-ms-throttle-scope", decision.scope.toUtf8());
        r.setHeader("x-ms-throttle-information", decision.information.toUtf8());
        return r;
    }
    call.extraHeaders.append({"x-ms-resource-unit", QByteArray::number(units)});
    if (decision.usedFraction > 0.8)
        call.extraHeaders.append({"x-ms-throttle-limit-percentage", QByteArray::number(decision.usedFraction, 'f', 1)});
    SimResponse r = route(call);
    for (const auto& [name, value] : call.extraHeaders)
        r.setHeader(name, value);
    return r;
}

SimResponse GraphEndpoints::route(Call& call)
{
    QStringList segments = call.path.mid(1).split(QLatin1Char('/'));
    if (!segments.isEmpty() && segments.last().isEmpty() && segments.size() > 1)
        segments.removeLast(); // a trailing slash
    const QString first = segments.value(0);
    const QByteArray& method = call.request.method;
    const auto methodNotAllowed = [&] {
        return error(405, QStringLiteral("Request_BadRequest"),
                     QStringLiteral("Specified HTTP method is not allowed for the request target."), call.requestId,
                     call.clientRequestId);
    };
    if (first == QLatin1String("organization") && segments.size() == 1)
        return method == "GET" ? organization(call) : methodNotAllowed();
    if (first == QLatin1String("domains") && segments.size() == 1)
        return method == "GET" ? domains(call) : methodNotAllowed();
    if (first == QLatin1String("users"))
        return users(call, segments);
    if (first == QLatin1String("roleManagement") && segments.value(1) == QLatin1String("directory")) {
        if (segments.value(2) == QLatin1String("roleDefinitions"))
            return roleDefinitions(call, segments.mid(3));
        if (segments.value(2) == QLatin1String("roleAssignments"))
            return roleAssignments(call, segments.mid(3));
    }
    if (first == QLatin1String("directory") && segments.value(1) == QLatin1String("deletedItems"))
        return deletedItems(call, segments.mid(2));
    if (call.path
        == QLatin1String(
            "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass"))
        return method == "GET" ? tapPolicy(call) : methodNotAllowed();
    if (call.path == QLatin1String("/$batch"))
        return methodNotAllowed();
    return badRequest(
        call, QStringLiteral("BadRequest"),
        QStringLiteral("Resource not found for the segment '%1'.").arg(segments.value(segments.size() - 1)));
}

std::optional<QList<FilterClause>> parseFilter(const QString& text)
{
    // Tokens: identifiers, 'quoted strings' ('' escapes a quote), and the words eq/and/true/false.
    QList<QPair<QString, bool>> tokens; // text, isQuoted
    qsizetype i = 0;
    while (i < text.size()) {
        const QChar c = text[i];
        if (c.isSpace()) {
            ++i;
            continue;
        }
        if (c == QLatin1Char('\'')) {
            QString value;
            ++i;
            bool closed = false;
            while (i < text.size()) {
                if (text[i] == QLatin1Char('\'')) {
                    if (i + 1 < text.size() && text[i + 1] == QLatin1Char('\'')) {
                        value += QLatin1Char('\'');
                        i += 2;
                        continue;
                    }
                    closed = true;
                    ++i;
                    break;
                }
                value += text[i++];
            }
            if (!closed)
                return std::nullopt;
            tokens.append({value, true});
            continue;
        }
        if (c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('.')) {
            const qsizetype start = i;
            while (i < text.size()
                   && (text[i].isLetterOrNumber() || text[i] == QLatin1Char('_') || text[i] == QLatin1Char('.')))
                ++i;
            tokens.append({text.mid(start, i - start), false});
            continue;
        }
        return std::nullopt; // parentheses, operators, functions: not in the subset
    }
    QList<FilterClause> clauses;
    qsizetype t = 0;
    while (true) {
        if (t + 3 > tokens.size() || tokens[t].second || tokens[t + 1].second
            || tokens[t + 1].first.compare(QLatin1String("eq"), Qt::CaseInsensitive) != 0)
            return std::nullopt;
        FilterClause clause;
        clause.property = tokens[t].first;
        clause.isString = tokens[t + 2].second;
        clause.value = tokens[t + 2].first;
        if (!clause.isString && clause.value != QLatin1String("true") && clause.value != QLatin1String("false"))
            return std::nullopt;
        clauses.append(clause);
        t += 3;
        if (t == tokens.size())
            return clauses;
        if (tokens[t].second || tokens[t].first.compare(QLatin1String("and"), Qt::CaseInsensitive) != 0)
            return std::nullopt;
        ++t;
    }
}

// JSON batching (protocols.md 2.9): at most 20 requests, unique case-insensitive ids, headers (with Content-Type)
// required with a body, fully parallel or fully sequential (dependsOn on every item after the first, naming earlier
// ones), dependsOn → 424 when a dependency failed (a 424 is a failure too, so it runs down a chain), throttling per
// item, answers in another order.
SimResponse GraphEndpoints::batch(Call& call)
{
    const auto payloadError = [&] {
        return badRequest(call, QStringLiteral("BadRequest"),
                          QStringLiteral("Unable to read JSON request payload. Please ensure Content-Type header is "
                                         "set and payload is of valid JSON format."));
    };
    const auto parsed = json::parseObject(call.request.body, 4 * 1024 * 1024);
    if (!parsed || !jsonTextIsClean(call.request.body))
        return payloadError();
    const QJsonValue requestsValue = parsed->value(QStringLiteral("requests"));
    if (!requestsValue.isArray() || parsed->size() != 1)
        return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Invalid batch payload format."));
    const QJsonArray items = requestsValue.toArray();
    if (items.size() > 20)
        return badRequest(call, QStringLiteral("BadRequest"),
                          QStringLiteral("The number of batch requests exceeds the limit of 20."));
    if (items.isEmpty())
        return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Invalid batch payload format."));

    struct Item
    {
        QString id;
        QByteArray method;
        QString url;
        QJsonObject headers;
        std::optional<QJsonValue> body;
        QStringList dependsOn;
    };
    QList<Item> list;
    QSet<QString> seen;
    for (const QJsonValue& v : items) {
        if (!v.isObject())
            return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Invalid batch payload format."));
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            static const QStringList known {"id", "method", "url", "headers", "body", "dependsOn"};
            if (!known.contains(it.key()))
                return badRequest(call, QStringLiteral("BadRequest"),
                                  QStringLiteral("Invalid batch payload format: unknown property '%1'.").arg(it.key()));
        }
        Item item;
        item.id = o.value("id").toString();
        item.method = o.value("method").toString().toUpper().toLatin1();
        item.url = o.value("url").toString();
        if (item.id.isEmpty() || item.id.size() > 100 || item.method.isEmpty() || item.url.isEmpty()
            || item.url.size() > 4096)
            return badRequest(call, QStringLiteral("BadRequest"),
                              QStringLiteral("Each batch request needs an id, a method and a url."));
        if (seen.contains(item.id.toLower()))
            return badRequest(call, QStringLiteral("BadRequest"),
                              QStringLiteral("Batch request ids must be unique; '%1' appears twice.").arg(item.id));
        seen.insert(item.id.toLower());
        if (o.contains("headers")) {
            if (!o.value("headers").isObject())
                return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Invalid batch payload format."));
            item.headers = o.value("headers").toObject();
        }
        if (o.contains("body")) {
            item.body = o.value("body");
            bool hasContentType = false;
            for (auto it = item.headers.begin(); it != item.headers.end(); ++it)
                hasContentType
                    = hasContentType || it.key().compare(QLatin1String("Content-Type"), Qt::CaseInsensitive) == 0;
            if (!hasContentType)
                return badRequest(
                    call, QStringLiteral("BadRequest"),
                    QStringLiteral("Content-Type header must be specified when a body is present (request id '%1').")
                        .arg(item.id));
        }
        if (o.contains("dependsOn")) {
            if (!o.value("dependsOn").isArray())
                return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Invalid batch payload format."));
            for (const QJsonValue& d : o.value("dependsOn").toArray()) {
                // Only earlier requests may be depended on: the simulator runs items in the given order.
                if (!d.isString() || !seen.contains(d.toString().toLower())
                    || d.toString().toLower() == item.id.toLower())
                    return badRequest(
                        call, QStringLiteral("BadRequest"),
                        QStringLiteral("dependsOn of request '%1' names an unknown request.").arg(item.id));
                item.dependsOn.append(d.toString().toLower());
            }
        }
        list.append(item);
    }
    // "Batch should be either fully sequential or fully parallel" (protocols.md 2.9; Graph's answer to a batch where
    // some items after the first name a dependency and others do not): all or none of them must.
    const auto dependent
        = std::count_if(list.begin() + 1, list.end(), [](const Item& i) { return !i.dependsOn.isEmpty(); });
    if (dependent != 0 && dependent != list.size() - 1)
        return badRequest(call, QStringLiteral("BadRequest"),
                          QStringLiteral("Batch should be either fully sequential or fully parallel"));

    QHash<QString, int> statusById;
    QJsonArray responses;
    for (const Item& item : std::as_const(list)) {
        QJsonObject answer {{"id", item.id}};
        SimResponse response;
        bool dependencyFailed = false;
        for (const QString& d : item.dependsOn) {
            const int status = statusById.value(d);
            dependencyFailed = dependencyFailed || status < 200 || status > 299;
        }
        QString url = item.url;
        if (url.startsWith(QLatin1String("/v1.0/")))
            url = url.mid(5);
        if (!url.startsWith(QLatin1Char('/')))
            url.prepend(QLatin1Char('/'));
        SimRequest inner;
        inner.method = item.method;
        inner.peer = call.request.peer;
        const qsizetype q = url.indexOf(QLatin1Char('?'));
        inner.path = QUrl::fromPercentEncoding(url.left(q < 0 ? url.size() : q).toUtf8());
        if (q >= 0)
            inner.query = QUrlQuery(url.mid(q + 1));
        for (auto it = item.headers.begin(); it != item.headers.end(); ++it)
            inner.headers.append({it.key().toLatin1(), it.value().toString().toLatin1()});
        inner.headers.append({"Authorization", call.request.header("Authorization")});
        if (item.body) {
            if (item.body->isObject())
                inner.body = QJsonDocument(item.body->toObject()).toJson(QJsonDocument::Compact);
            else
                inner.body = item.body->toString().toUtf8(); // not JSON: the endpoint rejects it
        }
        Call itemCall {inner, inner.path, SimState::newGuid(), call.clientRequestId};
        itemCall.claims = call.claims;
        itemCall.tenant = call.tenant;
        itemCall.servicePrincipal = call.servicePrincipal;
        if (dependencyFailed) {
            response = error(424, QStringLiteral("FailedDependency"),
                             QStringLiteral("The request depends on a request that failed."), itemCall.requestId,
                             itemCall.clientRequestId);
        } else if (url.contains(QLatin1String("://")) || inner.path.startsWith(QLatin1String("/$batch"))) {
            response = badRequest(itemCall, QStringLiteral("BadRequest"),
                                  QStringLiteral("Batch request urls must be relative and cannot be $batch."));
        } else {
            itemCall.now = m_simulator.clock().now();
            response = authorizeAndRoute(itemCall);
        }
        statusById.insert(item.id.toLower(), response.status);

        LoggedRequest entry;
        entry.method = inner.method;
        entry.pathAndQuery = QStringLiteral("/v1.0") + inner.pathAndQuery();
        entry.area = QStringLiteral("batch-item");
        entry.tenantId = call.tenant->id;
        entry.appId = call.claims.appId;
        entry.status = response.status;
        entry.clientRequestId = call.clientRequestId;
        entry.time = m_simulator.clock().now();
        entry.receivedMs = entry.answeredMs = m_simulator.monotonicMs();
        entry.throttled = itemCall.throttled;
        m_simulator.appendLog(entry);

        answer.insert("status", response.status);
        QJsonObject headers;
        for (const auto& [name, value] : response.headers) {
            if (name.compare("Content-Type", Qt::CaseInsensitive) == 0
                || name.compare("Retry-After", Qt::CaseInsensitive) == 0 || name.startsWith("x-ms-throttle")
                || name == "Location")
                headers.insert(QString::fromLatin1(name), QString::fromLatin1(value));
        }
        answer.insert("headers", headers);
        if (!response.body.isEmpty())
            answer.insert("body", QJsonDocument::fromJson(response.body).object());
        responses.prepend(answer); // "responses might appear in a different order": reversed, always
    }
    return ok(call, 200, QJsonObject {{"responses", responses}});
}

bool GraphEndpoints::permitted(const Call& call, const QStringList& anyOf) const
{
    for (const QString& role : call.claims.roles) {
        if (anyOf.contains(role))
            return true;
    }
    return false;
}

SimResponse GraphEndpoints::forbidden(const Call& call) const
{
    return error(403, QStringLiteral("Authorization_RequestDenied"),
                 QStringLiteral("Insufficient privileges to complete the operation."), call.requestId,
                 call.clientRequestId);
}

SimResponse GraphEndpoints::notFound(const Call& call, const QString& id) const
{
    return error(
        404, QStringLiteral("Request_ResourceNotFound"),
        QStringLiteral("Resource '%1' does not exist or one of its queried reference-property objects are not present.")
            .arg(id),
        call.requestId, call.clientRequestId);
}

SimResponse GraphEndpoints::badRequest(const Call& call, const QString& code, const QString& message,
                                       const QJsonArray& details) const
{
    return error(400, code, message, call.requestId, call.clientRequestId, details);
}

SimResponse GraphEndpoints::ok(const Call& call, int status, const QJsonObject& body) const
{
    SimResponse r = SimResponse::json(status, body);
    r.setHeader("request-id", call.requestId.toLatin1());
    r.setHeader("client-request-id", call.clientRequestId.toLatin1());
    r.setHeader(
        "x-ms-ags-diagnostic",
        R"({"ServerInfo":{"DataCenter":"Local","Slice":"E","Ring":"5","ScaleUnit":"000","RoleInstance":"ENTRA-SIM"}})");
    return r;
}

SimResponse GraphEndpoints::noContent(const Call& call) const
{
    SimResponse r = ok(call, 204, {});
    r.body.clear();
    r.headers.removeIf([](const auto& h) { return h.first == "Content-Type"; });
    return r;
}

SimResponse GraphEndpoints::organization(Call& call)
{
    if (!permitted(
            call,
            {"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}))
        return forbidden(call);
    QJsonArray verified;
    for (const SimDomain& d : call.tenant->domains) {
        if (!d.isVerified)
            continue;
        verified.append(QJsonObject {{"capabilities", "Email, OfficeCommunicationsOnline"},
                                     {"isDefault", d.isDefault},
                                     {"isInitial", d.isInitial},
                                     {"name", d.name},
                                     {"type", d.authenticationType}});
    }
    const QJsonObject org {{"id", call.tenant->id},
                           {"displayName", call.tenant->displayName},
                           {"tenantType", "AAD"},
                           {"verifiedDomains", verified}};
    return ok(call, 200,
              QJsonObject {{"@odata.context", kGraphBase + QStringLiteral("/$metadata#organization")},
                           {"value", QJsonArray {org}}});
}

SimResponse GraphEndpoints::domains(Call& call)
{
    if (!permitted(call, {"Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}))
        return forbidden(call);
    QJsonArray list;
    for (const SimDomain& d : call.tenant->domains) {
        list.append(QJsonObject {{"authenticationType", d.authenticationType},
                                 {"availabilityStatus", QJsonValue::Null},
                                 {"id", d.name},
                                 {"isAdminManaged", true},
                                 {"isDefault", d.isDefault},
                                 {"isInitial", d.isInitial},
                                 {"isRoot", true},
                                 {"isVerified", d.isVerified},
                                 {"supportedServices", QJsonArray {"Email", "OfficeCommunicationsOnline"}}});
    }
    return ok(call, 200,
              QJsonObject {{"@odata.context", kGraphBase + QStringLiteral("/$metadata#domains")}, {"value", list}});
}

} // namespace stint::entrasim
