// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/AuditApi.h"

#include "cloud/audit/AuditLog.h"
#include "cloud/http/RequestContext.h"

#include <QJsonArray>

namespace stint::cloud::api {

namespace {
constexpr int kDefaultLimit = 100;
constexpr int kMaxFilterLength = 128;

ApiError badQuery(const QString& detail)
{
    return ApiError::badRequest(QStringLiteral("bad-query"), detail);
}
} // namespace

Reply queryAudit(RequestContext& ctx)
{
    static const QStringList known{QStringLiteral("from"),     QStringLiteral("to"),     QStringLiteral("actorId"),
                                   QStringLiteral("tenantId"), QStringLiteral("action"), QStringLiteral("limit"),
                                   QStringLiteral("cursor")};
    AuditLog::Query q;
    q.orgId = ctx.caller.orgId;
    q.limit = kDefaultLimit;
    QSet<QString> seen;
    for (const auto& [key, value] : ctx.request.query.queryItems(QUrl::FullyDecoded)) {
        if (!known.contains(key))
            return badQuery(QStringLiteral("Unknown query parameter '%1'.").arg(key.left(64)));
        if (seen.contains(key))
            return badQuery(QStringLiteral("%1 may be given once.").arg(key));
        seen.insert(key);
        if (key == QLatin1String("from") || key == QLatin1String("to")) {
            const auto t = fromRfc3339(value);
            if (!t)
                return badQuery(QStringLiteral("%1 must be an RFC 3339 time, e.g. 2026-01-31T09:00:00Z.").arg(key));
            (key == QLatin1String("from") ? q.from : q.to) = *t;
        } else if (key == QLatin1String("limit")) {
            bool ok = false;
            q.limit = value.toInt(&ok);
            if (!ok || q.limit < 1 || q.limit > AuditLog::kMaxPageSize)
                return badQuery(QStringLiteral("limit must be an integer from 1 to %1.").arg(AuditLog::kMaxPageSize));
        } else if (value.isEmpty() || value.size() > kMaxFilterLength) {
            return badQuery(QStringLiteral("%1 must be 1 to %2 characters.").arg(key).arg(kMaxFilterLength));
        } else if (key == QLatin1String("actorId")) {
            q.actorId = value;
        } else if (key == QLatin1String("tenantId")) {
            q.tenantId = value;
        } else if (key == QLatin1String("action")) {
            q.action = value;
        } else {
            q.cursor = value;
        }
    }
    auto page = ctx.cloud.audit.query(q);
    if (!page) {
        if (page.error().code == QLatin1String("audit.bad_cursor"))
            return ApiError::badRequest(QStringLiteral("bad-cursor"), page.error().message);
        if (page.error().code == QLatin1String("audit.invalid"))
            return badQuery(page.error().message);
        return ctx.fail(page.error());
    }
    QJsonArray items;
    for (const AuditEvent& e : page->events)
        items.append(AuditLog::toJson(e));
    return HttpResponse::json(
        200,
        QJsonObject{{QStringLiteral("items"), items},
                    {QStringLiteral("nextCursor"),
                     page->nextCursor.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(page->nextCursor)}});
}

} // namespace stint::cloud::api
