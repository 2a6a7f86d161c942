// SPDX-License-Identifier: GPL-3.0-or-later
// The browser pages of the loopback flows: Entra's error_description read into the sentence shown and the AADSTS code
// kept, hostile text escaped, and every page a complete, self-contained HTTP response.
#include "client/loopback/LoopbackPage.h"

#include <QCryptographicHash>
#include <QtTest>

using stint::client::LoopbackPage;

class TestLoopbackPage : public QObject
{
    Q_OBJECT
private slots:
    void readsEntrasErrorDescription_data()
    {
        QTest::addColumn<QString>("description");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("sentence");
        QTest::newRow("protocols.md 1.1")
            << QStringLiteral("AADSTS65004: The resource owner or authorization server denied the request.\r\nTrace "
                              "ID: 1\r\nCorrelation ID: 2\r\nTimestamp: 2019-09-24 18:34:26Z")
            << QStringLiteral("AADSTS65004")
            << QStringLiteral("The resource owner or authorization server denied the request.");
        QTest::newRow("LF only") << QStringLiteral("AADSTS90094: The grant requires admin permission.\nTrace ID: 1")
                                 << QStringLiteral("AADSTS90094")
                                 << QStringLiteral("The grant requires admin permission.");
        QTest::newRow("seven digits") << QStringLiteral("AADSTS7000215: Invalid client secret provided.")
                                      << QStringLiteral("AADSTS7000215")
                                      << QStringLiteral("Invalid client secret provided.");
        QTest::newRow("v1 text, no code") << QStringLiteral("The admin canceled the request") << QString()
                                          << QStringLiteral("The admin canceled the request");
        QTest::newRow("code without digits")
            << QStringLiteral("AADSTS: odd") << QString() << QStringLiteral("AADSTS: odd");
        QTest::newRow("code only") << QStringLiteral("AADSTS50011") << QStringLiteral("AADSTS50011") << QString();
        QTest::newRow("empty") << QString() << QString() << QString();
        QTest::newRow("not at the start")
            << QStringLiteral("Error AADSTS65004: x") << QString() << QStringLiteral("Error AADSTS65004: x");
        QTest::newRow("non-ASCII digits")
            << QStringLiteral("AADSTS\u0661\u0662: x") << QString() << QStringLiteral("AADSTS\u0661\u0662: x");
    }
    void readsEntrasErrorDescription()
    {
        QFETCH(QString, description);
        QFETCH(QString, code);
        QFETCH(QString, sentence);
        QCOMPARE(LoopbackPage::aadstsCode(description), code);
        QCOMPARE(LoopbackPage::firstSentence(description), sentence);
    }

    void showsMicrosoftsRefusal()
    {
        const QString description = QStringLiteral("AADSTS65004: User declined to consent to access the app.\r\nTrace "
                                                   "ID: 0000aaaa\r\nCorrelation ID: bbbb1111");
        const LoopbackPage page = LoopbackPage::refusedByMicrosoft(QStringLiteral("access_denied"), description);
        QCOMPARE(page.status, 200);
        QCOMPARE(page.tone, LoopbackPage::Tone::Problem);
        QVERIFY(page.message.startsWith(QLatin1String("User declined to consent to access the app.")));
        QCOMPARE(page.facts.size(), 2);
        QCOMPARE(page.facts.at(0).second, QStringLiteral("AADSTS65004"));
        QCOMPARE(page.facts.at(1).second, QStringLiteral("access_denied"));
        QCOMPARE(page.detail, description); // trace and correlation ids for Microsoft's support
        const QByteArray html = page.html();
        QVERIFY(html.contains("<td>AADSTS65004</td>"));
        QVERIFY(html.contains("Correlation ID: bbbb1111"));
        // Not an admin: what to do instead.
        const LoopbackPage notAdmin = LoopbackPage::refusedByMicrosoft(
            QStringLiteral("consent_required"), QStringLiteral("AADSTS90094: The grant requires admin permission."));
        QVERIFY(notAdmin.message.contains(QLatin1String("Global Administrator")));
        QVERIFY(notAdmin.detail.isEmpty()); // nothing more than the sentence
    }

    void escapesEverything_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("script") << QStringLiteral("<script>alert(1)</script>");
        QTest::newRow("attribute break") << QStringLiteral("\"><img src=x onerror=alert(1)>");
        QTest::newRow("entity") << QStringLiteral("&lt;b&gt;");
        QTest::newRow("control bytes") << QStringLiteral("a\u0000b\u001bc");
    }
    void escapesEverything()
    {
        QFETCH(QString, text);
        for (const LoopbackPage& page : {LoopbackPage::refusedByMicrosoft(text, text + QStringLiteral("\r\nmore")),
                                         LoopbackPage::failed(text, text), LoopbackPage::signedIn(text)}) {
            const QByteArray html = page.html();
            QVERIFY(!html.contains("<script"));
            QVERIFY(!html.contains("<img"));
            QVERIFY(!html.contains("\"><"));
            QVERIFY(!html.contains('\0'));
            QVERIFY(!html.contains('\x1b'));
            if (text.startsWith(QLatin1Char('&')))
                QVERIFY(html.contains("&amp;lt;b&amp;gt;"));
        }
    }

    void cutsLongTexts()
    {
        const QString longText(20'000, QLatin1Char('x'));
        const QByteArray html
            = LoopbackPage::refusedByMicrosoft(QStringLiteral("e"), longText + QStringLiteral("\ny")).html();
        QVERIFY(html.size() < 20'000);
    }

    void everyPageIsACompleteResponse_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<int>("status");
        const QList<QPair<const char*, int>> pages {
            {"connected", 200},    {"signed in", 200},   {"received", 200},  {"refused", 200},
            {"failed", 200},       {"timed out", 410},   {"cancelled", 410}, {"state mismatch", 400},
            {"already done", 409}, {"bad request", 400}, {"not found", 404}, {"method not allowed", 405},
            {"too large", 431}};
        for (int i = 0; i < pages.size(); ++i)
            QTest::newRow(pages.at(i).first) << i << pages.at(i).second;
    }
    void everyPageIsACompleteResponse()
    {
        QFETCH(int, which);
        QFETCH(int, status);
        const QList<LoopbackPage> pages {LoopbackPage::connected(),
                                         LoopbackPage::signedIn(QStringLiteral("Ada")),
                                         LoopbackPage::received(),
                                         LoopbackPage::refusedByMicrosoft(QStringLiteral("access_denied"), {}),
                                         LoopbackPage::failed(QStringLiteral("x")),
                                         LoopbackPage::timedOut(),
                                         LoopbackPage::cancelled(),
                                         LoopbackPage::stateMismatch(),
                                         LoopbackPage::alreadyDone(),
                                         LoopbackPage::badRequest(),
                                         LoopbackPage::notFound(),
                                         LoopbackPage::methodNotAllowed(),
                                         LoopbackPage::badRequest(431)};
        const LoopbackPage& page = pages.at(which);
        QCOMPARE(page.status, status);
        QVERIFY(!page.title.isEmpty());
        const QByteArray response = page.response();
        QVERIFY(response.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '));
        const qsizetype split = response.indexOf("\r\n\r\n");
        const QByteArray head = response.left(split);
        const QByteArray body = response.mid(split + 4);
        QVERIFY(head.contains("\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n"));
        QVERIFY(head.contains("\r\nConnection: close"));
        QCOMPARE(head.contains("\r\nAllow: GET"), status == 405);
        QVERIFY(body.startsWith("<!DOCTYPE html>"));
        QVERIFY(body.contains("<title>" + page.title.toHtmlEscaped().toUtf8()));
        const qsizetype open = body.indexOf("<style>") + 7;
        const QByteArray style = body.mid(open, body.indexOf("</style>") - open);
        QVERIFY(head.contains("style-src 'sha256-"
                              + QCryptographicHash::hash(style, QCryptographicHash::Sha256).toBase64() + "'"));
    }
};

QTEST_GUILESS_MAIN(TestLoopbackPage)
#include "TestLoopbackPage.moc"
