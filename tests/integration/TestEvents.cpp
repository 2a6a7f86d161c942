// SPDX-License-Identifier: GPL-3.0-or-later
// The live event channel: authenticated WebSocket, audience filtering, and resume after a reconnect without missing
// or repeating an event.
#include "cloud/events/EventAudience.h"
#include "support/AdminSession.h"
#include "support/EventClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>


class TestEvents : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    QString m_admin;
    QString m_tech;

    int createGroup(const QString& name)
    {
        return m_cloud->post(QStringLiteral("/v1/groups"), {{QStringLiteral("name"), name}}, m_admin).status;
    }

private Q_SLOTS:
    void initTestCase()
    {
        const InitResult init = initDataDir(m_dir.path());
        m_cloud = std::make_unique<CloudProcess>(m_dir.path());
        QVERIFY(m_cloud->start());
        SoftAuthenticator adminKey(m_cloud->origin());
        m_admin = enrollWithInvite(*m_cloud, adminKey, init.inviteToken);
        QVERIFY(!m_admin.isEmpty());
        const HttpResult invite = m_cloud->post(QStringLiteral("/v1/invites"),
                                                {{QStringLiteral("email"), QStringLiteral("tech@msp.test")},
                                                 {QStringLiteral("role"), QStringLiteral("technician")}},
                                                m_admin);
        QCOMPARE(invite.status, 201);
        SoftAuthenticator techKey(m_cloud->origin());
        m_tech = enrollWithInvite(*m_cloud, techKey,
                                  inviteTokenFromLink(invite.json.value(QLatin1String("enrollmentUrl")).toString()));
        QVERIFY(!m_tech.isEmpty());
    }

    void plainHttpGets426()
    {
        const HttpResult r = m_cloud->get(QStringLiteral("/v1/events"));
        QCOMPARE(r.status, 426);
        QCOMPARE(r.problem(), QStringLiteral("upgrade-required"));
    }

    void resumeWithoutGapsOrRepeats()
    {
        EventClient client(m_cloud->port());
        QVERIFY(client.open());
        QVERIFY(client.hello(m_admin, 0));
        QCOMPARE(createGroup(QStringLiteral("resume-1")), 201);
        QVERIFY(client.waitForEvents(2)); // group.created, then grants.changed
        const QJsonObject first = client.events().first();
        QCOMPARE(first.value(QLatin1String("event")).toString(), QStringLiteral("group.created"));
        const qint64 seen = client.lastSeq();
        client.close();

        // While disconnected: two more changes.
        QCOMPARE(createGroup(QStringLiteral("resume-2")), 201);
        QCOMPARE(createGroup(QStringLiteral("resume-3")), 201);

        EventClient again(m_cloud->port());
        QVERIFY(again.open());
        QVERIFY(again.hello(m_admin, seen));
        const auto backlog = again.events();
        QCOMPARE(backlog.size(), 4);
        QCOMPARE(backlog.at(0).value(QLatin1String("data")).toObject().value(QLatin1String("name")).toString(), QStringLiteral("resume-2"));
        QCOMPARE(backlog.at(2).value(QLatin1String("data")).toObject().value(QLatin1String("name")).toString(), QStringLiteral("resume-3"));
        QVERIFY(backlog.at(0).value(QLatin1String("seq")).toInteger() > seen);
        for (int i = 1; i < backlog.size(); ++i)
            QVERIFY(backlog.at(i).value(QLatin1String("seq")).toInteger() > backlog.at(i - 1).value(QLatin1String("seq")).toInteger());
        // Live after the backlog, in order.
        QCOMPARE(createGroup(QStringLiteral("resume-4")), 201);
        QVERIFY(again.waitForEvents(6));
        QCOMPARE(again.events().size(), 6);

        EventClient upToDate(m_cloud->port());
        QVERIFY(upToDate.open());
        QVERIFY(upToDate.hello(m_admin, again.lastSeq()));
        QCOMPARE(upToDate.events().size(), 0);
    }

    void techniciansSeeOnlyTheirAudience()
    {
        EventClient admin(m_cloud->port());
        EventClient tech(m_cloud->port());
        QVERIFY(admin.open() && tech.open());
        QVERIFY(admin.hello(m_admin, 0));
        QVERIFY(tech.hello(m_tech, 0));
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), QStringLiteral("/v1/organization"),
                                  {{QStringLiteral("name"), QStringLiteral("Renamed MSP")}}, m_admin)
                     .status,
                 200);
        QCOMPARE(createGroup(QStringLiteral("visible-to-all")), 201);
        QVERIFY(admin.waitForEvents(3));
        QVERIFY(tech.waitForEvents(1));
        QCOMPARE(admin.events().at(0).value(QLatin1String("event")).toString(), QStringLiteral("organization.updated"));
        QCOMPARE(admin.events().at(1).value(QLatin1String("event")).toString(), QStringLiteral("group.created"));
        QCOMPARE(admin.events().at(2).value(QLatin1String("event")).toString(), QStringLiteral("grants.changed"));
        // A technician gets 403 on GET /v1/groups: of a group change he hears only that grants changed, with no data.
        QCOMPARE(tech.events().size(), 1);
        QCOMPARE(tech.events().at(0).value(QLatin1String("event")).toString(), QStringLiteral("grants.changed"));
        QCOMPARE(tech.events().at(0).value(QLatin1String("data")).toObject(), QJsonObject());
    }

    // Every group change (create, rename, membership, delete) stays with the admins, live and in the backlog.
    void groupChangesNeverReachTechnicians()
    {
        EventClient tech(m_cloud->port());
        QVERIFY(tech.open());
        QVERIFY(tech.hello(m_tech, 0));
        const HttpResult created = m_cloud->post(QStringLiteral("/v1/groups"), {{QStringLiteral("name"), QStringLiteral("secret-ops")}}, m_admin);
        QCOMPARE(created.status, 201);
        const QString groupPath = QStringLiteral("/v1/groups/") + created.json.value(QLatin1String("id")).toString();
        QCOMPARE(m_cloud->request(QStringLiteral("PATCH"), groupPath, {{QStringLiteral("name"), QStringLiteral("secret-ops-2")}}, m_admin).status, 200);
        QCOMPARE(m_cloud->request(QStringLiteral("DELETE"), groupPath, {}, m_admin).status, 204);
        QVERIFY(tech.waitForEvents(3));
        EventClient backlog(m_cloud->port());
        QVERIFY(backlog.open());
        QVERIFY(backlog.hello(m_tech, 1));
        for (const auto& list : {tech.events(), backlog.events()}) {
            for (const QJsonObject& e : list) {
                QVERIFY2(!e.value(QLatin1String("event")).toString().startsWith(QLatin1String("group.")),
                         qPrintable(QJsonDocument(e).toJson(QJsonDocument::Compact)));
                QVERIFY(!QJsonDocument(e).toJson().contains("secret-ops"));
            }
        }
    }

    // The hub refuses to publish a type it does not know, or to an audience wider than the type's (no new event can
    // reach technicians by accident); the audiences follow REST: admins-only data goes to admins.
    void audiencesAreNoWiderThanTheirType_data()
    {
        QTest::addColumn<QString>("type");
        for (const stint::cloud::EventType& t : stint::cloud::eventTypes())
            QTest::newRow(t.type) << QString::fromLatin1(t.type);
    }
    void audiencesAreNoWiderThanTheirType()
    {
        QFETCH(QString, type);
        const auto t = stint::cloud::eventType(type);
        QVERIFY(t.has_value());
        const QJsonObject some{{QStringLiteral("id"), QStringLiteral("x")}};
        using A = stint::cloud::EventType::Audience;
        QCOMPARE(stint::cloud::checkAudience(type, QStringLiteral("org"), some).ok(), false);
        QCOMPARE(stint::cloud::checkAudience(type, QStringLiteral("org"), {}).ok(), t->audience == A::Everyone);
        QCOMPARE(stint::cloud::checkAudience(type, QStringLiteral("admins"), some).ok(), t->audience != A::Everyone);
        QCOMPARE(stint::cloud::checkAudience(type, QStringLiteral("admins|person:per_1"), some).ok(),
                 t->audience == A::AdminsAndSubject);
        QCOMPARE(stint::cloud::checkAudience(type, QStringLiteral("person:per_1|org"), some).ok(), false);
        QCOMPARE(stint::cloud::checkAudience(type, QStringLiteral("admins|person:per_1|org"), some).ok(), false);
    }
    void unknownTypesAreRefused()
    {
        QVERIFY(!stint::cloud::checkAudience(QStringLiteral("webhook.created"), QStringLiteral("admins"), {}).ok());
        QVERIFY(!stint::cloud::checkAudience(QStringLiteral(""), QStringLiteral("admins"), {}).ok());
    }

    void badHellosAreRefused_data()
    {
        QTest::addColumn<QByteArray>("hello");
        QTest::addColumn<QString>("code");
        QTest::newRow("malformed") << QByteArray("{\"type\":") << QStringLiteral("malformed-json");
        QTest::newRow("unknown token") << QByteArray("{\"type\":\"hello\",\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}")
                                       << QStringLiteral("unauthenticated");
        QTest::newRow("extra field") << QByteArray("{\"type\":\"hello\",\"token\":\"x\",\"admin\":true}") << QStringLiteral("bad-hello");
        QTest::newRow("negative since") << QByteArray("{\"type\":\"hello\",\"token\":\"x\",\"since\":-1}") << QStringLiteral("bad-hello");
        QTest::newRow("not hello") << QByteArray("{\"type\":\"subscribe\",\"token\":\"x\"}") << QStringLiteral("bad-hello");
    }
    void badHellosAreRefused()
    {
        QFETCH(QByteArray, hello);
        QFETCH(QString, code);
        EventClient client(m_cloud->port());
        QVERIFY(client.open());
        client.send(hello);
        QVERIFY(client.waitClosed());
        QVERIFY(!client.messages.isEmpty());
        QCOMPARE(client.messages.last().value(QLatin1String("type")).toString(), QStringLiteral("error"));
        QCOMPARE(client.messages.last().value(QLatin1String("code")).toString(), code);
    }

    void signOutClosesTheChannel()
    {
        EventClient tech(m_cloud->port());
        QVERIFY(tech.open());
        QVERIFY(tech.hello(m_tech, 0));
        QCOMPARE(m_cloud->post(QStringLiteral("/v1/auth/signout"), {}, m_tech).status, 204);
        QVERIFY(tech.waitClosed());
        QCOMPARE(tech.messages.last().value(QLatin1String("code")).toString(), QStringLiteral("session-ended"));
    }
};

QTEST_GUILESS_MAIN(TestEvents)
#include "TestEvents.moc"
