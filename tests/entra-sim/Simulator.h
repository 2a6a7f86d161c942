// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AccessTokens.h"
#include "Faults.h"
#include "SimHttp.h"
#include "SimState.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QUrl>
#include <memory>

// entra-sim: one listener that plays login.microsoftonline.com (identity, part B's IdentityEndpoints),
// graph.microsoft.com (/v1.0, GraphEndpoints) and its own control API (/_sim, ControlApi). See README.md.
namespace stint::entrasim {

class ControlApi;
class GraphEndpoints;
class IdentityEndpoints;
class SimServer;
class SimResponder;
class Throttling;

struct LoggedRequest
{
    QByteArray method;
    QString pathAndQuery;
    QString area; // "graph", "identity", "control", "batch-item"
    QString tenantId;
    QString appId;
    int status = 0; // 0 when dropped
    QString clientRequestId;
    TimeMs time = 0; // simulator clock at arrival
    qint64 receivedMs = 0; // monotonic ms since the simulator started (for overlap checks)
    qint64 answeredMs = 0;
    bool throttled = false;
    bool dropped = false;

    QJsonObject toJson() const;
};

class Simulator : public QObject
{
    Q_OBJECT
public:
    // `clock` (not owned) drives every time the directory sees (token expiry, TAP windows, replication lag,
    // throttling buckets); nullptr → the system clock. Latency faults always use real timers.
    explicit Simulator(const Clock* clock = nullptr, QObject* parent = nullptr);
    ~Simulator() override;

    bool listen(const QHostAddress& address = QHostAddress::LocalHost, quint16 port = 0);
    QUrl baseUrl() const;

    SimState& state() { return m_state; }
    Faults& faults() { return m_faults; }
    AccessTokens& tokens() { return m_tokens; }
    Throttling& throttling() { return *m_throttling; }
    const Clock& clock() const { return *m_clock; }

    QList<LoggedRequest> requests() const { return m_log; }
    void clearRequests();
    // 429 answers (including $batch items) per tenant id since the last reset.
    QHash<QString, int> throttledByTenant() const { return m_throttledByTenant; }

    // Creates what the JSON describes (the format of POST /_sim/scenario; README.md). All or nothing: on error
    // nothing was changed and *error says why.
    bool loadScenario(const QJsonObject& scenario, QString* error);
    // Forgets all state, faults, the request log and throttling buckets (the signing key stays).
    void reset();

    // Mints an app-only Graph token as the token endpoint would after client_credentials: the SP of `clientId` in
    // `tenantId` must exist; its granted permissions become `roles`. Empty on error.
    QByteArray issueAppToken(const QString& tenantId, const QString& clientId, int clientAuthentication = 1);

    // Used by the endpoint classes.
    qint64 monotonicMs() const { return m_elapsed.elapsed(); }
    void appendLog(const LoggedRequest& entry);

signals:
    void requestLogged(const stint::entrasim::LoggedRequest& entry);

private:
    void handle(const SimRequest& request, SimResponder responder);
    void deliver(const SimResponder& responder, SimResponse response, LoggedRequest entry, int latencyMs);

    std::unique_ptr<Clock> m_ownClock;
    const Clock* m_clock;
    SimState m_state;
    AccessTokens m_tokens;
    Faults m_faults;
    std::unique_ptr<Throttling> m_throttling;
    std::unique_ptr<GraphEndpoints> m_graph;
    std::unique_ptr<IdentityEndpoints> m_identity;
    std::unique_ptr<ControlApi> m_control;
    SimServer* m_server = nullptr;
    QElapsedTimer m_elapsed;
    QList<LoggedRequest> m_log;
    QHash<QString, int> m_throttledByTenant;
};

} // namespace stint::entrasim
