// SPDX-License-Identifier: GPL-3.0-or-later
// Signing the desktop app in through the browser, end to end: BrowserSignIn over HttpTransport and CloudApi against
// the real stint-cloud binary. The browser is a real HTTP client that does what the cloud's /signin page does
// (resources/web/signin.js) with a software authenticator in place of the browser's passkey: it loads the page the
// app opened, reads the hand-off parameters from its query, runs the WebAuthn sign-in with `native` set, checks that
// the redirect it gets is the app's loopback URI, and follows it to the listener, which shows the outcome.
#include "client/CloudApi.h"
#include "client/HttpTransport.h"
#include "client/loopback/LoopbackFlows.h"
#include "client/loopback/LoopbackPage.h"
#include "core/Crypto.h"
#include "support/AdminSession.h"
#include "support/CloudProcess.h"
#include "support/SoftAuthenticator.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>
#include <functional>
#include <memory>

using namespace stint;

namespace {

QByteArray json(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// The browser's part and what it saw.
struct Browser
{
    QString email; // username-first sign-in, or empty for a discoverable passkey
    // Runs between the cloud's answer and following its redirect (e.g. someone else using the code first).
    std::function<void(const QUrl& redirect)> beforeReturning;
    QList<QUrl> opened;
    int pageStatus = 0; // GET /signin
    QJsonObject beginBody; // what was sent to signin/begin
    QUrl redirect; // where the cloud sent the browser
    HttpResult loopback; // the app's page
    QString failure;
    bool done = false;
};

} // namespace

class TestBrowserSignInLoopback : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    std::unique_ptr<SoftAuthenticator> m_key;
    QNetworkAccessManager m_network;
    std::unique_ptr<client::HttpTransport> m_transport;
    std::unique_ptr<client::CloudApi> m_api;
    Browser m_browser;

    client::OpenUrl openBrowser()
    {
        return [this](const QUrl& url) {
            m_browser.opened.append(url);
            QTimer::singleShot(0, this, [this, url]() { playBrowser(url); });
            return true;
        };
    }

    // What resources/web/signin.js does for a native hand-off, step by step.
    void playBrowser(const QUrl& url)
    {
        auto fail = [this](const QString& why) {
            m_browser.failure = why;
            m_browser.done = true;
        };
        const HttpResult page = httpRequest(m_network, QStringLiteral("GET"), url);
        m_browser.pageStatus = page.status;
        if (page.status != 200 || !page.body.contains("<html"))
            return fail(QStringLiteral("the sign-in page did not load: %1").arg(page.status));
        const QUrlQuery query(url);
        QJsonObject native {
            {QStringLiteral("redirectUri"), query.queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded)},
            {QStringLiteral("codeChallenge"),
             query.queryItemValue(QStringLiteral("code_challenge"), QUrl::FullyDecoded)},
            {QStringLiteral("codeChallengeMethod"),
             query.queryItemValue(QStringLiteral("code_challenge_method"), QUrl::FullyDecoded)},
            {QStringLiteral("state"), query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded)}};
        QJsonObject begin {{QStringLiteral("native"), native}};
        if (!m_browser.email.isEmpty())
            begin.insert(QStringLiteral("email"), m_browser.email);
        m_browser.beginBody = begin;
        const HttpResult started = httpRequest(m_network, QStringLiteral("POST"),
                                               m_cloud->url(QStringLiteral("/v1/auth/signin/begin")), json(begin));
        if (started.status != 200)
            return fail(QStringLiteral("signin/begin: %1 %2").arg(started.status).arg(QString::fromUtf8(started.body)));
        const QJsonObject assertion = m_key->get(started.json.value(QLatin1String("publicKey")).toObject());
        const HttpResult finished
            = httpRequest(m_network, QStringLiteral("POST"), m_cloud->url(QStringLiteral("/v1/auth/signin/finish")),
                          json({{QStringLiteral("ceremonyId"), started.json.value(QLatin1String("ceremonyId"))},
                                {QStringLiteral("credential"), assertion}}));
        if (finished.status != 200)
            return fail(
                QStringLiteral("signin/finish: %1 %2").arg(finished.status).arg(QString::fromUtf8(finished.body)));
        // The page goes only to the URI the app gave (isExpectedRedirect in signin.js).
        const QUrl redirect(finished.json.value(QLatin1String("redirect")).toString(), QUrl::StrictMode);
        const QUrl expected(native.value(QLatin1String("redirectUri")).toString());
        if (redirect.scheme() != QLatin1String("http") || redirect.host() != QLatin1String("127.0.0.1")
            || redirect.port() != expected.port() || redirect.path() != expected.path())
            return fail(QStringLiteral("unexpected redirect %1").arg(redirect.toString()));
        m_browser.redirect = redirect;
        if (m_browser.beforeReturning)
            m_browser.beforeReturning(redirect);
        m_browser.loopback = httpRequest(m_network, QStringLiteral("GET"), redirect);
        m_browser.done = true;
    }

    HttpResult exchange(const QString& code, const QString& verifier, const QString& redirectUri)
    {
        return m_cloud->post(QStringLiteral("/v1/auth/native/token"),
                             {{QStringLiteral("code"), code},
                              {QStringLiteral("codeVerifier"), verifier},
                              {QStringLiteral("redirectUri"), redirectUri}});
    }

    static bool portRefuses(quint16 port)
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        const bool settled = QTest::qWaitFor(
            [&]() {
                return socket.state() == QAbstractSocket::UnconnectedState
                    || socket.state() == QAbstractSocket::ConnectedState;
            },
            5000);
        return settled && socket.error() == QAbstractSocket::ConnectionRefusedError;
    }

private slots:
    void initTestCase()
    {
        qRegisterMetaType<client::LoopbackStage>();
        QVERIFY(m_dir.isValid());
        const InitResult init = initDataDir(m_dir.path());
        QVERIFY(!init.inviteToken.isEmpty());
        m_cloud = std::make_unique<CloudProcess>(m_dir.path());
        // Every request here comes from 127.0.0.1: lift the per-address sign-in limit.
        QVERIFY(m_cloud->start({QStringLiteral("--signin-attempts-per-address"), QStringLiteral("100000")}));
        m_key = std::make_unique<SoftAuthenticator>(m_cloud->origin());
        QVERIFY(!enrollWithInvite(*m_cloud, *m_key, init.inviteToken).isEmpty());
    }

    void init()
    {
        // The app's side: the cloud as its settings name it (http://localhost:<port>).
        m_transport = std::make_unique<client::HttpTransport>(QUrl(m_cloud->origin()));
        m_api = std::make_unique<client::CloudApi>(*m_transport);
        m_browser = Browser {};
    }

    void cleanup()
    {
        m_api.reset();
        m_transport.reset();
    }

    void signsInThroughTheCloudsPage_data()
    {
        QTest::addColumn<QString>("email");
        QTest::newRow("discoverable passkey") << QString();
        QTest::newRow("username first") << QStringLiteral("admin@msp.test");
    }
    void signsInThroughTheCloudsPage()
    {
        QFETCH(QString, email);
        m_browser.email = email;
        client::BrowserSignIn signIn(*m_api, openBrowser());
        QSignalSpy stages(&signIn, &client::BrowserSignIn::stageChanged);
        auto call = signIn.signIn();
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 30'000);
        QVERIFY2(m_browser.failure.isEmpty(), qPrintable(m_browser.failure));
        QVERIFY2(call.result()->ok(), qPrintable(call.result()->ok() ? QString() : call.result()->error().message));
        const client::SharedSession session = call.result()->value();
        QCOMPARE(session->person.email, QStringLiteral("admin@msp.test"));
        QCOMPARE(session->token.size(), 43);

        // The browser opened the cloud's own page with the hand-off of docs/api.md.
        QCOMPARE(m_browser.opened.size(), 1);
        const QUrl opened = m_browser.opened.first();
        QCOMPARE(opened.adjusted(QUrl::RemoveQuery).toString(), m_cloud->origin() + QStringLiteral("/signin"));
        QCOMPARE(m_browser.pageStatus, 200);
        const QJsonObject native = m_browser.beginBody.value(QLatin1String("native")).toObject();
        QCOMPARE(native.value(QLatin1String("codeChallengeMethod")).toString(), QStringLiteral("S256"));
        const QUrl redirectUri(native.value(QLatin1String("redirectUri")).toString());
        QCOMPARE(redirectUri.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(redirectUri.path(), QStringLiteral("/stint/signin"));
        const QUrlQuery back(m_browser.redirect);
        QCOMPARE(back.queryItemValue(QStringLiteral("state")), native.value(QLatin1String("state")).toString());

        // The app's page names who signed in, and shows neither the code nor the session.
        QCOMPARE(m_browser.loopback.status, 200);
        QVERIFY(m_browser.loopback.body.contains(client::LoopbackPage::signedIn({}).title.toUtf8()));
        const QString who = session->person.displayName.isEmpty() ? session->person.email : session->person.displayName;
        QVERIFY(!who.isEmpty());
        QVERIFY(m_browser.loopback.body.contains(who.toHtmlEscaped().toUtf8()));
        QVERIFY(!m_browser.loopback.body.contains(back.queryItemValue(QStringLiteral("code")).toUtf8()));
        QVERIFY(!m_browser.loopback.body.contains(session->token.bytes()));
        QCOMPARE(stages.last().at(0).value<client::LoopbackStage>(), client::LoopbackStage::Done);

        // The session works through the client.
        m_transport->setSessionToken(session->token);
        auto me = m_api->me();
        QTRY_VERIFY_WITH_TIMEOUT(me.isFinished(), 15'000);
        QVERIFY(me.result()->ok());
        QCOMPARE(me.result()->value().person.email, QStringLiteral("admin@msp.test"));

        // One callback, one code: the listener is gone and the code is spent.
        QVERIFY(portRefuses(quint16(redirectUri.port())));
        const HttpResult replay
            = exchange(back.queryItemValue(QStringLiteral("code")),
                       QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(32))), redirectUri.toString());
        QCOMPARE(replay.status, 400);
        QCOMPARE(replay.problem(), QStringLiteral("invalid-grant"));
    }

    // The code travels through the browser; without the app's verifier it is worth nothing, and anyone who tries it
    // first spends it — the app then says so instead of signing in.
    void aCodeUsedByAnotherIsUselessAndTheAppSaysSo()
    {
        m_browser.beforeReturning = [this](const QUrl& redirect) {
            const HttpResult stolen = exchange(QUrlQuery(redirect).queryItemValue(QStringLiteral("code")),
                                               QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(32))),
                                               redirect.adjusted(QUrl::RemoveQuery).toString());
            if (stolen.status != 400)
                qWarning("a code without its verifier was redeemed: %d", stolen.status);
        };
        client::BrowserSignIn signIn(*m_api, openBrowser());
        auto call = signIn.signIn();
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 30'000);
        QVERIFY2(m_browser.failure.isEmpty(), qPrintable(m_browser.failure));
        QVERIFY(!call.result()->ok());
        QCOMPARE(call.result()->error().code, QStringLiteral("api.invalid-grant"));
        QCOMPARE(m_browser.loopback.status, 200);
        QVERIFY(m_browser.loopback.body.contains(client::LoopbackPage::failed({}).title.toUtf8()));
    }

    void aForgedCallbackIsIgnored()
    {
        // A page in another tab finds the port and sends a code of its own (an attacker's session) first.
        m_browser.beforeReturning = [this](const QUrl& redirect) {
            QUrl forged = redirect;
            forged.setQuery(QStringLiteral("code=attackers-code&state=guessed"));
            const HttpResult r = httpRequest(m_network, QStringLiteral("GET"), forged);
            if (r.status != 400)
                qWarning("the forged callback got %d", r.status);
        };
        client::BrowserSignIn signIn(*m_api, openBrowser());
        auto call = signIn.signIn();
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 30'000);
        QVERIFY2(call.result()->ok(), qPrintable(call.result()->ok() ? QString() : call.result()->error().message));
        QCOMPARE(call.result()->value()->person.email, QStringLiteral("admin@msp.test"));
        QCOMPARE(m_browser.loopback.status, 200);
    }

    void nobodyComingBackTimesOut()
    {
        client::BrowserSignIn signIn(*m_api, [this](const QUrl& url) {
            m_browser.opened.append(url); // the person closes the browser without signing in
            return true;
        });
        signIn.setTimeoutMs(300);
        auto call = signIn.signIn();
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 10'000);
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.timeout"));
        // Signing in later (with a page the cloud served to the person meanwhile) is told it is too late.
        const QUrl redirectUri(
            QUrlQuery(m_browser.opened.first()).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QUrl late = redirectUri;
        late.setQuery(
            QStringLiteral("code=x&state=")
            + QUrlQuery(m_browser.opened.first()).queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded));
        const HttpResult page = httpRequest(m_network, QStringLiteral("GET"), late);
        QCOMPARE(page.status, 410);
        QVERIFY(page.body.contains(client::LoopbackPage::timedOut().title.toUtf8()));
    }
};

QTEST_GUILESS_MAIN(TestBrowserSignInLoopback)
#include "TestBrowserSignInLoopback.moc"
