// SPDX-License-Identifier: GPL-3.0-or-later
// entra-sim's server side: the strict HTTP/1.1 parser under hostile input, keep-alive and pipelining, the control
// API, scenario loading (including scenarios/demo.json) and the entra-sim executable.
#include "support/SimTestWorld.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QTest>
#include <memory>

using namespace stint;
using namespace stint::entrasim;
using namespace stint::entrasim::testing;
using stint::test::ApiReply;

namespace {

const QString kDemoClientId = QStringLiteral("7d6c5b4a-3e2f-4a1b-9c8d-7e6f5a4b3c2d");

QJsonObject readJsonFile(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// Sends raw bytes on a fresh connection and collects everything until the server closes (or `timeoutMs` passes).
// The in-process server runs on this thread, so this spins the event loop rather than blocking.
QByteArray rawExchange(quint16 port, const QByteArray& bytes, int timeoutMs = 10'000)
{
    QTcpSocket socket;
    QByteArray received;
    bool closed = false;
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] { received += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, [&] { closed = true; });
    QObject::connect(&socket, &QTcpSocket::errorOccurred, [&] { closed = true; });
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.write(bytes);
    QElapsedTimer timer;
    timer.start();
    while (!closed && timer.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    return received + socket.readAll();
}

} // namespace

class TestEntraSimServer : public QObject
{
    Q_OBJECT

private slots:
    void hostileHttp_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("statusLine");
        QTest::newRow("garbage request line")
            << QByteArray("GET FOFOFO HTTP 1/1\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("unknown version") << QByteArray("GET / HTTP/2.0\r\n\r\n") << QByteArray("HTTP/1.1 505 ");
        QTest::newRow("nul in target") << (QByteArray("GET /v1.0/") + '\0' + "users HTTP/1.1\r\n\r\n")
                                       << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: x\n\n\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("header without colon")
            << QByteArray("GET / HTTP/1.1\r\nHost x\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("folded header") << QByteArray("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n")
                                       << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("chunked") << QByteArray(
            "POST /v1.0/users HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                                 << QByteArray("HTTP/1.1 501 ");
        QTest::newRow("negative length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n")
                                         << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("text length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n")
                                     << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("conflicting lengths")
            << QByteArray("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
            << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("huge body") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n")
                                   << QByteArray("HTTP/1.1 413 ");
        QTest::newRow("huge header") << QByteArray("GET / HTTP/1.1\r\nX: " + QByteArray(70'000, 'a') + "\r\n\r\n")
                                     << QByteArray("HTTP/1.1 431 ");
        QByteArray many = "GET / HTTP/1.1\r\n";
        for (int i = 0; i < 150; ++i)
            many += "X-" + QByteArray::number(i) + ": 1\r\n";
        QTest::newRow("too many headers") << QByteArray(many + "\r\n") << QByteArray("HTTP/1.1 431 ");
        QTest::newRow("invalid utf-8 path")
            << QByteArray("GET /v1.0/users/%FF%FE HTTP/1.1\r\n\r\n") << QByteArray("HTTP/1.1 400 ");
        QTest::newRow("absolute form") << QByteArray("GET http://x/v1.0/users HTTP/1.1\r\n\r\n")
                                       << QByteArray("HTTP/1.1 400 ");
    }

    void hostileHttp()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, statusLine);
        SimTestWorld w;
        QVERIFY(w.start());
        const int users = w.userCount();
        const QByteArray answer = rawExchange(w.sim.baseUrl().port(), bytes);
        QVERIFY2(answer.startsWith(statusLine), answer.left(200).constData());
        QVERIFY(answer.contains("Connection: close"));
        // The server survives and nothing changed.
        QCOMPARE(w.api.get("/_sim/health").status, 200);
        QCOMPARE(w.userCount(), users);
    }

    void keepAliveAndPipelining()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, w.sim.baseUrl().port());
        QVERIFY(socket.waitForConnected(5000));
        // Two requests in one write, the second split over two writes.
        socket.write("GET /_sim/health HTTP/1.1\r\nHost: x\r\n\r\nGET /v1.0/organ");
        socket.flush();
        QByteArray received;
        QTRY_VERIFY((received += socket.readAll()).count("HTTP/1.1 200 OK") == 1);
        socket.write("ization HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY((received += socket.readAll()).contains("HTTP/1.1 401 "));
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
        QVERIFY(received.indexOf("HTTP/1.1 200 OK") < received.indexOf("HTTP/1.1 401 "));
        // A body with Content-Length, then Connection: close ends the connection.
        socket.write("POST /_sim/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        QTRY_VERIFY(socket.state() == QAbstractSocket::UnconnectedState
                    || (received += socket.readAll()).count("HTTP/1.1 200 OK") == 2);
        QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    }

    void clientGoneBeforeDelayedAnswer()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        w.sim.faults().setLatency(200);
        {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, w.sim.baseUrl().port());
            QVERIFY(socket.waitForConnected(5000));
            socket.write("GET /v1.0/organization HTTP/1.1\r\nHost: x\r\n\r\n");
            QVERIFY(socket.waitForBytesWritten(5000));
            QTRY_COMPARE(w.sim.requests().size() + 1, 1); // not answered yet
        }
        // The delayed answer finds no client and is dropped quietly; the server keeps working.
        QTRY_COMPARE_WITH_TIMEOUT(w.sim.requests().size(), 1, 5000);
        QCOMPARE(w.api.get("/_sim/health").status, 200);
    }

    void controlApi()
    {
        SimTestWorld w;
        QVERIFY(w.sim.listen());
        w.api.setBase(w.sim.baseUrl());
        const QJsonObject tenant {{"displayName", "Fabrikam"},
                                  {"initialDomain", "fabrikam"},
                                  {"size", "M"},
                                  {"domains", QJsonArray {QJsonObject {{"name", "fabrikam.com"}, {"isDefault", true}}}},
                                  {"tapPolicy", QJsonObject {{"state", "enabled"}, {"maximumLifetimeInMinutes", 240}}},
                                  {"users",
                                   QJsonArray {QJsonObject {{"userPrincipalName", "admin@fabrikam.com"},
                                                            {"password", "Fabr1kam!Admin"},
                                                            {"roles", QJsonArray {"Global Administrator"}}}}}};
        ApiReply r = w.api.post("/_sim/tenants", {}, tenant);
        QCOMPARE(r.status, 201);
        const QString tenantId = r.json.value("id").toString();
        QCOMPARE(r.json.value("size").toString(), QStringLiteral("M"));
        QCOMPARE(r.json.value("users").toArray().first().toObject().value("roles").toArray().first().toString(),
                 roles::kGlobalAdministrator);
        QVERIFY(!r.body.contains("Fabr1kam")); // passwords never come back

        r = w.api.post("/_sim/apps", {},
                       {{"homeTenant", "fabrikam.com"},
                        {"displayName", "MSP app"},
                        {"requiredPermissions", QJsonArray {"Organization.Read.All", "User.ReadWrite.All"}},
                        {"secrets", QJsonArray {QJsonObject {{"value", "s3cret-value-123"}}}}});
        QCOMPARE(r.status, 201);
        const QString clientId = r.json.value("clientId").toString();
        QVERIFY(w.sim.state().checkClientSecret(*w.sim.state().app(clientId), "s3cret-value-123", w.clock.now()));
        QVERIFY(!w.sim.state().checkClientSecret(*w.sim.state().app(clientId), "s3cret-value-124", w.clock.now()));
        r = w.api.post("/_sim/grants", {},
                       {{"tenant", tenantId},
                        {"clientId", clientId},
                        {"directoryRoles", QJsonArray {"Privileged Authentication Administrator"}}});
        QCOMPARE(r.status, 200);
        r = w.api.post("/_sim/tokens", {}, {{"tenant", "fabrikam.com"}, {"clientId", clientId}});
        QCOMPARE(r.status, 200);
        const QString token = r.json.value("access_token").toString();
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        QCOMPARE(w.api.get("/v1.0/domains", token).status, 403); // Domain.Read.All was not granted

        r = w.api.post("/_sim/tenants/fabrikam.com/users", {}, {{"userPrincipalName", "tech@fabrikam.com"}});
        QCOMPARE(r.status, 201);
        r = w.api.post("/_sim/tenants/fabrikam.com/roleAssignments", {},
                       {{"userPrincipalName", "tech@fabrikam.com"}, {"role", "Helpdesk Administrator"}});
        QCOMPARE(r.status, 201);
        r = w.api.post("/_sim/tenants/fabrikam.com/domains", {}, {{"name", "eu.fabrikam.com"}, {"isVerified", false}});
        QCOMPARE(r.status, 201);
        r = w.api.send("PATCH", "/_sim/tenants/fabrikam.com", {}, "{\"permanentDeleteAllowed\":false,\"size\":\"L\"}");
        QCOMPARE(r.status, 200);
        QCOMPARE(w.sim.state().tenant(tenantId)->size, TenantSize::L);
        QVERIFY(!w.sim.state().tenant(tenantId)->permanentDeleteAllowed);

        r = w.api.get("/_sim/tenants/" + tenantId);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("users").toArray().size(), 2);
        QCOMPARE(r.json.value("servicePrincipals").toArray().size(), 1);
        QCOMPARE(r.json.value("tapPolicy").toObject().value("maximumLifetimeInMinutes").toInt(), 240);

        // Faults through the control API.
        r = w.api.post("/_sim/faults", {},
                       {{"failNext", QJsonObject {{"count", 1}, {"status", 503}, {"tenant", "fabrikam.com"}}}});
        QCOMPARE(r.status, 200);
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 503);
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        r = w.api.post("/_sim/faults", {},
                       {{"throttleScalePermille", 1}, {"replicationLag", QJsonObject {{"ms", 1000}}}});
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("throttleScale").toDouble(), 0.001);
        QCOMPARE(w.api.send("DELETE", "/_sim/faults", {}, {}).status, 204);
        QCOMPARE(w.api.get("/_sim/faults").json.value("throttleScale").toDouble(), 1.0);
        r = w.api.post("/_sim/faults", {}, {{"expireTokens", true}});
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 401);

        // The request log.
        r = w.api.get("/_sim/requests?tenant=" + tenantId);
        QCOMPARE(r.status, 200);
        QVERIFY(r.json.value("requests").toArray().size() >= 4);
        QVERIFY(!r.body.contains(token.toLatin1()));
        QCOMPARE(w.api.send("DELETE", "/_sim/requests", {}, {}).status, 204);

        QCOMPARE(w.api.post("/_sim/reset", {}).status, 200);
        QVERIFY(w.sim.state().tenants().empty());
    }

    void controlApiRejectsBadInput_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("malformed json") << "POST"
                                        << "/_sim/tenants" << QByteArray("{\"displayName\":");
        QTest::newRow("unknown field") << "POST"
                                       << "/_sim/tenants"
                                       << QByteArray("{\"displayName\":\"X\",\"initialDomain\":\"x\",\"evil\":1}");
        QTest::newRow("bad initial domain")
            << "POST"
            << "/_sim/tenants" << QByteArray("{\"displayName\":\"X\",\"initialDomain\":\"a b\"}");
        QTest::newRow("taken initial domain")
            << "POST"
            << "/_sim/tenants" << QByteArray("{\"displayName\":\"X\",\"initialDomain\":\"contoso\"}");
        QTest::newRow("user with unknown role")
            << "POST"
            << "/_sim/tenants"
            << QByteArray("{\"displayName\":\"X\",\"initialDomain\":\"xx\",\"users\":[{\"userPrincipalName\":\"a@xx."
                          "onmicrosoft.com\",\"roles\":[\"Emperor\"]}]}");
        QTest::newRow("user in foreign domain")
            << "POST"
            << "/_sim/tenants/contoso.com/users" << QByteArray("{\"userPrincipalName\":\"a@fabrikam.com\"}");
        QTest::newRow("duplicate user") << "POST"
                                        << "/_sim/tenants/contoso.com/users"
                                        << QByteArray("{\"userPrincipalName\":\"admin@contoso.com\"}");
        QTest::newRow("app for unknown tenant")
            << "POST"
            << "/_sim/apps" << QByteArray("{\"homeTenant\":\"nowhere.com\",\"displayName\":\"A\"}");
        QTest::newRow("app with short secret")
            << "POST"
            << "/_sim/apps"
            << QByteArray("{\"homeTenant\":\"contoso.com\",\"displayName\":\"A\",\"secrets\":[{\"value\":\"x\"}]}");
        QTest::newRow("grant with unknown role")
            << "POST"
            << "/_sim/grants"
            << QByteArray("{\"tenant\":\"contoso.com\",\"clientId\":\"11111111-2222-3333-4444-555555555555\"}");
        QTest::newRow("fault with bad status")
            << "POST"
            << "/_sim/faults" << QByteArray("{\"failNext\":{\"count\":1,\"status\":418}}");
        QTest::newRow("fault with negative latency") << "POST"
                                                     << "/_sim/faults" << QByteArray("{\"latency\":{\"ms\":-5}}");
        QTest::newRow("fault for unknown tenant")
            << "POST"
            << "/_sim/faults" << QByteArray("{\"dropNext\":{\"count\":1,\"tenant\":\"nowhere.com\"}}");
        QTest::newRow("one good one bad fault")
            << "POST"
            << "/_sim/faults" << QByteArray("{\"failNext\":{\"count\":1},\"latency\":{\"ms\":\"slow\"}}");
        QTest::newRow("policy min above max")
            << "PATCH"
            << "/_sim/tenants/contoso.com"
            << QByteArray("{\"tapPolicy\":{\"minimumLifetimeInMinutes\":500,\"maximumLifetimeInMinutes\":100}}");
        QTest::newRow("scenario with a bad grant")
            << "POST"
            << "/_sim/scenario"
            << QByteArray("{\"tenants\":[{\"displayName\":\"Y\",\"initialDomain\":\"yy\"}],\"grants\":[{\"tenant\":"
                          "\"yy.onmicrosoft.com\",\"clientId\":\"11111111-2222-3333-4444-555555555555\"}]}");
        QTest::newRow("token for missing SP")
            << "POST"
            << "/_sim/tokens"
            << QByteArray("{\"tenant\":\"contoso.com\",\"clientId\":\"11111111-2222-3333-4444-555555555555\"}");
    }

    void controlApiRejectsBadInput()
    {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        SimTestWorld w;
        QVERIFY(w.start());
        const QByteArray before = QJsonDocument(w.api.get("/_sim/tenants/contoso.com").json).toJson();
        const size_t tenants = w.sim.state().tenants().size();
        const size_t apps = w.sim.state().apps().size();
        const QJsonObject faults = w.sim.faults().toJson();
        const ApiReply r = w.api.send(method.toLatin1(), path, {}, body);
        QVERIFY2(r.status == 400, r.body.constData());
        QVERIFY(!r.json.value("error").toString().isEmpty());
        QCOMPARE(w.sim.state().tenants().size(), tenants);
        QCOMPARE(w.sim.state().apps().size(), apps);
        QCOMPARE(w.sim.faults().toJson(), faults);
        QCOMPARE(QJsonDocument(w.api.get("/_sim/tenants/contoso.com").json).toJson(), before);
    }

    void demoScenario()
    {
        SimTestWorld w;
        QString error;
        QVERIFY2(w.sim.loadScenario(
                     readJsonFile(QStringLiteral(STINT_SOURCE_DIR "/tests/entra-sim/scenarios/demo.json")), &error),
                 qPrintable(error));
        SimState& s = w.sim.state();
        for (const QString& domain : {QStringLiteral("contoso.com"), QStringLiteral("fabrikam.com")}) {
            SimTenant* t = s.tenant(domain);
            QVERIFY2(t, qPrintable(domain));
            QVERIFY(t->domain(domain)->isVerified);
            QVERIFY(t->tapPolicy.enabled);
            SimUser* admin = s.userByUpn(t->id, "admin@" + domain);
            QVERIFY(admin);
            QVERIFY(s.holdsRole(t->id, admin->id, roles::kGlobalAdministrator));
            SimServicePrincipal* sp = s.servicePrincipal(t->id, kDemoClientId);
            QVERIFY(sp);
            QVERIFY(s.holdsRole(t->id, sp->objectId, roles::kPrivilegedAuthenticationAdministrator));
            for (const char* p :
                 {"User.ReadWrite.All", "RoleManagement.ReadWrite.Directory", "UserAuthenticationMethod.ReadWrite.All"})
                QVERIFY2(sp->grantedPermissions.contains(QLatin1String(p)), p);
        }
        SimApp* app = s.app(kDemoClientId);
        QVERIFY(app && app->multiTenant);
        QVERIFY(s.checkClientSecret(*app, "demo-only-secret~NotForProduction.1", w.clock.now()));

        // Loading the same scenario again clashes (fixed ids) and changes nothing.
        const size_t tenants = s.tenants().size();
        QVERIFY(!w.sim.loadScenario(
            readJsonFile(QStringLiteral(STINT_SOURCE_DIR "/tests/entra-sim/scenarios/demo.json")), &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(s.tenants().size(), tenants);
    }

    void scenarioIsAllOrNothing()
    {
        SimTestWorld w;
        QString error;
        const QJsonObject scenario {
            {"tenants",
             QJsonArray {QJsonObject {{"displayName", "A"}, {"initialDomain", "aaa"}},
                         QJsonObject {{"displayName", "B"},
                                      {"initialDomain", "bbb"},
                                      {"users", QJsonArray {QJsonObject {{"userPrincipalName", "x@elsewhere.com"}}}}}}},
            {"faults", QJsonObject {{"latency", QJsonObject {{"ms", 50}}}}}};
        QVERIFY(!w.sim.loadScenario(scenario, &error));
        QVERIFY2(error.contains("tenants[1].users[0]"), qPrintable(error));
        QVERIFY(w.sim.state().tenants().empty());
        QCOMPARE(w.sim.faults().latencyMs({}, "/v1.0/users"), 0);
        QVERIFY(!w.sim.loadScenario({{"tenant", QJsonArray()}}, &error)); // unknown key
    }

    void executable()
    {
        QProcess process;
        process.setProgram(QStringLiteral(ENTRA_SIM_BINARY));
        process.setArguments({"--port", "0", "--scenario",
                              QStringLiteral(STINT_SOURCE_DIR "/tests/entra-sim/scenarios/demo.json"), "--latency-ms",
                              "1"});
        process.start();
        QVERIFY(process.waitForStarted(10'000));
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains("\n"), 20'000);
        const QRegularExpressionMatch m
            = QRegularExpression("entra-sim ready on (http://127\\.0\\.0\\.1:(\\d+))").match(QString::fromLatin1(out));
        QVERIFY2(m.hasMatch(), out.constData());
        test::ApiClient api(QUrl(m.captured(1)));
        QCOMPARE(api.get("/_sim/health").status, 200);
        const ApiReply token = api.post("/_sim/tokens", {}, {{"tenant", "contoso.com"}, {"clientId", kDemoClientId}});
        QCOMPARE(token.status, 200);
        const ApiReply org = api.get("/v1.0/organization", token.json.value("access_token").toString());
        QCOMPARE(org.status, 200);
        QCOMPARE(org.json.value("value").toArray().first().toObject().value("displayName").toString(),
                 QStringLiteral("Contoso"));
        process.terminate(); // SIGTERM
        QVERIFY(process.waitForFinished(10'000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
    }

    void executableRejectsBadArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("port") << QStringList {"--port", "70000"};
        QTest::newRow("latency") << QStringList {"--latency-ms", "-1"};
        QTest::newRow("missing scenario") << QStringList {"--scenario", "/nonexistent/scenario.json"};
        QTest::newRow("scenario not json")
            << QStringList {"--scenario", QStringLiteral(STINT_SOURCE_DIR "/tests/entra-sim/CMakeLists.txt")};
    }

    void executableRejectsBadArguments()
    {
        QFETCH(QStringList, arguments);
        QProcess process;
        process.start(QStringLiteral(ENTRA_SIM_BINARY), arguments);
        QVERIFY(process.waitForFinished(20'000));
        QCOMPARE(process.exitCode(), 2);
        QVERIFY(!process.readAllStandardOutput().contains("ready"));
    }
};

QTEST_GUILESS_MAIN(TestEntraSimServer)
#include "TestEntraSimServer.moc"
