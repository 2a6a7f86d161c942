// SPDX-License-Identifier: GPL-3.0-or-later
// The provisioning engine keeps deadlines in real time: checkouts falling due one after another are revoked when they
// are due, not at the next safety poll. The service runs on the system clock (the engine's timer is a real timer) with
// a poll interval far longer than the test, so only the deadline timer can explain a timely revocation.
#include "cloud/CloudService.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/engine/TenantAccounts.h"
#include "cloud/engine/ProvisioningEngine.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/FakeEntraGateway.h"

#include <QJsonDocument>
#include <QTest>
#include <QUuid>
#include <algorithm>
#include <map>

using namespace stint;
using namespace stint::test;

class TestEngineDeadlines : public QObject
{
    Q_OBJECT

private slots:
    void dueCheckoutsAreRevokedWhenDueNotAtThePoll()
    {
        constexpr int kTenants = 4;
        constexpr int kTechnicians = 40;
        constexpr qint64 kSpacingMs = 30;
        constexpr qint64 kAllowedLatenessMs = 3000; // far under the poll interval, generous for a sanitizer build

        cloud::CloudConfig config;
        config.engine.pollIntervalMs = 600'000;
        config.entra.workerThreads = 4;
        CloudFixture cloud(config);
        SystemClock clock;
        cloud.useClock(&clock);
        auto directory = std::make_shared<FakeEntraGateway::Directory>();
        cloud.setGateway(std::make_unique<FakeEntraGateway>(directory));
        QVERIFY2(cloud.start(), qPrintable(cloud.error()));
        cloud.service().engine().setTenantAccessResolver([](const models::Tenant& t) -> Result<entra::TenantAccess> {
            entra::TenantAccess access;
            access.entraTenantId = t.connection.entraTenantId.value_or(QString());
            access.app.clientId = QStringLiteral("11111111-2222-3333-4444-555555555555");
            access.app.clientSecret = crypto::SecretBytes(QByteArray("fake-app-secret"));
            return access;
        });
        const QString org = cloud.addOrganization(QStringLiteral("Acme MSP"));
        const SignedInPerson admin
            = addSignedInPerson(cloud, org, QStringLiteral("ada@acme.example"), QStringLiteral("admin"));
        QStringList technicians;
        for (int i = 0; i < kTechnicians; ++i)
            technicians << cloud.addPerson(org, QStringLiteral("tech%1@acme.example").arg(i));
        QStringList tenants;
        for (int i = 0; i < kTenants; ++i) {
            const QString id = createTenant(cloud, admin.token,
                                            tenantBody(QStringLiteral("Customer %1").arg(i), {kUserAdministrator}));
            QVERIFY(!id.isEmpty());
            auto t = cloud::tenants::loadTenant(cloud.db(), org, id);
            QVERIFY(t.ok() && t->has_value());
            models::TenantConnection c = (*t)->connection;
            c.accountDomain = QStringLiteral("customer%1.example").arg(i);
            QVERIFY(cloud.db()
                        .exec(QStringLiteral("UPDATE tenants SET connection_status = 'connected', entra_tenant_id = ?,"
                                             " connection = ? WHERE id = ?"),
                              {QUuid::createUuid().toString(QUuid::WithoutBraces),
                               QString::fromUtf8(QJsonDocument(c.settingsJson()).toJson(QJsonDocument::Compact)), id})
                        .ok());
            tenants << id;
        }

        // Ready checkouts falling due one after another, the first a moment from now.
        std::map<QString, TimeMs> expiresAt;
        const TimeMs start = clock.now() + 500;
        int n = 0;
        for (const QString& tenant : std::as_const(tenants)) {
            for (const QString& technician : std::as_const(technicians)) {
                models::Checkout c;
                c.id = ids::newId(u"chk");
                c.orgId = org;
                c.tenantId = tenant;
                c.technicianId = technician;
                c.roleDefinitionIds = {kUserAdministrator};
                c.durationMinutes = 10;
                c.state = models::CheckoutState::Ready;
                c.requestedAt = c.updatedAt = clock.now();
                c.readyAt = clock.now();
                c.expiresAt = start + kSpacingMs * n++;
                c.nextActionAt = c.expiresAt;
                QVERIFY(cloud::checkouts::insertCheckout(cloud.db(), c).ok());
                expiresAt[c.id] = *c.expiresAt;
                // A ready checkout's account exists, enabled with its roles, and the engine knows it.
                const QString accountId = QUuid::createUuid().toString(QUuid::WithoutBraces);
                const QString upn = QStringLiteral("stint-%1@customer.example").arg(accountId.left(8));
                {
                    QMutexLocker lock(&directory->mutex);
                    directory->accounts.insert(accountId, {accountId, upn, true, true, c.roleDefinitionIds});
                }
                QVERIFY(cloud::engine::recordTenantAccount(cloud.db(), {org, tenant, technician, accountId, upn, clock.now()})
                            .ok());
            }
        }
        cloud.service().engine().wake();

        const auto ended = [&] { return cloud.count(QStringLiteral("checkouts"), QStringLiteral("state = 'ended'")); };
        QTRY_COMPARE_WITH_TIMEOUT(ended(), qint64(expiresAt.size()), int(kSpacingMs * n + 20'000));
        auto rows = cloud.db().query(QStringLiteral("SELECT id, ended_at FROM checkouts"));
        QVERIFY(rows.ok());
        qint64 latest = 0;
        for (const store::Row& r : *rows) {
            const qint64 late = r.integer(1) - expiresAt.at(r.text(0));
            latest = std::max(latest, late);
            QVERIFY2(late >= 0 && late <= kAllowedLatenessMs,
                     qPrintable(QStringLiteral("%1 ended %2 ms after its deadline").arg(r.text(0)).arg(late)));
        }
        qInfo("%d checkouts, the latest ended %lld ms after its deadline", n, static_cast<long long>(latest));
    }
};

QTEST_GUILESS_MAIN(TestEngineDeadlines)
#include "TestEngineDeadlines.moc"
