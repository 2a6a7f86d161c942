// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "client/EventChannel.h"
#include "client/Replica.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

// The signed-in person's live view of their organization: what the technician and admin views show, kept current.
//
// It starts from the local replica (shown at once, marked as cached), opens the live channel with the last sequence
// number it applied, and catches up from the backlog — or refetches everything when the backlog is gone (`reset`) or
// there is no replica. Every object arrives as a full snapshot (REST answer or live event) and replaces the one held,
// in sequence order; every change is written through to the replica. While the cloud cannot be reached it says so
// (link() is Offline, with the next retry time), keeps everything it has, and retries with capped exponential backoff
// and jitter. A session that ends (401, or the channel's session_ended) stops it and emits sessionEnded(): the app
// goes back to sign-in and keeps the screen the person was on.
//
// Times: serverNow() is this machine's clock corrected by the service's Date header, so that a countdown to a
// checkout's expiresAt is right even when the local clock is off.
namespace stint::client {

class Workspace : public QObject
{
    Q_OBJECT
public:
    enum class Kind
    {
        Me,
        Tenants,
        Checkouts,
        People,
        Groups,
        Policies,
        Invites,
        Webhooks,
        Connections,
        Alerts,
    };
    Q_ENUM(Kind)

    enum class Link
    {
        Offline,    // not reached; retrying at nextRetryAt()
        Connecting, // reaching the service / catching up
        Live,       // caught up, live events flowing
    };
    Q_ENUM(Link)

    // Something an admin should look at: a revocation that could not be confirmed, drift found by reconciliation, a
    // connection that became unhealthy. Built from the live channel's alert.raised and from the state at start-up.
    struct Alert
    {
        QString id;     // stable: kind + subject, so the same problem is one alert
        QString kind;   // "revoke_failed" | "drift" | "connection"
        QString tenantId;
        QString checkoutId;
        QString message;
        TimeMs raisedAt = 0;
        bool acknowledged = false;

        QJsonObject toJson() const;
        static Alert fromJson(const QJsonObject& o);
    };

    Workspace(CloudApi& api, EventChannel& channel, const Clock& clock, QObject* parent = nullptr);
    ~Workspace() override;

    // The replica to start from and write through to (optional; owned by the caller, must outlive start/stop).
    void setReplica(Replica* replica) { m_replica = replica; }

    // Shows the replica's state, then connects with `token` (already given to the API's transport).
    void start(const crypto::SecretBytes& token);
    // Stops syncing (sign-out, session ended); the state stays until clear().
    void stop();
    // Forgets all state (and the replica's content).
    void clear();
    // Refetches everything now (the "Retry" button; also after a reset).
    void refresh();

    CloudApi& api() { return m_api; }

    // --- state ---
    const std::optional<models::Me>& me() const { return m_me; }
    bool isAdmin() const { return m_me && m_me->isAdmin(); }
    QList<models::Tenant> tenants() const; // by name
    const models::Tenant* tenant(const QString& id) const;
    QList<models::Checkout> checkouts() const; // newest first: one's own (technicians); open ones and one's own (admins)
    const models::Checkout* checkout(const QString& id) const;
    QList<models::Checkout> myLiveCheckouts() const;   // mine, not over and not waiting
    QList<models::Checkout> approvalsWaiting() const;  // admins: awaiting approval, oldest first
    QList<models::Checkout> liveCheckouts() const;     // admins: every live checkout of the organization
    QList<models::Person> people() const;
    const models::Person* person(const QString& id) const;
    // "Ada Lovelace" for a known person, the id otherwise (technicians do not see the people list).
    QString personName(const QString& id) const;
    QList<models::Group> groups() const;
    QList<models::Policy> policies() const;
    QList<models::Invite> invites() const;
    QList<models::Webhook> webhooks() const;
    const models::ConnectionState* connection(const QString& tenantId) const;
    Call<models::ConnectionState> refreshConnection(const QString& tenantId);
    QList<Alert> alerts() const; // newest first
    int unacknowledgedAlerts() const;
    void acknowledgeAlert(const QString& id);

    Link link() const { return m_link; }
    // Why the link is what it is, for people ("Offline: the service cannot be reached (Connection refused).").
    QString linkDetail() const { return m_linkDetail; }
    TimeMs nextRetryAt() const { return m_nextRetryAt; }
    TimeMs lastSyncedAt() const { return m_lastSyncedAt; }
    // True while what is shown came from the replica and has not been confirmed by the service yet.
    bool showingCachedState() const { return m_showingCache; }
    TimeMs serverNow() const;
    qint64 lastSeq() const { return m_lastSeq; }

    // --- absorbing answers ---
    // Actions return the changed object; tracking the call puts it into the state at once, before the live channel
    // confirms it (which then changes nothing).
    Call<models::Checkout> track(Call<models::Checkout> call);
    Call<models::Tenant> track(Call<models::Tenant> call);
    Call<models::Policy> track(Call<models::Policy> call);
    Call<models::Group> track(Call<models::Group> call);
    Call<models::Person> track(Call<models::Person> call);
    Call<models::Invite> track(Call<models::Invite> call);
    Call<models::Webhook> track(Call<models::Webhook> call);
    Call<models::ConnectionState> track(Call<models::ConnectionState> call);
    void forget(Kind kind, const QString& id);

    // Backoff for reconnecting: 1 s doubling to 60 s, with equal jitter. Public for its test.
    static qint64 retryDelayMs(int attempt, double jitter01);

signals:
    void changed(stint::client::Workspace::Kind kind);
    // One checkout changed; `previousState` is empty when it is new to this workspace.
    void checkoutChanged(const stint::models::Checkout& checkout, const QString& previousState);
    // A request arrived that this admin may approve (not their own).
    void approvalArrived(const stint::models::Checkout& checkout);
    void alertRaised(const stint::client::Workspace::Alert& alert);
    void linkChanged();
    // The session is over: sign in again. `reason` says why.
    void sessionEnded(const stint::Error& reason);
    // The first time fresh state arrived after start() (the app's "usable" mark in the benchmarks).
    void synced();

private:
    void loadReplica();
    void connectChannel();
    void onReady(qint64 head);
    void onReset(qint64 head);
    void onEvent(const LiveEvent& event);
    void onClosed(const Error& error);
    void fetchAll(bool full);
    void fetchDone();
    void applyEvent(const LiveEvent& event);
    void refetchTenants();
    void setLink(Link link, const QString& detail);
    void goOffline(const Error& error);
    void scheduleRetry();
    void endSession(const Error& error);
    void noteSeq(qint64 seq);
    void scheduleFlush();

    void upsertCheckout(const models::Checkout& checkout, const QJsonObject& json);
    void upsertTenant(const models::Tenant& tenant);
    void raiseAlert(Alert alert, bool announce);
    void deriveAlerts();

    template <typename T> void replaceAll(QHash<QString, T>& map, const QList<T>& items, Kind kind, const QString& key);
    template <typename T> void upsert(QHash<QString, T>& map, const T& item, Kind kind, const QString& key);
    void removeFrom(Kind kind, const QString& id);

    CloudApi& m_api;
    EventChannel& m_channel;
    const Clock& m_clock;
    Replica* m_replica = nullptr;

    crypto::SecretBytes m_token;
    bool m_running = false;
    qint64 m_generation = 0;      // bumps on start/stop so late answers of an old run are dropped
    qint64 m_fetchGeneration = 0; // bumps per fetch (and with m_generation) so only the latest fetch applies
    Link m_link = Link::Offline;
    QString m_linkDetail;
    TimeMs m_nextRetryAt = 0;
    TimeMs m_lastSyncedAt = 0;
    bool m_showingCache = false;
    bool m_syncedOnce = false;
    int m_retryAttempt = 0;
    QTimer m_retryTimer;
    QTimer m_flushTimer;

    qint64 m_lastSeq = 0;
    bool m_fetching = false;
    QList<LiveEvent> m_buffered; // live events that arrived during a full fetch

    std::optional<models::Me> m_me;
    QHash<QString, models::Tenant> m_tenants;
    QHash<QString, models::Checkout> m_checkouts;
    QHash<QString, models::Person> m_people;
    QHash<QString, models::Group> m_groups;
    QHash<QString, models::Policy> m_policies;
    QHash<QString, models::Invite> m_invites;
    QHash<QString, models::Webhook> m_webhooks;
    QHash<QString, models::ConnectionState> m_connections;
    QHash<QString, Alert> m_alerts;
};

// The replica's kind names.
QString replicaKind(Workspace::Kind kind);

} // namespace stint::client
