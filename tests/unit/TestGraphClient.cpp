// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Crypto.h"
#include "entra/GraphClient.h"
#include "support/ScriptedHttpServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QMutex>
#include <QTest>
#include <QUuid>
#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

using namespace stint;
using namespace stint::entra;
using stint::test::ScriptedHttpServer;
using stint::test::ScriptedRequest;
using stint::test::ScriptedResponse;

namespace {

const QString kTenant = QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee");
const QString kTokenPath = QStringLiteral("/") + kTenant + QStringLiteral("/oauth2/v2.0/token");
const QByteArray kSecret = "graph-client-test-secret";

QByteArray fakeAccessToken(int serial)
{
    const QJsonObject payload {{QStringLiteral("tid"), kTenant}, {QStringLiteral("serial"), serial}};
    return "eyJhbGciOiJSUzI1NiJ9." + crypto::base64UrlEncode(QJsonDocument(payload).toJson(QJsonDocument::Compact))
        + ".c2ln";
}

QJsonObject graphErrorBody(const QString& code, const QString& message)
{
    return {
        {QStringLiteral("error"), QJsonObject {{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
}

ScriptedResponse notFound()
{
    return ScriptedResponse::json(
        404,
        graphErrorBody(
            QStringLiteral("Request_ResourceNotFound"),
            QStringLiteral(
                "Resource 'x' does not exist or one of its queried reference-property objects are not present.")));
}

ScriptedResponse throttled(const QByteArray& retryAfter)
{
    return ScriptedResponse::json(
        429, graphErrorBody(QStringLiteral("TooManyRequests"), QStringLiteral("Please try again later.")),
        {{"Retry-After", retryAfter}, {"x-ms-throttle-information", "ResourceUnitLimitExceeded"}});
}

// A Graph at ScriptedHttpServer, a token endpoint beside it, and a clock that moves only when the client waits.
struct Harness
{
    explicit Harness(GraphClientOptions options = {})
    {
        std::atomic<int>* serial = &tokenSerial;
        server.setHandler([serial](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/oauth2/v2.0/token")))
                return ScriptedResponse::json(
                    200,
                    {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                     {QStringLiteral("expires_in"), 3599},
                     {QStringLiteral("access_token"), QString::fromLatin1(fakeAccessToken(++*serial))}});
            return ScriptedResponse::json(200, {{QStringLiteral("value"), QJsonArray()}});
        });
        TokenProviderOptions tokenOptions;
        tokenOptions.clock = &clock;
        tokenOptions.sleep = [this](qint64 ms) { wait(ms); };
        tokens = std::make_unique<TokenProvider>(tokenOptions);
        options.clock = &clock;
        options.sleep = [this](qint64 ms) { wait(ms); };
        graph = std::make_unique<GraphClient>(*tokens, options);
        access.endpoints.authority = server.url();
        access.endpoints.graph = server.url();
        access.entraTenantId = kTenant;
        access.app.clientId = QStringLiteral("00001111-aaaa-2222-bbbb-3333cccc4444");
        access.app.clientSecret = crypto::SecretBytes(QByteArray(kSecret.constData(), kSecret.size()));
    }

    void wait(qint64 ms)
    {
        QMutexLocker lock(&mutex);
        waits.append(ms);
        clock.advance(ms);
    }
    qint64 waited() const
    {
        qint64 total = 0;
        for (qint64 ms : waits)
            total += ms;
        return total;
    }
    QList<ScriptedRequest> graphRequests() const
    {
        QList<ScriptedRequest> out;
        for (const ScriptedRequest& request : server.requests()) {
            if (request.path().startsWith(QStringLiteral("/v1.0/")))
                out.append(request);
        }
        return out;
    }

    ScriptedHttpServer server;
    ManualClock clock;
    QMutex mutex;
    QList<qint64> waits;
    std::atomic<int> tokenSerial {0};
    std::unique_ptr<TokenProvider> tokens;
    std::unique_ptr<GraphClient> graph;
    TenantAccess access;
};

GraphRequest getRequest(const QString& url, bool retryNotFound = false)
{
    GraphRequest request;
    request.url = url;
    request.retryNotFound = retryNotFound;
    return request;
}

QJsonObject batchResponse(const QJsonArray& responses)
{
    return {{QStringLiteral("responses"), responses}};
}

QJsonObject item(const QString& id, int status, const QJsonObject& body = {}, const QJsonObject& headers = {})
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("status"), status},
            {QStringLiteral("body"), body},
            {QStringLiteral("headers"), headers}};
}

QStringList g_logged;
QMutex g_logMutex;
void captureMessages(QtMsgType, const QMessageLogContext&, const QString& message)
{
    QMutexLocker lock(&g_logMutex);
    g_logged.append(message);
}

} // namespace

class TestGraphClient : public QObject
{
    Q_OBJECT

private slots:
    void sendsBearerAndClientRequestId()
    {
        Harness h;
        auto first = h.graph->send(h.access, getRequest(QStringLiteral("/organization")));
        auto second = h.graph->send(h.access, getRequest(QStringLiteral("/domains")));
        QVERIFY(first.ok() && second.ok());
        QCOMPARE(first->status, 200);
        const auto requests = h.graphRequests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests[0].header("Authorization"), "Bearer " + fakeAccessToken(1));
        const QByteArray id1 = requests[0].header("client-request-id");
        const QByteArray id2 = requests[1].header("client-request-id");
        QVERIFY(!QUuid::fromString(QString::fromLatin1(id1)).isNull());
        QVERIFY(id1 != id2);
        QCOMPARE(h.tokens->requestsMade(), 1);
    }

    void refusesUrlsOutsideTheGraphRoot()
    {
        Harness h;
        auto response = h.graph->send(h.access, getRequest(QStringLiteral("https://evil.example/v1.0/users")));
        QVERIFY(!response.ok());
        QCOMPARE(h.server.requests().size(), 0);
        // A nextLink under the root is followed.
        auto next = h.graph->send(h.access,
                                  getRequest(h.server.url(QStringLiteral("/v1.0/users?$skiptoken=abc")).toString()));
        QVERIFY(next.ok());
        QCOMPARE(h.graphRequests().first().target, QByteArray("/v1.0/users?$skiptoken=abc"));
    }

    void retryAfterIsHonoured()
    {
        Harness h;
        h.server.enqueue("GET", QStringLiteral("/v1.0/users"), throttled("1"));
        h.server.enqueue("GET", QStringLiteral("/v1.0/users"), throttled("2"));
        auto response = h.graph->send(h.access, getRequest(QStringLiteral("/users")));
        QVERIFY(response.ok());
        QCOMPARE(response->status, 200);
        QCOMPARE(h.graphRequests().size(), 3);
        QVERIFY(h.waits.contains(1000));
        QVERIFY(h.waits.contains(2000));
    }

    void retryAfterReallyWaits()
    {
        // The same with the real clock and real sleep: a 1-second Retry-After is worth waiting for once.
        ScriptedHttpServer server;
        server.setHandler([](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/token")))
                return ScriptedResponse::json(200,
                                              {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                               {QStringLiteral("expires_in"), 3599},
                                               {QStringLiteral("access_token"), QStringLiteral("opaque")}});
            return ScriptedResponse::json(200, {});
        });
        server.enqueue("GET", QStringLiteral("/v1.0/organization"), throttled("1"));
        TokenProvider tokens;
        GraphClient graph(tokens);
        TenantAccess access;
        access.endpoints.authority = server.url();
        access.endpoints.graph = server.url();
        access.entraTenantId = kTenant;
        access.app.clientId = QStringLiteral("client");
        access.app.clientSecret = crypto::SecretBytes(QByteArray("s"));
        QElapsedTimer timer;
        timer.start();
        auto response = graph.send(access, getRequest(QStringLiteral("/organization")));
        QVERIFY(response.ok());
        QCOMPARE(response->status, 200);
        QVERIFY2(timer.elapsed() >= 950, qPrintable(QString::number(timer.elapsed())));
        const auto requests = server.requests();
        QCOMPARE(requests.size(), 3); // token, 429, 200
        QVERIFY(requests[2].receivedAtMs - requests[1].receivedAtMs >= 950);
    }

    void serverErrorsBackOffThenSucceed()
    {
        Harness h;
        h.server.enqueue("GET", QStringLiteral("/v1.0/domains"), ScriptedResponse::json(503, {}));
        h.server.enqueue("GET", QStringLiteral("/v1.0/domains"), ScriptedResponse::json(500, {}));
        h.server.enqueue("GET", QStringLiteral("/v1.0/domains"), ScriptedResponse::json(502, {}));
        auto response = h.graph->send(h.access, getRequest(QStringLiteral("/domains")));
        QVERIFY(response.ok());
        QCOMPARE(response->status, 200);
        QCOMPARE(h.graphRequests().size(), 4);
        QCOMPARE(h.waits.size(), 3);
        for (qint64 wait : std::as_const(h.waits))
            QVERIFY(wait >= 0 && wait <= 16'000);
    }

    void givesUpAfterTheBudget()
    {
        GraphClientOptions options;
        options.callBudgetMs = 20'000;
        Harness h(options);
        h.server.setHandler([](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/token")))
                return ScriptedResponse::json(200,
                                              {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                               {QStringLiteral("expires_in"), 3599},
                                               {QStringLiteral("access_token"), QStringLiteral("opaque")}});
            if (request.path() == QStringLiteral("/v1.0/busy"))
                return ScriptedResponse::json(503, {});
            return throttled("3");
        });
        auto busy = h.graph->send(h.access, getRequest(QStringLiteral("/busy")));
        QVERIFY(!busy.ok());
        QCOMPARE(busy.error().code, QString::fromLatin1(EntraGateway::kTransient));
        QVERIFY(h.waited() <= 20'000);
        const int busyAttempts = int(h.graphRequests().size());
        QVERIFY(busyAttempts > 2 && busyAttempts < 60);

        auto limited = h.graph->send(h.access, getRequest(QStringLiteral("/limited")));
        QVERIFY(!limited.ok());
        QCOMPARE(limited.error().code, QString::fromLatin1(kThrottled));
        const int limitedAttempts = int(h.graphRequests().size()) - busyAttempts;
        QVERIFY2(limitedAttempts >= 6 && limitedAttempts <= 8,
                 qPrintable(QString::number(limitedAttempts))); // 20 s / 3 s
    }

    void notFoundIsRetriedOnlyWhenMarked()
    {
        Harness h;
        h.server.enqueue("GET", QStringLiteral("/v1.0/users/u1"), notFound());
        h.server.enqueue("GET", QStringLiteral("/v1.0/users/u1"), notFound());
        auto lagged = h.graph->send(h.access, getRequest(QStringLiteral("/users/u1"), true));
        QVERIFY(lagged.ok());
        QCOMPARE(lagged->status, 200);
        QCOMPARE(h.server.count("GET", QStringLiteral("/v1.0/users/u1")), 3);

        h.server.enqueue("GET", QStringLiteral("/v1.0/users/u2"), notFound());
        auto plain = h.graph->send(h.access, getRequest(QStringLiteral("/users/u2")));
        QVERIFY(plain.ok());
        QCOMPARE(plain->status, 404);
        QCOMPARE(plain->errorCode(), QStringLiteral("Request_ResourceNotFound"));
        QCOMPARE(h.server.count("GET", QStringLiteral("/v1.0/users/u2")), 1);

        // A 404 that stays is returned once the lag budget is spent.
        GraphClientOptions options;
        options.notFoundBudgetMs = 10'000;
        Harness bounded(options);
        bounded.server.setHandler([](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/token")))
                return ScriptedResponse::json(200,
                                              {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                               {QStringLiteral("expires_in"), 3599},
                                               {QStringLiteral("access_token"), QStringLiteral("opaque")}});
            return notFound();
        });
        auto gone = bounded.graph->send(bounded.access, getRequest(QStringLiteral("/users/u3"), true));
        QVERIFY(gone.ok());
        QCOMPARE(gone->status, 404);
        QVERIFY(bounded.waited() <= 10'000);
    }

    void postIsNotBlindlyResent()
    {
        Harness h;
        QVERIFY(h.graph->send(h.access, getRequest(QStringLiteral("/organization"))).ok()); // warm connection + token
        h.server.enqueue("POST", QStringLiteral("/v1.0/users"), ScriptedResponse::json(500, {}));
        GraphRequest create;
        create.method = "POST";
        create.url = QStringLiteral("/users");
        create.body = QJsonObject {{QStringLiteral("displayName"), QStringLiteral("x")}};
        auto response = h.graph->send(h.access, create);
        QVERIFY(!response.ok());
        QCOMPARE(response.error().code, QString::fromLatin1(kOutcomeUnknown));
        QCOMPARE(h.server.count("POST", QStringLiteral("/v1.0/users")), 1);

        // A 503 (not carried out) and a 429 are resent even for a POST.
        h.server.enqueue("POST", QStringLiteral("/v1.0/users"), ScriptedResponse::json(503, {}));
        h.server.enqueue("POST", QStringLiteral("/v1.0/users"), throttled("1"));
        h.server.enqueue("POST", QStringLiteral("/v1.0/users"),
                         ScriptedResponse::json(201, {{QStringLiteral("id"), QStringLiteral("new")}}));
        auto created = h.graph->send(h.access, create);
        QVERIFY(created.ok());
        QCOMPARE(created->status, 201);

        // A GET whose connection drops is simply sent again.
        h.server.enqueue("GET", QStringLiteral("/v1.0/domains"), ScriptedResponse::dropped());
        auto domains = h.graph->send(h.access, getRequest(QStringLiteral("/domains")));
        QVERIFY(domains.ok());
        QCOMPARE(domains->status, 200);
    }

    void unauthorizedRefreshesTheTokenOnce()
    {
        Harness h;
        const auto expired
            = ScriptedResponse::json(401,
                                     graphErrorBody(QStringLiteral("InvalidAuthenticationToken"),
                                                    QStringLiteral("Access token has expired or is not yet valid.")));
        h.server.enqueue("GET", QStringLiteral("/v1.0/organization"), expired);
        auto response = h.graph->send(h.access, getRequest(QStringLiteral("/organization")));
        QVERIFY(response.ok());
        QCOMPARE(response->status, 200);
        QCOMPARE(h.tokens->requestsMade(), 2);
        const auto requests = h.graphRequests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests[1].header("Authorization"), "Bearer " + fakeAccessToken(2));

        // A fresh token refused too: the credential is the problem, no loop.
        h.server.enqueue("GET", QStringLiteral("/v1.0/domains"), expired);
        h.server.enqueue("GET", QStringLiteral("/v1.0/domains"), expired);
        auto refused = h.graph->send(h.access, getRequest(QStringLiteral("/domains")));
        QVERIFY(refused.ok());
        QCOMPARE(refused->status, 401);
        QCOMPARE(graphError(*refused, QStringLiteral("x")).code, QString::fromLatin1(EntraGateway::kAuthentication));
        QCOMPARE(h.server.count("GET", QStringLiteral("/v1.0/domains")), 2);
    }

    void batchSplitsAndMatchesOutOfOrderResponses()
    {
        Harness h;
        h.server.setHandler([](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/token")))
                return ScriptedResponse::json(200,
                                              {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                               {QStringLiteral("expires_in"), 3599},
                                               {QStringLiteral("access_token"), QStringLiteral("opaque")}});
            QJsonArray responses;
            const QJsonArray items = request.json().value(QStringLiteral("requests")).toArray();
            for (qsizetype i = items.size() - 1; i >= 0; --i) { // answered backwards
                const QJsonObject in = items[i].toObject();
                responses.append(item(in.value(QStringLiteral("id")).toString(), 200,
                                      {{QStringLiteral("echo"), in.value(QStringLiteral("url")).toString()}}));
            }
            return ScriptedResponse::json(200, batchResponse(responses));
        });
        QList<GraphRequest> requests;
        for (int i = 0; i < 45; ++i)
            requests.append(getRequest(QStringLiteral("/users/u%1").arg(i)));
        int roundTrips = 0;
        auto results = h.graph->batch(h.access, requests, &roundTrips);
        QVERIFY(results.ok());
        QCOMPARE(results->size(), 45);
        for (int i = 0; i < 45; ++i)
            QCOMPARE((*results)[i].body.value(QStringLiteral("echo")).toString(), QStringLiteral("/users/u%1").arg(i));
        const auto batches = h.graphRequests();
        QCOMPARE(batches.size(), 3);
        QCOMPARE(roundTrips, 3);
        QCOMPARE(batches[0].json().value(QStringLiteral("requests")).toArray().size(), 20);
        QCOMPARE(batches[1].json().value(QStringLiteral("requests")).toArray().size(), 20);
        QCOMPARE(batches[2].json().value(QStringLiteral("requests")).toArray().size(), 5);
        QCOMPARE(batches[0].path(), QStringLiteral("/v1.0/$batch"));
    }

    void batchRetriesOnlyFailedItems()
    {
        Harness h;
        int call = 0;
        h.server.setHandler([&call](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/token")))
                return ScriptedResponse::json(200,
                                              {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                               {QStringLiteral("expires_in"), 3599},
                                               {QStringLiteral("access_token"), QStringLiteral("opaque")}});
            ++call;
            QJsonArray responses;
            for (const QJsonValue& value : request.json().value(QStringLiteral("requests")).toArray()) {
                const QString id = value.toObject().value(QStringLiteral("id")).toString();
                if (call == 1 && id == QStringLiteral("2"))
                    responses.append(item(id, 429,
                                          graphErrorBody(QStringLiteral("TooManyRequests"), QStringLiteral("later")),
                                          {{QStringLiteral("Retry-After"), QStringLiteral("2")}}));
                else if (call == 1 && id == QStringLiteral("3"))
                    responses.append(item(
                        id, 404, graphErrorBody(QStringLiteral("Request_ResourceNotFound"), QStringLiteral("lag"))));
                else if (call == 1 && id == QStringLiteral("4"))
                    responses.append(item(id, 503, {}));
                else
                    responses.append(item(id, 200, {{QStringLiteral("call"), call}}));
            }
            return ScriptedResponse::json(200, batchResponse(responses));
        });
        QList<GraphRequest> requests = {getRequest(QStringLiteral("/a")), getRequest(QStringLiteral("/b")),
                                        getRequest(QStringLiteral("/c"), true), getRequest(QStringLiteral("/d")),
                                        getRequest(QStringLiteral("/e"))};
        auto results = h.graph->batch(h.access, requests);
        QVERIFY(results.ok());
        QCOMPARE(call, 2);
        QCOMPARE((*results)[0].body.value(QStringLiteral("call")).toInt(), 1);
        QCOMPARE((*results)[1].body.value(QStringLiteral("call")).toInt(), 2);
        QCOMPARE((*results)[2].body.value(QStringLiteral("call")).toInt(), 2);
        QCOMPARE((*results)[3].body.value(QStringLiteral("call")).toInt(), 2);
        QCOMPARE((*results)[4].body.value(QStringLiteral("call")).toInt(), 1);
        const auto second = h.graphRequests()[1].json().value(QStringLiteral("requests")).toArray();
        QCOMPARE(second.size(), 3); // only the 429, the lagging 404 and the 503
        QVERIFY(h.waits.contains(2000)); // the item's Retry-After
    }

    void batchDependsOn()
    {
        Harness h;
        h.server.setHandler([](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/token")))
                return ScriptedResponse::json(200,
                                              {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                               {QStringLiteral("expires_in"), 3599},
                                               {QStringLiteral("access_token"), QStringLiteral("opaque")}});
            return ScriptedResponse::json(
                200,
                batchResponse({item(QStringLiteral("b"), 424,
                                    graphErrorBody(QStringLiteral("FailedDependency"), QStringLiteral("dep"))),
                               item(QStringLiteral("a"), 400,
                                    graphErrorBody(QStringLiteral("Request_BadRequest"), QStringLiteral("bad")))}));
        });
        GraphRequest a = getRequest(QStringLiteral("/a"));
        a.id = QStringLiteral("a");
        GraphRequest b = getRequest(QStringLiteral("/b"));
        b.id = QStringLiteral("b");
        b.dependsOn = {QStringLiteral("a")};
        auto results = h.graph->batch(h.access, {a, b});
        QVERIFY(results.ok());
        QCOMPARE((*results)[0].status, 400);
        QCOMPARE((*results)[1].status, 424);
        const auto sent = h.graphRequests();
        QCOMPARE(sent.size(), 1);
        const QJsonArray items = sent[0].json().value(QStringLiteral("requests")).toArray();
        QCOMPARE(items[1].toObject().value(QStringLiteral("dependsOn")).toArray(), QJsonArray {QStringLiteral("a")});

        // Bad input: an unknown dependency or a duplicate id is refused before anything is sent.
        GraphRequest c = getRequest(QStringLiteral("/c"));
        c.dependsOn = {QStringLiteral("nope")};
        QVERIFY(!h.graph->batch(h.access, {c}).ok());
        QVERIFY(!h.graph->batch(h.access, {a, a}).ok());
        QCOMPARE(h.graphRequests().size(), 1);
    }

    // Graph runs a batch fully in parallel or fully in sequence (protocols.md 2.9). In sequence each item after the
    // first depends on the one before; one that fails fails the rest with 424. What only followed a throttled or
    // failed item was not carried out and goes again, in order; what declared it needs a failed item stays 424.
    void batchSequential()
    {
        Harness h;
        QList<QJsonArray> sent;
        h.server.setHandler([&sent](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/token")))
                return ScriptedResponse::json(200,
                                              {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                               {QStringLiteral("expires_in"), 3599},
                                               {QStringLiteral("access_token"), QStringLiteral("opaque")}});
            const QJsonArray items = request.json().value(QStringLiteral("requests")).toArray();
            sent.append(items);
            QJsonArray responses;
            bool failed = false;
            for (const QJsonValue& value : items) {
                const QJsonObject in = value.toObject();
                const QString id = in.value(QStringLiteral("id")).toString();
                const QString url = in.value(QStringLiteral("url")).toString();
                if (failed && in.contains(QStringLiteral("dependsOn"))) {
                    responses.append(item(id, 424, graphErrorBody(QStringLiteral("FailedDependency"), QStringLiteral("dep"))));
                    continue;
                }
                int status = 200;
                if (url == QStringLiteral("/b") && sent.size() == 1)
                    status = 429; // throttled once
                else if (url == QStringLiteral("/d"))
                    status = 400; // refused for good
                if (status != 200)
                    failed = true;
                responses.append(status == 429 ? item(id, 429, graphErrorBody(QStringLiteral("TooManyRequests"), QStringLiteral("later")),
                                                      {{QStringLiteral("Retry-After"), QStringLiteral("1")}})
                                               : item(id, status, {{QStringLiteral("call"), int(sent.size())}}));
            }
            return ScriptedResponse::json(200, batchResponse(responses));
        });
        QList<GraphRequest> requests;
        for (const char* url : {"/a", "/b", "/c", "/d", "/e", "/f"}) {
            GraphRequest r;
            r.method = "POST"; // not resend-safe: only what was not carried out may go again
            r.url = QString::fromLatin1(url);
            r.id = QString::fromLatin1(url).mid(1);
            requests.append(r);
        }
        requests[5].dependsOn = {QStringLiteral("d")}; // f only if d succeeded
        auto results = h.graph->batch(h.access, requests, nullptr, GraphClient::Order::Sequential);
        QVERIFY(results.ok());
        QCOMPARE((*results)[0].status, 200);
        QCOMPARE((*results)[0].body.value(QStringLiteral("call")).toInt(), 1);
        QCOMPARE((*results)[1].status, 200); // the throttled one, again
        QCOMPARE((*results)[2].status, 200); // stopped behind it, then sent again
        QCOMPARE((*results)[2].body.value(QStringLiteral("call")).toInt(), 2);
        QCOMPARE((*results)[3].status, 400);
        QCOMPARE((*results)[4].status, 200); // stopped by d's failure only: sent again
        QCOMPARE((*results)[5].status, 424); // needs d
        QCOMPARE(sent.size(), 3);
        // Every batch a chain: the first item depends on nothing, each later one on the one before it.
        for (const QJsonArray& items : std::as_const(sent)) {
            QVERIFY(!items.first().toObject().contains(QStringLiteral("dependsOn")));
            for (qsizetype i = 1; i < items.size(); ++i)
                QCOMPARE(items[i].toObject().value(QStringLiteral("dependsOn")).toArray(),
                         QJsonArray {items[i - 1].toObject().value(QStringLiteral("id"))});
        }
        QCOMPARE(sent[1].size(), 5); // b c d e f
        QCOMPARE(sent[2].size(), 1); // e (f is not sent: d failed)
        QVERIFY(h.waits.contains(1000));
    }

    void pacingKeepsUnderTheBudget()
    {
        // A Graph that allows 10 resource units per second (a token bucket on the test's clock) and answers 429
        // beyond; the client paced at the same budget sends 60 requests without one 429, by waiting.
        GraphClientOptions options;
        options.budgets.tenantUnits = 10;
        options.budgets.tenantUnitsWindowMs = 1000;
        options.budgets.headroom = 1.0;
        for (bool paced : {true, false}) {
            if (!paced)
                options.budgets.tenantUnits = 1e9;
            Harness h(options);
            auto level = std::make_shared<double>(10);
            auto updated = std::make_shared<qint64>(h.clock.now());
            auto throttledCount = std::make_shared<std::atomic<int>>(0);
            ManualClock* clock = &h.clock;
            h.server.setHandler([=](const ScriptedRequest& request) {
                if (request.path().endsWith(QStringLiteral("/token")))
                    return ScriptedResponse::json(200,
                                                  {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                                   {QStringLiteral("expires_in"), 3599},
                                                   {QStringLiteral("access_token"), QStringLiteral("opaque")}});
                const qint64 now = clock->now();
                *level = std::min(10.0, *level + double(now - *updated) * 10.0 / 1000.0);
                *updated = now;
                if (*level < 1) {
                    ++*throttledCount;
                    return throttled("1");
                }
                *level -= 1;
                return ScriptedResponse::json(200, {});
            });
            for (int i = 0; i < 60; ++i)
                QVERIFY(h.graph->send(h.access, getRequest(QStringLiteral("/organization"))).ok());
            if (paced) {
                QCOMPARE(throttledCount->load(), 0);
                QVERIFY(h.waited() >= 4900); // 50 beyond the burst, at 10 per second
            } else {
                QVERIFY(throttledCount->load() > 0); // the same load unpaced is throttled: the check above can fail
            }
        }
    }

    void pacingAcrossThreadsAndTenants()
    {
        // 40 workers at once over 8 tenants, real time: a Graph that allows each tenant 5 units per second answers
        // no 429, because the workers of a tenant wait for its budget before sending.
        ScriptedHttpServer server;
        QMutex mutex;
        QHash<QString, std::pair<double, qint64>> buckets; // tenant -> (level, last ms)
        std::atomic<int> throttledCount {0};
        std::atomic<int> served {0};
        server.setHandler([&](const ScriptedRequest& request) {
            if (request.path().endsWith(QStringLiteral("/token")))
                return ScriptedResponse::json(200,
                                              {{QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                               {QStringLiteral("expires_in"), 3599},
                                               {QStringLiteral("access_token"), QStringLiteral("opaque")}});
            QMutexLocker lock(&mutex);
            auto it = buckets.find(request.path());
            if (it == buckets.end())
                it = buckets.insert(request.path(),
                                    {6.0, request.receivedAtMs}); // one unit (200 ms) of slack for scheduling
            it->first = std::min(6.0, it->first + double(request.receivedAtMs - it->second) * 5.0 / 1000.0);
            it->second = request.receivedAtMs;
            if (it->first < 1) {
                ++throttledCount;
                return throttled("1");
            }
            it->first -= 1;
            ++served;
            return ScriptedResponse::json(200, {});
        });
        GraphClientOptions options;
        options.budgets.tenantUnits = 5;
        options.budgets.tenantUnitsWindowMs = 1000;
        options.budgets.headroom = 1.0;
        TokenProvider tokens;
        GraphClient graph(tokens, options);
        std::vector<std::thread> workers;
        std::atomic<int> failures {0};
        for (int w = 0; w < 40; ++w) {
            workers.emplace_back([&, w] {
                TenantAccess access;
                access.endpoints.authority = server.url();
                access.endpoints.graph = server.url();
                access.entraTenantId = QStringLiteral("tenant%1.example").arg(w % 8);
                access.app.clientId = QStringLiteral("app");
                access.app.clientSecret = crypto::SecretBytes(QByteArray("s"));
                for (int i = 0; i < 3; ++i) {
                    // The path names the tenant, so the fake Graph keeps one bucket per tenant.
                    auto response = graph.send(access, getRequest(QStringLiteral("/t/%1").arg(w % 8)));
                    if (!response.ok() || response->status != 200)
                        ++failures;
                }
            });
        }
        for (auto& worker : workers)
            worker.join();
        QCOMPARE(failures.load(), 0);
        QCOMPARE(served.load(), 120);
        QCOMPARE(throttledCount.load(), 0);
    }

    void pacerPausesATenantAfterThrottling()
    {
        ManualClock clock;
        QList<qint64> waits;
        GraphPacer pacer(GraphBudgets {}, &clock, [&](qint64 ms) {
            waits.append(ms);
            clock.advance(ms);
        });
        pacer.pause(QStringLiteral("app"), QStringLiteral("t1"), clock.now() + 5000);
        QVERIFY(
            pacer.acquire(QStringLiteral("app"), QStringLiteral("t2"), {}, clock.now() + 1000).ok()); // another tenant
        QVERIFY(waits.isEmpty());
        auto tooLate = pacer.acquire(QStringLiteral("APP"), QStringLiteral("T1"), {}, clock.now() + 1000);
        QVERIFY(!tooLate.ok());
        QCOMPARE(tooLate.error().code, QString::fromLatin1(kThrottled));
        QVERIFY(pacer.acquire(QStringLiteral("app"), QStringLiteral("t1"), {}, clock.now() + 10'000).ok());
        QCOMPARE(waits, QList<qint64> {5000});
    }

    void costsFollowTheDocumentation_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("url");
        QTest::addColumn<int>("units");
        QTest::addColumn<int>("writes");
        QTest::newRow("GET users") << QByteArray("GET") << QStringLiteral("/users") << 2 << 0;
        QTest::newRow("GET users $select") << QByteArray("GET") << QStringLiteral("/users?$select=id") << 1 << 0;
        QTest::newRow("GET users $expand") << QByteArray("GET") << QStringLiteral("/users/x?$expand=manager") << 3 << 0;
        QTest::newRow("GET other $top 5 $select")
            << QByteArray("GET") << QStringLiteral("/domains?$top=5&$select=id") << 1 << 0;
        QTest::newRow("POST") << QByteArray("POST") << QStringLiteral("/users") << 1 << 1;
        QTest::newRow("DELETE") << QByteArray("DELETE") << QStringLiteral("/roleManagement/directory/roleAssignments/x")
                                << 1 << 1;
    }

    void costsFollowTheDocumentation()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, url);
        QFETCH(int, units);
        QFETCH(int, writes);
        const GraphPacer::Cost cost = GraphPacer::costOf(method, url);
        QCOMPARE(cost.units, units);
        QCOMPARE(cost.writes, writes);
    }

    void noSecretsInLogs()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("stint.entra*=true"));
        g_logged.clear();
        const QtMessageHandler previous = qInstallMessageHandler(captureMessages);
        {
            Harness h;
            h.server.enqueue("PATCH", QStringLiteral("/v1.0/users/u1"), throttled("1"));
            h.server.enqueue("PATCH", QStringLiteral("/v1.0/users/u1"),
                             ScriptedResponse::json(
                                 403,
                                 graphErrorBody(QStringLiteral("Authorization_RequestDenied"),
                                                QStringLiteral("Insufficient privileges to complete the operation."))));
            GraphRequest patch;
            patch.method = "PATCH";
            patch.url = QStringLiteral("/users/u1");
            patch.body
                = QJsonObject {{QStringLiteral("passwordProfile"),
                                QJsonObject {{QStringLiteral("password"), QStringLiteral("Pa55word-SECRET-xyz")}}}};
            auto response = h.graph->send(h.access, patch);
            QVERIFY(response.ok());
            QCOMPARE(response->status, 403);
        }
        qInstallMessageHandler(previous);
        QLoggingCategory::setFilterRules(QString());
        QVERIFY(g_logged.size() >= 2);
        for (const QString& line : std::as_const(g_logged)) {
            QVERIFY2(!line.contains(QStringLiteral("Pa55word")), qPrintable(line));
            QVERIFY2(!line.contains(QString::fromLatin1(kSecret)), qPrintable(line));
            QVERIFY2(!line.contains(QString::fromLatin1(fakeAccessToken(1)).mid(21, 30)), qPrintable(line));
        }
    }
};

QTEST_GUILESS_MAIN(TestGraphClient)
#include "TestGraphClient.moc"
