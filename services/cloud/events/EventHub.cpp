// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/events/EventHub.h"

#include "cloud/authn/Sessions.h"
#include "cloud/events/EventAudience.h"
#include "cloud/metrics/Metrics.h"
#include "core/Json.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcEvents, "stint.cloud.events")

namespace stint::cloud {

namespace {
constexpr int kHelloTimeoutMs = 10'000;
constexpr int kRevalidateIntervalMs = 15'000;
constexpr int kBacklogPage = 500;
constexpr qint64 kMaxIncomingMessage = 4096;
constexpr int kPruneIntervalMs = 3'600'000;
constexpr qint64 kRetentionMs = 7LL * 24 * 3'600'000;
} // namespace

struct EventHub::Client
{
    std::unique_ptr<QWebSocket> socket;
    Caller caller;
    bool ready = false;
    QTimer helloTimeout;
};

bool EventHub::visibleTo(const Caller& caller, const QString& orgId, const QString& audience)
{
    if (!caller.signedIn() || caller.orgId != orgId)
        return false;
    for (QStringView part : QStringView(audience).split(QLatin1Char('|'))) {
        if (part == QLatin1String("org") || (part == QLatin1String("admins") && caller.isAdmin())
            || (part.startsWith(QLatin1String("person:")) && part.mid(7) == caller.personId))
            return true;
    }
    return false;
}

EventHub::EventHub(store::Database& db, const Clock& clock, Sessions& sessions, Metrics& metrics, QObject* parent)
    : QObject(parent)
    , m_db(db)
    , m_clock(clock)
    , m_sessions(sessions)
    , m_metrics(metrics)
{
    m_revalidateTimer.setInterval(kRevalidateIntervalMs);
    connect(&m_revalidateTimer, &QTimer::timeout, this, &EventHub::revalidate);
    // The stream is for catching up after a disconnect, not an archive (that is the audit log): keep a week.
    m_pruneTimer.setInterval(kPruneIntervalMs);
    connect(&m_pruneTimer, &QTimer::timeout, this, [this] {
        if (auto pruned = pruneOlderThan(m_clock.now() - kRetentionMs); !pruned)
            qCWarning(lcEvents) << "pruning the event stream failed:" << pruned.error().message;
    });
}

EventHub::~EventHub()
{
    for (auto& c : m_clients)
        c->socket->disconnect(this);
}

Result<void> EventHub::init()
{
    auto rows = m_db.query(QStringLiteral("SELECT MAX(seq) FROM events"));
    if (!rows)
        return rows.error();
    m_head = rows->empty() || rows->front().isNull(0) ? 0 : rows->front().integer(0);
    m_revalidateTimer.start();
    m_pruneTimer.start();
    return {};
}

Result<qint64> EventHub::publish(const QString& orgId, const QString& audience, const QString& type,
                                 const QJsonObject& data)
{
    STINT_TRY(checkAudience(type, audience, data));
    Event e{m_head + 1, orgId, audience, type, json::compact(data), m_clock.now()};
    STINT_TRY(m_db.exec(QStringLiteral("INSERT INTO events (seq, org_id, audience, type, payload, created_at)"
                                       " VALUES (?, ?, ?, ?, ?, ?)"),
                        {e.seq, e.orgId, e.audience, e.type, QString::fromUtf8(e.payload), e.createdAt}));
    m_head = e.seq;
    m_pending.push_back(std::move(e));
    return m_head;
}

void EventHub::flushPending()
{
    if (m_pending.empty())
        return;
    if (!m_gate) {
        deliver(std::exchange(m_pending, {}));
        return;
    }
    m_gate([hub = QPointer<EventHub>(this), events = std::exchange(m_pending, {})] {
        if (hub)
            hub->deliver(events);
    });
}

void EventHub::deliver(const std::vector<Event>& events)
{
    for (const Event& e : events) {
        m_metrics.increment(QStringLiteral("stint_events_published_total"));
        for (auto& c : m_clients) {
            if (c->ready && visibleTo(c->caller, e.orgId, e.audience))
                sendEvent(c.get(), e);
        }
    }
}

void EventHub::discardPending()
{
    // The transaction that wrote them rolled back: the rows are gone, and so is their place in the sequence.
    // Clients never saw them; a gap in sequence numbers is harmless because clients resume by "greater than".
    m_pending.clear();
}

void EventHub::accept(std::unique_ptr<QWebSocket> socket)
{
    auto client = std::make_unique<Client>();
    Client* c = client.get();
    c->socket = std::move(socket);
    c->socket->setMaxAllowedIncomingMessageSize(kMaxIncomingMessage);
    c->socket->setMaxAllowedIncomingFrameSize(kMaxIncomingMessage);
    if (c->socket->requestUrl().path() != QLatin1String("/v1/events")) {
        c->socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("unknown path"));
        c->socket.release()->deleteLater();
        return;
    }
    c->helloTimeout.setSingleShot(true);
    connect(&c->helloTimeout, &QTimer::timeout, this,
            [this, c] { drop(c, QStringLiteral("hello-timeout"), QStringLiteral("No hello within 10 seconds.")); });
    c->helloTimeout.start(kHelloTimeoutMs);
    connect(c->socket.get(), &QWebSocket::textMessageReceived, this, [this, c](const QString& message) {
        if (c->ready)
            drop(c, QStringLiteral("unexpected-message"), QStringLiteral("Clients only send hello."));
        else
            onHello(c, message);
    });
    connect(c->socket.get(), &QWebSocket::binaryMessageReceived, this,
            [this, c](const QByteArray&) { drop(c, QStringLiteral("binary"), QStringLiteral("Text frames only.")); });
    // Removal is queued: `disconnected` can fire while the hub is iterating its clients (drop → close).
    connect(c->socket.get(), &QWebSocket::disconnected, this, [this, c] {
        QMetaObject::invokeMethod(this, [this, c] { remove(c); }, Qt::QueuedConnection);
    });
    m_clients.push_back(std::move(client));
    m_metrics.setGauge(QStringLiteral("stint_event_clients"), double(m_clients.size()));
}

void EventHub::remove(Client* c)
{
    {
        for (auto it = m_clients.begin(); it != m_clients.end(); ++it) {
            if (it->get() == c) {
                it->get()->socket.release()->deleteLater();
                m_clients.erase(it);
                break;
            }
        }
        m_metrics.setGauge(QStringLiteral("stint_event_clients"), double(m_clients.size()));
    }
}

void EventHub::onHello(Client* c, const QString& message)
{
    auto parsed = json::parseObject(message.toUtf8(), kMaxIncomingMessage);
    if (!parsed)
        return drop(c, QStringLiteral("malformed-json"), parsed.error().message);
    json::ObjectReader reader(*parsed);
    const QString type = reader.requiredEnum(QStringLiteral("type"), {QStringLiteral("hello")});
    const QString token = reader.requiredString(QStringLiteral("token"), 128);
    const qint64 since = reader.optionalInteger(QStringLiteral("since"), 0, std::numeric_limits<qint64>::max() / 2)
                             .value_or(0);
    if (auto ok = reader.finish(); !ok)
        return drop(c, QStringLiteral("bad-hello"), ok.error().message);
    auto caller = m_sessions.authenticate(token);
    if (!caller || !caller->has_value())
        return drop(c, QStringLiteral("unauthenticated"), QStringLiteral("The session is missing, expired or revoked."));
    c->caller = **caller;
    c->helloTimeout.stop();
    Q_UNUSED(type);

    // Backlog: everything after `since` that this person may see. The oldest retained row tells whether `since`
    // is still covered; if not, the client must refetch state (reset) and continue from the head.
    qint64 cursor = since;
    if (since > 0) {
        // With every row pruned, the next event to come is the oldest a client could still get.
        auto oldest = m_db.query(QStringLiteral("SELECT MIN(seq) FROM events"));
        const qint64 oldestKept = oldest && !oldest->empty() && !oldest->front().isNull(0) ? oldest->front().integer(0)
                                                                                          : m_head + 1;
        if (since < m_head && oldestKept > since + 1) {
            c->socket->sendTextMessage(QString::fromUtf8(json::compact(
                {{QStringLiteral("type"), QStringLiteral("reset")}, {QStringLiteral("head"), m_head}})));
            cursor = m_head;
        }
    } else {
        cursor = m_head; // a fresh client starts from now; it fetched state over the API
    }
    for (;;) {
        auto rows = m_db.query(QStringLiteral("SELECT seq, org_id, audience, type, payload, created_at FROM events"
                                              " WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
                               {c->caller.orgId, cursor, qint64(kBacklogPage)});
        if (!rows)
            return drop(c, QStringLiteral("internal"), QStringLiteral("The event backlog could not be read."));
        for (const store::Row& r : *rows) {
            Event e{r.integer(0), r.text(1), r.text(2), r.text(3), r.text(4).toUtf8(), r.integer(5)};
            cursor = e.seq;
            if (visibleTo(c->caller, e.orgId, e.audience))
                sendEvent(c, e);
        }
        if (int(rows->size()) < kBacklogPage)
            break;
    }
    c->ready = true;
    c->socket->sendTextMessage(QString::fromUtf8(
        json::compact({{QStringLiteral("type"), QStringLiteral("ready")}, {QStringLiteral("head"), m_head}})));
}

void EventHub::sendEvent(Client* c, const Event& e)
{
    const QJsonObject data = QJsonDocument::fromJson(e.payload).object();
    c->socket->sendTextMessage(QString::fromUtf8(json::compact({{QStringLiteral("type"), QStringLiteral("event")},
                                                                {QStringLiteral("seq"), e.seq},
                                                                {QStringLiteral("event"), e.type},
                                                                {QStringLiteral("at"), toRfc3339(e.createdAt)},
                                                                {QStringLiteral("data"), data}})));
}

void EventHub::drop(Client* c, const QString& code, const QString& message)
{
    qCInfo(lcEvents) << "closing event channel:" << code;
    c->ready = false;
    if (c->socket->isValid()) {
        c->socket->sendTextMessage(QString::fromUtf8(json::compact({{QStringLiteral("type"), QStringLiteral("error")},
                                                                    {QStringLiteral("code"), code},
                                                                    {QStringLiteral("message"), message}})));
        c->socket->close(QWebSocketProtocol::CloseCodePolicyViolated, code);
    }
}

void EventHub::closeSessions(const QStringList& sessionIds)
{
    for (auto& c : m_clients) {
        if (c->caller.signedIn() && sessionIds.contains(c->caller.sessionId))
            drop(c.get(), QStringLiteral("session-ended"), QStringLiteral("The session ended."));
    }
}

void EventHub::closePerson(const QString& personId)
{
    for (auto& c : m_clients) {
        if (c->caller.personId == personId)
            drop(c.get(), QStringLiteral("session-ended"), QStringLiteral("The session ended."));
    }
}

Result<qint64> EventHub::pruneOlderThan(TimeMs cutoff)
{
    return m_db.execCount(QStringLiteral("DELETE FROM events WHERE created_at < ?"), {cutoff});
}

void EventHub::revalidate()
{
    for (auto& c : m_clients) {
        if (!c->ready)
            continue;
        auto live = m_sessions.isLive(c->caller.sessionId);
        if (live && !*live)
            drop(c.get(), QStringLiteral("session-ended"), QStringLiteral("The session expired or was revoked."));
    }
}

} // namespace stint::cloud
