// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "store/Database.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

// Webhooks an organization's admins configured, and their durable delivery queue. The signing secret is sealed
// (connections key, AAD "webhook:<id>") and never read back through the API.
namespace stint::cloud::webhooks {

// The event types a webhook can subscribe to (every checkout transition, every alert, connection changes).
inline const QStringList kWebhookEventTypes{QStringLiteral("checkout.updated"), QStringLiteral("alert.raised"),
                                            QStringLiteral("tenant.connection")};

struct Webhook
{
    QString id;
    QString orgId;
    QString url;
    QString description;
    QStringList eventTypes; // empty: all of kWebhookEventTypes
    bool enabled = true;
    TimeMs createdAt = 0;
    TimeMs updatedAt = 0;
    qint64 version = 1;

    bool wants(const QString& type) const { return eventTypes.isEmpty() || eventTypes.contains(type); }
    QJsonObject toJson() const;
};

// A webhook URL: https, or http only to a loopback address. The reason when not.
std::optional<QString> webhookUrlProblem(const QString& url);

struct Delivery
{
    QString id;
    QString webhookId;
    QString orgId;
    QString eventId;
    QString eventType;
    QByteArray body;
    QString status; // pending | delivered | dead
    int attempts = 0;
    std::optional<TimeMs> nextAttemptAt;
    std::optional<TimeMs> lastAttemptAt;
    std::optional<int> lastStatus;
    QString lastError;
    TimeMs createdAt = 0;
    std::optional<TimeMs> deliveredAt;

    QJsonObject toJson() const;
};

Result<std::optional<Webhook>> loadWebhook(store::Database& db, const QString& orgId, const QString& id);
Result<QList<Webhook>> loadWebhooks(store::Database& db, const QString& orgId);
Result<QList<Webhook>> enabledWebhooks(store::Database& db);
Result<void> insertWebhook(store::Database& db, const Webhook& w, const QByteArray& sealedSecret);
Result<bool> saveWebhook(store::Database& db, const Webhook& w, qint64 expectedVersion);
Result<bool> removeWebhook(store::Database& db, const QString& orgId, const QString& id);
// The signing secret, unsealed.
Result<crypto::SecretBytes> webhookSecret(store::Database& db, const crypto::SecretBytes& key, const QString& id);

Result<void> insertDelivery(store::Database& db, const Delivery& d);
Result<std::optional<Delivery>> loadDelivery(store::Database& db, const QString& orgId, const QString& webhookId,
                                             const QString& id);
Result<QList<Delivery>> loadDeliveries(store::Database& db, const QString& orgId, const QString& webhookId,
                                       const QString& status, const QString& afterId, int limit);
Result<QList<Delivery>> dueDeliveries(store::Database& db, TimeMs now, int limit);
Result<void> saveDeliveryAttempt(store::Database& db, const Delivery& d);

} // namespace stint::cloud::webhooks
