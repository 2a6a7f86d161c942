// SPDX-License-Identifier: GPL-3.0-or-later
// entra-sim's faults: throttling by budget (protocols.md 2.10), forced 429s, 5xx, dropped connections, latency that
// does not serialise requests, replication lag (2.11), and the request log.
#include "support/SimTestWorld.h"

#include <QJsonArray>
#include <QTcpSocket>
#include <QTest>
#include <memory>

using namespace stint;
using namespace stint::entrasim;
using namespace stint::entrasim::testing;
using stint::test::ApiReply;

namespace {

// One raw HTTP exchange per socket, so each request has its own connection (QNetworkAccessManager would pool six
// and retry dropped ones).
struct RawExchange
{
    std::unique_ptr<QTcpSocket> socket = std::make_unique<QTcpSocket>();
    QByteArray received;
    bool closed = false;

    void start(quint16 port, const QByteArray& request)
    {
        QObject::connect(socket.get(), &QTcpSocket::readyRead, [this] { received += socket->readAll(); });
        QObject::connect(socket.get(), &QTcpSocket::disconnected, [this] { closed = true; });
        socket->connectToHost(QHostAddress::LocalHost, port);
        socket->write(request);
    }
    bool complete() const
    {
        const qsizetype end = received.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray head = received.left(end).toLower();
        const qsizetype at = head.indexOf("content-length: ");
        if (at < 0)
            return true;
        const qsizetype eol = head.indexOf("\r\n", at);
        const int length = head.mid(at + 16, (eol < 0 ? head.size() : eol) - at - 16).toInt();
        return received.size() >= end + 4 + length;
    }
};

} // namespace

class TestEntraSimFaults : public QObject
{
    Q_OBJECT

private slots:
    void throttlingByResourceUnits()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        w.sim.faults().setThrottleScale(0.002); // small tenant: 3,500 × 0.002 = 7 resource units per 10 s
        const QString token = w.token();
        for (int i = 0; i < 7; ++i)
            QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        ApiReply r = w.api.get("/v1.0/organization", token);
        QCOMPARE(r.status, 429);
        QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("TooManyRequests"));
        QCOMPARE(r.header("Retry-After"), QByteArray("2")); // 0.7 units/s refill, one unit short
        QCOMPARE(r.header("x-ms-throttle-information"), QByteArray("ResourceUnitLimitExceeded"));
        QCOMPARE(QString::fromLatin1(r.header("x-ms-throttle-scope")),
                 QStringLiteral("Tenant_Application/ReadWrite/%1/%2").arg(w.privilegedAppId, w.tenantId));
        // Still throttled until the bucket refills; then it recovers.
        w.clock.advance(1000);
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 429);
        w.clock.advance(1000);
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        // Another app has its own budget in the same tenant.
        QCOMPARE(w.api.get("/v1.0/organization", w.token(kAllPermissions, false)).status, 200);
        QCOMPARE(w.sim.throttledByTenant().value(w.tenantId), 2);
        int throttledLogged = 0;
        for (const LoggedRequest& e : w.sim.requests())
            throttledLogged
                += e.throttled && e.status == 429 && e.tenantId == w.tenantId && e.appId == w.privilegedAppId;
        QCOMPARE(throttledLogged, 2);
    }

    void throttlingCostsAndHeaders()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        w.tenant().size = TenantSize::M; // 5,000 × 0.002 = 10 units
        w.sim.faults().setThrottleScale(0.002);
        const QString token = w.token();
        ApiReply r = w.api.get("/v1.0/users", token);
        QCOMPARE(r.header("x-ms-resource-unit"), QByteArray("2"));
        r = w.api.get("/v1.0/users?$top=5&$select=id", token); // 2 − 1 − 1 → at least 1
        QCOMPARE(r.header("x-ms-resource-unit"), QByteArray("1"));
        for (int i = 0; i < 5; ++i)
            r = w.api.get("/v1.0/organization", token);
        QCOMPARE(r.status, 200);
        QVERIFY(r.header("x-ms-throttle-limit-percentage").isEmpty()); // 8 of 10: not more than 0.8 yet
        r = w.api.get("/v1.0/organization", token);
        QCOMPARE(r.header("x-ms-throttle-limit-percentage"), QByteArray("0.9"));
        QCOMPARE(w.api.get("/v1.0/users", token).status, 429); // costs 2, 1 left
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 429);
    }

    void throttlingWrites()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        w.sim.faults().setThrottleScale(0.002); // writes: 3,000 × 0.002 = 6 per 150 s
        const QString token = w.token();
        for (int i = 0; i < 6; ++i)
            QCOMPARE(w.api.post("/v1.0/users", token, w.newUserBody(QStringLiteral("w%1@contoso.com").arg(i))).status,
                     201);
        w.clock.advance(10'000); // the resource units refill, the write budget barely
        const ApiReply r = w.api.post("/v1.0/users", token, w.newUserBody("w6@contoso.com"));
        QCOMPARE(r.status, 429);
        QCOMPARE(r.header("x-ms-throttle-information"), QByteArray("WriteLimitExceeded"));
        QCOMPARE(r.header("Retry-After"), QByteArray("15")); // 0.04 writes/s; 0.4 refilled, 0.6 short
        QVERIFY(!w.sim.state().userByUpn(w.tenantId, "w6@contoso.com"));
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200); // reads are not write-limited
        w.clock.advance(15'000);
        QCOMPARE(w.api.post("/v1.0/users", token, w.newUserBody("w6@contoso.com")).status, 201);
    }

    void documentedBudgetsAreGenerous()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const QString token = w.token();
        for (int i = 0; i < 200; ++i)
            QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        QCOMPARE(w.sim.throttledByTenant().value(w.tenantId), 0);
    }

    void forcedThrottleAndServerErrors()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const QString token = w.token();
        w.sim.faults().throttleNext(1, 3);
        ApiReply r = w.api.get("/v1.0/organization", token);
        QCOMPARE(r.status, 429);
        QCOMPARE(r.header("Retry-After"), QByteArray("3"));
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);

        w.sim.faults().failNext(2, 503);
        r = w.api.get("/v1.0/organization", token);
        QCOMPARE(r.status, 503);
        QVERIFY(!SimTestWorld::graphCode(r).isEmpty());
        QVERIFY(
            !r.json.value("error").toObject().value("innerError").toObject().value("request-id").toString().isEmpty());
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 503);
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);

        // Scoped by path prefix and by tenant.
        w.sim.faults().failNext(1, 500, {{}, QStringLiteral("/v1.0/users")});
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        QCOMPARE(w.api.get("/v1.0/users", token).status, 500);
        QCOMPARE(w.api.get("/v1.0/users", token).status, 200);
        w.sim.faults().failNext(1, 502, {QStringLiteral("00000000-0000-0000-0000-000000000001"), {}});
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        w.sim.faults().clear();
        // Identity paths get the AADSTS error shape.
        w.sim.faults().failNext(1, 503, {{}, QStringLiteral("/common")});
        r = w.api.post("/common/oauth2/v2.0/token", {});
        QCOMPARE(r.status, 503);
        QVERIFY(r.json.value("error_description").toString().startsWith("AADSTS"));
    }

    void failureRateIsRepeatable()
    {
        const auto run = [](quint32 seed) {
            SimTestWorld w;
            if (!w.start())
                return QList<int>();
            w.sim.faults().setFailureRate(0.5, seed);
            const QString token = w.token();
            QList<int> statuses;
            for (int i = 0; i < 30; ++i)
                statuses << w.api.get("/v1.0/organization", token).status;
            return statuses;
        };
        const QList<int> a = run(42);
        const QList<int> b = run(42);
        QCOMPARE(a.size(), 30);
        QCOMPARE(a, b);
        QVERIFY(a.contains(503));
        QVERIFY(a.contains(200));
    }

    void droppedConnections()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        w.sim.faults().dropNext(1, {{}, QStringLiteral("/v1.0/organization")});
        RawExchange dropped;
        dropped.start(w.sim.baseUrl().port(), "GET /v1.0/organization HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY(dropped.closed);
        QVERIFY(dropped.received.isEmpty());
        QVERIFY(w.sim.requests().last().dropped);
        RawExchange next;
        next.start(w.sim.baseUrl().port(), "GET /v1.0/organization HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY(next.complete());
        QVERIFY(next.received.startsWith("HTTP/1.1 401 "));
    }

    // Latency is answered with one timer per request: parallel delayed requests overlap rather than queue.
    void latencyDoesNotSerialise()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const int latency = 300;
        const int count = 20;
        w.sim.faults().setLatency(latency);
        std::vector<RawExchange> exchanges(count);
        for (RawExchange& e : exchanges)
            e.start(w.sim.baseUrl().port(), "GET /v1.0/organization HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(exchanges.begin(), exchanges.end(), [](const RawExchange& e) { return e.complete(); }), 30'000);
        const QList<LoggedRequest> log = w.sim.requests();
        QCOMPARE(log.size(), count);
        qint64 lastReceived = 0;
        qint64 firstAnswered = std::numeric_limits<qint64>::max();
        for (const LoggedRequest& e : log) {
            QVERIFY(e.answeredMs - e.receivedMs >= latency - 5);
            lastReceived = qMax(lastReceived, e.receivedMs);
            firstAnswered = qMin(firstAnswered, e.answeredMs);
        }
        // Every request was in flight at once.
        QVERIFY2(
            lastReceived < firstAnswered,
            qPrintable(QStringLiteral("last received %1, first answered %2").arg(lastReceived).arg(firstAnswered)));
    }

    void replicationLag()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        w.sim.faults().setReplicationLag(5000);
        const QString token = w.token();
        ApiReply r = w.api.post("/v1.0/users", token, w.newUserBody("fresh@contoso.com"));
        QCOMPARE(r.status, 201); // the write's answer is trusted
        const QString id = r.json.value("id").toString();
        QCOMPARE(r.json.value("userPrincipalName").toString(), QStringLiteral("fresh@contoso.com"));

        QCOMPARE(w.api.get("/v1.0/users/fresh@contoso.com", token).status, 404);
        QCOMPARE(w.api.get("/v1.0/users/" + id, token).status, 404);
        r = w.api.get("/v1.0/users?$filter=userPrincipalName%20eq%20'fresh@contoso.com'", token);
        QCOMPARE(r.json.value("value").toArray().size(), 0);
        r = w.api.post(
            "/v1.0/roleManagement/directory/roleAssignments", token,
            {{"roleDefinitionId", roles::kGlobalAdministrator}, {"principalId", id}, {"directoryScopeId", "/"}});
        QCOMPARE(r.status, 404);
        QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("Request_ResourceNotFound"));
        QVERIFY(SimTestWorld::graphMessage(r).contains(id));
        // A UPN conflict is seen at once (the write side is authoritative).
        QCOMPARE(w.api.post("/v1.0/users", token, w.newUserBody("fresh@contoso.com")).status, 400);

        w.clock.advance(5000);
        QCOMPARE(w.api.get("/v1.0/users/fresh@contoso.com", token).status, 200);
        r = w.api.post(
            "/v1.0/roleManagement/directory/roleAssignments", token,
            {{"roleDefinitionId", roles::kUserAdministrator}, {"principalId", id}, {"directoryScopeId", "/"}});
        QCOMPARE(r.status, 201);
        const QString assignment = r.json.value("id").toString();
        // The new assignment is not listed yet.
        r = w.api.get("/v1.0/roleManagement/directory/roleAssignments?$filter=principalId%20eq%20'" + id + "'", token);
        QCOMPARE(r.json.value("value").toArray().size(), 0);

        // A changed property reads old until it has replicated.
        QCOMPARE(w.api.patch("/v1.0/users/" + id, token, {{"accountEnabled", false}}).status, 204);
        r = w.api.get("/v1.0/users/" + id + "?$select=accountEnabled", token);
        QCOMPARE(r.json.value("accountEnabled").toBool(), true);
        r = w.api.get("/v1.0/users?$filter=accountEnabled%20eq%20false", token);
        QCOMPARE(r.json.value("value").toArray().size(), 0);
        w.clock.advance(5000);
        r = w.api.get("/v1.0/users/" + id + "?$select=accountEnabled", token);
        QCOMPARE(r.json.value("accountEnabled").toBool(), false);
        r = w.api.get("/v1.0/roleManagement/directory/roleAssignments?$filter=principalId%20eq%20'" + id + "'", token);
        QCOMPARE(r.json.value("value").toArray().first().toObject().value("id").toString(), assignment);

        // Lag scoped to another tenant leaves this one consistent.
        w.sim.faults().clear();
        w.sim.faults().setReplicationLag(5000, QStringLiteral("00000000-0000-0000-0000-000000000001"));
        r = w.api.post("/v1.0/users", token, w.newUserBody("instant@contoso.com"));
        QCOMPARE(w.api.get("/v1.0/users/instant@contoso.com", token).status, 200);
    }

    void requestLog()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const ApiReply r
            = w.api.send("GET", "/v1.0/organization?$select=id", w.token(), {}, {{"client-request-id", "trace-1"}});
        QCOMPARE(r.status, 200);
        const LoggedRequest e = w.sim.requests().last();
        QCOMPARE(e.method, QByteArray("GET"));
        QCOMPARE(e.pathAndQuery, QStringLiteral("/v1.0/organization?$select=id"));
        QCOMPARE(e.tenantId, w.tenantId);
        QCOMPARE(e.appId, w.privilegedAppId);
        QCOMPARE(e.status, 200);
        QCOMPARE(e.clientRequestId, QStringLiteral("trace-1"));
        QCOMPARE(e.time, w.clock.now());
        QVERIFY(!e.throttled);
        // Tokens never reach the log.
        for (const LoggedRequest& entry : w.sim.requests())
            QVERIFY(!entry.toJson().contains("authorization"));
        w.sim.clearRequests();
        QVERIFY(w.sim.requests().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEntraSimFaults)
#include "TestEntraSimFaults.moc"
