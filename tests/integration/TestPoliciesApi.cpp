// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Ids.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <memory>

using namespace stint;
using namespace stint::test;

namespace {
QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QJsonObject subject(const QString& type, const QString& id)
{
    return {{QStringLiteral("type"), type}, {QStringLiteral("id"), id}};
}
} // namespace

class TestPoliciesApi : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<CloudFixture> m_cloud;
    SignedInPerson m_admin;
    SignedInPerson m_tech;
    SignedInPerson m_otherAdmin;
    QString m_group;
    QString m_tenant;      // offers User and Helpdesk Administrator, up to 240 minutes
    QString m_shortTenant; // offers User Administrator, up to 60 minutes
    QString m_otherPerson;
    QString m_otherGroup;
    QString m_otherTenant;

    ApiClient& api() { return m_cloud->api(); }
    static QString policyPath(const QString& id) { return QStringLiteral("/v1/policies/") + id; }

    // Rows of data-driven tests name records by placeholder, since the records are made per test in init().
    QJsonValue resolve(const QJsonValue& v) const
    {
        if (v.isArray()) {
            QJsonArray out;
            for (const auto& item : v.toArray())
                out.append(resolve(item));
            return out;
        }
        if (v.isObject()) {
            QJsonObject out;
            const QJsonObject o = v.toObject();
            for (auto it = o.constBegin(); it != o.constEnd(); ++it)
                out.insert(it.key(), resolve(it.value()));
            return out;
        }
        const QHash<QString, QString> names{{QStringLiteral("$tenant"), m_tenant},
                                            {QStringLiteral("$shortTenant"), m_shortTenant},
                                            {QStringLiteral("$tech"), m_tech.id},
                                            {QStringLiteral("$group"), m_group},
                                            {QStringLiteral("$otherPerson"), m_otherPerson},
                                            {QStringLiteral("$otherGroup"), m_otherGroup},
                                            {QStringLiteral("$otherTenant"), m_otherTenant}};
        return v.isString() && names.contains(v.toString()) ? QJsonValue(names.value(v.toString())) : v;
    }

    // A valid policy body with `changes` applied (a null value removes the field).
    QJsonObject validBody(const QJsonObject& changes = {}) const
    {
        QJsonObject body =
            policyBody(QStringLiteral("User admins"), {m_tenant}, {kUserAdministrator}, {m_tech.id}, {m_group}, 60);
        for (auto it = changes.constBegin(); it != changes.constEnd(); ++it) {
            if (it.value().isNull())
                body.remove(it.key());
            else
                body.insert(it.key(), resolve(it.value()));
        }
        return body;
    }

private slots:
    void init()
    {
        m_cloud = std::make_unique<CloudFixture>();
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        const QString org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        const QString otherOrg = m_cloud->addOrganization(QStringLiteral("Other MSP"));
        m_admin = addSignedInPerson(*m_cloud, org, QStringLiteral("admin@acme.example"), QStringLiteral("admin"));
        m_tech = addSignedInPerson(*m_cloud, org, QStringLiteral("tech@acme.example"));
        m_group = m_cloud->addGroup(org, QStringLiteral("Helpdesk"), {m_tech.id});
        m_otherAdmin =
            addSignedInPerson(*m_cloud, otherOrg, QStringLiteral("admin@other.example"), QStringLiteral("admin"));
        m_otherPerson = m_cloud->addPerson(otherOrg, QStringLiteral("tech@other.example"));
        m_otherGroup = m_cloud->addGroup(otherOrg, QStringLiteral("Other helpdesk"));
        m_tenant =
            createTenant(*m_cloud, m_admin.token,
                         tenantBody(QStringLiteral("Contoso"), {kUserAdministrator, kHelpdeskAdministrator}, 240));
        m_shortTenant =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Fabrikam"), {kUserAdministrator}, 60));
        m_otherTenant = createTenant(*m_cloud, m_otherAdmin.token,
                                     tenantBody(QStringLiteral("Elsewhere"), {kUserAdministrator}, 240));
        QVERIFY(!m_tenant.isEmpty() && !m_shortTenant.isEmpty() && !m_otherTenant.isEmpty());
    }

    void cleanup() { m_cloud.reset(); }

    void createAndRead()
    {
        const QJsonObject body{
            {QStringLiteral("name"), QStringLiteral(" Helpdesk on call ")},
            {QStringLiteral("description"), QStringLiteral("Nights and weekends")},
            {QStringLiteral("tenantIds"), QJsonArray{m_shortTenant, m_tenant, m_tenant}},
            {QStringLiteral("subjects"),
             QJsonArray{subject(QStringLiteral("person"), m_tech.id), subject(QStringLiteral("group"), m_group),
                        subject(QStringLiteral("person"), m_tech.id)}},
            {QStringLiteral("roleDefinitionIds"), QJsonArray{kUserAdministrator.toUpper()}},
            {QStringLiteral("maxDurationMinutes"), 45},
            {QStringLiteral("requireApproval"), true}};
        const ApiReply r = api().post(QStringLiteral("/v1/policies"), m_admin.token, body);
        QVERIFY2(r.status == 201, r.describe().constData());
        const QString id = r.json.value(QLatin1String("id")).toString();
        QVERIFY(ids::isValidId(id, u"pol"));
        const QString now = toRfc3339(m_cloud->clock().now());
        QCOMPARE(
            r.json,
            (QJsonObject{
                {QStringLiteral("id"), id},
                {QStringLiteral("name"), QStringLiteral("Helpdesk on call")},
                {QStringLiteral("description"), QStringLiteral("Nights and weekends")},
                {QStringLiteral("tenantIds"), QJsonArray::fromStringList(sorted({m_tenant, m_shortTenant}))},
                {QStringLiteral("subjects"),
                 QJsonArray{subject(QStringLiteral("group"), m_group), subject(QStringLiteral("person"), m_tech.id)}},
                {QStringLiteral("roleDefinitionIds"), QJsonArray{kUserAdministrator}},
                {QStringLiteral("maxDurationMinutes"), 45},
                {QStringLiteral("requireJustification"), true},
                {QStringLiteral("requireTicket"), false},
                {QStringLiteral("requireApproval"), true},
                {QStringLiteral("createdAt"), now},
                {QStringLiteral("updatedAt"), now},
                {QStringLiteral("version"), 1}}));
        QCOMPARE(api().get(policyPath(id), m_admin.token).json, r.json);
        QCOMPARE(api().get(QStringLiteral("/v1/policies"), m_admin.token).items(), QJsonArray{r.json});

        auto rows = m_cloud->db().query(QStringLiteral("SELECT details, target_type, target_id FROM audit_events"
                                                       " WHERE action = 'policy.create'"));
        QVERIFY(rows && rows->size() == 1);
        QCOMPARE(rows->front().text(1), QStringLiteral("policy"));
        QCOMPARE(rows->front().text(2), id);
        const QJsonObject details = QJsonDocument::fromJson(rows->front().text(0).toUtf8()).object();
        QVERIFY(details.value(QLatin1String("changed")).toArray().contains(QStringLiteral("tenantIds")));
        QCOMPARE(details.value(QLatin1String("values")).toObject().value(QLatin1String("maxDurationMinutes")),
                 QJsonValue(45));
        QCOMPARE(
            m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'policy.created' AND audience = 'admins'")),
            1);
        // Technicians hear that grants changed, but not which policy: that is the admins' business.
        QCOMPARE(m_cloud->count(QStringLiteral("events"),
                                QStringLiteral("type = 'grants.changed' AND audience = 'org'"
                                               " AND payload = '{}'")),
                 4); // three tenants (one in the other organization) and this policy
        QCOMPARE(m_cloud->count(QStringLiteral("events"), QStringLiteral("audience = 'org' AND payload LIKE ?"),
                                {QStringLiteral("%") + id + QStringLiteral("%")}),
                 0);
    }

    void maxDurationDefaultsToTheTenants()
    {
        const ApiReply r =
            api().post(QStringLiteral("/v1/policies"), m_admin.token,
                       validBody({{QStringLiteral("tenantIds"),
                                   QJsonArray{QStringLiteral("$tenant"), QStringLiteral("$shortTenant")}},
                                  {QStringLiteral("maxDurationMinutes"), QJsonValue::Null},
                                  {QStringLiteral("subjects"), QJsonValue::Null}}));
        QVERIFY2(r.status == 201, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("maxDurationMinutes")).toInt(), 60);
        QCOMPARE(r.json.value(QLatin1String("subjects")).toArray(), QJsonArray());
        QCOMPARE(r.json.value(QLatin1String("description")).toString(), QString());
    }

    void createRefusesInvalid_data()
    {
        QTest::addColumn<QJsonObject>("changes");
        QTest::addColumn<QString>("detail");
        const QString tenant = QStringLiteral("$tenant");
        const QString shortTenant = QStringLiteral("$shortTenant");
        QTest::newRow("no name") << QJsonObject{{QStringLiteral("name"), QJsonValue::Null}} << "name: is required";
        QTest::newRow("blank name") << QJsonObject{{QStringLiteral("name"), QStringLiteral(" ")}}
                                    << "name: must not be blank";
        QTest::newRow("no tenants") << QJsonObject{{QStringLiteral("tenantIds"), QJsonValue::Null}}
                                    << "tenantIds: is required";
        QTest::newRow("empty tenants") << QJsonObject{{QStringLiteral("tenantIds"), QJsonArray()}}
                                       << "tenantIds: must name at least one tenant";
        QTest::newRow("tenants not a list")
            << QJsonObject{{QStringLiteral("tenantIds"), tenant}} << "tenantIds: must be an array of strings";
        QTest::newRow("unknown tenant") << QJsonObject{{QStringLiteral("tenantIds"), QJsonArray{ids::newId(u"tnt")}}}
                                        << "tenantIds: no tenant tnt_";
        QTest::newRow("other organization's tenant")
            << QJsonObject{{QStringLiteral("tenantIds"), QJsonArray{tenant, QStringLiteral("$otherTenant")}}}
            << "tenantIds: no tenant tnt_";
        QTest::newRow("malformed tenant") << QJsonObject{{QStringLiteral("tenantIds"), QJsonArray{QStringLiteral("x")}}}
                                          << "tenantIds: no tenant x in this organization";
        QTest::newRow("no roles") << QJsonObject{{QStringLiteral("roleDefinitionIds"), QJsonValue::Null}}
                                  << "roleDefinitionIds: is required";
        QTest::newRow("empty roles") << QJsonObject{{QStringLiteral("roleDefinitionIds"), QJsonArray()}}
                                     << "roleDefinitionIds: must name at least one role";
        QTest::newRow("role not a GUID") << QJsonObject{{QStringLiteral("roleDefinitionIds"),
                                                         QJsonArray{QStringLiteral("Global Administrator")}}}
                                         << "roleDefinitionIds: 'Global Administrator' is not a GUID";
        QTest::newRow("role not offered")
            << QJsonObject{{QStringLiteral("roleDefinitionIds"), QJsonArray{kGlobalAdministrator}}}
            << "roleDefinitionIds: " + kGlobalAdministrator + " is not offered by tenant Contoso";
        QTest::newRow("role not offered by every tenant")
            << QJsonObject{{QStringLiteral("tenantIds"), QJsonArray{tenant, shortTenant}},
                           {QStringLiteral("roleDefinitionIds"), QJsonArray{kHelpdeskAdministrator}},
                           {QStringLiteral("maxDurationMinutes"), 30}}
            << "roleDefinitionIds: " + kHelpdeskAdministrator + " is not offered by tenant Fabrikam";
        QTest::newRow("longer than a tenant allows")
            << QJsonObject{{QStringLiteral("tenantIds"), QJsonArray{tenant, shortTenant}},
                           {QStringLiteral("maxDurationMinutes"), 120}}
            << "maxDurationMinutes: must be at most 60, the maximum of tenant Fabrikam";
        QTest::newRow("too short") << QJsonObject{{QStringLiteral("maxDurationMinutes"), 5}}
                                   << "maxDurationMinutes: must be between 10 and 1440";
        QTest::newRow("unknown person") << QJsonObject{{QStringLiteral("subjects"),
                                                        QJsonArray{
                                                            subject(QStringLiteral("person"), ids::newId(u"per"))}}}
                                        << "subjects: no person per_";
        QTest::newRow("other organization's person")
            << QJsonObject{{QStringLiteral("subjects"),
                            QJsonArray{subject(QStringLiteral("person"), QStringLiteral("$otherPerson"))}}}
            << "subjects: no person per_";
        QTest::newRow("other organization's group")
            << QJsonObject{{QStringLiteral("subjects"),
                            QJsonArray{subject(QStringLiteral("group"), QStringLiteral("$otherGroup"))}}}
            << "subjects: no group grp_";
        QTest::newRow("group named as a person")
            << QJsonObject{{QStringLiteral("subjects"),
                            QJsonArray{subject(QStringLiteral("person"), QStringLiteral("$group"))}}}
            << "subjects: no person grp_";
        QTest::newRow("subject type") << QJsonObject{{QStringLiteral("subjects"),
                                                      QJsonArray{
                                                          subject(QStringLiteral("team"), QStringLiteral("$group"))}}}
                                      << "subjects[0].type: must be one of: person, group";
        QTest::newRow("subject without id")
            << QJsonObject{{QStringLiteral("subjects"),
                            QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("person")}}}}}
            << "subjects[0].id: is required";
        QTest::newRow("subject unknown field")
            << QJsonObject{{QStringLiteral("subjects"),
                            QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("person")},
                                                   {QStringLiteral("id"), QStringLiteral("$tech")},
                                                   {QStringLiteral("role"), QStringLiteral("owner")}}}}}
            << "subjects[0].role: is not a known field";
        QTest::newRow("subjects not a list")
            << QJsonObject{{QStringLiteral("subjects"), QStringLiteral("$tech")}} << "subjects: must be an array";
        QTest::newRow("flag not a bool") << QJsonObject{{QStringLiteral("requireApproval"), QStringLiteral("yes")}}
                                         << "requireApproval: must be true or false";
        QTest::newRow("unknown field") << QJsonObject{{QStringLiteral("priority"), 1}}
                                       << "priority: is not a known field";
    }

    void createRefusesInvalid()
    {
        QFETCH(QJsonObject, changes);
        QFETCH(QString, detail);
        const QString before = m_cloud->snapshot();
        const ApiReply r = api().post(QStringLiteral("/v1/policies"), m_admin.token, validBody(changes));
        QVERIFY2(r.status == 422, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("validation"));
        QVERIFY2(r.json.value(QLatin1String("detail")).toString().contains(detail), r.describe().constData());
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void createRefusesTakenName()
    {
        QVERIFY(!createPolicy(*m_cloud, m_admin.token, validBody()).isEmpty());
        const QString before = m_cloud->snapshot();
        const ApiReply r = api().post(QStringLiteral("/v1/policies"), m_admin.token, validBody());
        QVERIFY2(r.status == 409, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("name-taken"));
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void update()
    {
        const QString id = createPolicy(*m_cloud, m_admin.token, validBody());
        QVERIFY(!id.isEmpty());
        m_cloud->clock().advance(1000);
        const ApiReply r =
            api().patch(policyPath(id), m_admin.token,
                        {{QStringLiteral("version"), 1},
                         {QStringLiteral("roleDefinitionIds"), QJsonArray{kHelpdeskAdministrator, kUserAdministrator}},
                         {QStringLiteral("subjects"), QJsonArray()},
                         {QStringLiteral("maxDurationMinutes"), 240},
                         {QStringLiteral("requireTicket"), true}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("version")).toInt(), 2);
        QCOMPARE(r.json.value(QLatin1String("roleDefinitionIds")).toArray(),
                 QJsonArray::fromStringList(sorted({kHelpdeskAdministrator, kUserAdministrator})));
        QCOMPARE(r.json.value(QLatin1String("subjects")).toArray(), QJsonArray());
        QCOMPARE(r.json.value(QLatin1String("name")).toString(), QStringLiteral("User admins"));
        QCOMPARE(r.json.value(QLatin1String("updatedAt")).toString(), toRfc3339(m_cloud->clock().now()));
        QCOMPARE(api().get(policyPath(id), m_admin.token).json, r.json);
        QCOMPARE(m_cloud->count(QStringLiteral("policy_subjects")), 0);
        QCOMPARE(m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'policy.updated'")), 1);
        auto rows =
            m_cloud->db().query(QStringLiteral("SELECT details FROM audit_events WHERE action = 'policy.update'"));
        QVERIFY(rows && rows->size() == 1);
        QCOMPARE(
            QJsonDocument::fromJson(rows->front().text(0).toUtf8()).object().value(QLatin1String("changed")).toArray(),
            (QJsonArray{QStringLiteral("maxDurationMinutes"), QStringLiteral("requireTicket"),
                        QStringLiteral("roleDefinitionIds"), QStringLiteral("subjects")}));

        // Adding a tenant that does not offer every role, or whose maximum is shorter, is refused.
        QString before = m_cloud->snapshot();
        const ApiReply refused = api().patch(
            policyPath(id), m_admin.token,
            {{QStringLiteral("version"), 2}, {QStringLiteral("tenantIds"), QJsonArray{m_tenant, m_shortTenant}}});
        QVERIFY2(refused.status == 422, refused.describe().constData());
        QCOMPARE(refused.problem(), QStringLiteral("validation"));
        QVERIFY(refused.json.value(QLatin1String("detail"))
                    .toString()
                    .contains(QStringLiteral("is not offered by tenant Fabrikam")));
        QVERIFY(refused.json.value(QLatin1String("detail"))
                    .toString()
                    .contains(QStringLiteral("maxDurationMinutes: must be at most 60")));
        QCOMPARE(m_cloud->snapshot(), before);

        const ApiReply stale =
            api().patch(policyPath(id), m_admin.token,
                        {{QStringLiteral("version"), 1}, {QStringLiteral("name"), QStringLiteral("x")}});
        QVERIFY2(stale.status == 409, stale.describe().constData());
        QCOMPARE(stale.problem(), QStringLiteral("version-conflict"));
        QCOMPARE(stale.json.value(QLatin1String("currentVersion")).toInt(), 2);
        const ApiReply noVersion =
            api().patch(policyPath(id), m_admin.token, {{QStringLiteral("name"), QStringLiteral("x")}});
        QCOMPARE(noVersion.status, 422);
        QCOMPARE(m_cloud->snapshot(), before);

        // Nothing changed: nothing written, but the attempt is on the record.
        const qint64 updates =
            m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = 'policy.update'"));
        const ApiReply same = api().patch(policyPath(id), m_admin.token,
                                          {{QStringLiteral("version"), 2}, {QStringLiteral("requireTicket"), true}});
        QVERIFY2(same.status == 200, same.describe().constData());
        QCOMPARE(same.json.value(QLatin1String("version")).toInt(), 2);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = 'policy.update'")),
                 updates + 1);
        before.replace(QRegularExpression(QStringLiteral("audit.recorded=\\d+")), QString());
        QCOMPARE(m_cloud->snapshot().replace(QRegularExpression(QStringLiteral("audit.recorded=\\d+")), QString()),
                 before);
    }

    void deletePolicy()
    {
        const QString id = createPolicy(*m_cloud, m_admin.token, validBody());
        QVERIFY(!id.isEmpty());
        const QJsonObject checkout = requestCheckout(*m_cloud, m_tech.token, m_tenant, {kUserAdministrator}, 30);
        QCOMPARE(checkout.value(QLatin1String("policyId")).toString(), id);

        const ApiReply r = api().del(policyPath(id), m_admin.token);
        QVERIFY2(r.status == 204, r.describe().constData());
        QCOMPARE(api().get(policyPath(id), m_admin.token).status, 404);
        QCOMPARE(api().del(policyPath(id), m_admin.token).status, 404);
        QCOMPARE(m_cloud->count(QStringLiteral("policy_tenants")), 0);
        QCOMPARE(m_cloud->count(QStringLiteral("policy_subjects")), 0);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'policy.delete' AND target_id = ?"), {id}),
                 1);
        QCOMPARE(
            m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'policy.deleted' AND audience = 'admins'")),
            1);
        // The checkout keeps the policy that allowed it; the technician no longer sees the tenant.
        const ApiReply kept =
            api().get(QStringLiteral("/v1/checkouts/") + checkout.value(QLatin1String("id")).toString(), m_admin.token);
        QCOMPARE(kept.json.value(QLatin1String("policyId")).toString(), id);
        QCOMPARE(api().get(QStringLiteral("/v1/tenants"), m_tech.token).items(), QJsonArray());
    }

    void techniciansAreForbidden()
    {
        const QString id = createPolicy(*m_cloud, m_admin.token, validBody());
        QVERIFY(!id.isEmpty());
        const QString before = m_cloud->snapshot();
        for (const ApiReply& r :
             {api().get(QStringLiteral("/v1/policies"), m_tech.token), api().get(policyPath(id), m_tech.token),
              api().post(QStringLiteral("/v1/policies"), m_tech.token,
                         validBody({{QStringLiteral("name"), QStringLiteral("Mine")}})),
              api().patch(policyPath(id), m_tech.token,
                          {{QStringLiteral("version"), 1}, {QStringLiteral("maxDurationMinutes"), 240}}),
              api().del(policyPath(id), m_tech.token)}) {
            QVERIFY2(r.status == 403, r.describe().constData());
            QCOMPARE(r.problem(), QStringLiteral("forbidden"));
        }
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void otherOrganizationsPoliciesAreNotFound_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("which"); // "theirs", "unknown", "malformed"
        for (const char* method : {"GET", "PATCH", "DELETE"}) {
            for (const char* which : {"theirs", "unknown", "malformed"})
                QTest::addRow("%s %s", method, which) << QByteArray(method) << QString::fromLatin1(which);
        }
    }

    void otherOrganizationsPoliciesAreNotFound()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, which);
        const QString theirs =
            createPolicy(*m_cloud, m_otherAdmin.token,
                         policyBody(QStringLiteral("Theirs"), {m_otherTenant}, {kUserAdministrator}, {m_otherPerson}));
        QVERIFY(!theirs.isEmpty());
        const QString id = which == QLatin1String("theirs") ? theirs
            : which == QLatin1String("unknown")             ? ids::newId(u"pol")
                                                            : QStringLiteral("pol_1");
        const QString before = m_cloud->snapshot();
        const QByteArray body = method == "PATCH" ? QByteArray(R"({"version":1,"name":"Mine now"})") : QByteArray();
        const ApiReply r = api().send(method, policyPath(id), m_admin.token, body);
        QVERIFY2(r.status == 404, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("not-found"));
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void listPages()
    {
        QStringList created;
        for (int i = 0; i < 3; ++i) {
            created << createPolicy(*m_cloud, m_admin.token,
                                    validBody({{QStringLiteral("name"), QStringLiteral("P%1").arg(i)}}));
            QVERIFY(!created.constLast().isEmpty());
        }
        created.sort();
        // Another organization's policies never show.
        QVERIFY(!createPolicy(*m_cloud, m_otherAdmin.token,
                              policyBody(QStringLiteral("Theirs"), {m_otherTenant}, {kUserAdministrator}, {}))
                     .isEmpty());
        const ApiReply first = api().get(QStringLiteral("/v1/policies?limit=2"), m_admin.token);
        QVERIFY2(first.status == 200, first.describe().constData());
        QCOMPARE(first.items().size(), 2);
        const QString cursor = first.json.value(QLatin1String("nextCursor")).toString();
        QVERIFY(!cursor.isEmpty());
        const ApiReply second = api().get(QStringLiteral("/v1/policies?limit=2&cursor=") + cursor, m_admin.token);
        QCOMPARE(second.items().size(), 1);
        QVERIFY(second.json.value(QLatin1String("nextCursor")).isNull());
        QStringList seen;
        for (const ApiReply* page : {&first, &second}) {
            for (const auto& item : page->items())
                seen << item.toObject().value(QLatin1String("id")).toString();
        }
        QCOMPARE(seen, created);
    }
};

QTEST_GUILESS_MAIN(TestPoliciesApi)
#include "TestPoliciesApi.moc"
