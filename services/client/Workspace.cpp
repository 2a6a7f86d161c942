// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/Workspace.h"

#include "client/ApiError.h"

#include <QLoggingCategory>
#include <QRandomGenerator>

#include <algorithm>

// Debug (a line per checkout update: id, state, version) is off unless asked for, e.g. by bench_desktop_memory.
Q_LOGGING_CATEGORY(lcWorkspace, "stint.client.workspace", QtInfoMsg)

namespace stint::client {

namespace {
constexpr int kFlushDelayMs = 300;
constexpr qint64 kRetryBaseMs = 1000;
constexpr qint64 kRetryCapMs = 60'000;

const QStringList kAdminOpenStates{QStringLiteral("requested"), QStringLiteral("awaiting_approval"),
                                   QStringLiteral("provisioning"), QStringLiteral("ready"),
                                   QStringLiteral("revoking"), QStringLiteral("revoke_failed")};

template <typename T> QList<T> valuesOf(const QHash<QString, T>& map)
{
    QList<T> out;
    out.reserve(map.size());
    for (const T& v : map)
        out.append(v);
    return out;
}

QString alertKindOf(const QJsonObject& data)
{
    const QString type = data.value(QLatin1String("type")).toString();
    const QString code = data.value(QLatin1String("code")).toString();
    if (type == QLatin1String("checkout.revoke_failed"))
        return QStringLiteral("revoke_failed");
    if (code.contains(QLatin1String("drift")) || type.contains(QLatin1String("drift")))
        return QStringLiteral("drift");
    return QStringLiteral("connection");
}
} // namespace

QString replicaKind(Workspace::Kind kind)
{
    switch (kind) {
    case Workspace::Kind::Me:
        return QStringLiteral("me");
    case Workspace::Kind::Tenants:
        return QStringLiteral("tenant");
    case Workspace::Kind::Checkouts:
        return QStringLiteral("checkout");
    case Workspace::Kind::People:
        return QStringLiteral("person");
    case Workspace::Kind::Groups:
        return QStringLiteral("group");
    case Workspace::Kind::Policies:
        return QStringLiteral("policy");
    case Workspace::Kind::Invites:
        return QStringLiteral("invite");
    case Workspace::Kind::Webhooks:
        return QStringLiteral("webhook");
    case Workspace::Kind::Connections:
        return QStringLiteral("connection");
    case Workspace::Kind::Alerts:
        return QStringLiteral("alert");
    }
    return {};
}

QJsonObject Workspace::Alert::toJson() const
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("kind"), kind},
            {QStringLiteral("tenantId"), tenantId},
            {QStringLiteral("checkoutId"), checkoutId},
            {QStringLiteral("message"), message},
            {QStringLiteral("raisedAt"), toRfc3339(raisedAt)},
            {QStringLiteral("acknowledged"), acknowledged}};
}

Workspace::Alert Workspace::Alert::fromJson(const QJsonObject& o)
{
    Alert a;
    a.id = o.value(QLatin1String("id")).toString();
    a.kind = o.value(QLatin1String("kind")).toString();
    a.tenantId = o.value(QLatin1String("tenantId")).toString();
    a.checkoutId = o.value(QLatin1String("checkoutId")).toString();
    a.message = o.value(QLatin1String("message")).toString();
    a.raisedAt = fromRfc3339(o.value(QLatin1String("raisedAt")).toString()).value_or(0);
    a.acknowledged = o.value(QLatin1String("acknowledged")).toBool();
    return a;
}

Workspace::Workspace(CloudApi& api, EventChannel& channel, const Clock& clock, QObject* parent)
    : QObject(parent)
    , m_api(api)
    , m_channel(channel)
    , m_clock(clock)
{
    // The service's clock offset is measured against the clock serverNow() adds it to.
    m_api.setClock(&m_clock);
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &Workspace::connectChannel);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushDelayMs);
    connect(&m_flushTimer, &QTimer::timeout, this, [this]() {
        if (m_replica) {
            if (auto ok = m_replica->flush(); !ok)
                qCWarning(lcWorkspace) << "the local replica could not be written:" << ok.error().message;
        }
    });
    connect(&m_channel, &EventChannel::ready, this, &Workspace::onReady);
    connect(&m_channel, &EventChannel::reset, this, &Workspace::onReset);
    connect(&m_channel, &EventChannel::event, this, &Workspace::onEvent);
    connect(&m_channel, &EventChannel::closed, this, &Workspace::onClosed);
    connect(&m_api, &CloudApi::unauthorized, this, [this]() {
        if (m_running)
            endSession(Error{QString::fromLatin1(errors::kUnauthorized),
                             QStringLiteral("Your session has ended. Sign in again to continue."),
                             {}});
    });
}

Workspace::~Workspace()
{
    m_api.setClock(nullptr);
    if (m_replica && m_flushTimer.isActive())
        (void)m_replica->flush();
}

qint64 Workspace::retryDelayMs(int attempt, double jitter01)
{
    const qint64 ceiling = std::min(kRetryCapMs, kRetryBaseMs << std::clamp(attempt, 0, 16));
    // Equal jitter: half fixed, half random, so clients that lost the service together do not return together.
    return ceiling / 2 + qint64(double(ceiling / 2) * std::clamp(jitter01, 0.0, 1.0));
}

TimeMs Workspace::serverNow() const
{
    return m_clock.now() + m_api.serverClockOffsetMs();
}

// --- lifecycle ---

void Workspace::start(const crypto::SecretBytes& token)
{
    m_token = crypto::SecretBytes(QByteArray(token.bytes().constData(), token.size()));
    m_running = true;
    ++m_generation;
    ++m_fetchGeneration;
    m_fetching = false;
    m_buffered.clear();
    m_retryAttempt = 0;
    loadReplica();
    connectChannel();
}

void Workspace::stop()
{
    m_running = false;
    ++m_generation;
    ++m_fetchGeneration;
    m_fetching = false;
    m_buffered.clear();
    m_retryTimer.stop();
    m_channel.close();
    m_token = crypto::SecretBytes();
    if (m_replica)
        (void)m_replica->flush();
    setLink(Link::Offline, QStringLiteral("Signed out."));
}

void Workspace::clear()
{
    m_me.reset();
    m_tenants.clear();
    m_checkouts.clear();
    m_people.clear();
    m_groups.clear();
    m_policies.clear();
    m_invites.clear();
    m_webhooks.clear();
    m_connections.clear();
    m_alerts.clear();
    m_lastSeq = 0;
    m_showingCache = false;
    m_syncedOnce = false;
    if (m_replica)
        (void)m_replica->clear();
    for (Kind k : {Kind::Me, Kind::Tenants, Kind::Checkouts, Kind::People, Kind::Groups, Kind::Policies, Kind::Invites,
                   Kind::Webhooks, Kind::Connections, Kind::Alerts})
        emit changed(k);
}

void Workspace::refresh()
{
    if (!m_running)
        return;
    if (m_link == Link::Offline) {
        m_retryAttempt = 0;
        m_retryTimer.stop();
        connectChannel();
        return;
    }
    fetchAll(true);
}

void Workspace::loadReplica()
{
    if (!m_replica)
        return;
    auto snapshot = m_replica->load();
    if (!snapshot) {
        qCWarning(lcWorkspace) << "the local replica could not be read; starting empty:" << snapshot.error().message;
        return;
    }
    if (snapshot->me) {
        if (auto me = models::Me::fromJson(*snapshot->me))
            m_me = std::move(me).value();
    }
    auto load = [&](Kind kind, auto& map, auto parse) {
        for (const QJsonObject& o : snapshot->objects.value(replicaKind(kind))) {
            auto parsed = parse(o);
            if (parsed)
                map.insert(parsed->id, std::move(parsed).value());
        }
    };
    load(Kind::Tenants, m_tenants, &models::Tenant::fromJson);
    load(Kind::Checkouts, m_checkouts, &models::Checkout::fromJson);
    load(Kind::People, m_people, &models::Person::fromJson);
    load(Kind::Groups, m_groups, &models::Group::fromJson);
    load(Kind::Policies, m_policies, &models::Policy::fromJson);
    load(Kind::Invites, m_invites, &models::Invite::fromJson);
    load(Kind::Webhooks, m_webhooks, &models::Webhook::fromJson);
    for (const QJsonObject& o : snapshot->objects.value(replicaKind(Kind::Alerts))) {
        Alert a = Alert::fromJson(o);
        m_alerts.insert(a.id, a);
    }
    m_lastSeq = snapshot->lastSeq;
    m_lastSyncedAt = snapshot->syncedAt;
    m_showingCache = m_me.has_value();
    for (Kind k : {Kind::Me, Kind::Tenants, Kind::Checkouts, Kind::People, Kind::Groups, Kind::Policies, Kind::Invites,
                   Kind::Webhooks, Kind::Alerts})
        emit changed(k);
}

void Workspace::connectChannel()
{
    if (!m_running)
        return;
    setLink(Link::Connecting, QStringLiteral("Connecting to the service…"));
    m_channel.open(m_token, m_showingCache || m_syncedOnce ? m_lastSeq : 0);
}

void Workspace::onReady(qint64 head)
{
    if (!m_running)
        return;
    m_retryAttempt = 0;
    const bool haveState = m_me.has_value() && (m_syncedOnce || m_showingCache) && m_lastSeq > 0;
    if (!haveState) {
        // A fresh start: the channel now records what happens; read the state, then apply what came meanwhile.
        fetchAll(true);
        noteSeq(head);
    } else {
        // Caught up from the backlog; refetch what live events do not carry for everyone (my tenants' settings).
        if (head > m_lastSeq)
            noteSeq(head);
        fetchAll(false);
    }
}

void Workspace::onReset(qint64 head)
{
    if (!m_running)
        return;
    qCInfo(lcWorkspace) << "the live backlog is gone; refetching everything";
    // `ready` follows (the protocol sends reset, then ready): onReady refetches everything once, as for a fresh start.
    // The head is taken as it is, even below the last sequence seen (a service restored from a backup counts from
    // there); the replica gets it only with the fetched state (fetchDone), never next to the old objects.
    m_lastSeq = head;
    m_syncedOnce = false;
    m_showingCache = false;
}

void Workspace::onEvent(const LiveEvent& event)
{
    if (!m_running)
        return;
    if (m_fetching) {
        m_buffered.append(event);
        return;
    }
    applyEvent(event);
    noteSeq(event.seq);
}

void Workspace::onClosed(const Error& error)
{
    if (!m_running)
        return;
    if (error.code == QLatin1String(kSessionEnded))
        return endSession(error);
    goOffline(error);
}

void Workspace::goOffline(const Error& error)
{
    m_channel.close();
    setLink(Link::Offline, error.message);
    scheduleRetry();
}

void Workspace::scheduleRetry()
{
    const qint64 delay = retryDelayMs(m_retryAttempt++, QRandomGenerator::global()->generateDouble());
    m_nextRetryAt = m_clock.now() + delay;
    m_retryTimer.start(int(delay));
    emit linkChanged();
}

void Workspace::endSession(const Error& error)
{
    qCInfo(lcWorkspace) << "session ended:" << error.code;
    stop();
    setLink(Link::Offline, error.message);
    emit sessionEnded(error);
}

void Workspace::setLink(Link link, const QString& detail)
{
    if (link == m_link && detail == m_linkDetail)
        return;
    m_link = link;
    m_linkDetail = detail;
    if (link != Link::Offline)
        m_nextRetryAt = 0;
    emit linkChanged();
}

void Workspace::noteSeq(qint64 seq)
{
    if (seq <= m_lastSeq)
        return;
    m_lastSeq = seq;
    // While a fetch runs, the replica keeps the number that goes with the objects it holds; fetchDone() stores the new
    // one with the fetched state. Otherwise quitting half-way would store "up to date to head" next to old objects, and
    // the next start would catch up from head and never see what changed.
    if (m_replica && !m_fetching) {
        m_replica->setLastSeq(m_lastSeq, m_lastSyncedAt);
        scheduleFlush();
    }
}

void Workspace::scheduleFlush()
{
    if (m_replica && !m_flushTimer.isActive())
        m_flushTimer.start();
}

// --- fetching ---

// Reads the person's state over the API: who I am first (admins see more), then the rest side by side. `full`:
// everything this person may see (first sync, reset, retry); otherwise only what live events do not carry for
// everyone (me, and tenants with my grants).
void Workspace::fetchAll(bool full)
{
    const qint64 generation = ++m_fetchGeneration;
    m_fetching = true;
    auto pending = std::make_shared<int>(1);
    auto failed = std::make_shared<bool>(false);
    auto alive = [this, generation]() { return generation == m_fetchGeneration && m_running; };
    auto onError = [this, failed, alive](const Error& e) {
        if (!alive() || *failed)
            return;
        *failed = true;
        m_fetching = false;
        if (errors::isUnauthorized(e))
            return; // CloudApi::unauthorized ends the session
        qCInfo(lcWorkspace) << "sync failed:" << e.code << e.message;
        const auto buffered = std::exchange(m_buffered, {});
        for (const LiveEvent& ev : buffered)
            applyEvent(ev);
        if (errors::isNetwork(e) || errors::httpStatus(e) >= 500)
            goOffline(e);
        else
            setLink(Link::Live, e.message);
    };
    auto step = [this, pending, failed, alive]() {
        if (alive() && !*failed && --*pending == 0)
            fetchDone();
    };

    m_api.me().then(this, [=, this](const Result<models::Me>& r) {
        if (!alive())
            return;
        if (!r.ok())
            return onError(r.error());
        m_me = r.value();
        if (m_replica)
            m_replica->setMe(m_me->toJson());
        emit changed(Kind::Me);

        auto fetchList = [=, this](auto call, auto* map, Kind kind) {
            ++*pending;
            call.then(this, [=, this](const auto& answer) {
                if (!alive())
                    return;
                if (!answer.ok())
                    return onError(answer.error());
                replaceAll(*map, answer.value(), kind, replicaKind(kind));
                step();
            });
        };
        fetchList(m_api.tenants(), &m_tenants, Kind::Tenants);
        if (full) {
            // Checkouts: one's own (their history); for admins also every open checkout of the organization.
            QList<CheckoutFilter> filters;
            if (isAdmin()) {
                for (const QString& state : kAdminOpenStates)
                    filters.append(CheckoutFilter{state, {}, {}});
                filters.append(CheckoutFilter{{}, {}, m_me->person.id});
            } else {
                filters.append(CheckoutFilter{});
            }
            auto seen = std::make_shared<QHash<QString, models::Checkout>>();
            auto left = std::make_shared<int>(int(filters.size()));
            for (const CheckoutFilter& f : filters) {
                ++*pending;
                m_api.checkouts(f).then(this, [=, this](const Result<QList<models::Checkout>>& answer) {
                    if (!alive())
                        return;
                    if (!answer.ok())
                        return onError(answer.error());
                    for (const models::Checkout& c : answer.value())
                        seen->insert(c.id, c);
                    if (--*left == 0)
                        replaceAll(m_checkouts, valuesOf(*seen), Kind::Checkouts, replicaKind(Kind::Checkouts));
                    step();
                });
            }
            if (isAdmin()) {
                fetchList(m_api.people(), &m_people, Kind::People);
                fetchList(m_api.groups(), &m_groups, Kind::Groups);
                fetchList(m_api.policies(), &m_policies, Kind::Policies);
                fetchList(m_api.invites(), &m_invites, Kind::Invites);
                fetchList(m_api.webhooks(), &m_webhooks, Kind::Webhooks);
            }
        }
        step();
    });
}

void Workspace::fetchDone()
{
    m_fetching = false;
    const auto buffered = std::exchange(m_buffered, {});
    for (const LiveEvent& e : buffered) {
        applyEvent(e);
        noteSeq(e.seq);
    }
    m_showingCache = false;
    m_lastSyncedAt = m_clock.now();
    if (m_replica)
        m_replica->setLastSeq(m_lastSeq, m_lastSyncedAt);
    scheduleFlush();
    deriveAlerts();
    setLink(Link::Live, QStringLiteral("Up to date."));
    if (!m_syncedOnce) {
        m_syncedOnce = true;
        emit synced();
    }
}

// --- live events ---

void Workspace::applyEvent(const LiveEvent& e)
{
    const QString& t = e.type;
    const QString deletedId = e.data.value(QLatin1String("id")).toString();
    if (t == QLatin1String("checkout.updated")) {
        if (auto c = models::Checkout::fromJson(e.data))
            upsertCheckout(*c, e.data);
    } else if (t == QLatin1String("tenant.created") || t == QLatin1String("tenant.updated")) {
        if (auto tenant = models::Tenant::fromJson(e.data)) {
            // Keep my grants: the event carries the tenant, not what it grants to me.
            if (const models::Tenant* known = this->tenant(tenant->id))
                tenant->myGrants = known->myGrants;
            upsertTenant(*tenant);
        }
    } else if (t == QLatin1String("tenant.deleted")) {
        removeFrom(Kind::Tenants, deletedId);
    } else if (t == QLatin1String("tenant.connection")) {
        if (auto tenant = models::Tenant::fromJson(e.data.value(QLatin1String("tenant")).toObject())) {
            if (const models::Tenant* known = this->tenant(tenant->id))
                tenant->myGrants = known->myGrants;
            upsertTenant(*tenant);
        }
        const QString tenantId = e.data.value(QLatin1String("tenantId")).toString();
        if (m_connections.contains(tenantId))
            refreshConnection(tenantId);
        if (e.data.value(QLatin1String("status")).toString() == QLatin1String("unhealthy"))
            deriveAlerts();
    } else if (t == QLatin1String("grants.changed")) {
        refetchTenants();
    } else if (t == QLatin1String("policy.created") || t == QLatin1String("policy.updated")) {
        if (auto p = models::Policy::fromJson(e.data))
            upsert(m_policies, *p, Kind::Policies, replicaKind(Kind::Policies));
    } else if (t == QLatin1String("policy.deleted")) {
        removeFrom(Kind::Policies, deletedId);
    } else if (t == QLatin1String("group.created") || t == QLatin1String("group.updated")) {
        if (isAdmin()) {
            if (auto g = models::Group::fromJson(e.data))
                upsert(m_groups, *g, Kind::Groups, replicaKind(Kind::Groups));
        }
        // Membership decides who policies name. Group events reach admins only; everyone, admins too, also gets
        // grants.changed, which refetches as well (an older cloud sent group events alone, to everyone).
        refetchTenants();
    } else if (t == QLatin1String("group.deleted")) {
        removeFrom(Kind::Groups, deletedId);
        refetchTenants();
    } else if (t == QLatin1String("person.updated") || t == QLatin1String("person.enrolled")) {
        if (auto p = models::Person::fromJson(e.data)) {
            if (m_me && p->id == m_me->person.id) {
                const bool roleChanged = m_me->person.role != p->role;
                m_me->person = *p;
                if (m_replica)
                    m_replica->setMe(m_me->toJson());
                emit changed(Kind::Me);
                if (roleChanged)
                    fetchAll(true);
            }
            if (isAdmin())
                upsert(m_people, *p, Kind::People, replicaKind(Kind::People));
        }
    } else if (t == QLatin1String("organization.updated")) {
        if (m_me) {
            if (auto org = models::Organization::fromJson(e.data)) {
                m_me->organization = *org;
                emit changed(Kind::Me);
            }
        }
    } else if (t == QLatin1String("alert.raised")) {
        Alert a;
        a.kind = alertKindOf(e.data);
        a.tenantId = e.data.value(QLatin1String("tenantId")).toString();
        a.checkoutId = e.data.value(QLatin1String("checkoutId")).toString();
        a.message = e.data.value(QLatin1String("message")).toString();
        if (a.message.isEmpty())
            a.message = e.data.value(QLatin1String("detail")).toString();
        a.raisedAt = fromRfc3339(e.data.value(QLatin1String("raisedAt")).toString()).value_or(e.at);
        a.id = a.kind + QLatin1Char(':') + (a.checkoutId.isEmpty() ? a.tenantId : a.checkoutId);
        raiseAlert(a, true);
    } else {
        qCDebug(lcWorkspace) << "live event not used here:" << t;
    }
}

// What I may ask for changed: refetch my tenants (they carry my grants).
void Workspace::refetchTenants()
{
    const qint64 generation = m_generation;
    m_api.tenants().then(this, [this, generation](const Result<QList<models::Tenant>>& r) {
        if (generation == m_generation && r.ok())
            replaceAll(m_tenants, r.value(), Kind::Tenants, replicaKind(Kind::Tenants));
    });
}

void Workspace::upsertCheckout(const models::Checkout& c, const QJsonObject& json)
{
    Q_UNUSED(json);
    const auto it = m_checkouts.constFind(c.id);
    QString previous;
    if (it != m_checkouts.constEnd()) {
        if (it->version > c.version)
            return; // an older snapshot than the one held (a buffered event after a fetch)
        if (it->version == c.version && it->state == c.state)
            return;
        previous = models::toString(it->state);
    }
    m_checkouts.insert(c.id, c);
    // Off by default; the memory benchmark follows the app's view of each checkout with it.
    qCDebug(lcWorkspace).noquote() << "checkout" << c.id << "is" << models::toString(c.state) << "version" << c.version;
    if (m_replica) {
        m_replica->put(replicaKind(Kind::Checkouts), c.id, c.toJson());
        scheduleFlush();
    }
    emit changed(Kind::Checkouts);
    emit checkoutChanged(c, previous);
    if (isAdmin() && c.state == models::CheckoutState::AwaitingApproval && previous != QLatin1String("awaiting_approval")
        && c.technicianId != m_me->person.id)
        emit approvalArrived(c);
    if (c.state == models::CheckoutState::RevokeFailed && isAdmin()) {
        Alert a;
        a.kind = QStringLiteral("revoke_failed");
        a.checkoutId = c.id;
        a.tenantId = c.tenantId;
        a.message = c.stateReason;
        a.raisedAt = c.updatedAt;
        a.id = a.kind + QLatin1Char(':') + c.id;
        raiseAlert(a, false);
    }
}

void Workspace::upsertTenant(const models::Tenant& tenant)
{
    upsert(m_tenants, tenant, Kind::Tenants, replicaKind(Kind::Tenants));
}

void Workspace::raiseAlert(Alert alert, bool announce)
{
    const auto it = m_alerts.constFind(alert.id);
    if (it != m_alerts.constEnd()) {
        // The same problem again: keep it acknowledged only if nothing new was said.
        if (it->message == alert.message)
            return;
        alert.acknowledged = false;
    }
    m_alerts.insert(alert.id, alert);
    if (m_replica) {
        m_replica->put(replicaKind(Kind::Alerts), alert.id, alert.toJson());
        scheduleFlush();
    }
    emit changed(Kind::Alerts);
    if (announce)
        emit alertRaised(alert);
}

// Alerts that the state itself shows (a checkout stuck in revoke_failed, an unhealthy connection), so an admin who
// starts the app after the live alert sees them too.
void Workspace::deriveAlerts()
{
    if (!isAdmin())
        return;
    for (const models::Checkout& c : m_checkouts) {
        if (c.state != models::CheckoutState::RevokeFailed)
            continue;
        Alert a;
        a.kind = QStringLiteral("revoke_failed");
        a.checkoutId = c.id;
        a.tenantId = c.tenantId;
        a.message = c.stateReason;
        a.raisedAt = c.updatedAt;
        a.id = a.kind + QLatin1Char(':') + c.id;
        if (!m_alerts.contains(a.id))
            raiseAlert(a, false);
    }
    for (const models::Tenant& t : m_tenants) {
        if (t.connection.status != QLatin1String("unhealthy"))
            continue;
        Alert a;
        a.kind = QStringLiteral("connection");
        a.tenantId = t.id;
        a.message = QStringLiteral("The connection to %1 is unhealthy: open its health report.").arg(t.name);
        a.raisedAt = t.updatedAt;
        a.id = a.kind + QLatin1Char(':') + t.id;
        if (!m_alerts.contains(a.id))
            raiseAlert(a, false);
    }
}

void Workspace::acknowledgeAlert(const QString& id)
{
    auto it = m_alerts.find(id);
    if (it == m_alerts.end() || it->acknowledged)
        return;
    it->acknowledged = true;
    if (m_replica) {
        m_replica->put(replicaKind(Kind::Alerts), id, it->toJson());
        scheduleFlush();
    }
    emit changed(Kind::Alerts);
}

// --- generic state helpers ---

template <typename T>
void Workspace::replaceAll(QHash<QString, T>& map, const QList<T>& items, Kind kind, const QString& key)
{
    QHash<QString, T> next;
    QList<QPair<QString, QJsonObject>> rows;
    for (const T& item : items) {
        next.insert(item.id, item);
        if (m_replica)
            rows.append({item.id, item.toJson()});
    }
    QList<QPair<T, QString>> moved; // checkouts whose state moved, announced as live events would have been
    if constexpr (std::is_same_v<T, models::Checkout>) {
        for (const T& c : items) {
            const auto old = map.constFind(c.id);
            if (old == map.constEnd())
                moved.append({c, QString()});
            else if (old->state != c.state)
                moved.append({c, models::toString(old->state)});
        }
    }
    map = std::move(next);
    if (m_replica) {
        m_replica->replaceAll(key, rows);
        scheduleFlush();
    }
    emit changed(kind);
    if constexpr (std::is_same_v<T, models::Checkout>) {
        for (const auto& [c, previous] : moved)
            emit checkoutChanged(c, previous);
    }
}

template <typename T> void Workspace::upsert(QHash<QString, T>& map, const T& item, Kind kind, const QString& key)
{
    map.insert(item.id, item);
    if (m_replica) {
        m_replica->put(key, item.id, item.toJson());
        scheduleFlush();
    }
    emit changed(kind);
}

void Workspace::removeFrom(Kind kind, const QString& id)
{
    bool removed = false;
    switch (kind) {
    case Kind::Tenants:
        removed = m_tenants.remove(id);
        break;
    case Kind::Checkouts:
        removed = m_checkouts.remove(id);
        break;
    case Kind::People:
        removed = m_people.remove(id);
        break;
    case Kind::Groups:
        removed = m_groups.remove(id);
        break;
    case Kind::Policies:
        removed = m_policies.remove(id);
        break;
    case Kind::Invites:
        removed = m_invites.remove(id);
        break;
    case Kind::Webhooks:
        removed = m_webhooks.remove(id);
        break;
    case Kind::Connections:
        removed = m_connections.remove(id);
        break;
    case Kind::Alerts:
        removed = m_alerts.remove(id);
        break;
    case Kind::Me:
        break;
    }
    if (!removed)
        return;
    if (m_replica) {
        m_replica->remove(replicaKind(kind), id);
        scheduleFlush();
    }
    emit changed(kind);
}

void Workspace::forget(Kind kind, const QString& id)
{
    removeFrom(kind, id);
}

// --- tracking answers ---

Call<models::Checkout> Workspace::track(Call<models::Checkout> call)
{
    call.then(this, [this](const Result<models::Checkout>& r) {
        if (r.ok())
            upsertCheckout(r.value(), {});
    });
    return call;
}

Call<models::Tenant> Workspace::track(Call<models::Tenant> call)
{
    call.then(this, [this](const Result<models::Tenant>& r) {
        if (r.ok())
            upsertTenant(r.value());
    });
    return call;
}

Call<models::Policy> Workspace::track(Call<models::Policy> call)
{
    call.then(this, [this](const Result<models::Policy>& r) {
        if (r.ok())
            upsert(m_policies, r.value(), Kind::Policies, replicaKind(Kind::Policies));
    });
    return call;
}

Call<models::Group> Workspace::track(Call<models::Group> call)
{
    call.then(this, [this](const Result<models::Group>& r) {
        if (r.ok())
            upsert(m_groups, r.value(), Kind::Groups, replicaKind(Kind::Groups));
    });
    return call;
}

Call<models::Person> Workspace::track(Call<models::Person> call)
{
    call.then(this, [this](const Result<models::Person>& r) {
        if (r.ok())
            upsert(m_people, r.value(), Kind::People, replicaKind(Kind::People));
    });
    return call;
}

Call<models::Invite> Workspace::track(Call<models::Invite> call)
{
    call.then(this, [this](const Result<models::Invite>& r) {
        if (!r.ok())
            return;
        models::Invite invite = r.value();
        invite.enrollmentUrl.clear(); // shown once by whoever asked; never kept
        upsert(m_invites, invite, Kind::Invites, replicaKind(Kind::Invites));
    });
    return call;
}

Call<models::Webhook> Workspace::track(Call<models::Webhook> call)
{
    call.then(this, [this](const Result<models::Webhook>& r) {
        if (r.ok())
            upsert(m_webhooks, r.value(), Kind::Webhooks, replicaKind(Kind::Webhooks));
    });
    return call;
}

Call<models::ConnectionState> Workspace::track(Call<models::ConnectionState> call)
{
    call.then(this, [this](const Result<models::ConnectionState>& r) {
        if (!r.ok())
            return;
        m_connections.insert(r->tenantId, r.value());
        emit changed(Kind::Connections);
    });
    return call;
}

Call<models::ConnectionState> Workspace::refreshConnection(const QString& tenantId)
{
    return track(m_api.connection(tenantId));
}

// --- reading state ---

QList<models::Tenant> Workspace::tenants() const
{
    QList<models::Tenant> out = valuesOf(m_tenants);
    std::sort(out.begin(), out.end(), [](const models::Tenant& a, const models::Tenant& b) {
        const int c = QString::compare(a.name, b.name, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : a.id < b.id;
    });
    return out;
}

const models::Tenant* Workspace::tenant(const QString& id) const
{
    const auto it = m_tenants.constFind(id);
    return it == m_tenants.constEnd() ? nullptr : &*it;
}

QList<models::Checkout> Workspace::checkouts() const
{
    QList<models::Checkout> out = valuesOf(m_checkouts);
    std::sort(out.begin(), out.end(), [](const models::Checkout& a, const models::Checkout& b) {
        return a.requestedAt != b.requestedAt ? a.requestedAt > b.requestedAt : a.id > b.id;
    });
    return out;
}

const models::Checkout* Workspace::checkout(const QString& id) const
{
    const auto it = m_checkouts.constFind(id);
    return it == m_checkouts.constEnd() ? nullptr : &*it;
}

QList<models::Checkout> Workspace::myLiveCheckouts() const
{
    QList<models::Checkout> out;
    if (!m_me)
        return out;
    for (const models::Checkout& c : checkouts()) {
        if (c.technicianId == m_me->person.id && !c.isOver())
            out.append(c);
    }
    return out;
}

QList<models::Checkout> Workspace::approvalsWaiting() const
{
    QList<models::Checkout> out;
    for (const models::Checkout& c : m_checkouts) {
        if (c.state == models::CheckoutState::AwaitingApproval)
            out.append(c);
    }
    std::sort(out.begin(), out.end(),
              [](const models::Checkout& a, const models::Checkout& b) { return a.requestedAt < b.requestedAt; });
    return out;
}

QList<models::Checkout> Workspace::liveCheckouts() const
{
    QList<models::Checkout> out;
    for (const models::Checkout& c : checkouts()) {
        if (c.isLive())
            out.append(c);
    }
    return out;
}

QList<models::Person> Workspace::people() const
{
    QList<models::Person> out = valuesOf(m_people);
    std::sort(out.begin(), out.end(), [](const models::Person& a, const models::Person& b) {
        return QString::compare(a.displayName, b.displayName, Qt::CaseInsensitive) < 0;
    });
    return out;
}

const models::Person* Workspace::person(const QString& id) const
{
    if (m_me && m_me->person.id == id)
        return &m_me->person;
    const auto it = m_people.constFind(id);
    return it == m_people.constEnd() ? nullptr : &*it;
}

QString Workspace::personName(const QString& id) const
{
    const models::Person* p = person(id);
    if (!p)
        return id;
    return p->displayName.isEmpty() ? p->email : p->displayName;
}

QList<models::Group> Workspace::groups() const
{
    QList<models::Group> out = valuesOf(m_groups);
    std::sort(out.begin(), out.end(), [](const models::Group& a, const models::Group& b) {
        return QString::compare(a.name, b.name, Qt::CaseInsensitive) < 0;
    });
    return out;
}

QList<models::Policy> Workspace::policies() const
{
    QList<models::Policy> out = valuesOf(m_policies);
    std::sort(out.begin(), out.end(), [](const models::Policy& a, const models::Policy& b) {
        return QString::compare(a.name, b.name, Qt::CaseInsensitive) < 0;
    });
    return out;
}

QList<models::Invite> Workspace::invites() const
{
    QList<models::Invite> out = valuesOf(m_invites);
    std::sort(out.begin(), out.end(),
              [](const models::Invite& a, const models::Invite& b) { return a.createdAt > b.createdAt; });
    return out;
}

QList<models::Webhook> Workspace::webhooks() const
{
    QList<models::Webhook> out = valuesOf(m_webhooks);
    std::sort(out.begin(), out.end(), [](const models::Webhook& a, const models::Webhook& b) { return a.url < b.url; });
    return out;
}

const models::ConnectionState* Workspace::connection(const QString& tenantId) const
{
    const auto it = m_connections.constFind(tenantId);
    return it == m_connections.constEnd() ? nullptr : &*it;
}

QList<Workspace::Alert> Workspace::alerts() const
{
    QList<Alert> out = valuesOf(m_alerts);
    std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) { return a.raisedAt > b.raisedAt; });
    return out;
}

int Workspace::unacknowledgedAlerts() const
{
    return int(std::count_if(m_alerts.begin(), m_alerts.end(), [](const Alert& a) { return !a.acknowledged; }));
}

} // namespace stint::client
