// SPDX-License-Identifier: GPL-3.0-or-later
// The loopback listener over real sockets: a QNetworkAccessManager playing the browser, raw QTcpSockets throwing
// garbage, a slowloris, browsers that close early, a second callback, wrong states, the timeout and the connection
// cap. Every server listens on 127.0.0.1 at a port of its own (port 0), so the tests run side by side.
#include "client/loopback/LoopbackServer.h"

#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QtTest>
#include <memory>

using stint::client::LoopbackPage;
using stint::client::LoopbackServer;

namespace {

const QString kPath = QStringLiteral("/stint/connect");
const QByteArray kState = "c3RhdGUtZm9yLXRoZS10ZXN0LW9ubHktMDEyMzQ1Njc4OQ";

// What came back on a raw connection, read until the server closed it.
struct Raw
{
    QByteArray bytes;
    bool closed = false;

    int status() const
    {
        const QRegularExpressionMatch m
            = QRegularExpression(QStringLiteral("^HTTP/1\\.1 (\\d{3}) ")).match(QString::fromLatin1(bytes.left(40)));
        return m.hasMatch() ? m.captured(1).toInt() : 0;
    }
    QByteArray header(const QByteArray& name) const
    {
        const QByteArray head = bytes.left(bytes.indexOf("\r\n\r\n"));
        for (const QByteArray& line : head.split('\n')) {
            const QByteArray l = line.trimmed();
            if (l.toLower().startsWith(name.toLower() + ':'))
                return l.mid(name.size() + 1).trimmed();
        }
        return {};
    }
    QByteArray body() const { return bytes.mid(bytes.indexOf("\r\n\r\n") + 4); }
};

// Connects to the listener (spinning the event loop, so the in-process server runs).
std::unique_ptr<QTcpSocket> connectTo(quint16 port)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    const bool settled = QTest::qWaitFor(
        [&]() {
            return socket->state() == QAbstractSocket::ConnectedState
                || socket->state() == QAbstractSocket::UnconnectedState;
        },
        5000);
    if (!settled)
        qWarning("connecting to 127.0.0.1:%u did not settle", unsigned(port));
    return socket;
}

// Reads until the server closes the connection (or `timeoutMs`).
Raw readUntilClosed(QTcpSocket& socket, int timeoutMs = 5000)
{
    Raw raw;
    raw.closed = QTest::qWaitFor(
        [&]() {
            raw.bytes += socket.readAll();
            return socket.state() == QAbstractSocket::UnconnectedState;
        },
        timeoutMs);
    raw.bytes += socket.readAll();
    return raw;
}

Raw exchange(quint16 port, const QByteArray& bytes, int timeoutMs = 5000)
{
    auto socket = connectTo(port);
    socket->write(bytes);
    return readUntilClosed(*socket, timeoutMs);
}

QByteArray get(quint16 port, const QByteArray& target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
        + "\r\nUser-Agent: TestLoopbackServer\r\nAccept: text/html\r\n\r\n";
}

QByteArray callbackTarget(const QByteArray& state = kState)
{
    return kPath.toUtf8() + "?code=0.AXoA-one-time-code&state=" + state;
}

} // namespace

class TestLoopbackServer : public QObject
{
    Q_OBJECT

    std::unique_ptr<LoopbackServer> m_server;
    std::unique_ptr<QSignalSpy> m_callbacks;
    std::unique_ptr<QSignalSpy> m_refused;
    QNetworkAccessManager m_nam;

    quint16 port() const { return m_server->port(); }

    // A fresh listener waiting for kState.
    void start(LoopbackServer::Limits limits = {}, int timeoutMs = 60'000)
    {
        m_server = std::make_unique<LoopbackServer>(kPath);
        m_server->setLimits(limits);
        m_callbacks = std::make_unique<QSignalSpy>(m_server.get(), &LoopbackServer::callbackReceived);
        m_refused = std::make_unique<QSignalSpy>(m_server.get(), &LoopbackServer::refused);
        QVERIFY(m_server->listen().ok());
        m_server->awaitCallback(kState, timeoutMs);
    }

    // The browser: a real HTTP client following the redirect to the listener.
    QNetworkReply* browse(const QByteArray& target)
    {
        QNetworkRequest request(QUrl::fromEncoded("http://127.0.0.1:" + QByteArray::number(port()) + target));
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        return m_nam.get(request);
    }

    // The listener is still waiting and completes with a proper callback.
    void stillAcceptsTheCallback()
    {
        QCOMPARE(m_server->phase(), LoopbackServer::Phase::Waiting);
        QVERIFY(m_server->isListening());
        const int before = int(m_callbacks->size());
        QNetworkReply* reply = browse(callbackTarget());
        QTRY_COMPARE(int(m_callbacks->size()), before + 1);
        m_server->answer(LoopbackPage::connected());
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        reply->deleteLater();
    }

private slots:
    void cleanup()
    {
        m_callbacks.reset();
        m_refused.reset();
        m_server.reset();
    }

    void listensOnLoopbackOnly()
    {
        start();
        QVERIFY(port() != 0);
        QCOMPARE(m_server->redirectUri(), QStringLiteral("http://127.0.0.1:%1/stint/connect").arg(port()));
        // The port answers on 127.0.0.1 …
        auto local = connectTo(port());
        QCOMPARE(local->state(), QAbstractSocket::ConnectedState);
        // … and on no other address of this machine (IPv6 loopback included).
        QList<QHostAddress> others {QHostAddress(QHostAddress::LocalHostIPv6)};
        for (const QHostAddress& a : QNetworkInterface::allAddresses()) {
            if (!a.isLoopback() && a.protocol() == QAbstractSocket::IPv4Protocol)
                others << a;
        }
        for (const QHostAddress& address : others) {
            QTcpSocket socket;
            socket.connectToHost(address, port());
            QVERIFY2(QTest::qWaitFor([&]() { return socket.state() == QAbstractSocket::UnconnectedState; }, 5000),
                     qPrintable(address.toString()));
            QVERIFY2(socket.error() != QAbstractSocket::UnknownSocketError, qPrintable(address.toString()));
        }
        // Two listeners never share a port.
        LoopbackServer second(kPath);
        QVERIFY(second.listen().ok());
        QVERIFY(second.port() != port());
    }

    void acceptsTheMatchingCallbackAndHoldsTheBrowserForItsPage()
    {
        start();
        QNetworkReply* reply = browse(callbackTarget());
        QTRY_COMPARE(m_callbacks->size(), 1);
        const QUrl url = m_callbacks->at(0).at(0).toUrl();
        QCOMPARE(url.toString(QUrl::FullyEncoded),
                 QStringLiteral("http://127.0.0.1:%1%2").arg(port()).arg(QString::fromLatin1(callbackTarget())));
        // Listening stopped the moment the callback came; the browser waits for the flow's page.
        QVERIFY(!m_server->isListening());
        QCOMPARE(m_server->phase(), LoopbackServer::Phase::Answering);
        QTest::qWait(50); // nothing must arrive meanwhile: no page before answer()
        QVERIFY(!reply->isFinished());

        m_server->answer(LoopbackPage::signedIn(QStringLiteral("Ada <admin>")));
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(reply->rawHeader("Content-Type"), QByteArray("text/html; charset=utf-8"));
        QCOMPARE(reply->rawHeader("Cache-Control"), QByteArray("no-store"));
        QCOMPARE(reply->rawHeader("Connection"), QByteArray("close"));
        QCOMPARE(reply->rawHeader("Referrer-Policy"), QByteArray("no-referrer"));
        QCOMPARE(reply->rawHeader("X-Content-Type-Options"), QByteArray("nosniff"));
        const QByteArray body = reply->readAll();
        QVERIFY(body.contains("Ada &lt;admin&gt;"));
        QVERIFY(!body.contains("<admin>"));
        QCOMPARE(m_server->phase(), LoopbackServer::Phase::Done);
        // A second answer changes nothing.
        m_server->answer(LoopbackPage::failed(QStringLiteral("late")));
        QCOMPARE(m_callbacks->size(), 1);
        reply->deleteLater();
    }

    void pagesAreSelfContained()
    {
        start();
        QNetworkReply* reply = browse(callbackTarget());
        QTRY_COMPARE(m_callbacks->size(), 1);
        m_server->answer(LoopbackPage::refusedByMicrosoft(
            QStringLiteral("access_denied"),
            QStringLiteral("AADSTS65004: User declined to consent to access the app.\r\nTrace ID: "
                           "0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: "
                           "aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-01-01 10:00:00Z")));
        QTRY_VERIFY(reply->isFinished());
        const QByteArray csp = reply->rawHeader("Content-Security-Policy");
        const QByteArray body = reply->readAll();
        // One inline stylesheet, allowed by its hash; no script, no external resource of any kind.
        const qsizetype open = body.indexOf("<style>") + 7;
        const QByteArray style = body.mid(open, body.indexOf("</style>") - open);
        QVERIFY(!style.isEmpty());
        QVERIFY2(csp.startsWith("default-src 'none'; style-src 'sha256-"
                                + QCryptographicHash::hash(style, QCryptographicHash::Sha256).toBase64() + "'"),
                 csp.constData());
        for (const char* forbidden : {"<script", "src=", "href=", "url(", "http://", "https://", "@import"})
            QVERIFY2(!body.contains(forbidden), forbidden);
        QVERIFY(body.contains("User declined to consent to access the app."));
        QVERIFY(body.contains("AADSTS65004"));
        QVERIFY(body.contains("Correlation ID: aaaa0000-bb11-2222-33cc-444444dddddd"));
        reply->deleteLater();
    }

    void refusesGarbageAndKeepsWaiting_data()
    {
        QTest::addColumn<QByteArray>("bytes"); // "{port}" is this listener's port
        QTest::addColumn<int>("status");
        const QByteArray host = "Host: 127.0.0.1:{port}\r\n";
        QTest::newRow("GET FOFOFO HTTP 1/1") << QByteArray("GET FOFOFO HTTP 1/1\r\n\r\n") << 400;
        QTest::newRow("GET FOFOFO HTTP 1/1, then silence") << QByteArray("GET FOFOFO HTTP 1/1\r\n") << 400;
        QTest::newRow("NUL bytes") << QByteArray(64, '\0') << 400;
        QTest::newRow("NUL in the callback")
            << (QByteArray("GET /stint/connect?state=") + '\0' + " HTTP/1.1\r\n" + host + "\r\n") << 400;
        QTest::newRow("TLS ClientHello") << QByteArray("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 11) << 400;
        QTest::newRow("bare LF") << ("GET " + callbackTarget() + " HTTP/1.1\n" + host.chopped(2) + "\n\n") << 400;
        QTest::newRow("POST") << ("POST " + callbackTarget() + " HTTP/1.1\r\n" + host + "\r\n") << 405;
        QTest::newRow("form_post body")
            << ("POST " + kPath.toUtf8() + " HTTP/1.1\r\n" + host
                + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 30\r\n\r\ncode=x&state=" + kState)
            << 405;
        QTest::newRow("GET with a body") << ("GET " + callbackTarget() + " HTTP/1.1\r\n" + host
                                             + "Content-Length: 3\r\n\r\nabc")
                                         << 400;
        QTest::newRow("no Host") << ("GET " + callbackTarget() + " HTTP/1.1\r\n\r\n") << 400;
        // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1.
        QTest::newRow("foreign Host") << ("GET " + callbackTarget() + " HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n")
                                      << 400;
        QTest::newRow("localhost Host") << ("GET " + callbackTarget() + " HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n")
                                        << 400;
        QTest::newRow("Host without the port")
            << ("GET " + callbackTarget() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") << 400;
        QTest::newRow("request line too long") << ("GET /" + QByteArray(20'000, 'a') + " HTTP/1.1\r\n") << 414;
        QByteArray big;
        for (int i = 0; i < 40; ++i)
            big += "X-Big-" + QByteArray::number(i) + ": " + QByteArray(1000, 'v') + "\r\n";
        QTest::newRow("head too large") << ("GET " + callbackTarget() + " HTTP/1.1\r\n" + host + big + "\r\n") << 431;
        QTest::newRow("malformed escape") << get(0, kPath.toUtf8() + "?state=%zz") << 400;
        QTest::newRow("invalid URL characters") << get(0, kPath.toUtf8() + "?state=" + kState + "&x=<\">") << 400;
    }
    void refusesGarbageAndKeepsWaiting()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        start();
        bytes.replace("{port}", QByteArray::number(port()));
        bytes.replace("127.0.0.1:0\r\n", "127.0.0.1:" + QByteArray::number(port()) + "\r\n");
        const Raw raw = exchange(port(), bytes);
        QVERIFY2(raw.closed, "the listener closes the connection after refusing");
        QCOMPARE(raw.status(), status);
        QVERIFY(raw.body().contains("<!DOCTYPE html>"));
        QCOMPARE(raw.header("Connection"), QByteArray("close"));
        QCOMPARE(m_callbacks->size(), 0);
        QVERIFY(!m_refused->isEmpty());
        QCOMPARE(m_refused->last().at(0).toInt(), status);
        stillAcceptsTheCallback();
    }

    void otherPathsAreNotFound_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::newRow("favicon") << QByteArray("/favicon.ico");
        QTest::newRow("root") << QByteArray("/?state=" + kState);
        QTest::newRow("case differs") << QByteArray("/stint/Connect?state=" + kState);
        QTest::newRow("trailing slash") << QByteArray("/stint/connect/?state=" + kState);
        QTest::newRow("longer") << QByteArray("/stint/connectx?state=" + kState);
        QTest::newRow("escaped slash") << QByteArray("/stint%2Fconnect?state=" + kState);
        QTest::newRow("dot segment") << QByteArray("/stint/./connect?state=" + kState);
        QTest::newRow("the sign-in path") << QByteArray("/stint/signin?state=" + kState);
    }
    void otherPathsAreNotFound()
    {
        QFETCH(QByteArray, target);
        start();
        const Raw raw = exchange(port(), get(port(), target));
        QCOMPARE(raw.status(), 404);
        QCOMPARE(m_callbacks->size(), 0);
        stillAcceptsTheCallback();
    }

    void wrongStatesAreRefusedAndTheListenerKeepsWaiting_data()
    {
        QTest::addColumn<QByteArray>("target");
        const QByteArray path = kPath.toUtf8();
        QTest::newRow("no query") << path;
        QTest::newRow("no state") << QByteArray(path + "?code=abc");
        QTest::newRow("empty state") << QByteArray(path + "?code=abc&state=");
        QTest::newRow("wrong state") << QByteArray(path + "?code=abc&state=d3Jvbmc");
        QTest::newRow("a prefix of the state") << QByteArray(path + "?code=abc&state=" + kState.chopped(1));
        QTest::newRow("the state and more") << QByteArray(path + "?code=abc&state=" + kState + "A");
        QTest::newRow("case changed") << QByteArray(path + "?code=abc&state=" + kState.toLower());
        QTest::newRow("twice, one right") << QByteArray(path + "?state=wrong&code=abc&state=" + kState);
        QTest::newRow("twice, both right") << QByteArray(path + "?state=" + kState + "&state=" + kState);
        QTest::newRow("in the name") << QByteArray(path + "?" + kState + "=state");
        // A Microsoft error with a forged state must not reach the flow (its text is shown only for our state).
        QTest::newRow("error without state")
            << QByteArray(path + "?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    }
    void wrongStatesAreRefusedAndTheListenerKeepsWaiting()
    {
        QFETCH(QByteArray, target);
        start();
        QNetworkReply* reply = browse(target);
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 400);
        const QByteArray body = reply->readAll();
        QVERIFY(body.contains(LoopbackPage::stateMismatch().title.toHtmlEscaped().toUtf8()));
        QVERIFY(!body.contains("<script>"));
        reply->deleteLater();
        QCOMPARE(m_callbacks->size(), 0);
        QCOMPARE(m_refused->last().at(0).toInt(), 400);
        stillAcceptsTheCallback();
    }

    void nothingMatchesBeforeTheStateIsKnown()
    {
        m_server = std::make_unique<LoopbackServer>(kPath);
        QSignalSpy callbacks(m_server.get(), &LoopbackServer::callbackReceived);
        QVERIFY(m_server->listen().ok());
        QCOMPARE(exchange(port(), get(port(), callbackTarget())).status(), 400);
        QCOMPARE(exchange(port(), get(port(), kPath.toUtf8() + "?state=")).status(), 400);
        QCOMPARE(callbacks.size(), 0);
        QCOMPARE(m_server->phase(), LoopbackServer::Phase::Listening);
    }

    void aSecondCallbackIsRefused()
    {
        start();
        // A connection the browser opened ahead (browsers preconnect), and one for the callback.
        auto early = connectTo(port());
        QCOMPARE(early->state(), QAbstractSocket::ConnectedState);
        QNetworkReply* first = browse(callbackTarget());
        QTRY_COMPARE(m_callbacks->size(), 1);
        m_server->answer(LoopbackPage::connected());
        QTRY_VERIFY(first->isFinished());
        QCOMPARE(first->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        first->deleteLater();

        // The same callback again on the connection that was already open: refused with a page.
        early->write(get(port(), callbackTarget()));
        const Raw again = readUntilClosed(*early);
        QCOMPARE(again.status(), 409);
        QVERIFY(again.body().contains(LoopbackPage::alreadyDone().title.toUtf8()));
        // A new connection: nobody listens any more.
        QTcpSocket late;
        late.connectToHost(QHostAddress(QHostAddress::LocalHost), port());
        QTRY_COMPARE(late.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(late.error(), QAbstractSocket::ConnectionRefusedError);
        QCOMPARE(m_callbacks->size(), 1);
    }

    void aBrowserClosingEarlyBreaksNothing_data()
    {
        QTest::addColumn<QByteArray>("sent"); // then the connection is aborted
        QTest::newRow("connect and close") << QByteArray();
        QTest::newRow("half a request line") << QByteArray("GET /stint/conn");
        QTest::newRow("a request line, no headers") << QByteArray("GET " + callbackTarget() + " HTTP/1.1\r\n");
        QTest::newRow("all but the empty line")
            << QByteArray("GET " + callbackTarget() + " HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    }
    void aBrowserClosingEarlyBreaksNothing()
    {
        QFETCH(QByteArray, sent);
        start();
        sent.replace("{port}", QByteArray::number(port()));
        auto socket = connectTo(port());
        socket->write(sent);
        QTRY_COMPARE(socket->bytesToWrite(), 0);
        socket->abort();
        // The listener notices (or not) and carries on.
        stillAcceptsTheCallback();
    }

    // Bytes after the callback on its own connection (pipelining, or a client playing games) must not displace the
    // page the flow gives that browser.
    void moreBytesOnTheCallbacksConnectionAreIgnored_data()
    {
        QTest::addColumn<bool>("together"); // in the same write as the callback, or after it was taken
        QTest::newRow("pipelined") << true;
        QTest::newRow("afterwards") << false;
    }
    void moreBytesOnTheCallbacksConnectionAreIgnored()
    {
        QFETCH(bool, together);
        start();
        auto socket = connectTo(port());
        const QByteArray second = get(port(), callbackTarget()) + "GET /favicon.ico HTTP/1.1\r\n\r\n";
        socket->write(get(port(), callbackTarget()) + (together ? second : QByteArray()));
        QTRY_COMPARE(m_callbacks->size(), 1);
        if (!together) {
            socket->write(second);
            QTRY_COMPARE(socket->bytesToWrite(), 0);
        }
        QCOMPARE(socket->bytesAvailable(), 0);
        m_server->answer(LoopbackPage::connected());
        const Raw raw = readUntilClosed(*socket);
        QCOMPARE(raw.status(), 200);
        QVERIFY(raw.body().contains(LoopbackPage::connected().title.toUtf8()));
        QCOMPARE(raw.bytes.count("HTTP/1.1 "), 1);
        QCOMPARE(m_callbacks->size(), 1);
    }

    void aCallbackWhoseBrowserLeftStillCounts()
    {
        start();
        auto socket = connectTo(port());
        socket->write(get(port(), callbackTarget()));
        QTRY_COMPARE(m_callbacks->size(), 1);
        socket->abort(); // the person closed the tab before Stint finished
        m_server->answer(LoopbackPage::connected()); // nobody to show it to: nothing happens
        QCOMPARE(m_server->phase(), LoopbackServer::Phase::Done);
        QVERIFY(!m_server->isListening());
    }

    void slowlorisIsCutOff_data()
    {
        QTest::addColumn<bool>("trickle");
        QTest::newRow("silent after connecting") << false;
        QTest::newRow("a byte every 20 ms") << true;
    }
    void slowlorisIsCutOff()
    {
        QFETCH(bool, trickle);
        LoopbackServer::Limits limits;
        limits.readDeadlineMs = 400;
        start(limits);
        QElapsedTimer clock;
        clock.start();
        auto socket = connectTo(port());
        socket->write("GET " + kPath.toUtf8() + "?state=");
        QTimer drip;
        if (trickle) {
            QObject::connect(&drip, &QTimer::timeout, socket.get(), [&]() { socket->write("a"); });
            drip.start(20);
        }
        const Raw raw = readUntilClosed(*socket, 10'000);
        drip.stop();
        QVERIFY(raw.closed);
        // A client still sending when the listener closes may get a reset instead of the page (unread bytes make the
        // kernel reset the connection): cut off either way.
        if (!trickle || raw.status() != 0)
            QCOMPARE(raw.status(), 408);
        QVERIFY2(clock.elapsed() >= 400, qPrintable(QString::number(clock.elapsed())));
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
        stillAcceptsTheCallback();
    }

    void connectionsAreCapped()
    {
        LoopbackServer::Limits limits;
        limits.maxConnections = 4;
        start(limits);
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 4; ++i) {
            idle.push_back(connectTo(port()));
            QCOMPARE(idle.back()->state(), QAbstractSocket::ConnectedState);
        }
        // The fifth is closed unanswered (the kernel accepted it; the listener drops it).
        auto extra = connectTo(port());
        const Raw dropped = readUntilClosed(*extra);
        QVERIFY(dropped.closed);
        QVERIFY(dropped.bytes.isEmpty());
        // Once the idle ones go, the browser gets through.
        idle.clear();
        QTRY_VERIFY_WITH_TIMEOUT(exchange(port(), get(port(), "/favicon.ico")).status() == 404, 5000);
        stillAcceptsTheCallback();
    }

    void timesOutThenTellsLateBrowsersThenCloses()
    {
        LoopbackServer::Limits limits;
        limits.lingerMs = 400;
        start(limits, 150);
        QSignalSpy timedOut(m_server.get(), &LoopbackServer::timedOut);
        QVERIFY(timedOut.wait(5000));
        QCOMPARE(m_server->phase(), LoopbackServer::Phase::Expired);
        // A late browser with the right state gets the "too late" page, and no callback happens.
        const Raw late = exchange(port(), get(port(), callbackTarget()));
        QCOMPARE(late.status(), 410);
        QVERIFY(late.body().contains(LoopbackPage::timedOut().title.toUtf8()));
        QCOMPARE(m_callbacks->size(), 0);
        // After the linger, the port is closed.
        QTRY_COMPARE_WITH_TIMEOUT(m_server->phase(), LoopbackServer::Phase::Closed, 5000);
        QTcpSocket after;
        after.connectToHost(QHostAddress(QHostAddress::LocalHost), port());
        QTRY_COMPARE(after.state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(after.error(), QAbstractSocket::ConnectionRefusedError);
        QCOMPARE(timedOut.size(), 1);
    }

    void theBrowserGetsANeutralPageWhenTheFlowIsSlow()
    {
        LoopbackServer::Limits limits;
        limits.answerDeadlineMs = 150;
        start(limits);
        QNetworkReply* reply = browse(callbackTarget());
        QTRY_COMPARE(m_callbacks->size(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 5000);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(reply->readAll().contains(LoopbackPage::received().title.toUtf8()));
        reply->deleteLater();
    }

    void closingAnswersTheHeldBrowser()
    {
        start();
        QNetworkReply* reply = browse(callbackTarget());
        QTRY_COMPARE(m_callbacks->size(), 1);
        m_server->close(LoopbackPage::cancelled());
        QTRY_VERIFY(reply->isFinished());
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 410);
        QVERIFY(reply->readAll().contains(LoopbackPage::cancelled().title.toUtf8()));
        reply->deleteLater();
        QCOMPARE(m_server->phase(), LoopbackServer::Phase::Closed);
    }
};

QTEST_GUILESS_MAIN(TestLoopbackServer)
#include "TestLoopbackServer.moc"
