// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/CloudService.h"

#include "cloud/audit/AuditLog.h"
#include "cloud/authn/RateLimiter.h"
#include "cloud/authn/Sessions.h"
#include "cloud/events/EventHub.h"
#include "cloud/CloudHttpServer.h"
#include "cloud/Routes.h"
#include "cloud/metrics/Metrics.h"
#include "cloud/schema/Schema.h"
#include "cloud/tenants/TenantListAnswers.h"
#include "store/KeyFile.h"
#include "store/SqlCipherDatabase.h"

#include "cloud/engine/ProvisioningEngine.h"
#include "cloud/ConnectionScheduler.h"
#include "cloud/connections/TenantAccess.h"
#include "cloud/WorkerPool.h"
#include "cloud/webhooks/WebhookDispatcher.h"
#include "entra/GraphGateway.h"

#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcService, "stint.cloud.service")

namespace stint::cloud {

Result<std::unique_ptr<store::SqlCipherDatabase>> openCloudStore(const CloudConfig& config)
{
    auto master = store::loadKeyFile(config.keyFilePath());
    if (!master)
        return master.error();
    const crypto::SecretBytes storeKey = store::deriveKey(*master, "store");
    auto db = store::SqlCipherDatabase::open(config.databasePath(), storeKey,
                                             store::SqlCipherDatabase::OpenMode::OpenExisting);
    if (!db)
        return db.error();
    auto migrated = store::applyMigrations(**db, cloudMigrations(store::Backend::SqlCipher));
    if (!migrated)
        return migrated.error();
    return std::move(*db);
}

CloudService::CloudService(const CloudConfig& config, const Clock* clock)
    : m_config(config)
    , m_clock(clock ? *clock : m_systemClock)
{
}

CloudService::~CloudService()
{
    m_http.reset(); // stop serving before the parts it uses go away
    if (m_engine)
        m_engine->stop();
    m_connectionScheduler.reset();
    m_webhooks.reset();
    if (m_workers)
        m_workers->stop(); // running Graph jobs finish; their results are dropped (they are resumed from the store)
    if (m_context)
        m_context->checkoutChanged = {}; // nothing may reach the engine once it is gone
    m_engine.reset();
    m_events.reset();
}

Result<std::unique_ptr<CloudService>> CloudService::open(const CloudConfig& config, const Clock* clock,
                                                       std::unique_ptr<entra::EntraGateway> gateway)
{
    std::unique_ptr<CloudService> s(new CloudService(config, clock));
    // A bad multi-tenant app configuration (missing or group-readable secret file…) stops the service at start.
    STINT_TRY(connections::checkMspAppConfig(s->m_config.entra));
    auto db = openCloudStore(s->m_config);
    if (!db)
        return db.error();
    {
        auto master = store::loadKeyFile(s->m_config.keyFilePath());
        if (!master)
            return master.error();
        s->m_credentialsKey = store::deriveKey(*master, "credentials");
        s->m_connectionsKey = store::deriveKey(*master, "connections");
    }
    if (!gateway)
        gateway = entra::makeGraphGateway({&s->m_clock});
    s->m_gateway = std::move(gateway);
    s->m_workers = std::make_unique<WorkerPool>(s->m_config.entra.workerThreads);
    s->m_db = std::move(*db);
    s->m_audit = std::make_unique<AuditLog>(*s->m_db, s->m_clock);
    s->m_sessions = std::make_unique<Sessions>(*s->m_db, s->m_clock, s->m_config);
    s->m_limiter = std::make_unique<RateLimiter>(s->m_clock);
    s->m_metrics = std::make_unique<Metrics>();
    s->m_events = std::make_unique<EventHub>(*s->m_db, s->m_clock, *s->m_sessions, *s->m_metrics);
    STINT_TRY(s->m_events->init());
    const QString origin = s->m_config.publicOrigin.isEmpty()
        ? QStringLiteral("http://localhost:%1").arg(s->m_config.listenPort)
        : s->m_config.publicOrigin;
    const QString rpId = s->m_config.rpId.isEmpty() ? QUrl(origin).host() : s->m_config.rpId;
    s->m_context.reset(new CloudContext{s->m_config, s->m_clock, *s->m_db, *s->m_audit, *s->m_events, *s->m_sessions,
                                        *s->m_limiter, *s->m_metrics, origin, rpId, s->m_credentialsKey,
                                        s->m_connectionsKey, *s->m_workers, *s->m_gateway});
    s->m_tenantLists = std::make_unique<tenants::TenantListAnswers>();
    s->m_context->tenantLists = s->m_tenantLists.get();
    registerRoutes(s->m_router);
    s->m_http = std::make_unique<CloudHttpServer>(s->m_router, *s->m_context);
    // Due work is read from the store, so starting is all a restart needs to resume every checkout.
    CloudContext* context = s->m_context.get();
    s->m_engine = std::make_unique<engine::ProvisioningEngine>(
        *s->m_context, [context](const models::Tenant& tenant) { return connections::tenantAccess(*context, tenant); });
    engine::ProvisioningEngine* engine = s->m_engine.get();
    s->m_context->checkoutChanged = [engine](const models::Checkout& checkout,
                                             std::optional<models::CheckoutState> previous) {
        engine->noteChange(checkout, previous);
    };
    s->m_engine->start();
    return s;
}

Result<quint16> CloudService::listen()
{
    const QHostAddress address = m_config.listenAddress;
    if (!address.isLoopback() && m_config.tlsCertificateFile.isEmpty() && !m_config.allowInsecureNonLoopback)
        return makeError(QStringLiteral("config.insecure_listen"),
                         QStringLiteral("Refusing to listen on %1 without TLS: give --tls-cert and --tls-key, or "
                                        "--allow-insecure-listen if a TLS proxy is in front.")
                             .arg(address.toString()));
    auto port = m_http->start(address, m_config.listenPort);
    if (!port)
        return port;
    m_port = *port;
    // Background work starts with serving: health checks, reconciliation and webhook delivery.
    if (!m_connectionScheduler) {
        m_connectionScheduler = std::make_unique<connections::ConnectionScheduler>(*m_context);
        m_connectionScheduler->start();
        m_webhooks = std::make_unique<webhooks::WebhookDispatcher>(*m_context);
        m_webhooks->start();
    }
    if (m_config.publicOrigin.isEmpty()) {
        const QString scheme = m_config.tlsCertificateFile.isEmpty() ? QStringLiteral("http") : QStringLiteral("https");
        m_context->origin = QStringLiteral("%1://localhost:%2").arg(scheme).arg(m_port);
    }
    if (m_config.rpId.isEmpty())
        m_context->rpId = QUrl(m_context->origin).host();
    qCInfo(lcService).noquote() << "listening on" << address.toString() + QLatin1Char(':') + QString::number(m_port)
                                << "origin" << m_context->origin;
    return m_port;
}

} // namespace stint::cloud
