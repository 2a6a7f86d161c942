// SPDX-License-Identifier: GPL-3.0-or-later
#include "Simulator.h"

#include "ControlApi.h"
#include "GraphEndpoints.h"
#include "IdentityEndpoints.h"
#include "Scenarios.h"
#include "SimServer.h"
#include "Throttling.h"
#include "core/Crypto.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

Q_LOGGING_CATEGORY(lcSim, "stint.entrasim.simulator")

namespace stint::entrasim {

QJsonObject LoggedRequest::toJson() const
{
    return QJsonObject {{"method", QString::fromLatin1(method)},
                        {"pathAndQuery", pathAndQuery},
                        {"area", area},
                        {"tenantId", tenantId},
                        {"appId", appId},
                        {"status", status},
                        {"clientRequestId", clientRequestId},
                        {"time", toRfc3339(time)},
                        {"receivedMs", receivedMs},
                        {"answeredMs", answeredMs},
                        {"throttled", throttled},
                        {"dropped", dropped}};
}

Simulator::Simulator(const Clock* clock, QObject* parent)
    : QObject(parent)
    , m_ownClock(clock ? nullptr : std::make_unique<SystemClock>())
    , m_clock(clock ? clock : m_ownClock.get())
    , m_state(*m_clock)
    , m_faults(m_tokens)
    , m_throttling(std::make_unique<Throttling>(*m_clock, m_faults))
    , m_graph(std::make_unique<GraphEndpoints>(*this))
    , m_identity(std::make_unique<IdentityEndpoints>(*this))
    , m_control(std::make_unique<ControlApi>(*this))
{
    m_elapsed.start();
}

Simulator::~Simulator() = default;

bool Simulator::listen(const QHostAddress& address, quint16 port)
{
    if (!m_server)
        m_server = new SimServer([this](const SimRequest& r, SimResponder responder) { handle(r, responder); }, this);
    return m_server->listen(address, port);
}

QUrl Simulator::baseUrl() const
{
    if (!m_server)
        return {};
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    const QHostAddress address = m_server->address();
    url.setHost(address == QHostAddress::Any || address == QHostAddress::AnyIPv4 ? QStringLiteral("127.0.0.1")
                                                                                 : address.toString());
    url.setPort(m_server->port());
    return url;
}

void Simulator::clearRequests()
{
    m_log.clear();
    m_throttledByTenant.clear();
}

void Simulator::appendLog(const LoggedRequest& entry)
{
    m_log.append(entry);
    if (entry.throttled)
        m_throttledByTenant[entry.tenantId] += 1;
    emit requestLogged(entry);
}

void Simulator::reset()
{
    m_state.reset();
    m_faults.clear();
    m_throttling->reset();
    clearRequests();
}

QByteArray Simulator::issueAppToken(const QString& tenantId, const QString& clientId, int clientAuthentication)
{
    SimTenant* tenant = m_state.tenant(tenantId);
    if (!tenant)
        return {};
    SimServicePrincipal* sp = m_state.servicePrincipal(tenant->id, clientId);
    if (!sp)
        return {};
    return m_tokens.issueAppToken({tenant->id, sp->appId, sp->objectId, sp->grantedPermissions, clientAuthentication},
                                  m_clock->now());
}

namespace {

// The tenant a Graph request is for, read from its token without verifying it: only used to scope faults.
QString tenantHintFromBearer(const SimRequest& request)
{
    const QByteArray auth = request.header("Authorization");
    if (!auth.startsWith("Bearer "))
        return {};
    const QList<QByteArray> parts = auth.mid(7).trimmed().split('.');
    if (parts.size() != 3)
        return {};
    const auto payload = crypto::base64UrlDecode(parts[1]);
    if (!payload)
        return {};
    return QJsonDocument::fromJson(*payload).object().value("tid").toString();
}

QString firstSegment(const QString& path, QString* rest)
{
    const qsizetype slash = path.indexOf(QLatin1Char('/'), 1);
    *rest = slash < 0 ? QString() : path.mid(slash);
    return slash < 0 ? path.mid(1) : path.mid(1, slash - 1);
}

SimResponse serverFailure(int status, bool graph, const QString& requestId, const QString& clientRequestId)
{
    if (graph) {
        const QString code = status == 503 ? QStringLiteral("serviceNotAvailable")
            : status == 504                ? QStringLiteral("gatewayTimeout")
                                           : QStringLiteral("generalException");
        SimResponse r = GraphEndpoints::error(
            status, code,
            status == 503 ? QStringLiteral("The service is temporarily unavailable. Please retry later.")
                          : QStringLiteral("An unexpected error occurred."),
            requestId, clientRequestId);
        if (status == 503)
            r.setHeader("Retry-After", "1");
        return r;
    }
    // AADSTS shape (protocols.md 1.3); 90033 is "A transient error has occurred. Please try again."
    const QString trace = SimState::newGuid();
    const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd hh:mm:ss'Z'");
    return SimResponse::json(
        status,
        QJsonObject {{"error", "temporarily_unavailable"},
                     {"error_description",
                      QStringLiteral("AADSTS90033: A transient error has occurred. Please try again.\r\nTrace ID: "
                                     "%1\r\nCorrelation ID: %2\r\nTimestamp: %3")
                          .arg(trace, clientRequestId.isEmpty() ? SimState::newGuid() : clientRequestId, stamp)},
                     {"error_codes", QJsonArray {90033}},
                     {"timestamp", stamp},
                     {"trace_id", trace},
                     {"correlation_id", clientRequestId}});
}

} // namespace

void Simulator::handle(const SimRequest& request, SimResponder responder)
{
    LoggedRequest entry;
    entry.method = request.method;
    entry.pathAndQuery = request.pathAndQuery();
    entry.time = m_clock->now();
    entry.receivedMs = monotonicMs();
    entry.clientRequestId = QString::fromLatin1(request.header("client-request-id").left(200));

    QString rest;
    const QString segment = firstSegment(request.path, &rest);
    if (segment == QLatin1String("_sim")) {
        entry.area = QStringLiteral("control");
        SimResponse response = request.peer.isLoopback()
            ? m_control->handle(request, rest)
            : SimResponse::json(403, QJsonObject {{"error", "The control API answers loopback clients only."}});
        deliver(responder, std::move(response), entry, 0);
        return;
    }

    const bool graph = segment == QLatin1String("v1.0") || segment == QLatin1String("beta");
    entry.area = graph ? QStringLiteral("graph") : QStringLiteral("identity");
    QString tenantHint;
    if (graph) {
        tenantHint = tenantHintFromBearer(request);
    } else if (SimTenant* t = m_state.tenant(segment)) {
        tenantHint = t->id;
    }
    entry.tenantId = tenantHint;

    if (m_faults.takeDrop(tenantHint, request.path)) {
        entry.dropped = true;
        entry.answeredMs = monotonicMs();
        appendLog(entry);
        responder.drop();
        return;
    }
    const int latency = m_faults.latencyMs(tenantHint, request.path);
    const QString requestId = SimState::newGuid();
    if (const int status = m_faults.takeFailure(tenantHint, request.path)) {
        deliver(responder, serverFailure(status, graph, requestId, entry.clientRequestId), entry, latency);
        return;
    }
    SimResponse response;
    if (graph)
        response = m_graph->handle(request, segment, rest, entry);
    else
        response = m_identity->handle(request, segment, rest);
    deliver(responder, std::move(response), entry, latency);
}

void Simulator::deliver(const SimResponder& responder, SimResponse response, LoggedRequest entry, int latencyMs)
{
    entry.status = response.status;
    if (response.status == 429)
        entry.throttled = true;
    const auto send = [this, responder, response, entry]() {
        LoggedRequest answered = entry;
        answered.answeredMs = monotonicMs();
        appendLog(answered);
        responder.respond(response);
    };
    if (latencyMs <= 0) {
        send();
        return;
    }
    // One timer per delayed answer: delayed requests overlap instead of queueing behind each other.
    QTimer::singleShot(latencyMs, this, send);
}

bool Simulator::loadScenario(const QJsonObject& scenario, QString* error)
{
    return entrasim::loadScenario(*this, scenario, error);
}

} // namespace stint::entrasim
