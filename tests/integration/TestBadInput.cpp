// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile and malformed requests get a precise 4xx problem and change nothing: every table is byte-for-byte the same
// afterwards, and the audit log gained nothing but failure events.
#include "cloud/CloudService.h"
#include "cloud/directory/DirectoryStore.h"
#include "store/SqlCipherDatabase.h"
#include "support/AdminSession.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>

using namespace stint;

namespace {
cloud::CloudConfig configFor(const QString& dir)
{
    cloud::CloudConfig c;
    c.dataDir = dir;
    return c;
}

// Every table's rows, hashed; the audit log and the sessions' sliding "last seen" columns are compared separately.
QMap<QString, QByteArray> snapshot(const QString& dataDir)
{
    QMap<QString, QByteArray> out;
    auto db = cloud::openCloudStore(configFor(dataDir));
    if (!db) {
        qWarning() << db.error().message;
        return out;
    }
    auto tables = (*db)->query(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
    for (const auto& t : *tables) {
        const QString table = t.text(0);
        if (table == QLatin1String("audit_events"))
            continue;
        const QString columns = table == QLatin1String("sessions") ? QStringLiteral("id, token_hash, revoked_at") : QStringLiteral("*");
        auto rows = (*db)->query(QStringLiteral("SELECT %1 FROM %2 ORDER BY 1").arg(columns, table));
        QCryptographicHash h(QCryptographicHash::Sha256);
        for (const auto& r : *rows) {
            for (int i = 0; i < r.size(); ++i)
                h.addData(r.blob(i) + '\x1f');
            h.addData("\x1e");
        }
        out.insert(table, QByteArray::number(qint64(rows->size())) + ':' + h.result().toHex());
    }
    return out;
}

QList<QPair<QString, QString>> auditRows(const QString& dataDir)
{
    QList<QPair<QString, QString>> out;
    auto db = cloud::openCloudStore(configFor(dataDir));
    auto rows = (*db)->query(QStringLiteral("SELECT id, outcome FROM audit_events ORDER BY org_id, seq"));
    for (const auto& r : *rows)
        out.append({r.text(0), r.text(1)});
    return out;
}
} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    QString m_admin;
    QString m_otherOrgPerson;
    QString m_groupId;
    QString m_adminId;

private Q_SLOTS:
    void initTestCase()
    {
        const InitResult init = initDataDir(m_dir.path());
        { // A second organization, whose ids must be as unknown to the first as garbage.
            auto db = cloud::openCloudStore(configFor(m_dir.path()));
            QVERIFY(db.ok());
            SystemClock clock;
            auto other = cloud::directory::bootstrapOrganization(**db, clock, configFor(m_dir.path()),
                                                                 QStringLiteral("Other MSP"), QStringLiteral("boss@other.test"));
            QVERIFY(other.ok());
            m_otherOrgPerson = other->adminId;
        }
        m_cloud = std::make_unique<CloudProcess>(m_dir.path());
        QVERIFY(m_cloud->start());
        SoftAuthenticator key(m_cloud->origin());
        m_admin = enrollWithInvite(*m_cloud, key, init.inviteToken);
        QVERIFY(!m_admin.isEmpty());
        const HttpResult g = m_cloud->post(QStringLiteral("/v1/groups"), {{QStringLiteral("name"), QStringLiteral("Ops")}}, m_admin);
        QCOMPARE(g.status, 201);
        m_groupId = g.json.value(QLatin1String("id")).toString();
        m_adminId = m_cloud->get(QStringLiteral("/v1/me"), m_admin).json.value(QLatin1String("person")).toObject()
                        .value(QLatin1String("id")).toString();
        QVERIFY(!m_adminId.isEmpty());
    }

    void rejectedAndNothingChanged_data()
    {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<bool>("signedIn");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("problem");
        const QByteArray json = "application/json";
        const QString groups = QStringLiteral("/v1/groups");
        QTest::newRow("malformed") << "POST" << groups << QByteArray("{\"name\": ") << json << true << 400 << "malformed-json";
        QTest::newRow("not an object") << "POST" << groups << QByteArray("\"Ops2\"") << json << true << 400 << "malformed-json";
        QTest::newRow("wrong type") << "POST" << groups << QByteArray("{\"name\": 42}") << json << true << 422 << "validation";
        QTest::newRow("unknown field") << "POST" << groups << QByteArray("{\"name\":\"X\",\"orgId\":\"org_1\"}") << json << true << 422 << "validation";
        QTest::newRow("member of another org") << "POST" << groups << QByteArray("{\"name\":\"X\",\"memberIds\":[\"%1\"]}") << json << true << 422 << "validation";
        QTest::newRow("huge body") << "POST" << groups << (QByteArray("{\"name\":\"") + QByteArray(300'000, 'a') + "\"}") << json << true << 413 << "body-too-large";
        QTest::newRow("not json") << "POST" << groups << QByteArray("name=X") << QByteArray("application/x-www-form-urlencoded") << true << 415 << "unsupported-media-type";
        QTest::newRow("duplicate name") << "POST" << groups << QByteArray("{\"name\":\"Ops\"}") << json << true << 409 << "name-taken";
        QTest::newRow("anonymous") << "POST" << groups << QByteArray("{\"name\":\"X\"}") << json << false << 401 << "unauthenticated";
        // Who is asking is decided before anything about the body.
        QTest::newRow("anonymous, not json") << "POST" << groups << QByteArray("name=X") << QByteArray("text/plain") << false << 401 << "unauthenticated";
        QTest::newRow("anonymous, huge body") << "POST" << groups << QByteArray(300'000, 'a') << json << false << 401 << "unauthenticated";
        QTest::newRow("anonymous, body on a bodyless action") << "POST" << QStringLiteral("/v1/checkouts/chk_1/end") << QByteArray("{\"a\":1}") << json << false << 401 << "unauthenticated";
        // A bodyless action takes {} (answered here by what is wrong with the id), but no fields.
        QTest::newRow("{} on end") << "POST" << QStringLiteral("/v1/checkouts/chk_00000000000000000000000000000000/end") << QByteArray("{}") << json << true << 404 << "not-found";
        QTest::newRow("{} on cancel") << "POST" << QStringLiteral("/v1/checkouts/chk_00000000000000000000000000000000/cancel") << QByteArray("{ }") << json << true << 404 << "not-found";
        QTest::newRow("{} on reconcile") << "POST" << QStringLiteral("/v1/tenants/tnt_00000000000000000000000000000000/reconcile") << QByteArray("{}") << json << true << 404 << "not-found";
        QTest::newRow("{} on redeliver") << "POST" << QStringLiteral("/v1/webhooks/whk_1/deliveries/dlv_1/redeliver") << QByteArray("{}") << json << true << 404 << "not-found";
        QTest::newRow("{} on revoke sessions") << "POST" << QStringLiteral("/v1/people/%1/sessions/revoke") << QByteArray("{}") << json << true << 404 << "not-found";
        QTest::newRow("fields on a bodyless action") << "POST" << QStringLiteral("/v1/people/%1/sessions/revoke") << QByteArray("{\"all\":true}") << json << true << 422 << "validation";
        QTest::newRow("big body on a bodyless action") << "POST" << QStringLiteral("/v1/people/%1/sessions/revoke") << QByteArray("{\"a\":\"") + QByteArray(200, 'a') + "\"}" << json << true << 413 << "body-too-large";
        QTest::newRow("unknown id") << "PATCH" << QStringLiteral("/v1/people/per_00000000000000000000000000000000") << QByteArray("{\"role\":\"admin\"}") << json << true << 404 << "not-found";
        QTest::newRow("garbage id") << "DELETE" << QStringLiteral("/v1/groups/'; DROP TABLE groups;--") << QByteArray() << QByteArray() << true << 404 << "not-found";
        QTest::newRow("other org's person") << "PATCH" << QStringLiteral("/v1/people/%1") << QByteArray("{\"status\":\"disabled\"}") << json << true << 404 << "not-found";
        QTest::newRow("other org's sessions") << "POST" << QStringLiteral("/v1/people/%1/sessions/revoke") << QByteArray() << QByteArray() << true << 404 << "not-found";
        QTest::newRow("bad limit") << "GET" << QStringLiteral("/v1/groups?limit=0") << QByteArray() << QByteArray() << true << 400 << "bad-query";
        QTest::newRow("bad cursor") << "GET" << QStringLiteral("/v1/groups?cursor=%%%") << QByteArray() << QByteArray() << true << 400 << "bad-cursor";
        QTest::newRow("unknown query") << "GET" << QStringLiteral("/v1/groups?admin=1") << QByteArray() << QByteArray() << true << 400 << "bad-query";
        QTest::newRow("wrong method") << "PUT" << groups << QByteArray("{}") << json << true << 405 << "method-not-allowed";
        QTest::newRow("no route") << "GET" << QStringLiteral("/v1/nothing") << QByteArray() << QByteArray() << true << 404 << "not-found";
        QTest::newRow("bad native code") << "POST" << QStringLiteral("/v1/auth/native/token")
                                         << QByteArray("{\"code\":\"x\",\"codeVerifier\":\"") + QByteArray(43, 'v') + "\",\"redirectUri\":\"http://127.0.0.1:1/\"}"
                                         << json << false << 400 << "invalid-grant";
        QTest::newRow("bad invite") << "POST" << QStringLiteral("/v1/auth/register/begin") << QByteArray("{\"inviteToken\":\"nope\"}") << json << false << 400 << "invite-invalid";

        // Ambiguous or lossy JSON (issue 10): a repeated key, at any depth, kept only its last value; a lone surrogate
        // was echoed and stored as "?"; bytes that are not UTF-8 became U+FFFD. Each is refused with 422, everywhere.
        const QString invites = QStringLiteral("/v1/invites");
        QTest::newRow("duplicate role") << "POST" << invites
                                        << QByteArray("{\"email\":\"dup@msp.test\",\"role\":\"technician\",\"role\":\"admin\"}") << json << true << 422 << "validation";
        QTest::newRow("duplicate, escaped") << "POST" << invites
                                            << QByteArray("{\"email\":\"dup@msp.test\",\"role\":\"technician\",\"r\\u006fle\":\"admin\"}") << json << true << 422 << "validation";
        QTest::newRow("duplicate, nested") << "POST" << QStringLiteral("/v1/policies")
                                           << QByteArray("{\"name\":\"P\",\"tenantIds\":[],\"subjects\":[{\"type\":\"person\",\"type\":\"group\",\"id\":\"x\"}]}") << json << true << 422 << "validation";
        QTest::newRow("duplicate, sign-in") << "POST" << QStringLiteral("/v1/auth/signin/begin")
                                            << QByteArray("{\"email\":\"a@msp.test\",\"email\":\"admin@msp.test\"}") << json << false << 422 << "validation";
        QTest::newRow("duplicate, native token") << "POST" << QStringLiteral("/v1/auth/native/token")
                                                 << QByteArray("{\"code\":\"x\",\"code\":\"y\",\"codeVerifier\":\"v\",\"redirectUri\":\"http://127.0.0.1:1/\"}") << json << false << 422 << "validation";
        QTest::newRow("lone surrogate") << "POST" << groups << QByteArray("{\"name\":\"Ops\\ud800\"}") << json << true << 422 << "validation";
        QTest::newRow("lone low surrogate") << "PATCH" << QStringLiteral("/v1/groups/%g") << QByteArray("{\"name\":\"\\udfff\"}") << json << true << 422 << "validation";
        QTest::newRow("not UTF-8") << "POST" << groups << QByteArray("{\"name\":\"Ops\xff\"}") << json << true << 422 << "validation";
        // Free text an admin reviews: no bidirectional overrides, zero-width characters or noncharacters.
        QTest::newRow("bidi override in a name") << "POST" << groups << QByteArray("{\"name\":\"Ops\\u202egnp.exe\"}") << json << true << 422 << "validation";
        QTest::newRow("zero-width in a name") << "PATCH" << QStringLiteral("/v1/groups/%g") << QByteArray("{\"name\":\"O\\u200bps\"}") << json << true << 422 << "validation";
        QTest::newRow("noncharacter in a name") << "PATCH" << QStringLiteral("/v1/organization") << QByteArray("{\"name\":\"MSP\\uffff\"}") << json << true << 422 << "validation";
        QTest::newRow("bidi isolate in a display name") << "PATCH" << QStringLiteral("/v1/people/%me") << QByteArray("{\"displayName\":\"Adm\\u2067in\"}") << json << true << 422 << "validation";
        QTest::newRow("bidi in a justification") << "POST" << QStringLiteral("/v1/checkouts")
                                                 << QByteArray("{\"tenantId\":\"tnt_00000000000000000000000000000000\",\"roleDefinitionIds\":[\"62e90394-69f5-4237-9190-012177145e10\"],\"durationMinutes\":30,\"justification\":\"fix \\u202eexe.txt\"}")
                                                 << json << true << 422 << "validation";
        QTest::newRow("zero-width in a ticket") << "POST" << QStringLiteral("/v1/checkouts")
                                                << QByteArray("{\"tenantId\":\"tnt_00000000000000000000000000000000\",\"roleDefinitionIds\":[\"62e90394-69f5-4237-9190-012177145e10\"],\"durationMinutes\":30,\"ticket\":\"INC\\u200d42\"}")
                                                << json << true << 422 << "validation";
        // PATCH with null: refused alike everywhere (422 naming the field), nothing changed, nothing audited.
        QTest::newRow("null group name") << "PATCH" << QStringLiteral("/v1/groups/%g") << QByteArray("{\"name\":null}") << json << true << 422 << "validation";
        QTest::newRow("null organization name") << "PATCH" << QStringLiteral("/v1/organization") << QByteArray("{\"name\":null}") << json << true << 422 << "validation";
        QTest::newRow("null display name") << "PATCH" << QStringLiteral("/v1/people/%me") << QByteArray("{\"displayName\":null}") << json << true << 422 << "validation";
    }
    void rejectedAndNothingChanged()
    {
        QFETCH(QString, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(bool, signedIn);
        QFETCH(int, status);
        QFETCH(QString, problem);
        path.replace(QStringLiteral("%1"), m_otherOrgPerson);
        path.replace(QStringLiteral("%g"), m_groupId);
        path.replace(QStringLiteral("%me"), m_adminId);
        body.replace("%1", m_otherOrgPerson.toLatin1());

        const auto before = snapshot(m_dir.path());
        const auto auditBefore = auditRows(m_dir.path());
        QVERIFY(!before.isEmpty());
        QNetworkAccessManager nam;
        QList<QPair<QByteArray, QByteArray>> headers;
        if (!contentType.isEmpty())
            headers.append({"Content-Type", contentType});
        QUrl url = m_cloud->url(QStringLiteral("/"));
        url.setPath(path.section(QLatin1Char('?'), 0, 0));
        url.setQuery(path.section(QLatin1Char('?'), 1), QUrl::TolerantMode);
        const HttpResult r = httpRequest(nam, method, url, body, signedIn ? m_admin : QString(), headers);
        QCOMPARE(r.status, status);
        QCOMPARE(r.problem(), problem);
        QVERIFY(r.header("Content-Type").startsWith("application/problem+json"));
        QVERIFY(!r.json.value(QLatin1String("detail")).toString().isEmpty());
        QVERIFY(!r.json.value(QLatin1String("requestId")).toString().isEmpty());

        QCOMPARE(snapshot(m_dir.path()), before);
        const auto auditAfter = auditRows(m_dir.path());
        QCOMPARE(auditAfter.mid(0, auditBefore.size()), auditBefore);
        for (const auto& row : auditAfter.mid(auditBefore.size()))
            QCOMPARE(row.second, QStringLiteral("failure"));
    }

    void garbageOnTheWire_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("statusLine");
        QTest::newRow("fofofo") << QByteArray("GET FOFOFO HTTP 1/1\r\n\r\n") << QByteArray("HTTP/1.1 400");
        QTest::newRow("nul bytes") << QByteArray("\0\0\0\0\r\n\r\n", 8) << QByteArray("HTTP/1.1 400");
        QTest::newRow("endless line") << QByteArray(9000, 'A') << QByteArray("HTTP/1.1 414");
        QTest::newRow("binary") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n", 13) << QByteArray("HTTP/1.1 400");
    }
    void garbageOnTheWire()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, statusLine);
        const auto before = snapshot(m_dir.path());
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_cloud->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(bytes);
        QByteArray answer;
        QVERIFY(QTest::qWaitFor([&] {
            answer += socket.readAll();
            return answer.contains("\r\n\r\n") || socket.state() == QAbstractSocket::UnconnectedState;
        }, 10000));
        QVERIFY2(answer.startsWith(statusLine), answer.constData());
        QVERIFY(answer.contains("application/problem+json"));
        QCOMPARE(snapshot(m_dir.path()), before);
        QCOMPARE(m_cloud->get(QStringLiteral("/healthz")).status, 200); // the service shrugs it off
    }

    void methodNotAllowedSaysWhatIs()
    {
        const HttpResult r = m_cloud->request(QStringLiteral("PUT"), QStringLiteral("/v1/groups"), {}, m_admin);
        QCOMPARE(r.status, 405);
        const QByteArray allow = r.header("Allow");
        QVERIFY2(allow.contains("GET") && allow.contains("POST") && allow.contains("HEAD"), allow.constData());
        QVERIFY(!r.json.value(QLatin1String("instance")).toString().isEmpty());
    }

    void emptyObjectOnBodylessDelete()
    {
        const HttpResult g = m_cloud->post(QStringLiteral("/v1/groups"), {{QStringLiteral("name"), QStringLiteral("Short-lived")}}, m_admin);
        QCOMPARE(g.status, 201);
        QNetworkAccessManager nam;
        const HttpResult r = httpRequest(nam, QStringLiteral("DELETE"),
                                         m_cloud->url(QStringLiteral("/v1/groups/") + g.json.value(QLatin1String("id")).toString()),
                                         "{}", m_admin, {{"Content-Type", "application/json"}});
        QCOMPARE(r.status, 204);
    }

    // A percent-encoded line break in the path must not start a line of its own in the text log.
    void logLinesCannotBeForged()
    {
        const QByteArray forged = "2026-01-01T00:00:00.000Z info stint.cloud.http.access GET /forged 200";
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_cloud->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /v1/x%0A" + QByteArray(forged).replace(' ', "%20") + "%0D%0Aend HTTP/1.1\r\nHost: x\r\n\r\n");
        QByteArray answer;
        QVERIFY(QTest::qWaitFor([&] { answer += socket.readAll(); return answer.contains("\r\n\r\n"); }, 10000));
        QVERIFY(answer.startsWith("HTTP/1.1 404"));
        QVERIFY(QTest::qWaitFor([&] { return m_cloud->stderrText().contains("/forged 200"); }, 10000));
        for (const QByteArray& line : m_cloud->stderrText().split('\n'))
            QVERIFY2(!line.startsWith("2026-01-01T00:00:00.000Z"), line.constData());
        QVERIFY(m_cloud->stderrText().contains("/v1/x\\n2026-01-01T00:00:00.000Z"));
    }

    // The request id in the audit log is the server's; a client's X-Request-Id is kept only as the client's.
    void clientRequestIdIsNotTheServers()
    {
        const QByteArray clientId = "client-chosen-id-42";
        const HttpResult r = m_cloud->request(QStringLiteral("POST"), QStringLiteral("/v1/groups"),
                                              {{QStringLiteral("name"), QStringLiteral("Audited")}}, m_admin,
                                              {{"X-Request-Id", clientId}});
        QCOMPARE(r.status, 201);
        const QByteArray serverId = r.header("X-Request-Id");
        QVERIFY(serverId.startsWith("req_"));
        QVERIFY(serverId != clientId);
        auto db = cloud::openCloudStore(configFor(m_dir.path()));
        QVERIFY(db.ok());
        auto rows = (*db)->query(QStringLiteral("SELECT details FROM audit_events WHERE details LIKE ?"),
                                 {QStringLiteral("%client-chosen-id-42%")});
        QVERIFY(rows.ok());
        QCOMPARE(qint64(rows->size()), qint64(1));
        const QJsonObject details = QJsonDocument::fromJson(rows->front().text(0).toUtf8()).object();
        QCOMPARE(details.value(QLatin1String("requestId")).toString(), QString::fromLatin1(serverId));
        QCOMPARE(details.value(QLatin1String("clientRequestId")).toString(), QString::fromLatin1(clientId));
    }

    void idempotencyKeyReplaysAndRefusesReuse()
    {
        const QList<QPair<QByteArray, QByteArray>> key{{"Idempotency-Key", "create-ops-team-1"}};
        const QJsonObject body{{QStringLiteral("name"), QStringLiteral("Ops team")}};
        const HttpResult first = m_cloud->request(QStringLiteral("POST"), QStringLiteral("/v1/groups"), body, m_admin, key);
        QCOMPARE(first.status, 201);
        const auto before = snapshot(m_dir.path());
        const HttpResult replay = m_cloud->request(QStringLiteral("POST"), QStringLiteral("/v1/groups"), body, m_admin, key);
        QCOMPARE(replay.status, 201);
        QCOMPARE(replay.header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(replay.json, first.json);
        const HttpResult reused = m_cloud->request(QStringLiteral("POST"), QStringLiteral("/v1/groups"),
                                                   {{QStringLiteral("name"), QStringLiteral("Something else")}}, m_admin, key);
        QCOMPARE(reused.status, 422);
        QCOMPARE(reused.problem(), QStringLiteral("idempotency-key-reused"));
        const HttpResult bad = m_cloud->request(QStringLiteral("POST"), QStringLiteral("/v1/groups"), body, m_admin,
                                                {{"Idempotency-Key", QByteArray(200, 'k')}});
        QCOMPARE(bad.status, 400);
        QCOMPARE(snapshot(m_dir.path()), before);
    }

    void signOutTakesAnEmptyObject();
};

// (last: it ends the admin's session)
void TestBadInput::signOutTakesAnEmptyObject()
{
    QNetworkAccessManager nam;
    const HttpResult r = httpRequest(nam, QStringLiteral("POST"), m_cloud->url(QStringLiteral("/v1/auth/signout")), "{}",
                                     m_admin, {{"Content-Type", "application/json"}});
    QCOMPARE(r.status, 204);
    QCOMPARE(m_cloud->get(QStringLiteral("/v1/me"), m_admin).status, 401);
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "TestBadInput.moc"
