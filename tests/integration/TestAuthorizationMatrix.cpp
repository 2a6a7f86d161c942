// SPDX-License-Identifier: GPL-3.0-or-later
// Every operation of docs/openapi.json × {anonymous, expired session, technician, admin, admin of another
// organization} gets exactly the status the document promises (x-stint-authz). The router and the document must list
// the same operations, so a route added without an authorization rule fails here.
#include "cloud/CloudService.h"
#include "cloud/authn/Sessions.h"
#include "cloud/directory/DirectoryStore.h"
#include "cloud/Routes.h"
#include "cloud/events/EventAudience.h"
#include "store/SqlCipherDatabase.h"
#include "support/AdminSession.h"
#include "support/ApiSeed.h"
#include "support/EventClient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTest>

using namespace stint;
using stint::test::policyBody;
using stint::test::tenantBody;

namespace {
const QStringList kCallers{QStringLiteral("anonymous"), QStringLiteral("expired"), QStringLiteral("technician"),
                           QStringLiteral("admin"), QStringLiteral("otherAdmin")};

QJsonObject openApi()
{
    QFile f(QStringLiteral(STINT_SOURCE_DIR "/docs/openapi.json"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

cloud::CloudConfig configFor(const QString& dir)
{
    cloud::CloudConfig c;
    c.dataDir = dir;
    return c;
}
} // namespace

class TestAuthorizationMatrix : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    QJsonObject m_doc;
    std::unique_ptr<SoftAuthenticator> m_adminKey, m_techKey, m_otherKey;
    QString m_expiredToken;
    QHash<QString, QString> m_ids; // seeded objects of the first organization, by path parameter name

    QString signIn(SoftAuthenticator& key)
    {
        const HttpResult begin = m_cloud->post(QStringLiteral("/v1/auth/signin/begin"));
        const HttpResult done = m_cloud->post(QStringLiteral("/v1/auth/signin/finish"),
                                              {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
                                               {QStringLiteral("credential"), key.get(begin.json.value(QLatin1String("publicKey")).toObject())}});
        return done.json.value(QLatin1String("token")).toString();
    }

    QString tokenFor(const QString& caller)
    {
        if (caller == QLatin1String("anonymous"))
            return {};
        if (caller == QLatin1String("expired"))
            return m_expiredToken;
        // A fresh session each time: some operations end sessions (sign-out, revocations).
        return signIn(caller == QLatin1String("admin") ? *m_adminKey : caller == QLatin1String("technician") ? *m_techKey : *m_otherKey);
    }

    QString idOf(const HttpResult& r) { return r.json.value(QLatin1String("id")).toString(); }

    // Everything the event channel holds for `key`'s person: the backlog from the first event on, on a fresh session
    // (the matrix ends sessions, and so live channels, along the way).
    QList<QJsonObject> channelOf(SoftAuthenticator& key)
    {
        EventClient client(m_cloud->port());
        if (!client.open() || !client.hello(signIn(key), 1))
            return {};
        return client.events();
    }

    static constexpr auto kRole = "62e90394-69f5-4237-9190-012177145e10";

    // The technician's one open checkout on `tenantId`, made anew (the previous one withdrawn first).
    QString freshCheckout(const QString& tenantId)
    {
        const QString tech = signIn(*m_techKey);
        const HttpResult mine = m_cloud->get(QStringLiteral("/v1/checkouts?tenantId=") + tenantId, tech);
        for (const auto& c : mine.json.value(QLatin1String("items")).toArray()) {
            const QString state = c.toObject().value(QLatin1String("state")).toString();
            if (state == QLatin1String("requested") || state == QLatin1String("awaiting_approval"))
                m_cloud->post(QStringLiteral("/v1/checkouts/%1/cancel").arg(c.toObject().value(QLatin1String("id")).toString()), {}, tech);
        }
        return idOf(m_cloud->post(QStringLiteral("/v1/checkouts"),
                                  {{QStringLiteral("tenantId"), tenantId},
                                   {QStringLiteral("roleDefinitionIds"), QJsonArray{QString::fromLatin1(kRole)}},
                                   {QStringLiteral("durationMinutes"), 30},
                                   {QStringLiteral("justification"), QStringLiteral("matrix")}},
                                  tech));
    }

    // A value for a path parameter. Operations that destroy their target get a fresh one each time.
    QString parameter(const QString& name, const QString& method, const QString& path)
    {
        const bool destroys = method == QLatin1String("DELETE") || path.endsWith(QLatin1String("/revoke"));
        const QString admin = signIn(*m_adminKey);
        if (name == QLatin1String("sessionId"))
            return m_cloud->get(QStringLiteral("/v1/me/sessions"), admin).json.value(QLatin1String("items")).toArray().first()
                .toObject().value(QLatin1String("id")).toString();
        if (destroys && name == QLatin1String("inviteId"))
            return idOf(m_cloud->post(QStringLiteral("/v1/invites"),
                                      {{QStringLiteral("email"), QStringLiteral("x%1@msp.test").arg(QRandomGenerator::global()->generate())},
                                       {QStringLiteral("role"), QStringLiteral("technician")}},
                                      admin));
        if (destroys && name == QLatin1String("groupId"))
            return idOf(m_cloud->post(QStringLiteral("/v1/groups"),
                                      {{QStringLiteral("name"), QStringLiteral("g%1").arg(QRandomGenerator::global()->generate())}}, admin));
        if (destroys && name == QLatin1String("policyId"))
            return idOf(m_cloud->post(QStringLiteral("/v1/policies"),
                                      policyBody(QStringLiteral("p%1").arg(QRandomGenerator::global()->generate()),
                                                 {m_ids.value(QStringLiteral("tenantId"))}, {kRole}, {}, {}, 60),
                                      admin));
        if (destroys && name == QLatin1String("webhookId"))
            return idOf(m_cloud->post(QStringLiteral("/v1/webhooks"), {{QStringLiteral("url"), QStringLiteral("https://hooks.msp.test/stint")}}, admin));
        if (name == QLatin1String("checkoutId") && path.endsWith(QLatin1String("/cancel")))
            return freshCheckout(m_ids.value(QStringLiteral("spareTenantId")));
        if (name == QLatin1String("credentialId") && path.startsWith(QLatin1String("/v1/people/")))
            return m_ids.value(QStringLiteral("technicianCredentialId"));
        return m_ids.value(name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_doc = openApi();
        QVERIFY(!m_doc.isEmpty());
        const InitResult init = initDataDir(m_dir.path());
        QString otherInvite;
        {
            auto db = cloud::openCloudStore(configFor(m_dir.path()));
            QVERIFY(db.ok());
            SystemClock clock;
            auto other = cloud::directory::bootstrapOrganization(**db, clock, configFor(m_dir.path()),
                                                                 QStringLiteral("Other MSP"), QStringLiteral("boss@other.test"));
            QVERIFY(other.ok());
            otherInvite = other->invite.token;
            // A session that ended by itself yesterday.
            ManualClock yesterday(clock.now() - 24 * 3'600'000LL);
            const cloud::CloudConfig config = configFor(m_dir.path());
            cloud::Sessions sessions(**db, yesterday, config);
            auto person = cloud::directory::findPersonByEmail(**db, QStringLiteral("admin@msp.test"));
            QVERIFY(person.ok() && person->has_value());
            auto expired = sessions.create((*person)->id, (*person)->orgId, {}, {});
            QVERIFY(expired.ok());
            m_expiredToken = expired->token;
        }
        m_cloud = std::make_unique<CloudProcess>(m_dir.path());
        QVERIFY(m_cloud->start({QStringLiteral("--signin-attempts-per-address"), QStringLiteral("1000000")}));
        m_adminKey = std::make_unique<SoftAuthenticator>(m_cloud->origin());
        m_techKey = std::make_unique<SoftAuthenticator>(m_cloud->origin());
        m_otherKey = std::make_unique<SoftAuthenticator>(m_cloud->origin());
        const QString admin = enrollWithInvite(*m_cloud, *m_adminKey, init.inviteToken);
        QVERIFY(!enrollWithInvite(*m_cloud, *m_otherKey, otherInvite).isEmpty());
        const HttpResult invite = m_cloud->post(QStringLiteral("/v1/invites"),
                                                {{QStringLiteral("email"), QStringLiteral("tech@msp.test")},
                                                 {QStringLiteral("role"), QStringLiteral("technician")}},
                                                admin);
        const QString tech = enrollWithInvite(*m_cloud, *m_techKey,
                                              inviteTokenFromLink(invite.json.value(QLatin1String("enrollmentUrl")).toString()));
        QVERIFY(!tech.isEmpty());

        const HttpResult techMe = m_cloud->get(QStringLiteral("/v1/me"), tech);
        m_ids.insert(QStringLiteral("personId"), techMe.json.value(QLatin1String("person")).toObject().value(QLatin1String("id")).toString());
        m_ids.insert(QStringLiteral("technicianCredentialId"),
                     m_cloud->get(QStringLiteral("/v1/me/credentials"), tech).json.value(QLatin1String("items")).toArray().first()
                         .toObject().value(QLatin1String("id")).toString());
        m_ids.insert(QStringLiteral("credentialId"),
                     m_cloud->get(QStringLiteral("/v1/me/credentials"), admin).json.value(QLatin1String("items")).toArray().first()
                         .toObject().value(QLatin1String("id")).toString());
        m_ids.insert(QStringLiteral("groupId"), idOf(m_cloud->post(QStringLiteral("/v1/groups"), {{QStringLiteral("name"), QStringLiteral("Seeded")}}, admin)));
        m_ids.insert(QStringLiteral("inviteId"), idOf(invite));
        const QString tenant = idOf(m_cloud->post(QStringLiteral("/v1/tenants"), tenantBody(QStringLiteral("Contoso"), {kRole}), admin));
        const QString spare = idOf(m_cloud->post(QStringLiteral("/v1/tenants"), tenantBody(QStringLiteral("Fabrikam"), {kRole}), admin));
        m_ids.insert(QStringLiteral("tenantId"), tenant);
        m_ids.insert(QStringLiteral("spareTenantId"), spare);
        m_ids.insert(QStringLiteral("policyId"),
                     idOf(m_cloud->post(QStringLiteral("/v1/policies"),
                                        policyBody(QStringLiteral("Helpdesk"), {tenant, spare}, {kRole},
                                                   {m_ids.value(QStringLiteral("personId"))}, {}, 60),
                                        admin)));
        m_ids.insert(QStringLiteral("checkoutId"), freshCheckout(tenant));
        m_ids.insert(QStringLiteral("webhookId"),
                     idOf(m_cloud->post(QStringLiteral("/v1/webhooks"), {{QStringLiteral("url"), QStringLiteral("https://hooks.msp.test/stint")}}, admin)));
        m_ids.insert(QStringLiteral("deliveryId"), QStringLiteral("whd_00000000000000000000000000000000")); // none such: 404
        for (const QString& v : std::as_const(m_ids))
            QVERIFY(!v.isEmpty());

        // Changes whose events the probes below do not cause (they change nothing), so the channel check at the end
        // sees every kind of record change: the organization, a person (the technician himself), a group, a tenant, a
        // policy.
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/organization"), {{QStringLiteral("name"), QStringLiteral("MSP")}}, admin).status, 200);
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/people/") + m_ids.value(QStringLiteral("personId")),
                                  {{QStringLiteral("displayName"), QStringLiteral("Tech Nician")}}, admin).status, 200);
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/groups/") + m_ids.value(QStringLiteral("groupId")),
                                  {{QStringLiteral("memberIds"), QJsonArray{m_ids.value(QStringLiteral("personId"))}}}, admin).status, 200);
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/tenants/") + spare, {{QStringLiteral("notes"), QStringLiteral("spare")}, {QStringLiteral("version"), 1}}, admin).status, 200);
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/policies/") + m_ids.value(QStringLiteral("policyId")),
                                  {{QStringLiteral("description"), QStringLiteral("helpdesk")}, {QStringLiteral("version"), 1}}, admin).status, 200);
    }

    void documentAndRouterAgree()
    {
        cloud::Router router;
        cloud::registerRoutes(router);
        QSet<QString> routed, documented;
        for (const auto& route : router.routes())
            routed.insert(route.method + QLatin1Char(' ') + route.pattern);
        const QJsonObject paths = m_doc.value(QLatin1String("paths")).toObject();
        for (auto p = paths.begin(); p != paths.end(); ++p) {
            const QJsonObject ops = p.value().toObject();
            for (auto o = ops.begin(); o != ops.end(); ++o)
                documented.insert(o.key().toUpper() + QLatin1Char(' ') + p.key());
        }
        QVERIFY2(routed - documented == QSet<QString>(), qPrintable(QStringLiteral("routes missing from docs/openapi.json: ")
                                                                    + QStringList((routed - documented).values()).join(QStringLiteral(", "))));
        QVERIFY2(documented - routed == QSet<QString>(), qPrintable(QStringLiteral("documented but not routed: ")
                                                                    + QStringList((documented - routed).values()).join(QStringLiteral(", "))));
    }

    void everyOperationForEveryCaller_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("hasBody");
        QTest::addColumn<QString>("caller");
        QTest::addColumn<int>("expected");
        const QJsonObject paths = m_doc.value(QLatin1String("paths")).toObject();
        for (auto p = paths.begin(); p != paths.end(); ++p) {
            const QJsonObject ops = p.value().toObject();
            for (auto o = ops.begin(); o != ops.end(); ++o) {
                const QJsonObject op = o.value().toObject();
                const QJsonObject authz = op.value(QLatin1String("x-stint-authz")).toObject();
                for (const QString& caller : kCallers) {
                    const QString row = QStringLiteral("%1 %2 as %3").arg(o.key().toUpper(), p.key(), caller);
                    QTest::newRow(qPrintable(row)) << o.key().toUpper() << p.key() << op.contains(QLatin1String("requestBody"))
                                                   << caller << authz.value(caller).toInt(-1);
                }
            }
        }
    }
    void everyOperationForEveryCaller()
    {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(bool, hasBody);
        QFETCH(QString, caller);
        QFETCH(int, expected);
        QVERIFY2(expected > 0, "the operation has no x-stint-authz status for this caller");
        QString concrete = path;
        static const QRegularExpression param(QStringLiteral(R"(\{(\w+)\})"));
        for (const auto& m : param.globalMatch(path)) {
            const QString value = parameter(m.captured(1), method, path);
            QVERIFY2(!value.isEmpty(), qPrintable(QStringLiteral("no value for {%1}").arg(m.captured(1))));
            concrete.replace(m.captured(0), value);
        }
        // A probe body that no operation accepts (unknown field): it shows that authorization is decided before
        // input is read, and keeps the probe from changing anything it is not meant to.
        const QJsonObject probe = hasBody ? QJsonObject{{QStringLiteral("__probe"), true}} : QJsonObject();
        const HttpResult r = m_cloud->request(method, concrete, probe, tokenFor(caller));
        QVERIFY2(r.status == expected, qPrintable(QStringLiteral("%1 %2 as %3: got %4, expected %5: %6")
                                                      .arg(method, concrete, caller)
                                                      .arg(r.status)
                                                      .arg(expected)
                                                      .arg(QString::fromUtf8(r.body.left(300)))));
    }

    // The live channel is part of the matrix: runs last, after every operation above ran for every caller. For every
    // event type, its audience follows the REST read of the same data (docs/openapi.json), and what a technician's
    // channel carried is what REST shows him: his own checkouts and person, and data-free nudges; no groups, policies,
    // people, connections, alerts or other tenants' records.
    void eventChannelFollowsRest_data()
    {
        QTest::addColumn<QString>("type");
        for (const cloud::EventType& t : cloud::eventTypes())
            QTest::newRow(t.type) << QString::fromLatin1(t.type);
        m_techEvents = channelOf(*m_techKey);
        m_adminEvents = channelOf(*m_adminKey);
    }
    void eventChannelFollowsRest()
    {
        QFETCH(QString, type);
        const auto rule = cloud::eventType(type);
        QVERIFY(rule.has_value());
        using A = cloud::EventType::Audience;
        const QStringList read = QString::fromLatin1(rule->restRead).split(QLatin1Char(' '));
        QCOMPARE(read.size(), 2);
        const QJsonObject authz = m_doc.value(QLatin1String("paths")).toObject().value(read.at(1)).toObject()
                                      .value(read.at(0).toLower()).toObject().value(QLatin1String("x-stint-authz")).toObject();
        QVERIFY2(!authz.isEmpty(), qPrintable(QStringLiteral("%1 is not documented").arg(rule->restRead)));
        if (rule->audience != A::Admins)
            QVERIFY2(authz.value(QLatin1String("technician")).toInt() == 200,
                     qPrintable(QStringLiteral("%1 reaches technicians, but %2 refuses them").arg(type, rule->restRead)));

        const QString me = m_ids.value(QStringLiteral("personId"));
        int seenByTech = 0;
        for (const QJsonObject& e : std::as_const(m_techEvents)) {
            if (e.value(QLatin1String("event")).toString() != type)
                continue;
            ++seenByTech;
            const QJsonObject data = e.value(QLatin1String("data")).toObject();
            const QByteArray shown = QJsonDocument(e).toJson(QJsonDocument::Compact).left(300);
            switch (rule->audience) {
            case A::Admins:
                QFAIL(qPrintable(QStringLiteral("a technician got an admins-only event: ") + QString::fromUtf8(shown)));
                break;
            case A::AdminsAndSubject: {
                const QString subject = data.contains(QLatin1String("technicianId"))
                    ? data.value(QLatin1String("technicianId")).toString()
                    : data.value(QLatin1String("id")).toString();
                QVERIFY2(subject == me, shown.constData());
                break;
            }
            case A::Everyone:
                QVERIFY2(data.isEmpty(), shown.constData());
                break;
            }
        }
        // The events the seeding and the matrix caused reached the admins, and the technician's own ones him.
        static const QStringList driven{QStringLiteral("checkout.updated"), QStringLiteral("tenant.created"),
                                        QStringLiteral("tenant.updated"), QStringLiteral("policy.created"),
                                        QStringLiteral("policy.updated"), QStringLiteral("policy.deleted"),
                                        QStringLiteral("group.created"), QStringLiteral("group.updated"),
                                        QStringLiteral("group.deleted"), QStringLiteral("grants.changed"),
                                        QStringLiteral("person.enrolled"), QStringLiteral("person.updated"),
                                        QStringLiteral("organization.updated")};
        if (driven.contains(type)) {
            QVERIFY2(std::any_of(m_adminEvents.begin(), m_adminEvents.end(),
                                 [&](const QJsonObject& e) { return e.value(QLatin1String("event")).toString() == type; }),
                     "the admins never got this event: the check above proves nothing");
            if (rule->audience != A::Admins)
                QVERIFY2(seenByTech > 0, "the technician never got his own event of this type");
        }
    }

    // Nothing on the channel is outside the list of event types.
    void everyEventTypeIsListed()
    {
        for (const QJsonObject& e : std::as_const(m_adminEvents) + m_techEvents)
            QVERIFY2(cloud::eventType(e.value(QLatin1String("event")).toString()).has_value(),
                     qPrintable(e.value(QLatin1String("event")).toString()));
        QVERIFY(!m_adminEvents.isEmpty());
    }

private:
    QList<QJsonObject> m_techEvents, m_adminEvents;
};

QTEST_GUILESS_MAIN(TestAuthorizationMatrix)
#include "TestAuthorizationMatrix.moc"
