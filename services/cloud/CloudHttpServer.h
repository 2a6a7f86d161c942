// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "cloud/http/Router.h"

#include <QAbstractHttpServer>

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

    // Listens on the configured address; with TLS material the socket speaks TLS. Returns the bound port.
    Result<quint16> start(const QHostAddress& address, quint16 port);

    // Runs one request through the whole pipeline. Public so tests can drive it without sockets.
    HttpResponse dispatch(HttpRequest& request);

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    Reply runRoute(const Route& route, RequestContext& ctx);
    Reply runWithIdempotency(const Route& route, RequestContext& ctx);

    const Router& m_router;
    CloudContext& m_cloud;
};

} // namespace stint::cloud
