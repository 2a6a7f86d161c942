// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

// Webhooks as the API shows them (/v1/webhooks): where Stint posts checkout, alert and connection events, and how
// each delivery went. The desktop side's reading of the cloud's JSON; the cloud writes it in cloud/webhooks/.
namespace stint::models {

inline const QStringList kWebhookEventTypes{QStringLiteral("checkout.updated"), QStringLiteral("alert.raised"),
                                            QStringLiteral("tenant.connection")};

struct Webhook
{
    QString id;
    QString url;
    QString description;
    QStringList eventTypes; // empty: all
    bool enabled = true;
    TimeMs createdAt = 0;
    TimeMs updatedAt = 0;
    qint64 version = 1;

    static Result<Webhook> fromJson(const QJsonObject& o);
    QJsonObject toJson() const;
};

// The answer to POST /v1/webhooks: the webhook and its signing secret, shown this once.
struct CreatedWebhook
{
    Webhook webhook;
    crypto::SecretBytes secret;

    static Result<CreatedWebhook> fromJson(const QJsonObject& o);
};

struct WebhookDelivery
{
    QString id;
    QString webhookId;
    QString eventId;
    QString eventType;
    QString status; // pending | delivered | dead
    int attempts = 0;
    std::optional<TimeMs> nextAttemptAt;
    std::optional<TimeMs> lastAttemptAt;
    int lastStatus = 0;
    QString lastError;
    TimeMs createdAt = 0;
    std::optional<TimeMs> deliveredAt;

    static Result<WebhookDelivery> fromJson(const QJsonObject& o);
};

} // namespace stint::models
