// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/RequestContext.h"

#include "cloud/events/EventHub.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRequest, "stint.cloud.http.request")

namespace stint::cloud {

Actor RequestContext::actor() const
{
    return {caller.signedIn() ? caller.personId : QStringLiteral("anonymous"), caller.email,
            request.remoteAddress.toString(), request.requestId};
}

AuditEvent RequestContext::auditEvent(const QString& action, const QString& outcome) const
{
    return auditEventFor(actor(), caller.orgId, action, {}, cloud.clock.now(), outcome);
}

void noteClientRequestId(AuditEvent& event, const HttpRequest& request)
{
    if (!request.clientRequestId.isEmpty() && !event.details.contains(QLatin1String("clientRequestId")))
        event.details.insert(QStringLiteral("clientRequestId"), request.clientRequestId);
}

bool RequestContext::audit(AuditEvent event)
{
    noteClientRequestId(event, request);
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
