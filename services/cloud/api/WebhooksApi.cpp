// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/api/WebhooksApi.h"

#include "cloud/events/EventHub.h"
#include "cloud/http/Pagination.h"
#include "cloud/http/RequestContext.h"
#include "cloud/webhooks/WebhookStore.h"
#include "core/Ids.h"

#include <QJsonArray>

namespace stint::cloud::api {

namespace {
constexpr int kMaxWebhooksPerOrganization = 20;

std::optional<webhooks::Webhook> visibleWebhook(RequestContext& ctx, ApiError* error)
{
    *error = ApiError::notFound(QStringLiteral("webhook"));
    const QString id = ctx.param(QStringLiteral("webhookId"));
    if (!ids::isValidId(id, u"whk"))
        return std::nullopt;
    auto hook = webhooks::loadWebhook(ctx.cloud.db, ctx.caller.orgId, id);
    if (!hook) {
        *error = ctx.fail(hook.error());
        return std::nullopt;
    }
    return *hook;
}

// Reads the admin-set fields over `w`.
void readFields(json::ObjectReader& r, webhooks::Webhook& w, bool creating)
{
    const auto url = creating ? std::optional<QString>(r.requiredString(QStringLiteral("url"), 2000))
                              : r.optionalString(QStringLiteral("url"), 2000, 1);
    if (url && !url->isEmpty()) {
        if (auto why = webhooks::webhookUrlProblem(*url))
            r.fail(QStringLiteral("url"), *why);
        w.url = *url;
    }
    if (auto d = r.optionalText(QStringLiteral("description"), 500, 0, json::TextLines::Many))
        w.description = d->trimmed();
    if (auto types = r.optionalStringList(QStringLiteral("eventTypes"), 10, 64)) {
        for (const QString& t : *types) {
            if (!webhooks::kWebhookEventTypes.contains(t))
                r.fail(QStringLiteral("eventTypes"), QStringLiteral("unknown event type %1 (known: %2)")
                                                         .arg(t, webhooks::kWebhookEventTypes.join(QStringLiteral(", "))));
        }
        types->removeDuplicates();
        w.eventTypes = *types;
    }
    if (auto enabled = r.optionalBool(QStringLiteral("enabled")))
        w.enabled = *enabled;
}

bool audit(RequestContext& ctx, const QString& action, const webhooks::Webhook& w)
{
    AuditEvent e = ctx.auditEvent(action);
    e.targetType = QStringLiteral("webhook");
    e.targetId = w.id;
    e.details = {{QStringLiteral("url"), w.url},
                 {QStringLiteral("eventTypes"), QJsonArray::fromStringList(w.eventTypes)},
                 {QStringLiteral("enabled"), w.enabled}};
    return ctx.audit(e);
}
} // namespace

Reply listWebhooks(RequestContext& ctx)
{
    auto hooks = webhooks::loadWebhooks(ctx.cloud.db, ctx.caller.orgId);
    if (!hooks)
        return ctx.fail(hooks.error());
    QJsonArray items;
    for (const webhooks::Webhook& w : *hooks)
        items.append(w.toJson());
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("items"), items},
                                               {QStringLiteral("nextCursor"), QJsonValue()}});
}

Reply createWebhook(RequestContext& ctx)
{
    auto body = ctx.jsonBody();
    if (!body)
        return ApiError::fromError(body.error());
    json::ObjectReader r(*body);
    webhooks::Webhook w;
    readFields(r, w, true);
    if (auto ok = r.finish(); !ok)
        return ApiError::fromError(ok.error());
    auto existing = webhooks::loadWebhooks(ctx.cloud.db, ctx.caller.orgId);
    if (!existing)
        return ctx.fail(existing.error());
    if (existing->size() >= kMaxWebhooksPerOrganization)
        return ApiError::conflict(QStringLiteral("too-many-webhooks"),
                                  QStringLiteral("An organization has at most %1 webhooks.")
                                      .arg(kMaxWebhooksPerOrganization));
    w.id = ids::newId(u"whk");
    w.orgId = ctx.caller.orgId;
    w.createdAt = w.updatedAt = ctx.cloud.clock.now();
    QByteArray secret = "whsec_" + crypto::base64UrlEncode(crypto::randomBytes(32));
    auto sealed = crypto::seal(ctx.cloud.connectionsKey, secret, QByteArray("webhook:") + w.id.toUtf8());
    if (!sealed) {
        crypto::wipe(secret);
        return ctx.fail(sealed.error());
    }
    if (auto inserted = webhooks::insertWebhook(ctx.cloud.db, w, *sealed); !inserted) {
        crypto::wipe(secret);
        return ctx.fail(inserted.error());
    }
    if (!audit(ctx, QStringLiteral("webhook.create"), w)) {
        crypto::wipe(secret);
        return ApiError::internal();
    }
    QJsonObject out = w.toJson();
    // Shown this once; Stint keeps it sealed and never returns it again.
    out.insert(QStringLiteral("secret"), QString::fromLatin1(secret));
    crypto::wipe(secret);
    return HttpResponse::json(201, out);
}

Reply getWebhook(RequestContext& ctx)
{
    ApiError error;
    auto w = visibleWebhook(ctx, &error);
    if (!w)
        return error;
    return HttpResponse::json(200, w->toJson());
}

Reply updateWebhook(RequestContext& ctx)
{
    ApiError error;
    auto stored = visibleWebhook(ctx, &error);
    if (!stored)
        return error;
    auto body = ctx.jsonBody();
    if (!body)
        return ApiError::fromError(body.error());
    json::ObjectReader r(*body);
    webhooks::Webhook w = *stored;
    readFields(r, w, false);
    if (auto ok = r.finish(); !ok)
        return ApiError::fromError(ok.error());
    w.updatedAt = ctx.cloud.clock.now();
    w.version = stored->version + 1;
    auto saved = webhooks::saveWebhook(ctx.cloud.db, w, stored->version);
    if (!saved)
        return ctx.fail(saved.error());
    if (!*saved)
        return ApiError::conflict(QStringLiteral("version-conflict"), QStringLiteral("The webhook changed meanwhile."));
    if (!audit(ctx, QStringLiteral("webhook.update"), w))
        return ApiError::internal();
    return HttpResponse::json(200, w.toJson());
}

Reply deleteWebhook(RequestContext& ctx)
{
    ApiError error;
    auto w = visibleWebhook(ctx, &error);
    if (!w)
        return error;
    auto removed = webhooks::removeWebhook(ctx.cloud.db, w->orgId, w->id);
    if (!removed)
        return ctx.fail(removed.error());
    if (!audit(ctx, QStringLiteral("webhook.delete"), *w))
        return ApiError::internal();
    return HttpResponse::noContent();
}

Reply listDeliveries(RequestContext& ctx)
{
    ApiError error;
    auto w = visibleWebhook(ctx, &error);
    if (!w)
        return error;
    auto page = readPageRequest(ctx, {QStringLiteral("status")});
    if (auto* e = std::get_if<ApiError>(&page))
        return *e;
    const PageRequest& pr = std::get<PageRequest>(page);
    const QString status = ctx.request.query.queryItemValue(QStringLiteral("status"));
    if (!status.isEmpty() && status != QLatin1String("pending") && status != QLatin1String("delivered")
        && status != QLatin1String("dead"))
        return ApiError::badRequest(QStringLiteral("invalid-query"),
                                    QStringLiteral("status is one of pending, delivered, dead."));
    auto list = webhooks::loadDeliveries(ctx.cloud.db, w->orgId, w->id, status, pr.afterId, pr.limit + 1);
    if (!list)
        return ctx.fail(list.error());
    QList<PageItem> items;
    for (const webhooks::Delivery& d : *list)
        items.append({d.id, d.toJson()});
    return pageResponse(items, pr);
}

Reply redeliver(RequestContext& ctx)
{
    ApiError error;
    auto w = visibleWebhook(ctx, &error);
    if (!w)
        return error;
    const QString id = ctx.param(QStringLiteral("deliveryId"));
    if (!ids::isValidId(id, u"whd"))
        return ApiError::notFound(QStringLiteral("delivery"));
    auto d = webhooks::loadDelivery(ctx.cloud.db, w->orgId, w->id, id);
    if (!d)
        return ctx.fail(d.error());
    if (!d->has_value())
        return ApiError::notFound(QStringLiteral("delivery"));
    webhooks::Delivery delivery = **d;
    if (delivery.status == QLatin1String("pending"))
        return ApiError::conflict(QStringLiteral("delivery-pending"),
                                  QStringLiteral("The delivery is still being attempted."));
    // A new round of attempts; the history of the last one stays in lastStatus and lastError until the next.
    delivery.status = QStringLiteral("pending");
    delivery.attempts = 0;
    delivery.nextAttemptAt = ctx.cloud.clock.now();
    delivery.deliveredAt.reset();
    if (auto saved = webhooks::saveDeliveryAttempt(ctx.cloud.db, delivery); !saved)
        return ctx.fail(saved.error());
    AuditEvent e = ctx.auditEvent(QStringLiteral("webhook.redeliver"));
    e.targetType = QStringLiteral("webhook");
    e.targetId = w->id;
    e.details = {{QStringLiteral("deliveryId"), id}, {QStringLiteral("eventId"), delivery.eventId}};
    if (!ctx.audit(e))
        return ApiError::internal();
    return HttpResponse::json(202, delivery.toJson());
}

} // namespace stint::cloud::api
