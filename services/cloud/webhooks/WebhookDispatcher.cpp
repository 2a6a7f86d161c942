// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/webhooks/WebhookDispatcher.h"

#include "cloud/CloudContext.h"
#include "cloud/webhooks/WebhookSignature.h"
#include "cloud/webhooks/WebhookStore.h"
#include "core/Ids.h"
#include "core/Json.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QPointer>
#include <QRandomGenerator>

Q_LOGGING_CATEGORY(lcWebhook, "stint.cloud.webhooks")

namespace stint::cloud::webhooks {

namespace {
constexpr int kBatch = 200;
constexpr qint64 kMaxResponseBytes = 64 * 1024;
const QString kCursor = QStringLiteral("events");

TimeMs backoff(const WebhookConfig& config, int attempts)
{
    const double base = double(config.firstRetrySeconds) * double(1LL << std::min(attempts - 1, 20));
    const double capped = std::min(base, double(config.maxRetrySeconds));
    // ±20 % jitter, so that many failing deliveries do not retry in step.
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    return TimeMs(capped * jitter * 1000.0);
}
} // namespace

WebhookDispatcher::WebhookDispatcher(CloudContext& cloud, QObject* parent)
    : QObject(parent)
    , m_cloud(cloud)
{
    m_nam.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_timer.setInterval(std::max(10, cloud.config.schedulerTickMs));
    connect(&m_timer, &QTimer::timeout, this, &WebhookDispatcher::tick);
}

WebhookDispatcher::~WebhookDispatcher()
{
    // Replies still open are aborted without being recorded: their deliveries stay pending and are sent again.
    const auto replies = m_nam.findChildren<QNetworkReply*>();
    for (QNetworkReply* reply : replies) {
        reply->disconnect(this);
        reply->abort();
    }
}

void WebhookDispatcher::start()
{
    m_timer.start();
    QTimer::singleShot(0, this, &WebhookDispatcher::tick);
}

void WebhookDispatcher::tick()
{
    enqueueNewEvents();
    sendDue();
}

void WebhookDispatcher::enqueueNewEvents()
{
    store::Database& db = m_cloud.db;
    store::Transaction tx(db);
    if (!tx.started())
        return;
    auto cursor = db.query(QStringLiteral("SELECT seq FROM webhook_cursor WHERE id = ?"), {kCursor});
    if (!cursor)
        return;
    if (cursor->empty()) {
        // First start: webhooks begin with what happens from now on.
        auto head = db.query(QStringLiteral("SELECT MAX(seq) FROM events"));
        if (!head)
            return;
        const qint64 seq = head->front().isNull(0) ? 0 : head->front().integer(0);
        if (db.exec(QStringLiteral("INSERT INTO webhook_cursor (id, seq) VALUES (?, ?)"), {kCursor, seq}))
            (void)tx.commit();
        return;
    }
    const qint64 after = cursor->front().integer(0);
    auto events = db.query(QStringLiteral("SELECT seq, org_id, type, payload, created_at FROM events WHERE seq > ?"
                                          " ORDER BY seq LIMIT ?"),
                           {after, qint64(kBatch)});
    if (!events || events->empty())
        return;
    auto hooks = enabledWebhooks(db);
    if (!hooks)
        return;
    const TimeMs now = m_cloud.clock.now();
    qint64 last = after;
    for (const store::Row& e : *events) {
        last = e.integer(0);
        const QString type = e.text(2);
        if (!kWebhookEventTypes.contains(type))
            continue;
        const QString orgId = e.text(1);
        const TimeMs occurredAt = e.integer(4);
        const QString eventId = QStringLiteral("evt_%1").arg(last);
        QByteArray body;
        for (const Webhook& w : *hooks) {
            if (w.orgId != orgId || !w.wants(type) || occurredAt < w.createdAt)
                continue;
            if (body.isEmpty()) {
                const QJsonObject data = QJsonDocument::fromJson(e.text(3).toUtf8()).object();
                body = json::compact({{QStringLiteral("id"), eventId},
                                      {QStringLiteral("type"), type},
                                      {QStringLiteral("occurredAt"), toRfc3339(occurredAt)},
                                      {QStringLiteral("organizationId"), orgId},
                                      {QStringLiteral("data"), data}});
            }
            Delivery d;
            d.id = ids::newId(u"whd");
            d.webhookId = w.id;
            d.orgId = orgId;
            d.eventId = eventId;
            d.eventType = type;
            d.body = body;
            d.status = QStringLiteral("pending");
            d.nextAttemptAt = now;
            d.createdAt = now;
            if (auto inserted = insertDelivery(db, d); !inserted) {
                qCWarning(lcWebhook) << "queueing a delivery failed:" << inserted.error().code;
                return;
            }
        }
    }
    if (!db.exec(QStringLiteral("UPDATE webhook_cursor SET seq = ? WHERE id = ?"), {last, kCursor}))
        return;
    if (auto committed = tx.commit(); !committed)
        qCWarning(lcWebhook) << "queueing deliveries failed:" << committed.error().code;
}

void WebhookDispatcher::sendDue()
{
    const TimeMs now = m_cloud.clock.now();
    auto due = dueDeliveries(m_cloud.db, now, kBatch);
    if (!due)
        return;
    QPointer<WebhookDispatcher> self(this);
    for (const Delivery& d : *due) {
        if (m_inFlight.contains(d.id))
            continue;
        auto hook = loadWebhook(m_cloud.db, d.orgId, d.webhookId);
        if (!hook || !hook->has_value() || !(*hook)->enabled)
            continue;
        auto secret = webhookSecret(m_cloud.db, m_cloud.connectionsKey, d.webhookId);
        if (!secret) {
            qCWarning(lcWebhook) << "cannot unseal the secret of" << d.webhookId << secret.error().code;
            continue;
        }
        QNetworkRequest request{QUrl((*hook)->url)};
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("User-Agent", "Stint-Webhooks/1");
        request.setRawHeader("Stint-Event-Id", d.eventId.toUtf8());
        request.setRawHeader("Stint-Delivery-Id", d.id.toUtf8());
        request.setRawHeader("Stint-Signature", signatureHeader(secret->bytes(), now / 1000, d.body));
        request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
        request.setTransferTimeout(std::max(1, m_cloud.config.webhooks.timeoutSeconds) * 1000);
        m_inFlight.insert(d.id);
        QNetworkReply* reply = m_nam.post(request, d.body);
        connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
            if (received > kMaxResponseBytes)
                reply->abort();
        });
        connect(reply, &QNetworkReply::finished, this, [self, reply, sent = d]() {
            reply->deleteLater();
            Delivery d = sent;
            if (!self)
                return;
            self->m_inFlight.remove(d.id);
            const QVariant code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
            const TimeMs at = self->m_cloud.clock.now();
            d.attempts += 1;
            d.lastAttemptAt = at;
            d.lastStatus = code.isValid() ? std::optional<int>(code.toInt()) : std::nullopt;
            const bool ok = code.isValid() && code.toInt() >= 200 && code.toInt() < 300;
            if (ok) {
                d.status = QStringLiteral("delivered");
                d.deliveredAt = at;
                d.nextAttemptAt.reset();
                d.lastError.clear();
            } else {
                d.lastError = code.isValid() ? QStringLiteral("HTTP %1").arg(code.toInt())
                                             : reply->errorString().left(200);
                if (d.attempts >= self->m_cloud.config.webhooks.maxAttempts) {
                    d.status = QStringLiteral("dead");
                    d.nextAttemptAt.reset();
                    qCWarning(lcWebhook) << "delivery" << d.id << "is a dead letter after" << d.attempts << "attempts";
                } else {
                    d.nextAttemptAt = at + backoff(self->m_cloud.config.webhooks, d.attempts);
                }
            }
            if (auto saved = saveDeliveryAttempt(self->m_cloud.db, d); !saved)
                qCWarning(lcWebhook) << "recording a delivery attempt failed:" << saved.error().code;
        });
    }
}

} // namespace stint::cloud::webhooks
