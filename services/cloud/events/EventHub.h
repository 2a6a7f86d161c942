// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/authn/Caller.h"
#include "core/Clock.h"
#include "store/Database.h"

#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>
#include <vector>

class QWebSocket;

namespace stint::cloud {

class Sessions;
class Metrics;

// The live event channel (/v1/events). Every event is first a row in the `events` table, written in the same
// transaction as the change it describes, with a global increasing sequence number; connected clients get it after
// the commit. A client that reconnects says the last sequence number it saw and gets everything after it that it may
// see, then the live stream: nothing missed, nothing repeated.
//
// Wire protocol (JSON text frames):
//   client → {"type":"hello","token":"<session token>","since":<seq, 0 for none>}   (within 10 s of connecting)
//   server → {"type":"ready","head":<current seq>}  after the backlog
//   server → {"type":"event","seq":N,"event":"checkout.updated","at":"<RFC 3339>","data":{…}}
//   server → {"type":"reset","head":N}  when `since` is older than what is retained: refetch, then resume from head
//   server → {"type":"error","code":"…","message":"…"} then close, on a bad hello or an ended session
class EventHub : public QObject
{
    Q_OBJECT
public:
    // Who may see an event: every member of the organization, its admins, or one person. Combine with '|'.
    static QString audienceOrg() { return QStringLiteral("org"); }
    static QString audienceAdmins() { return QStringLiteral("admins"); }
    static QString audiencePerson(const QString& personId) { return QStringLiteral("person:") + personId; }
    static bool visibleTo(const Caller& caller, const QString& orgId, const QString& audience);

    EventHub(store::Database& db, const Clock& clock, Sessions& sessions, Metrics& metrics, QObject* parent = nullptr);
    ~EventHub() override;

    Result<void> init();
    qint64 head() const { return m_head; }
    int clientCount() const { return int(m_clients.size()); }

    // Records an event in the caller's (open) transaction; it is sent once flushPending() runs after the commit.
    // Refuses (kAudienceRefused, EventAudience.h) a type not in eventTypes() or an audience wider than it allows.
    Result<qint64> publish(const QString& orgId, const QString& audience, const QString& type, const QJsonObject& data);
    void flushPending();
    void discardPending();
    // What flushPending() hands the sending to, if set: the HTTP server's group commit, so that an event goes out
    // once the change it tells of is committed and on disk (with batched commits, a released transaction is neither
    // yet), in the order the changes were made. Unset: at once.
    using DeliveryGate = std::function<void(std::function<void()> send)>;
    void setDeliveryGate(DeliveryGate gate) { m_gate = std::move(gate); }

    // Forgets events created before `cutoff` (done hourly for those older than a week). A client that comes back
    // from before the oldest kept event is told to reset.
    Result<qint64> pruneOlderThan(TimeMs cutoff);

    void accept(std::unique_ptr<QWebSocket> socket);
    // Closes the channels of ended sessions at once (sign-out, revocation) instead of at the next check.
    void closeSessions(const QStringList& sessionIds);
    void closePerson(const QString& personId);

private:
    struct Client;
    struct Event
    {
        qint64 seq;
        QString orgId, audience, type;
        QByteArray payload;
        TimeMs createdAt;
    };
    void onHello(Client* client, const QString& message);
    void sendEvent(Client* client, const Event& event);
    void drop(Client* client, const QString& code, const QString& message);
    void revalidate();
    void remove(Client* client);
    void deliver(const std::vector<Event>& events);

    store::Database& m_db;
    const Clock& m_clock;
    Sessions& m_sessions;
    Metrics& m_metrics;
    qint64 m_head = 0;
    std::vector<Event> m_pending;
    DeliveryGate m_gate;
    std::vector<std::unique_ptr<Client>> m_clients;
    QTimer m_revalidateTimer;
    QTimer m_pruneTimer;
};

} // namespace stint::cloud
