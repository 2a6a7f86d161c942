// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/Webhook.h"

#include "models/JsonFields.h"

#include <QJsonArray>

namespace stint::models {

Result<Webhook> Webhook::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("webhook"));
    Webhook w;
    w.id = r.string(QStringLiteral("id"));
    w.url = r.string(QStringLiteral("url"));
    w.description = r.optionalString(QStringLiteral("description"));
    w.eventTypes = r.stringList(QStringLiteral("eventTypes"), true);
    w.enabled = r.boolean(QStringLiteral("enabled"), true);
    w.createdAt = r.optionalTime(QStringLiteral("createdAt")).value_or(0);
    w.updatedAt = r.optionalTime(QStringLiteral("updatedAt")).value_or(w.createdAt);
    w.version = r.optionalInteger(QStringLiteral("version")).value_or(1);
    if (!r.ok())
        return r.error();
    return w;
}

QJsonObject Webhook::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("url"), url},
            {QStringLiteral("description"), description},
            {QStringLiteral("eventTypes"), QJsonArray::fromStringList(eventTypes)},
            {QStringLiteral("enabled"), enabled},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)},
            {QStringLiteral("updatedAt"), toRfc3339(updatedAt)},
            {QStringLiteral("version"), version}};
}

Result<CreatedWebhook> CreatedWebhook::fromJson(const QJsonObject& o)
{
    auto webhook = Webhook::fromJson(o);
    if (!webhook)
        return webhook.error();
    FieldReader r(o, QStringLiteral("webhook"));
    CreatedWebhook created;
    created.secret = crypto::SecretBytes(r.string(QStringLiteral("secret")).toUtf8());
    if (!r.ok())
        return r.error();
    created.webhook = std::move(webhook).value();
    return created;
}

Result<WebhookDelivery> WebhookDelivery::fromJson(const QJsonObject& o)
{
    FieldReader r(o, QStringLiteral("webhook delivery"));
    WebhookDelivery d;
    d.id = r.string(QStringLiteral("id"));
    d.webhookId = r.optionalString(QStringLiteral("webhookId"));
    d.eventId = r.optionalString(QStringLiteral("eventId"));
    d.eventType = r.optionalString(QStringLiteral("eventType"));
    d.status = r.string(QStringLiteral("status"));
    d.attempts = int(r.optionalInteger(QStringLiteral("attempts")).value_or(0));
    d.nextAttemptAt = r.optionalTime(QStringLiteral("nextAttemptAt"));
    d.lastAttemptAt = r.optionalTime(QStringLiteral("lastAttemptAt"));
    d.lastStatus = int(r.optionalInteger(QStringLiteral("lastStatus")).value_or(0));
    d.lastError = r.optionalString(QStringLiteral("lastError"));
    d.createdAt = r.optionalTime(QStringLiteral("createdAt")).value_or(0);
    d.deliveredAt = r.optionalTime(QStringLiteral("deliveredAt"));
    if (!r.ok())
        return r.error();
    return d;
}

} // namespace stint::models
