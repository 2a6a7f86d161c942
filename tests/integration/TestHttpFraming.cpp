// SPDX-License-Identifier: GPL-3.0-or-later
// The bytes on the wire, as a hostile client sends them, against both listeners (plain and TLS): ambiguous framing
// (RFC 9112 6.3) is answered with a problem and a closed connection and the request hidden in the body never runs;
// slow clients meet a header deadline and a per-address connection cap; Connection: close and HTTP/1.0 close; an
// unauthenticated caller is told 401 before anything about its body, which is never waited for.
#include "cloud/http/HttpGuard.h"
#include "support/CloudProcess.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QPointer>
#include <QProcess>
#include <QSslSocket>
#include <QTcpServer>
#include <QTest>

namespace {

// One raw connection, plain or TLS (the test certificate is self-signed: no verification).
class Wire
{
public:
    Wire(quint16 port, bool tls, const QHostAddress& from = {})
    {
        if (!from.isNull())
            m_socket.bind(from);
        if (tls) {
            m_socket.setPeerVerifyMode(QSslSocket::VerifyNone);
            m_socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
            m_ok = m_socket.waitForEncrypted(10000);
        } else {
            m_socket.connectToHost(QHostAddress::LocalHost, port);
            m_ok = m_socket.waitForConnected(10000);
        }
    }
    bool ok() const { return m_ok; }
    void send(const QByteArray& bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    // Waits for one whole response (head and Content-Length body) or the end of the connection.
    QByteArray response(int timeoutMs = 10000)
    {
        (void)QTest::qWaitFor([&] {
            m_buffer += m_socket.readAll();
            return completeResponse() >= 0 || closed();
        }, timeoutMs);
        const qsizetype end = completeResponse();
        if (end < 0)
            return std::exchange(m_buffer, {});
        const QByteArray one = m_buffer.left(end);
        m_buffer.remove(0, end);
        return one;
    }
    bool closed()
    {
        return m_socket.state() == QAbstractSocket::UnconnectedState
            || m_socket.state() == QAbstractSocket::ClosingState;
    }
    bool waitClosed(int timeoutMs = 10000)
    {
        return QTest::qWaitFor([&] {
            m_buffer += m_socket.readAll();
            return closed();
        }, timeoutMs);
    }
    QByteArray rest() { return m_buffer += m_socket.readAll(); }

private:
    qsizetype completeResponse() const
    {
        const qsizetype head = m_buffer.indexOf("\r\n\r\n");
        if (head < 0)
            return -1;
        qsizetype length = 0;
        for (const QByteArray& line : m_buffer.left(head).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        return m_buffer.size() >= head + 4 + length ? head + 4 + length : -1;
    }

    QSslSocket m_socket;
    QByteArray m_buffer;
    bool m_ok = false;
};

int statusOf(const QByteArray& response)
{
    return response.startsWith("HTTP/1.") ? response.mid(9, 3).toInt() : 0;
}

QByteArray headerOf(const QByteArray& response, const QByteArray& name)
{
    const qsizetype head = response.indexOf("\r\n\r\n");
    for (const QByteArray& line : response.left(head).split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

QJsonObject bodyOf(const QByteArray& response)
{
    return QJsonDocument::fromJson(response.mid(response.indexOf("\r\n\r\n") + 4)).object();
}

QString slugOf(const QByteArray& response)
{
    return bodyOf(response).value(QLatin1String("type")).toString().section(QLatin1Char('/'), -1);
}

bool makeCertificate(const QString& dir, QString* cert, QString* key)
{
    *cert = dir + QStringLiteral("/cert.pem");
    *key = dir + QStringLiteral("/key.pem");
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                   QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                   QStringLiteral("-keyout"), *key, QStringLiteral("-out"), *cert, QStringLiteral("-days"),
                   QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=localhost")});
    return openssl.waitForFinished(30000) && openssl.exitCode() == 0;
}

const QByteArray kSmuggled = "GET /v1/smuggled-request HTTP/1.1\r\nHost: x\r\n\r\n";

} // namespace

class TestHttpFraming : public QObject
{
    Q_OBJECT

    QTemporaryDir m_plainDir;
    QTemporaryDir m_tlsDir;
    QTemporaryDir m_slowDir;
    std::unique_ptr<CloudProcess> m_plain;
    std::unique_ptr<CloudProcess> m_tls;
    std::unique_ptr<CloudProcess> m_slow; // short header deadline, small per-address cap (plain)
    int m_marker = 0;

    CloudProcess& cloud(bool tls) { return tls ? *m_tls : *m_plain; }

    bool startSlow()
    {
        if (m_slow)
            return true;
        m_slow = std::make_unique<CloudProcess>(m_slowDir.path());
        return m_slow->start({QStringLiteral("--header-timeout-seconds"), QStringLiteral("2"),
                              QStringLiteral("--max-connections-per-address"), QStringLiteral("6"),
                              QStringLiteral("--trusted-proxies"), QStringLiteral("127.0.0.2, 10.9.0.0/16")});
    }

    // Sends a request that the service logs (404 on a path of its own) and waits until its access line shows up:
    // everything the service did before it is in the log by then.
    bool logCaughtUp(bool tls)
    {
        const QByteArray path = "/v1/marker-" + QByteArray::number(++m_marker);
        Wire wire(cloud(tls).port(), tls);
        wire.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n");
        if (statusOf(wire.response()) != 404)
            return false;
        return QTest::qWaitFor([&] { return cloud(tls).stderrText().contains(path); }, 10000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(!initDataDir(m_plainDir.path()).orgId.isEmpty());
        QVERIFY(!initDataDir(m_tlsDir.path()).orgId.isEmpty());
        QVERIFY(!initDataDir(m_slowDir.path()).orgId.isEmpty());
        QString cert, key;
        QVERIFY(makeCertificate(m_tlsDir.path(), &cert, &key));
        m_plain = std::make_unique<CloudProcess>(m_plainDir.path());
        QVERIFY(m_plain->start());
        m_tls = std::make_unique<CloudProcess>(m_tlsDir.path());
        QVERIFY(m_tls->start({QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key}));
    }

    void hostileFramingIsRefusedAndClosed_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("slug");
        const QByteArray post = "POST /v1/auth/signin/begin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
        const QByteArray chunkedSmuggle = "0\r\n\r\n" + kSmuggled;
        const QByteArray n = QByteArray::number(chunkedSmuggle.size());
        const QList<std::tuple<const char*, QByteArray, int, QString>> cases{
            {"content-length and chunked", post + "Content-Length: " + n + "\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedSmuggle, 400, QStringLiteral("bad-request")},
            {"chunked and content-length", post + "Transfer-Encoding: chunked\r\nContent-Length: " + n + "\r\n\r\n" + chunkedSmuggle, 400, QStringLiteral("bad-request")},
            {"two content-lengths", post + "Content-Length: 0\r\nContent-Length: " + QByteArray::number(kSmuggled.size()) + "\r\n\r\n" + kSmuggled, 400, QStringLiteral("bad-request")},
            {"content-length abc", post + "Content-Length: abc\r\n\r\n" + kSmuggled, 400, QStringLiteral("bad-request")},
            {"content-length -1", post + "Content-Length: -1\r\n\r\n" + kSmuggled, 400, QStringLiteral("bad-request")},
            {"content-length 1e3", post + "Content-Length: 1e3\r\n\r\n" + kSmuggled, 400, QStringLiteral("bad-request")},
            {"content-length 0x2", post + "Content-Length: 0x2\r\n\r\n" + kSmuggled, 400, QStringLiteral("bad-request")},
            {"content-length 20 digits", post + "Content-Length: 00000000000000000002\r\n\r\n" + kSmuggled, 400, QStringLiteral("bad-request")},
            {"content-length list", post + "Content-Length: 2, 2\r\n\r\n{}" + kSmuggled, 400, QStringLiteral("bad-request")},
            {"transfer-encoding Chunked", post + "Transfer-Encoding: Chunked\r\n\r\n" + chunkedSmuggle, 501, QStringLiteral("not-implemented")},
            {"transfer-encoding chunked, identity", post + "Transfer-Encoding: chunked, identity\r\n\r\n" + chunkedSmuggle, 501, QStringLiteral("not-implemented")},
            {"transfer-encoding xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n" + chunkedSmuggle, 501, QStringLiteral("not-implemented")},
            {"http/1.1 without host", QByteArray("GET /healthz HTTP/1.1\r\n\r\n") + kSmuggled, 400, QStringLiteral("bad-request")},
            {"two hosts", QByteArray("GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") + kSmuggled, 400, QStringLiteral("bad-request")},
            {"nul in a header value", QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a") + '\0' + QByteArray("b\r\n\r\n") + kSmuggled, 400, QStringLiteral("bad-request")},
            {"obs-fold", QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n") + kSmuggled, 400, QStringLiteral("bad-request")},
            {"space before colon", QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\nX-A : a\r\n\r\n") + kSmuggled, 400, QStringLiteral("bad-request")},
            {"headers too large", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: " + QByteArray(70'000, 'a') + "\r\n\r\n", 431, QStringLiteral("headers-too-large")},
            {"request line too long", "GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414, QStringLiteral("uri-too-long")},
            {"request line garbage", QByteArray("GET FOFOFO HTTP 1/1\r\n\r\n"), 400, QStringLiteral("bad-request")},
        };
        for (bool tls : {false, true}) {
            for (const auto& [name, bytes, status, slug] : cases)
                QTest::addRow("%s %s", tls ? "tls" : "plain", name) << tls << bytes << status << slug;
        }
    }
    void hostileFramingIsRefusedAndClosed()
    {
        QFETCH(bool, tls);
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QFETCH(QString, slug);
        Wire wire(cloud(tls).port(), tls);
        QVERIFY(wire.ok());
        wire.send(bytes);
        const QByteArray answer = wire.response();
        QVERIFY2(statusOf(answer) == status, answer.left(400).constData());
        QCOMPARE(slugOf(answer), slug);
        QVERIFY(headerOf(answer, "Content-Type").startsWith("application/problem+json"));
        QCOMPARE(headerOf(answer, "Connection").toLower(), QByteArray("close"));
        const QJsonObject problem = bodyOf(answer);
        QCOMPARE(problem.value(QLatin1String("status")).toInt(), status);
        QVERIFY(!problem.value(QLatin1String("title")).toString().isEmpty());
        QVERIFY(!problem.value(QLatin1String("detail")).toString().isEmpty());
        QVERIFY(!problem.value(QLatin1String("instance")).toString().isEmpty());
        QVERIFY(!problem.value(QLatin1String("requestId")).toString().isEmpty());
        QCOMPARE(headerOf(answer, "X-Request-Id"), problem.value(QLatin1String("requestId")).toString().toLatin1());
        QVERIFY(wire.waitClosed());
        QVERIFY2(statusOf(wire.rest()) == 0, "a second response followed the refusal");
        // The request hidden in the body never ran.
        QVERIFY(logCaughtUp(tls));
        QVERIFY(!cloud(tls).stderrText().contains("smuggled-request"));
    }

    void unauthenticatedBodyIsNotWaitedFor_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QByteArray>("head");
        const QByteArray huge = "POST /v1/groups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                "Content-Length: 100000000\r\n\r\n";
        const QByteArray wrongType = "POST /v1/groups HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                                     "Content-Length: 100\r\n\r\n";
        const QByteArray chunked = "POST /v1/groups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n";
        const QByteArray badToken = "POST /v1/groups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                    "Authorization: Bearer " + QByteArray(43, 'a') + "\r\nContent-Length: 100000000\r\n\r\n";
        for (bool tls : {false, true}) {
            const char* l = tls ? "tls" : "plain";
            QTest::addRow("%s oversized", l) << tls << huge;
            QTest::addRow("%s wrong type", l) << tls << wrongType;
            QTest::addRow("%s chunked", l) << tls << chunked;
            QTest::addRow("%s unknown token", l) << tls << badToken;
        }
    }
    void unauthenticatedBodyIsNotWaitedFor()
    {
        QFETCH(bool, tls);
        QFETCH(QByteArray, head);
        Wire wire(cloud(tls).port(), tls);
        QVERIFY(wire.ok());
        wire.send(head); // and not one byte of the body
        const QByteArray answer = wire.response(5000);
        QVERIFY2(statusOf(answer) == 401, answer.left(300).constData());
        QCOMPARE(slugOf(answer), QStringLiteral("unauthenticated"));
        QVERIFY(!headerOf(answer, "WWW-Authenticate").isEmpty());
        QVERIFY(wire.waitClosed());
    }

    void connectionCloseIsHonoured_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<bool>("closes");
        for (bool tls : {false, true}) {
            const char* l = tls ? "tls" : "plain";
            QTest::addRow("%s connection close", l) << tls << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") << true;
            QTest::addRow("%s http/1.0", l) << tls << QByteArray("GET /healthz HTTP/1.0\r\n\r\n") << true;
            QTest::addRow("%s http/1.0 keep-alive", l) << tls << QByteArray("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false;
            QTest::addRow("%s http/1.1", l) << tls << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n") << false;
        }
    }
    void connectionCloseIsHonoured()
    {
        QFETCH(bool, tls);
        QFETCH(QByteArray, request);
        QFETCH(bool, closes);
        Wire wire(cloud(tls).port(), tls);
        QVERIFY(wire.ok());
        wire.send(request);
        const QByteArray answer = wire.response();
        QCOMPARE(statusOf(answer), 200);
        if (closes) {
            QCOMPARE(headerOf(answer, "Connection").toLower(), QByteArray("close"));
            QVERIFY(wire.waitClosed());
        } else {
            // The connection stays usable for the next request.
            wire.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            QCOMPARE(statusOf(wire.response()), 200);
        }
    }

    void headerDeadline()
    {
        QVERIFY(startSlow());
        Wire wire(m_slow->port(), false);
        QVERIFY(wire.ok());
        wire.send("GET /healthz HTTP/1.1\r\nHost: x\r\n"); // and never the end of the head
        QElapsedTimer timer;
        timer.start();
        QVERIFY(QTest::qWaitFor([&] {
            wire.send("X"); // a byte now and then keeps an idle timeout at bay, not the deadline
            return wire.waitClosed(200);
        }, 15000));
        QVERIFY2(timer.elapsed() < 10000, QByteArray::number(timer.elapsed()).constData());
        const QByteArray answer = wire.rest();
        QCOMPARE(statusOf(answer), 408);
        QCOMPARE(slugOf(answer), QStringLiteral("request-timeout"));
    }

    // The guard's two clocks, on connections of its own with short limits: nothing read or written for the idle
    // timeout closes a connection, and any byte either way puts that off; each request's head has the header deadline
    // from its own first byte, not from an earlier request's.
    void guardTimesFromTheLastActivity()
    {
        auto settings = std::make_shared<stint::cloud::GuardSettings>();
        settings->idleTimeoutMs = 600;
        settings->headerTimeoutMs = 900;
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QPointer<QTcpSocket> accepted;
        stint::cloud::HttpGuard* guard = nullptr;
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&] {
            accepted = server.nextPendingConnection();
            guard = new stint::cloud::HttpGuard(accepted, settings);
            guard->setParent(accepted);
            // What QtHttpServer does after the guard looked: read everything.
            QObject::connect(accepted, &QIODevice::readyRead, accepted, [socket = accepted.data()] { socket->readAll(); });
        });
        auto connectClient = [&](QTcpSocket& client) {
            guard = nullptr;
            client.connectToHost(QHostAddress::LocalHost, server.serverPort());
            return client.waitForConnected(5000) && QTest::qWaitFor([&] { return guard != nullptr; }, 5000);
        };
        auto keepBusyFor = [&](QTcpSocket& client, int ms, const std::function<void()>& activity) {
            QElapsedTimer t;
            t.start();
            while (t.elapsed() < ms && client.state() == QAbstractSocket::ConnectedState) {
                activity();
                QTest::qWait(100);
            }
        };

        // A request at once, then the next one's head 400 ms later: its deadline runs from its own first byte.
        {
            QTcpSocket client;
            QVERIFY(connectClient(client));
            client.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            client.flush();
            QTest::qWait(400); // pacing, not waiting for anything: the second head must start after the first
            QElapsedTimer sinceHead;
            sinceHead.start();
            client.write("GET /healthz HTTP/1.1\r\nHost: x\r\n");
            client.flush();
            QByteArray answer;
            keepBusyFor(client, 3000, [&] {
                client.write("X"); // a byte now and then keeps the idle timeout at bay, not the deadline
                client.flush();
                answer += client.readAll();
            });
            QVERIFY(QTest::qWaitFor([&] { return client.state() != QAbstractSocket::ConnectedState; }, 5000));
            answer += client.readAll();
            QVERIFY2(answer.contains("HTTP/1.1 408"), answer.right(400).constData());
            QVERIFY2(sinceHead.elapsed() >= 850, QByteArray::number(sinceHead.elapsed()).constData());
        }

        // Reads keep a connection open past several idle timeouts (blank lines between requests are allowed), then
        // writes do; after the last of them, silence closes it once the timeout is over, not before.
        QTcpSocket client;
        QVERIFY(connectClient(client));
        client.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        client.flush();
        keepBusyFor(client, 1500, [&] {
            client.write("\r\n");
            client.flush();
        });
        QCOMPARE(client.state(), QAbstractSocket::ConnectedState);
        QElapsedTimer sinceLast;
        keepBusyFor(client, 1500, [&] {
            accepted->write("x");
            guard->wrote();
            sinceLast.start();
        });
        QCOMPARE(client.state(), QAbstractSocket::ConnectedState);
        QVERIFY(QTest::qWaitFor([&] { return client.state() != QAbstractSocket::ConnectedState; }, 5000));
        QVERIFY2(sinceLast.elapsed() >= 550, QByteArray::number(sinceLast.elapsed()).constData());
    }

    void connectionsPerAddressAreCapped()
    {
        QVERIFY(startSlow());
        std::vector<std::unique_ptr<Wire>> held;
        for (int i = 0; i < 6; ++i) {
            held.push_back(std::make_unique<Wire>(m_slow->port(), false));
            QVERIFY(held.back()->ok());
            held.back()->send("GET /healthz HTTP/1.1\r\n");
        }
        Wire extra(m_slow->port(), false);
        extra.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(extra.waitClosed(5000));
        QCOMPARE(statusOf(extra.rest()), 0);
        held.clear(); // the slots come back once those connections are gone
        QVERIFY(QTest::qWaitFor([&] {
            Wire again(m_slow->port(), false);
            again.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            return statusOf(again.response(2000)) == 200;
        }, 10000));
    }

    // X-Forwarded-For counts only from a trusted proxy, and then its right-most address that is not a trusted proxy.
    void forwardedForOnlyFromTrustedProxies_data()
    {
        QTest::addColumn<bool>("trusting"); // the service started with --trusted-proxies 127.0.0.2,10.9.0.0/16
        QTest::addColumn<QString>("from");
        QTest::addColumn<QByteArray>("forwardedFor");
        QTest::addColumn<QString>("client");
        QTest::newRow("trusted proxy") << true << "127.0.0.2" << QByteArray("198.51.100.7, 203.0.113.9") << "203.0.113.9";
        QTest::newRow("chain of trusted proxies") << true << "127.0.0.2" << QByteArray("198.51.100.7, 203.0.113.9, 10.9.1.1") << "203.0.113.9";
        QTest::newRow("two headers") << true << "127.0.0.2" << QByteArray("198.51.100.7\r\nX-Forwarded-For: 203.0.113.9") << "203.0.113.9";
        QTest::newRow("not an address") << true << "127.0.0.2" << QByteArray("203.0.113.9, junk") << "127.0.0.2";
        QTest::newRow("untrusted peer") << true << "127.0.0.1" << QByteArray("203.0.113.9") << "127.0.0.1";
        QTest::newRow("none trusted by default") << false << "127.0.0.2" << QByteArray("203.0.113.9") << "127.0.0.2";
    }
    void forwardedForOnlyFromTrustedProxies()
    {
        QFETCH(bool, trusting);
        QFETCH(QString, from);
        QFETCH(QByteArray, forwardedFor);
        QFETCH(QString, client);
        QVERIFY(startSlow());
        CloudProcess& service = trusting ? *m_slow : *m_plain;
        const QByteArray path = "/v1/forwarded-" + QByteArray::number(++m_marker);
        Wire wire(service.port(), false, QHostAddress(from));
        QVERIFY(wire.ok());
        wire.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: " + forwardedFor + "\r\n\r\n");
        QCOMPARE(statusOf(wire.response()), 404);
        QByteArray line;
        QVERIFY(QTest::qWaitFor([&] {
            for (const QByteArray& l : service.stderrText().split('\n')) {
                if (l.contains(path + ' '))
                    line = l;
            }
            return !line.isEmpty();
        }, 10000));
        QVERIFY2(line.trimmed().endsWith(' ' + client.toLatin1()), line.constData());
    }

    void chunkedBodies_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("plain, in two chunks") << false << QByteArray("1\r\n{\r\n1;ext=1\r\n}\r\n0\r\n\r\n") << 200;
        QTest::newRow("tls, in two chunks") << true << QByteArray("1\r\n{\r\n1\r\n}\r\n0\r\nTrailer: x\r\n\r\n") << 200;
        // Counted against the route's cap (128 KiB) as the chunk sizes arrive, before the data.
        QTest::newRow("plain, over the cap") << false << QByteArray("30000\r\n") << 413;
        QTest::newRow("tls, over the cap") << true << QByteArray("30000\r\n") << 413;
        QTest::newRow("plain, bad size") << false << QByteArray("zz\r\n") << 400;
        QTest::newRow("plain, data longer than its size") << false << QByteArray("1\r\n{}\r\n0\r\n\r\n") << 400;
    }
    void chunkedBodies()
    {
        QFETCH(bool, tls);
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        Wire wire(cloud(tls).port(), tls);
        QVERIFY(wire.ok());
        wire.send("POST /v1/auth/signin/begin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n" + body);
        const QByteArray answer = wire.response();
        QVERIFY2(statusOf(answer) == status, answer.left(400).constData());
        if (status >= 400)
            QVERIFY(wire.waitClosed());
    }

    void pipelinedRequestsAreAnswered()
    {
        Wire wire(m_plain->port(), false);
        QVERIFY(wire.ok());
        wire.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(statusOf(wire.response()), 200);
        QCOMPARE(statusOf(wire.response()), 200);
        // A body that looks like a request is a body: the guard follows Content-Length to the next request.
        const QByteArray lookalike = "GET /v1/smuggled-request HTTP/1.1\r\nHost: x\r\n\r\n";
        wire.send("POST /v1/auth/signin/begin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                  + QByteArray::number(lookalike.size()) + "\r\n\r\n" + lookalike + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(statusOf(wire.response()), 400); // (not JSON)
        QCOMPARE(statusOf(wire.response()), 200);
        QVERIFY(logCaughtUp(false));
        QVERIFY(!m_plain->stderrText().contains("smuggled-request"));
    }

    // A write's answer waits for its batch to commit and reach the disk; a request pipelined behind it on the same
    // connection is read (and answered at once) meanwhile. Both answers come, in order, each its own.
    void pipelinedRequestBehindAWaitingWrite()
    {
        Wire wire(m_plain->port(), false);
        QVERIFY(wire.ok());
        const QByteArray body = "{}";
        wire.send("POST /v1/auth/signin/begin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body
                  + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        const QByteArray first = wire.response();
        QVERIFY2(statusOf(first) == 200, first.left(400).constData());
        QVERIFY2(first.contains("challenge"), first.left(600).constData()); // the sign-in options, not the health answer
        const QByteArray second = wire.response();
        QVERIFY2(statusOf(second) == 200, second.left(400).constData());
        QVERIFY(!second.contains("challenge"));
        QVERIFY(wire.waitClosed()); // the second asked to close, after its own answer
    }
};

QTEST_GUILESS_MAIN(TestHttpFraming)
#include "TestHttpFraming.moc"
