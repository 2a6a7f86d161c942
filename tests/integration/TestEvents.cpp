// SPDX-License-Identifier: GPL-3.0-or-later
// The live event channel: authenticated WebSocket, audience filtering, and resume after a reconnect without missing
// or repeating an event.
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
        QVERIFY(client.waitForEvents(1));
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
        QCOMPARE(backlog.size(), 2);
        QCOMPARE(backlog.at(0).value(QLatin1String("data")).toObject().value(QLatin1String("name")).toString(), QStringLiteral("resume-2"));
        QCOMPARE(backlog.at(1).value(QLatin1String("data")).toObject().value(QLatin1String("name")).toString(), QStringLiteral("resume-3"));
        QVERIFY(backlog.at(0).value(QLatin1String("seq")).toInteger() > seen);
        QVERIFY(backlog.at(1).value(QLatin1String("seq")).toInteger() > backlog.at(0).value(QLatin1String("seq")).toInteger());
        // Live after the backlog, in order.
        QCOMPARE(createGroup(QStringLiteral("resume-4")), 201);
        QVERIFY(again.waitForEvents(3));
        QCOMPARE(again.events().size(), 3);

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
        QVERIFY(admin.waitForEvents(2));
        QVERIFY(tech.waitForEvents(1));
        QCOMPARE(admin.events().at(0).value(QLatin1String("event")).toString(), QStringLiteral("organization.updated"));
        // The admin-only event came first; the technician's first event is the org-wide one that followed it.
        QCOMPARE(tech.events().size(), 1);
        QCOMPARE(tech.events().at(0).value(QLatin1String("event")).toString(), QStringLiteral("group.created"));
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
