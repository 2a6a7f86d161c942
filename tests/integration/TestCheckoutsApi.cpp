// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/CloudService.h"
#include "cloud/checkouts/CheckoutStateMachine.h"
#include "cloud/checkouts/CheckoutStore.h"
#include "cloud/events/EventHub.h"
#include "core/Ids.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"

#include <QJsonDocument>
#include <QTest>
#include <QWebSocket>

#include <memory>

using namespace stint;
using namespace stint::test;
using cloud::checkouts::CheckoutStateMachine;
using models::CheckoutState;

namespace {
constexpr qint64 kHourMs = 3'600'000;

QString idOf(const QJsonObject& o)
{
    return o.value(QLatin1String("id")).toString();
}

QString stateOf(const QJsonObject& o)
{
    return o.value(QLatin1String("state")).toString();
}

// One person's live channel (/v1/events), collecting the names of the events it is sent.
struct LiveChannel
{
    QWebSocket socket;
    bool ready = false;
    QStringList events;

    void open(quint16 port, const QString& token)
    {
        QObject::connect(&socket, &QWebSocket::connected, &socket, [this, token] {
            socket.sendTextMessage(
                QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("hello")},
                                                            {QStringLiteral("token"), token},
                                                            {QStringLiteral("since"), 0}})
                                      .toJson(QJsonDocument::Compact)));
        });
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket, [this](const QString& text) {
            const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
            if (m.value(QLatin1String("type")).toString() == QLatin1String("ready"))
                ready = true;
            else if (m.value(QLatin1String("type")).toString() == QLatin1String("event"))
                events << m.value(QLatin1String("event")).toString();
        });
        socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/events").arg(port)));
    }
};
} // namespace

// The organization of these tests:
//   tenant "Contoso" offers User, Helpdesk and Exchange Administrator, up to 240 minutes;
//   tenant "Fabrikam" offers User Administrator; tenant "Ungranted" is in no policy.
//   policy "Quick":    Contoso, User Admin, 60 min, justification required, no approval — tech
//   policy "Extended": Contoso, User + Helpdesk Admin, 240 min, approval, nothing required — tech, admin
//   policy "Exchange": Contoso, Exchange Admin, 60 min, nothing required — group "Messaging" (tech2)
//   policy "Helpdesk": Contoso, Helpdesk Admin, 60 min, nothing required — tech2
//   policy "Ticketed": Fabrikam, User Admin, 120 min, ticket required — tech
class TestCheckoutsApi : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<CloudFixture> m_cloud;
    QString m_org;
    QString m_otherOrg;
    SignedInPerson m_admin;
    SignedInPerson m_admin2;
    SignedInPerson m_tech;
    SignedInPerson m_tech2;
    SignedInPerson m_otherAdmin;
    QString m_contoso;
    QString m_fabrikam;
    QString m_ungranted;
    QString m_otherTenant;
    QHash<QString, QString> m_policies; // by name

    ApiClient& api() { return m_cloud->api(); }
    static QString checkoutPath(const QString& id, const QString& action = {})
    {
        return QStringLiteral("/v1/checkouts/") + id + (action.isEmpty() ? QString() : QLatin1Char('/') + action);
    }

    void startCloud(const cloud::CloudConfig& config)
    {
        m_cloud = std::make_unique<CloudFixture>(config);
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        m_otherOrg = m_cloud->addOrganization(QStringLiteral("Other MSP"));
        m_admin = addSignedInPerson(*m_cloud, m_org, QStringLiteral("admin@acme.example"), QStringLiteral("admin"));
        m_admin2 = addSignedInPerson(*m_cloud, m_org, QStringLiteral("admin2@acme.example"), QStringLiteral("admin"));
        m_tech = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tech@acme.example"));
        m_tech2 = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tech2@acme.example"));
        m_otherAdmin =
            addSignedInPerson(*m_cloud, m_otherOrg, QStringLiteral("admin@other.example"), QStringLiteral("admin"));
        const QString messaging = m_cloud->addGroup(m_org, QStringLiteral("Messaging"), {m_tech2.id});
        m_contoso = createTenant(*m_cloud, m_admin.token,
                                 tenantBody(QStringLiteral("Contoso"),
                                            {kUserAdministrator, kHelpdeskAdministrator, kExchangeAdministrator}));
        m_fabrikam =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Fabrikam"), {kUserAdministrator}));
        m_ungranted =
            createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Ungranted"), {kUserAdministrator}));
        m_otherTenant =
            createTenant(*m_cloud, m_otherAdmin.token, tenantBody(QStringLiteral("Elsewhere"), {kUserAdministrator}));
        QVERIFY(!m_contoso.isEmpty() && !m_fabrikam.isEmpty() && !m_ungranted.isEmpty() && !m_otherTenant.isEmpty());

        auto policy = [&](const QString& name, const QString& tenant, const QStringList& roles, int max,
                          const QStringList& people, const QStringList& groups, bool justification, bool ticket,
                          bool approval) {
            QJsonObject body = policyBody(name, {tenant}, roles, people, groups, max);
            body.insert(QStringLiteral("requireJustification"), justification);
            body.insert(QStringLiteral("requireTicket"), ticket);
            body.insert(QStringLiteral("requireApproval"), approval);
            m_policies.insert(name, createPolicy(*m_cloud, m_admin.token, body));
        };
        m_policies.clear();
        policy(QStringLiteral("Quick"), m_contoso, {kUserAdministrator}, 60, {m_tech.id}, {}, true, false, false);
        policy(QStringLiteral("Extended"), m_contoso, {kUserAdministrator, kHelpdeskAdministrator}, 240,
               {m_tech.id, m_admin.id}, {}, false, false, true);
        policy(QStringLiteral("Exchange"), m_contoso, {kExchangeAdministrator}, 60, {}, {messaging}, false, false,
               false);
        policy(QStringLiteral("Helpdesk"), m_contoso, {kHelpdeskAdministrator}, 60, {m_tech2.id}, {}, false, false,
               false);
        policy(QStringLiteral("Ticketed"), m_fabrikam, {kUserAdministrator}, 120, {m_tech.id}, {}, false, true, false);
        for (const QString& id : std::as_const(m_policies))
            QVERIFY(!id.isEmpty());
    }

    // A checkout of the technician awaiting approval (through "Extended").
    QString awaitingCheckout()
    {
        const QJsonObject c = requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 120, {});
        return stateOf(c) == QLatin1String("awaiting_approval") ? idOf(c) : QString();
    }

    QJsonObject checkout(const QString& id) { return api().get(checkoutPath(id), m_admin.token).json; }

    qint64 deniedAuditEvents(const QString& action)
    {
        return m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = ? AND outcome = 'denied'"),
                              {action});
    }

private slots:
    void init() { startCloud({}); }
    void cleanup() { m_cloud.reset(); }

    void request_data()
    {
        QTest::addColumn<QString>("who");    // "tech", "tech2"
        QTest::addColumn<QString>("tenant"); // "contoso", "fabrikam", "ungranted", "other", "unknown", or an id
        QTest::addColumn<QStringList>("roles");
        QTest::addColumn<int>("duration");
        QTest::addColumn<QString>("justification");
        QTest::addColumn<QString>("ticket");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("expected"); // the state and policy on success, else the problem slug
        QTest::addColumn<QString>("detail");   // a part of the problem's detail, or its "field"

        const QString ua = kUserAdministrator;
        const QString ha = kHelpdeskAdministrator;
        const QString ex = kExchangeAdministrator;
        QTest::newRow("most permissive policy") << "tech"
                                                << "contoso" << QStringList{ua} << 30 << "reset MFA"
                                                << "" << 201 << "requested Quick"
                                                << "";
        QTest::newRow("role given in capitals") << "tech"
                                                << "contoso" << QStringList{ua.toUpper()} << 60 << "why"
                                                << "" << 201 << "requested Quick"
                                                << "";
        QTest::newRow("longer needs approval") << "tech"
                                               << "contoso" << QStringList{ua} << 120 << ""
                                               << "" << 201 << "awaiting_approval Extended"
                                               << "";
        QTest::newRow("more roles need approval") << "tech"
                                                  << "contoso" << QStringList{ha, ua} << 30 << ""
                                                  << "" << 201 << "awaiting_approval Extended"
                                                  << "";
        QTest::newRow("through a group") << "tech2"
                                         << "contoso" << QStringList{ex} << 60 << ""
                                         << "" << 201 << "requested Exchange"
                                         << "";
        QTest::newRow("ticket given") << "tech"
                                      << "fabrikam" << QStringList{ua} << 120 << ""
                                      << "INC-42" << 201 << "requested Ticketed"
                                      << "";
        QTest::newRow("justification required") << "tech"
                                                << "contoso" << QStringList{ua} << 30 << "  "
                                                << "" << 422 << "validation"
                                                << "justification";
        QTest::newRow("ticket required") << "tech"
                                         << "fabrikam" << QStringList{ua} << 30 << "why"
                                         << "" << 422 << "validation"
                                         << "ticket";
        QTest::newRow("too long for every policy") << "tech"
                                                   << "contoso" << QStringList{ua} << 241 << "why"
                                                   << "" << 422 << "validation"
                                                   << "durationMinutes";
        QTest::newRow("too long for the roles") << "tech2"
                                                << "contoso" << QStringList{ex} << 61 << ""
                                                << "" << 422 << "validation"
                                                << "durationMinutes";
        QTest::newRow("too short") << "tech"
                                   << "contoso" << QStringList{ua} << 9 << "why"
                                   << "" << 422 << "validation"
                                   << "durationMinutes: must be between 10 and 1440";
        QTest::newRow("role not granted") << "tech"
                                          << "contoso" << QStringList{ex} << 30 << "why"
                                          << "" << 403 << "not-granted"
                                          << "these roles in this tenant: " + ex;
        QTest::newRow("one role not granted") << "tech"
                                              << "contoso" << QStringList{ua, ex} << 30 << "why"
                                              << "" << 403 << "not-granted" << ex;
        QTest::newRow("roles only granted apart") << "tech2"
                                                  << "contoso" << QStringList{ex, ha} << 30 << ""
                                                  << "" << 403 << "not-granted"
                                                  << "No single access policy";
        QTest::newRow("role not offered") << "tech"
                                          << "contoso" << QStringList{kGlobalAdministrator} << 30 << "why"
                                          << "" << 403 << "not-granted" << kGlobalAdministrator;
        QTest::newRow("tenant not granted") << "tech"
                                            << "ungranted" << QStringList{ua} << 30 << "why"
                                            << "" << 403 << "not-granted"
                                            << "No access policy grants you this tenant.";
        QTest::newRow("tenant not granted to this person") << "tech2"
                                                           << "fabrikam" << QStringList{ua} << 30 << "why"
                                                           << "x" << 403 << "not-granted"
                                                           << "this tenant";
        QTest::newRow("other organization's tenant") << "tech"
                                                     << "other" << QStringList{ua} << 30 << "why"
                                                     << "" << 403 << "not-granted"
                                                     << "this tenant";
        QTest::newRow("unknown tenant") << "tech"
                                        << "unknown" << QStringList{ua} << 30 << "why"
                                        << "" << 403 << "not-granted"
                                        << "this tenant";
        QTest::newRow("malformed tenant") << "tech"
                                          << "../contoso" << QStringList{ua} << 30 << "why"
                                          << "" << 403 << "not-granted"
                                          << "this tenant";
        QTest::newRow("no roles") << "tech"
                                  << "contoso" << QStringList{} << 30 << "why"
                                  << "" << 422 << "validation"
                                  << "roleDefinitionIds: must name at least one role";
        QTest::newRow("role not a GUID") << "tech"
                                         << "contoso" << QStringList{QStringLiteral("admin")} << 30 << "why"
                                         << "" << 422 << "validation"
                                         << "roleDefinitionIds: 'admin' is not a GUID";
    }

    void request()
    {
        QFETCH(QString, who);
        QFETCH(QString, tenant);
        QFETCH(QStringList, roles);
        QFETCH(int, duration);
        QFETCH(QString, justification);
        QFETCH(QString, ticket);
        QFETCH(int, status);
        QFETCH(QString, expected);
        QFETCH(QString, detail);
        const SignedInPerson& person = who == QLatin1String("tech") ? m_tech : m_tech2;
        const QHash<QString, QString> tenants{{QStringLiteral("contoso"), m_contoso},
                                              {QStringLiteral("fabrikam"), m_fabrikam},
                                              {QStringLiteral("ungranted"), m_ungranted},
                                              {QStringLiteral("other"), m_otherTenant},
                                              {QStringLiteral("unknown"), ids::newId(u"tnt")}};
        const QString tenantId = tenants.value(tenant, tenant);
        QJsonObject body{{QStringLiteral("tenantId"), tenantId},
                         {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roles)},
                         {QStringLiteral("durationMinutes"), duration}};
        if (!justification.isEmpty())
            body.insert(QStringLiteral("justification"), justification);
        if (!ticket.isEmpty())
            body.insert(QStringLiteral("ticket"), ticket);
        const QString before = m_cloud->snapshot();
        const qint64 deniedBefore = deniedAuditEvents(QStringLiteral("checkout.request"));
        const TimeMs now = m_cloud->clock().now();

        const ApiReply r = api().post(QStringLiteral("/v1/checkouts"), person.token, body);
        QVERIFY2(r.status == status, r.describe().constData());
        if (status != 201) {
            QCOMPARE(r.problem(), expected);
            if (status == 422 && !detail.contains(QLatin1Char(':')))
                QCOMPARE(r.json.value(QLatin1String("field")).toString(), detail);
            else
                QVERIFY2(r.json.value(QLatin1String("detail")).toString().contains(detail), r.describe().constData());
            QCOMPARE(m_cloud->snapshot(), before);
            // Refusals by policy are recorded although nothing else is.
            QCOMPARE(deniedAuditEvents(QStringLiteral("checkout.request")), deniedBefore + (status == 403 ? 1 : 0));
            return;
        }
        const QString id = idOf(r.json);
        QVERIFY(ids::isValidId(id, u"chk"));
        QCOMPARE(stateOf(r.json) + QLatin1Char(' ')
                     + m_policies.key(r.json.value(QLatin1String("policyId")).toString()),
                 expected);
        QStringList normalized;
        for (const QString& role : roles)
            normalized << role.toLower();
        normalized.sort();
        const bool awaiting = stateOf(r.json) == QLatin1String("awaiting_approval");
        QCOMPARE(r.json,
                 (QJsonObject{{QStringLiteral("id"), id},
                              {QStringLiteral("tenantId"), tenantId},
                              {QStringLiteral("technicianId"), person.id},
                              {QStringLiteral("policyId"), r.json.value(QLatin1String("policyId"))},
                              {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(normalized)},
                              {QStringLiteral("durationMinutes"), duration},
                              {QStringLiteral("justification"), justification.trimmed()},
                              {QStringLiteral("ticket"), ticket},
                              {QStringLiteral("state"), stateOf(r.json)},
                              {QStringLiteral("stateReason"),
                               awaiting ? QStringLiteral("The access policy asks an admin to approve.") : QString()},
                              {QStringLiteral("requestedAt"), toRfc3339(now)},
                              {QStringLiteral("approvalExpiresAt"),
                               awaiting ? QJsonValue(toRfc3339(now + 24 * kHourMs)) : QJsonValue(QJsonValue::Null)},
                              {QStringLiteral("decidedBy"), QJsonValue::Null},
                              {QStringLiteral("decidedAt"), QJsonValue::Null},
                              {QStringLiteral("readyAt"), QJsonValue::Null},
                              {QStringLiteral("expiresAt"), QJsonValue::Null},
                              {QStringLiteral("endedAt"), QJsonValue::Null},
                              {QStringLiteral("accountUpn"), QJsonValue::Null},
                              {QStringLiteral("credentialAvailable"), false},
                              {QStringLiteral("attempts"), 0},
                              {QStringLiteral("updatedAt"), toRfc3339(now)},
                              {QStringLiteral("version"), awaiting ? 2 : 1}}));
        QCOMPARE(api().get(checkoutPath(id), person.token).json, r.json);

        // Recorded for the provisioning engine: due now (or at the approval deadline).
        auto row =
            m_cloud->db().query(QStringLiteral("SELECT next_action_at, org_id FROM checkouts WHERE id = ?"), {id});
        QVERIFY(row && row->size() == 1);
        QCOMPARE(row->front().integer(0), awaiting ? now + 24 * kHourMs : now);
        QCOMPARE(row->front().text(1), m_org);
        // Audited and announced to the admins and the technician.
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.request' AND outcome = 'success' AND target_id = ?"
                                               " AND tenant_id = ? AND actor_id = ?"),
                                {id, tenantId, person.id}),
                 1);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.transition' AND target_id = ?"), {id}),
                 awaiting ? 1 : 0);
        QCOMPARE(m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'checkout.updated' AND audience = ?"),
                                {QStringLiteral("admins|person:") + person.id}),
                 awaiting ? 2 : 1);
    }

    void requestRefusesMalformedBodies_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("detail");
        QTest::newRow("no tenant") << QByteArray(R"({"roleDefinitionIds":[],"durationMinutes":30})")
                                   << "tenantId: is required";
        QTest::newRow("no roles") << QByteArray(R"({"tenantId":"tnt_x","durationMinutes":30})")
                                  << "roleDefinitionIds: is required";
        QTest::newRow("roles not a list")
            << QByteArray(R"({"tenantId":"tnt_x","roleDefinitionIds":"x","durationMinutes":30})")
            << "roleDefinitionIds: must be an array of strings";
        QTest::newRow("no duration") << QByteArray(R"({"tenantId":"tnt_x","roleDefinitionIds":["x"]})")
                                     << "durationMinutes: is required";
        QTest::newRow("duration as text")
            << QByteArray(R"({"tenantId":"t","roleDefinitionIds":[],"durationMinutes":"30"})")
            << "durationMinutes: must be an integer";
        QTest::newRow("unknown field") << QByteArray(
            R"({"tenantId":"t","roleDefinitionIds":[],"durationMinutes":30,"state":"ready"})")
                                       << "state: is not a known field";
        QTest::newRow("justification too long")
            << QByteArray(R"({"tenantId":"t","roleDefinitionIds":[],"durationMinutes":30,"justification":")")
                + QByteArray(2001, 'j') + QByteArray(R"("})")
            << "justification: must be at most 2000 characters";
    }

    void requestRefusesMalformedBodies()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, detail);
        const QString before = m_cloud->snapshot();
        const ApiReply r = api().send("POST", QStringLiteral("/v1/checkouts"), m_tech.token, body);
        QVERIFY2(r.status == 422, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("validation"));
        QVERIFY2(r.json.value(QLatin1String("detail")).toString().contains(detail), r.describe().constData());
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void onePerTenant()
    {
        const QString first = idOf(requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30));
        QVERIFY(!first.isEmpty());
        for (const auto& [roles, duration] :
             {std::pair{QStringList{kUserAdministrator}, 30}, std::pair{QStringList{kHelpdeskAdministrator}, 120}}) {
            const QString before = m_cloud->snapshot();
            const ApiReply r = api().post(QStringLiteral("/v1/checkouts"), m_tech.token,
                                          {{QStringLiteral("tenantId"), m_contoso},
                                           {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roles)},
                                           {QStringLiteral("durationMinutes"), duration},
                                           {QStringLiteral("justification"), QStringLiteral("again")}});
            QVERIFY2(r.status == 409, r.describe().constData());
            QCOMPARE(r.problem(), QStringLiteral("checkout-exists"));
            QCOMPARE(r.json.value(QLatin1String("checkoutId")).toString(), first);
            QCOMPARE(m_cloud->snapshot(), before);
        }
        // Other tenants and other technicians are not affected.
        QVERIFY(
            !requestCheckout(*m_cloud, m_tech.token, m_fabrikam, {kUserAdministrator}, 30, {}, QStringLiteral("T-1"))
                 .isEmpty());
        QVERIFY(!requestCheckout(*m_cloud, m_tech2.token, m_contoso, {kExchangeAdministrator}, 30).isEmpty());
        // The store refuses a second open checkout too, whatever the API checked.
        const auto inserted = m_cloud->db().exec(
            QStringLiteral(
                "INSERT INTO checkouts (id, org_id, tenant_id, technician_id, roles, duration_minutes,"
                " justification, ticket, state, state_reason, requested_at, updated_at, version)"
                " SELECT ?, org_id, tenant_id, technician_id, roles, duration_minutes, justification, ticket,"
                " 'ready', '', requested_at, updated_at, 1 FROM checkouts WHERE id = ?"),
            {ids::newId(u"chk"), first});
        QVERIFY(!inserted.ok());
        QCOMPARE(inserted.error().code, QStringLiteral("store.constraint"));

        // Once it is over, the next one may start.
        QCOMPARE(api().post(checkoutPath(first, QStringLiteral("cancel")), m_tech.token).status, 200);
        QVERIFY(!requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30).isEmpty());
    }

    void idempotentRequest()
    {
        const QJsonObject body{{QStringLiteral("tenantId"), m_contoso},
                               {QStringLiteral("roleDefinitionIds"), QJsonArray{kUserAdministrator}},
                               {QStringLiteral("durationMinutes"), 30},
                               {QStringLiteral("justification"), QStringLiteral("INC-7 mailbox")}};
        const Headers key{{"Idempotency-Key", "9b2f3c4e-request-1"}};
        const ApiReply first = api().post(QStringLiteral("/v1/checkouts"), m_tech.token, body, key);
        QVERIFY2(first.status == 201, first.describe().constData());
        const QString after = m_cloud->snapshot();

        // A retry (the answer got lost) is answered again, not refused as a second open checkout.
        const ApiReply replay = api().post(QStringLiteral("/v1/checkouts"), m_tech.token, body, key);
        QVERIFY2(replay.status == 201, replay.describe().constData());
        QCOMPARE(replay.header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(replay.body, first.body);
        QCOMPARE(m_cloud->snapshot(), after);
        QCOMPARE(m_cloud->count(QStringLiteral("checkouts")), 1);

        QJsonObject changed = body;
        changed.insert(QStringLiteral("durationMinutes"), 45);
        const ApiReply reused = api().post(QStringLiteral("/v1/checkouts"), m_tech.token, changed, key);
        QVERIFY2(reused.status == 422, reused.describe().constData());
        QCOMPARE(reused.problem(), QStringLiteral("idempotency-key-reused"));
        QCOMPARE(m_cloud->snapshot(), after);

        // Keys belong to their person.
        const ApiReply someoneElse =
            api().post(QStringLiteral("/v1/checkouts"), m_tech2.token,
                       {{QStringLiteral("tenantId"), m_contoso},
                        {QStringLiteral("roleDefinitionIds"), QJsonArray{kExchangeAdministrator}},
                        {QStringLiteral("durationMinutes"), 30}},
                       key);
        QVERIFY2(someoneElse.status == 201, someoneElse.describe().constData());
        QVERIFY(someoneElse.header("Idempotent-Replayed").isEmpty());

        // A refused request leaves no record: the same key may be used again.
        const Headers refusedKey{{"Idempotency-Key", "refused-once"}};
        QJsonObject tooLong = body;
        tooLong.insert(QStringLiteral("tenantId"), m_fabrikam);
        tooLong.insert(QStringLiteral("durationMinutes"), 500);
        QCOMPARE(api().post(QStringLiteral("/v1/checkouts"), m_tech.token, tooLong, refusedKey).status, 422);
        QJsonObject fine = tooLong;
        fine.insert(QStringLiteral("durationMinutes"), 60);
        fine.insert(QStringLiteral("ticket"), QStringLiteral("INC-8"));
        QCOMPARE(api().post(QStringLiteral("/v1/checkouts"), m_tech.token, fine, refusedKey).status, 201);
    }

    void approve()
    {
        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        m_cloud->clock().advance(5 * 60'000);
        const ApiReply r = api().post(checkoutPath(id, QStringLiteral("approve")), m_admin.token);
        QVERIFY2(r.status == 200, r.describe().constData());
        const QString now = toRfc3339(m_cloud->clock().now());
        QCOMPARE(stateOf(r.json), QStringLiteral("provisioning"));
        QCOMPARE(r.json.value(QLatin1String("stateReason")).toString(),
                 QStringLiteral("Approved by admin@acme.example."));
        QCOMPARE(r.json.value(QLatin1String("decidedBy")).toString(), m_admin.id);
        QCOMPARE(r.json.value(QLatin1String("decidedAt")).toString(), now);
        QCOMPARE(r.json.value(QLatin1String("updatedAt")).toString(), now);
        QVERIFY(r.json.value(QLatin1String("approvalExpiresAt")).isNull());
        QVERIFY(r.json.value(QLatin1String("endedAt")).isNull());
        QCOMPARE(r.json.value(QLatin1String("version")).toInt(), 3);
        QCOMPARE(checkout(id), r.json);
        // Due at once for the provisioning engine.
        QCOMPARE(m_cloud->scalar(QStringLiteral("SELECT next_action_at FROM checkouts WHERE id = ?"), {id}),
                 m_cloud->clock().now());

        auto rows = m_cloud->db().query(QStringLiteral("SELECT action, actor_id, details FROM audit_events"
                                                       " WHERE target_id = ? ORDER BY seq"),
                                        {id});
        QVERIFY(rows && rows->size() == 4);
        QCOMPARE(rows->at(2).text(0), QStringLiteral("checkout.approve"));
        QCOMPARE(rows->at(3).text(0), QStringLiteral("checkout.transition"));
        QCOMPARE(rows->at(3).text(1), m_admin.id);
        const QJsonObject details = QJsonDocument::fromJson(rows->at(3).text(2).toUtf8()).object();
        QCOMPARE(details.value(QLatin1String("from")).toString(), QStringLiteral("awaiting_approval"));
        QCOMPARE(details.value(QLatin1String("to")).toString(), QStringLiteral("provisioning"));
        QCOMPARE(details.value(QLatin1String("actor")).toString(), m_admin.id);
        QCOMPARE(details.value(QLatin1String("reason")).toString(), QStringLiteral("Approved by admin@acme.example."));
        QCOMPARE(m_cloud->count(QStringLiteral("events"), QStringLiteral("type = 'checkout.updated' AND audience = ?"),
                                {QStringLiteral("admins|person:") + m_tech.id}),
                 3);

        // Only once.
        const QString before = m_cloud->snapshot();
        const ApiReply again = api().post(checkoutPath(id, QStringLiteral("approve")), m_admin2.token);
        QVERIFY2(again.status == 409, again.describe().constData());
        QCOMPARE(again.problem(), QStringLiteral("invalid-transition"));
        QCOMPARE(again.json.value(QLatin1String("state")).toString(), QStringLiteral("provisioning"));
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void approveWithReason()
    {
        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        const ApiReply r = api().post(checkoutPath(id, QStringLiteral("approve")), m_admin.token,
                                      {{QStringLiteral("reason"), QStringLiteral("Change CHG-12 approved")}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(r.json.value(QLatin1String("stateReason")).toString(), QStringLiteral("Change CHG-12 approved"));
        const QString other = idOf(requestCheckout(*m_cloud, m_admin.token, m_contoso, {kUserAdministrator}, 30, {}));
        QVERIFY(!other.isEmpty());
        const QString before = m_cloud->snapshot();
        const ApiReply bad = api().post(checkoutPath(other, QStringLiteral("approve")), m_admin2.token,
                                        {{QStringLiteral("comment"), QStringLiteral("ok")}});
        QVERIFY2(bad.status == 422, bad.describe().constData());
        QCOMPARE(bad.problem(), QStringLiteral("validation"));
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void deny()
    {
        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        const ApiReply r = api().post(checkoutPath(id, QStringLiteral("deny")), m_admin.token,
                                      {{QStringLiteral("reason"), QStringLiteral("  Use the helpdesk role.  ")}});
        QVERIFY2(r.status == 200, r.describe().constData());
        const QString now = toRfc3339(m_cloud->clock().now());
        QCOMPARE(stateOf(r.json), QStringLiteral("denied"));
        QCOMPARE(r.json.value(QLatin1String("stateReason")).toString(), QStringLiteral("Use the helpdesk role."));
        QCOMPARE(r.json.value(QLatin1String("decidedBy")).toString(), m_admin.id);
        QCOMPARE(r.json.value(QLatin1String("decidedAt")).toString(), now);
        QCOMPARE(r.json.value(QLatin1String("endedAt")).toString(), now);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.deny' AND target_id = ?"), {id}),
                 1);
        QVERIFY(m_cloud->scalar(
                    QStringLiteral("SELECT COUNT(*) FROM checkouts WHERE id = ? AND next_action_at IS NULL"), {id})
                == 1);
        // Denied is final; the technician may ask again.
        QCOMPARE(api().post(checkoutPath(id, QStringLiteral("approve")), m_admin.token).problem(),
                 QStringLiteral("invalid-transition"));
        QVERIFY(!awaitingCheckout().isEmpty());

        // Without a reason, the admin is named.
        const QString next = idOf(
            api().get(QStringLiteral("/v1/checkouts?state=awaiting_approval"), m_admin.token).items().at(0).toObject());
        const ApiReply plain = api().post(checkoutPath(next, QStringLiteral("deny")), m_admin2.token);
        QVERIFY2(plain.status == 200, plain.describe().constData());
        QCOMPARE(plain.json.value(QLatin1String("stateReason")).toString(),
                 QStringLiteral("Denied by admin2@acme.example."));
    }

    void selfApprovalIsRefused()
    {
        // The admin is also a subject of "Extended" and asks for access.
        const QJsonObject own = requestCheckout(*m_cloud, m_admin.token, m_contoso, {kUserAdministrator}, 120, {});
        QCOMPARE(stateOf(own), QStringLiteral("awaiting_approval"));
        const QString before = m_cloud->snapshot();
        const qint64 denied = deniedAuditEvents(QStringLiteral("checkout.approve"));
        const ApiReply r = api().post(checkoutPath(idOf(own), QStringLiteral("approve")), m_admin.token);
        QVERIFY2(r.status == 403, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("self-approval"));
        QCOMPARE(m_cloud->snapshot(), before);
        QCOMPARE(deniedAuditEvents(QStringLiteral("checkout.approve")), denied + 1);
        QCOMPARE(stateOf(checkout(idOf(own))), QStringLiteral("awaiting_approval"));

        const ApiReply other = api().post(checkoutPath(idOf(own), QStringLiteral("approve")), m_admin2.token);
        QVERIFY2(other.status == 200, other.describe().constData());
        QCOMPARE(other.json.value(QLatin1String("decidedBy")).toString(), m_admin2.id);
    }

    void approvalNeedsAGrantStill()
    {
        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        // The technician is taken out of the policy while the request waits.
        const ApiReply changed =
            api().patch(QStringLiteral("/v1/policies/") + m_policies.value(QStringLiteral("Extended")), m_admin.token,
                        {{QStringLiteral("version"), 1},
                         {QStringLiteral("subjects"),
                          QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("person")},
                                                 {QStringLiteral("id"), m_admin.id}}}}});
        QVERIFY2(changed.status == 200, changed.describe().constData());
        const QString before = m_cloud->snapshot();
        const ApiReply r = api().post(checkoutPath(id, QStringLiteral("approve")), m_admin.token);
        QVERIFY2(r.status == 409, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("no-longer-granted"));
        QCOMPARE(m_cloud->snapshot(), before);
        QCOMPARE(api().post(checkoutPath(id, QStringLiteral("deny")), m_admin.token).status, 200);
    }

    void techniciansCannotDecide()
    {
        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        const QString before = m_cloud->snapshot();
        for (const char* action : {"approve", "deny", "revoke"}) {
            for (const SignedInPerson* who : {&m_tech, &m_tech2}) {
                const ApiReply r = api().post(checkoutPath(id, QLatin1String(action)), who->token,
                                              {{QStringLiteral("reason"), QStringLiteral("mine")}});
                QVERIFY2(r.status == 403, r.describe().constData());
                QCOMPARE(r.problem(), QStringLiteral("forbidden"));
            }
        }
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void cancel()
    {
        // Before anything was granted: withdrawn.
        const QString requested = idOf(requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30));
        QVERIFY(!requested.isEmpty());
        m_cloud->clock().advance(1000);
        const ApiReply r = api().post(checkoutPath(requested, QStringLiteral("cancel")), m_tech.token);
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(stateOf(r.json), QStringLiteral("cancelled"));
        QCOMPARE(r.json.value(QLatin1String("stateReason")).toString(), QStringLiteral("Cancelled by the technician."));
        QCOMPARE(r.json.value(QLatin1String("endedAt")).toString(), toRfc3339(m_cloud->clock().now()));
        QVERIFY(r.json.value(QLatin1String("decidedBy")).isNull());
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.cancel' AND target_id = ? AND actor_id = ?"),
                                {requested, m_tech.id}),
                 1);

        const QString awaiting = awaitingCheckout();
        QVERIFY(!awaiting.isEmpty());
        QCOMPARE(stateOf(api().post(checkoutPath(awaiting, QStringLiteral("cancel")), m_tech.token).json),
                 QStringLiteral("cancelled"));

        // Once access is live: taken back.
        const QString live = idOf(requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30));
        forceCheckoutState(*m_cloud, live, QStringLiteral("ready"));
        const ApiReply early = api().post(checkoutPath(live, QStringLiteral("cancel")), m_tech.token);
        QVERIFY2(early.status == 200, early.describe().constData());
        QCOMPARE(stateOf(early.json), QStringLiteral("revoking"));
        QCOMPARE(early.json.value(QLatin1String("stateReason")).toString(), QStringLiteral("ended early"));
        QVERIFY(early.json.value(QLatin1String("endedAt")).isNull());
        // The provisioning engine takes it from there: this tenant was never connected, so nothing was granted and
        // the checkout ends without calling Entra (TestProvisioningEngine covers the real revocation).
        QTRY_COMPARE(stateOf(api().get(checkoutPath(live), m_tech.token).json), QStringLiteral("ended"));
    }

    void onlyTheOwnerCancels()
    {
        const QString id = idOf(requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30));
        QVERIFY(!id.isEmpty());
        const QString before = m_cloud->snapshot();
        const ApiReply otherTech = api().post(checkoutPath(id, QStringLiteral("cancel")), m_tech2.token);
        QVERIFY2(otherTech.status == 404, otherTech.describe().constData());
        QCOMPARE(otherTech.problem(), QStringLiteral("not-found"));
        const qint64 denied = deniedAuditEvents(QStringLiteral("checkout.cancel"));
        const ApiReply admin = api().post(checkoutPath(id, QStringLiteral("cancel")), m_admin.token);
        QVERIFY2(admin.status == 403, admin.describe().constData());
        QCOMPARE(admin.problem(), QStringLiteral("forbidden"));
        QCOMPARE(deniedAuditEvents(QStringLiteral("checkout.cancel")), denied + 1);
        QCOMPARE(m_cloud->snapshot(), before);
        const ApiReply withBody = api().post(checkoutPath(id, QStringLiteral("cancel")), m_tech.token,
                                             {{QStringLiteral("reason"), QStringLiteral("x")}});
        QCOMPARE(withBody.status, 422); // a bodyless action takes nothing or {}, no fields
        QCOMPARE(withBody.problem(), QStringLiteral("validation"));
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void revoke()
    {
        const QString ready = idOf(requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30));
        forceCheckoutState(*m_cloud, ready, QStringLiteral("ready"));
        const QString before = m_cloud->snapshot();
        for (const QJsonObject& body : {QJsonObject{}, QJsonObject{{QStringLiteral("reason"), QStringLiteral("   ")}},
                                        QJsonObject{{QStringLiteral("reason"), 3}}}) {
            const ApiReply r = api().post(checkoutPath(ready, QStringLiteral("revoke")), m_admin.token, body);
            QVERIFY2(r.status == 422, r.describe().constData());
            QCOMPARE(r.problem(), QStringLiteral("validation"));
            QVERIFY(r.json.value(QLatin1String("detail")).toString().startsWith(QStringLiteral("reason: ")));
        }
        QCOMPARE(m_cloud->snapshot(), before);

        const ApiReply r = api().post(checkoutPath(ready, QStringLiteral("revoke")), m_admin.token,
                                      {{QStringLiteral("reason"), QStringLiteral("Suspicious sign-in")}});
        QVERIFY2(r.status == 200, r.describe().constData());
        QCOMPARE(stateOf(r.json), QStringLiteral("revoking"));
        QCOMPARE(r.json.value(QLatin1String("stateReason")).toString(), QStringLiteral("Suspicious sign-in"));
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.revoke' AND target_id = ? AND actor_id = ?"),
                                {ready, m_admin.id}),
                 1);

        const QString provisioning =
            idOf(requestCheckout(*m_cloud, m_tech2.token, m_contoso, {kExchangeAdministrator}, 30));
        forceCheckoutState(*m_cloud, provisioning, QStringLiteral("provisioning"));
        const ApiReply during = api().post(checkoutPath(provisioning, QStringLiteral("revoke")), m_admin2.token,
                                           {{QStringLiteral("reason"), QStringLiteral("Wrong tenant")}});
        QVERIFY2(during.status == 200, during.describe().constData());
        QCOMPARE(stateOf(during.json), QStringLiteral("revoking"));
    }

    void illegalTransitions_data()
    {
        QTest::addColumn<QString>("state");
        QTest::addColumn<QString>("action");
        const QStringList all = models::checkoutStateNames();
        const QHash<QString, QStringList> allowed{
            {QStringLiteral("approve"), {QStringLiteral("awaiting_approval")}},
            {QStringLiteral("deny"), {QStringLiteral("awaiting_approval")}},
            {QStringLiteral("cancel"),
             {QStringLiteral("requested"), QStringLiteral("awaiting_approval"), QStringLiteral("ready")}},
            {QStringLiteral("revoke"), {QStringLiteral("ready"), QStringLiteral("provisioning")}}};
        for (const QString& action :
             {QStringLiteral("approve"), QStringLiteral("deny"), QStringLiteral("cancel"), QStringLiteral("revoke")}) {
            for (const QString& state : all) {
                if (!allowed.value(action).contains(state))
                    QTest::addRow("%s from %s", qPrintable(action), qPrintable(state)) << state << action;
            }
        }
    }

    void illegalTransitions()
    {
        QFETCH(QString, state);
        QFETCH(QString, action);
        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        forceCheckoutState(*m_cloud, id, state);
        const QString before = m_cloud->snapshot();
        const QString& token = action == QLatin1String("cancel") ? m_tech.token : m_admin.token;
        const ApiReply r = action == QLatin1String("cancel")
            ? api().post(checkoutPath(id, action), token)
            : api().post(checkoutPath(id, action), token, {{QStringLiteral("reason"), QStringLiteral("because")}});
        QVERIFY2(r.status == 409, r.describe().constData());
        QCOMPARE(r.problem(), QStringLiteral("invalid-transition"));
        QCOMPARE(r.json.value(QLatin1String("state")).toString(), state);
        QCOMPARE(m_cloud->snapshot(), before);
    }

    void stateMachineRules()
    {
        using S = CheckoutState;
        const QHash<S, QList<S>> expected{
            {S::Requested, {S::AwaitingApproval, S::Provisioning, S::Cancelled, S::Failed}},
            {S::AwaitingApproval, {S::Provisioning, S::Denied, S::Cancelled, S::Expired}},
            {S::Provisioning, {S::Ready, S::Revoking, S::Failed}},
            {S::Ready, {S::Revoking}},
            // failed: a provision that failed partway ends so once its clean-up is confirmed (issue 10, item 18).
            {S::Revoking, {S::Ended, S::RevokeFailed, S::Failed}},
            {S::RevokeFailed, {S::Revoking}},
        };
        QStringList open;
        for (const QString& fromName : models::checkoutStateNames()) {
            const S from = *models::checkoutStateFromString(fromName);
            QCOMPARE(models::toString(from), fromName);
            QCOMPARE(CheckoutStateMachine::isFinal(from), !expected.contains(from));
            if (!CheckoutStateMachine::isFinal(from))
                open << fromName;
            for (const QString& toName : models::checkoutStateNames()) {
                const S to = *models::checkoutStateFromString(toName);
                QVERIFY2(CheckoutStateMachine::canTransition(from, to) == expected.value(from).contains(to),
                         qPrintable(fromName + QStringLiteral(" → ") + toName));
            }
        }
        QCOMPARE(models::openCheckoutStateNames(), open);
        QVERIFY(!models::checkoutStateFromString(u"READY"));
    }

    void stateMachineTransitions()
    {
        const QString id = idOf(requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30));
        QVERIFY(!id.isEmpty());
        CheckoutStateMachine machine(m_cloud->context());
        auto load = [&] { return *cloud::checkouts::loadCheckout(m_cloud->db(), m_org, id).value(); };
        const models::Checkout requested = load();
        const auto system = cloud::Actor::system();

        // What the provisioning engine will do: requested → provisioning → ready, outside any request.
        auto provisioning =
            machine.transition(requested, {CheckoutState::Provisioning, QStringLiteral("picked up")}, system);
        QVERIFY2(provisioning.ok(), qPrintable(provisioning.ok() ? QString() : provisioning.error().message));
        // Due for the engine, until a transient failure puts it off.
        using cloud::checkouts::dueCheckouts;
        const QList<CheckoutState> engineStates{CheckoutState::Requested, CheckoutState::Provisioning,
                                                CheckoutState::Revoking};
        QCOMPARE(*dueCheckouts(m_cloud->db(), engineStates, m_cloud->clock().now(), 10), QStringList{id});
        auto postponed = machine.retryLater(*provisioning, m_cloud->clock().now() + 60'000,
                                            QStringLiteral("Graph throttled (429)"), system);
        QVERIFY(postponed.ok());
        QCOMPARE(models::toString(postponed->state), QStringLiteral("provisioning"));
        QCOMPARE(postponed->attempts, 1);
        QCOMPARE(postponed->stateReason, QStringLiteral("Graph throttled (429)"));
        QCOMPARE(*dueCheckouts(m_cloud->db(), engineStates, m_cloud->clock().now() + 59'999, 10), QStringList());
        QCOMPARE(*dueCheckouts(m_cloud->db(), engineStates, m_cloud->clock().now() + 60'000, 10), QStringList{id});
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.retry' AND target_id = ?"), {id}),
                 1);
        QCOMPARE(machine.retryLater(*provisioning, 0, QStringLiteral("stale"), system).error().code,
                 QString::fromLatin1(CheckoutStateMachine::kVersionConflict));
        provisioning = postponed;
        m_cloud->clock().advance(90'000);
        auto ready =
            machine.transition(*provisioning, {CheckoutState::Ready, QStringLiteral("credential issued")}, system);
        QVERIFY(ready.ok());
        const TimeMs now = m_cloud->clock().now();
        QCOMPARE(ready->readyAt.value_or(0), now);
        QCOMPARE(ready->expiresAt.value_or(0), now + 30 * 60'000);
        QCOMPARE(ready->nextActionAt.value_or(0), now + 30 * 60'000); // the expiry is the next thing due
        QCOMPARE(ready->version, requested.version + 3);
        QCOMPARE(ready->attempts, 0); // a new step starts counting again
        const models::Checkout stored = load();
        QCOMPARE(stored.toJson(), ready->toJson());
        QCOMPARE(m_cloud->count(
                     QStringLiteral("audit_events"),
                     QStringLiteral("action = 'checkout.transition' AND actor_id = 'system' AND target_id = ?"), {id}),
                 2);
        // Sent at once, not held for a request's commit.
        QCOMPARE(m_cloud->count(QStringLiteral("events"),
                                QStringLiteral("type = 'checkout.updated' AND payload LIKE ?"),
                                {QStringLiteral("%\"state\":\"ready\"%")}),
                 1);

        // A stale copy and a step the table does not allow are refused, and nothing is written.
        const QString before = m_cloud->snapshot();
        auto stale = machine.transition(*provisioning, {CheckoutState::Revoking, QStringLiteral("x")}, system);
        QVERIFY(!stale.ok());
        QCOMPARE(stale.error().code, QString::fromLatin1(CheckoutStateMachine::kVersionConflict));
        auto illegal = machine.transition(stored, {CheckoutState::Ended, QStringLiteral("x")}, system);
        QVERIFY(!illegal.ok());
        QCOMPARE(illegal.error().code, QString::fromLatin1(CheckoutStateMachine::kInvalidTransition));
        QCOMPARE(m_cloud->snapshot(), before);

        auto revoking = machine.transition(stored, {CheckoutState::Revoking, QStringLiteral("expired")}, system);
        QVERIFY(revoking.ok());
        auto ended = machine.transition(*revoking, {CheckoutState::Ended, QStringLiteral("confirmed")}, system);
        QVERIFY(ended.ok());
        QCOMPARE(ended->endedAt.value_or(0), m_cloud->clock().now());
        QVERIFY(!ended->nextActionAt);
        QVERIFY(!machine.transition(*ended, {CheckoutState::Revoking, QStringLiteral("again")}, system).ok());
        QCOMPARE(machine.retryLater(*ended, 0, QStringLiteral("x"), system).error().code,
                 QString::fromLatin1(CheckoutStateMachine::kInvalidTransition));
    }

    void expireStaleApprovals()
    {
        const QString mine = awaitingCheckout();
        m_cloud->clock().advance(kHourMs / 2);
        const QString admins = idOf(requestCheckout(*m_cloud, m_admin.token, m_contoso, {kUserAdministrator}, 120, {}));
        const QString requested =
            idOf(requestCheckout(*m_cloud, m_tech2.token, m_contoso, {kExchangeAdministrator}, 30));
        QVERIFY(!mine.isEmpty() && !admins.isEmpty() && !requested.isEmpty());
        const QJsonObject requestedBefore = checkout(requested);
        CheckoutStateMachine machine(m_cloud->context());

        // Just before the first deadline nothing expires.
        m_cloud->clock().advance(24 * kHourMs - kHourMs / 2 - 1);
        auto none = machine.expireStaleApprovals(m_cloud->clock().now());
        QVERIFY(none.ok());
        QCOMPARE(*none, 0);
        m_cloud->clock().advance(1);
        auto first = machine.expireStaleApprovals(m_cloud->clock().now());
        QVERIFY(first.ok());
        QCOMPARE(*first, 1);
        m_cloud->clock().advance(kHourMs / 2);
        auto second = machine.expireStaleApprovals(m_cloud->clock().now());
        QVERIFY(second.ok());
        QCOMPARE(*second, 1);
        QCOMPARE(*machine.expireStaleApprovals(m_cloud->clock().now()), 0);

        // Sessions have long expired by now.
        const QString adminToken = m_cloud->signIn(m_admin2.id);
        const QJsonObject expired = api().get(checkoutPath(mine), adminToken).json;
        QCOMPARE(stateOf(expired), QStringLiteral("expired"));
        QCOMPARE(expired.value(QLatin1String("stateReason")).toString(),
                 QStringLiteral("No admin approved the request before its deadline."));
        QCOMPARE(expired.value(QLatin1String("endedAt")).toString(),
                 toRfc3339(m_cloud->clock().now() - kHourMs / 2)); // when the scheduler saw it
        QVERIFY(expired.value(QLatin1String("decidedBy")).isNull());
        QCOMPARE(stateOf(api().get(checkoutPath(admins), adminToken).json), QStringLiteral("expired"));
        QCOMPARE(api().get(checkoutPath(requested), adminToken).json, requestedBefore);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"),
                                QStringLiteral("action = 'checkout.transition' AND actor_id = 'system'"
                                               " AND details LIKE '%\"to\":\"expired\"%'")),
                 2);
        // Expired is final.
        const ApiReply late = api().post(checkoutPath(mine, QStringLiteral("approve")), adminToken);
        QCOMPARE(late.status, 409);
        QCOMPARE(late.problem(), QStringLiteral("invalid-transition"));
    }

    void approvalDeadlineIsConfigured()
    {
        cloud::CloudConfig config;
        config.approvalTtlHours = 2;
        startCloud(config);
        const QJsonObject c = requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 120, {});
        QCOMPARE(c.value(QLatin1String("approvalExpiresAt")).toString(),
                 toRfc3339(m_cloud->clock().now() + 2 * kHourMs));
        CheckoutStateMachine machine(m_cloud->context());
        QCOMPARE(*machine.expireStaleApprovals(m_cloud->clock().now() + 2 * kHourMs), 1);
    }

    void list()
    {
        const QString techContoso = awaitingCheckout();
        const QString techFabrikam = idOf(
            requestCheckout(*m_cloud, m_tech.token, m_fabrikam, {kUserAdministrator}, 30, {}, QStringLiteral("T-1")));
        const QString tech2Contoso =
            idOf(requestCheckout(*m_cloud, m_tech2.token, m_contoso, {kExchangeAdministrator}, 30));
        const QString adminContoso =
            idOf(requestCheckout(*m_cloud, m_admin.token, m_contoso, {kUserAdministrator}, 120, {}));
        QVERIFY(!techContoso.isEmpty() && !techFabrikam.isEmpty() && !tech2Contoso.isEmpty()
                && !adminContoso.isEmpty());
        auto listed = [&](const QString& query, const QString& token) {
            const ApiReply r = api().get(QStringLiteral("/v1/checkouts") + query, token);
            QStringList ids;
            for (const auto& item : r.items())
                ids << idOf(item.toObject());
            return r.status == 200 ? ids : QStringList{QString::fromUtf8(r.describe())};
        };
        auto sorted = [](QStringList l) {
            l.sort();
            return l;
        };
        QCOMPARE(listed({}, m_admin.token), sorted({techContoso, techFabrikam, tech2Contoso, adminContoso}));
        QCOMPARE(listed(QStringLiteral("?state=awaiting_approval"), m_admin.token),
                 sorted({techContoso, adminContoso}));
        QCOMPARE(listed(QStringLiteral("?tenantId=") + m_fabrikam, m_admin.token), QStringList{techFabrikam});
        QCOMPARE(listed(QStringLiteral("?technicianId=") + m_tech.id, m_admin.token),
                 sorted({techContoso, techFabrikam}));
        QCOMPARE(listed(QStringLiteral("?state=requested&technicianId=") + m_tech.id, m_admin.token),
                 QStringList{techFabrikam});
        QCOMPARE(listed(QStringLiteral("?state=ended"), m_admin.token), QStringList());

        QCOMPARE(listed({}, m_tech.token), sorted({techContoso, techFabrikam}));
        QCOMPARE(listed(QStringLiteral("?tenantId=") + m_contoso, m_tech.token), QStringList{techContoso});
        QCOMPARE(listed(QStringLiteral("?technicianId=") + m_tech2.id, m_tech.token), QStringList());
        QCOMPARE(listed({}, m_tech2.token), QStringList{tech2Contoso});
        QCOMPARE(listed({}, m_otherAdmin.token), QStringList());

        QStringList paged;
        QString cursor;
        for (int page = 0; page < 10; ++page) {
            const ApiReply r = api().get(QStringLiteral("/v1/checkouts?limit=1")
                                             + (cursor.isEmpty() ? QString() : QStringLiteral("&cursor=") + cursor),
                                         m_admin.token);
            QCOMPARE(r.items().size(), 1);
            paged << idOf(r.items().at(0).toObject());
            cursor = r.json.value(QLatin1String("nextCursor")).toString();
            if (cursor.isEmpty())
                break;
        }
        QCOMPARE(paged, listed({}, m_admin.token));

        for (const QString& query : {QStringLiteral("?state=READY"), QStringLiteral("?state=done"),
                                     QStringLiteral("?tenantId=contoso"), QStringLiteral("?technicianId=") + m_contoso,
                                     QStringLiteral("?state=ready&state=ended"), QStringLiteral("?owner=me")}) {
            const ApiReply r = api().get(QStringLiteral("/v1/checkouts") + query, m_admin.token);
            QVERIFY2(r.status == 400, qPrintable(query + QLatin1Char(' ') + QString::fromUtf8(r.describe())));
            QCOMPARE(r.problem(), QStringLiteral("bad-query"));
        }
    }

    void read()
    {
        const QString id = idOf(requestCheckout(*m_cloud, m_tech.token, m_contoso, {kUserAdministrator}, 30));
        QVERIFY(!id.isEmpty());
        QCOMPARE(api().get(checkoutPath(id), m_tech.token).status, 200);
        QCOMPARE(api().get(checkoutPath(id), m_admin2.token).status, 200);
        for (const auto& [path, token] :
             {std::pair{checkoutPath(id), m_tech2.token}, std::pair{checkoutPath(id), m_otherAdmin.token},
              std::pair{checkoutPath(ids::newId(u"chk")), m_admin.token},
              std::pair{checkoutPath(QStringLiteral("chk_zz")), m_admin.token},
              std::pair{checkoutPath(ids::newId(u"tnt")), m_admin.token}}) {
            const ApiReply r = api().get(path, token);
            QVERIFY2(r.status == 404, r.describe().constData());
            QCOMPARE(r.problem(), QStringLiteral("not-found"));
        }
    }

    // Who is told what, by the audiences stored with the events (what the live channel filters on).
    void liveEventAudiences()
    {
        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        QCOMPARE(api().post(checkoutPath(id, QStringLiteral("approve")), m_admin.token).status, 200);
        QCOMPARE(api()
                     .patch(QStringLiteral("/v1/tenants/") + m_fabrikam, m_admin.token,
                            {{QStringLiteral("version"), 1}, {QStringLiteral("notes"), QStringLiteral("VIP")}})
                     .status,
                 200);
        const qint64 since =
            m_cloud->scalar(QStringLiteral("SELECT MIN(seq) - 1 FROM events WHERE type = 'checkout.updated'"));
        // Refused requests announce nothing.
        QCOMPARE(api().post(checkoutPath(id, QStringLiteral("approve")), m_admin.token).status, 409);

        auto seenBy = [&](const SignedInPerson& who, const QString& role, const QString& org) {
            const cloud::Caller caller{who.id, org, role, QString(), QString()};
            auto rows = m_cloud->db().query(QStringLiteral("SELECT org_id, audience, type FROM events WHERE seq > ?"
                                                           " ORDER BY seq"),
                                            {since});
            QStringList types;
            for (const auto& r : *rows) {
                if (cloud::EventHub::visibleTo(caller, r.text(0), r.text(1)))
                    types << r.text(2);
            }
            return types;
        };
        const QStringList checkoutEvents(3, QStringLiteral("checkout.updated")); // requested, awaiting, approved
        const QStringList adminExpects =
            checkoutEvents + QStringList{QStringLiteral("tenant.updated"), QStringLiteral("grants.changed")};
        const QStringList techExpects = checkoutEvents + QStringList{QStringLiteral("grants.changed")};
        QCOMPARE(seenBy(m_admin, QStringLiteral("admin"), m_org), adminExpects);
        QCOMPARE(seenBy(m_tech, QStringLiteral("technician"), m_org), techExpects);
        QCOMPARE(seenBy(m_tech2, QStringLiteral("technician"), m_org), QStringList{QStringLiteral("grants.changed")});
        QCOMPARE(seenBy(m_otherAdmin, QStringLiteral("admin"), m_otherOrg), QStringList());
    }

    // The same over real live channels.
    void liveEventsOverTheChannel()
    {
        LiveChannel admin;
        LiveChannel tech;
        LiveChannel tech2;
        admin.open(m_cloud->port(), m_admin.token);
        tech.open(m_cloud->port(), m_tech.token);
        tech2.open(m_cloud->port(), m_tech2.token);
        QTRY_VERIFY_WITH_TIMEOUT(admin.ready && tech.ready && tech2.ready, 10000);

        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        QCOMPARE(api().post(checkoutPath(id, QStringLiteral("approve")), m_admin.token).status, 200);
        QCOMPARE(api()
                     .patch(QStringLiteral("/v1/tenants/") + m_fabrikam, m_admin.token,
                            {{QStringLiteral("version"), 1}, {QStringLiteral("notes"), QStringLiteral("VIP")}})
                     .status,
                 200);
        const QStringList checkoutEvents(3, QStringLiteral("checkout.updated"));
        const QStringList adminExpects =
            checkoutEvents + QStringList{QStringLiteral("tenant.updated"), QStringLiteral("grants.changed")};
        const QStringList techExpects = checkoutEvents + QStringList{QStringLiteral("grants.changed")};
        QTRY_COMPARE(admin.events, adminExpects);
        QTRY_COMPARE(tech.events, techExpects);
        QTRY_COMPARE(tech2.events, QStringList{QStringLiteral("grants.changed")});
    }

    void otherOrganizationsCheckoutsAreNotFound_data()
    {
        QTest::addColumn<QString>("action");
        for (const char* action : {"approve", "deny", "cancel", "revoke"})
            QTest::newRow(action) << QString::fromLatin1(action);
    }

    void otherOrganizationsCheckoutsAreNotFound()
    {
        QFETCH(QString, action);
        const QString id = awaitingCheckout();
        QVERIFY(!id.isEmpty());
        const SignedInPerson otherTech = addSignedInPerson(*m_cloud, m_otherOrg, QStringLiteral("tech@other.example"));
        const QString before = m_cloud->snapshot();
        for (const QString& token : {m_otherAdmin.token, otherTech.token}) {
            const ApiReply r = action == QLatin1String("cancel")
                ? api().post(checkoutPath(id, action), token)
                : api().post(checkoutPath(id, action), token, {{QStringLiteral("reason"), QStringLiteral("x")}});
            // An admin of another organization gets 404; a technician there is stopped earlier for admin actions.
            const bool adminOnly = action != QLatin1String("cancel") && token == otherTech.token;
            QVERIFY2(r.status == (adminOnly ? 403 : 404), r.describe().constData());
        }
        QCOMPARE(m_cloud->snapshot(), before);
    }
};

QTEST_GUILESS_MAIN(TestCheckoutsApi)
#include "TestCheckoutsApi.moc"
