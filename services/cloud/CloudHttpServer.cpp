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

// A client may name its request (X-Request-Id) if the name is short and plain; otherwise we name it.
QString requestIdFor(const HttpRequest& request)
{
    const QByteArray given = request.header("X-Request-Id");
    bool plain = !given.isEmpty() && given.size() <= 64;
    for (char c : given)
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
    return plain ? QString::fromLatin1(given) : ids::newId(u"req");
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
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, [this] {
        while (hasPendingWebSocketConnections())
            m_cloud.events.accept(nextPendingWebSocketConnection());
    });
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
        auto* ssl = new QSslServer(this);
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(chain);
        tls.setPrivateKey(key);
        tls.setProtocol(QSsl::TlsV1_2OrLater);
        ssl->setSslConfiguration(tls);
        server = ssl;
    } else {
        server = new GuardedTcpServer(config.maxRequestBytes, kIdleTimeoutMs, this);
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

CloudHttpServer::~CloudHttpServer() = default;

bool CloudHttpServer::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    // QtHttpServer 6.4 shows us a WebSocket upgrade request and then upgrades the connection itself
    // (newWebSocketConnection → EventHub::accept, which also checks the path): answering here would put an HTTP
    // response in front of its 101.
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
    req.remoteAddress = request.remoteAddress();
    const bool head = req.method == QLatin1String("HEAD");
    HttpResponse dispatched = dispatch(req);
    // Group commit: the answer waits for the flush that puts every commit before it on disk (at once when there is
    // none). The request object lives as long as its socket.
    m_groupCommit->whenDurable([this, guard = QPointer<QTcpSocket>(socket), request = &request,
                                response = std::move(dispatched), requestId = req.requestId, head](bool durable) {
        if (!guard)
            return; // the client left
        if (!durable) {
            // Committed, but the disk did not confirm it: say so rather than promise what may not survive.
            const HttpResponse failed = problemResponse(ApiError::internal(), request->url().path(), requestId);
            writeResponse(*request, guard, failed, requestId, head);
            return;
        }
        writeResponse(*request, guard, response, requestId, head);
    });
    return true;
}

void CloudHttpServer::writeResponse(const QHttpServerRequest& request, QTcpSocket* socket, const HttpResponse& response,
                                    const QString& requestId, bool head)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(response.status));
    if (!response.contentType.isEmpty())
        responder.writeHeader("Content-Type", response.contentType);
    for (const auto& [name, value] : response.headers)
        responder.writeHeader(name, value);
    responder.writeHeader("X-Request-Id", requestId.toLatin1());
    // RFC 9110 6.6.1: an origin server with a clock sends Date; the desktop app corrects its countdowns by it.
    responder.writeHeader("Date", QLocale::c()
                                      .toString(QDateTime::fromMSecsSinceEpoch(m_cloud.clock.now(), Qt::UTC),
                                                QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                                      .toLatin1());
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
    responder.writeHeader("Content-Length", QByteArray::number(response.body.size()));
    if (!head && !response.body.isEmpty())
        responder.writeBody(response.body);
    else
        responder.writeBody(QByteArray());
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
    req.requestId = requestIdFor(req);
    logging::RequestIdScope logScope(req.requestId);
    const RouteMatch match = m_router.match(req.method, req.path);
    QString routeName = match.route ? match.route->pattern : QStringLiteral("(unmatched)");

    Reply reply = [&]() -> Reply {
        if (!match.route) {
            if (match.pathKnown)
                return ApiError{405, QStringLiteral("method-not-allowed"), QStringLiteral("Method not allowed."),
                                QStringLiteral("Allowed: %1").arg(match.allowedMethods.join(QStringLiteral(", "))),
                                {}};
            return ApiError::notFound();
        }
        const Route& route = *match.route;
        if (req.body.size() > route.maxBodyBytes)
            return ApiError{413, QStringLiteral("body-too-large"), QStringLiteral("The request body is too large."),
                            QStringLiteral("This endpoint accepts at most %1 bytes.").arg(route.maxBodyBytes), {}};
        if (!req.body.isEmpty()) {
            const QByteArray type = req.header("Content-Type").split(';').first().trimmed().toLower();
            if (type != "application/json")
                return ApiError{415, QStringLiteral("unsupported-media-type"),
                                QStringLiteral("Send JSON."), QStringLiteral("Content-Type must be application/json."),
                                {}};
        }

        // A read-only request runs in one read transaction from authentication to answer: one consistent snapshot,
        // and a fraction of the locking calls of a transaction per statement. (Mutating requests get theirs in
        // runRoute.)
        std::optional<store::Transaction> readTx;
        if (!isMutating(req.method)) {
            readTx.emplace(m_cloud.db, store::Transaction::Mode::Read);
            if (!readTx->started().ok())
                return ApiError::internal();
        }
        Caller caller;
        const QByteArray authorization = req.header("Authorization");
        if (!authorization.isEmpty() && route.access != Access::Public) {
            if (!authorization.startsWith("Bearer "))
                return ApiError::unauthorized(QStringLiteral("Use 'Authorization: Bearer <session token>'."));
            auto found = m_cloud.sessions.authenticate(QString::fromLatin1(authorization.mid(7).trimmed()));
            if (!found)
                return ApiError::internal();
            if (found->has_value())
                caller = **found;
        }
        if (route.access != Access::Public && !caller.signedIn())
            return ApiError::unauthorized();
        if (route.access == Access::Admin && !caller.isAdmin())
            return ApiError::forbidden(QStringLiteral("Only an organization admin may do this."));
        if (route.rateLimited) {
            int retryAfter = 0;
            if (!m_cloud.limiter.tryAcquire(QStringLiteral("addr:") + req.remoteAddress.toString(),
                                            m_cloud.config.signInAttemptsPerAddress,
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
            if (auto appended = m_cloud.audit.append(std::move(e)); !appended)
                qCCritical(lcHttp) << "could not record an audit event:" << appended.error().message;
        }
        return result;
    }();

    HttpResponse response = reply.isError() ? problemResponse(reply.error(), req.path, req.requestId)
                                            : reply.response();
    if (reply.isError() && reply.error().status >= 500)
        qCWarning(lcHttp) << "request failed:" << reply.error().detail;
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    m_cloud.metrics.observeRequest(req.method, routeName, response.status, seconds);
    qCInfo(lcAccess).noquote() << req.method << req.path << response.status
                               << QString::number(seconds * 1000.0, 'f', 2) + QStringLiteral("ms")
                               << req.remoteAddress.toString();
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
