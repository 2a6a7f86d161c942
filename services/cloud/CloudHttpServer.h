// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "cloud/authn/Caller.h"
#include "cloud/http/GuardedTcpServer.h"
#include "cloud/http/Router.h"

#include <QAbstractHttpServer>

#include <memory>

namespace stint::store {
class GroupCommit;
}

namespace stint::cloud {

class RequestContext;

// The HTTP front door: turns QtHttpServer's requests into HttpRequest, finds the route, caps the body,
// authenticates, checks the route's access rule, runs the handler in a transaction (mutating methods), honours
// Idempotency-Key, and writes the response with security headers, a request id, logs and metrics.
class CloudHttpServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    CloudHttpServer(const Router& router, CloudContext& cloud, QObject* parent = nullptr);
    ~CloudHttpServer() override;

    // Listens on the configured address; with TLS material the socket speaks TLS. Returns the bound port.
    Result<quint16> start(const QHostAddress& address, quint16 port);

    // Runs one request through the whole pipeline. Public so tests can drive it without sockets. A mutating
    // request's transaction commits with group commit: the answer on the socket waits until it is on disk
    // (store/GroupCommit), dispatch() itself does not.
    HttpResponse dispatch(HttpRequest& request);

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    std::shared_ptr<const GuardSettings> guardSettings();
    // The guard's question on a complete request head (see http/HttpGuard.h): 401, 413 and 415 before the body.
    Admission admit(const RequestHead& head);
    // A problem the guard sends instead of a response (and closes): request id, access log and metrics as usual.
    HttpResponse refusal(const ApiError& error, const RequestHead* head, const QHostAddress& peer);
    // The caller behind an Authorization header (left unsigned-in when there is none or the token is not live).
    std::optional<ApiError> authenticateBearer(const QByteArray& authorization, Caller& caller);
    // 413 or 415 for a body of `size` bytes the route would refuse.
    static std::optional<ApiError> bodyProblem(const Route& route, qint64 size, const QByteArray& contentType);
    bool isTrustedProxy(const QHostAddress& address) const;
    // The client's address: the TCP peer, or behind a trusted proxy the right-most untrusted X-Forwarded-For hop.
    QHostAddress clientAddress(const QHostAddress& peer, const QList<QPair<QByteArray, QByteArray>>& headers) const;

    void writeResponse(const QHttpServerRequest& request, QTcpSocket* socket, const HttpResponse& response,
                       const QString& requestId, bool head, bool close);
    Reply runRoute(const Route& route, RequestContext& ctx);
    Reply runWithIdempotency(const Route& route, RequestContext& ctx);

    const Router& m_router;
    CloudContext& m_cloud;
    // Every answer leaves only once every commit before it is on disk: its own change, and any change it could have
    // read. Concurrent requests share one fsync.
    std::unique_ptr<store::GroupCommit> m_groupCommit;
};

} // namespace stint::cloud
