// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/SessionReply.h"

#include "cloud/http/RequestContext.h"

namespace stint::cloud::api {

Result<Sessions::Issued> openSession(RequestContext& ctx, const QString& personId, const QString& orgId)
{
    const QString userAgent = QString::fromUtf8(ctx.request.header("User-Agent")).left(256);
    return ctx.cloud.sessions.create(personId, orgId, ctx.request.remoteAddress.toString(), userAgent);
}

HttpResponse sessionReply(const Sessions::Issued& session, const models::Person& person)
{
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("token"), session.token},
                                               {QStringLiteral("sessionId"), session.sessionId},
                                               {QStringLiteral("expiresAt"), toRfc3339(session.absoluteExpiresAt)},
                                               {QStringLiteral("idleExpiresAt"), toRfc3339(session.idleExpiresAt)},
                                               {QStringLiteral("person"), person.toJson()}});
}

} // namespace stint::cloud::api
