// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QNetworkAccessManager>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace stint::cloud {
struct CloudContext;
}

namespace stint::cloud::webhooks {

// Delivers webhooks. The outbox is the live event stream itself: every event is already a row of `events` written in
// the transaction of the change it describes, so reading it after a stored cursor (webhook_cursor) loses nothing, also
// across restarts. Each event a webhook subscribes to becomes a webhook_deliveries row (in the same transaction that
// moves the cursor), sent by POST on this thread with exponential backoff and jitter, until it is delivered or,
// after WebhookConfig::maxAttempts, a dead letter. Redirects are never followed; responses are not read beyond 64 KiB.
class WebhookDispatcher : public QObject
{
    Q_OBJECT
public:
    explicit WebhookDispatcher(CloudContext& cloud, QObject* parent = nullptr);
    ~WebhookDispatcher() override;

    void start();
    void tick();
    int inFlight() const { return int(m_inFlight.size()); }

private:
    void enqueueNewEvents();
    void sendDue();

    CloudContext& m_cloud;
    QTimer m_timer;
    QNetworkAccessManager m_nam;
    QSet<QString> m_inFlight;
};

} // namespace stint::cloud::webhooks
