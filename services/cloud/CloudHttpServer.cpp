// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/CloudHttpServer.h"

#include "cloud/audit/AuditLog.h"
#include "cloud/authn/RateLimiter.h"
#include "cloud/authn/Sessions.h"
#include "cloud/events/EventHub.h"
#include "cloud/http/GuardedTcpServer.h"
#include "cloud/http/RequestContext.h"
#include "cloud/metrics/Metrics.h"
#include "core/Crypto.h"
#include "core/Ids.h"
#include "core/Json.h"
#include "core/Logging.h"
#include "store/GroupCommit.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLocale>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QLoggingCategory>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QTcpSocket>

#include <limits>
#include <optional>

Q_LOGGING_CATEGORY(lcHttp, "stint.cloud.http")
Q_LOGGING_CATEGORY(lcAccess, "stint.cloud.http.access")

namespace stint::cloud {

namespace {
constexpr int kIdleTimeoutMs = 120'000;

QString methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get:
        return QStringLiteral("GET");
    case QHttpServerRequest::Method::Post:
        return QStringLiteral("POST");
    case QHttpServerRequest::Method::Put:
        return QStringLiteral("PUT");
    case QHttpServerRequest::Method::Patch:
        return QStringLiteral("PATCH");
    case QHttpServerRequest::Method::Delete:
        return QStringLiteral("DELETE");
    case QHttpServerRequest::Method::Head:
        return QStringLiteral("HEAD");
    case QHttpServerRequest::Method::Options:
        return QStringLiteral("OPTIONS");
    default:
        return QStringLiteral("UNKNOWN");
    }
}

bool isMutating(const QString& method)
{
    return method != QLatin1String("GET") && method != QLatin1String("HEAD");
}

// A client may name its request (X-Request-Id) if the name is short and plain. The server always names it itself (the
// id in the response, the logs and the audit log); the client's name is only kept beside it, as the client's.
QString clientRequestIdOf(const QList<QPair<QByteArray, QByteArray>>& headers)
{
    QByteArray given;
    for (const auto& [name, value] : headers) {
        if (name.compare("X-Request-Id", Qt::CaseInsensitive) == 0)
            given = value;
    }
    bool plain = !given.isEmpty() && given.size() <= 64;
    for (char c : given)
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
    return plain ? QString::fromLatin1(given) : QString();
}

// A route without a body (its cap is 0) still takes an empty JSON object: "{}", with some white space.
constexpr qsizetype kBodylessSlack = 64;
qsizetype acceptedBodyBytes(const Route& route)
{
    return std::max(route.maxBodyBytes, kBodylessSlack);
}
// Bodies of requests that match no route (answered 404 or 405 without reading them).
constexpr qsizetype kUnmatchedBody = 64 * 1024;

QHostAddress plainAddress(const QHostAddress& address)
{
    bool v4 = false;
    const quint32 ip4 = address.toIPv4Address(&v4);
    return v4 ? QHostAddress(ip4) : address;
}

// RFC 9110 5.6.7's IMF-fixdate of `ms` since the epoch ("Sun, 06 Nov 1994 08:49:37 GMT"), made once per second.
QByteArray httpDate(qint64 ms)
{
    thread_local qint64 madeFor = std::numeric_limits<qint64>::min();
    thread_local QByteArray text;
    const qint64 second = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
    if (second != madeFor) {
        text = QLocale::c()
                   .toString(QDateTime::fromSecsSinceEpoch(second, Qt::UTC),
                             QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                   .toLatin1();
        madeFor = second;
    }
    return text;
}

bool plainIdempotencyKey(const QByteArray& key)
{
    if (key.isEmpty() || key.size() > 128)
        return false;
    for (char c : key) {
        if (c < 0x21 || c > 0x7e)
            return false;
    }
    return true;
}
} // namespace

CloudHttpServer::CloudHttpServer(const Router& router, CloudContext& cloud, QObject* parent)
    : QAbstractHttpServer(parent)
    , m_router(router)
    , m_cloud(cloud)
    , m_groupCommit(std::make_unique<store::GroupCommit>(cloud.db))
{
    // Live events wait for the same flush as the answers: none tells of a change not yet committed and on disk.
    m_cloud.events.setDeliveryGate([group = m_groupCommit.get()](std::function<void()> send) {
        group->whenDurable([send = std::move(send)](bool) { send(); });
    });
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, [this] {
        while (hasPendingWebSocketConnections())
            m_cloud.events.accept(nextPendingWebSocketConnection());
    });
}

std::shared_ptr<const GuardSettings> CloudHttpServer::guardSettings()
{
    const CloudConfig& config = m_cloud.config;
    auto settings = std::make_shared<GuardSettings>();
    settings->maxRequestBytes = config.maxRequestBytes;
    settings->idleTimeoutMs = kIdleTimeoutMs;
    settings->headerTimeoutMs = config.headerTimeoutSeconds * 1000;
    settings->maxConnectionsPerAddress = config.maxConnectionsPerAddress;
    settings->exemptFromCap = [this](const QHostAddress& peer) { return isTrustedProxy(peer); };
    settings->admit = [this](const RequestHead& head) { return admit(head); };
    settings->refuse = [this](int status, const QString& slug, const QString& title, const QString& detail,
                              const RequestHead* head, const QHostAddress& peer) {
        return refusal(ApiError{status, slug, title, detail, {}}, head, peer);
    };
    return settings;
}

bool CloudHttpServer::isTrustedProxy(const QHostAddress& address) const
{
    const QHostAddress plain = plainAddress(address);
    for (const auto& subnet : m_cloud.config.trustedProxies) {
        if (plain.isInSubnet(subnet))
            return true;
    }
    return false;
}

QHostAddress CloudHttpServer::clientAddress(const QHostAddress& peer,
                                            const QList<QPair<QByteArray, QByteArray>>& headers) const
{
    // Only a trusted proxy's word counts; then the right-most address it (and the trusted proxies before it) did not
    // add itself is the client: anything to the left of that was written by the client and proves nothing.
    if (!isTrustedProxy(peer))
        return plainAddress(peer);
    QList<QByteArray> hops;
    for (const auto& [name, value] : headers) {
        if (name.compare("X-Forwarded-For", Qt::CaseInsensitive) == 0)
            hops += value.split(',');
    }
    QHostAddress client = plainAddress(peer);
    for (auto hop = hops.crbegin(); hop != hops.crend(); ++hop) {
        const QHostAddress address(QString::fromLatin1(hop->trimmed()));
        if (address.isNull())
            break; // not an address: the hop before it is as far as the chain can be believed
        client = plainAddress(address);
        if (!isTrustedProxy(client))
            break;
    }
    return client;
}

HttpResponse CloudHttpServer::refusal(const ApiError& error, const RequestHead* head, const QHostAddress& peer)
{
    const QString requestId = ids::newId(u"req");
    logging::RequestIdScope logScope(requestId);
    const QString path = head ? head->path() : QString();
    // Before the request line is read there is no path; the problem's instance is then the root.
    HttpResponse response = problemResponse(error, path.isEmpty() ? QStringLiteral("/") : path, requestId);
    response.addHeader("X-Request-Id", requestId.toLatin1());
    const QString method = head ? QString::fromLatin1(head->method) : QStringLiteral("-");
    const QHostAddress client = head ? clientAddress(peer, head->headers) : plainAddress(peer);
    m_cloud.metrics.observeRequest(method, QStringLiteral("(refused)"), response.status, 0.0);
    qCInfo(lcAccess).noquote() << method << (head ? path : QStringLiteral("-")) << response.status << "0.00ms"
                               << client.toString();
    return response;
}

std::optional<ApiError> CloudHttpServer::authenticateBearer(const QByteArray& authorization, Caller& caller)
{
    if (authorization.isEmpty())
        return std::nullopt;
    if (!authorization.startsWith("Bearer "))
        return ApiError::unauthorized(QStringLiteral("Use 'Authorization: Bearer <session token>'."));
    auto found = m_cloud.sessions.authenticate(QString::fromLatin1(authorization.mid(7).trimmed()));
    if (!found)
        return ApiError::internal();
    if (found->has_value())
        caller = **found;
    return std::nullopt;
}

std::optional<ApiError> CloudHttpServer::bodyProblem(const Route& route, qint64 size, const QByteArray& contentType)
{
    if (size > acceptedBodyBytes(route))
        return ApiError{413, QStringLiteral("body-too-large"), QStringLiteral("The request body is too large."),
                        route.maxBodyBytes == 0
                            ? QStringLiteral("This action takes no body (or an empty JSON object).")
                            : QStringLiteral("This endpoint accepts at most %1 bytes.").arg(route.maxBodyBytes),
                        {}};
    if (size > 0 && contentType.split(';').first().trimmed().toLower() != "application/json")
        return ApiError{415, QStringLiteral("unsupported-media-type"), QStringLiteral("Send JSON."),
                        QStringLiteral("Content-Type must be application/json."), {}};
    return std::nullopt;
}

Admission CloudHttpServer::admit(const RequestHead& head)
{
    // Runs when a request's head is complete and before any byte of its body is read: a caller who may not use the
    // route learns it now (401), and so does one whose body the route would refuse (413, 415), in that order.
    Admission admission;
    const RouteMatch match = m_router.match(QString::fromLatin1(head.method), head.path());
    if (!match.route) {
        admission.maxBodyBytes = kUnmatchedBody;
        return admission;
    }
    const Route& route = *match.route;
    admission.maxBodyBytes = acceptedBodyBytes(route);
    if (!head.hasBody())
        return admission;
    if (route.access != Access::Public) {
        Caller caller;
        std::optional<ApiError> problem;
        {
            store::Transaction tx(m_cloud.db, store::Transaction::Mode::Read);
            if (!tx.started().ok())
                problem = ApiError::internal();
            else if (problem = authenticateBearer(head.header("Authorization"), caller); !problem)
                (void)tx.commit();
        }
        if (!problem && !caller.signedIn())
            problem = ApiError::unauthorized();
        if (problem) {
            admission.refusal = refusal(*problem, &head, head.peer);
            return admission;
        }
    }
    // A chunked body's size is counted as it arrives (against maxBodyBytes); its type is checked now.
    if (auto problem = bodyProblem(route, head.chunked ? 1 : head.contentLength, head.header("Content-Type")))
        admission.refusal = refusal(*problem, &head, head.peer);
    return admission;
}

Result<quint16> CloudHttpServer::start(const QHostAddress& address, quint16 port)
{
    const CloudConfig& config = m_cloud.config;
    QTcpServer* server = nullptr;
    if (!config.tlsCertificateFile.isEmpty()) {
        QFile certFile(config.tlsCertificateFile);
        QFile keyFile(config.tlsKeyFile);
        if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("config.tls"), QStringLiteral("Cannot read the TLS certificate or key."));
        const auto chain = QSslCertificate::fromDevice(&certFile, QSsl::Pem);
        QByteArray keyPem = keyFile.readAll();
        QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
        if (key.isNull())
            key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
        crypto::wipe(keyPem);
        if (chain.isEmpty() || key.isNull())
            return makeError(QStringLiteral("config.tls"),
                             QStringLiteral("The TLS certificate or key is not valid PEM (RSA or EC key)."));
        auto* ssl = new GuardedSslServer(guardSettings(), this);
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(chain);
        tls.setPrivateKey(key);
        tls.setProtocol(QSsl::TlsV1_2OrLater);
        ssl->setSslConfiguration(tls);
        server = ssl;
    } else {
        server = new GuardedTcpServer(guardSettings(), this);
    }
    if (!server->listen(address, port)) {
        const QString why = server->errorString();
        delete server;
        return makeError(QStringLiteral("config.listen"),
                         QStringLiteral("Cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(why));
    }
    bind(server);
    return server->serverPort();
}

CloudHttpServer::~CloudHttpServer()
{
    m_cloud.events.setDeliveryGate({});
}

bool CloudHttpServer::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    // QtHttpServer 6.4 shows us a WebSocket upgrade request and then upgrades the connection itself
    // (newWebSocketConnection → EventHub::accept, which also checks the path): answering here would put an HTTP
    // response in front of its 101.
    HttpGuard* guard = guardOf(socket);
    const bool close = guard && guard->takeCloseAfterResponse();
    for (const auto& [name, value] : request.headers()) {
        if (name.compare("Upgrade", Qt::CaseInsensitive) == 0 && value.trimmed().compare("websocket", Qt::CaseInsensitive) == 0)
            return true;
    }
    HttpRequest req;
    req.method = methodName(request.method());
    req.path = request.url().path();
    req.query = request.query();
    req.headers = request.headers();
    req.body = request.body();
    req.remoteAddress = clientAddress(request.remoteAddress(), req.headers);
    req.clientRequestId = clientRequestIdOf(req.headers);
    const bool head = req.method == QLatin1String("HEAD");
    HttpResponse dispatched = dispatch(req);
    // Group commit: the answer waits for the flush that puts every commit before it on disk (at once when there is
    // none). The request object lives as long as its socket.
    m_groupCommit->whenDurable([this, guard = QPointer<QTcpSocket>(socket), request = &request,
                                response = std::move(dispatched), requestId = req.requestId, path = req.path, head,
                                close](bool durable) {
        if (!guard)
            return; // the client left
        if (!durable) {
            // Committed, but the disk did not confirm it: say so rather than promise what may not survive.
            const HttpResponse failed = problemResponse(ApiError::internal(), path, requestId);
            writeResponse(*request, guard, failed, requestId, head, close);
            return;
        }
        writeResponse(*request, guard, response, requestId, head, close);
    });
    return true;
}

void CloudHttpServer::writeResponse(const QHttpServerRequest& request, QTcpSocket* socket, const HttpResponse& response,
                                    const QString& requestId, bool head, bool close)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
    if (!response.contentType.isEmpty())
        responder.writeHeader("Content-Type", response.contentType);
    for (const auto& [name, value] : response.headers)
        responder.writeHeader(name, value);
    responder.writeHeader("X-Request-Id", requestId.toLatin1());
    // RFC 9110 6.6.1: an origin server with a clock sends Date; the desktop app corrects its countdowns by it.
    responder.writeHeader("Date", httpDate(m_cloud.clock.now()));
    responder.writeHeader("X-Content-Type-Options", "nosniff");
    responder.writeHeader("Referrer-Policy", "no-referrer");
    responder.writeHeader("X-Frame-Options", "DENY");
    responder.writeHeader("Cross-Origin-Opener-Policy", "same-origin");
    bool hasCsp = false;
    bool hasCache = false;
    for (const auto& h : response.headers) {
        hasCsp = hasCsp || h.first == "Content-Security-Policy";
        hasCache = hasCache || h.first == "Cache-Control";
    }
    if (!hasCsp)
        responder.writeHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (!hasCache)
        responder.writeHeader("Cache-Control", "no-store");
    if (!m_cloud.config.tlsCertificateFile.isEmpty())
        responder.writeHeader("Strict-Transport-Security", "max-age=31536000");
    if (close)
        responder.writeHeader("Connection", "close");
    responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
    if (!head && !response.body.isEmpty())
        responder.writeBody(response.body);
    else
        responder.writeBody(QByteArray());
    if (close) // Connection: close, or HTTP/1.0 without keep-alive: the connection ends with this response
        QMetaObject::invokeMethod(socket, &QAbstractSocket::disconnectFromHost, Qt::QueuedConnection);
}

void CloudHttpServer::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket)
{
    // Not reached: handleRequest answers every request. Kept for the abstract interface.
    makeResponder(request, socket).write(QHttpServerResponder::StatusCode::NotFound);
}

HttpResponse CloudHttpServer::dispatch(HttpRequest& req)
{
    QElapsedTimer timer;
    timer.start();
    req.requestId = ids::newId(u"req");
    logging::RequestIdScope logScope(req.requestId);
    const RouteMatch match = m_router.match(req.method, req.path);
    QStringList allowed = match.allowedMethods;
    if (allowed.contains(QLatin1String("GET")))
        allowed << QStringLiteral("HEAD");
    allowed.removeDuplicates();
    QString routeName = match.route ? match.route->pattern : QStringLiteral("(unmatched)");

    Reply reply = [&]() -> Reply {
        if (!match.route) {
            if (match.pathKnown) {
                ApiError error{405, QStringLiteral("method-not-allowed"), QStringLiteral("Method not allowed."),
                               QStringLiteral("Allowed: %1").arg(allowed.join(QStringLiteral(", "))),
                               {}};
                return error;
            }
            return ApiError::notFound();
        }
        const Route& route = *match.route;

        // A read-only request runs in one read transaction from authentication to answer: one consistent snapshot,
        // and a fraction of the locking calls of a transaction per statement. (Mutating requests get theirs in
        // runRoute.)
        std::optional<store::Transaction> readTx;
        if (!isMutating(req.method)) {
            readTx.emplace(m_cloud.db, store::Transaction::Mode::Read);
            if (!readTx->started().ok())
                return ApiError::internal();
        }
        // Who is asking comes first: a caller who may not use the route learns nothing about its body.
        Caller caller;
        if (route.access != Access::Public) {
            if (auto problem = authenticateBearer(req.header("Authorization"), caller))
                return *problem;
        }
        if (route.access != Access::Public && !caller.signedIn())
            return ApiError::unauthorized();
        if (auto problem = bodyProblem(route, req.body.size(), req.header("Content-Type")))
            return *problem;
        if (route.maxBodyBytes == 0 && !req.body.isEmpty()) {
            // A route without a body takes "{}" as well as nothing.
            auto object = json::parseObject(req.body, kBodylessSlack + 1);
            if (!object)
                return ApiError::fromError(object.error());
            if (!object->isEmpty())
                return ApiError{422, QStringLiteral("validation"), QStringLiteral("Some fields are not valid."),
                                QStringLiteral("This action takes no fields: send no body or {}."), {}};
            req.body.clear();
        }
        if (route.access == Access::Admin && !caller.isAdmin())
            return ApiError::forbidden(QStringLiteral("Only an organization admin may do this."));
        if (route.rateLimited) {
            int retryAfter = 0;
            if (!m_cloud.limiter.tryAcquireAddress(req.remoteAddress, m_cloud.config.signInAttemptsPerAddress,
                                                   m_cloud.config.signInWindowSeconds, &retryAfter)) {
                m_cloud.metrics.increment(QStringLiteral("stint_signin_rate_limited_total"),
                                          QStringLiteral("scope=\"address\""));
                return ApiError::tooManyRequests(retryAfter);
            }
        }
        RequestContext ctx(req, m_cloud, caller, match.params);
        Reply result = runRoute(route, ctx);
        if (readTx) {
            if (auto committed = readTx->commit(); !committed) // keeps the session's sliding expiry, if it moved
                qCWarning(lcHttp) << "read transaction failed:" << committed.error().message;
            readTx.reset();
        }
        for (AuditEvent& e : ctx.takeDeferredAudit()) {
            noteClientRequestId(e, req);
            if (auto appended = m_cloud.audit.append(std::move(e)); !appended)
                qCCritical(lcHttp) << "could not record an audit event:" << appended.error().message;
        }
        return result;
    }();

    HttpResponse response = reply.isError() ? problemResponse(reply.error(), req.path, req.requestId)
                                            : reply.response();
    if (response.status == 405)
        response.addHeader("Allow", allowed.join(QStringLiteral(", ")).toLatin1());
    if (reply.isError() && reply.error().status >= 500)
        qCWarning(lcHttp) << "request failed:" << reply.error().detail;
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    m_cloud.metrics.observeRequest(req.method, routeName, response.status, seconds);
    qCInfo(lcAccess).noquote() << req.method << req.path << response.status
                               << QString::number(seconds * 1000.0, 'f', 2) + QStringLiteral("ms")
                               << req.remoteAddress.toString()
                               << (req.clientRequestId.isEmpty() ? QString()
                                                                 : QStringLiteral("client-request-id=") + req.clientRequestId);
    return response;
}

Reply CloudHttpServer::runRoute(const Route& route, RequestContext& ctx)
{
    if (!isMutating(ctx.request.method))
        return route.handler(ctx);
    if (route.ownTransactions) {
        Reply reply = route.handler(ctx);
        m_cloud.events.discardPending(); // anything the handler committed was flushed by it
        return reply;
    }
    // Everything a mutating request writes — its change, its audit events, its live events, its idempotency
    // record — commits together or not at all.
    // Deferred: the commit does not wait for the disk; handleRequest holds the answer until it is there.
    store::Transaction tx(m_cloud.db, store::Transaction::Mode::Write, store::Transaction::Durability::Deferred);
    if (!tx.started().ok()) {
        qCWarning(lcHttp) << "cannot begin a transaction:" << tx.started().error().message;
        return ApiError::internal();
    }
    Reply reply = route.idempotent ? runWithIdempotency(route, ctx) : route.handler(ctx);
    if (reply.status() >= 400) {
        m_cloud.events.discardPending();
        return reply; // tx rolls back
    }
    if (auto committed = tx.commit(); !committed) {
        qCWarning(lcHttp) << "commit failed:" << committed.error().message;
        m_cloud.events.discardPending();
        return ApiError::internal();
    }
    m_cloud.events.flushPending();
    return reply;
}

Reply CloudHttpServer::runWithIdempotency(const Route& route, RequestContext& ctx)
{
    const QByteArray key = ctx.request.header("Idempotency-Key");
    if (key.isEmpty() || !ctx.caller.signedIn())
        return route.handler(ctx);
    if (!plainIdempotencyKey(key))
        return ApiError::badRequest(QStringLiteral("bad-idempotency-key"),
                                    QStringLiteral("Idempotency-Key must be 1 to 128 visible ASCII characters."));
    const QByteArray fingerprint = crypto::sha256(ctx.request.method.toUtf8() + ' ' + ctx.request.path.toUtf8() + '\n'
                                                  + ctx.request.body);
    auto rows = m_cloud.db.query(QStringLiteral("SELECT request_hash, status, response FROM idempotency_keys"
                                                " WHERE person_id = ? AND idem_key = ?"),
                                 {ctx.caller.personId, QString::fromLatin1(key)});
    if (!rows)
        return ApiError::internal();
    if (!rows->empty()) {
        const store::Row& r = rows->front();
        if (r.blob(0) != fingerprint)
            return ApiError{422, QStringLiteral("idempotency-key-reused"),
                            QStringLiteral("This Idempotency-Key was used for a different request."),
                            QStringLiteral("Use a new key for a new request."), {}};
        HttpResponse replay{int(r.integer(1)), "application/json", r.text(2).toUtf8(), {{"Idempotent-Replayed", "true"}}};
        return replay;
    }
    Reply reply = route.handler(ctx);
    if (!reply.isError() && reply.status() < 300) {
        if (auto stored = m_cloud.db.exec(QStringLiteral("INSERT INTO idempotency_keys (person_id, idem_key, route,"
                                                         " request_hash, status, response, created_at)"
                                                         " VALUES (?, ?, ?, ?, ?, ?, ?)"),
                                          {ctx.caller.personId, QString::fromLatin1(key), route.pattern, fingerprint,
                                           qint64(reply.status()), QString::fromUtf8(reply.response().body),
                                           m_cloud.clock.now()});
            !stored)
            return ApiError::internal();
    }
    return reply;
}

} // namespace stint::cloud
