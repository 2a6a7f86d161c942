// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/CloudFixture.h"

#include "cloud/CloudService.h"
#include "cloud/authn/Sessions.h"
#include "cloud/schema/Schema.h"
#include "core/Ids.h"
#include "models/Directory.h"
#include "store/KeyFile.h"
#include "store/SqlCipherDatabase.h"

#include <QJsonDocument>
#include <QTest>

namespace stint::test {

CloudFixture::CloudFixture(cloud::CloudConfig config)
    : m_config(std::move(config))
{
}

CloudFixture::~CloudFixture() = default;

bool CloudFixture::start()
{
    auto failed = [&](const QString& what, const Error& e) {
        m_error = QStringLiteral("%1: %2 (%3)").arg(what, e.message, e.code);
        return false;
    };
    if (!m_dir.isValid())
        return failed(QStringLiteral("temporary directory"), makeError(QStringLiteral("io"), m_dir.errorString()));
    m_config.dataDir = m_dir.path();
    m_config.masterKeyFile.clear();
    m_config.listenAddress = QHostAddress(QHostAddress::LocalHost);
    m_config.listenPort = 0;
    if (auto created = store::createKeyFile(m_config.keyFilePath()); !created)
        return failed(QStringLiteral("key file"), created.error());
    auto master = store::loadKeyFile(m_config.keyFilePath());
    if (!master)
        return failed(QStringLiteral("key file"), master.error());
    {
        // Create the store the way `stint-cloud init` does; the service opens it as an existing one.
        auto db = store::SqlCipherDatabase::open(m_config.databasePath(), store::deriveKey(*master, "store"),
                                                 store::SqlCipherDatabase::OpenMode::CreateIfMissing);
        if (!db)
            return failed(QStringLiteral("store"), db.error());
        if (auto migrated = store::applyMigrations(**db, cloud::cloudMigrations(store::Backend::SqlCipher)); !migrated)
            return failed(QStringLiteral("migrations"), migrated.error());
    }
    auto service = cloud::CloudService::open(m_config, m_serviceClock, std::move(m_gateway));
    if (!service)
        return failed(QStringLiteral("service"), service.error());
    m_service = std::move(*service);
    auto port = m_service->listen();
    if (!port)
        return failed(QStringLiteral("listen"), port.error());
    m_port = *port;
    m_api.setBase(QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(m_port)));
    return true;
}

cloud::CloudContext& CloudFixture::context()
{
    return m_service->context();
}

store::Database& CloudFixture::db()
{
    return m_service->context().db;
}

QString CloudFixture::addOrganization(const QString& name)
{
    const QString id = ids::newId(u"org");
    const models::Organization org;
    const TimeMs now = m_serviceClock->now();
    auto inserted = db().exec(QStringLiteral("INSERT INTO organizations (id, name, settings, created_at, updated_at)"
                                             " VALUES (?, ?, ?, ?, ?)"),
                              {id, name, QString::fromUtf8(QJsonDocument(org.settingsJson()).toJson()), now, now});
    if (!inserted) {
        QTest::qFail(qPrintable(inserted.error().message), __FILE__, __LINE__);
        return {};
    }
    return id;
}

QString CloudFixture::addPerson(const QString& orgId, const QString& email, const QString& role,
                                const QString& displayName)
{
    const QString id = ids::newId(u"per");
    const TimeMs now = m_serviceClock->now();
    auto inserted =
        db().exec(QStringLiteral("INSERT INTO people (id, org_id, email, display_name, role, status,"
                                 " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?)"),
                  {id, orgId, email.toLower(),
                   displayName.isEmpty() ? email.section(QLatin1Char('@'), 0, 0) : displayName, role, now, now});
    if (!inserted) {
        QTest::qFail(qPrintable(inserted.error().message), __FILE__, __LINE__);
        return {};
    }
    return id;
}

QString CloudFixture::addGroup(const QString& orgId, const QString& name, const QStringList& memberIds)
{
    const QString id = ids::newId(u"grp");
    const TimeMs now = m_serviceClock->now();
    auto inserted = db().exec(QStringLiteral("INSERT INTO groups (id, org_id, name, created_at, updated_at)"
                                             " VALUES (?, ?, ?, ?, ?)"),
                              {id, orgId, name, now, now});
    for (const QString& member : memberIds) {
        if (!inserted)
            break;
        inserted =
            db().exec(QStringLiteral("INSERT INTO group_members (group_id, person_id) VALUES (?, ?)"), {id, member});
    }
    if (!inserted) {
        QTest::qFail(qPrintable(inserted.error().message), __FILE__, __LINE__);
        return {};
    }
    return id;
}

void CloudFixture::setPersonStatus(const QString& personId, const QString& status)
{
    if (auto updated = db().exec(QStringLiteral("UPDATE people SET status = ? WHERE id = ?"), {status, personId});
        !updated)
        QTest::qFail(qPrintable(updated.error().message), __FILE__, __LINE__);
}

QString CloudFixture::signIn(const QString& personId)
{
    auto rows = db().query(QStringLiteral("SELECT org_id FROM people WHERE id = ?"), {personId});
    if (!rows || rows->empty()) {
        QTest::qFail("signIn: no such person", __FILE__, __LINE__);
        return {};
    }
    auto issued = context().sessions.create(personId, rows->front().text(0), QStringLiteral("127.0.0.1"),
                                            QStringLiteral("stint-tests"));
    if (!issued) {
        QTest::qFail(qPrintable(issued.error().message), __FILE__, __LINE__);
        return {};
    }
    return issued->token;
}

qint64 CloudFixture::count(const QString& table, const QString& where, const store::Params& params)
{
    return scalar(QStringLiteral("SELECT COUNT(*) FROM ") + table
                      + (where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where),
                  params);
}

qint64 CloudFixture::scalar(const QString& sql, const store::Params& params)
{
    auto rows = db().query(sql, params);
    if (!rows) {
        QTest::qFail(qPrintable(rows.error().message), __FILE__, __LINE__);
        return 0;
    }
    return rows->empty() || rows->front().isNull(0) ? 0 : rows->front().integer(0);
}

QString CloudFixture::snapshot()
{
    QStringList parts;
    for (const char* table : {"organizations", "people", "groups", "group_members", "tenants", "policies",
                              "policy_tenants", "policy_subjects", "checkouts", "events", "idempotency_keys"})
        parts << QStringLiteral("%1=%2").arg(QLatin1String(table)).arg(count(QLatin1String(table)));
    // Versions move on every update of these rows, so an update that should not have happened shows too.
    for (const char* table : {"tenants", "policies", "checkouts"})
        parts << QStringLiteral("%1.versions=%2")
                     .arg(QLatin1String(table))
                     .arg(scalar(QStringLiteral("SELECT SUM(version) FROM ") + QLatin1String(table)));
    parts << QStringLiteral("audit.recorded=%1")
                 .arg(count(QStringLiteral("audit_events"), QStringLiteral("outcome NOT IN ('failure', 'denied')")));
    return parts.join(QLatin1Char(' '));
}

} // namespace stint::test
