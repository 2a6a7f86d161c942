// SPDX-License-Identifier: GPL-3.0-or-later
// Webhooks end to end: a local receiver checks the Stint-Signature HMAC; deliveries retry on errors with backoff,
// become dead letters after the configured attempts, and can be sent again. The secret is shown once.
#include "cloud/webhooks/WebhookSignature.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/FakeConnectGateway.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <deque>

using namespace stint;
using namespace stint::test;

namespace {
// A minimal HTTP/1.1 receiver on 127.0.0.1: records each request and answers with the next scripted status (200 when
// the script is empty).
class Receiver
{
public:
    struct Request
    {
        QByteArray head;
        QByteArray body;
        QByteArray header(const QByteArray& name) const
        {
            for (const QByteArray& line : head.split('\n')) {
                const int colon = int(line.indexOf(':'));
                if (colon > 0 && line.left(colon).trimmed().toLower() == name.toLower())
                    return line.mid(colon + 1).trimmed();
            }
            return {};
        }
    };

    Receiver()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket* socket = m_server.nextPendingConnection()) {
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                    *buffer += socket->readAll();
                    const int end = int(buffer->indexOf("\r\n\r\n"));
                    if (end < 0)
                        return;
                    Request r;
                    r.head = buffer->left(end);
                    const int length = r.header("Content-Length").toInt();
                    if (buffer->size() < end + 4 + length)
                        return;
                    r.body = buffer->mid(end + 4, length);
                    buffer->clear();
                    requests.push_back(r);
                    const int status = script.empty() ? 200 : script.front();
                    if (!script.empty())
                        script.pop_front();
                    const QByteArray location = status >= 300 && status < 400
                        ? "Location: " + url().toUtf8() + "/moved\r\n"
                        : QByteArray();
                    socket->write("HTTP/1.1 " + QByteArray::number(status) + " X\r\n" + location
                                  + "Content-Length: 2\r\nConnection: close\r\n\r\nok");
                    socket->disconnectFromHost();
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hooks/stint").arg(m_server.serverPort()); }

    std::deque<int> script;
    QList<Request> requests;

private:
    QTcpServer m_server;
};
} // namespace

class TestWebhooks : public QObject
{
    Q_OBJECT

    std::unique_ptr<CloudFixture> m_cloud;
    QString m_org, m_tenant;
    SignedInPerson m_admin, m_tech, m_otherAdmin;

    ApiClient& api() { return m_cloud->api(); }

    QString snapshot()
    {
        return m_cloud->snapshot()
            + QStringLiteral(" webhooks=%1 deliveries=%2 versions=%3")
                  .arg(m_cloud->count(QStringLiteral("webhooks")))
                  .arg(m_cloud->count(QStringLiteral("webhook_deliveries")))
                  .arg(m_cloud->scalar(QStringLiteral("SELECT SUM(version) FROM webhooks")));
    }

    // Something that publishes a tenant.connection event: setting the tenant's own app credential.
    void causeEvent()
    {
        const QJsonObject body{{QStringLiteral("kind"), QStringLiteral("client_secret")},
                               {QStringLiteral("clientId"), QStringLiteral("11112222-bbbb-3333-cccc-4444dddd5555")},
                               {QStringLiteral("clientSecret"), QStringLiteral("s3cr3t-value")}};
        const ApiReply r = api().send("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(m_tenant),
                                      m_admin.token, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QVERIFY2(r.status == 200, r.describe().constData());
    }

    QJsonArray deliveries(const QString& hookId, const QString& status = {})
    {
        QString path = QStringLiteral("/v1/webhooks/%1/deliveries").arg(hookId);
        if (!status.isEmpty())
            path += QStringLiteral("?status=") + status;
        return api().get(path, m_admin.token).items();
    }

    // Moves the clock and signs in again (sessions end while the clock moves).
    void advance(qint64 ms)
    {
        m_cloud->clock().advance(ms);
        m_admin.token = m_cloud->signIn(m_admin.id);
        m_otherAdmin.token = m_cloud->signIn(m_otherAdmin.id);
    }

private slots:
    void init()
    {
        cloud::CloudConfig config;
        config.schedulerTickMs = 50;
        config.webhooks.maxAttempts = 3;
        config.webhooks.firstRetrySeconds = 30;
        config.webhooks.timeoutSeconds = 5;
        m_cloud = std::make_unique<CloudFixture>(config);
        m_cloud->setGateway(std::make_unique<FakeConnectGateway>());
        QVERIFY2(m_cloud->start(), qPrintable(m_cloud->error()));
        m_org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        const QString other = m_cloud->addOrganization(QStringLiteral("Other MSP"));
        m_admin = addSignedInPerson(*m_cloud, m_org, QStringLiteral("admin@acme.example"), QStringLiteral("admin"));
        m_tech = addSignedInPerson(*m_cloud, m_org, QStringLiteral("tech@acme.example"));
        m_otherAdmin = addSignedInPerson(*m_cloud, other, QStringLiteral("admin@other.example"), QStringLiteral("admin"));
        m_tenant = createTenant(*m_cloud, m_admin.token, tenantBody(QStringLiteral("Contoso"), {kUserAdministrator}));
        QVERIFY(!m_tenant.isEmpty());
    }

    void cleanup() { m_cloud.reset(); }

    void signedDelivery()
    {
        Receiver receiver;
        const ApiReply created = api().post(QStringLiteral("/v1/webhooks"), m_admin.token,
                                            {{QStringLiteral("url"), receiver.url()},
                                             {QStringLiteral("description"), QStringLiteral("SIEM")}});
        QVERIFY2(created.status == 201, created.describe().constData());
        const QString id = created.json.value(QLatin1String("id")).toString();
        const QByteArray secret = created.json.value(QLatin1String("secret")).toString().toUtf8();
        QVERIFY(secret.startsWith("whsec_"));
        // Shown once: never again, and sealed at rest.
        const ApiReply read = api().get(QStringLiteral("/v1/webhooks/") + id, m_admin.token);
        QCOMPARE(read.status, 200);
        QVERIFY(!read.body.contains(secret));
        QVERIFY(!read.json.contains(QLatin1String("secret")));
        QVERIFY(!api().get(QStringLiteral("/v1/webhooks"), m_admin.token).body.contains(secret));
        QCOMPARE(m_cloud->count(QStringLiteral("webhooks"), QStringLiteral("CAST(sealed_secret AS TEXT) LIKE ?"),
                                {QStringLiteral("%whsec_%")}),
                 qint64(0));
        // Other organizations see nothing.
        QCOMPARE(api().get(QStringLiteral("/v1/webhooks/") + id, m_otherAdmin.token).status, 404);
        QCOMPARE(api().get(QStringLiteral("/v1/webhooks"), m_otherAdmin.token).items().size(), 0);
        QCOMPARE(api().get(QStringLiteral("/v1/webhooks"), m_tech.token).status, 403);

        causeEvent();
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requests.size(), 1, 10000);
        const Receiver::Request& r = receiver.requests.first();
        const QByteArray signature = r.header("Stint-Signature");
        QVERIFY2(cloud::webhooks::verifySignature(secret, signature, r.body, m_cloud->clock().now() / 1000),
                 signature.constData());
        QVERIFY(!cloud::webhooks::verifySignature("whsec_wrong", signature, r.body, m_cloud->clock().now() / 1000));
        QVERIFY(!cloud::webhooks::verifySignature(secret, signature, r.body + ' ', m_cloud->clock().now() / 1000));
        const QJsonObject body = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(body.value(QLatin1String("type")).toString(), QStringLiteral("tenant.connection"));
        QCOMPARE(body.value(QLatin1String("organizationId")).toString(), m_org);
        QCOMPARE(QByteArray(r.header("Stint-Event-Id")), body.value(QLatin1String("id")).toString().toUtf8());
        QVERIFY(!body.value(QLatin1String("occurredAt")).toString().isEmpty());
        QCOMPARE(body.value(QLatin1String("data")).toObject().value(QLatin1String("tenantId")).toString(), m_tenant);
        QVERIFY(!r.body.contains("s3cr3t-value"));
        QTRY_COMPARE_WITH_TIMEOUT(deliveries(id, QStringLiteral("delivered")).size(), 1, 10000);

        // A webhook filtered to checkout events does not get connection events.
        const ApiReply filtered = api().post(QStringLiteral("/v1/webhooks"), m_admin.token,
                                             {{QStringLiteral("url"), receiver.url()},
                                              {QStringLiteral("eventTypes"), QJsonArray{QStringLiteral("checkout.updated")}}});
        QCOMPARE(filtered.status, 201);
        causeEvent();
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requests.size(), 2, 10000);
        QCOMPARE(deliveries(filtered.json.value(QLatin1String("id")).toString()).size(), 0);
        // A checkout transition reaches it.
        QVERIFY(!createPolicy(*m_cloud, m_admin.token, policyBody(QStringLiteral("Helpdesk"), {m_tenant}, {kUserAdministrator}, {m_tech.id})).isEmpty());
        QVERIFY(!requestCheckout(*m_cloud, m_tech.token, m_tenant, {kUserAdministrator}, 30).isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(deliveries(filtered.json.value(QLatin1String("id")).toString()).size(), 1, 10000);
    }

    void retriesThenSucceeds()
    {
        Receiver receiver;
        receiver.script = {500, 503};
        const QString id = api().post(QStringLiteral("/v1/webhooks"), m_admin.token, {{QStringLiteral("url"), receiver.url()}})
                               .json.value(QLatin1String("id")).toString();
        causeEvent();
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requests.size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(deliveries(id).first().toObject().value(QLatin1String("attempts")).toInt(), 1, 10000);
        QJsonObject d = deliveries(id).first().toObject();
        QCOMPARE(d.value(QLatin1String("status")).toString(), QStringLiteral("pending"));
        QCOMPARE(d.value(QLatin1String("lastStatus")).toInt(), 500);
        // Backoff: 30 s ± 20 %. Not before 24 s…
        advance(23'000);
        QTest::qWait(200); // several dispatcher ticks: the retry must not come early
        QCOMPARE(receiver.requests.size(), 1);
        // …and by 36 s.
        advance(13'000);
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requests.size(), 2, 10000);
        // The second failure must be recorded (its backoff counts from then) before time moves on.
        QTRY_COMPARE_WITH_TIMEOUT(deliveries(id).first().toObject().value(QLatin1String("attempts")).toInt(), 2, 10000);
        // Second backoff: 60 s ± 20 %.
        advance(73'000);
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requests.size(), 3, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(deliveries(id).first().toObject().value(QLatin1String("status")).toString(),
                                  QStringLiteral("delivered"), 10000);
        d = deliveries(id).first().toObject();
        QCOMPARE(d.value(QLatin1String("attempts")).toInt(), 3);
        // Every attempt carried the same event id and body.
        QCOMPARE(receiver.requests.at(0).body, receiver.requests.at(2).body);
        QCOMPARE(receiver.requests.at(0).header("Stint-Event-Id"), receiver.requests.at(2).header("Stint-Event-Id"));
    }

    void redirectsAreNotFollowed()
    {
        Receiver receiver;
        receiver.script = {307};
        const QString id = api().post(QStringLiteral("/v1/webhooks"), m_admin.token, {{QStringLiteral("url"), receiver.url()}})
                               .json.value(QLatin1String("id")).toString();
        causeEvent();
        QTRY_COMPARE_WITH_TIMEOUT(deliveries(id).first().toObject().value(QLatin1String("lastStatus")).toInt(), 307, 10000);
        const QJsonObject d = deliveries(id).first().toObject();
        QCOMPARE(d.value(QLatin1String("status")).toString(), QStringLiteral("pending"));
        QCOMPARE(d.value(QLatin1String("attempts")).toInt(), 1);
        // Only the one request: the redirect's target was never asked.
        QCOMPARE(receiver.requests.size(), 1);
        QVERIFY(!receiver.requests.first().head.contains("/moved"));
    }

    void deadLetterAndRedelivery()
    {
        Receiver receiver;
        receiver.script = {500, 500, 500};
        const QString id = api().post(QStringLiteral("/v1/webhooks"), m_admin.token, {{QStringLiteral("url"), receiver.url()}})
                               .json.value(QLatin1String("id")).toString();
        causeEvent();
        for (int attempt = 1; attempt <= 3; ++attempt) {
            QTRY_COMPARE_WITH_TIMEOUT(receiver.requests.size(), attempt, 10000);
            QTRY_COMPARE_WITH_TIMEOUT(deliveries(id).first().toObject().value(QLatin1String("attempts")).toInt(), attempt, 10000);
            advance(10LL * 60 * 1000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(deliveries(id, QStringLiteral("dead")).size(), 1, 10000);
        QCOMPARE(deliveries(id, QStringLiteral("pending")).size(), 0);
        // Dead means no more attempts.
        advance(24LL * 3600 * 1000);
        QTest::qWait(200); // several dispatcher ticks: nothing more may be sent
        QCOMPARE(receiver.requests.size(), 3);

        const QString deliveryId = deliveries(id, QStringLiteral("dead")).first().toObject().value(QLatin1String("id")).toString();
        const QString redeliver = QStringLiteral("/v1/webhooks/%1/deliveries/%2/redeliver").arg(id, deliveryId);
        QCOMPARE(api().post(redeliver, m_otherAdmin.token).status, 404);
        const ApiReply again = api().post(redeliver, m_admin.token);
        QVERIFY2(again.status == 202, again.describe().constData());
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requests.size(), 4, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(deliveries(id, QStringLiteral("delivered")).size(), 1, 10000);
        QCOMPARE(m_cloud->count(QStringLiteral("audit_events"), QStringLiteral("action = 'webhook.redeliver'")), qint64(1));
    }

    void badInputChangesNothing()
    {
        const QString before = snapshot();
        const QList<QJsonObject> bodies{
            {},
            {{QStringLiteral("url"), QStringLiteral("http://hooks.example.com/x")}},
            {{QStringLiteral("url"), QStringLiteral("ftp://hooks.example.com/x")}},
            {{QStringLiteral("url"), QStringLiteral("https://user:pw@hooks.example.com/x")}},
            {{QStringLiteral("url"), QStringLiteral("not a url")}},
            {{QStringLiteral("url"), QStringLiteral("https://hooks.example.com/x")}, {QStringLiteral("eventTypes"), QJsonArray{QStringLiteral("everything")}}},
            {{QStringLiteral("url"), QStringLiteral("https://hooks.example.com/x")}, {QStringLiteral("secret"), QStringLiteral("mine")}},
        };
        for (const QJsonObject& body : bodies) {
            const ApiReply r = api().post(QStringLiteral("/v1/webhooks"), m_admin.token, body);
            QVERIFY2(r.status == 422 && r.problem() == QStringLiteral("validation"), r.describe().constData());
        }
        QCOMPARE(snapshot(), before);
        const QString id = api().post(QStringLiteral("/v1/webhooks"), m_admin.token,
                                      {{QStringLiteral("url"), QStringLiteral("https://hooks.example.com/x")}})
                               .json.value(QLatin1String("id")).toString();
        QVERIFY(!id.isEmpty());
        const QString created = snapshot();
        QCOMPARE(api().patch(QStringLiteral("/v1/webhooks/") + id, m_admin.token, {{QStringLiteral("url"), QStringLiteral("http://example.com")}}).problem(),
                 QStringLiteral("validation"));
        QCOMPARE(api().get(QStringLiteral("/v1/webhooks/%1/deliveries?status=lost").arg(id), m_admin.token).status, 400);
        QCOMPARE(api().post(QStringLiteral("/v1/webhooks/%1/deliveries/whd_nope/redeliver").arg(id), m_admin.token).status, 404);
        QCOMPARE(api().del(QStringLiteral("/v1/webhooks/") + id, m_otherAdmin.token).status, 404);
        QCOMPARE(snapshot(), created);
        // Valid changes work; loopback http is allowed.
        const ApiReply patched = api().patch(QStringLiteral("/v1/webhooks/") + id, m_admin.token,
                                             {{QStringLiteral("url"), QStringLiteral("http://127.0.0.1:9/x")}, {QStringLiteral("enabled"), false}});
        QVERIFY2(patched.status == 200, patched.describe().constData());
        QCOMPARE(patched.json.value(QLatin1String("enabled")).toBool(), false);
        QCOMPARE(api().del(QStringLiteral("/v1/webhooks/") + id, m_admin.token).status, 204);
        QCOMPARE(m_cloud->count(QStringLiteral("webhooks")), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestWebhooks)
#include "TestWebhooks.moc"
