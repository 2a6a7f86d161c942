// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/webhooks/WebhookStore.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace stint::cloud::webhooks {

std::optional<QString> webhookUrlProblem(const QString& text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return QStringLiteral("must be an absolute URL");
    if (!url.userInfo().isEmpty() || url.hasFragment())
        return QStringLiteral("must not carry user info or a fragment");
    if (url.scheme() == QLatin1String("https"))
        return std::nullopt;
    if (url.scheme() == QLatin1String("http")) {
        const QHostAddress address(url.host());
        if (url.host() == QLatin1String("localhost") || (!address.isNull() && address.isLoopback()))
            return std::nullopt;
        return QStringLiteral("must use https (http only to a loopback address)");
    }
    return QStringLiteral("must be an https URL");
}

namespace {
const QString kWebhookColumns =
    QStringLiteral("id, org_id, url, description, event_types, enabled, created_at, updated_at, version");
const QString kDeliveryColumns =
    QStringLiteral("id, webhook_id, org_id, event_id, event_type, body, status, attempts, next_attempt_at,"
                   " last_attempt_at, last_status, last_error, created_at, delivered_at");

std::optional<TimeMs> optionalTime(const store::Row& r, int i)
{
    return r.isNull(i) ? std::nullopt : std::optional<TimeMs>(r.integer(i));
}

store::Value value(std::optional<qint64> v)
{
    return v ? store::Value(*v) : store::Value(nullptr);
}

QJsonValue timeJson(std::optional<TimeMs> t)
{
    return t ? QJsonValue(toRfc3339(*t)) : QJsonValue();
}

Webhook webhookFromRow(const store::Row& r)
{
    Webhook w;
    w.id = r.text(0);
    w.orgId = r.text(1);
    w.url = r.text(2);
    w.description = r.text(3);
    for (const QJsonValue& v : QJsonDocument::fromJson(r.text(4).toUtf8()).array())
        w.eventTypes << v.toString();
    w.enabled = r.integer(5) != 0;
    w.createdAt = r.integer(6);
    w.updatedAt = r.integer(7);
    w.version = r.integer(8);
    return w;
}

Delivery deliveryFromRow(const store::Row& r)
{
    Delivery d;
    d.id = r.text(0);
    d.webhookId = r.text(1);
    d.orgId = r.text(2);
    d.eventId = r.text(3);
    d.eventType = r.text(4);
    d.body = r.text(5).toUtf8();
    d.status = r.text(6);
    d.attempts = int(r.integer(7));
    d.nextAttemptAt = optionalTime(r, 8);
    d.lastAttemptAt = optionalTime(r, 9);
    if (!r.isNull(10))
        d.lastStatus = int(r.integer(10));
    d.lastError = r.text(11);
    d.createdAt = r.integer(12);
    d.deliveredAt = optionalTime(r, 13);
    return d;
}

QString typesText(const QStringList& types)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(types)).toJson(QJsonDocument::Compact));
}

Result<QList<Webhook>> webhooks(store::Database& db, const QString& where, const store::Params& params)
{
    auto rows = db.query(QStringLiteral("SELECT %1 FROM webhooks WHERE %2 ORDER BY id").arg(kWebhookColumns, where),
                         params);
    if (!rows)
        return rows.error();
    QList<Webhook> out;
    for (const store::Row& r : *rows)
        out.append(webhookFromRow(r));
    return out;
}

Result<QList<Delivery>> deliveries(store::Database& db, const QString& where, const store::Params& params)
{
    auto rows = db.query(QStringLiteral("SELECT %1 FROM webhook_deliveries WHERE %2").arg(kDeliveryColumns, where),
                         params);
    if (!rows)
        return rows.error();
    QList<Delivery> out;
    for (const store::Row& r : *rows)
        out.append(deliveryFromRow(r));
    return out;
}
} // namespace

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

QJsonObject Delivery::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("webhookId"), webhookId},
            {QStringLiteral("eventId"), eventId},
            {QStringLiteral("eventType"), eventType},
            {QStringLiteral("status"), status},
            {QStringLiteral("attempts"), attempts},
            {QStringLiteral("nextAttemptAt"), timeJson(nextAttemptAt)},
            {QStringLiteral("lastAttemptAt"), timeJson(lastAttemptAt)},
            {QStringLiteral("lastStatus"), lastStatus ? QJsonValue(*lastStatus) : QJsonValue()},
            {QStringLiteral("lastError"), lastError},
            {QStringLiteral("createdAt"), toRfc3339(createdAt)},
            {QStringLiteral("deliveredAt"), timeJson(deliveredAt)}};
}

Result<std::optional<Webhook>> loadWebhook(store::Database& db, const QString& orgId, const QString& id)
{
    auto list = webhooks(db, QStringLiteral("id = ? AND org_id = ?"), {id, orgId});
    if (!list)
        return list.error();
    return list->isEmpty() ? std::optional<Webhook>() : std::optional<Webhook>(list->first());
}

Result<QList<Webhook>> loadWebhooks(store::Database& db, const QString& orgId)
{
    return webhooks(db, QStringLiteral("org_id = ?"), {orgId});
}

Result<QList<Webhook>> enabledWebhooks(store::Database& db)
{
    return webhooks(db, QStringLiteral("enabled = 1"), {});
}

Result<void> insertWebhook(store::Database& db, const Webhook& w, const QByteArray& sealedSecret)
{
    return db.exec(QStringLiteral("INSERT INTO webhooks (id, org_id, url, description, event_types, enabled,"
                                  " sealed_secret, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                   {w.id, w.orgId, w.url, w.description, typesText(w.eventTypes), qint64(w.enabled ? 1 : 0),
                    sealedSecret, w.createdAt, w.updatedAt, w.version});
}

Result<bool> saveWebhook(store::Database& db, const Webhook& w, qint64 expectedVersion)
{
    auto n = db.execCount(QStringLiteral("UPDATE webhooks SET url = ?, description = ?, event_types = ?, enabled = ?,"
                                         " updated_at = ?, version = ? WHERE id = ? AND org_id = ? AND version = ?"),
                          {w.url, w.description, typesText(w.eventTypes), qint64(w.enabled ? 1 : 0), w.updatedAt,
                           w.version, w.id, w.orgId, expectedVersion});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<bool> removeWebhook(store::Database& db, const QString& orgId, const QString& id)
{
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM webhook_deliveries WHERE webhook_id = ? AND org_id = ?"), {id, orgId}));
    auto n = db.execCount(QStringLiteral("DELETE FROM webhooks WHERE id = ? AND org_id = ?"), {id, orgId});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<crypto::SecretBytes> webhookSecret(store::Database& db, const crypto::SecretBytes& key, const QString& id)
{
    auto rows = db.query(QStringLiteral("SELECT sealed_secret FROM webhooks WHERE id = ?"), {id});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return makeError(QStringLiteral("webhook.not_found"), QStringLiteral("no such webhook"));
    return crypto::open(key, rows->front().blob(0), QByteArray("webhook:") + id.toUtf8());
}

Result<void> insertDelivery(store::Database& db, const Delivery& d)
{
    return db.exec(QStringLiteral("INSERT INTO webhook_deliveries (id, webhook_id, org_id, event_id, event_type, body,"
                                  " status, attempts, next_attempt_at, last_error, created_at)"
                                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)"),
                   {d.id, d.webhookId, d.orgId, d.eventId, d.eventType, QString::fromUtf8(d.body), d.status,
                    qint64(d.attempts), value(d.nextAttemptAt), d.createdAt});
}

Result<std::optional<Delivery>> loadDelivery(store::Database& db, const QString& orgId, const QString& webhookId,
                                             const QString& id)
{
    auto list = deliveries(db, QStringLiteral("id = ? AND webhook_id = ? AND org_id = ?"), {id, webhookId, orgId});
    if (!list)
        return list.error();
    return list->isEmpty() ? std::optional<Delivery>() : std::optional<Delivery>(list->first());
}

Result<QList<Delivery>> loadDeliveries(store::Database& db, const QString& orgId, const QString& webhookId,
                                       const QString& status, const QString& afterId, int limit)
{
    QString where = QStringLiteral("webhook_id = ? AND org_id = ? AND id > ?");
    store::Params params{webhookId, orgId, afterId};
    if (!status.isEmpty()) {
        where += QStringLiteral(" AND status = ?");
        params << status;
    }
    where += QStringLiteral(" ORDER BY id LIMIT ?");
    params << qint64(limit);
    return deliveries(db, where, params);
}

Result<QList<Delivery>> dueDeliveries(store::Database& db, TimeMs now, int limit)
{
    return deliveries(db, QStringLiteral("status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?"),
                      {now, qint64(limit)});
}

Result<void> saveDeliveryAttempt(store::Database& db, const Delivery& d)
{
    return db.exec(QStringLiteral("UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?,"
                                  " last_attempt_at = ?, last_status = ?, last_error = ?, delivered_at = ? WHERE id = ?"),
                   {d.status, qint64(d.attempts), value(d.nextAttemptAt), value(d.lastAttemptAt),
                    d.lastStatus ? store::Value(qint64(*d.lastStatus)) : store::Value(nullptr), d.lastError,
                    value(d.deliveredAt), d.id});
}

} // namespace stint::cloud::webhooks
