// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/RequestContext.h"

#include "cloud/events/EventHub.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRequest, "stint.cloud.http.request")

namespace stint::cloud {

AuditEvent RequestContext::auditEvent(const QString& action, const QString& outcome) const
{
    AuditEvent e;
    e.orgId = caller.orgId;
    e.occurredAt = cloud.clock.now();
    e.actorId = caller.signedIn() ? caller.personId : QStringLiteral("anonymous");
    e.actorLabel = caller.email;
    e.action = action;
    e.sourceAddress = request.remoteAddress.toString();
    e.outcome = outcome;
    e.details.insert(QStringLiteral("requestId"), request.requestId);
    return e;
}

bool RequestContext::audit(AuditEvent event)
{
    auto appended = cloud.audit.append(std::move(event));
    if (!appended)
        qCWarning(lcRequest) << "audit append failed:" << appended.error().code << appended.error().message;
    return appended.ok();
}

bool RequestContext::publish(const QString& audience, const QString& type, const QJsonObject& data)
{
    auto published = cloud.events.publish(caller.orgId, audience, type, data);
    if (!published)
        qCWarning(lcRequest) << "event publish failed:" << published.error().message;
    return published.ok();
}

ApiError RequestContext::fail(const Error& error) const
{
    ApiError api = ApiError::fromError(error);
    if (api.status >= 500)
        qCWarning(lcRequest) << "request failed:" << error.code << error.message;
    return api;
}

} // namespace stint::cloud
