// SPDX-License-Identifier: GPL-3.0-or-later
// The loopback listener's request reader (LoopbackRequest) and query decoder, row by row without sockets: what a
// browser sends is read; garbage, smuggling shapes, control bytes and oversized heads are refused with the status to
// answer, and a valid prefix waits for more.
#include "client/loopback/LoopbackRequest.h"
#include "client/loopback/LoopbackServer.h"

#include <QtTest>

using stint::client::LoopbackRequest;
using stint::client::LoopbackServer;
using Outcome = LoopbackRequest::Outcome;

namespace {

const QByteArray kHost = "Host: 127.0.0.1:50123\r\n";

// What Chromium sends when it follows the redirect to the listener.
QByteArray browserRequest(const QByteArray& target)
{
    return "GET " + target + " HTTP/1.1\r\n" + kHost
        + "Connection: keep-alive\r\n"
          "Upgrade-Insecure-Requests: 1\r\n"
          "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 "
          "Safari/537.36\r\n"
          "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
          "Sec-Fetch-Site: cross-site\r\n"
          "Sec-Fetch-Mode: navigate\r\n"
          "Accept-Encoding: gzip, deflate, br\r\n"
          "Accept-Language: de-DE,de;q=0.9,en;q=0.8\r\n"
          "\r\n";
}

QByteArray headWith(const QByteArray& extraHeaders)
{
    return "GET /stint/connect?state=s HTTP/1.1\r\n" + kHost + extraHeaders + "\r\n";
}

} // namespace

class TestLoopbackRequest : public QObject
{
    Q_OBJECT
private slots:
    void readsWhatABrowserSends()
    {
        const QByteArray target = "/stint/connect?code=0.AXoA-abc_DEF~1&state=Zm9vYmFy&session_state=x%2By";
        LoopbackRequest request;
        const auto parsed = LoopbackRequest::parse(browserRequest(target), {}, &request);
        QCOMPARE(parsed.outcome, Outcome::Complete);
        QCOMPARE(request.method, QByteArray("GET"));
        QCOMPARE(request.target, target);
        QCOMPARE(request.version, QByteArray("HTTP/1.1"));
        QCOMPARE(request.header("host"), QByteArray("127.0.0.1:50123"));
        QCOMPARE(request.header("accept-language"), QByteArray("de-DE,de;q=0.9,en;q=0.8"));
        QCOMPARE(request.headers.size(), 9);
    }

    void http10AndNoHeadersButHost()
    {
        LoopbackRequest request;
        QCOMPARE(LoopbackRequest::parse("GET /x HTTP/1.0\r\nHost: 127.0.0.1:1\r\n\r\n", {}, &request).outcome,
                 Outcome::Complete);
        QCOMPARE(request.version, QByteArray("HTTP/1.0"));
        QCOMPARE(LoopbackRequest::parse(headWith("Content-Length: 0\r\n"), {}, &request).outcome, Outcome::Complete);
        // Blanks around a value are not part of it.
        QCOMPARE(LoopbackRequest::parse(headWith("X-A: \t v w \t\r\n"), {}, &request).outcome, Outcome::Complete);
        QCOMPARE(request.header("x-a"), QByteArray("v w"));
    }

    void prefixesWaitForMore_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        const QByteArray whole = browserRequest("/stint/connect?state=s");
        // Every prefix of a valid head is incomplete, never refused.
        for (const int cut :
             {0, 1, 3, 4, 20, 38, 39, 40, 41, 60, int(whole.size()) - 3, int(whole.size()) - 2, int(whole.size()) - 1})
            QTest::addRow("first %d bytes", cut) << whole.left(cut);
    }
    void prefixesWaitForMore()
    {
        QFETCH(QByteArray, bytes);
        LoopbackRequest request;
        const auto parsed = LoopbackRequest::parse(bytes, {}, &request);
        QVERIFY2(parsed.outcome == Outcome::Incomplete, qPrintable(parsed.why));
    }

    void refusesGarbage_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        // The classic from the ownCloud client's tests, complete and as a bare line (refused before the head ends).
        QTest::newRow("GET FOFOFO HTTP 1/1") << QByteArray("GET FOFOFO HTTP 1/1\r\n\r\n") << 400;
        QTest::newRow("GET FOFOFO HTTP 1/1, line only") << QByteArray("GET FOFOFO HTTP 1/1\r\n") << 400;
        QTest::newRow("NUL bytes") << QByteArray("\0\0\0\0", 4) << 400;
        QTest::newRow("NUL in the target") << QByteArray("GET /stint/connect?state=s\0x HTTP/1.1\r\n", 39) << 400;
        QTest::newRow("NUL in a header") << headWith(QByteArray("X-A: a\0b\r\n", 10)) << 400;
        QTest::newRow("NUL before the line ends") << QByteArray("GET /\0", 6) << 400;
        QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\nHost: 127.0.0.1:1\n\n") << 400;
        QTest::newRow("bare CR") << QByteArray("GET / HTTP/1.1\rHost: 127.0.0.1:1\r\n\r\n") << 400;
        QTest::newRow("control byte in a value") << headWith("X-A: a\x01z\r\n") << 400;
        QTest::newRow("DEL in a value") << headWith("X-A: a\x7fz\r\n") << 400;
        QTest::newRow("TLS ClientHello") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) << 400;
        QTest::newRow("empty line first") << ("\r\n" + browserRequest("/")) << 400;
        QTest::newRow("lower-case version") << QByteArray("GET / http/1.1\r\n") << 400;
        QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n") << 400;
        QTest::newRow("HTTP/1.1 with a tail") << QByteArray("GET / HTTP/1.1x\r\n") << 400;
        QTest::newRow("no version") << QByteArray("GET /\r\n") << 400;
        QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\n") << 400;
        QTest::newRow("a space in the target") << QByteArray("GET /a b HTTP/1.1\r\n") << 400;
        QTest::newRow("tab separator") << QByteArray("GET\t/ HTTP/1.1\r\n") << 400;
        QTest::newRow("absolute form") << QByteArray("GET http://127.0.0.1:1/stint/connect HTTP/1.1\r\n") << 400;
        QTest::newRow("asterisk form") << QByteArray("GET * HTTP/1.1\r\n") << 400;
        QTest::newRow("double slash") << QByteArray("GET //evil.example/x HTTP/1.1\r\n") << 400;
        QTest::newRow("8-bit target") << QByteArray("GET /stint/connect?state=\xc3\xa9 HTTP/1.1\r\n") << 400;
        QTest::newRow("method not a token") << QByteArray("G(T / HTTP/1.1\r\n") << 400;
        QTest::newRow("POST") << QByteArray("POST /stint/connect HTTP/1.1\r\n") << 405;
        QTest::newRow("HEAD") << QByteArray("HEAD /stint/connect HTTP/1.1\r\n") << 405;
        QTest::newRow("lower-case get") << QByteArray("get /stint/connect HTTP/1.1\r\n") << 405;
        QTest::newRow("obsolete folding") << headWith("X-A: a\r\n b\r\n") << 400;
        QTest::newRow("no colon") << headWith("X-A a\r\n") << 400;
        QTest::newRow("space before colon") << headWith("X-A : a\r\n") << 400;
        QTest::newRow("empty name") << headWith(": a\r\n") << 400;
        QTest::newRow("no Host") << QByteArray("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n") << 400;
        QTest::newRow("two Hosts") << headWith(kHost) << 400;
        QTest::newRow("a body (Content-Length)") << headWith("Content-Length: 5\r\n") << 400;
        QTest::newRow("two Content-Lengths") << headWith("Content-Length: 0\r\nContent-Length: 0\r\n") << 400;
        QTest::newRow("Transfer-Encoding") << headWith("Transfer-Encoding: chunked\r\n") << 400;
        QTest::newRow("request line too long") << ("GET /" + QByteArray(9000, 'a')) << 414;
        QTest::newRow("request line too long, complete")
            << ("GET /" + QByteArray(9000, 'a') + " HTTP/1.1\r\n" + kHost + "\r\n") << 414;
        QByteArray big;
        for (int i = 0; i < 40; ++i)
            big += "X-Big-" + QByteArray::number(i) + ": " + QByteArray(1000, 'v') + "\r\n";
        QTest::newRow("head too large") << headWith(big) << 431;
        QTest::newRow("head too large, incomplete") << ("GET / HTTP/1.1\r\n" + big) << 431;
        QByteArray many;
        for (int i = 0; i < 70; ++i)
            many += "X-" + QByteArray::number(i) + ": v\r\n";
        QTest::newRow("too many fields") << headWith(many) << 431;
    }
    void refusesGarbage()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        LoopbackRequest request;
        const auto parsed = LoopbackRequest::parse(bytes, {}, &request);
        QCOMPARE(parsed.outcome, Outcome::Refused);
        QCOMPARE(parsed.status, status);
        QVERIFY(!parsed.why.isEmpty());
        QVERIFY(request.target.isEmpty()); // nothing is handed on
    }

    void decodesQueries_data()
    {
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QByteArrayList>("pairs"); // name, value, name, value …
        QTest::newRow("two") << QByteArray("code=abc&state=x") << true << QByteArrayList {"code", "abc", "state", "x"};
        QTest::newRow("empty") << QByteArray() << true << QByteArrayList {};
        QTest::newRow("plus is a space") << QByteArray("error_description=AADSTS65004%3a+User+declined") << true
                                         << QByteArrayList {"error_description", "AADSTS65004: User declined"};
        QTest::newRow("escaped plus") << QByteArray("s=a%2Bb") << true << QByteArrayList {"s", "a+b"};
        QTest::newRow("no value") << QByteArray("a&b=") << true << QByteArrayList {"a", "", "b", ""};
        QTest::newRow("empty pairs skipped") << QByteArray("&&a=1&") << true << QByteArrayList {"a", "1"};
        QTest::newRow("CRLF escaped") << QByteArray("d=x%0d%0ay") << true << QByteArrayList {"d", "x\r\ny"};
        QTest::newRow("repeated") << QByteArray("state=a&state=b") << true
                                  << QByteArrayList {"state", "a", "state", "b"};
        QTest::newRow("short escape") << QByteArray("a=%4") << false << QByteArrayList {};
        QTest::newRow("bad escape") << QByteArray("a=%zz") << false << QByteArrayList {};
        QTest::newRow("bad escape in a name") << QByteArray("%g1=1") << false << QByteArrayList {};
    }
    void decodesQueries()
    {
        QFETCH(QByteArray, query);
        QFETCH(bool, ok);
        QFETCH(QByteArrayList, pairs);
        const auto items = LoopbackServer::decodeQuery(query);
        QCOMPARE(items.has_value(), ok);
        if (!ok)
            return;
        QByteArrayList flat;
        for (const auto& [name, value] : *items)
            flat << name << value;
        QCOMPARE(flat, pairs);
    }
};

QTEST_GUILESS_MAIN(TestLoopbackRequest)
#include "TestLoopbackRequest.moc"
