// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/ConnectionScheduler.h"

#include "cloud/CloudContext.h"
#include "cloud/connections/ConnectionChecks.h"
#include "cloud/connections/ConnectionStore.h"
#include "cloud/reconcile/Reconciler.h"

#include <QLoggingCategory>
#include <QPointer>

Q_LOGGING_CATEGORY(lcSchedule, "stint.cloud.connections.schedule")

namespace stint::cloud::connections {

ConnectionScheduler::ConnectionScheduler(CloudContext& cloud, QObject* parent)
    : QObject(parent)
    , m_cloud(cloud)
{
    m_timer.setInterval(std::max(10, cloud.config.schedulerTickMs));
    connect(&m_timer, &QTimer::timeout, this, &ConnectionScheduler::tick);
}

void ConnectionScheduler::start()
{
    m_timer.start();
    QTimer::singleShot(0, this, &ConnectionScheduler::tick);
}

void ConnectionScheduler::tick()
{
    const TimeMs now = m_cloud.clock.now();
    if (auto pruned = pruneConnectStates(m_cloud.db, now - 24LL * 3600 * 1000); !pruned)
        qCWarning(lcSchedule) << "pruning connect states failed:" << pruned.error().code;
    auto tenants = provenTenants(m_cloud.db);
    if (!tenants) {
        qCWarning(lcSchedule) << "listing connected tenants failed:" << tenants.error().code;
        return;
    }
    const TimeMs checkEvery = TimeMs(std::max(1, m_cloud.config.entra.healthCheckIntervalHours)) * 3600 * 1000;
    const TimeMs reconcileEvery = TimeMs(std::max(1, m_cloud.config.entra.reconcileIntervalMinutes)) * 60 * 1000;
    const bool firstPass = std::exchange(m_firstPass, false);
    if (firstPass) {
        // A proof that was running when the service stopped never finished (its result was dropped): those tenants
        // go back to not_connected, and the admin connects again.
        if (auto reset = m_cloud.db.exec(QStringLiteral("UPDATE tenants SET connection_status = ?, updated_at = ?,"
                                                        " version = version + 1 WHERE connection_status = ?"
                                                        " AND entra_tenant_id IS NULL"),
                                         {kNotConnected, now, kVerifying});
            !reset)
            qCWarning(lcSchedule) << "resetting interrupted proofs failed:" << reset.error().code;
    }
    QPointer<ConnectionScheduler> self(this);
    for (const models::Tenant& t : *tenants) {
        auto record = loadConnectionRecord(m_cloud.db, t.orgId, t.id);
        if (!record)
            continue;
        const bool checkDue = firstPass || !record->checkedAt || *record->checkedAt + checkEvery <= now;
        if (checkDue && !m_checking.contains(t.id)) {
            m_checking.insert(t.id);
            const QString id = t.id;
            auto started = startHealthCheck(m_cloud, t, {}, Actor::system(), [self, id]() {
                if (self)
                    self->m_checking.remove(id);
            });
            if (!started) {
                m_checking.remove(id);
                // Not even startable (the credential is gone…): that is the check's finding, recorded like one, so
                // that it is next due in healthCheckIntervalHours.
                if (auto recorded = recordCheckFailure(m_cloud, t, started.error(), Actor::system()); !recorded)
                    qCWarning(lcSchedule) << "cannot check" << id << started.error().code << recorded.error().code;
            }
        }
        const bool reconcileDue = !record->reconciledAt || *record->reconciledAt + reconcileEvery <= now;
        if (reconcileDue && !m_reconciling.contains(t.id)) {
            m_reconciling.insert(t.id);
            const QString id = t.id;
            auto started = reconcile::startReconcile(m_cloud, t, Actor::system(), [self, id]() {
                if (self)
                    self->m_reconciling.remove(id);
            });
            if (!started) {
                m_reconciling.remove(id);
                // Retried at the next interval, not at every tick; the health check reports the cause.
                qCWarning(lcSchedule) << "cannot reconcile" << id << started.error().code;
                if (auto saved = saveReconcileResult(m_cloud.db, t.orgId, t.id,
                                                     {{QStringLiteral("at"), toRfc3339(now)},
                                                      {QStringLiteral("error"), started.error().code}},
                                                     0, now);
                    !saved)
                    qCWarning(lcSchedule) << "recording a failed reconciliation failed:" << saved.error().code;
            }
        }
    }
}

} // namespace stint::cloud::connections
