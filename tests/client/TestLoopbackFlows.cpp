// SPDX-License-Identifier: GPL-3.0-or-later
// TenantConnector and BrowserSignIn above a scripted cloud (the ApiTransport seam), with a real HTTP client playing
// the browser: it is "opened" through the injected OpenUrl, reads where the cloud sent it, and comes back to the
// loopback port the way Microsoft's (or the cloud's) redirect would. The real cloud and entra-sim play these parts in
// tests/integration/TestTenantConnectLoopback and TestBrowserSignInLoopback.
#include "client/ApiError.h"
#include "client/CloudApi.h"
#include "client/loopback/LoopbackFlows.h"
#include "client/loopback/LoopbackPage.h"
#include "core/Crypto.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QtTest>
#include <functional>
#include <memory>

using namespace stint;
using namespace stint::client;

Q_DECLARE_METATYPE(stint::client::LoopbackStage)

namespace {

const QString kTenant = QStringLiteral("tnt_01HZY3K2Q8V0M1N2P3R4S5T6U7");
const QString kStartPath = QStringLiteral("/v1/tenants/%1/connection/start").arg(kTenant);
const QString kCompletePath = QStringLiteral("/v1/tenants/%1/connection/complete").arg(kTenant);
const QString kTokenPath = QStringLiteral("/v1/auth/native/token");

Result<ApiResponse> answer(int status, const QJsonObject& json)
{
    ApiResponse r;
    r.status = status;
    r.json = json;
    r.body = QJsonDocument(json).toJson(QJsonDocument::Compact);
    return r;
}

// What HttpTransport makes of a problem answer.
Result<ApiResponse> problem(int status, const QString& slug, const QString& detail)
{
    const QJsonObject body {{QStringLiteral("type"), QStringLiteral("https://stint.invalid/problems/") + slug},
                            {QStringLiteral("title"), QStringLiteral("The request cannot be done.")},
                            {QStringLiteral("status"), status},
                            {QStringLiteral("detail"), detail}};
    return errors::fromHttpStatus(status, QJsonDocument(body).toJson(), "application/problem+json");
}

QJsonObject connectionJson(const QString& status)
{
    return {{QStringLiteral("tenantId"), kTenant},
            {QStringLiteral("status"), status},
            {QStringLiteral("entraTenantId"), QJsonValue()},
            {QStringLiteral("nationalCloud"), QStringLiteral("global")},
            {QStringLiteral("credential"), QJsonValue()},
            {QStringLiteral("usesMultiTenantApp"), true},
            {QStringLiteral("multiTenantAppConfigured"), true},
            {QStringLiteral("report"), QJsonValue()},
            {QStringLiteral("checkedAt"), QJsonValue()},
            {QStringLiteral("lastError"), QJsonValue()},
            {QStringLiteral("lastReconciledAt"), QJsonValue()},
            {QStringLiteral("driftFound"), 0}};
}

// For QVERIFY2 messages (which are evaluated whether or not the check fails).
template <typename T> QByteArray why(const std::optional<Result<T>>& result)
{
    return result && !result->ok() ? (result->error().code + QStringLiteral(": ") + result->error().message).toUtf8()
                                   : QByteArray();
}

// Puts the state into a query written with "state=%1" (not QString::arg: the queries hold other %-escapes).
QString withState(QString query, const QString& state)
{
    return query.replace(QStringLiteral("state=%1"), QStringLiteral("state=") + state);
}

QString queryValue(const QUrl& url, const QString& name)
{
    return QUrlQuery(url).queryItemValue(name, QUrl::FullyDecoded);
}

// The cloud behind the transport seam: a function per route, answers delivered later (as over a network).
class ScriptedCloud : public QObject, public ApiTransport
{
public:
    using Route = std::function<Result<ApiResponse>(const ApiRequest&)>;

    void on(const QByteArray& method, const QString& path, Route route)
    {
        m_routes[method + ' ' + path.toUtf8()] = route;
    }
    void setDelayMs(int ms) { m_delayMs = ms; }
    void setOrigin(const QString& origin) { m_origin = origin; }

    Call<ApiResponse> send(const ApiRequest& request) override
    {
        m_requests.append(request);
        const Route route = m_routes.value(request.method + ' ' + request.path.toUtf8());
        const Result<ApiResponse> result
            = route ? route(request) : problem(404, QStringLiteral("not-found"), QStringLiteral("no such route"));
        Call<ApiResponse> call;
        QTimer::singleShot(m_delayMs, this, [this, call, result]() {
            ++m_delivered;
            call.resolve(result);
        });
        return call;
    }
    void setSessionToken(const crypto::SecretBytes&) override { }
    bool hasSessionToken() const override { return true; }
    QString origin() const override { return m_origin; }

    int delivered() const { return m_delivered; }
    int count(const QString& path) const
    {
        int n = 0;
        for (const ApiRequest& r : m_requests)
            n += r.path == path ? 1 : 0;
        return n;
    }
    QJsonObject lastBody(const QString& path) const
    {
        for (auto it = m_requests.crbegin(); it != m_requests.crend(); ++it) {
            if (it->path == path)
                return it->body.value_or(QJsonObject());
        }
        return {};
    }

private:
    QHash<QByteArray, Route> m_routes;
    QList<ApiRequest> m_requests;
    QString m_origin = QStringLiteral("https://stint.example.net");
    int m_delayMs = 0;
    int m_delivered = 0;
};

} // namespace

class TestLoopbackFlows : public QObject
{
    Q_OBJECT

    std::unique_ptr<ScriptedCloud> m_cloud;
    std::unique_ptr<CloudApi> m_api;
    QNetworkAccessManager m_nam;
    QList<QUrl> m_opened; // what the app asked the browser to open
    bool m_browserOpens = true; // OpenUrl's answer
    QString m_issuedState; // the state the scripted cloud handed out
    QString m_issuedCode; // the one-time code of the scripted sign-in

    OpenUrl browser()
    {
        return [this](const QUrl& url) {
            m_opened.append(url);
            return m_browserOpens;
        };
    }

    // The browser coming back to the app: GET <redirect>?<query> on the loopback port.
    QNetworkReply* redirectBack(const QString& redirectUri, const QString& query)
    {
        QNetworkRequest request(QUrl(redirectUri + QLatin1Char('?') + query, QUrl::StrictMode));
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        return m_nam.get(request);
    }

    static int status(QNetworkReply* reply)
    {
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

    // The cloud's connection/start: an admin-consent URL at Microsoft carrying the app's redirect URI and a state.
    void scriptStart(const QString& authorizationUrl = {})
    {
        m_cloud->on("POST", kStartPath, [this, authorizationUrl](const ApiRequest& r) {
            m_issuedState = QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(32)));
            QUrl url(QStringLiteral("https://login.microsoftonline.com/organizations/v2.0/adminconsent"));
            QUrlQuery q;
            q.addQueryItem(QStringLiteral("client_id"), QStringLiteral("00001111-aaaa-2222-bbbb-3333cccc4444"));
            q.addQueryItem(
                QStringLiteral("redirect_uri"),
                QString::fromLatin1(QUrl::toPercentEncoding(r.body->value(QLatin1String("redirectUri")).toString())));
            q.addQueryItem(QStringLiteral("scope"), QStringLiteral("https%3A%2F%2Fgraph.microsoft.com%2F.default"));
            q.addQueryItem(QStringLiteral("state"), m_issuedState);
            url.setQuery(q);
            return answer(200,
                          {{QStringLiteral("authorizationUrl"),
                            authorizationUrl.isNull() ? url.toString(QUrl::FullyEncoded) : authorizationUrl},
                           {QStringLiteral("state"), m_issuedState},
                           {QStringLiteral("expiresAt"), QStringLiteral("2031-01-01T00:10:00Z")}});
        });
    }

    void scriptComplete(std::function<Result<ApiResponse>(const ApiRequest&)> route = {})
    {
        if (!route)
            route = [](const ApiRequest&) { return answer(202, connectionJson(QStringLiteral("verifying"))); };
        m_cloud->on("POST", kCompletePath, route);
    }

    // The native hand-off's token endpoint, checking the verifier against the challenge the browser was given.
    void scriptToken()
    {
        m_cloud->on("POST", kTokenPath, [this](const ApiRequest& r) -> Result<ApiResponse> {
            const QString code = r.body->value(QLatin1String("code")).toString();
            const QByteArray verifier = r.body->value(QLatin1String("codeVerifier")).toString().toLatin1();
            const QUrl opened = m_opened.last();
            const bool ok = code == m_issuedCode
                && crypto::base64UrlEncode(crypto::sha256(verifier))
                    == queryValue(opened, QStringLiteral("code_challenge")).toLatin1()
                && r.body->value(QLatin1String("redirectUri")).toString()
                    == queryValue(opened, QStringLiteral("redirect_uri"));
            if (!ok)
                return problem(400, QStringLiteral("invalid-grant"),
                               QStringLiteral("The code is unknown, used, expired, or does not match the verifier or "
                                              "redirect URI."));
            return answer(200,
                          {{QStringLiteral("token"), QStringLiteral("session-token-abcdefghijklmnopqrstuvwxyz0123456")},
                           {QStringLiteral("sessionId"), QStringLiteral("ses_1")},
                           {QStringLiteral("expiresAt"), QStringLiteral("2031-01-01T08:00:00Z")},
                           {QStringLiteral("person"),
                            QJsonObject {{QStringLiteral("id"), QStringLiteral("per_1")},
                                         {QStringLiteral("email"), QStringLiteral("ada@northwind.example")},
                                         {QStringLiteral("displayName"), QStringLiteral("Ada <Admin>")},
                                         {QStringLiteral("role"), QStringLiteral("admin")},
                                         {QStringLiteral("status"), QStringLiteral("active")}}}});
        });
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

    static quint16 portOf(const QString& redirectUri) { return quint16(QUrl(redirectUri).port()); }

private slots:
    void init()
    {
        qRegisterMetaType<LoopbackStage>();
        m_cloud = std::make_unique<ScriptedCloud>();
        m_api = std::make_unique<CloudApi>(*m_cloud);
        m_opened.clear();
        m_browserOpens = true;
        m_issuedState.clear();
        m_issuedCode.clear();
    }
    void cleanup()
    {
        m_api.reset();
        m_cloud.reset();
    }

    void defaults()
    {
        TenantConnector connector(*m_api, browser());
        BrowserSignIn signIn(*m_api, browser());
        QCOMPARE(connector.timeoutMs(), 10 * 60 * 1000);
        QCOMPARE(signIn.timeoutMs(), 5 * 60 * 1000);
        QVERIFY(!connector.isRunning());
        QVERIFY(!signIn.isRunning());
    }

    // ---- connecting a tenant

    void connectsThroughTheBrowser_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("loginHint");
        QTest::addColumn<QString>("tenantHint");
        QTest::addColumn<QString>("callbackQuery"); // %1 = the state
        QTest::newRow("admin consent") << QStringLiteral("admin_consent") << QString() << QString()
                                       << QStringLiteral(
                                              "admin_consent=True&tenant=aaaabbbb-0000-cccc-1111-dddd2222eeee"
                                              "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&state=%1");
        QTest::newRow("authorization code")
            << QStringLiteral("authorization_code") << QStringLiteral("admin@contoso.com")
            << QStringLiteral("contoso.com") << QStringLiteral("code=0.AXoA-abc_DEF~1&state=%1&session_state=5f3c");
    }
    void connectsThroughTheBrowser()
    {
        QFETCH(QString, kind);
        QFETCH(QString, loginHint);
        QFETCH(QString, tenantHint);
        QFETCH(QString, callbackQuery);
        scriptStart();
        scriptComplete();
        TenantConnector connector(*m_api, browser());
        QSignalSpy stages(&connector, &TenantConnector::stageChanged);
        auto call = connector.connect(kTenant, kind, loginHint, tenantHint);
        QVERIFY(connector.isRunning());

        // The app asked the cloud with its loopback redirect URI, then opened exactly what the cloud said.
        QTRY_COMPARE(m_opened.size(), 1);
        const QJsonObject start = m_cloud->lastBody(kStartPath);
        QCOMPARE(start.value(QLatin1String("kind")).toString(), kind);
        const QString redirectUri = start.value(QLatin1String("redirectUri")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^http://127\\.0\\.0\\.1:\\d{1,5}/stint/connect$"))
                     .match(redirectUri)
                     .hasMatch(),
                 qPrintable(redirectUri));
        QCOMPARE(start.value(QLatin1String("loginHint")).toString(), loginHint);
        QCOMPARE(start.value(QLatin1String("tenantHint")).toString(), tenantHint);
        QCOMPARE(start.contains(QLatin1String("loginHint")), !loginHint.isEmpty());
        QCOMPARE(queryValue(m_opened.first(), QStringLiteral("redirect_uri")), redirectUri);
        QCOMPARE(m_opened.first().host(), QStringLiteral("login.microsoftonline.com"));
        QVERIFY(!call.isFinished());

        // Microsoft sends the browser back.
        const QString query = withState(callbackQuery, m_issuedState);
        QNetworkReply* page = redirectBack(redirectUri, query);
        QTRY_VERIFY(call.isFinished());
        QVERIFY2(call.result()->ok(), why(call.result()).constData());
        QCOMPARE(call.result()->value().status, QStringLiteral("verifying"));
        QCOMPARE(m_cloud->lastBody(kCompletePath).value(QLatin1String("callbackUrl")).toString(),
                 redirectUri + QLatin1Char('?') + query);
        QTRY_VERIFY(page->isFinished());
        QCOMPARE(status(page), 200);
        QVERIFY(page->readAll().contains(LoopbackPage::connected().title.toUtf8()));
        page->deleteLater();

        QCOMPARE(stages.size(), 4);
        const QList<LoopbackStage> expected {LoopbackStage::Starting, LoopbackStage::WaitingForBrowser,
                                             LoopbackStage::Completing, LoopbackStage::Done};
        for (int i = 0; i < 4; ++i)
            QCOMPARE(stages.at(i).at(0).value<LoopbackStage>(), expected.at(i));
        QVERIFY(!connector.isRunning());
        QVERIFY(portRefuses(portOf(redirectUri)));
        QCOMPARE(m_cloud->count(kCompletePath), 1);
    }

    void microsoftsRefusalIsShownAndReported_data()
    {
        QTest::addColumn<QString>("query"); // %1 = the state
        QTest::addColumn<QString>("error");
        QTest::addColumn<QString>("aadsts");
        QTest::addColumn<QString>("shown");
        QTest::newRow("declined (v2 admin consent)") << QStringLiteral(
            "admin_consent=True&error=consent_required&error_description=AADSTS65004%3a+User+declined+"
            "to+consent+to+access+the+app.%0d%0aTrace+ID%3a+0000aaaa-11bb-cccc-dd22-eeeeee333333%0d%0a"
            "Correlation+ID%3a+aaaa0000-bb11-2222-33cc-444444dddddd%0d%0aTimestamp%3a+2026-01-01+"
            "10%3a00%3a00Z&state=%1") << QStringLiteral("consent_required")
                                                     << QStringLiteral("AADSTS65004")
                                                     << QStringLiteral("User declined to consent to access the app.");
        QTest::newRow("not an admin") << QStringLiteral(
            "admin_consent=True&error=consent_required&error_description=AADSTS90094%3a+The+grant+"
            "requires+admin+permission.&state=%1")
                                      << QStringLiteral("consent_required") << QStringLiteral("AADSTS90094")
                                      << QStringLiteral("The grant requires admin permission.");
        QTest::newRow("cancelled (v1)") << QStringLiteral(
            "error=permission_denied&error_description=The+admin+canceled+the+request&state=%1")
                                        << QStringLiteral("permission_denied") << QString()
                                        << QStringLiteral("The admin canceled the request");
        QTest::newRow("no description") << QStringLiteral("error=access_denied&state=%1")
                                        << QStringLiteral("access_denied") << QString()
                                        << QStringLiteral("access_denied");
        QTest::newRow("hostile description")
            << QStringLiteral("error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E&state=%1")
            << QStringLiteral("access_denied") << QString() << QStringLiteral("&lt;script&gt;alert(1)&lt;/script&gt;");
    }
    void microsoftsRefusalIsShownAndReported()
    {
        QFETCH(QString, query);
        QFETCH(QString, error);
        QFETCH(QString, aadsts);
        QFETCH(QString, shown);
        scriptStart();
        scriptComplete([](const ApiRequest&) {
            return problem(422, QStringLiteral("authorization-failed"), QStringLiteral("Microsoft did not grant it."));
        });
        TenantConnector connector(*m_api, browser());
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_COMPARE(m_opened.size(), 1);
        const QString redirectUri = queryValue(m_opened.first(), QStringLiteral("redirect_uri"));
        QNetworkReply* page = redirectBack(redirectUri, withState(query, m_issuedState));
        QTRY_VERIFY(page->isFinished());
        QCOMPARE(status(page), 200);
        const QByteArray body = page->readAll();
        QVERIFY2(body.contains(shown.toUtf8()), body.constData());
        QVERIFY(body.contains(LoopbackPage::refusedByMicrosoft(error, {}).title.toUtf8()));
        if (!aadsts.isEmpty())
            QVERIFY(body.contains(aadsts.toUtf8()));
        QVERIFY(!body.contains("<script>"));
        page->deleteLater();

        QTRY_VERIFY(call.isFinished());
        QVERIFY(!call.result()->ok());
        const Error& e = call.result()->error();
        QCOMPARE(e.code, QStringLiteral("loopback.authorization_failed"));
        QCOMPARE(e.details.value(QLatin1String("error")).toString(), error);
        QCOMPARE(e.details.value(QLatin1String("aadsts")).toString(), aadsts);
        // The cloud got the callback all the same: it audits the refusal.
        QCOMPARE(m_cloud->count(kCompletePath), 1);
        QVERIFY(portRefuses(portOf(redirectUri)));
    }

    void aWrongStateDoesNotDisturbTheFlow()
    {
        scriptStart();
        scriptComplete();
        TenantConnector connector(*m_api, browser());
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_COMPARE(m_opened.size(), 1);
        const QString redirectUri = queryValue(m_opened.first(), QStringLiteral("redirect_uri"));
        // A page in another tab tries its luck first.
        QNetworkReply* forged = redirectBack(redirectUri, QStringLiteral("admin_consent=True&tenant=evil&state=guess"));
        QTRY_VERIFY(forged->isFinished());
        QCOMPARE(status(forged), 400);
        forged->deleteLater();
        QVERIFY(!call.isFinished());
        QCOMPARE(m_cloud->count(kCompletePath), 0);

        QNetworkReply* page = redirectBack(
            redirectUri,
            QStringLiteral("admin_consent=True&tenant=aaaabbbb-0000-cccc-1111-dddd2222eeee&state=") + m_issuedState);
        QTRY_VERIFY(call.isFinished());
        QVERIFY(call.result()->ok());
        QTRY_VERIFY(page->isFinished());
        QCOMPARE(status(page), 200);
        page->deleteLater();
    }

    void theCloudRefusingToCompleteIsShown_data()
    {
        QTest::addColumn<int>("httpStatus");
        QTest::addColumn<QString>("slug");
        QTest::addColumn<QString>("pageTitle");
        QTest::newRow("state expired") << 400 << QStringLiteral("state-expired") << LoopbackPage::timedOut().title;
        QTest::newRow("redirect mismatch")
            << 400 << QStringLiteral("redirect-mismatch") << LoopbackPage::failed({}).title;
        QTest::newRow("tenant already bound")
            << 409 << QStringLiteral("tenant-already-bound") << LoopbackPage::failed({}).title;
        QTest::newRow("session ended") << 401 << QStringLiteral("unauthorized") << LoopbackPage::failed({}).title;
    }
    void theCloudRefusingToCompleteIsShown()
    {
        QFETCH(int, httpStatus);
        QFETCH(QString, slug);
        QFETCH(QString, pageTitle);
        scriptStart();
        scriptComplete(
            [=](const ApiRequest&) { return problem(httpStatus, slug, QStringLiteral("Because: ") + slug); });
        TenantConnector connector(*m_api, browser());
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_COMPARE(m_opened.size(), 1);
        const QString redirectUri = queryValue(m_opened.first(), QStringLiteral("redirect_uri"));
        QNetworkReply* page
            = redirectBack(redirectUri, QStringLiteral("admin_consent=True&tenant=t&state=") + m_issuedState);
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("api.") + slug);
        QTRY_VERIFY(page->isFinished());
        const QByteArray body = page->readAll();
        QVERIFY2(body.contains(pageTitle.toUtf8()), body.constData());
        page->deleteLater();
    }

    void aFailedStartOpensNoBrowser()
    {
        m_cloud->on("POST", kStartPath, [](const ApiRequest&) {
            return problem(409, QStringLiteral("no-multi-tenant-app"), QStringLiteral("No multi-tenant app."));
        });
        TenantConnector connector(*m_api, browser());
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("api.no-multi-tenant-app"));
        QVERIFY(m_opened.isEmpty());
        const QString redirectUri = m_cloud->lastBody(kStartPath).value(QLatin1String("redirectUri")).toString();
        QVERIFY(portRefuses(portOf(redirectUri)));
        QVERIFY(!connector.isRunning());
    }

    void opensOnlyHttpsOrLoopback_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("opened");
        QTest::newRow("https") << QStringLiteral("https://login.microsoftonline.us/t/v2.0/adminconsent?state=x")
                               << true;
        QTest::newRow("entra-sim on loopback") << QStringLiteral("http://127.0.0.1:8444/t/v2.0/adminconsent") << true;
        QTest::newRow("plain http elsewhere")
            << QStringLiteral("http://login.microsoftonline.com/t/v2.0/adminconsent") << false;
        QTest::newRow("javascript") << QStringLiteral("javascript:alert(1)") << false;
        QTest::newRow("file") << QStringLiteral("file:///etc/passwd") << false;
        QTest::newRow("user info") << QStringLiteral("https://login.microsoftonline.com@evil.example/") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("not a URL") << QStringLiteral("https://exa mple.com/") << false;
    }
    void opensOnlyHttpsOrLoopback()
    {
        QFETCH(QString, url);
        QFETCH(bool, opened);
        scriptStart(url.isNull() ? QStringLiteral("") : url);
        TenantConnector connector(*m_api, browser());
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        if (opened) {
            QTRY_COMPARE(m_opened.size(), 1);
            QCOMPARE(m_opened.first().toString(QUrl::FullyEncoded), url);
            connector.cancel();
        }
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code,
                 opened ? QStringLiteral("loopback.cancelled") : QStringLiteral("loopback.bad_authorization_url"));
        QCOMPARE(m_opened.size(), opened ? 1 : 0);
    }

    void noBrowserMeansAnErrorWithTheAddress()
    {
        scriptStart();
        m_browserOpens = false;
        TenantConnector connector(*m_api, browser());
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_VERIFY(call.isFinished());
        const Error& e = call.result()->error();
        QCOMPARE(e.code, QStringLiteral("loopback.browser_unavailable"));
        QCOMPARE(e.details.value(QLatin1String("url")).toString(), m_opened.first().toString(QUrl::FullyEncoded));
        QVERIFY(portRefuses(portOf(queryValue(m_opened.first(), QStringLiteral("redirect_uri")))));
    }

    void timesOutAndTellsALateBrowser()
    {
        scriptStart();
        scriptComplete();
        TenantConnector connector(*m_api, browser());
        connector.setTimeoutMs(150);
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_VERIFY_WITH_TIMEOUT(call.isFinished(), 5000);
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.timeout"));
        QVERIFY(!connector.isRunning());
        const QString redirectUri = queryValue(m_opened.first(), QStringLiteral("redirect_uri"));
        QNetworkReply* late
            = redirectBack(redirectUri, QStringLiteral("admin_consent=True&tenant=t&state=") + m_issuedState);
        QTRY_VERIFY(late->isFinished());
        QCOMPARE(status(late), 410);
        QVERIFY(late->readAll().contains(LoopbackPage::timedOut().title.toUtf8()));
        late->deleteLater();
        QCOMPARE(m_cloud->count(kCompletePath), 0);
    }

    void cancelWhileWaiting()
    {
        scriptStart();
        scriptComplete();
        TenantConnector connector(*m_api, browser());
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_COMPARE(m_opened.size(), 1);
        connector.cancel();
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.cancelled"));
        QVERIFY(portRefuses(portOf(queryValue(m_opened.first(), QStringLiteral("redirect_uri")))));
        QCOMPARE(m_cloud->count(kCompletePath), 0);
    }

    void cancelWhileCompleting()
    {
        scriptStart();
        scriptComplete();
        TenantConnector connector(*m_api, browser());
        auto call = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_COMPARE(m_opened.size(), 1);
        m_cloud->setDelayMs(300); // the cloud is slow to complete
        QSignalSpy stages(&connector, &TenantConnector::stageChanged);
        QNetworkReply* page = redirectBack(queryValue(m_opened.first(), QStringLiteral("redirect_uri")),
                                           QStringLiteral("admin_consent=True&tenant=t&state=") + m_issuedState);
        QTRY_COMPARE(m_cloud->count(kCompletePath), 1);
        connector.cancel();
        QTRY_VERIFY(page->isFinished());
        // The cloud has the callback and goes on: the browser is told the answer arrived, not that nothing happened.
        QVERIFY(page->readAll().contains(LoopbackPage::received().title.toUtf8()));
        page->deleteLater();
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.cancelled"));
        // The cloud's late answer changes nothing.
        QTRY_COMPARE_WITH_TIMEOUT(m_cloud->delivered(), 2, 5000);
        QCoreApplication::processEvents();
        QCoreApplication::processEvents();
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.cancelled"));
        QCOMPARE(stages.last().at(0).value<LoopbackStage>(), LoopbackStage::Done);
    }

    void oneFlowAtATimeThenAnother()
    {
        scriptStart();
        scriptComplete();
        TenantConnector connector(*m_api, browser());
        auto first = connector.connect(kTenant, QStringLiteral("admin_consent"));
        auto second = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_VERIFY(second.isFinished());
        QCOMPARE(second.result()->error().code, QStringLiteral("loopback.busy"));
        QTRY_COMPARE(m_opened.size(), 1);
        QVERIFY(!first.isFinished());
        const QString firstRedirect = queryValue(m_opened.first(), QStringLiteral("redirect_uri"));
        QNetworkReply* page
            = redirectBack(firstRedirect, QStringLiteral("admin_consent=True&tenant=t&state=") + m_issuedState);
        QTRY_VERIFY(first.isFinished());
        QVERIFY(first.result()->ok());
        page->deleteLater();

        // Once done, the next flow gets a listener of its own.
        auto third = connector.connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_COMPARE(m_opened.size(), 2);
        const QString thirdRedirect = queryValue(m_opened.last(), QStringLiteral("redirect_uri"));
        QNetworkReply* again
            = redirectBack(thirdRedirect, QStringLiteral("admin_consent=True&tenant=t&state=") + m_issuedState);
        QTRY_VERIFY(third.isFinished());
        QVERIFY(third.result()->ok());
        again->deleteLater();
    }

    void goingAwayCancels()
    {
        scriptStart();
        auto connector = std::make_unique<TenantConnector>(*m_api, browser());
        auto call = connector->connect(kTenant, QStringLiteral("admin_consent"));
        QTRY_COMPARE(m_opened.size(), 1);
        const quint16 port = portOf(queryValue(m_opened.first(), QStringLiteral("redirect_uri")));
        connector.reset();
        QVERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.cancelled"));
        QVERIFY(portRefuses(port));
    }

    // ---- signing in through the browser

    void signsInThroughTheBrowser()
    {
        scriptToken();
        BrowserSignIn signIn(*m_api, browser());
        QSignalSpy stages(&signIn, &BrowserSignIn::stageChanged);
        auto call = signIn.signIn();
        QTRY_COMPARE(m_opened.size(), 1);
        const QUrl opened = m_opened.first();
        // The cloud's page, with the hand-off parameters of docs/api.md.
        QCOMPARE(opened.adjusted(QUrl::RemoveQuery).toString(), QStringLiteral("https://stint.example.net/signin"));
        const QString redirectUri = queryValue(opened, QStringLiteral("redirect_uri"));
        QVERIFY2(QRegularExpression(QStringLiteral("^http://127\\.0\\.0\\.1:\\d{1,5}/stint/signin$"))
                     .match(redirectUri)
                     .hasMatch(),
                 qPrintable(redirectUri));
        QCOMPARE(queryValue(opened, QStringLiteral("code_challenge_method")), QStringLiteral("S256"));
        const QString challenge = queryValue(opened, QStringLiteral("code_challenge"));
        QCOMPARE(challenge.size(), 43);
        QVERIFY(crypto::base64UrlDecode(challenge.toLatin1()).ok());
        const QString state = queryValue(opened, QStringLiteral("state"));
        QVERIFY(state.size() >= 43);

        // The page sends the browser back with a one-time code.
        m_issuedCode = QStringLiteral("one-time-code-") + QString::fromLatin1(crypto::randomBytes(8).toHex());
        QNetworkReply* page = redirectBack(redirectUri, QStringLiteral("code=%1&state=%2").arg(m_issuedCode, state));
        QTRY_VERIFY(call.isFinished());
        QVERIFY2(call.result()->ok(), why(call.result()).constData());
        const SharedSession session = call.result()->value();
        QCOMPARE(session->sessionId, QStringLiteral("ses_1"));
        QCOMPARE(session->person.email, QStringLiteral("ada@northwind.example"));
        QCOMPARE(m_cloud->lastBody(kTokenPath).value(QLatin1String("code")).toString(), m_issuedCode);
        QTRY_VERIFY(page->isFinished());
        QCOMPARE(status(page), 200);
        const QByteArray body = page->readAll();
        QVERIFY(body.contains("Ada &lt;Admin&gt;"));
        QVERIFY(!body.contains(m_issuedCode.toUtf8()));
        QVERIFY(!body.contains("session-token"));
        page->deleteLater();
        QCOMPARE(stages.last().at(0).value<LoopbackStage>(), LoopbackStage::Done);
        QVERIFY(portRefuses(portOf(redirectUri)));
    }

    void eachSignInHasItsOwnVerifierAndState()
    {
        BrowserSignIn signIn(*m_api, browser());
        QSet<QString> challenges, states, ports;
        for (int i = 0; i < 3; ++i) {
            auto call = signIn.signIn();
            QTRY_COMPARE(m_opened.size(), i + 1);
            challenges << queryValue(m_opened.last(), QStringLiteral("code_challenge"));
            states << queryValue(m_opened.last(), QStringLiteral("state"));
            ports << QString::number(portOf(queryValue(m_opened.last(), QStringLiteral("redirect_uri"))));
            signIn.cancel();
            QTRY_VERIFY(call.isFinished());
        }
        QCOMPARE(challenges.size(), 3);
        QCOMPARE(states.size(), 3);
        QVERIFY(!states.intersects(challenges));
    }

    void aRefusedCodeIsShown()
    {
        scriptToken();
        BrowserSignIn signIn(*m_api, browser());
        auto call = signIn.signIn();
        QTRY_COMPARE(m_opened.size(), 1);
        m_issuedCode = QStringLiteral("the-real-code");
        QNetworkReply* page = redirectBack(queryValue(m_opened.first(), QStringLiteral("redirect_uri")),
                                           QStringLiteral("code=a-guessed-code&state=")
                                               + queryValue(m_opened.first(), QStringLiteral("state")));
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("api.invalid-grant"));
        QTRY_VERIFY(page->isFinished());
        QVERIFY(page->readAll().contains(LoopbackPage::failed({}).title.toUtf8()));
        page->deleteLater();
    }

    void aCallbackWithoutACodeFails_data()
    {
        QTest::addColumn<QString>("query"); // %1 = the state
        QTest::newRow("no code") << QStringLiteral("state=%1");
        QTest::newRow("empty code") << QStringLiteral("code=&state=%1");
        QTest::newRow("two codes") << QStringLiteral("code=a&code=b&state=%1");
        QTest::newRow("an error") << QStringLiteral("error=access_denied&state=%1");
    }
    void aCallbackWithoutACodeFails()
    {
        QFETCH(QString, query);
        scriptToken();
        BrowserSignIn signIn(*m_api, browser());
        auto call = signIn.signIn();
        QTRY_COMPARE(m_opened.size(), 1);
        QNetworkReply* page = redirectBack(queryValue(m_opened.first(), QStringLiteral("redirect_uri")),
                                           withState(query, queryValue(m_opened.first(), QStringLiteral("state"))));
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.signin_failed"));
        QCOMPARE(m_cloud->count(kTokenPath), 0);
        QTRY_VERIFY(page->isFinished());
        QCOMPARE(status(page), 200);
        page->deleteLater();
    }

    void signInTimesOutAndCancels()
    {
        BrowserSignIn signIn(*m_api, browser());
        signIn.setTimeoutMs(100);
        auto late = signIn.signIn();
        QTRY_VERIFY_WITH_TIMEOUT(late.isFinished(), 5000);
        QCOMPARE(late.result()->error().code, QStringLiteral("loopback.timeout"));
        signIn.setTimeoutMs(60'000);
        auto cancelled = signIn.signIn();
        QTRY_COMPARE(m_opened.size(), 2);
        signIn.cancel();
        QTRY_VERIFY(cancelled.isFinished());
        QCOMPARE(cancelled.result()->error().code, QStringLiteral("loopback.cancelled"));
        QVERIFY(portRefuses(portOf(queryValue(m_opened.last(), QStringLiteral("redirect_uri")))));
    }

    void signInOpensOnlyASafeOrigin()
    {
        m_cloud->setOrigin(QStringLiteral("http://stint.example.net"));
        BrowserSignIn signIn(*m_api, browser());
        auto call = signIn.signIn();
        QTRY_VERIFY(call.isFinished());
        QCOMPARE(call.result()->error().code, QStringLiteral("loopback.bad_authorization_url"));
        QVERIFY(m_opened.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLoopbackFlows)
#include "TestLoopbackFlows.moc"
