// SPDX-License-Identifier: GPL-3.0-or-later
#include "GraphEndpoints.h"

#include "Faults.h"
#include "Simulator.h"
#include "Throttling.h"

#include <QDateTime>
#include <QJsonDocument>

namespace stint::entrasim {

namespace {

const QString kGraphBase = QStringLiteral("https://graph.microsoft.com/v1.0");

// innerError.date has no timezone suffix (protocols.md 2.1).
QString innerErrorDate()
{
    return QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd'T'hh:mm:ss");
}

} // namespace

// Everything one Graph request (or one $batch item) carries through the pipeline.
struct GraphEndpoints::Call
{
    const SimRequest& request;
    QString path; // Graph path without the version, e.g. "/users/abc"
    QString requestId;
    QString clientRequestId;
    TokenClaims claims;
    SimTenant* tenant = nullptr;
    SimServicePrincipal* servicePrincipal = nullptr;
    bool throttled = false;
    QList<QPair<QByteArray, QByteArray>> extraHeaders; // throttling headers for the answer
};

GraphEndpoints::GraphEndpoints(Simulator& simulator)
    : m_simulator(simulator)
{
}

SimResponse GraphEndpoints::error(int status, const QString& code, const QString& message, const QString& requestId,
                                  const QString& clientRequestId, const QJsonArray& details)
{
    QJsonObject inner{{"date", innerErrorDate()}, {"request-id", requestId}, {"client-request-id", clientRequestId}};
    QJsonObject err{{"code", code}, {"message", message}, {"innerError", inner}};
    if (!details.isEmpty())
        err.insert("details", details);
    SimResponse r = SimResponse::json(status, QJsonObject{{"error", err}});
    r.setHeader("request-id", requestId.toLatin1());
    r.setHeader("client-request-id", clientRequestId.toLatin1());
    r.setHeader("x-ms-ags-diagnostic",
                R"({"ServerInfo":{"DataCenter":"Local","Slice":"E","Ring":"5","ScaleUnit":"000","RoleInstance":"ENTRA-SIM"}})");
    return r;
}

SimResponse GraphEndpoints::handle(const SimRequest& request, const QString& version, const QString& rest,
                                   LoggedRequest& entry)
{
    Call call{request, rest.isEmpty() ? QStringLiteral("/") : rest, SimState::newGuid(),
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
        SimResponse r = error(401, QStringLiteral("InvalidAuthenticationToken"), claims.error().message,
                              call.requestId, call.clientRequestId);
        r.setHeader("WWW-Authenticate",
                    R"(Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000")");
        return r;
    }
    call.claims = *claims;
    call.tenant = m_simulator.state().tenant(call.claims.tenantId);
    if (!call.tenant) {
        return error(401, QStringLiteral("InvalidAuthenticationToken"),
                     QStringLiteral("Access token validation failure. Invalid audience."), call.requestId,
                     call.clientRequestId);
    }
    call.servicePrincipal = m_simulator.state().servicePrincipal(call.tenant->id, call.claims.appId);
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
        SimResponse r = error(429, QStringLiteral("TooManyRequests"),
                              QStringLiteral("Too many requests. Please try again later."), call.requestId,
                              call.clientRequestId);
        r.setHeader("Retry-After", QByteArray::number(retryAfter));
        return r;
    }
    const bool write = call.request.method != "GET" && call.request.method != "HEAD";
    const int units = Throttling::resourceUnits(call.request.method, call.path, call.request.query);
    const ThrottleDecision decision
        = m_simulator.throttling().charge(tenantId, call.claims.appId, call.tenant->size, units, write);
    if (!decision.allowed) {
        call.throttled = true;
        SimResponse r = error(429, QStringLiteral("TooManyRequests"),
                              QStringLiteral("Too many requests. Please try again later."), call.requestId,
                              call.clientRequestId);
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
    const QStringList segments = call.path.mid(1).split(QLatin1Char('/'));
    const QString first = segments.value(0);
    const QByteArray& method = call.request.method;
    if (first == QLatin1String("organization") && segments.size() == 1 && method == "GET")
        return organization(call);
    if (first == QLatin1String("domains") && segments.size() == 1 && method == "GET")
        return domains(call);
    return badRequest(call, QStringLiteral("BadRequest"),
                      QStringLiteral("Resource not found for the segment '%1'.").arg(first));
}

SimResponse GraphEndpoints::batch(Call& call)
{
    return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("$batch is not implemented yet."));
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
    return error(404, QStringLiteral("Request_ResourceNotFound"),
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
    r.setHeader("x-ms-ags-diagnostic",
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
    if (!permitted(call, {"Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All",
                          "Directory.ReadWrite.All"}))
        return forbidden(call);
    QJsonArray verified;
    for (const SimDomain& d : call.tenant->domains) {
        if (!d.isVerified)
            continue;
        verified.append(QJsonObject{{"capabilities", "Email, OfficeCommunicationsOnline"},
                                    {"isDefault", d.isDefault},
                                    {"isInitial", d.isInitial},
                                    {"name", d.name},
                                    {"type", d.authenticationType}});
    }
    const QJsonObject org{{"id", call.tenant->id},
                          {"displayName", call.tenant->displayName},
                          {"tenantType", "AAD"},
                          {"verifiedDomains", verified}};
    return ok(call, 200,
              QJsonObject{{"@odata.context", kGraphBase + QStringLiteral("/$metadata#organization")},
                          {"value", QJsonArray{org}}});
}

SimResponse GraphEndpoints::domains(Call& call)
{
    if (!permitted(call, {"Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}))
        return forbidden(call);
    QJsonArray list;
    for (const SimDomain& d : call.tenant->domains) {
        list.append(QJsonObject{{"authenticationType", d.authenticationType},
                                {"availabilityStatus", QJsonValue::Null},
                                {"id", d.name},
                                {"isAdminManaged", true},
                                {"isDefault", d.isDefault},
                                {"isInitial", d.isInitial},
                                {"isRoot", true},
                                {"isVerified", d.isVerified},
                                {"supportedServices", QJsonArray{"Email", "OfficeCommunicationsOnline"}}});
    }
    return ok(call, 200,
              QJsonObject{{"@odata.context", kGraphBase + QStringLiteral("/$metadata#domains")}, {"value", list}});
}

} // namespace stint::entrasim
