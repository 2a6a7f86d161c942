// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/CloudContext.h"
#include "cloud/authn/Caller.h"
#include "cloud/audit/Actor.h"
#include "cloud/audit/AuditLog.h"
#include "cloud/http/HttpMessage.h"
#include "cloud/http/Problem.h"
#include "core/Json.h"

#include <QJsonObject>

namespace stint::cloud {

// One request in flight: what came in, who sent it, and what it should leave behind besides the response.
// Records the client's own name for the request (X-Request-Id) in an audit event as details.clientRequestId. The
// event's details.requestId stays the server's id.
void noteClientRequestId(AuditEvent& event, const HttpRequest& request);

class RequestContext
{
public:
    RequestContext(const HttpRequest& request, CloudContext& cloud, Caller caller, QHash<QString, QString> params)
        : request(request)
        , cloud(cloud)
        , caller(std::move(caller))
        , m_params(std::move(params))
    {
    }

    const HttpRequest& request;
    CloudContext& cloud;
    Caller caller;

    QString param(const QString& name) const { return m_params.value(name); }

    // The body as one JSON object (the route's size cap was checked before the handler ran).
    Result<QJsonObject> jsonBody() const { return json::parseObject(request.body, request.body.size() + 1); }

    // The caller as the audit log names them: the signed-in person ("anonymous" before sign-in), their email, the
    // request's source address and id.
    Actor actor() const;
    // An audit event of actor() in the caller's organization, stamped now (see auditEventFor()).
    AuditEvent auditEvent(const QString& action, const QString& outcome = QStringLiteral("success")) const;

    // Appends to the audit log inside the request's transaction (it commits or rolls back with the change).
    // False when the log refused it; the handler then fails the request (nothing unaudited may happen).
    [[nodiscard]] bool audit(AuditEvent event);
    // Records a live event for the request's organization, sent after the commit.
    [[nodiscard]] bool publish(const QString& audience, const QString& type, const QJsonObject& data);
    // Logs a lower layer's error and turns it into the problem the client sees.
    ApiError fail(const Error& error) const;

    // Failure events survive the rollback of the request's transaction: they are appended after it.
    void auditAfterRollback(AuditEvent event) { m_deferredAudit.append(std::move(event)); }
    QList<AuditEvent> takeDeferredAudit() { return std::exchange(m_deferredAudit, {}); }

private:
    QHash<QString, QString> m_params;
    QList<AuditEvent> m_deferredAudit;
};

} // namespace stint::cloud
