// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudConfig.h"
#include "core/Clock.h"
#include "entra/EntraGateway.h"
#include "store/Database.h"
#include "support/ApiClient.h"

#include <QTemporaryDir>

#include <memory>

namespace stint::cloud {
class CloudService;
struct CloudContext;
} // namespace stint::cloud

// Helpers for tests that run the cloud service in-process and talk to it over real HTTP.
namespace stint::test {

// A running cloud service of its own: a temporary data directory with a fresh master key and migrated store, a
// manual clock (tests move time instead of sleeping) and an HTTP listener on 127.0.0.1 at a free port.
//
//     CloudFixture cloud;
//     QVERIFY2(cloud.start(), qPrintable(cloud.error()));
//     const QString org = cloud.addOrganization("Acme MSP");
//     const QString admin = cloud.addPerson(org, "ada@acme.example", "admin");
//     const ApiReply r = cloud.api().get("/v1/tenants", cloud.signIn(admin));
class CloudFixture
{
public:
    // `config` is taken as it is except for dataDir, masterKeyFile and the listen address and port.
    explicit CloudFixture(cloud::CloudConfig config = {});
    ~CloudFixture();
    CloudFixture(const CloudFixture&) = delete;
    CloudFixture& operator=(const CloudFixture&) = delete;

    // The configuration start() will use; change it before start() (e.g. to point Entra at a simulator that runs on
    // this fixture's clock).
    cloud::CloudConfig& config() { return m_config; }

    // The Entra gateway the service will use (before start()); by default the real one.
    void setGateway(std::unique_ptr<entra::EntraGateway> gateway) { m_gateway = std::move(gateway); }

    // Runs the service and the seeding helpers on `clock` (not owned) instead of the manual clock — e.g. a SystemClock
    // for benchmarks that time real work. Call before start(); clock() is then left unused.
    void useClock(const Clock* clock) { m_serviceClock = clock ? clock : &m_clock; }

    // Sets up and starts the service; false with error() saying why when something failed.
    bool start();
    QString error() const { return m_error; }

    cloud::CloudService& service() { return *m_service; }
    cloud::CloudContext& context();
    store::Database& db();
    ManualClock& clock() { return m_clock; }
    ApiClient& api() { return m_api; }
    quint16 port() const { return m_port; }

    // Seeding, straight into the store (what an invite and a passkey enrollment would otherwise take). Each returns
    // the new id, or "" after recording a test failure.
    QString addOrganization(const QString& name);
    QString addPerson(const QString& orgId, const QString& email, const QString& role = QStringLiteral("technician"),
                      const QString& displayName = {});
    QString addGroup(const QString& orgId, const QString& name, const QStringList& memberIds = {});
    void setPersonStatus(const QString& personId, const QString& status);
    // A live session of the person, made by the service's own session code. Returns the bearer token.
    QString signIn(const QString& personId);

    // Store inspection.
    qint64 count(const QString& table, const QString& where = {}, const store::Params& params = {});
    // One value of a query's first row (0 when there is none).
    qint64 scalar(const QString& sql, const store::Params& params = {});
    // A fingerprint of everything a request can change — row counts and versions of the domain tables, the live
    // events, the idempotency records, and the audit log apart from failure and denial events. Equal snapshots
    // before and after a request mean it changed nothing (or only recorded that it failed).
    QString snapshot();

private:
    cloud::CloudConfig m_config;
    QTemporaryDir m_dir;
    ManualClock m_clock;
    const Clock* m_serviceClock = &m_clock;
    std::unique_ptr<entra::EntraGateway> m_gateway;
    std::unique_ptr<cloud::CloudService> m_service;
    ApiClient m_api;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace stint::test
