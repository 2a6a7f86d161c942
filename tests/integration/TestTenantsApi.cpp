// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/Pagination.h"
#include "cloud/policies/PolicyStore.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"
#include "models/Tenant.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLocale>
#include <QTest>

#include <memory>

using namespace stint;
using namespace stint::test;

namespace {
QByteArray j(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject roleOffer(const QString& id, const QString& name = QStringLiteral("Some role"))
{
    return {{QStringLiteral("roleDefinitionId"), id}, {QStringLiteral("displayName"), name}};
}

QJsonObject withConnection(const QJsonObject& connection)
{
    return {{QStringLiteral("name"), QStringLiteral("Contoso")}, {QStringLiteral("connection"), connection}};
}

QStringList idsOf(const QJsonArray& items)
{
    QStringList ids;
    for (const auto& item : items)
        ids << item.toObject().value(QLatin1String("id")).toString();
    return ids;
}
} // namespace

class TestTenantsApi : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<CloudFixture> m_cloud;
    QString m_org;
    QString m_otherOrg;
    SignedInPerson m_admin;
    SignedInPerson m_tech;
    SignedInPerson m_tech2;
    SignedInPerson m_otherAdmin;

    ApiClient& api() { return m_cloud->api(); }
    QString tenantPath(const QString& id) const { return QStringLiteral("/v1/tenants/") + id; }

private slots:
    void init()
    {
        m_cloud = std::make_unique<CloudFixture>();
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        m_otherOrg = m_cloud->addOrganization(QStringLiteral("Other MSP"));
        m_admin = addSignedInPerson(*m_cloud, m_org, QStringLiteral("admin@acme.example"), QStringLiteral("admin"));
        m_tech = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tech@acme.example"));
        m_tech2 = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tech2@acme.example"));
        m_otherAdmin =
            addSignedInPerson(*m_cloud, m_otherOrg, QStringLiteral("admin@other.example"), QStringLiteral("admin"));
        QVERIFY(!m_otherAdmin.token.isEmpty());
    }

    void cleanup() { m_cloud.reset(); }

    void createAndRead()
    {
        const QJsonObject body{
            {QStringLiteral("name"), QStringLiteral("  Contoso Ltd  ")},
            {QStringLiteral("notes"), QStringLiteral("Escalation: Jo, +1 555 0100")},
            {QStringLiteral("connection"),
             QJsonObject{{QStringLiteral("nationalCloud"), QStringLiteral("usgov")},
                         {QStringLiteral("accountDomain"), QStringLiteral("Contoso.OnMicrosoft.com")},
                         {QStringLiteral("defaultDurationMinutes"), 30},
                         {QStringLiteral("maxDurationMinutes"), 120},
                         {QStringLiteral("rolesOffered"),
                          QJsonArray{roleOffer(kUserAdministrator.toUpper(), QStringLiteral(" User Administrator "))}},
                         {QStringLiteral("accountNamingRule"), QStringLiteral("JIT-{user}")},
                         {QStringLiteral("credentialKind"), QStringLiteral("both")},
                         {QStringLiteral("expiryAction"), QStringLiteral("delete")}}}};
        const ApiReply r = api().post(QStringLiteral("/v1/tenants"), m_admin.token, body);
        QVERIFY2(r.status == 201, r.describe().constData());
        const QString id = r.json.value(QLatin1String("id")).toString();
        QVERIFY(ids::isValidId(id, u"tnt"));
        QCOMPARE(r.json.value(QLatin1String("name")).toString(), QStringLiteral("Contoso Ltd"));
        QCOMPARE(r.json.value(QLatin1String("notes")).toString(), QStringLiteral("Escalation: Jo, +1 555 0100"));
        QCOMPARE(r.json.value(QLatin1String("version")).toInt(), 1);
        QCOMPARE(r.json.value(QLatin1String("createdAt")).toString(), toRfc3339(m_cloud->clock().now()));
        QCOMPARE(r.json.value(QLatin1String("updatedAt")).toString(), toRfc3339(m_cloud->clock().now()));
        QCOMPARE(r.json.value(QLatin1String("myGrants")).toArray(), QJsonArray());
        const QJsonObject c = r.json.value(QLatin1String("connection")).toObject();
        QCOMPARE(c.value(QLatin1String("status")).toString(), QStringLiteral("not_connected"));
        QVERIFY(c.value(QLatin1String("entraTenantId")).isNull());
        QCOMPARE(c.value(QLatin1String("nationalCloud")).toString(), QStringLiteral("usgov"));
        QCOMPARE(c.value(QLatin1String("accountDomain")).toString(), QStringLiteral("contoso.onmicrosoft.com"));
        QCOMPARE(c.value(QLatin1String("defaultDurationMinutes")).toInt(), 30);
        QCOMPARE(c.value(QLatin1String("maxDurationMinutes")).toInt(), 120);
        QCOMPARE(c.value(QLatin1String("rolesOffered")).toArray(),
                 QJsonArray{roleOffer(kUserAdministrator, QStringLiteral("User Administrator"))});
        QCOMPARE(c.value(QLatin1String("accountNamingRule")).toString(), QStringLiteral("jit-{user}"));
        QCOMPARE(c.value(QLatin1String("credentialKind")).toString(), QStringLiteral("both"));
        QCOMPARE(c.value(QLatin1String("expiryAction")).toString(), QStringLiteral("delete"));

        const ApiReply read = api().get(tenantPath(id), m_admin.token);
        QVERIFY2(read.status == 200, read.describe().constData());
        QCOMPARE(read.json, r.json);
        const ApiReply list = api().get(QStringLiteral("/v1/tenants"), m_admin.token);
        QCOMPARE(list.status, 200);
        QCOMPARE(list.items(), QJsonArray{r.json});
        QVERIFY(list.json.value(QLatin1String("nextCursor")).isNull());

        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = ? AND tenant_id = ? AND actor_id = ?"),
                                {QStringLiteral("tenant.create"), id, m_admin.id}),
                 1);
        QCOMPARE(m_cloud->count(QStringLiteral("events"), QStringLiteral("type = ? AND audience = ?"),
                                {QStringLiteral("tenant.created"), QStringLiteral("admins")}),
                 1);
        QCOMPARE(m_cloud->count(QStringLiteral("events"), QStringLiteral("type = ? AND audience = ?"),
                                {QStringLiteral("grants.changed"), QStringLiteral("org")}),
                 1);
    }

    void createWithDefaults()
    {
        const ApiReply r = api().post(QStringLiteral("/v1/tenants"), m_admin.token,
                                      {{QStringLiteral("name"), QStringLiteral("Fabrikam")}});
        QVERIFY2(r.status == 201, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("notes")).toString(), QString());
        const QJsonObject c = r.json.value(QLatin1String("connection")).toObject();
        QCOMPARE(c,
                 (QJsonObject{{QStringLiteral("status"), QStringLiteral("not_connected")},
                              {QStringLiteral("entraTenantId"), QJsonValue::Null},
                              {QStringLiteral("nationalCloud"), QStringLiteral("global")},
                              {QStringLiteral("accountDomain"), QJsonValue::Null},
                              {QStringLiteral("defaultDurationMinutes"), 60},
                              {QStringLiteral("maxDurationMinutes"), 240},
                              {QStringLiteral("rolesOffered"), QJsonArray()},
                              {QStringLiteral("accountNamingRule"), QStringLiteral("stint-{user}")},
                              {QStringLiteral("credentialKind"), QStringLiteral("password")},
                              {QStringLiteral("expiryAction"), QStringLiteral("disable")}}));
    }

    void createRefusesInvalid_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("detail");
        const QByteArray json = "application/json";
        auto conn = [](const char* key, const QJsonValue& v) { return j(withConnection({{QLatin1String(key), v}})); };

        QTest::newRow("no name") << j({{QStringLiteral("notes"), QStringLiteral("x")}}) << json << 422 << "validation"
                                 << "name: is required";
        QTest::newRow("blank name") << j({{QStringLiteral("name"), QStringLiteral("   ")}}) << json << 422
                                    << "validation"
                                    << "name: must not be blank";
        QTest::newRow("name not a string") << j({{QStringLiteral("name"), 7}}) << json << 422 << "validation"
                                           << "name: must be a string";
        QTest::newRow("name too long") << j({{QStringLiteral("name"), QString(201, QLatin1Char('x'))}}) << json << 422
                                       << "validation"
                                       << "name: must be at most 200";
        QTest::newRow("control character")
            << j({{QStringLiteral("name"), QStringLiteral("a\u0007b")}}) << json << 422 << "validation"
            << "control characters";
        QTest::newRow("unknown field") << j(
            {{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("colour"), QStringLiteral("red")}})
                                       << json << 422 << "validation"
                                       << "colour: is not a known field";
        QTest::newRow("unknown connection field")
            << conn("tenantGuid", QStringLiteral("x")) << json << 422 << "validation"
            << "connection.tenantGuid: is not a known field";
        QTest::newRow("connection not an object")
            << j({{QStringLiteral("name"), QStringLiteral("x")}, {QStringLiteral("connection"), QJsonArray()}}) << json
            << 422 << "validation"
            << "connection: must be an object";
        QTest::newRow("status set") << conn("status", QStringLiteral("connected")) << json << 422 << "validation"
                                    << "connection.status: is set by connecting the tenant";
        QTest::newRow("entra id set") << conn("entraTenantId", QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee"))
                                      << json << 422 << "validation"
                                      << "connection.entraTenantId: is set by";
        QTest::newRow("national cloud") << conn("nationalCloud", QStringLiteral("germany")) << json << 422
                                        << "validation"
                                        << "connection.nationalCloud: must be one of";
        QTest::newRow("domain") << conn("accountDomain", QStringLiteral("not a domain")) << json << 422 << "validation"
                                << "connection.accountDomain: is not a domain name";
        QTest::newRow("domain without dot")
            << conn("accountDomain", QStringLiteral("localhost")) << json << 422 << "validation"
            << "connection.accountDomain";
        QTest::newRow("max too short") << conn("maxDurationMinutes", 5) << json << 422 << "validation"
                                       << "connection.maxDurationMinutes: must be between 10 and 1440";
        QTest::newRow("max too long") << conn("maxDurationMinutes", 1441) << json << 422 << "validation"
                                      << "connection.maxDurationMinutes: must be between 10 and 1440";
        QTest::newRow("max not integer") << conn("maxDurationMinutes", 60.5) << json << 422 << "validation"
                                         << "must be an integer";
        QTest::newRow("default above max") << j(withConnection(
            {{QStringLiteral("defaultDurationMinutes"), 120}, {QStringLiteral("maxDurationMinutes"), 60}}))
                                           << json << 422 << "validation"
                                           << "connection.defaultDurationMinutes: must not be more than";
        QTest::newRow("roles not array") << conn("rolesOffered", QStringLiteral("x")) << json << 422 << "validation"
                                         << "connection.rolesOffered: must be an array";
        QTest::newRow("role not GUID") << conn("rolesOffered", QJsonArray{roleOffer(QStringLiteral("global-admin"))})
                                       << json << 422 << "validation"
                                       << "connection.rolesOffered[0].roleDefinitionId: must be a GUID";
        QTest::newRow("role without name")
            << conn("rolesOffered", QJsonArray{QJsonObject{{QStringLiteral("roleDefinitionId"), kUserAdministrator}}})
            << json << 422 << "validation"
            << "connection.rolesOffered[0].displayName: is required";
        QTest::newRow("role unknown field")
            << conn("rolesOffered",
                    QJsonArray{QJsonObject{{QStringLiteral("roleDefinitionId"), kUserAdministrator},
                                           {QStringLiteral("displayName"), QStringLiteral("UA")},
                                           {QStringLiteral("scope"), QStringLiteral("/")}}})
            << json << 422 << "validation"
            << "connection.rolesOffered[0].scope: is not a known field";
        QTest::newRow("role twice") << conn(
            "rolesOffered", QJsonArray{roleOffer(kUserAdministrator), roleOffer(kUserAdministrator.toUpper())})
                                    << json << 422 << "validation"
                                    << "connection.rolesOffered[1]: role";
        QJsonArray tooMany;
        for (int i = 0; i < 51; ++i)
            tooMany.append(roleOffer(QStringLiteral("00000000-0000-0000-0000-%1").arg(i, 12, 10, QLatin1Char('0'))));
        QTest::newRow("too many roles") << conn("rolesOffered", tooMany) << json << 422 << "validation"
                                        << "must have at most 50 items";
        QTest::newRow("rule without placeholder")
            << conn("accountNamingRule", QStringLiteral("stint-admin")) << json << 422 << "validation"
            << "connection.accountNamingRule: must hold {user}, {name} or {id}";
        QTest::newRow("rule unknown placeholder")
            << conn("accountNamingRule", QStringLiteral("stint-{email}")) << json << 422 << "validation"
            << "knows only the placeholders";
        QTest::newRow("rule unclosed placeholder")
            << conn("accountNamingRule", QStringLiteral("stint-{user")) << json << 422 << "validation"
            << "knows only the placeholders";
        QTest::newRow("rule bad character")
            << conn("accountNamingRule", QStringLiteral("stint+{user}")) << json << 422 << "validation"
            << "may hold only a-z";
        QTest::newRow("rule leading dot")
            << conn("accountNamingRule", QStringLiteral(".{user}")) << json << 422 << "validation"
            << "must not start or end with '.'";
        QTest::newRow("rule too long") << conn("accountNamingRule",
                                               QStringLiteral("{user}") + QString(43, QLatin1Char('a')))
                                       << json << 422 << "validation"
                                       << "must be 1 to 48 characters";
        QTest::newRow("credential kind") << conn("credentialKind", QStringLiteral("sms")) << json << 422 << "validation"
                                         << "connection.credentialKind: must be one of";
        QTest::newRow("expiry action") << conn("expiryAction", QStringLiteral("archive")) << json << 422 << "validation"
                                       << "connection.expiryAction: must be one of";
        QTest::newRow("several problems at once")
            << j({{QStringLiteral("name"), QString()},
                  {QStringLiteral("connection"), QJsonObject{{QStringLiteral("expiryAction"), QStringLiteral("x")}}}})
            << json << 422 << "validation"
            << "name: must be at least 1 characters; connection.expiryAction";
        QTest::newRow("not JSON") << QByteArray("{\"name\": ") << json << 400 << "malformed-json"
                                  << "";
        QTest::newRow("array") << QByteArray("[]") << json << 400 << "malformed-json"
                               << "";
        QTest::newRow("empty body") << QByteArray() << json << 400 << "malformed-json"
                                    << "";
        QTest::newRow("not JSON type") << j({{QStringLiteral("name"), QStringLiteral("x")}}) << QByteArray("text/plain")
                                       << 415 << "unsupported-media-type"
                                       << "";
        QTest::newRow("too large") << j({{QStringLiteral("name"), QStringLiteral("x")},
                                         {QStringLiteral("notes"), QString(70 * 1024, QLatin1Char('n'))}})
                                   << json << 413 << "body-too-large"
                                   << "";
    }

    void createRefusesInvalid()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, problem);
        QFETCH(QString, detail);
        const QString before = m_cloud->snapshot();
        const ApiReply r =
            api().send("POST", QStringLiteral("/v1/tenants"), m_admin.token, body, {{"Content-Type", contentType}});
        QVERIFY2(r.status == status, r.describe().constData());
        QCOMPARE(r.problem(), problem);
        QCOMPARE(r.json.value(QLatin1String("status")).toInt(), status);
        QVERIFY2(r.json.value(QLatin1String("detail")).toString().contains(detail), r.describe().constData());
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void createRefusesTakenName()
    {
        QVERIFY(!createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {})).isEmpty());
        const QString before = m_cloud->snapshot();
        const ApiReply r = api().post(QStringLiteral("/v1/tenants"), m_admin.token,
                                      {{QStringLiteral("name"), QStringLiteral(" Contoso ")}});
        QVERIFY2(r.status == 409, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("name-taken"));
        QCOMPARE(m_cloud->snapshot(), before);
        // Names are per organization.
        QVERIFY(!createTenant(*m_cloud, m_otherAdmin.token, tenantBody(QStringLiteral("Contoso"), {})).isEmpty());
    }

    void createIsIdempotent()
    {
        const QJsonObject body = tenantBody(QStringLiteral("Contoso"), {kUserAdministrator});
        const Headers key{{"Idempotency-Key", "create-contoso-1"}};
        const ApiReply first = api().post(QStringLiteral("/v1/tenants"), m_admin.token, body, key);
        QVERIFY2(first.status == 201, first.describe().constData());
        QVERIFY(first.header("Idempotent-Replayed").isEmpty());
        const QString after = m_cloud->snapshot();

        const ApiReply replay = api().post(QStringLiteral("/v1/tenants"), m_admin.token, body, key);
        QVERIFY2(replay.status == 201, replay.describe().constData());
        QCOMPARE(replay.header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(replay.body, first.body);
        QCOMPARE(m_cloud->snapshot(), after);

        const ApiReply other =
            api().post(QStringLiteral("/v1/tenants"), m_admin.token, tenantBody(QStringLiteral("Fabrikam"), {}), key);
        QVERIFY2(other.status == 422, other.describe().constData());
        QCOMPARE(other.problem(), QStringLiteral("idempotency-key-reused"));
        QCOMPARE(m_cloud->snapshot(), after);
        QCOMPARE(m_cloud->count(QStringLiteral("tenants")), 1);
    }

    void techniciansCannotManage()
    {
        const QString id = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {}));
        QVERIFY(!id.isEmpty());
        const QString before = m_cloud->snapshot();
        for (const ApiReply& r :
             {api().post(QStringLiteral("/v1/tenants"), m_tech.token,
                         {{QStringLiteral("name"), QStringLiteral("Mine")}}),
              api().patch(tenantPath(id), m_tech.token,
                          {{QStringLiteral("version"), 1}, {QStringLiteral("name"), QStringLiteral("Mine")}}),
              api().del(tenantPath(id), m_tech.token)}) {
            QVERIFY2(r.status == 403, r.describe().constData());
            QCOMPARE(r.problem(), QStringLiteral("forbidden"));
        }
        const ApiReply anonymous = api().get(QStringLiteral("/v1/tenants"));
        QCOMPARE(anonymous.status, 401);
        QCOMPARE(anonymous.problem(), QStringLiteral("unauthenticated"));
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void update()
    {
        const QString id =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}, 240));
        QVERIFY(!id.isEmpty());
        m_cloud->clock().advance(60'000);
        const ApiReply r =
            api().patch(tenantPath(id), m_admin.token,
                        {{QStringLiteral("version"), 1},
                         {QStringLiteral("name"), QStringLiteral("Contoso Group")},
                         {QStringLiteral("notes"), QStringLiteral("new notes")},
                         {QStringLiteral("connection"),
                          QJsonObject{{QStringLiteral("maxDurationMinutes"), 480},
                                      {QStringLiteral("accountDomain"), QStringLiteral("contoso.com")}}}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("version")).toInt(), 2);
        QCOMPARE(r.json.value(QLatin1String("name")).toString(), QStringLiteral("Contoso Group"));
        QCOMPARE(r.json.value(QLatin1String("updatedAt")).toString(), toRfc3339(m_cloud->clock().now()));
        QVERIFY(r.json.value(QLatin1String("createdAt")) != r.json.value(QLatin1String("updatedAt")));
        const QJsonObject c = r.json.value(QLatin1String("connection")).toObject();
        QCOMPARE(c.value(QLatin1String("maxDurationMinutes")).toInt(), 480);
        QCOMPARE(c.value(QLatin1String("accountDomain")).toString(), QStringLiteral("contoso.com"));
        QCOMPARE(c.value(QLatin1String("rolesOffered")).toArray().size(), 1); // untouched fields stay
        QCOMPARE(api().get(tenantPath(id), m_admin.token).json, r.json);

        // The audit event names every changed field, with the new values except free-text notes.
        auto rows =
            m_cloud->db().query(QStringLiteral("SELECT details FROM audit_events WHERE action = ? AND tenant_id = ?"),
                                {QStringLiteral("tenant.update"), id});
        QVERIFY(rows && rows->size() == 1);
        const QJsonObject details = QJsonDocument::fromJson(rows->front().text(0).toUtf8()).object();
        QCOMPARE(
            details.value(QLatin1String("changed")).toArray(),
            (QJsonArray{QStringLiteral("name"), QStringLiteral("notes"), QStringLiteral("connection.accountDomain"),
                        QStringLiteral("connection.maxDurationMinutes")}));
        QCOMPARE(
            details.value(QLatin1String("values")).toObject().value(QLatin1String("connection.maxDurationMinutes")),
            QJsonValue(480));
        QVERIFY(!details.value(QLatin1String("values")).toObject().contains(QLatin1String("notes")));
        QCOMPARE(m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'tenant.updated'")), 1);

        // Clearing the domain with null; sending back what was read (status, entraTenantId) is allowed.
        const ApiReply cleared = api().patch(tenantPath(id), m_admin.token,
                                             {{QStringLiteral("version"), 2},
                                              {QStringLiteral("connection"),
                                               QJsonObject{{QStringLiteral("accountDomain"), QJsonValue::Null},
                                                           {QStringLiteral("status"), QStringLiteral("not_connected")},
                                                           {QStringLiteral("entraTenantId"), QJsonValue::Null}}}});
        QVERIFY2(cleared.status == 200, cleared.describe().constData());
        QVERIFY(
            cleared.json.value(QLatin1String("connection")).toObject().value(QLatin1String("accountDomain")).isNull());
        QCOMPARE(cleared.json.value(QLatin1String("version")).toInt(), 3);

        // A change that changes nothing writes nothing (same version, no live event) but is on the record.
        const qint64 versions = m_cloud->scalar(QStringLiteral("SELECT SUM(version) FROM tenants"));
        const qint64 events = m_cloud->count(QStringLiteral("events"));
        const qint64 updates =
            m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = 'tenant.update'"));
        const ApiReply same =
            api().patch(tenantPath(id), m_admin.token,
                        {{QStringLiteral("version"), 3}, {QStringLiteral("name"), QStringLiteral("Contoso Group")}});
        QVERIFY2(same.status == 200, same.describe().constData());
        QCOMPARE(same.json.value(QLatin1String("version")).toInt(), 3);
        QCOMPARE(same.json, api().get(tenantPath(id), m_admin.token).json);
        QCOMPARE(m_cloud->scalar(QStringLiteral("SELECT SUM(version) FROM tenants")), versions);
        QCOMPARE(m_cloud->count(QStringLiteral("events")), events);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = 'tenant.update'")),
                 updates + 1);
    }

    void updateRefusesInvalid_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("detail");
        QTest::newRow("no version") << QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}} << 422 << "validation"
                                    << "version: is required";
        QTest::newRow("version as text") << QJsonObject{{QStringLiteral("version"), QStringLiteral("1")}} << 422
                                         << "validation"
                                         << "version: must be an integer";
        QTest::newRow("stale version") << QJsonObject{{QStringLiteral("version"), 2},
                                                      {QStringLiteral("name"), QStringLiteral("x")}}
                                       << 409 << "version-conflict"
                                       << "changed since version 2";
        QTest::newRow("blank name") << QJsonObject{{QStringLiteral("version"), 3},
                                                   {QStringLiteral("name"), QStringLiteral("  ")}}
                                    << 422 << "validation"
                                    << "name: must not be blank";
        QTest::newRow("status") << QJsonObject{{QStringLiteral("version"), 3},
                                               {QStringLiteral("connection"),
                                                QJsonObject{{QStringLiteral("status"), QStringLiteral("connected")}}}}
                                << 422 << "validation"
                                << "connection.status";
        QTest::newRow("unknown field") << QJsonObject{{QStringLiteral("version"), 3},
                                                      {QStringLiteral("id"), QStringLiteral("x")}}
                                       << 422 << "validation"
                                       << "id: is not a known field";
        QTest::newRow("taken name") << QJsonObject{{QStringLiteral("version"), 3},
                                                   {QStringLiteral("name"), QStringLiteral("Fabrikam")}}
                                    << 409 << "name-taken"
                                    << "";
    }

    void updateRefusesInvalid()
    {
        QFETCH(QJsonObject, body);
        QFETCH(int, status);
        QFETCH(QString, problem);
        QFETCH(QString, detail);
        QVERIFY(!createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Fabrikam"), {})).isEmpty());
        const QString id = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {}));
        QVERIFY(!id.isEmpty());
        for (int version = 1; version <= 2; ++version) { // brings it to version 3
            const ApiReply r = api().patch(
                tenantPath(id), m_admin.token,
                {{QStringLiteral("version"), version}, {QStringLiteral("notes"), QStringLiteral("v%1").arg(version)}});
            QVERIFY2(r.status == 200, r.describe().constData());
        }
        const QString before = m_cloud->snapshot();
        const ApiReply r = api().patch(tenantPath(id), m_admin.token, body);
        QVERIFY2(r.status == status, r.describe().constData());
        QCOMPARE(r.problem(), problem);
        QVERIFY2(r.json.value(QLatin1String("detail")).toString().contains(detail), r.describe().constData());
        if (problem == QLatin1String("version-conflict"))
            QCOMPARE(r.json.value(QLatin1String("currentVersion")).toInt(), 3);
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void updateRefusesWithdrawingGrantedRole()
    {
        const QString id =
            createTenant(*m_cloud, m_admin.token,
                         tenantBody(QStringLiteral("Contoso"), {kUserAdministrator, kHelpdeskAdministrator}));
        QVERIFY(!id.isEmpty());
        QVERIFY(!createPolicy(*m_cloud, m_admin.token,
                              policyBody(QStringLiteral("Helpdesk"), {id}, {kHelpdeskAdministrator}, {m_tech.id}))
                     .isEmpty());
        auto offering = [&](const QStringList& roles) {
            QJsonArray offered;
            for (const QString& role : roles)
                offered.append(roleOffer(role));
            return QJsonObject{{QStringLiteral("version"), 1},
                               {QStringLiteral("connection"), QJsonObject{{QStringLiteral("rolesOffered"), offered}}}};
        };
        const QString before = m_cloud->snapshot();
        const ApiReply refused = api().patch(tenantPath(id), m_admin.token, offering({kUserAdministrator}));
        QVERIFY2(refused.status == 409, refused.describe().constData());
        QCOMPARE(refused.problem(), QStringLiteral("role-in-use"));
        QCOMPARE(refused.json.value(QLatin1String("policies")).toArray(), QJsonArray{QStringLiteral("Helpdesk")});
        QCOMPARE(m_cloud->snapshot(), before);
        // A role no policy grants may go.
        const ApiReply allowed = api().patch(tenantPath(id), m_admin.token, offering({kHelpdeskAdministrator}));
        QVERIFY2(allowed.status == 200, allowed.describe().constData());
    }

    void updateKeepsConnectedTenantsCloud()
    {
        const QString id = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {}));
        QVERIFY(!id.isEmpty());
        const QString entraId = QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee");
        // What connecting the tenant (a later part) records.
        QVERIFY(m_cloud->db().exec(QStringLiteral("UPDATE tenants SET connection_status = 'connected',"
                                                  " entra_tenant_id = ? WHERE id = ?"),
                                   {entraId, id}));
        const QString before = m_cloud->snapshot();
        const ApiReply refused = api().patch(
            tenantPath(id), m_admin.token,
            {{QStringLiteral("version"), 1},
             {QStringLiteral("connection"), QJsonObject{{QStringLiteral("nationalCloud"), QStringLiteral("china")}}}});
        QVERIFY2(refused.status == 409, refused.describe().constData());
        QCOMPARE(refused.problem(), QStringLiteral("tenant-connected"));
        QCOMPARE(m_cloud->snapshot(), before);

        const ApiReply renamed = api().patch(tenantPath(id), m_admin.token,
                                             {{QStringLiteral("version"), 1},
                                              {QStringLiteral("name"), QStringLiteral("Contoso 2")},
                                              {QStringLiteral("connection"),
                                               QJsonObject{{QStringLiteral("status"), QStringLiteral("connected")},
                                                           {QStringLiteral("entraTenantId"), entraId}}}});
        QVERIFY2(renamed.status == 200, renamed.describe().constData());
        const QJsonObject c = renamed.json.value(QLatin1String("connection")).toObject();
        QCOMPARE(c.value(QLatin1String("status")).toString(), QStringLiteral("connected"));
        QCOMPARE(c.value(QLatin1String("entraTenantId")).toString(), entraId);
    }

    void deleteTenant()
    {
        const QString id =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}));
        const QString other =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Fabrikam"), {kUserAdministrator}));
        QVERIFY(!id.isEmpty() && !other.isEmpty());
        const QString policy = createPolicy(
            *m_cloud, m_admin.token, policyBody(QStringLiteral("UA"), {id, other}, {kUserAdministrator}, {m_tech.id}));
        QVERIFY(!policy.isEmpty());
        // A finished checkout goes with the tenant (its history stays in the audit log).
        const QJsonObject checkout = requestCheckout(*m_cloud, m_tech.token, id, {kUserAdministrator}, 30);
        QVERIFY(!checkout.isEmpty());
        QCOMPARE(
            api()
                .post(QStringLiteral("/v1/checkouts/%1/cancel").arg(checkout.value(QLatin1String("id")).toString()),
                      m_tech.token)
                .status,
            200);

        const ApiReply r = api().del(tenantPath(id), m_admin.token);
        QVERIFY2(r.status == 204, r.describe().constData());
        QCOMPARE(api().get(tenantPath(id), m_admin.token).status, 404);
        QCOMPARE(api().del(tenantPath(id), m_admin.token).status, 404);
        QCOMPARE(m_cloud->count(QStringLiteral("checkouts")), 0);
        QCOMPARE(api()
                     .get(QStringLiteral("/v1/policies/") + policy, m_admin.token)
                     .json.value(QLatin1String("tenantIds"))
                     .toArray(),
                 QJsonArray{other});
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'tenant.delete' AND tenant_id = ?"), {id}),
                 1);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action LIKE 'checkout.%' AND tenant_id = ?"), {id}),
                 3); // request, cancel, transition: still there
        QCOMPARE(
            m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'tenant.deleted' AND audience = 'admins'")),
            1);
    }

    void deleteRefusedWhileCheckoutsOpen()
    {
        const QString id =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}));
        QVERIFY(!id.isEmpty());
        QVERIFY(!createPolicy(*m_cloud, m_admin.token,
                              policyBody(QStringLiteral("UA"), {id}, {kUserAdministrator}, {m_tech.id}))
                     .isEmpty());
        const QString checkout =
            requestCheckout(*m_cloud, m_tech.token, id, {kUserAdministrator}, 30).value(QLatin1String("id")).toString();
        QVERIFY(!checkout.isEmpty());
        for (const char* state : {"requested", "provisioning", "ready", "revoking", "revoke_failed"}) {
            forceCheckoutState(*m_cloud, checkout, QLatin1String(state));
            const QString before = m_cloud->snapshot();
            const ApiReply r = api().del(tenantPath(id), m_admin.token);
            QVERIFY2(r.status == 409, r.describe().constData());
            QCOMPARE(r.problem(), QStringLiteral("checkouts-open"));
            QCOMPARE(r.json.value(QLatin1String("openCheckouts")).toInt(), 1);
            QCOMPARE(m_cloud->snapshot(), before);
        }
        forceCheckoutState(*m_cloud, checkout, QStringLiteral("ended"));
        QCOMPARE(api().del(tenantPath(id), m_admin.token).status, 204);
    }

    void techniciansSeeGrantedTenants()
    {
        const QString direct =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Direct"), {kUserAdministrator}, 120));
        const QString viaGroup = createTenant(*m_cloud, m_admin.token,
                                              tenantBody(QStringLiteral("Via group"), {kHelpdeskAdministrator}, 45));
        const QString ungranted =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Nobody's"), {kUserAdministrator}));
        QVERIFY(!direct.isEmpty() && !viaGroup.isEmpty() && !ungranted.isEmpty());
        const QString group = m_cloud->addGroup(m_org, QStringLiteral("Helpdesk"), {m_tech2.id});
        const QString directPolicy =
            createPolicy(*m_cloud, m_admin.token,
                         policyBody(QStringLiteral("Direct"), {direct}, {kUserAdministrator}, {m_tech.id}, {}, 120));
        const QString groupPolicy =
            createPolicy(*m_cloud, m_admin.token,
                         policyBody(QStringLiteral("Group"), {viaGroup}, {kHelpdeskAdministrator}, {}, {group}, 45));
        QVERIFY(!directPolicy.isEmpty() && !groupPolicy.isEmpty());

        auto visibleTo = [&](const QString& token) {
            const ApiReply r = api().get(QStringLiteral("/v1/tenants"), token);
            return r.status == 200 ? idsOf(r.items()) : QStringList{QString::fromUtf8(r.describe().constData())};
        };
        QStringList all{direct, viaGroup, ungranted};
        all.sort();
        QCOMPARE(visibleTo(m_admin.token), all);
        QCOMPARE(visibleTo(m_tech.token), QStringList{direct});
        QCOMPARE(visibleTo(m_tech2.token), QStringList{viaGroup});
        const SignedInPerson nobody = addSignedInPerson(*m_cloud, m_org, QStringLiteral("new@acme.example"));
        QCOMPARE(visibleTo(nobody.token), QStringList());

        QCOMPARE(api().get(tenantPath(viaGroup), m_tech.token).status, 404);
        QCOMPARE(api().get(tenantPath(ungranted), m_tech.token).problem(), QStringLiteral("not-found"));
        const ApiReply granted = api().get(tenantPath(viaGroup), m_tech2.token);
        QVERIFY2(granted.status == 200, granted.describe().constData());
        const QJsonArray grants = granted.json.value(QLatin1String("myGrants")).toArray();
        QCOMPARE(grants.size(), 1);
        QCOMPARE(grants.at(0).toObject(),
                 (QJsonObject{{QStringLiteral("policyId"), groupPolicy},
                              {QStringLiteral("policyName"), QStringLiteral("Group")},
                              {QStringLiteral("roleDefinitionIds"), QJsonArray{kHelpdeskAdministrator}},
                              {QStringLiteral("maxDurationMinutes"), 45},
                              {QStringLiteral("requireJustification"), true},
                              {QStringLiteral("requireTicket"), false},
                              {QStringLiteral("requireApproval"), false}}));

        // Joining the group grants its tenants; losing the policy takes them away.
        QVERIFY(m_cloud->db().exec(QStringLiteral("INSERT INTO group_members (group_id, person_id) VALUES (?, ?)"),
                                   {group, m_tech.id}));
        QStringList both{direct, viaGroup};
        both.sort();
        QCOMPARE(visibleTo(m_tech.token), both);
        QCOMPARE(api().del(QStringLiteral("/v1/policies/") + directPolicy, m_admin.token).status, 204);
        QCOMPARE(visibleTo(m_tech.token), QStringList{viaGroup});
        QCOMPARE(api().get(tenantPath(direct), m_tech.token).status, 404);
    }

    void otherOrganizationsTenantsAreNotFound_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<bool>("otherOrganization"); // else a malformed or unknown id in the own organization
        QTest::addColumn<QString>("id");
        for (const char* method : {"GET", "PATCH", "DELETE"}) {
            QTest::addRow("%s other organization", method) << QByteArray(method) << true << QString();
            QTest::addRow("%s unknown", method) << QByteArray(method) << false << ids::newId(u"tnt");
            QTest::addRow("%s wrong prefix", method) << QByteArray(method) << false << ids::newId(u"pol");
            QTest::addRow("%s malformed", method) << QByteArray(method) << false << QStringLiteral("tnt_XYZ");
        }
    }

    void otherOrganizationsTenantsAreNotFound()
    {
        QFETCH(QByteArray, method);
        QFETCH(bool, otherOrganization);
        QFETCH(QString, id);
        const QString mine = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {}));
        QVERIFY(!mine.isEmpty());
        if (otherOrganization)
            id = mine;
        const QString token = otherOrganization ? m_otherAdmin.token : m_admin.token;
        const QString before = m_cloud->snapshot();
        const QByteArray body = method == "PATCH"
            ? j({{QStringLiteral("version"), 1}, {QStringLiteral("name"), QStringLiteral("Mine now")}})
            : QByteArray();
        const ApiReply r = api().send(method, tenantPath(id), token, body);
        QVERIFY2(r.status == 404, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("not-found"));
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void listPages()
    {
        QStringList created;
        for (int i = 0; i < 5; ++i) {
            created << createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Tenant %1").arg(i), {}));
            QVERIFY(!created.constLast().isEmpty());
        }
        created.sort();
        QStringList seen;
        QString cursor;
        int pages = 0;
        do {
            const ApiReply r = api().get(QStringLiteral("/v1/tenants?limit=2")
                                             + (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor),
                                         m_admin.token);
            QVERIFY2(r.status == 200, r.describe().constData());
            QVERIFY(r.items().size() <= 2);
            seen << idsOf(r.items());
            cursor = r.json.value(QLatin1String("nextCursor")).toString();
            ++pages;
        } while (!cursor.isEmpty() && pages < 10);
        QCOMPARE(pages, 3);
        QCOMPARE(seen, created);

        for (const char* query : {"?limit=0", "?limit=201", "?limit=x", "?colour=red"}) {
            const ApiReply r = api().get(QStringLiteral("/v1/tenants") + QLatin1String(query), m_admin.token);
            QVERIFY2(r.status == 400, r.describe().constData());
            QCOMPARE(r.problem(), QStringLiteral("bad-query"));
        }
        const ApiReply badCursor = api().get(QStringLiteral("/v1/tenants?cursor=%%%"), m_admin.token);
        QCOMPARE(badCursor.status, 400);
        QCOMPARE(badCursor.problem(), QStringLiteral("bad-cursor"));
    }

    // Every tenant a list shows is what reading it alone answers, and its myGrants are what the caller's policies
    // grant there, worked out apart from the list (policiesNaming + grantsIn): for an admin named in a policy, a
    // technician named directly and through a group, and one named only through the group; over pages of 2.
    void listAgreesWithSingleReadsAndPolicies()
    {
        QStringList tenants;
        const QList<int> maxima{240, 60, 480, 90, 240};
        for (int i = 0; i < maxima.size(); ++i) {
            tenants << createTenant(*m_cloud, m_admin.token,
                                    tenantBody(QStringLiteral("Tenant %1").arg(i),
                                               {kUserAdministrator, kHelpdeskAdministrator}, maxima.at(i)));
            QVERIFY(!tenants.constLast().isEmpty());
        }
        const QString group = m_cloud->addGroup(m_org, QStringLiteral("Helpdesk"), {m_tech.id, m_tech2.id});
        QJsonObject strict = policyBody(QStringLiteral("Strict"), tenants.mid(0, 4), {kUserAdministrator}, {m_tech.id},
                                        {}, 60);
        strict.insert(QStringLiteral("requireTicket"), true);
        QJsonObject loose = policyBody(QStringLiteral("Loose \"quoted\" \u00e9"), tenants.mid(1),
                                       {kHelpdeskAdministrator, kUserAdministrator}, {}, {group}, 45);
        loose.insert(QStringLiteral("requireJustification"), false);
        const QJsonObject admins =
            policyBody(QStringLiteral("Admins"), {tenants.at(2)}, {kHelpdeskAdministrator}, {m_admin.id}, {}, 480);
        for (const QJsonObject& body : {strict, loose, admins})
            QVERIFY(!createPolicy(*m_cloud, m_admin.token, body).isEmpty());

        for (const SignedInPerson& who : {m_admin, m_tech, m_tech2}) {
            QJsonArray listed;
            QString cursor;
            for (int pages = 0; pages < 10; ++pages) {
                const ApiReply r = api().get(QStringLiteral("/v1/tenants?limit=2")
                                                 + (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor),
                                             who.token);
                QVERIFY2(r.status == 200, r.describe().constData());
                for (const QJsonValue& item : r.items())
                    listed.append(item);
                cursor = r.json.value(QLatin1String("nextCursor")).toString();
                if (cursor.isEmpty())
                    break;
            }
            QCOMPARE(listed.size(), who.id == m_tech2.id ? 4 : 5);
            auto named = cloud::policies::policiesNaming(m_cloud->db(), m_org, who.id);
            QVERIFY(named);
            for (const QJsonValue& item : listed) {
                const QString id = item.toObject().value(QLatin1String("id")).toString();
                const ApiReply alone = api().get(tenantPath(id), who.token);
                QVERIFY2(alone.status == 200, alone.describe().constData());
                QCOMPARE(item.toObject(), alone.json);
                auto tenant = cloud::tenants::loadTenant(m_cloud->db(), m_org, id);
                QVERIFY(tenant && tenant->has_value());
                QJsonArray expected;
                for (const models::TenantGrant& g : cloud::policies::grantsIn(**tenant, *named))
                    expected.append(g.toJson());
                QCOMPARE(item.toObject().value(QLatin1String("myGrants")).toArray(), expected);
            }
        }
        // The technician named twice sees both grants where both policies cover the tenant, most permissive first.
        const ApiReply both = api().get(tenantPath(tenants.at(1)), m_tech.token);
        const QJsonArray grants = both.json.value(QLatin1String("myGrants")).toArray();
        QCOMPARE(grants.size(), 2);
        QCOMPARE(grants.at(0).toObject().value(QLatin1String("policyName")).toString(),
                 QStringLiteral("Loose \"quoted\" \u00e9"));
    }

    // A list shows every change of a tenant, whoever makes it: through the API, by the connection flow (status), or
    // straight in the store without a new version — each read renders what is stored now.
    void listShowsEveryChange()
    {
        const QString id = createTenant(*m_cloud, m_admin.token,
                                        tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}, 240));
        const QString other = createTenant(*m_cloud, m_admin.token,
                                           tenantBody(QStringLiteral("Fabrikam"), {kUserAdministrator}, 240));
        QVERIFY(!id.isEmpty() && !other.isEmpty());
        const QString policy = createPolicy(
            *m_cloud, m_admin.token,
            policyBody(QStringLiteral("Contoso work"), {id, other}, {kUserAdministrator}, {m_tech.id}, {}, 120));
        QVERIFY(!policy.isEmpty());
        auto listedAs = [&](const QString& token) {
            QHash<QString, QJsonObject> byId;
            const ApiReply r = api().get(QStringLiteral("/v1/tenants"), token);
            for (const QJsonValue& item : r.items())
                byId.insert(item.toObject().value(QLatin1String("id")).toString(), item.toObject());
            return byId;
        };
        auto sameAsAlone = [&](const QString& token) {
            for (const QJsonObject& item : listedAs(token)) {
                if (item != api().get(tenantPath(item.value(QLatin1String("id")).toString()), token).json)
                    return false;
            }
            return true;
        };
        QCOMPARE(listedAs(m_tech.token).value(id).value(QLatin1String("name")).toString(), QStringLiteral("Contoso"));

        // Through the API.
        QCOMPARE(api().patch(tenantPath(id), m_admin.token,
                             {{QStringLiteral("version"), 1}, {QStringLiteral("notes"), QStringLiteral("VIP")}})
                     .status,
                 200);
        QCOMPARE(listedAs(m_tech.token).value(id).value(QLatin1String("notes")).toString(), QStringLiteral("VIP"));
        QVERIFY(sameAsAlone(m_tech.token));

        // In the store, keeping the version: each column on its own.
        const QList<std::pair<QString, store::Value>> changes{
            {QStringLiteral("name"), QStringLiteral("Contoso Renamed")},
            {QStringLiteral("notes"), QStringLiteral("changed behind the API")},
            {QStringLiteral("connection_status"), QStringLiteral("unhealthy")},
            {QStringLiteral("entra_tenant_id"), QStringLiteral("2f4a9a0e-0a4b-4c1e-9a55-3d2f6f1b7c10")},
            {QStringLiteral("updated_at"), qint64(1'700'000'000'000)},
            {QStringLiteral("created_at"), qint64(1'600'000'000'000)},
        };
        for (const auto& [column, value] : changes) {
            QVERIFY(m_cloud->db().exec(QStringLiteral("UPDATE tenants SET %1 = ? WHERE id = ?").arg(column),
                                       {value, id}));
            QVERIFY2(sameAsAlone(m_tech.token), qPrintable(column));
            QVERIFY2(sameAsAlone(m_admin.token), qPrintable(column));
        }
        const QJsonObject seen = listedAs(m_tech.token).value(id);
        QCOMPARE(seen.value(QLatin1String("name")).toString(), QStringLiteral("Contoso Renamed"));
        QCOMPARE(seen.value(QLatin1String("connection")).toObject().value(QLatin1String("status")).toString(),
                 QStringLiteral("unhealthy"));
        QCOMPARE(seen.value(QLatin1String("updatedAt")).toString(), toRfc3339(1'700'000'000'000));
        QCOMPARE(seen.value(QLatin1String("version")).toInt(), 2);
        auto connection = m_cloud->db().query(QStringLiteral("SELECT connection FROM tenants WHERE id = ?"), {id});
        QVERIFY(connection && connection->size() == 1);
        QVERIFY(m_cloud->db().exec(QStringLiteral("UPDATE tenants SET connection = ? WHERE id = ?"),
                                   {connection->front().text(0).replace(QStringLiteral("240"), QStringLiteral("90")),
                                    id}));
        QCOMPARE(listedAs(m_tech.token)
                     .value(id)
                     .value(QLatin1String("connection"))
                     .toObject()
                     .value(QLatin1String("maxDurationMinutes"))
                     .toInt(),
                 90);
        // The grant follows the tenant's new maximum (the shorter of the two), and the policy's own changes.
        QCOMPARE(listedAs(m_tech.token).value(id).value(QLatin1String("myGrants")).toArray().at(0).toObject().value(
                     QLatin1String("maxDurationMinutes")),
                 QJsonValue(90));
        QVERIFY(m_cloud->db().exec(QStringLiteral("UPDATE policies SET max_duration_minutes = 30 WHERE id = ?"),
                                   {policy}));
        for (const QJsonObject& item : listedAs(m_tech.token))
            QCOMPARE(item.value(QLatin1String("myGrants")).toArray().at(0).toObject().value(
                         QLatin1String("maxDurationMinutes")),
                     QJsonValue(30));
        QVERIFY(sameAsAlone(m_tech.token));
        // Losing the grant empties the technician's list; the admin still sees both, without grants.
        QCOMPARE(api().del(QStringLiteral("/v1/policies/") + policy, m_admin.token).status, 204);
        QVERIFY(listedAs(m_tech.token).isEmpty());
        QCOMPARE(listedAs(m_admin.token).size(), 2);
        for (const QJsonObject& item : listedAs(m_admin.token))
            QCOMPARE(item.value(QLatin1String("myGrants")).toArray(), QJsonArray());
    }

    // The same list asked again answers what the store holds now, whoever changed it and however: a second connection
    // to the store (another process, a tool), this one without the API, a change inside a transaction rolled back, a
    // group membership, a person's role, a policy's tenants — each shows in the very next list, asked the same way.
    void listAskedAgainShowsChangesFromAnyWriter()
    {
        const QString first =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("First"), {kUserAdministrator}, 240));
        const QString second =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Second"), {kUserAdministrator}, 240));
        QVERIFY(!first.isEmpty() && !second.isEmpty());
        const QString group = m_cloud->addGroup(m_org, QStringLiteral("Night shift"), {});
        const QString policy = createPolicy(
            *m_cloud, m_admin.token,
            policyBody(QStringLiteral("Days"), {first}, {kUserAdministrator}, {m_tech.id}, {}, 120));
        const QString groupPolicy = createPolicy(
            *m_cloud, m_admin.token,
            policyBody(QStringLiteral("Nights"), {second}, {kUserAdministrator}, {}, {group}, 60));
        QVERIFY(!policy.isEmpty() && !groupPolicy.isEmpty());
        auto list = [&](const QString& token) {
            const ApiReply r = api().get(QStringLiteral("/v1/tenants?limit=10"), token);
            return r.status == 200 ? r.items() : QJsonArray{QString::fromUtf8(r.describe())};
        };
        auto names = [&](const QString& token) {
            QStringList out;
            for (const QJsonValue& item : list(token))
                out << item.toObject().value(QLatin1String("name")).toString();
            out.sort();
            return out;
        };
        auto listedItem = [&](const QString& token, const QString& id) {
            for (const QJsonValue& item : list(token)) {
                if (item.toObject().value(QLatin1String("id")).toString() == id)
                    return item.toObject();
            }
            return QJsonObject();
        };
        // Each asked twice, so that a second answer could come from whatever the first left behind.
        QCOMPARE(names(m_tech.token), QStringList{QStringLiteral("First")});
        QCOMPARE(names(m_tech.token), QStringList{QStringLiteral("First")});
        QCOMPARE(names(m_admin.token), (QStringList{QStringLiteral("First"), QStringLiteral("Second")}));

        // Another connection to the same store.
        auto other = m_cloud->db().openReader();
        QVERIFY2(other, other ? "" : qPrintable(other.error().message));
        QVERIFY((*other)->exec(QStringLiteral("UPDATE tenants SET name = ? WHERE id = ?"),
                               {QStringLiteral("First, renamed elsewhere"), first}));
        QCOMPARE(names(m_tech.token), QStringList{QStringLiteral("First, renamed elsewhere")});
        QCOMPARE(names(m_tech.token), QStringList{QStringLiteral("First, renamed elsewhere")});
        QVERIFY((*other)->exec(QStringLiteral("UPDATE tenants SET connection_status = ? WHERE id = ?"),
                               {QStringLiteral("unhealthy"), first}));
        QCOMPARE(listedItem(m_tech.token, first).value(QLatin1String("connection")).toObject().value(
                     QLatin1String("status")),
                 QJsonValue(QStringLiteral("unhealthy")));
        QVERIFY((*other)->exec(QStringLiteral("UPDATE policies SET max_duration_minutes = 15 WHERE id = ?"), {policy}));
        QCOMPARE(listedItem(m_tech.token, first).value(QLatin1String("myGrants")).toArray().at(0).toObject().value(
                     QLatin1String("maxDurationMinutes")),
                 QJsonValue(15));

        // This connection, without the API; and a change rolled back is not shown.
        QVERIFY(m_cloud->db().exec(QStringLiteral("UPDATE tenants SET name = ? WHERE id = ?"),
                                   {QStringLiteral("First, renamed here"), first}));
        QCOMPARE(names(m_tech.token), QStringList{QStringLiteral("First, renamed here")});
        {
            store::Transaction tx(m_cloud->db());
            QVERIFY(tx.started());
            QVERIFY(m_cloud->db().exec(QStringLiteral("UPDATE tenants SET name = ? WHERE id = ?"),
                                       {QStringLiteral("Never committed"), first}));
        }
        QCOMPARE(names(m_tech.token), QStringList{QStringLiteral("First, renamed here")});

        // Joining a group a policy names, through the other connection: the group's tenant appears, with its grant.
        QVERIFY((*other)->exec(QStringLiteral("INSERT INTO group_members (group_id, person_id) VALUES (?, ?)"),
                               {group, m_tech.id}));
        QCOMPARE(list(m_tech.token).size(), 2);
        QCOMPARE(listedItem(m_tech.token, second).value(QLatin1String("myGrants")).toArray().at(0).toObject().value(
                     QLatin1String("policyId")),
                 QJsonValue(groupPolicy));
        // A policy's tenants change: the first goes.
        QVERIFY((*other)->exec(QStringLiteral("DELETE FROM policy_tenants WHERE policy_id = ?"), {policy}));
        QCOMPARE(names(m_tech.token), QStringList{QStringLiteral("Second")});
        // The technician becomes an admin: every tenant, and the grants that still name them.
        QVERIFY((*other)->exec(QStringLiteral("UPDATE people SET role = 'admin' WHERE id = ?"), {m_tech.id}));
        QCOMPARE(names(m_tech.token), (QStringList{QStringLiteral("First, renamed here"), QStringLiteral("Second")}));
        QCOMPARE(listedItem(m_tech.token, first).value(QLatin1String("myGrants")).toArray(), QJsonArray());
        QCOMPARE(listedItem(m_tech.token, second).value(QLatin1String("myGrants")).toArray().size(), 1);
        // Every listed tenant is still what reading it alone answers.
        for (const SignedInPerson& who : {m_admin, m_tech}) {
            for (const QJsonValue& item : list(who.token)) {
                QCOMPARE(item.toObject(),
                         api().get(tenantPath(item.toObject().value(QLatin1String("id")).toString()), who.token).json);
            }
        }
    }

    // Lists asked by different callers, and for different pages, are each answered for that caller and that page,
    // asked in turn and again.
    void listAnswersAreEachCallersOwn()
    {
        QStringList tenants;
        for (int i = 0; i < 4; ++i) {
            tenants << createTenant(*m_cloud, m_admin.token,
                                    tenantBody(QStringLiteral("Tenant %1").arg(i), {kUserAdministrator}, 240));
            QVERIFY(!tenants.constLast().isEmpty());
        }
        tenants.sort(); // the order lists show
        QVERIFY(!createPolicy(*m_cloud, m_admin.token,
                              policyBody(QStringLiteral("One"), tenants.mid(0, 3), {kUserAdministrator}, {m_tech.id},
                                         {}, 120))
                     .isEmpty());
        QVERIFY(!createPolicy(*m_cloud, m_admin.token,
                              policyBody(QStringLiteral("Two"), tenants.mid(2), {kUserAdministrator}, {m_tech2.id}, {},
                                         30))
                     .isEmpty());
        const QString firstPage = QStringLiteral("/v1/tenants?limit=2");
        const QString secondPage = firstPage + QStringLiteral("&cursor=") + cloud::encodeCursor(tenants.at(1));
        const QList<std::tuple<QString, QString, QStringList, QJsonValue>> asks{
            {m_admin.token, firstPage, tenants.mid(0, 2), QJsonValue()},
            {m_tech.token, firstPage, tenants.mid(0, 2), QJsonValue(120)},
            {m_tech2.token, firstPage, tenants.mid(2, 2), QJsonValue(30)},
            {m_admin.token, secondPage, tenants.mid(2, 2), QJsonValue()},
            {m_tech.token, secondPage, tenants.mid(2, 1), QJsonValue(120)},
            {m_tech2.token, secondPage, tenants.mid(2, 2), QJsonValue(30)},
            {m_otherAdmin.token, firstPage, {}, QJsonValue()},
            {m_admin.token, QStringLiteral("/v1/tenants?limit=1"), tenants.mid(0, 1), QJsonValue()},
            {m_admin.token, QStringLiteral("/v1/tenants"), tenants, QJsonValue()},
        };
        for (int round = 0; round < 2; ++round) {
            for (const auto& [token, path, expected, maxMinutes] : asks) {
                const ApiReply r = api().get(path, token);
                QVERIFY2(r.status == 200, r.describe().constData());
                QCOMPARE(idsOf(r.items()), expected);
                for (const QJsonValue& item : r.items()) {
                    const QJsonArray grants = item.toObject().value(QLatin1String("myGrants")).toArray();
                    QCOMPARE(grants.isEmpty() ? QJsonValue() : grants.at(0).toObject().value(QLatin1String("maxDurationMinutes")),
                             maxMinutes);
                }
            }
        }
    }

    // Every answer (a list kept from before included) carries the service clock's time in its Date header, to the
    // second, as the clock moves: within a second, to the next, and back.
    void answersAreDatedByTheServiceClock()
    {
        // A list, and (as the clock jumps further than a session lives) the health check.
        bool signedIn = true;
        auto dateOf = [&] {
            const ApiReply r = signedIn ? api().get(QStringLiteral("/v1/tenants"), m_tech.token)
                                        : api().get(QStringLiteral("/healthz"), QString());
            return r.status == 200 ? r.header("Date") : r.describe();
        };
        auto expected = [&] {
            return QLocale::c()
                .toString(QDateTime::fromMSecsSinceEpoch(m_cloud->clock().now(), Qt::UTC),
                          QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                .toLatin1();
        };
        const TimeMs start = m_cloud->clock().now();
        m_cloud->clock().set(start - start % 1000); // the start of a second
        QCOMPARE(dateOf(), expected());
        m_cloud->clock().advance(999);
        QCOMPARE(dateOf(), expected());
        m_cloud->clock().advance(1);
        QCOMPARE(dateOf(), expected());
        signedIn = false;
        m_cloud->clock().set(1'800'000'000'000); // Fri, 15 Jan 2027 08:00:00.000 GMT
        QCOMPARE(dateOf(), QByteArray("Fri, 15 Jan 2027 08:00:00 GMT"));
        m_cloud->clock().advance(999);
        QCOMPARE(dateOf(), QByteArray("Fri, 15 Jan 2027 08:00:00 GMT"));
        m_cloud->clock().advance(1);
        QCOMPARE(dateOf(), QByteArray("Fri, 15 Jan 2027 08:00:01 GMT"));
        m_cloud->clock().advance(86'400'000 + 3'600'000);
        QCOMPARE(dateOf(), QByteArray("Sat, 16 Jan 2027 09:00:01 GMT"));
        m_cloud->clock().set(1'700'000'000'500);
        QCOMPARE(dateOf(), expected());
        QCOMPARE(dateOf(), QByteArray("Tue, 14 Nov 2023 22:13:20 GMT"));
    }

    void accountNamingRule_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("normalized"); // "" when refused
        QTest::addColumn<QString>("email");
        QTest::addColumn<QString>("displayName");
        QTest::addColumn<QString>("expanded");
        QTest::newRow("user") << "stint-{user}"
                              << "stint-{user}"
                              << "Ada.Lovelace@msp.example"
                              << "Ada"
                              << "stint-ada.lovelace";
        QTest::newRow("upper case rule") << "JIT_{User}"
                                         << "jit_{user}"
                                         << "ada@msp.example"
                                         << ""
                                         << "jit_ada";
        QTest::newRow("name with accents") << "{name}.adm"
                                           << "{name}.adm"
                                           << "x@msp.example"
                                           << "Zoë  Müller-Lüdenscheidt"
                                           << "zoe.muller.ludenscheidt.adm";
        QTest::newRow("id") << "stint-{id}"
                            << "stint-{id}"
                            << "ada@msp.example"
                            << "Ada"
                            << "stint-01234567";
        QTest::newRow("all three") << "{user}-{name}-{id}"
                                   << "{user}-{name}-{id}"
                                   << "bob@msp.example"
                                   << "Bob B"
                                   << "bob-bob.b-01234567";
        QTest::newRow("symbols in email") << "{user}"
                                          << "{user}"
                                          << "o'brien+jit@msp.example"
                                          << ""
                                          << "obrienjit";
        QTest::newRow("nothing usable") << "{name}"
                                        << "{name}"
                                        << "x@msp.example"
                                        << "株式会社"
                                        << "stint-01234567";
        QTest::newRow("dots collapse") << "a.{name}"
                                       << "a.{name}"
                                       << "x@msp.example"
                                       << ".."
                                       << "a";
        QTest::newRow("long") << "{user}{user}"
                              << "{user}{user}" << QString(40, QLatin1Char('a')) + "@x.example"
                              << "" << QString(64, QLatin1Char('a'));
        QTest::newRow("no placeholder") << "stint"
                                        << ""
                                        << ""
                                        << ""
                                        << "";
        QTest::newRow("unknown placeholder") << "{upn}"
                                             << ""
                                             << ""
                                             << ""
                                             << "";
        QTest::newRow("double dot") << "{user}..x"
                                    << ""
                                    << ""
                                    << ""
                                    << "";
        QTest::newRow("space") << "stint {user}"
                               << ""
                               << ""
                               << ""
                               << "";
    }

    void accountNamingRule()
    {
        QFETCH(QString, rule);
        QFETCH(QString, normalized);
        QFETCH(QString, email);
        QFETCH(QString, displayName);
        QFETCH(QString, expanded);
        QString problem;
        const auto valid = models::accountNaming::validate(rule, &problem);
        QCOMPARE(valid.value_or(QString()), normalized);
        QCOMPARE(problem.isEmpty(), valid.has_value());
        if (valid)
            QCOMPARE(models::accountNaming::expand(*valid, email, displayName,
                                                   QStringLiteral("per_0123456789abcdef0123456789abcdef")),
                     expanded);
    }
};

QTEST_GUILESS_MAIN(TestTenantsApi)
#include "TestTenantsApi.moc"
