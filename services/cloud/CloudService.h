// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "cloud/CloudContext.h"
#include "cloud/http/Router.h"
#include "core/Clock.h"
#include "entra/EntraGateway.h"

#include <QObject>

#include <memory>

namespace stint::store {
class SqlCipherDatabase;
}

namespace stint::cloud {

class AuditLog;
class EventHub;
class Sessions;
class RateLimiter;
class Metrics;
class CloudHttpServer;
namespace engine {
class WorkerPool;
class ProvisioningEngine;
} // namespace engine
namespace connections {
class ConnectionScheduler;
}
namespace webhooks {
class WebhookDispatcher;
}
namespace tenants {
class TenantListAnswers;
}

// The cloud service as a library: opens the encrypted store, applies migrations, wires the parts and serves the API.
// app/cloud is a thin main() around it; tests run it in-process on 127.0.0.1:0.
class CloudService : public QObject
{
    Q_OBJECT
public:
    // Opens the store in config.dataDir with the master key file. `clock` defaults to the system clock and must
    // outlive the service. `gateway` defaults to the real one (Microsoft Graph at the configured endpoints); tests
    // may give another implementation of the same interface.
    static Result<std::unique_ptr<CloudService>> open(const CloudConfig& config, const Clock* clock = nullptr,
                                                      std::unique_ptr<entra::EntraGateway> gateway = {});
    ~CloudService() override;

    // Binds the HTTP listener (refusing a non-loopback address without TLS unless forced) and returns the port.
    Result<quint16> listen();

    const CloudConfig& config() const { return m_config; }
    CloudContext& context() { return *m_context; }
    const Router& router() const { return m_router; }
    CloudHttpServer& http() { return *m_http; }
    // Drives checkouts (started by open(), stopped first on destruction); its signals are the notification hook.
    engine::ProvisioningEngine& engine() { return *m_engine; }
    QString origin() const { return m_context->origin; }
    quint16 port() const { return m_port; }

private:
    CloudService(const CloudConfig& config, const Clock* clock);

    CloudConfig m_config;
    SystemClock m_systemClock;
    const Clock& m_clock;
    std::unique_ptr<store::SqlCipherDatabase> m_db;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<Sessions> m_sessions;
    std::unique_ptr<RateLimiter> m_limiter;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<EventHub> m_events;
    crypto::SecretBytes m_credentialsKey;
    crypto::SecretBytes m_connectionsKey;
    std::unique_ptr<entra::EntraGateway> m_gateway;
    std::unique_ptr<WorkerPool> m_workers;
    std::unique_ptr<tenants::TenantListAnswers> m_tenantLists; // over m_db's counts: one per connection
    std::unique_ptr<CloudContext> m_context;
    Router m_router;
    std::unique_ptr<CloudHttpServer> m_http;
    std::unique_ptr<engine::ProvisioningEngine> m_engine; // a child of m_workers, deleted before it
    std::unique_ptr<connections::ConnectionScheduler> m_connectionScheduler;
    std::unique_ptr<webhooks::WebhookDispatcher> m_webhooks;
    quint16 m_port = 0;
};

// Opens the store of a data directory (key file checks included) and brings its schema up to date.
// Used by serve, by the command-line tools (audit, backup, migrate) and by tests.
Result<std::unique_ptr<store::SqlCipherDatabase>> openCloudStore(const CloudConfig& config);

} // namespace stint::cloud
