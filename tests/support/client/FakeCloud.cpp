// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/client/FakeCloud.h"

#include "client/ApiError.h"
#include "client/HttpTransport.h"
#include "core/Crypto.h"
#include "core/Ids.h"
#include "core/Json.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QLoggingCategory>
#include <QMap>
#include <QPointer>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QTimer>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <limits>
#include <tuple>
#include <variant>

Q_LOGGING_CATEGORY(lcFakeCloud, "stint.test.fakecloud")

namespace stint::test {

using client::ApiRequest;
using client::ApiResponse;
using client::LiveEvent;
using models::CheckoutState;

namespace {

constexpr auto kProblemBase = "https://stint.invalid/problems/";
constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 200;
constexpr int kApprovalTtlHours = 24;
constexpr int kSessionIdleMinutes = 60;
constexpr int kSessionAbsoluteHours = 12;
constexpr qint64 kConnectStateTtlMs = 10 * 60 * 1000;
constexpr qint64 kNativeCodeTtlMs = 60 * 1000;

// --- answers -------------------------------------------------------------------------------------------------------

struct Reply
{
    int status = 200;
    QJsonObject json;
    bool hasBody = true;
    QList<QPair<QByteArray, QByteArray>> headers;
};

Reply answer(int status, QJsonObject body)
{
    return Reply{status, std::move(body), true, {}};
}

Reply noContent()
{
    return Reply{204, {}, false, {}};
}

// The cloud's problem titles (cloud/http/Problem.cpp and the handlers).
QString titleFor(int status, const QString& slug)
{
    if (slug == QLatin1String("validation"))
        return QStringLiteral("Some fields are not valid.");
    switch (status) {
    case 400:
        return QStringLiteral("The request is not valid.");
    case 401:
        return slug == QLatin1String("signin-failed") ? QStringLiteral("Sign-in failed.")
                                                      : QStringLiteral("Sign-in required.");
    case 403:
        return QStringLiteral("Not allowed.");
    case 404:
        return QStringLiteral("Not found.");
    case 405:
        return QStringLiteral("Method not allowed.");
    case 409:
        return QStringLiteral("Conflict.");
    case 413:
        return QStringLiteral("The request body is too large.");
    case 429:
        return QStringLiteral("Too many attempts.");
    default:
        return status >= 500 ? QStringLiteral("Something went wrong on the server.")
                             : QStringLiteral("The request cannot be done.");
    }
}

Reply problem(int status, const QString& slug, const QString& detail, const QJsonObject& extra = {})
{
    QJsonObject body = extra;
    body.insert(QStringLiteral("type"), QString::fromLatin1(kProblemBase) + slug);
    body.insert(QStringLiteral("title"), titleFor(status, slug));
    body.insert(QStringLiteral("status"), status);
    if (!detail.isEmpty())
        body.insert(QStringLiteral("detail"), detail);
    Reply r{status, body, true, {}};
    if (status == 401)
        r.headers.append(qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"stint\"")));
    if (status == 429)
        r.headers.append(
            qMakePair(QByteArray("Retry-After"), QByteArray::number(extra.value(QLatin1String("retryAfter")).toInt())));
    return r;
}

Reply validation(const QString& detail)
{
    return problem(422, QStringLiteral("validation"), detail);
}

Reply fieldError(const QString& field, const QString& what)
{
    return problem(422, QStringLiteral("validation"), QStringLiteral("%1: %2").arg(field, what),
                   {{QStringLiteral("field"), field}});
}

Reply notFound(const QString& what = {})
{
    return problem(404, QStringLiteral("not-found"),
                   what.isEmpty() ? QStringLiteral("There is nothing here.") : QStringLiteral("No such %1.").arg(what));
}

Reply forbidden(const QString& detail = {})
{
    return problem(403, QStringLiteral("forbidden"),
                   detail.isEmpty() ? QStringLiteral("Your role does not allow this.") : detail);
}

Reply conflict(const QString& slug, const QString& detail, const QJsonObject& extra = {})
{
    return problem(409, slug, detail, extra);
}

Reply badQuery(const QString& detail, const QString& slug = QStringLiteral("bad-query"))
{
    return problem(400, slug, detail);
}

// A reader's problems as the cloud answers them (ApiError::fromError of request.invalid).
Reply readerProblem(const Error& e)
{
    return validation(e.message);
}

QJsonValue timeOrNull(const std::optional<TimeMs>& t)
{
    return t ? QJsonValue(toRfc3339(*t)) : QJsonValue(QJsonValue::Null);
}

QJsonValue textOrNull(const std::optional<QString>& s)
{
    return s ? QJsonValue(*s) : QJsonValue(QJsonValue::Null);
}

// The cloud's Date header (RFC 7231 IMF-fixdate); HttpTransport::parseHttpDate reads it back (whole seconds).
QByteArray httpDate(TimeMs now)
{
    return QLocale::c()
        .toString(QDateTime::fromMSecsSinceEpoch(now, Qt::UTC), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
        .toLatin1();
}

Error unreachableError()
{
    return Error{QString::fromLatin1(client::errors::kUnreachable),
                 QStringLiteral("The service cannot be reached (Connection refused)."),
                 {}};
}

QString hexGuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces).toLower();
}

QString randomText(int bytes)
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(bytes)));
}

bool isOpenState(CheckoutState s)
{
    switch (s) {
    case CheckoutState::Ended:
    case CheckoutState::Denied:
    case CheckoutState::Cancelled:
    case CheckoutState::Expired:
    case CheckoutState::Failed:
        return false;
    default:
        return true;
    }
}

// The cloud's checkout state machine (cloud/checkouts/CheckoutStateMachine::successors).
QList<CheckoutState> successors(CheckoutState state)
{
    switch (state) {
    case CheckoutState::Requested:
        return {CheckoutState::AwaitingApproval, CheckoutState::Provisioning, CheckoutState::Cancelled,
                CheckoutState::Failed};
    case CheckoutState::AwaitingApproval:
        return {CheckoutState::Provisioning, CheckoutState::Denied, CheckoutState::Cancelled, CheckoutState::Expired};
    case CheckoutState::Provisioning:
        return {CheckoutState::Ready, CheckoutState::Revoking, CheckoutState::Failed};
    case CheckoutState::Ready:
        return {CheckoutState::Revoking};
    case CheckoutState::Revoking:
        return {CheckoutState::Ended, CheckoutState::RevokeFailed};
    case CheckoutState::RevokeFailed:
        return {CheckoutState::Revoking};
    default:
        return {};
    }
}

bool matchPattern(const QStringList& pattern, const QStringList& path, QHash<QString, QString>* params)
{
    if (pattern.size() != path.size())
        return false;
    QHash<QString, QString> found;
    for (int i = 0; i < pattern.size(); ++i) {
        const QString& p = pattern.at(i);
        if (p.startsWith(QLatin1Char('{')) && p.endsWith(QLatin1Char('}'))) {
            if (path.at(i).isEmpty())
                return false;
            found.insert(p.mid(1, p.size() - 2), path.at(i));
        } else if (p != path.at(i)) {
            return false;
        }
    }
    *params = found;
    return true;
}

} // namespace

// --- the state ------------------------------------------------------------------------------------------------------

struct FakeCloud::State
{
    enum class Access
    {
        Public,
        Member,
        Admin,
    };

    struct Session
    {
        QString id;
        QByteArray token;
        QString personId;
        TimeMs createdAt = 0;
        TimeMs expiresAt = 0;
        bool ended = false;
    };

    struct Caller
    {
        QString personId;
        QString sessionId;
        QString email;
        bool admin = false;
        bool signedIn() const { return !personId.isEmpty(); }
    };

    struct Ctx
    {
        const ApiRequest& request;
        QHash<QString, QString> params;
        Caller caller;
        QString param(const QString& key) const { return params.value(key); }
        QJsonObject body() const { return request.body.value_or(QJsonObject()); }
        bool hasBody() const { return request.body.has_value(); }
    };

    using Handler = std::function<Reply(Ctx&)>;
    struct Route
    {
        QByteArray method;
        QStringList pattern;
        Access access;
        Handler handler;
        qsizetype maxBody = 1 << 20; // 0: no body allowed
        bool idempotent = false;
        bool needsBody = false; // the handler reads a JSON body (an absent one is malformed)
    };

    struct IssuedCredential
    {
        QString upn;
        QString password;
        QString tap;
        std::optional<TimeMs> tapExpiresAt;
    };

    struct Idempotent
    {
        QByteArray fingerprint;
        Reply reply;
    };

    struct ConnectFlow
    {
        QString tenantId;
        QString kind;
        QString redirectUri;
        QString sessionId;
        QString personId;
        TimeMs expiresAt = 0;
        bool used = false;
    };

    struct NativeCode
    {
        QString personId;
        QString challenge;
        QString redirectUri;
        TimeMs expiresAt = 0;
        bool used = false;
    };

    struct Ceremony
    {
        QString personId; // username-first: only this person's passkeys
        TimeMs expiresAt = 0;
        bool used = false;
    };

    struct StoredEvent
    {
        LiveEvent event;
        QString audience;
    };

    struct Failure
    {
        QByteArray method;
        QString prefix;
        int status = 0;
        QString slug;
        QString detail;
    };

    State(FakeCloud& q, const Clock& clock)
        : q(q)
        , clock(clock)
    {
        org.id = ids::newId(u"org");
        org.name = QStringLiteral("Fake MSP");
        org.createdAt = clock.now();
        registerRoutes();
    }

    FakeCloud& q;
    const Clock& clock;
    FakeEventChannel* channel = nullptr;

    models::Organization org;
    QMap<QString, models::Person> people;
    QList<Session> sessions;
    QByteArray transportToken;
    QMap<QString, models::Tenant> tenants;
    QMap<QString, models::Group> groups;
    QMap<QString, models::Policy> policies;
    QMap<QString, models::Checkout> checkouts;
    QMap<QString, models::Invite> invites;
    QMap<QString, models::Webhook> webhooks;
    QMap<QString, QMap<QString, QJsonObject>> deliveries; // webhook id → delivery id → delivery
    QMap<QString, models::SignInCredential> passkeys;     // passkey row id → passkey
    QHash<QString, QString> passkeyOwner;                  // passkey row id → person id
    QHash<QString, QString> passkeyByCredentialId;         // base64url credential id → passkey row id
    QHash<QString, models::ConnectionState> connectionStates;
    QHash<QString, QJsonObject> connectionCredentials; // tenant id → summary (never the secret)
    QHash<QString, ConnectFlow> connectFlows;           // state → flow
    QHash<QString, NativeCode> nativeCodes;
    QHash<QString, Ceremony> ceremonies;
    QHash<QString, IssuedCredential> credentials; // checkout id → its credential while ready
    QHash<QString, Idempotent> idempotency;       // person id + '\n' + key
    QList<models::AuditEvent> audit;
    QString auditHead;
    QList<StoredEvent> events;
    qint64 seq = 0;
    qint64 requestNumber = 0;

    bool unreachable = false;
    bool autoProvision = true;
    bool mspAppConfigured = true;
    int delayMs = 0;
    QList<Failure> failures;
    QList<ApiRequest> requests;
    QList<Route> routes;

    // --- sessions and callers ---

    Session* sessionByToken(const QByteArray& token)
    {
        if (token.isEmpty())
            return nullptr;
        for (Session& s : sessions) {
            if (crypto::constantTimeEquals(s.token, token))
                return &s;
        }
        return nullptr;
    }

    // The caller a token stands for, if its session is live and its person active.
    Caller callerFor(const QByteArray& token)
    {
        Session* s = sessionByToken(token);
        if (!s || s->ended || s->expiresAt <= clock.now())
            return {};
        const auto p = people.constFind(s->personId);
        if (p == people.constEnd() || p->status != QLatin1String("active"))
            return {};
        return Caller{p->id, s->id, p->email, p->role == QLatin1String("admin")};
    }

    QByteArray newSession(const QString& personId, QString* sessionId = nullptr)
    {
        Session s;
        s.id = ids::newId(u"ses");
        s.token = ids::newToken().toLatin1();
        s.personId = personId;
        s.createdAt = clock.now();
        s.expiresAt = s.createdAt + qint64(kSessionAbsoluteHours) * 3'600'000;
        sessions.append(s);
        if (sessionId)
            *sessionId = s.id;
        return s.token;
    }

    // A person as the cloud shows them: with the groups they are a member of.
    models::Person withGroups(models::Person p) const
    {
        p.groupIds.clear();
        for (const models::Group& g : groups) {
            if (g.memberIds.contains(p.id))
                p.groupIds << g.id;
        }
        return p;
    }

    QJsonObject sessionJson(const Session& s)
    {
        const TimeMs idle = std::min(s.expiresAt, clock.now() + qint64(kSessionIdleMinutes) * 60'000);
        return {{QStringLiteral("token"), QString::fromLatin1(s.token)},
                {QStringLiteral("sessionId"), s.id},
                {QStringLiteral("expiresAt"), toRfc3339(s.expiresAt)},
                {QStringLiteral("idleExpiresAt"), toRfc3339(idle)},
                {QStringLiteral("person"), withGroups(people.value(s.personId)).toJson()}};
    }

    void endSessionsWhere(const std::function<bool(const Session&)>& which)
    {
        for (Session& s : sessions) {
            if (!s.ended && which(s)) {
                s.ended = true;
                channel->closeIfSession(s.id);
            }
        }
    }

    // --- events and audit ---

    void publish(const QString& audience, const QString& type, const QJsonObject& data)
    {
        LiveEvent e;
        e.seq = ++seq;
        e.type = type;
        e.at = clock.now();
        e.data = data;
        events.append({e, audience});
        channel->deliver(e, audience);
    }

    static bool visibleTo(const QString& personId, bool admin, const QString& audience)
    {
        for (QStringView part : QStringView(audience).split(QLatin1Char('|'))) {
            if (part == QLatin1String("org") || (part == QLatin1String("admins") && admin)
                || (part.startsWith(QLatin1String("person:")) && part.mid(7) == personId))
                return true;
        }
        return false;
    }

    models::AuditEvent record(const QString& action, const QString& actorId, const QString& targetType,
                              const QString& targetId, const QString& tenantId, const QJsonObject& details,
                              const QString& outcome = QStringLiteral("success"), std::optional<TimeMs> at = {})
    {
        models::AuditEvent e;
        e.id = ids::newId(u"aud");
        e.seq = audit.isEmpty() ? 1 : audit.last().seq + 1;
        e.occurredAt = at.value_or(clock.now());
        e.actorId = actorId;
        e.actorLabel = actorId == QLatin1String("system") ? QString() : people.value(actorId).email;
        e.action = action;
        e.targetType = targetType;
        e.targetId = targetId;
        e.tenantId = tenantId;
        e.sourceAddress = actorId == QLatin1String("system") ? QString() : QStringLiteral("127.0.0.1");
        e.outcome = outcome;
        e.details = details;
        e.prevHash = auditHead.isEmpty() ? QString(64, QLatin1Char('0')) : auditHead;
        e.hash = QString::fromLatin1(
            crypto::sha256(e.prevHash.toUtf8() + QJsonDocument(auditJson(e)).toJson(QJsonDocument::Compact)).toHex());
        auditHead = e.hash;
        audit.append(e);
        return e;
    }

    QJsonObject auditJson(const models::AuditEvent& e) const
    {
        QJsonObject o = e.toJson();
        o.insert(QStringLiteral("orgId"), org.id); // AuditLog::toJson writes it too
        return o;
    }

    // --- grants (cloud/policies/PolicyStore grantsIn and policiesNaming) ---

    QList<models::Policy> policiesNaming(const QString& personId, const QString& tenantId = {}) const
    {
        QList<models::Policy> out;
        for (const models::Policy& p : policies) {
            if (!tenantId.isEmpty() && !p.tenantIds.contains(tenantId))
                continue;
            const bool named = std::any_of(p.subjects.begin(), p.subjects.end(), [&](const models::PolicySubject& s) {
                if (s.type == QLatin1String("person"))
                    return s.id == personId;
                const auto g = groups.constFind(s.id);
                return g != groups.constEnd() && g->memberIds.contains(personId);
            });
            if (named)
                out.append(p);
        }
        return out;
    }

    static QList<models::TenantGrant> grantsIn(const models::Tenant& tenant, const QList<models::Policy>& named)
    {
        QList<models::TenantGrant> grants;
        for (const models::Policy& p : named) {
            if (!p.tenantIds.contains(tenant.id))
                continue;
            models::TenantGrant g;
            g.policyId = p.id;
            g.policyName = p.name;
            for (const QString& role : p.roleDefinitionIds) {
                if (tenant.connection.offers(role))
                    g.roleDefinitionIds << role;
            }
            if (g.roleDefinitionIds.isEmpty())
                continue;
            g.maxDurationMinutes = std::min(p.maxDurationMinutes, tenant.connection.maxDurationMinutes);
            g.requireJustification = p.requireJustification;
            g.requireTicket = p.requireTicket;
            g.requireApproval = p.requireApproval;
            grants.append(g);
        }
        auto key = [](const models::TenantGrant& g) {
            return std::make_tuple(g.requireApproval, int(g.requireJustification) + int(g.requireTicket),
                                   -g.maxDurationMinutes, g.policyId);
        };
        std::sort(grants.begin(), grants.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
        return grants;
    }

    QJsonObject tenantJsonFor(const models::Tenant& tenant, const QString& personId) const
    {
        QJsonArray grants;
        for (const models::TenantGrant& g : grantsIn(tenant, policiesNaming(personId, tenant.id)))
            grants.append(g.toJson());
        QJsonObject o = tenant.toJson();
        o.insert(QStringLiteral("myGrants"), grants);
        return o;
    }

    bool isGranted(const QString& tenantId, const QString& personId) const
    {
        return !policiesNaming(personId, tenantId).isEmpty();
    }

    // Records a change of what people may be granted: the admins hear the change, everyone that grants changed, and
    // live checkouts that nothing grants any more are taken back (GrantChange.cpp).
    void grantChange(const QString& eventType, const QJsonObject& eventData)
    {
        publish(QStringLiteral("admins"), eventType, eventData);
        publish(QStringLiteral("org"), QStringLiteral("grants.changed"), {});
        for (const models::Checkout& c : QList<models::Checkout>(checkouts.values())) {
            if (c.state != CheckoutState::Provisioning && c.state != CheckoutState::Ready)
                continue;
            const auto t = tenants.constFind(c.tenantId);
            bool granted = false;
            if (t != tenants.constEnd()) {
                for (const models::TenantGrant& g : grantsIn(*t, policiesNaming(c.technicianId, c.tenantId)))
                    granted = granted || g.grantsAll(c.roleDefinitionIds);
            }
            if (!granted)
                move(c.id, CheckoutState::Revoking, QStringLiteral("policy_removed"), QStringLiteral("system"));
        }
    }

    // --- checkouts: the state machine's apply() ---

    bool move(const QString& checkoutId, CheckoutState to, const QString& reason, const QString& actorId,
              std::optional<TimeMs> nextActionAt = {})
    {
        auto it = checkouts.find(checkoutId);
        if (it == checkouts.end())
            return false;
        const models::Checkout current = *it;
        if (!successors(current.state).contains(to)) {
            qCWarning(lcFakeCloud) << "a checkout that is" << models::toString(current.state) << "cannot become"
                                   << models::toString(to);
            return false;
        }
        const TimeMs now = clock.now();
        models::Checkout next = current;
        next.state = to;
        next.stateReason = reason;
        next.attempts = 0;
        next.updatedAt = now;
        next.version = current.version + 1;
        switch (to) {
        case CheckoutState::AwaitingApproval:
            next.nextActionAt = now + qint64(kApprovalTtlHours) * 3'600'000;
            break;
        case CheckoutState::Requested:
        case CheckoutState::Provisioning:
        case CheckoutState::Revoking:
            next.nextActionAt = now;
            break;
        case CheckoutState::Ready:
            next.readyAt = now;
            next.expiresAt = now + qint64(current.durationMinutes) * 60'000;
            next.nextActionAt = next.expiresAt;
            if (!next.accountUpn)
                next.accountUpn = accountUpnFor(next);
            break;
        case CheckoutState::RevokeFailed:
            next.nextActionAt.reset();
            break;
        default:
            next.nextActionAt.reset();
            next.endedAt = now;
            break;
        }
        if (nextActionAt)
            next.nextActionAt = nextActionAt;
        if (current.state == CheckoutState::AwaitingApproval
            && (to == CheckoutState::Provisioning || to == CheckoutState::Denied)) {
            next.decidedBy = actorId;
            next.decidedAt = now;
        }
        *it = next;
        record(QStringLiteral("checkout.transition"), actorId, QStringLiteral("checkout"), next.id, next.tenantId,
               {{QStringLiteral("from"), models::toString(current.state)},
                {QStringLiteral("to"), models::toString(to)},
                {QStringLiteral("reason"), reason},
                {QStringLiteral("actor"), actorId}});
        if (current.state == CheckoutState::Ready && credentials.remove(next.id) > 0)
            record(QStringLiteral("checkout.credential_destroyed"), actorId, QStringLiteral("checkout"), next.id,
                   next.tenantId, {{QStringLiteral("state"), models::toString(to)}});
        if (to == CheckoutState::Ready && !credentials.contains(next.id))
            credentials.insert(next.id, defaultCredential(next));
        publishCheckout(next);
        return true;
    }

    void publishCheckout(const models::Checkout& c)
    {
        publish(QStringLiteral("admins|person:") + c.technicianId, QStringLiteral("checkout.updated"), c.toJson());
    }

    QString accountUpnFor(const models::Checkout& c) const
    {
        const models::Tenant t = tenants.value(c.tenantId);
        const models::Person p = people.value(c.technicianId);
        const QString local = models::accountNaming::expand(t.connection.accountNamingRule, p.email, p.displayName,
                                                            p.id);
        QString domain = t.connection.accountDomain.value_or(QString());
        if (domain.isEmpty()) {
            QString slug = t.name.toLower();
            slug.remove(QRegularExpression(QStringLiteral("[^a-z0-9]")));
            domain = (slug.isEmpty() ? QStringLiteral("tenant") : slug) + QStringLiteral(".onmicrosoft.com");
        }
        return local + QLatin1Char('@') + domain;
    }

    IssuedCredential defaultCredential(const models::Checkout& c) const
    {
        const QString kind = tenants.value(c.tenantId).connection.credentialKind;
        IssuedCredential cred;
        cred.upn = c.accountUpn.value_or(accountUpnFor(c));
        if (kind != QLatin1String("tap"))
            cred.password = QStringLiteral("Pw-") + randomText(12);
        if (kind != QLatin1String("password")) {
            cred.tap = QStringLiteral("Tap-") + randomText(9);
            cred.tapExpiresAt = c.expiresAt.value_or(clock.now()) + 60'000;
        }
        return cred;
    }

    // What the provisioning engine does with a new request: pick it up at once, when the tenant is connected.
    void engineTakes(const QString& checkoutId)
    {
        const models::Checkout c = checkouts.value(checkoutId);
        const QString status = tenants.value(c.tenantId).connection.status;
        if (!autoProvision || c.state != CheckoutState::Requested
            || (status != QLatin1String("connected") && status != QLatin1String("unhealthy")))
            return;
        move(checkoutId, CheckoutState::Provisioning, {}, QStringLiteral("system"));
    }

    // --- connections (cloud/api/ConnectionsApi connectionJson) ---

    QJsonObject connectionJson(const models::Tenant& t) const
    {
        const models::ConnectionState s = connectionStates.value(t.id);
        QJsonObject reportJson;
        if (s.report) {
            const models::ConnectionReport& r = *s.report;
            QJsonArray domains, roles, findings;
            for (const models::VerifiedDomain& dm : r.domains)
                domains.append(QJsonObject{{QStringLiteral("name"), dm.name},
                                           {QStringLiteral("isDefault"), dm.isDefault},
                                           {QStringLiteral("isInitial"), dm.isInitial},
                                           {QStringLiteral("isManaged"), true}});
            for (const models::RoleDefinition& rd : r.roleDefinitions)
                roles.append(QJsonObject{{QStringLiteral("id"), rd.id},
                                         {QStringLiteral("displayName"), rd.displayName},
                                         {QStringLiteral("description"), rd.description},
                                         {QStringLiteral("isBuiltIn"), rd.isBuiltIn},
                                         {QStringLiteral("isPrivileged"), rd.isPrivileged}});
            for (const models::ConnectionFinding& f : r.findings)
                findings.append(QJsonObject{{QStringLiteral("severity"), f.severity},
                                            {QStringLiteral("code"), f.code},
                                            {QStringLiteral("message"), f.message}});
            reportJson
                = {{QStringLiteral("entraTenantId"), r.entraTenantId},
                   {QStringLiteral("displayName"), r.displayName},
                   {QStringLiteral("domains"), domains},
                   {QStringLiteral("roleDefinitions"), roles},
                   {QStringLiteral("grantedPermissions"), QJsonArray::fromStringList(r.grantedPermissions)},
                   {QStringLiteral("servicePrincipalRoles"), QJsonArray::fromStringList(r.servicePrincipalRoles)},
                   {QStringLiteral("tapPolicy"),
                    QJsonObject{{QStringLiteral("enabled"), true},
                                {QStringLiteral("minimumLifetimeMinutes"), 60},
                                {QStringLiteral("maximumLifetimeMinutes"), 480},
                                {QStringLiteral("defaultLifetimeMinutes"), 60},
                                {QStringLiteral("isUsableOnce"), false}}},
                   {QStringLiteral("credentialExpiresAt"), timeOrNull(r.credentialExpiresAt)},
                   {QStringLiteral("findings"), findings},
                   {QStringLiteral("healthy"), r.healthy},
                   {QStringLiteral("checkedAt"), toRfc3339(r.checkedAt)}};
        }
        const bool ownApp = connectionCredentials.contains(t.id);
        QJsonValue lastError(QJsonValue::Null);
        if (s.lastError)
            lastError = QJsonObject{{QStringLiteral("code"), s.lastError->code},
                                    {QStringLiteral("message"), s.lastError->message}};
        return {
            {QStringLiteral("tenantId"), t.id},
            {QStringLiteral("status"), t.connection.status},
            {QStringLiteral("entraTenantId"), textOrNull(t.connection.entraTenantId)},
            {QStringLiteral("nationalCloud"), t.connection.nationalCloud},
            {QStringLiteral("credential"),
             ownApp ? QJsonValue(connectionCredentials.value(t.id)) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("usesMultiTenantApp"), !ownApp},
            {QStringLiteral("multiTenantAppConfigured"), mspAppConfigured},
            {QStringLiteral("report"), reportJson.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(reportJson)},
            {QStringLiteral("checkedAt"), timeOrNull(s.checkedAt)},
            {QStringLiteral("lastError"), lastError},
            {QStringLiteral("lastReconciledAt"), timeOrNull(s.lastReconciledAt)},
            {QStringLiteral("driftFound"), s.driftFound},
            {QStringLiteral("reconciliation"), QJsonValue(QJsonValue::Null)}};
    }

    void setTenantStatus(const QString& tenantId, const QString& status, const std::optional<QString>& entraTenantId,
                         bool touchEntraId)
    {
        auto it = tenants.find(tenantId);
        if (it == tenants.end())
            return;
        it->connection.status = status;
        if (touchEntraId)
            it->connection.entraTenantId = entraTenantId;
        publishConnection(*it);
    }

    void publishConnection(const models::Tenant& t)
    {
        publish(QStringLiteral("admins"), QStringLiteral("tenant.connection"),
                {{QStringLiteral("tenantId"), t.id},
                 {QStringLiteral("status"), t.connection.status},
                 {QStringLiteral("entraTenantId"), textOrNull(t.connection.entraTenantId)},
                 {QStringLiteral("tenant"), t.toJson()}});
    }

    // What the health check finds in a tenant that works: its domain and the roles it offers.
    models::ConnectionReport healthyReport(const models::Tenant& t, const QString& entraTenantId) const
    {
        models::ConnectionReport r;
        r.entraTenantId = entraTenantId;
        r.displayName = t.name;
        r.domains.append({t.connection.accountDomain.value_or(QStringLiteral("contoso.onmicrosoft.com")), true, true});
        for (const models::OfferedRole& role : t.connection.rolesOffered)
            r.roleDefinitions.append({role.roleDefinitionId, role.displayName, {}, true, true});
        r.grantedPermissions
            = {QStringLiteral("User.ReadWrite.All"), QStringLiteral("RoleManagement.ReadWrite.Directory"),
               QStringLiteral("UserAuthenticationMethod.ReadWrite.All")};
        r.servicePrincipalRoles = {QStringLiteral("Privileged Authentication Administrator")};
        r.healthy = true;
        r.checkedAt = clock.now();
        return r;
    }

    // The proof of a tenant runs on the cloud's workers: the answer says "verifying", the outcome comes as an event.
    void proveLater(const QString& tenantId, const QString& entraTenantId)
    {
        QPointer<FakeCloud> self(&q);
        QTimer::singleShot(std::max(0, delayMs), &q, [self, this, tenantId, entraTenantId]() {
            if (!self || !tenants.contains(tenantId))
                return;
            const models::Tenant t = tenants.value(tenantId);
            models::ConnectionState s = connectionStates.value(tenantId);
            s.tenantId = tenantId;
            s.report = healthyReport(t, entraTenantId);
            s.checkedAt = clock.now();
            s.lastError.reset();
            connectionStates.insert(tenantId, s);
            setTenantStatus(tenantId, QStringLiteral("connected"), entraTenantId, true);
            record(QStringLiteral("tenant.connection.check"), QStringLiteral("system"), QStringLiteral("tenant"),
                   tenantId, tenantId,
                   {{QStringLiteral("entraTenantId"), entraTenantId},
                    {QStringLiteral("status"), QStringLiteral("connected")}});
        });
    }

    // --- pagination (cloud/http/Pagination) ---

    struct PageRequest
    {
        int limit = kDefaultPage;
        QString afterId;
    };

    static std::variant<PageRequest, Reply> readPage(const ApiRequest& r, const QStringList& allowed = {})
    {
        PageRequest page;
        for (const auto& [key, value] : r.query.queryItems(QUrl::FullyDecoded)) {
            if (key == QLatin1String("limit")) {
                bool ok = false;
                const int limit = value.toInt(&ok);
                if (!ok || limit < 1 || limit > kMaxPage)
                    return badQuery(QStringLiteral("limit must be an integer from 1 to 200."));
                page.limit = limit;
            } else if (key == QLatin1String("cursor")) {
                auto after = crypto::base64UrlDecode(value.toLatin1());
                if (value.size() > 512 || !after || after->isEmpty())
                    return badQuery(QStringLiteral("cursor is not one this server handed out."),
                                    QStringLiteral("bad-cursor"));
                page.afterId = QString::fromUtf8(*after);
            } else if (!allowed.contains(key)) {
                return badQuery(QStringLiteral("Unknown query parameter '%1'.").arg(key.left(64)));
            }
        }
        return page;
    }

    // `rows` sorted by id; only those after the cursor are taken.
    static Reply pageOf(const QList<QPair<QString, QJsonObject>>& rows, const PageRequest& page)
    {
        QJsonArray items;
        QString last;
        bool more = false;
        for (const auto& [id, item] : rows) {
            if (!page.afterId.isEmpty() && id <= page.afterId)
                continue;
            if (items.size() == page.limit) {
                more = true;
                break;
            }
            items.append(item);
            last = id;
        }
        return answer(200, {{QStringLiteral("items"), items},
                          {QStringLiteral("nextCursor"),
                           more ? QJsonValue(QString::fromLatin1(crypto::base64UrlEncode(last.toUtf8())))
                                : QJsonValue(QJsonValue::Null)}});
    }

    template <typename T, typename F>
    static Reply listPage(const ApiRequest& r, const QMap<QString, T>& map, F toJson, const QStringList& allowed = {})
    {
        auto page = readPage(r, allowed);
        if (auto* e = std::get_if<Reply>(&page))
            return *e;
        QList<QPair<QString, QJsonObject>> rows;
        for (auto it = map.constBegin(); it != map.constEnd(); ++it)
            rows.append({it.key(), toJson(it.value())});
        return pageOf(rows, std::get<PageRequest>(page));
    }

    // --- the pipeline (cloud/CloudHttpServer::dispatch) ---

    Result<ApiResponse> handle(const ApiRequest& request)
    {
        ++requestNumber;
        requests.append(request);
        if (unreachable)
            return unreachableError();
        for (int i = 0; i < failures.size(); ++i) {
            const Failure& f = failures.at(i);
            if ((f.method.isEmpty() || f.method == request.method) && request.path.startsWith(f.prefix)) {
                const Failure failure = failures.takeAt(i);
                if (failure.status == 0)
                    return unreachableError();
                QJsonObject extra;
                if (failure.status == 429)
                    extra.insert(QStringLiteral("retryAfter"), 1);
                return toResult(request, problem(failure.status, failure.slug,
                                                 failure.detail.isEmpty() ? QStringLiteral("It failed (fake).")
                                                                          : failure.detail,
                                                 extra));
            }
        }
        return toResult(request, dispatch(request));
    }

    Reply dispatch(const ApiRequest& request)
    {
        const QString path = request.path;
        QStringList segments = path.split(QLatin1Char('/'));
        if (!segments.isEmpty() && segments.first().isEmpty())
            segments.removeFirst();
        for (QString& s : segments)
            s = QUrl::fromPercentEncoding(s.toUtf8());
        const Route* route = nullptr;
        QHash<QString, QString> params;
        QStringList allowed;
        for (const Route& r : routes) {
            QHash<QString, QString> p;
            if (!matchPattern(r.pattern, segments, &p))
                continue;
            if (r.method == request.method) {
                route = &r;
                params = p;
                break;
            }
            allowed << QString::fromLatin1(r.method);
        }
        if (!route) {
            if (!allowed.isEmpty())
                return problem(405, QStringLiteral("method-not-allowed"),
                               QStringLiteral("Allowed: %1").arg(allowed.join(QStringLiteral(", "))));
            return notFound();
        }
        const qsizetype bodyBytes
            = request.body ? QJsonDocument(*request.body).toJson(QJsonDocument::Compact).size() : 0;
        if (bodyBytes > route->maxBody)
            return problem(413, QStringLiteral("body-too-large"),
                           QStringLiteral("This endpoint accepts at most %1 bytes.").arg(route->maxBody));
        Caller caller;
        if (route->access != Access::Public && request.authenticated)
            caller = callerFor(transportToken);
        if (route->access != Access::Public && !caller.signedIn())
            return problem(401, QStringLiteral("unauthenticated"),
                           QStringLiteral("Sign in; the session is missing, expired or revoked."));
        if (route->access == Access::Admin && !caller.admin)
            return forbidden(QStringLiteral("Only an organization admin may do this."));
        if (route->needsBody && !request.body)
            return problem(400, QStringLiteral("malformed-json"), QStringLiteral("The body is not valid JSON."));
        Ctx ctx{request, params, caller};
        if (route->idempotent && !request.idempotencyKey.isEmpty())
            return withIdempotency(*route, ctx);
        return route->handler(ctx);
    }

    Reply withIdempotency(const Route& route, Ctx& ctx)
    {
        const QByteArray key = ctx.request.idempotencyKey.toUtf8();
        if (key.size() > 128 || std::any_of(key.begin(), key.end(), [](char c) { return c < 0x21 || c > 0x7e; }))
            return badQuery(QStringLiteral("Idempotency-Key must be 1 to 128 visible ASCII characters."),
                            QStringLiteral("bad-idempotency-key"));
        const QByteArray fingerprint
            = crypto::sha256(ctx.request.method + ' ' + ctx.request.path.toUtf8() + '\n'
                             + (ctx.request.body ? QJsonDocument(*ctx.request.body).toJson(QJsonDocument::Compact)
                                                 : QByteArray()));
        const QString slot = ctx.caller.personId + QLatin1Char('\n') + QString::fromLatin1(key);
        const auto found = idempotency.constFind(slot);
        if (found != idempotency.constEnd()) {
            if (found->fingerprint != fingerprint)
                return problem(422, QStringLiteral("idempotency-key-reused"),
                               QStringLiteral("Use a new key for a new request."));
            Reply replay = found->reply;
            replay.headers.append(qMakePair(QByteArray("Idempotent-Replayed"), QByteArray("true")));
            return replay;
        }
        Reply reply = route.handler(ctx);
        if (reply.status < 300)
            idempotency.insert(slot, {fingerprint, reply});
        return reply;
    }

    Result<ApiResponse> toResult(const ApiRequest& request, const Reply& reply)
    {
        const TimeMs now = clock.now();
        const bool isProblem = reply.status >= 400;
        const QByteArray contentType
            = isProblem ? QByteArray("application/problem+json") : QByteArray("application/json");
        QJsonObject payload = reply.json;
        if (isProblem) {
            payload.insert(QStringLiteral("instance"), request.path);
            payload.insert(QStringLiteral("requestId"), QStringLiteral("req_fake%1").arg(requestNumber));
        }
        ApiResponse response;
        response.status = reply.status;
        if (reply.hasBody)
            response.body = QJsonDocument(payload).toJson(QJsonDocument::Compact);
        if (reply.hasBody)
            response.headers.append(qMakePair(QByteArray("Content-Type"), contentType));
        const QByteArray date = httpDate(now);
        response.headers.append(qMakePair(QByteArray("Date"), date));
        response.headers.append(
            qMakePair(QByteArray("X-Request-Id"), QStringLiteral("req_fake%1").arg(requestNumber).toLatin1()));
        bool hasCache = false;
        for (const auto& h : reply.headers) {
            response.headers.append(h);
            hasCache = hasCache || h.first == "Cache-Control";
        }
        if (!hasCache)
            response.headers.append(qMakePair(QByteArray("Cache-Control"), QByteArray("no-store")));
        response.serverTime = client::HttpTransport::parseHttpDate(date);
        if (isProblem)
            return client::errors::fromHttpStatus(reply.status, response.body, contentType);
        // As HttpTransport: a sensitive answer is handed over only as bytes, for the typed layer to parse and wipe.
        if (reply.hasBody && !request.sensitive)
            response.json = payload;
        return response;
    }

    void deliver(const client::Call<ApiResponse>& call, Result<ApiResponse> result)
    {
        auto resolve = [call, result = std::move(result)]() { call.resolve(result); };
        if (delayMs > 0)
            QTimer::singleShot(delayMs, &q, resolve);
        else
            QMetaObject::invokeMethod(&q, resolve, Qt::QueuedConnection);
    }

    // --- the routes (cloud/Routes.cpp) ---

    void add(const QByteArray& method, const QString& pattern, Access access, Handler handler, qsizetype maxBody,
             bool idempotent = false, bool needsBody = false)
    {
        QStringList p = pattern.split(QLatin1Char('/'));
        p.removeFirst();
        routes.append(Route{method, p, access, std::move(handler), maxBody, idempotent, needsBody});
    }

    void registerRoutes();

    // Handlers, grouped like the cloud's.
    Reply signInBegin(Ctx& ctx);
    Reply signInFinish(Ctx& ctx);
    Reply nativeToken(Ctx& ctx);
    Reply signOut(Ctx& ctx);
    Reply me(Ctx& ctx);
    Reply mySessions(Ctx& ctx);
    Reply endMySession(Ctx& ctx);
    Reply credentialsOf(const QString& personId);
    Reply updatePerson(Ctx& ctx);
    Reply createInvite(Ctx& ctx);
    Reply createGroup(Ctx& ctx);
    Reply updateGroup(Ctx& ctx);
    Reply listTenants(Ctx& ctx);
    Reply getTenant(Ctx& ctx);
    Reply createTenant(Ctx& ctx);
    Reply updateTenant(Ctx& ctx);
    Reply deleteTenant(Ctx& ctx);
    Reply startConnection(Ctx& ctx);
    Reply completeConnection(Ctx& ctx);
    Reply checkConnection(Ctx& ctx);
    Reply disconnect(Ctx& ctx);
    Reply putConnectionCredential(Ctx& ctx);
    Reply readPolicy(Ctx& ctx, models::Policy& policy, bool creating, bool* maxGiven);
    Reply createPolicy(Ctx& ctx);
    Reply updatePolicy(Ctx& ctx);
    Reply listCheckouts(Ctx& ctx);
    Reply requestCheckout(Ctx& ctx);
    Reply checkoutAction(Ctx& ctx, const QString& action);
    Reply extendCheckout(Ctx& ctx);
    Reply checkoutCredential(Ctx& ctx);
    Reply queryAudit(Ctx& ctx);
    Reply createWebhook(Ctx& ctx);
    Reply updateWebhook(Ctx& ctx);
    Reply listDeliveries(Ctx& ctx);
    Reply redeliver(Ctx& ctx);

    // Helpers of the handlers.
    const models::Tenant* visibleTenant(const Ctx& ctx, const QString& id) const
    {
        const auto it = tenants.constFind(id);
        if (it == tenants.constEnd())
            return nullptr;
        if (!ctx.caller.admin && !isGranted(id, ctx.caller.personId))
            return nullptr;
        return &*it;
    }

    const models::Checkout* visibleCheckout(const Ctx& ctx) const
    {
        const auto it = checkouts.constFind(ctx.param(QStringLiteral("checkoutId")));
        if (it == checkouts.constEnd() || (!ctx.caller.admin && it->technicianId != ctx.caller.personId))
            return nullptr;
        return &*it;
    }

    Reply refuse(const Ctx& ctx, const QString& action, const QString& checkoutId, const QString& tenantId,
                 const Reply& error)
    {
        record(action, ctx.caller.personId, QStringLiteral("checkout"), checkoutId, tenantId,
               {{QStringLiteral("problem"),
                 error.json.value(QLatin1String("type")).toString().section(QLatin1Char('/'), -1)},
                {QStringLiteral("detail"), error.json.value(QLatin1String("detail")).toString().left(500)}},
               QStringLiteral("denied"));
        return error;
    }

    static Reply invalidTransition(const models::Checkout& c, const QString& what)
    {
        return conflict(QStringLiteral("invalid-transition"),
                        QStringLiteral("A checkout that is %1 cannot be %2.").arg(models::toString(c.state), what),
                        {{QStringLiteral("state"), models::toString(c.state)}});
    }

    // The optional {"reason"} body of a decision.
    static std::optional<QString> readReason(const Ctx& ctx, bool required, Reply* error)
    {
        json::ObjectReader reader(ctx.body());
        QString reason = (required ? reader.requiredString(QStringLiteral("reason"), 500)
                                   : reader.optionalString(QStringLiteral("reason"), 500).value_or(QString()))
                             .trimmed();
        if (required && !reader.hasErrors() && reason.isEmpty())
            reader.fail(QStringLiteral("reason"), QStringLiteral("must not be blank"));
        if (auto ok = reader.finish(); !ok) {
            *error = readerProblem(ok.error());
            return std::nullopt;
        }
        return reason;
    }
};

// --- handlers: sign-in and the signed-in person ---------------------------------------------------------------------

Reply FakeCloud::State::signInBegin(Ctx& ctx)
{
    json::ObjectReader reader(ctx.body());
    const auto email = reader.optionalString(QStringLiteral("email"), 254, 1);
    reader.optionalObject(QStringLiteral("native"));
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());
    QJsonArray allow;
    QString personId;
    if (email) {
        for (const models::Person& p : people) {
            if (p.email.compare(*email, Qt::CaseInsensitive) == 0 && p.status == QLatin1String("active"))
                personId = p.id;
        }
        for (auto it = passkeyByCredentialId.constBegin(); it != passkeyByCredentialId.constEnd(); ++it) {
            if (!personId.isEmpty() && passkeyOwner.value(it.value()) == personId)
                allow.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("public-key")},
                                         {QStringLiteral("id"), it.key()}});
        }
        if (allow.isEmpty()) // a made-up id: the answer tells nothing about the address
            allow.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("public-key")},
                                     {QStringLiteral("id"),
                                      QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(email->toUtf8())))}});
    }
    const QString ceremonyId = ids::newId(u"cer");
    ceremonies.insert(ceremonyId, {personId, clock.now() + 5 * 60'000, false});
    return answer(200, {{QStringLiteral("ceremonyId"), ceremonyId},
                      {QStringLiteral("publicKey"),
                       QJsonObject{{QStringLiteral("challenge"), randomText(32)},
                                   {QStringLiteral("rpId"), QStringLiteral("localhost")},
                                   {QStringLiteral("timeout"), 300000},
                                   {QStringLiteral("userVerification"), QStringLiteral("required")},
                                   {QStringLiteral("allowCredentials"), allow}}}});
}

Reply FakeCloud::State::signInFinish(Ctx& ctx)
{
    json::ObjectReader reader(ctx.body());
    const QString ceremonyId = reader.requiredString(QStringLiteral("ceremonyId"), 64);
    const auto credential = reader.optionalObject(QStringLiteral("credential"));
    if (!credential)
        reader.fail(QStringLiteral("credential"), QStringLiteral("is required"));
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());
    auto ceremony = ceremonies.find(ceremonyId);
    if (ceremony == ceremonies.end() || ceremony->used || ceremony->expiresAt <= clock.now())
        return problem(400, QStringLiteral("ceremony-invalid"),
                       QStringLiteral("This sign-in attempt is unknown, already used or expired. Start again."));
    ceremony->used = true;
    const QString credentialId = credential->value(QLatin1String("id")).toString();
    const QString passkey = passkeyByCredentialId.value(credentialId);
    const QString personId = passkeyOwner.value(passkey);
    if (passkey.isEmpty() || (!ceremony->personId.isEmpty() && ceremony->personId != personId))
        return problem(401, QStringLiteral("signin-failed"),
                       QStringLiteral("This passkey is not registered with Stint."));
    if (people.value(personId).status != QLatin1String("active"))
        return forbidden(QStringLiteral("Your account is disabled; ask your admin."));
    QString sessionId;
    newSession(personId, &sessionId);
    passkeys[passkey].lastUsedAt = clock.now();
    record(QStringLiteral("auth.signin"), personId, QStringLiteral("person"), personId, {},
           {{QStringLiteral("credentialId"), passkey}});
    return answer(200, sessionJson(sessions.last()));
}

Reply FakeCloud::State::nativeToken(Ctx& ctx)
{
    json::ObjectReader reader(ctx.body());
    const QString code = reader.requiredString(QStringLiteral("code"), 64);
    const QString verifier = reader.requiredString(QStringLiteral("codeVerifier"), 128, 43);
    const QString redirectUri = reader.requiredString(QStringLiteral("redirectUri"), 512);
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());
    const Reply invalidGrant = problem(400, QStringLiteral("invalid-grant"),
                                       QStringLiteral("The code is unknown, used, expired, or does not match the "
                                                      "verifier or redirect URI."));
    auto it = nativeCodes.find(code);
    if (it == nativeCodes.end() || it->used || it->expiresAt <= clock.now())
        return invalidGrant;
    it->used = true; // one exchange attempt, right or wrong
    const QString expected = QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(verifier.toLatin1())));
    if (expected != it->challenge || redirectUri != it->redirectUri)
        return invalidGrant;
    if (people.value(it->personId).status != QLatin1String("active"))
        return forbidden(QStringLiteral("Your account is disabled; ask your admin."));
    QString sessionId;
    newSession(it->personId, &sessionId);
    record(QStringLiteral("auth.native_exchange"), it->personId, QStringLiteral("session"), sessionId, {}, {});
    return answer(200, sessionJson(sessions.last()));
}

Reply FakeCloud::State::signOut(Ctx& ctx)
{
    const QString sessionId = ctx.caller.sessionId;
    record(QStringLiteral("auth.signout"), ctx.caller.personId, QStringLiteral("session"), sessionId, {}, {});
    endSessionsWhere([&](const Session& s) { return s.id == sessionId; });
    return noContent();
}

Reply FakeCloud::State::me(Ctx& ctx)
{
    return answer(200, {{QStringLiteral("person"), withGroups(people.value(ctx.caller.personId)).toJson()},
                      {QStringLiteral("organization"), org.toJson()},
                      {QStringLiteral("sessionId"), ctx.caller.sessionId}});
}

Reply FakeCloud::State::mySessions(Ctx& ctx)
{
    QJsonArray items;
    for (const Session& s : sessions) {
        if (s.personId != ctx.caller.personId || s.ended || s.expiresAt <= clock.now())
            continue;
        models::SessionInfo info;
        info.id = s.id;
        info.createdAt = s.createdAt;
        info.lastSeenAt = s.createdAt;
        info.expiresAt = s.expiresAt;
        info.sourceAddress = QStringLiteral("127.0.0.1");
        info.userAgent = QStringLiteral("Stint (fake)");
        info.current = s.id == ctx.caller.sessionId;
        items.append(info.toJson());
    }
    return answer(200, {{QStringLiteral("items"), items}});
}

Reply FakeCloud::State::endMySession(Ctx& ctx)
{
    const QString id = ctx.param(QStringLiteral("sessionId"));
    bool found = false;
    for (const Session& s : sessions)
        found = found || (s.id == id && s.personId == ctx.caller.personId && !s.ended);
    if (!found)
        return notFound(QStringLiteral("session"));
    endSessionsWhere([&](const Session& s) { return s.id == id; });
    record(QStringLiteral("session.revoke"), ctx.caller.personId, QStringLiteral("session"), id, {}, {});
    return noContent();
}

Reply FakeCloud::State::credentialsOf(const QString& personId)
{
    QJsonArray items;
    for (auto it = passkeys.constBegin(); it != passkeys.constEnd(); ++it) {
        if (passkeyOwner.value(it.key()) == personId)
            items.append(it->toJson());
    }
    return answer(200, {{QStringLiteral("items"), items}});
}

// --- handlers: people, invites, groups ------------------------------------------------------------------------------

Reply FakeCloud::State::updatePerson(Ctx& ctx)
{
    auto it = people.find(ctx.param(QStringLiteral("personId")));
    if (it == people.end())
        return notFound(QStringLiteral("person"));
    json::ObjectReader reader(ctx.body());
    models::Person updated = *it;
    if (auto name = reader.optionalString(QStringLiteral("displayName"), 200, 1))
        updated.displayName = name->trimmed();
    if (auto role = reader.optionalEnum(QStringLiteral("role"), models::kPersonRoles))
        updated.role = *role;
    if (auto status
        = reader.optionalEnum(QStringLiteral("status"), {QStringLiteral("active"), QStringLiteral("disabled")}))
        updated.status = *status;
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());
    const auto activeAdmin = [](const models::Person& p) {
        return p.role == QLatin1String("admin") && p.status == QLatin1String("active");
    };
    if (activeAdmin(*it) && !activeAdmin(updated)
        && std::count_if(people.begin(), people.end(), activeAdmin) <= 1)
        return conflict(
            QStringLiteral("last-admin"),
            QStringLiteral("This is the organization's last active admin; make someone else an admin first."));
    const bool disabled = updated.status == QLatin1String("disabled") && it->status != updated.status;
    *it = updated;
    if (disabled) {
        for (Session& s : sessions) {
            if (s.personId == updated.id)
                s.ended = true;
        }
        channel->closeIfPerson(updated.id);
    }
    record(QStringLiteral("person.update"), ctx.caller.personId, QStringLiteral("person"), updated.id, {},
           {{QStringLiteral("changes"), ctx.body()}});
    publish(QStringLiteral("admins|person:") + updated.id, QStringLiteral("person.updated"),
            withGroups(updated).toJson());
    return answer(200, withGroups(updated).toJson());
}

Reply FakeCloud::State::createInvite(Ctx& ctx)
{
    json::ObjectReader reader(ctx.body());
    const QString email = reader.requiredString(QStringLiteral("email"), 254).trimmed().toLower();
    const QString role = reader.requiredEnum(QStringLiteral("role"), models::kPersonRoles);
    QString displayName = reader.optionalString(QStringLiteral("displayName"), 200, 1).value_or(QString());
    static const QRegularExpression shape(QStringLiteral("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"));
    if (!email.isEmpty() && !shape.match(email).hasMatch())
        reader.fail(QStringLiteral("email"), QStringLiteral("is not an email address"));
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());
    for (const models::Person& p : people) {
        if (p.email.compare(email, Qt::CaseInsensitive) == 0)
            return conflict(QStringLiteral("person-exists"),
                            QStringLiteral("Someone with this email already has an account."));
    }
    models::Invite invite;
    invite.id = ids::newId(u"inv");
    invite.email = email;
    invite.displayName = displayName.isEmpty() ? email.section(QLatin1Char('@'), 0, 0) : displayName.trimmed();
    invite.role = role;
    invite.status = QStringLiteral("pending");
    invite.createdAt = clock.now();
    invite.expiresAt = invite.createdAt + 7LL * 24 * 3'600'000;
    invites.insert(invite.id, invite);
    record(QStringLiteral("invite.create"), ctx.caller.personId, QStringLiteral("invite"), invite.id, {},
           {{QStringLiteral("email"), email}, {QStringLiteral("role"), role}});
    QJsonObject out = invite.toJson();
    // The link is the only place the invite token ever appears: in this answer, once.
    out.insert(QStringLiteral("enrollmentUrl"), q.origin() + QStringLiteral("/enroll#invite=") + ids::newToken());
    return answer(201, out);
}

Reply FakeCloud::State::createGroup(Ctx& ctx)
{
    json::ObjectReader reader(ctx.body());
    const QString name = reader.requiredString(QStringLiteral("name"), 100).trimmed();
    const QStringList members
        = reader.optionalStringList(QStringLiteral("memberIds"), 1000, 64).value_or(QStringList());
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());
    for (const QString& id : members) {
        if (!people.contains(id))
            return validation(QStringLiteral("memberIds: no person %1 in this organization").arg(id.left(64)));
    }
    for (const models::Group& g : groups) {
        if (g.name == name)
            return conflict(QStringLiteral("name-taken"), QStringLiteral("A group with this name exists."));
    }
    models::Group g{ids::newId(u"grp"), name, members, clock.now()};
    g.memberIds.removeDuplicates();
    g.memberIds.sort();
    groups.insert(g.id, g);
    record(QStringLiteral("group.create"), ctx.caller.personId, QStringLiteral("group"), g.id, {},
           {{QStringLiteral("changes"), ctx.body()}});
    publish(QStringLiteral("admins"), QStringLiteral("group.created"), g.toJson());
    publish(QStringLiteral("org"), QStringLiteral("grants.changed"), {});
    return answer(201, g.toJson());
}

Reply FakeCloud::State::updateGroup(Ctx& ctx)
{
    auto it = groups.find(ctx.param(QStringLiteral("groupId")));
    if (it == groups.end())
        return notFound(QStringLiteral("group"));
    json::ObjectReader reader(ctx.body());
    const auto name = reader.optionalString(QStringLiteral("name"), 100, 1);
    const auto members = reader.optionalStringList(QStringLiteral("memberIds"), 1000, 64);
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());
    if (members) {
        for (const QString& id : *members) {
            if (!people.contains(id))
                return validation(QStringLiteral("memberIds: no person %1 in this organization").arg(id.left(64)));
        }
        QStringList sorted = *members;
        sorted.removeDuplicates();
        sorted.sort();
        it->memberIds = sorted;
    }
    if (name) {
        for (const models::Group& g : groups) {
            if (g.id != it->id && g.name == name->trimmed())
                return conflict(QStringLiteral("name-taken"), QStringLiteral("A group with this name exists."));
        }
        it->name = name->trimmed();
    }
    record(QStringLiteral("group.update"), ctx.caller.personId, QStringLiteral("group"), it->id, {},
           {{QStringLiteral("changes"), ctx.body()}});
    publish(QStringLiteral("admins"), QStringLiteral("group.updated"), it->toJson());
    publish(QStringLiteral("org"), QStringLiteral("grants.changed"), {});
    return answer(200, it->toJson());
}

// --- handlers: tenants and connections ------------------------------------------------------------------------------

Reply FakeCloud::State::listTenants(Ctx& ctx)
{
    auto page = readPage(ctx.request);
    if (auto* e = std::get_if<Reply>(&page))
        return *e;
    QList<QPair<QString, QJsonObject>> rows;
    for (const models::Tenant& t : tenants) {
        if (ctx.caller.admin || isGranted(t.id, ctx.caller.personId))
            rows.append({t.id, tenantJsonFor(t, ctx.caller.personId)});
    }
    return pageOf(rows, std::get<PageRequest>(page));
}

Reply FakeCloud::State::getTenant(Ctx& ctx)
{
    const models::Tenant* t = visibleTenant(ctx, ctx.param(QStringLiteral("tenantId")));
    if (!t)
        return notFound(QStringLiteral("tenant"));
    return answer(200, tenantJsonFor(*t, ctx.caller.personId));
}

namespace {
// The admin-set fields of a tenant's connection (TenantsApi readConnection), over `conn`.
void readConnectionSettings(const QJsonObject& raw, models::TenantConnection& conn, QStringList* problems)
{
    json::ObjectReader r(raw, QStringLiteral("connection"));
    if (auto status = r.optionalValue(QStringLiteral("status")); status && status->toString() != conn.status)
        r.fail(QStringLiteral("status"), QStringLiteral("is set by connecting the tenant, not through this API"));
    const QJsonValue sentEntraId = raw.value(QLatin1String("entraTenantId"));
    r.optionalValue(QStringLiteral("entraTenantId"));
    if (raw.contains(QLatin1String("entraTenantId"))
        && (sentEntraId.isNull() ? conn.entraTenantId.has_value()
                                 : sentEntraId.toString() != conn.entraTenantId.value_or(QString())))
        r.fail(QStringLiteral("entraTenantId"),
               QStringLiteral("is set by connecting the tenant, not through this API"));
    if (auto cloud = r.optionalEnum(QStringLiteral("nationalCloud"), models::kNationalClouds))
        conn.nationalCloud = *cloud;
    if (raw.contains(QLatin1String("accountDomain")) && raw.value(QLatin1String("accountDomain")).isNull()) {
        r.optionalValue(QStringLiteral("accountDomain"));
        conn.accountDomain.reset();
    } else if (auto domain = r.optionalString(QStringLiteral("accountDomain"), 253, 1)) {
        if (auto normalized = models::normalizeDomainName(*domain))
            conn.accountDomain = *normalized;
        else
            r.fail(QStringLiteral("accountDomain"), QStringLiteral("is not a domain name"));
    }
    if (auto v = r.optionalInteger(QStringLiteral("defaultDurationMinutes"), models::kMinDurationMinutes,
                                   models::kMaxDurationMinutes))
        conn.defaultDurationMinutes = int(*v);
    if (auto v = r.optionalInteger(QStringLiteral("maxDurationMinutes"), models::kMinDurationMinutes,
                                   models::kMaxDurationMinutes))
        conn.maxDurationMinutes = int(*v);
    if (auto roles = r.optionalValue(QStringLiteral("rolesOffered"))) {
        if (!roles->isArray()) {
            r.fail(QStringLiteral("rolesOffered"), QStringLiteral("must be an array of roles"));
        } else {
            QList<models::OfferedRole> offered;
            const QJsonArray items = roles->toArray();
            for (int i = 0; i < items.size(); ++i) {
                const QString path = QStringLiteral("connection.rolesOffered[%1]").arg(i);
                json::ObjectReader role(items.at(i).toObject(), path);
                const QString id = role.requiredString(QStringLiteral("roleDefinitionId"), 64);
                const auto normalized = models::normalizeRoleDefinitionId(id);
                if (!id.isEmpty() && !normalized)
                    role.fail(QStringLiteral("roleDefinitionId"),
                              QStringLiteral("must be a GUID (8-4-4-4-12 hex digits)"));
                const QString name = role.requiredString(QStringLiteral("displayName"), 120).trimmed();
                if (auto ok = role.finish(); !ok) {
                    *problems << role.errors();
                    continue;
                }
                if (std::any_of(offered.begin(), offered.end(),
                                [&](const auto& o) { return o.roleDefinitionId == *normalized; }))
                    *problems << QStringLiteral("%1: role %2 is listed twice").arg(path, *normalized);
                else
                    offered.append({*normalized, name});
            }
            conn.rolesOffered = offered;
        }
    }
    if (auto rule = r.optionalString(QStringLiteral("accountNamingRule"), 100, 1)) {
        QString why;
        if (auto normalized = models::accountNaming::validate(*rule, &why))
            conn.accountNamingRule = *normalized;
        else
            r.fail(QStringLiteral("accountNamingRule"), why);
    }
    if (auto kind = r.optionalEnum(QStringLiteral("credentialKind"), models::kCredentialKinds))
        conn.credentialKind = *kind;
    if (auto action = r.optionalEnum(QStringLiteral("expiryAction"), models::kExpiryActions))
        conn.expiryAction = *action;
    if (conn.defaultDurationMinutes > conn.maxDurationMinutes)
        r.fail(QStringLiteral("defaultDurationMinutes"),
               QStringLiteral("must not be more than maxDurationMinutes (%1)").arg(conn.maxDurationMinutes));
    if (auto ok = r.finish(); !ok)
        *problems << r.errors();
}
} // namespace

Reply FakeCloud::State::createTenant(Ctx& ctx)
{
    json::ObjectReader reader(ctx.body());
    models::Tenant t;
    QStringList problems;
    const QString name = reader.requiredString(QStringLiteral("name"), 200).trimmed();
    if (reader.errors().isEmpty() && name.isEmpty())
        reader.fail(QStringLiteral("name"), QStringLiteral("must not be blank"));
    t.name = name;
    t.notes = reader.optionalString(QStringLiteral("notes"), 4000).value_or(QString());
    if (auto connection = reader.optionalObject(QStringLiteral("connection")))
        readConnectionSettings(*connection, t.connection, &problems);
    auto finished = reader.finish();
    if (!finished || !problems.isEmpty())
        return validation((reader.errors() + problems).join(QStringLiteral("; ")));
    for (const models::Tenant& other : tenants) {
        if (other.name == t.name)
            return conflict(QStringLiteral("name-taken"), QStringLiteral("Another tenant already has this name."));
    }
    t.id = ids::newId(u"tnt");
    t.orgId = org.id;
    t.createdAt = t.updatedAt = clock.now();
    tenants.insert(t.id, t);
    record(QStringLiteral("tenant.create"), ctx.caller.personId, QStringLiteral("tenant"), t.id, t.id,
           {{QStringLiteral("name"), t.name}});
    grantChange(QStringLiteral("tenant.created"), t.toJson());
    return answer(201, tenantJsonFor(t, ctx.caller.personId));
}

Reply FakeCloud::State::updateTenant(Ctx& ctx)
{
    const models::Tenant* stored = visibleTenant(ctx, ctx.param(QStringLiteral("tenantId")));
    if (!stored)
        return notFound(QStringLiteral("tenant"));
    json::ObjectReader reader(ctx.body());
    models::Tenant t = *stored;
    QStringList problems;
    const qint64 version = reader.requiredInteger(QStringLiteral("version"), 1, std::numeric_limits<qint32>::max());
    if (auto name = reader.optionalString(QStringLiteral("name"), 200, 1)) {
        if (name->trimmed().isEmpty())
            reader.fail(QStringLiteral("name"), QStringLiteral("must not be blank"));
        t.name = name->trimmed();
    }
    if (auto notes = reader.optionalString(QStringLiteral("notes"), 4000))
        t.notes = *notes;
    if (auto connection = reader.optionalObject(QStringLiteral("connection")))
        readConnectionSettings(*connection, t.connection, &problems);
    auto finished = reader.finish();
    if (!finished || !problems.isEmpty())
        return validation((reader.errors() + problems).join(QStringLiteral("; ")));
    if (version != stored->version)
        return conflict(QStringLiteral("version-conflict"),
                        QStringLiteral("The tenant changed since version %1; read it again and reapply the change.")
                            .arg(version),
                        {{QStringLiteral("currentVersion"), stored->version}});
    if (t.connection.nationalCloud != stored->connection.nationalCloud
        && stored->connection.status != QLatin1String("not_connected"))
        return conflict(QStringLiteral("tenant-connected"),
                        QStringLiteral("The national cloud of a connected tenant cannot change; disconnect it first."));
    QStringList withdrawn, users;
    for (const QString& role : stored->connection.offeredRoleIds()) {
        if (!t.connection.offers(role))
            withdrawn << role;
    }
    for (const models::Policy& p : policies) {
        if (p.tenantIds.contains(t.id) && std::any_of(withdrawn.begin(), withdrawn.end(), [&](const QString& r) {
                return p.roleDefinitionIds.contains(r);
            }))
            users << p.name;
    }
    if (!users.isEmpty())
        return conflict(QStringLiteral("role-in-use"),
                        QStringLiteral("Access policies still grant the roles this change withdraws: %1. Remove the "
                                       "roles from those policies first.")
                            .arg(users.join(QStringLiteral(", "))),
                        {{QStringLiteral("policies"), QJsonArray::fromStringList(users)}});
    for (const models::Tenant& other : tenants) {
        if (other.id != t.id && other.name == t.name)
            return conflict(QStringLiteral("name-taken"), QStringLiteral("Another tenant already has this name."));
    }
    if (t.toJson() == stored->toJson()) {
        record(QStringLiteral("tenant.update"), ctx.caller.personId, QStringLiteral("tenant"), t.id, t.id,
               {{QStringLiteral("name"), t.name}, {QStringLiteral("changed"), QJsonArray()}});
        return answer(200, tenantJsonFor(*stored, ctx.caller.personId));
    }
    t.updatedAt = clock.now();
    t.version = stored->version + 1;
    tenants.insert(t.id, t);
    record(QStringLiteral("tenant.update"), ctx.caller.personId, QStringLiteral("tenant"), t.id, t.id,
           {{QStringLiteral("name"), t.name}});
    grantChange(QStringLiteral("tenant.updated"), t.toJson());
    return answer(200, tenantJsonFor(t, ctx.caller.personId));
}

Reply FakeCloud::State::deleteTenant(Ctx& ctx)
{
    const models::Tenant* t = visibleTenant(ctx, ctx.param(QStringLiteral("tenantId")));
    if (!t)
        return notFound(QStringLiteral("tenant"));
    const QString id = t->id;
    const QString name = t->name;
    const int open = int(std::count_if(checkouts.begin(), checkouts.end(), [&](const models::Checkout& c) {
        return c.tenantId == id && isOpenState(c.state);
    }));
    if (open > 0)
        return conflict(QStringLiteral("checkouts-open"),
                        QStringLiteral("%1 checkout(s) of this tenant have not ended yet; wait for them to end or "
                                       "revoke them first.")
                            .arg(open),
                        {{QStringLiteral("openCheckouts"), open}});
    int removed = 0;
    for (auto it = checkouts.begin(); it != checkouts.end();) {
        if (it->tenantId == id) {
            it = checkouts.erase(it);
            ++removed;
        } else {
            ++it;
        }
    }
    tenants.remove(id);
    connectionStates.remove(id);
    connectionCredentials.remove(id);
    record(QStringLiteral("tenant.delete"), ctx.caller.personId, QStringLiteral("tenant"), id, id,
           {{QStringLiteral("name"), name}, {QStringLiteral("checkoutsRemoved"), removed}});
    grantChange(QStringLiteral("tenant.deleted"), {{QStringLiteral("id"), id}});
    return noContent();
}

namespace {
std::optional<QString> loopbackRedirectProblem(const QString& redirectUri)
{
    const QUrl url(redirectUri, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("http"))
        return QStringLiteral("must be an http:// loopback URL (RFC 8252), e.g. http://127.0.0.1:53123/callback");
    if (url.host() != QLatin1String("127.0.0.1") && url.host() != QLatin1String("localhost"))
        return QStringLiteral("must point to 127.0.0.1 or localhost (the desktop app's loopback listener)");
    if (url.port() < 1)
        return QStringLiteral("must name the port the desktop app listens on");
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment())
        return QStringLiteral("must not carry user info, a query or a fragment");
    if (url.path().isEmpty() || !url.path().startsWith(QLatin1Char('/')))
        return QStringLiteral("must have a path, e.g. /callback");
    return std::nullopt;
}

std::optional<QString> tenantGuid(const QString& text)
{
    const QUuid id = QUuid::fromString(text);
    if (id.isNull() || text.size() != 36)
        return std::nullopt;
    return id.toString(QUuid::WithoutBraces).toLower();
}
} // namespace

Reply FakeCloud::State::startConnection(Ctx& ctx)
{
    auto tenant = tenants.find(ctx.param(QStringLiteral("tenantId")));
    if (tenant == tenants.end())
        return notFound(QStringLiteral("tenant"));
    json::ObjectReader r(ctx.body());
    const QString redirectUri = r.requiredString(QStringLiteral("redirectUri"), 256);
    const QString kind = r.requiredEnum(
        QStringLiteral("kind"),
        {QString::fromLatin1(models::kConnectAdminConsent), QString::fromLatin1(models::kConnectAuthorizationCode)});
    const QString loginHint = r.optionalString(QStringLiteral("loginHint"), 256, 1).value_or(QString());
    QString tenantHint = r.optionalString(QStringLiteral("tenantHint"), 253, 1).value_or(QString());
    if (!redirectUri.isEmpty()) {
        if (auto why = loopbackRedirectProblem(redirectUri))
            r.fail(QStringLiteral("redirectUri"), *why);
    }
    if (!tenantHint.isEmpty()) {
        if (auto guid = tenantGuid(tenantHint))
            tenantHint = *guid;
        else if (auto domain = models::normalizeDomainName(tenantHint))
            tenantHint = *domain;
        else
            r.fail(QStringLiteral("tenantHint"), QStringLiteral("must be a tenant id (GUID) or a domain name"));
    }
    if (auto ok = r.finish(); !ok)
        return readerProblem(ok.error());
    if (tenantHint.isEmpty() && tenant->connection.entraTenantId)
        tenantHint = *tenant->connection.entraTenantId;
    const QString segment = tenantHint.isEmpty() ? QStringLiteral("organizations") : tenantHint;
    const QString state = ids::newToken();
    QUrl url(QStringLiteral("https://login.microsoftonline.com/") + segment);
    QUrlQuery query;
    if (kind == QLatin1String(models::kConnectAdminConsent)) {
        if (!mspAppConfigured)
            return conflict(QStringLiteral("no-multi-tenant-app"),
                            QStringLiteral("Admin consent needs the MSP's multi-tenant app, and the service has none "
                                           "configured. Configure it, or give this tenant its own app registration and "
                                           "use kind authorization_code."));
        url.setPath(url.path() + QStringLiteral("/v2.0/adminconsent"));
        query.addQueryItem(QStringLiteral("client_id"), QStringLiteral("00000000-0000-0000-0000-0000000f4ce0"));
        query.addQueryItem(QStringLiteral("scope"), QStringLiteral("https%3A%2F%2Fgraph.microsoft.com%2F.default"));
    } else {
        if (!connectionCredentials.contains(tenant->id))
            return conflict(QStringLiteral("no-credential"),
                            QStringLiteral("Sign-in with the customer's own app needs its credential first: PUT "
                                           "/v1/tenants/%1/connection/credential.")
                                .arg(tenant->id));
        url.setPath(url.path() + QStringLiteral("/oauth2/v2.0/authorize"));
        query.addQueryItem(QStringLiteral("client_id"),
                           connectionCredentials.value(tenant->id).value(QLatin1String("clientId")).toString());
        query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
        query.addQueryItem(QStringLiteral("code_challenge"), randomText(32));
        query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
        if (!loginHint.isEmpty())
            query.addQueryItem(QStringLiteral("login_hint"), QString::fromLatin1(QUrl::toPercentEncoding(loginHint)));
    }
    query.addQueryItem(QStringLiteral("redirect_uri"), QString::fromLatin1(QUrl::toPercentEncoding(redirectUri)));
    query.addQueryItem(QStringLiteral("state"), state);
    url.setQuery(query);
    const TimeMs expiresAt = clock.now() + kConnectStateTtlMs;
    connectFlows.insert(state,
                        {tenant->id, kind, redirectUri, ctx.caller.sessionId, ctx.caller.personId, expiresAt, false});
    if (tenant->connection.status == QLatin1String("not_connected"))
        setTenantStatus(tenant->id, QStringLiteral("connecting"), {}, false);
    record(QStringLiteral("tenant.connect.start"), ctx.caller.personId, QStringLiteral("tenant"), tenant->id,
           tenant->id, {{QStringLiteral("kind"), kind}, {QStringLiteral("redirectUri"), redirectUri}});
    return answer(200, {{QStringLiteral("authorizationUrl"), url.toString(QUrl::FullyEncoded)},
                      {QStringLiteral("state"), state},
                      {QStringLiteral("expiresAt"), toRfc3339(expiresAt)}});
}

Reply FakeCloud::State::completeConnection(Ctx& ctx)
{
    auto tenant = tenants.find(ctx.param(QStringLiteral("tenantId")));
    if (tenant == tenants.end())
        return notFound(QStringLiteral("tenant"));
    json::ObjectReader r(ctx.body());
    const auto callbackUrl = r.optionalString(QStringLiteral("callbackUrl"), 8192, 1);
    const auto params = r.optionalObject(QStringLiteral("params"));
    if (callbackUrl.has_value() == params.has_value())
        r.fail(QStringLiteral("callbackUrl"),
               QStringLiteral("give either callbackUrl or params (the callback's query parameters), not both"));
    QUrlQuery query;
    std::optional<QUrl> url;
    if (callbackUrl) {
        url = QUrl(*callbackUrl, QUrl::StrictMode);
        if (!url->isValid())
            r.fail(QStringLiteral("callbackUrl"), QStringLiteral("is not a URL"));
        query = QUrlQuery(*url);
    } else if (params) {
        for (auto it = params->begin(); it != params->end(); ++it)
            query.addQueryItem(it.key(), QString::fromUtf8(QUrl::toPercentEncoding(it.value().toString())));
    }
    if (auto ok = r.finish(); !ok)
        return readerProblem(ok.error());
    const QString stateValue = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    if (stateValue.isEmpty())
        return validation(QStringLiteral("The callback has no state."));
    auto refuse = [&](const QString& slug, const QString& detail) {
        record(QStringLiteral("tenant.connect.complete"), ctx.caller.personId, QStringLiteral("tenant"), tenant->id,
               tenant->id, {{QStringLiteral("code"), slug}}, QStringLiteral("failure"));
        return problem(400, slug, detail);
    };
    auto flow = connectFlows.find(stateValue);
    if (flow == connectFlows.end())
        return refuse(QStringLiteral("state-unknown"), QStringLiteral("The state is not one Stint issued."));
    if (flow->tenantId != tenant->id)
        return refuse(QStringLiteral("state-mismatch"), QStringLiteral("The state was issued for another tenant."));
    if (flow->sessionId != ctx.caller.sessionId || flow->personId != ctx.caller.personId)
        return refuse(QStringLiteral("state-mismatch"),
                      QStringLiteral("The state was issued to another sign-in session; start again."));
    if (flow->used)
        return refuse(QStringLiteral("state-used"), QStringLiteral("The state was already used; start again."));
    if (clock.now() >= flow->expiresAt)
        return refuse(QStringLiteral("state-expired"), QStringLiteral("The state expired; start again."));
    if (url) {
        const QUrl expected(flow->redirectUri);
        if (url->scheme() != expected.scheme() || url->host() != expected.host() || url->port() != expected.port()
            || url->path() != expected.path())
            return refuse(QStringLiteral("redirect-mismatch"),
                          QStringLiteral("The callback did not come to the redirect URI the flow started with."));
    }
    flow->used = true;
    const QString error = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
    if (!error.isEmpty()) {
        const QString description = query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded);
        static const QRegularExpression aadsts(QStringLiteral("AADSTS(\\d+)"));
        const auto m = aadsts.match(description);
        record(QStringLiteral("tenant.connect.complete"), ctx.caller.personId, QStringLiteral("tenant"), tenant->id,
               tenant->id, {{QStringLiteral("kind"), flow->kind}, {QStringLiteral("error"), error}},
               QStringLiteral("failure"));
        return problem(
            422, QStringLiteral("authorization-failed"), description.isEmpty() ? error : description,
            {{QStringLiteral("error"), error},
             {QStringLiteral("aadsts"), m.hasMatch() ? QStringLiteral("AADSTS") + m.captured(1) : QString()}});
    }
    QString candidate;
    if (flow->kind == QLatin1String(models::kConnectAdminConsent)) {
        if (query.queryItemValue(QStringLiteral("admin_consent")).compare(QLatin1String("true"), Qt::CaseInsensitive)
            != 0)
            return validation(QStringLiteral("An admin consent callback must carry admin_consent=True and the tenant, "
                                             "or an error."));
        candidate = query.queryItemValue(QStringLiteral("tenant"), QUrl::FullyDecoded);
    } else if (query.queryItemValue(QStringLiteral("code")).isEmpty()) {
        return validation(QStringLiteral("An authorization code callback must carry a code or an error."));
    }
    const QString proven = tenant->connection.entraTenantId.value_or(tenantGuid(candidate).value_or(hexGuid()));
    if (!tenant->connection.entraTenantId)
        setTenantStatus(tenant->id, QStringLiteral("verifying"), {}, false);
    record(QStringLiteral("tenant.connect.complete"), ctx.caller.personId, QStringLiteral("tenant"), tenant->id,
           tenant->id, {{QStringLiteral("kind"), flow->kind}, {QStringLiteral("candidateTenantId"), candidate}});
    proveLater(tenant->id, proven);
    return answer(202, connectionJson(*tenant));
}

Reply FakeCloud::State::checkConnection(Ctx& ctx)
{
    auto tenant = tenants.find(ctx.param(QStringLiteral("tenantId")));
    if (tenant == tenants.end())
        return notFound(QStringLiteral("tenant"));
    QString candidate;
    if (ctx.hasBody()) {
        json::ObjectReader r(ctx.body());
        if (auto id = r.optionalString(QStringLiteral("entraTenantId"), 36, 1)) {
            if (auto guid = tenantGuid(*id))
                candidate = *guid;
            else
                r.fail(QStringLiteral("entraTenantId"), QStringLiteral("must be a tenant id (GUID)"));
        }
        if (auto ok = r.finish(); !ok)
            return readerProblem(ok.error());
    }
    if (!candidate.isEmpty() && tenant->connection.entraTenantId && candidate != *tenant->connection.entraTenantId)
        return conflict(QStringLiteral("tenant-connected"),
                        QStringLiteral("The tenant is connected to %1; disconnect it before proving another.")
                            .arg(*tenant->connection.entraTenantId));
    if (!tenant->connection.entraTenantId) {
        if (candidate.isEmpty())
            return conflict(QStringLiteral("tenant-id-unknown"),
                            QStringLiteral("Give entraTenantId (the customer's tenant id) to connect with the tenant's "
                                           "own app, or use the connect flow."));
        setTenantStatus(tenant->id, QStringLiteral("verifying"), {}, false);
    }
    record(QStringLiteral("tenant.connection.check.start"), ctx.caller.personId, QStringLiteral("tenant"), tenant->id,
           tenant->id, {});
    proveLater(tenant->id, tenant->connection.entraTenantId.value_or(candidate));
    return answer(202, connectionJson(*tenant));
}

Reply FakeCloud::State::disconnect(Ctx& ctx)
{
    auto tenant = tenants.find(ctx.param(QStringLiteral("tenantId")));
    if (tenant == tenants.end())
        return notFound(QStringLiteral("tenant"));
    json::ObjectReader r(ctx.body());
    const auto confirm = r.optionalBool(QStringLiteral("confirm"));
    if (!confirm || !*confirm)
        r.fail(QStringLiteral("confirm"),
               QStringLiteral("must be true: disconnecting revokes the tenant's live checkouts"));
    if (auto ok = r.finish(); !ok)
        return readerProblem(ok.error());
    if (tenant->connection.status == QLatin1String("not_connected") && !tenant->connection.entraTenantId)
        return conflict(QStringLiteral("not-connected"), QStringLiteral("The tenant is not connected."));
    const QString id = tenant->id;
    int revoked = 0;
    int stillOpen = 0;
    for (const models::Checkout& c : QList<models::Checkout>(checkouts.values())) {
        if (c.tenantId != id)
            continue;
        if (c.state == CheckoutState::Requested || c.state == CheckoutState::AwaitingApproval)
            move(c.id, CheckoutState::Cancelled, QStringLiteral("The tenant was disconnected."), ctx.caller.personId);
        else if (c.state == CheckoutState::Provisioning || c.state == CheckoutState::Ready)
            revoked += move(c.id, CheckoutState::Revoking, QStringLiteral("The tenant was disconnected."),
                            ctx.caller.personId)
                ? 1
                : 0;
    }
    for (const models::Checkout& c : checkouts)
        stillOpen += c.tenantId == id && isOpenState(c.state) ? 1 : 0;
    if (stillOpen > 0) {
        record(QStringLiteral("tenant.disconnect_pending"), ctx.caller.personId, QStringLiteral("tenant"), id, id,
               {{QStringLiteral("checkoutsRevoked"), revoked}, {QStringLiteral("checkoutsStillOpen"), stillOpen}});
        return answer(202, connectionJson(tenants.value(id)));
    }
    const QString entraId = tenant->connection.entraTenantId.value_or(QString());
    connectionStates.remove(id);
    setTenantStatus(id, QStringLiteral("not_connected"), std::nullopt, true);
    record(QStringLiteral("tenant.disconnect"), ctx.caller.personId, QStringLiteral("tenant"), id, id,
           {{QStringLiteral("entraTenantId"), entraId}, {QStringLiteral("checkoutsRevoked"), revoked}});
    return answer(200, connectionJson(tenants.value(id)));
}

Reply FakeCloud::State::putConnectionCredential(Ctx& ctx)
{
    auto tenant = tenants.find(ctx.param(QStringLiteral("tenantId")));
    if (tenant == tenants.end())
        return notFound(QStringLiteral("tenant"));
    json::ObjectReader r(ctx.body());
    const QString kind
        = r.requiredEnum(QStringLiteral("kind"), {QStringLiteral("client_secret"), QStringLiteral("certificate")});
    const QString clientId = r.requiredString(QStringLiteral("clientId"), 36);
    if (!clientId.isEmpty() && !tenantGuid(clientId))
        r.fail(QStringLiteral("clientId"), QStringLiteral("must be the app's (client) id, a GUID"));
    const auto secret = r.optionalString(QStringLiteral("clientSecret"), 1024, 1);
    const auto certificate = r.optionalString(QStringLiteral("certificatePem"), 16 * 1024, 1);
    const auto key = r.optionalString(QStringLiteral("privateKeyPem"), 16 * 1024, 1);
    std::optional<TimeMs> expiresAt;
    if (auto expiry = r.optionalString(QStringLiteral("secretExpiresAt"), 40, 1)) {
        expiresAt = fromRfc3339(*expiry);
        if (!expiresAt)
            r.fail(QStringLiteral("secretExpiresAt"), QStringLiteral("must be an RFC 3339 time"));
    }
    if (kind == QLatin1String("client_secret") && (!secret || certificate || key))
        r.fail(QStringLiteral("clientSecret"),
               QStringLiteral("kind client_secret takes clientSecret, and no certificatePem or privateKeyPem"));
    if (kind == QLatin1String("certificate") && (secret || !certificate || !key))
        r.fail(QStringLiteral("certificatePem"),
               QStringLiteral("kind certificate takes certificatePem and privateKeyPem, and no clientSecret"));
    if (auto ok = r.finish(); !ok)
        return readerProblem(ok.error());
    const QJsonObject summary{
        {QStringLiteral("kind"), kind},
        {QStringLiteral("clientId"), clientId.toLower()},
        {QStringLiteral("certificateThumbprint"),
         certificate ? QJsonValue(QString::fromLatin1(crypto::sha256(certificate->toUtf8()).toHex().left(40)))
                     : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("certificateNotAfter"), QJsonValue(QJsonValue::Null)},
        {QStringLiteral("secretExpiresAt"), timeOrNull(expiresAt)},
        {QStringLiteral("updatedAt"), toRfc3339(clock.now())}};
    connectionCredentials.insert(tenant->id, summary);
    record(QStringLiteral("tenant.credential.set"), ctx.caller.personId, QStringLiteral("tenant"), tenant->id,
           tenant->id, {{QStringLiteral("kind"), kind}, {QStringLiteral("clientId"), clientId.toLower()}});
    publishConnection(*tenant);
    return answer(200, summary);
}

// --- handlers: policies ---------------------------------------------------------------------------------------------

Reply FakeCloud::State::readPolicy(Ctx& ctx, models::Policy& policy, bool creating, bool* maxGiven)
{
    json::ObjectReader reader(ctx.body());
    QStringList problems;
    std::optional<qint64> version;
    if (!creating)
        version = reader.requiredInteger(QStringLiteral("version"), 1, std::numeric_limits<qint32>::max());
    const auto before = reader.errors().size();
    std::optional<QString> name = creating
        ? std::optional<QString>(reader.requiredString(QStringLiteral("name"), 200))
        : reader.optionalString(QStringLiteral("name"), 200, 1);
    if (name && reader.errors().size() == before) {
        if (name->trimmed().isEmpty())
            reader.fail(QStringLiteral("name"), QStringLiteral("must not be blank"));
        policy.name = name->trimmed();
    }
    if (auto description = reader.optionalString(QStringLiteral("description"), 2000))
        policy.description = *description;
    auto count = reader.errors().size();
    if (auto tenantIds = reader.optionalStringList(QStringLiteral("tenantIds"), 200, 64)) {
        if (tenantIds->isEmpty())
            reader.fail(QStringLiteral("tenantIds"), QStringLiteral("must name at least one tenant"));
        QStringList sorted = *tenantIds;
        sorted.sort();
        sorted.removeDuplicates();
        policy.tenantIds = sorted;
    } else if (creating && reader.errors().size() == count) {
        reader.fail(QStringLiteral("tenantIds"), QStringLiteral("is required"));
    }
    if (auto subjects = reader.optionalValue(QStringLiteral("subjects"))) {
        if (!subjects->isArray()) {
            problems << QStringLiteral("subjects: must be an array of {type, id} objects");
        } else {
            QList<models::PolicySubject> read;
            const QJsonArray items = subjects->toArray();
            for (int i = 0; i < items.size(); ++i) {
                json::ObjectReader s(items.at(i).toObject(), QStringLiteral("subjects[%1]").arg(i));
                const QString type = s.requiredEnum(QStringLiteral("type"), models::kSubjectTypes);
                const QString id = s.requiredString(QStringLiteral("id"), 64);
                if (auto ok = s.finish(); !ok) {
                    problems << s.errors();
                    continue;
                }
                if (!read.contains(models::PolicySubject{type, id}))
                    read.append({type, id});
            }
            std::sort(read.begin(), read.end(),
                      [](const auto& a, const auto& b) { return std::tie(a.type, a.id) < std::tie(b.type, b.id); });
            policy.subjects = read;
        }
    }
    count = reader.errors().size();
    if (auto roles = reader.optionalStringList(QStringLiteral("roleDefinitionIds"), 50, 64)) {
        QStringList normalized;
        for (const QString& role : *roles) {
            if (auto id = models::normalizeRoleDefinitionId(role))
                normalized << *id;
            else
                reader.fail(QStringLiteral("roleDefinitionIds"),
                            QStringLiteral("'%1' is not a GUID (8-4-4-4-12 hex digits)").arg(role.left(64)));
        }
        if (roles->isEmpty())
            reader.fail(QStringLiteral("roleDefinitionIds"), QStringLiteral("must name at least one role"));
        normalized.sort();
        normalized.removeDuplicates();
        policy.roleDefinitionIds = normalized;
    } else if (creating && reader.errors().size() == count) {
        reader.fail(QStringLiteral("roleDefinitionIds"), QStringLiteral("is required"));
    }
    const auto maxDuration = reader.optionalInteger(QStringLiteral("maxDurationMinutes"), models::kMinDurationMinutes,
                                                    models::kMaxDurationMinutes);
    *maxGiven = maxDuration.has_value();
    if (maxDuration)
        policy.maxDurationMinutes = int(*maxDuration);
    if (auto b = reader.optionalBool(QStringLiteral("requireJustification")))
        policy.requireJustification = *b;
    if (auto b = reader.optionalBool(QStringLiteral("requireTicket")))
        policy.requireTicket = *b;
    if (auto b = reader.optionalBool(QStringLiteral("requireApproval")))
        policy.requireApproval = *b;
    auto finished = reader.finish();
    if (!finished || !problems.isEmpty())
        return validation((reader.errors() + problems).join(QStringLiteral("; ")));
    if (version && *version != policy.version)
        return conflict(QStringLiteral("version-conflict"),
                        QStringLiteral("The policy changed since version %1; read it again and reapply the change.")
                            .arg(*version),
                        {{QStringLiteral("currentVersion"), policy.version}});
    // References (PoliciesApi checkReferences).
    QStringList refs;
    QList<models::Tenant> named;
    for (const QString& id : policy.tenantIds) {
        if (tenants.contains(id))
            named.append(tenants.value(id));
        else
            refs << QStringLiteral("tenantIds: no tenant %1 in this organization").arg(id.left(64));
    }
    for (const models::PolicySubject& s : policy.subjects) {
        const bool exists = s.type == QLatin1String("person") ? people.contains(s.id) : groups.contains(s.id);
        if (!exists)
            refs << QStringLiteral("subjects: no %1 %2 in this organization").arg(s.type, s.id.left(64));
    }
    if (creating && !*maxGiven && !named.isEmpty()) {
        policy.maxDurationMinutes = models::kMaxDurationMinutes;
        for (const models::Tenant& t : named)
            policy.maxDurationMinutes = std::min(policy.maxDurationMinutes, t.connection.maxDurationMinutes);
    }
    for (const models::Tenant& t : named) {
        for (const QString& role : policy.roleDefinitionIds) {
            if (!t.connection.offers(role))
                refs
                    << QStringLiteral("roleDefinitionIds: %1 is not offered by tenant %2 (%3)").arg(role, t.name, t.id);
        }
        if (policy.maxDurationMinutes > t.connection.maxDurationMinutes)
            refs << QStringLiteral("maxDurationMinutes: must be at most %1, the maximum of tenant %2 (%3)")
                        .arg(t.connection.maxDurationMinutes)
                        .arg(t.name, t.id);
    }
    if (!refs.isEmpty())
        return validation(refs.join(QStringLiteral("; ")));
    for (const models::Policy& other : policies) {
        if (other.id != policy.id && other.name == policy.name)
            return conflict(QStringLiteral("name-taken"), QStringLiteral("Another policy already has this name."));
    }
    return Reply{0, {}, false, {}};
}

Reply FakeCloud::State::createPolicy(Ctx& ctx)
{
    models::Policy policy;
    bool maxGiven = false;
    if (Reply refused = readPolicy(ctx, policy, true, &maxGiven); refused.status != 0)
        return refused;
    policy.id = ids::newId(u"pol");
    policy.createdAt = policy.updatedAt = clock.now();
    policy.version = 1;
    policies.insert(policy.id, policy);
    record(QStringLiteral("policy.create"), ctx.caller.personId, QStringLiteral("policy"), policy.id, {},
           {{QStringLiteral("name"), policy.name}});
    grantChange(QStringLiteral("policy.created"), policy.toJson());
    return answer(201, policy.toJson());
}

Reply FakeCloud::State::updatePolicy(Ctx& ctx)
{
    const auto stored = policies.constFind(ctx.param(QStringLiteral("policyId")));
    if (stored == policies.constEnd())
        return notFound(QStringLiteral("policy"));
    models::Policy policy = *stored;
    bool maxGiven = false;
    if (Reply refused = readPolicy(ctx, policy, false, &maxGiven); refused.status != 0)
        return refused;
    if (policy.toJson() == stored->toJson()) {
        record(QStringLiteral("policy.update"), ctx.caller.personId, QStringLiteral("policy"), policy.id, {},
               {{QStringLiteral("name"), policy.name}, {QStringLiteral("changed"), QJsonArray()}});
        return answer(200, stored->toJson());
    }
    policy.updatedAt = clock.now();
    policy.version += 1;
    policies.insert(policy.id, policy);
    record(QStringLiteral("policy.update"), ctx.caller.personId, QStringLiteral("policy"), policy.id, {},
           {{QStringLiteral("name"), policy.name}});
    grantChange(QStringLiteral("policy.updated"), policy.toJson());
    return answer(200, policy.toJson());
}

// --- handlers: checkouts --------------------------------------------------------------------------------------------

Reply FakeCloud::State::listCheckouts(Ctx& ctx)
{
    const QString kState = QStringLiteral("state");
    const QString kTenant = QStringLiteral("tenantId");
    const QString kTechnician = QStringLiteral("technicianId");
    auto page = readPage(ctx.request, {kState, kTenant, kTechnician});
    if (auto* e = std::get_if<Reply>(&page))
        return *e;
    const QUrlQuery& query = ctx.request.query;
    for (const QString& key : {kState, kTenant, kTechnician}) {
        if (query.allQueryItemValues(key).size() > 1)
            return badQuery(QStringLiteral("%1 may be given once.").arg(key));
    }
    std::optional<CheckoutState> state;
    if (query.hasQueryItem(kState)) {
        state = models::checkoutStateFromString(query.queryItemValue(kState, QUrl::FullyDecoded));
        if (!state)
            return badQuery(QStringLiteral("state must be one of: %1.")
                                .arg(models::checkoutStateNames().join(QStringLiteral(", "))));
    }
    const QString tenantId = query.queryItemValue(kTenant, QUrl::FullyDecoded);
    if (query.hasQueryItem(kTenant) && !ids::isValidId(tenantId, u"tnt") && !tenants.contains(tenantId))
        return badQuery(QStringLiteral("tenantId is not a tenant id."));
    QString technicianId = query.queryItemValue(kTechnician, QUrl::FullyDecoded);
    if (query.hasQueryItem(kTechnician) && !ids::isValidId(technicianId, u"per") && !people.contains(technicianId))
        return badQuery(QStringLiteral("technicianId is not a person id."));
    if (!ctx.caller.admin) {
        if (!technicianId.isEmpty() && technicianId != ctx.caller.personId)
            return pageOf({}, std::get<PageRequest>(page));
        technicianId = ctx.caller.personId;
    }
    QList<QPair<QString, QJsonObject>> rows;
    for (const models::Checkout& c : checkouts) {
        if ((state && c.state != *state) || (!tenantId.isEmpty() && c.tenantId != tenantId)
            || (!technicianId.isEmpty() && c.technicianId != technicianId))
            continue;
        rows.append({c.id, c.toJson()});
    }
    return pageOf(rows, std::get<PageRequest>(page));
}

Reply FakeCloud::State::requestCheckout(Ctx& ctx)
{
    const QString action = QStringLiteral("checkout.request");
    json::ObjectReader reader(ctx.body());
    const QString tenantId = reader.requiredString(QStringLiteral("tenantId"), 64);
    const auto problemsBefore = reader.errors().size();
    const auto rolesGiven = reader.optionalStringList(QStringLiteral("roleDefinitionIds"), 20, 64);
    QStringList roles;
    if (!rolesGiven && reader.errors().size() == problemsBefore)
        reader.fail(QStringLiteral("roleDefinitionIds"), QStringLiteral("is required"));
    if (rolesGiven && rolesGiven->isEmpty())
        reader.fail(QStringLiteral("roleDefinitionIds"), QStringLiteral("must name at least one role"));
    for (const QString& role : rolesGiven.value_or(QStringList())) {
        if (auto id = models::normalizeRoleDefinitionId(role))
            roles << *id;
        else
            reader.fail(QStringLiteral("roleDefinitionIds"),
                        QStringLiteral("'%1' is not a GUID (8-4-4-4-12 hex digits)").arg(role.left(64)));
    }
    roles.sort();
    roles.removeDuplicates();
    const int duration = int(reader.requiredInteger(QStringLiteral("durationMinutes"), models::kMinDurationMinutes,
                                                    models::kMaxDurationMinutes));
    const QString justification
        = reader.optionalString(QStringLiteral("justification"), 2000).value_or(QString()).trimmed();
    const QString ticket = reader.optionalString(QStringLiteral("ticket"), 200).value_or(QString()).trimmed();
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());

    const auto notGranted = [](const QString& detail) { return problem(403, QStringLiteral("not-granted"), detail); };
    const auto tenant = tenants.constFind(tenantId);
    if (tenant == tenants.constEnd())
        return refuse(ctx, action, {}, {}, notGranted(QStringLiteral("No access policy grants you this tenant.")));
    const QList<models::TenantGrant> all = grantsIn(*tenant, policiesNaming(ctx.caller.personId, tenantId));
    QList<models::TenantGrant> covering, fitting;
    for (const models::TenantGrant& g : all) {
        if (!g.grantsAll(roles))
            continue;
        covering.append(g);
        if (duration <= g.maxDurationMinutes)
            fitting.append(g);
    }
    if (all.isEmpty())
        return refuse(ctx, action, {}, tenantId,
                      notGranted(QStringLiteral("No access policy grants you this tenant.")));
    if (covering.isEmpty()) {
        QStringList ungranted;
        for (const QString& role : roles) {
            if (std::none_of(all.begin(), all.end(), [&](const auto& g) { return g.roleDefinitionIds.contains(role); }))
                ungranted << role;
        }
        return refuse(ctx, action, {}, tenantId,
                      notGranted(ungranted.isEmpty()
                                     ? QStringLiteral("No single access policy grants you all of these roles together; "
                                                      "ask for them separately.")
                                     : QStringLiteral("No access policy grants you these roles in this tenant: %1.")
                                           .arg(ungranted.join(QStringLiteral(", ")))));
    }
    if (fitting.isEmpty()) {
        int longest = 0;
        for (const auto& g : covering)
            longest = std::max(longest, g.maxDurationMinutes);
        return fieldError(QStringLiteral("durationMinutes"),
                          QStringLiteral("must be at most %1 minutes for these roles in this tenant").arg(longest));
    }
    const models::TenantGrant& chosen = fitting.front();
    if (chosen.requireJustification && justification.isEmpty())
        return fieldError(QStringLiteral("justification"),
                          QStringLiteral("is required by the access policy \"%1\"").arg(chosen.policyName));
    if (chosen.requireTicket && ticket.isEmpty())
        return fieldError(QStringLiteral("ticket"),
                          QStringLiteral("is required by the access policy \"%1\"").arg(chosen.policyName));
    for (const models::Checkout& c : checkouts) {
        if (c.tenantId == tenantId && c.technicianId == ctx.caller.personId && isOpenState(c.state))
            return conflict(
                QStringLiteral("checkout-exists"),
                QStringLiteral("You already have a checkout of this tenant that has not ended; end it first."),
                {{QStringLiteral("checkoutId"), c.id}});
    }
    models::Checkout c;
    c.id = ids::newId(u"chk");
    c.orgId = org.id;
    c.tenantId = tenantId;
    c.technicianId = ctx.caller.personId;
    c.policyId = chosen.policyId;
    c.roleDefinitionIds = roles;
    c.durationMinutes = duration;
    c.justification = justification;
    c.ticket = ticket;
    c.state = CheckoutState::Requested;
    c.requestedAt = c.updatedAt = clock.now();
    c.nextActionAt = c.requestedAt;
    c.version = 1;
    checkouts.insert(c.id, c);
    record(action, ctx.caller.personId, QStringLiteral("checkout"), c.id, tenantId,
           {{QStringLiteral("policyId"), c.policyId},
            {QStringLiteral("roleDefinitionIds"), QJsonArray::fromStringList(roles)},
            {QStringLiteral("durationMinutes"), duration},
            {QStringLiteral("justification"), justification},
            {QStringLiteral("ticket"), ticket}});
    publishCheckout(c);
    if (chosen.requireApproval)
        move(c.id, CheckoutState::AwaitingApproval, QStringLiteral("The access policy asks an admin to approve."),
             ctx.caller.personId);
    const QJsonObject out = checkouts.value(c.id).toJson();
    engineTakes(c.id);
    return answer(201, out);
}

Reply FakeCloud::State::checkoutAction(Ctx& ctx, const QString& name)
{
    const models::Checkout* found = visibleCheckout(ctx);
    if (!found)
        return notFound(QStringLiteral("checkout"));
    const models::Checkout c = *found;
    const QString action = QStringLiteral("checkout.") + name;
    const bool own = c.technicianId == ctx.caller.personId;
    Reply error;
    auto act = [&](CheckoutState to, const QString& reason, const QJsonObject& details = {}) {
        record(action, ctx.caller.personId, QStringLiteral("checkout"), c.id, c.tenantId, details);
        move(c.id, to, reason, ctx.caller.personId);
        if (to == CheckoutState::Provisioning)
            engineTakes(c.id);
        return answer(200, checkouts.value(c.id).toJson());
    };
    if (name == QLatin1String("approve") || name == QLatin1String("deny")) {
        auto reason = readReason(ctx, false, &error);
        if (!reason)
            return error;
        const bool approve = name == QLatin1String("approve");
        if (approve && own)
            return refuse(ctx, action, c.id, c.tenantId,
                          problem(403, QStringLiteral("self-approval"),
                                  QStringLiteral("Another admin has to approve your own request.")));
        if (c.state != CheckoutState::AwaitingApproval)
            return invalidTransition(c, approve ? QStringLiteral("approved") : QStringLiteral("denied"));
        const QJsonObject details{{QStringLiteral("reason"), *reason},
                                  {QStringLiteral("technicianId"), c.technicianId}};
        if (!approve)
            return act(CheckoutState::Denied,
                       reason->isEmpty() ? QStringLiteral("Denied by %1.").arg(ctx.caller.email) : *reason, details);
        bool granted = false;
        const auto t = tenants.constFind(c.tenantId);
        if (t != tenants.constEnd()) {
            for (const auto& g : grantsIn(*t, policiesNaming(c.technicianId, c.tenantId)))
                granted = granted || (g.grantsAll(c.roleDefinitionIds) && c.durationMinutes <= g.maxDurationMinutes);
        }
        if (!granted)
            return conflict(QStringLiteral("no-longer-granted"),
                            QStringLiteral("The access policies no longer allow this request (its roles or its "
                                           "duration); deny it instead."));
        return act(CheckoutState::Provisioning,
                   reason->isEmpty() ? QStringLiteral("Approved by %1.").arg(ctx.caller.email) : *reason, details);
    }
    if (name == QLatin1String("revoke")) {
        auto reason = readReason(ctx, true, &error);
        if (!reason)
            return error;
        if (c.state != CheckoutState::Ready && c.state != CheckoutState::Provisioning)
            return invalidTransition(c, QStringLiteral("revoked"));
        return act(CheckoutState::Revoking, *reason,
                   {{QStringLiteral("reason"), *reason}, {QStringLiteral("technicianId"), c.technicianId}});
    }
    // cancel and end: the technician's own.
    if (!own)
        return refuse(ctx, action, c.id, c.tenantId,
                      forbidden(name == QLatin1String("cancel")
                                    ? QStringLiteral("Only the technician who asked can cancel a checkout; an admin "
                                                     "revokes it.")
                                    : QStringLiteral("Only the technician whose access it is can end a checkout; an "
                                                     "admin revokes it.")));
    if (name == QLatin1String("cancel")) {
        if (c.state != CheckoutState::Requested && c.state != CheckoutState::AwaitingApproval
            && c.state != CheckoutState::Ready)
            return invalidTransition(c, QStringLiteral("cancelled"));
        if (c.state == CheckoutState::Ready)
            return act(CheckoutState::Revoking, QStringLiteral("ended early"),
                       {{QStringLiteral("from"), models::toString(c.state)}});
        return act(CheckoutState::Cancelled, QStringLiteral("Cancelled by the technician."),
                   {{QStringLiteral("from"), models::toString(c.state)}});
    }
    if (c.state != CheckoutState::Ready)
        return invalidTransition(c, QStringLiteral("ended early"));
    return act(CheckoutState::Revoking, QStringLiteral("ended_early"));
}

Reply FakeCloud::State::extendCheckout(Ctx& ctx)
{
    const QString action = QStringLiteral("checkout.extend");
    const models::Checkout* found = visibleCheckout(ctx);
    if (!found)
        return notFound(QStringLiteral("checkout"));
    const models::Checkout c = *found;
    if (c.technicianId != ctx.caller.personId)
        return refuse(ctx, action, c.id, c.tenantId,
                      forbidden(QStringLiteral("Only the technician whose access it is can extend it.")));
    json::ObjectReader reader(ctx.body());
    const int minutes = int(reader.requiredInteger(QStringLiteral("minutes"), 1, models::kMaxDurationMinutes));
    if (auto ok = reader.finish(); !ok)
        return readerProblem(ok.error());
    if (c.state != CheckoutState::Ready)
        return invalidTransition(c, QStringLiteral("extended"));
    const models::Tenant t = tenants.value(c.tenantId);
    int cap = 0;
    for (const auto& g : grantsIn(t, policiesNaming(c.technicianId, c.tenantId))) {
        if (g.grantsAll(c.roleDefinitionIds))
            cap = std::max(cap, g.maxDurationMinutes);
    }
    cap = std::min(cap, t.connection.maxDurationMinutes);
    const TimeMs readyAt = c.readyAt.value_or(clock.now());
    const TimeMs expiresAt = c.expiresAt.value_or(clock.now()) + qint64(minutes) * 60'000;
    const qint64 total = (expiresAt - readyAt + 59'999) / 60'000;
    if (total > cap) {
        const Reply refused = fieldError(QStringLiteral("minutes"),
                                         QStringLiteral("would make the access last %1 minutes; at most %2 minutes "
                                                        "from when it became ready are allowed")
                                             .arg(total)
                                             .arg(cap));
        return refuse(ctx, action, c.id, c.tenantId, refused);
    }
    models::Checkout next = c;
    next.expiresAt = expiresAt;
    next.nextActionAt = expiresAt;
    next.updatedAt = clock.now();
    next.version = c.version + 1;
    checkouts.insert(next.id, next);
    record(action, ctx.caller.personId, QStringLiteral("checkout"), c.id, c.tenantId,
           {{QStringLiteral("from"), c.expiresAt ? toRfc3339(*c.expiresAt) : QString()},
            {QStringLiteral("to"), toRfc3339(expiresAt)}});
    publishCheckout(next);
    QString renewal = QStringLiteral("not_needed");
    auto cred = credentials.find(c.id);
    if (cred != credentials.end() && !cred->tap.isEmpty() && cred->tapExpiresAt && *cred->tapExpiresAt < expiresAt) {
        cred->tap = QStringLiteral("Tap-") + randomText(9);
        cred->tapExpiresAt = expiresAt + 60'000;
        renewal = QStringLiteral("pending");
    }
    QJsonObject out = next.toJson();
    out.insert(QStringLiteral("temporaryAccessPassRenewal"), renewal);
    return answer(200, out);
}

Reply FakeCloud::State::checkoutCredential(Ctx& ctx)
{
    const QString action = QStringLiteral("checkout.credential_view");
    const models::Checkout* found = visibleCheckout(ctx);
    if (!found)
        return notFound(QStringLiteral("checkout"));
    const models::Checkout c = *found;
    if (c.technicianId != ctx.caller.personId)
        return refuse(ctx, action, c.id, c.tenantId,
                      forbidden(QStringLiteral("Only the technician whose access it is can read its credential.")));
    const auto cred = credentials.constFind(c.id);
    if (c.state != CheckoutState::Ready || cred == credentials.constEnd())
        return conflict(QStringLiteral("credential-unavailable"),
                        QStringLiteral("The credential is there only while the checkout is ready; it is %1.")
                            .arg(models::toString(c.state)),
                        {{QStringLiteral("state"), models::toString(c.state)}});
    record(action, ctx.caller.personId, QStringLiteral("checkout"), c.id, c.tenantId,
           {{QStringLiteral("kind"), cred->tap.isEmpty() ? QStringLiteral("password")
                                      : cred->password.isEmpty() ? QStringLiteral("tap") : QStringLiteral("both")},
            {QStringLiteral("userPrincipalName"), cred->upn}});
    QJsonObject out{{QStringLiteral("userPrincipalName"), cred->upn},
                    {QStringLiteral("expiresAt"), toRfc3339(c.expiresAt.value_or(clock.now()))}};
    if (!cred->password.isEmpty())
        out.insert(QStringLiteral("password"), cred->password);
    if (!cred->tap.isEmpty())
        out.insert(QStringLiteral("temporaryAccessPass"), cred->tap);
    if (cred->tapExpiresAt)
        out.insert(QStringLiteral("temporaryAccessPassExpiresAt"), toRfc3339(*cred->tapExpiresAt));
    Reply r = answer(200, out);
    r.headers.append(qMakePair(QByteArray("Cache-Control"), QByteArray("no-store")));
    r.headers.append(qMakePair(QByteArray("Pragma"), QByteArray("no-cache")));
    return r;
}

// --- handlers: audit and webhooks -----------------------------------------------------------------------------------

Reply FakeCloud::State::queryAudit(Ctx& ctx)
{
    static const QStringList known{QStringLiteral("from"),     QStringLiteral("to"),     QStringLiteral("actorId"),
                                   QStringLiteral("tenantId"), QStringLiteral("action"), QStringLiteral("limit"),
                                   QStringLiteral("cursor")};
    std::optional<TimeMs> from, to;
    QString actorId, tenantId, actionFilter;
    int limit = 100;
    qint64 beforeSeq = std::numeric_limits<qint64>::max();
    QSet<QString> seen;
    for (const auto& [key, value] : ctx.request.query.queryItems(QUrl::FullyDecoded)) {
        if (!known.contains(key))
            return badQuery(QStringLiteral("Unknown query parameter '%1'.").arg(key.left(64)));
        if (seen.contains(key))
            return badQuery(QStringLiteral("%1 may be given once.").arg(key));
        seen.insert(key);
        if (key == QLatin1String("from") || key == QLatin1String("to")) {
            const auto t = fromRfc3339(value);
            if (!t)
                return badQuery(QStringLiteral("%1 must be an RFC 3339 time, e.g. 2026-01-31T09:00:00Z.").arg(key));
            (key == QLatin1String("from") ? from : to) = *t;
        } else if (key == QLatin1String("limit")) {
            bool ok = false;
            limit = value.toInt(&ok);
            if (!ok || limit < 1 || limit > 1000)
                return badQuery(QStringLiteral("limit must be an integer from 1 to 1000."));
        } else if (value.isEmpty() || value.size() > 128) {
            return badQuery(QStringLiteral("%1 must be 1 to 128 characters.").arg(key));
        } else if (key == QLatin1String("actorId")) {
            actorId = value;
        } else if (key == QLatin1String("tenantId")) {
            tenantId = value;
        } else if (key == QLatin1String("action")) {
            actionFilter = value;
        } else {
            auto decoded = crypto::base64UrlDecode(value.toLatin1());
            bool ok = false;
            beforeSeq = decoded ? QString::fromLatin1(*decoded).toLongLong(&ok) : 0;
            if (!ok)
                return badQuery(QStringLiteral("The cursor is not one this server handed out."),
                                QStringLiteral("bad-cursor"));
        }
    }
    QJsonArray items;
    qint64 lastSeq = 0;
    bool more = false;
    for (auto it = audit.crbegin(); it != audit.crend(); ++it) {
        const models::AuditEvent& e = *it;
        if (e.seq >= beforeSeq || (from && e.occurredAt < *from) || (to && e.occurredAt >= *to)
            || (!actorId.isEmpty() && e.actorId != actorId) || (!tenantId.isEmpty() && e.tenantId != tenantId))
            continue;
        if (!actionFilter.isEmpty()
            && !(actionFilter.endsWith(QLatin1Char('.')) ? e.action.startsWith(actionFilter)
                                                         : e.action == actionFilter))
            continue;
        if (items.size() == limit) {
            more = true;
            break;
        }
        items.append(auditJson(e));
        lastSeq = e.seq;
    }
    return answer(200, {{QStringLiteral("items"), items},
                      {QStringLiteral("nextCursor"),
                       more ? QJsonValue(QString::fromLatin1(crypto::base64UrlEncode(QByteArray::number(lastSeq))))
                            : QJsonValue(QJsonValue::Null)}});
}

namespace {
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
        if (url.host() == QLatin1String("localhost") || url.host() == QLatin1String("127.0.0.1"))
            return std::nullopt;
        return QStringLiteral("must use https (http only to a loopback address)");
    }
    return QStringLiteral("must be an https URL");
}

void readWebhookFields(json::ObjectReader& r, models::Webhook& w, bool creating)
{
    const auto url = creating ? std::optional<QString>(r.requiredString(QStringLiteral("url"), 2000))
                              : r.optionalString(QStringLiteral("url"), 2000, 1);
    if (url && !url->isEmpty()) {
        if (auto why = webhookUrlProblem(*url))
            r.fail(QStringLiteral("url"), *why);
        w.url = *url;
    }
    if (auto description = r.optionalString(QStringLiteral("description"), 500))
        w.description = description->trimmed();
    if (auto types = r.optionalStringList(QStringLiteral("eventTypes"), 10, 64)) {
        for (const QString& t : *types) {
            if (!models::kWebhookEventTypes.contains(t))
                r.fail(QStringLiteral("eventTypes"),
                       QStringLiteral("unknown event type %1 (known: %2)")
                           .arg(t, models::kWebhookEventTypes.join(QStringLiteral(", "))));
        }
        QStringList unique = *types;
        unique.removeDuplicates();
        w.eventTypes = unique;
    }
    if (auto enabled = r.optionalBool(QStringLiteral("enabled")))
        w.enabled = *enabled;
}
} // namespace

Reply FakeCloud::State::createWebhook(Ctx& ctx)
{
    json::ObjectReader r(ctx.body());
    models::Webhook w;
    readWebhookFields(r, w, true);
    if (auto ok = r.finish(); !ok)
        return readerProblem(ok.error());
    if (webhooks.size() >= 20)
        return conflict(QStringLiteral("too-many-webhooks"),
                        QStringLiteral("An organization has at most 20 webhooks."));
    w.id = ids::newId(u"whk");
    w.createdAt = w.updatedAt = clock.now();
    webhooks.insert(w.id, w);
    record(QStringLiteral("webhook.create"), ctx.caller.personId, QStringLiteral("webhook"), w.id, {},
           {{QStringLiteral("url"), w.url}, {QStringLiteral("eventTypes"), QJsonArray::fromStringList(w.eventTypes)}});
    QJsonObject out = w.toJson();
    // Shown this once; the cloud keeps it sealed and never returns it again.
    out.insert(QStringLiteral("secret"), QStringLiteral("whsec_") + randomText(32));
    return answer(201, out);
}

Reply FakeCloud::State::updateWebhook(Ctx& ctx)
{
    auto it = webhooks.find(ctx.param(QStringLiteral("webhookId")));
    if (it == webhooks.end())
        return notFound(QStringLiteral("webhook"));
    json::ObjectReader r(ctx.body());
    models::Webhook w = *it;
    readWebhookFields(r, w, false);
    if (auto ok = r.finish(); !ok)
        return readerProblem(ok.error());
    w.updatedAt = clock.now();
    w.version += 1;
    *it = w;
    record(QStringLiteral("webhook.update"), ctx.caller.personId, QStringLiteral("webhook"), w.id, {},
           {{QStringLiteral("url"), w.url}, {QStringLiteral("enabled"), w.enabled}});
    return answer(200, w.toJson());
}

Reply FakeCloud::State::listDeliveries(Ctx& ctx)
{
    const QString webhookId = ctx.param(QStringLiteral("webhookId"));
    if (!webhooks.contains(webhookId))
        return notFound(QStringLiteral("webhook"));
    auto page = readPage(ctx.request, {QStringLiteral("status")});
    if (auto* e = std::get_if<Reply>(&page))
        return *e;
    const QString status = ctx.request.query.queryItemValue(QStringLiteral("status"));
    if (!status.isEmpty() && status != QLatin1String("pending") && status != QLatin1String("delivered")
        && status != QLatin1String("dead"))
        return badQuery(QStringLiteral("status is one of pending, delivered, dead."), QStringLiteral("invalid-query"));
    QList<QPair<QString, QJsonObject>> rows;
    const QMap<QString, QJsonObject> all = deliveries.value(webhookId);
    for (auto it = all.constBegin(); it != all.constEnd(); ++it) {
        if (status.isEmpty() || it->value(QLatin1String("status")).toString() == status)
            rows.append({it.key(), it.value()});
    }
    return pageOf(rows, std::get<PageRequest>(page));
}

Reply FakeCloud::State::redeliver(Ctx& ctx)
{
    const QString webhookId = ctx.param(QStringLiteral("webhookId"));
    if (!webhooks.contains(webhookId))
        return notFound(QStringLiteral("webhook"));
    auto& list = deliveries[webhookId];
    auto it = list.find(ctx.param(QStringLiteral("deliveryId")));
    if (it == list.end())
        return notFound(QStringLiteral("delivery"));
    if (it->value(QLatin1String("status")).toString() == QLatin1String("pending"))
        return conflict(QStringLiteral("delivery-pending"), QStringLiteral("The delivery is still being attempted."));
    it->insert(QStringLiteral("status"), QStringLiteral("pending"));
    it->insert(QStringLiteral("attempts"), 0);
    it->insert(QStringLiteral("nextAttemptAt"), toRfc3339(clock.now()));
    it->insert(QStringLiteral("deliveredAt"), QJsonValue(QJsonValue::Null));
    record(QStringLiteral("webhook.redeliver"), ctx.caller.personId, QStringLiteral("webhook"), webhookId, {},
           {{QStringLiteral("deliveryId"), it.key()}});
    return answer(202, *it);
}

// --- the route table ------------------------------------------------------------------------------------------------

void FakeCloud::State::registerRoutes()
{
    const auto pub = Access::Public;
    const auto member = Access::Member;
    const auto admin = Access::Admin;
    constexpr qsizetype kSmall = 16 * 1024;
    constexpr qsizetype kBig = 128 * 1024;
    const QByteArray GET = "GET", POST = "POST", PATCH = "PATCH", DEL = "DELETE", PUT = "PUT";
    auto h = [this](Reply (State::*f)(Ctx&)) { return [this, f](Ctx& c) { return (this->*f)(c); }; };

    add(POST, QStringLiteral("/v1/auth/signin/begin"), pub, h(&State::signInBegin), kBig);
    add(POST, QStringLiteral("/v1/auth/signin/finish"), pub, h(&State::signInFinish), kBig, false, true);
    add(POST, QStringLiteral("/v1/auth/native/token"), pub, h(&State::nativeToken), kBig, false, true);
    add(POST, QStringLiteral("/v1/auth/signout"), member, h(&State::signOut), 0);

    add(GET, QStringLiteral("/v1/me"), member, h(&State::me), 0);
    add(
        GET, QStringLiteral("/v1/me/credentials"), member, [this](Ctx& c) { return credentialsOf(c.caller.personId); },
        0);
    add(GET, QStringLiteral("/v1/me/sessions"), member, h(&State::mySessions), 0);
    add(DEL, QStringLiteral("/v1/me/sessions/{sessionId}"), member, h(&State::endMySession), 0);
    add(GET, QStringLiteral("/v1/organization"), member, [this](Ctx&) { return answer(200, org.toJson()); }, 0);

    add(GET, QStringLiteral("/v1/people"), admin,
        [this](Ctx& c) {
            return listPage(c.request, people, [this](const models::Person& p) { return withGroups(p).toJson(); });
        },
        0);
    add(GET, QStringLiteral("/v1/people/{personId}"), admin, [this](Ctx& c) {
        const auto it = people.constFind(c.param(QStringLiteral("personId")));
        return it == people.constEnd() ? notFound(QStringLiteral("person")) : answer(200, withGroups(*it).toJson());
    }, 0);
    add(PATCH, QStringLiteral("/v1/people/{personId}"), admin, h(&State::updatePerson), kSmall, false, true);
    add(GET, QStringLiteral("/v1/people/{personId}/credentials"), admin, [this](Ctx& c) {
        const QString id = c.param(QStringLiteral("personId"));
        return people.contains(id) ? credentialsOf(id) : notFound(QStringLiteral("person"));
    }, 0);
    add(DEL, QStringLiteral("/v1/people/{personId}/credentials/{credentialId}"), admin, [this](Ctx& c) {
        const QString id = c.param(QStringLiteral("credentialId"));
        if (!people.contains(c.param(QStringLiteral("personId")))
            || passkeyOwner.value(id) != c.param(QStringLiteral("personId")))
            return notFound(QStringLiteral("credential"));
        passkeys.remove(id);
        passkeyOwner.remove(id);
        for (auto it = passkeyByCredentialId.begin(); it != passkeyByCredentialId.end();)
            it = it.value() == id ? passkeyByCredentialId.erase(it) : std::next(it);
        record(QStringLiteral("credential.remove"), c.caller.personId, QStringLiteral("credential"), id, {}, {});
        return noContent();
    }, 0);
    add(POST, QStringLiteral("/v1/people/{personId}/sessions/revoke"), admin, [this](Ctx& c) {
        const QString id = c.param(QStringLiteral("personId"));
        if (!people.contains(id))
            return notFound(QStringLiteral("person"));
        int n = 0;
        for (Session& s : sessions) {
            if (s.personId == id && !s.ended) {
                s.ended = true;
                ++n;
            }
        }
        record(QStringLiteral("session.revoke_all"), c.caller.personId, QStringLiteral("person"), id, {},
               {{QStringLiteral("sessionsRevoked"), n}});
        channel->closeIfPerson(id);
        return answer(200, {{QStringLiteral("revoked"), n}});
    }, 0);

    add(GET, QStringLiteral("/v1/invites"), admin, [this](Ctx& c) {
        return listPage(c.request, invites, [this](const models::Invite& i) {
            models::Invite shown = i;
            if (shown.status == QLatin1String("pending") && clock.now() >= shown.expiresAt)
                shown.status = QStringLiteral("expired");
            return shown.toJson();
        });
    }, 0);
    add(POST, QStringLiteral("/v1/invites"), admin, h(&State::createInvite), kSmall, true, true);
    add(DEL, QStringLiteral("/v1/invites/{inviteId}"), admin, [this](Ctx& c) {
        auto it = invites.find(c.param(QStringLiteral("inviteId")));
        if (it == invites.end() || it->status != QLatin1String("pending"))
            return notFound(QStringLiteral("pending invite"));
        it->status = QStringLiteral("revoked");
        record(QStringLiteral("invite.revoke"), c.caller.personId, QStringLiteral("invite"), it->id, {}, {});
        return noContent();
    }, 0);

    add(GET, QStringLiteral("/v1/groups"), admin,
        [this](Ctx& c) { return listPage(c.request, groups, [](const models::Group& g) { return g.toJson(); }); }, 0);
    add(POST, QStringLiteral("/v1/groups"), admin, h(&State::createGroup), kSmall * 4, true, true);
    add(GET, QStringLiteral("/v1/groups/{groupId}"), admin, [this](Ctx& c) {
        const auto it = groups.constFind(c.param(QStringLiteral("groupId")));
        return it == groups.constEnd() ? notFound(QStringLiteral("group")) : answer(200, it->toJson());
    }, 0);
    add(PATCH, QStringLiteral("/v1/groups/{groupId}"), admin, h(&State::updateGroup), kSmall * 4, false, true);
    add(DEL, QStringLiteral("/v1/groups/{groupId}"), admin, [this](Ctx& c) {
        const QString id = c.param(QStringLiteral("groupId"));
        if (!groups.remove(id))
            return notFound(QStringLiteral("group"));
        for (models::Policy& p : policies)
            p.subjects.removeAll(models::PolicySubject{QStringLiteral("group"), id});
        record(QStringLiteral("group.delete"), c.caller.personId, QStringLiteral("group"), id, {}, {});
        publish(QStringLiteral("admins"), QStringLiteral("group.deleted"), {{QStringLiteral("id"), id}});
        publish(QStringLiteral("org"), QStringLiteral("grants.changed"), {});
        return noContent();
    }, 0);

    add(GET, QStringLiteral("/v1/tenants"), member, h(&State::listTenants), 0);
    add(POST, QStringLiteral("/v1/tenants"), admin, h(&State::createTenant), 64 * 1024, true, true);
    add(GET, QStringLiteral("/v1/tenants/{tenantId}"), member, h(&State::getTenant), 0);
    add(PATCH, QStringLiteral("/v1/tenants/{tenantId}"), admin, h(&State::updateTenant), 64 * 1024, false, true);
    add(DEL, QStringLiteral("/v1/tenants/{tenantId}"), admin, h(&State::deleteTenant), 0);
    add(GET, QStringLiteral("/v1/tenants/{tenantId}/connection"), admin, [this](Ctx& c) {
        const auto it = tenants.constFind(c.param(QStringLiteral("tenantId")));
        return it == tenants.constEnd() ? notFound(QStringLiteral("tenant")) : answer(200, connectionJson(*it));
    }, 0);
    add(DEL, QStringLiteral("/v1/tenants/{tenantId}/connection"), admin, h(&State::disconnect), kSmall, false, true);
    add(PUT, QStringLiteral("/v1/tenants/{tenantId}/connection/credential"), admin, h(&State::putConnectionCredential),
        40 * 1024, false, true);
    add(DEL, QStringLiteral("/v1/tenants/{tenantId}/connection/credential"), admin, [this](Ctx& c) {
        const QString id = c.param(QStringLiteral("tenantId"));
        if (!tenants.contains(id))
            return notFound(QStringLiteral("tenant"));
        if (!connectionCredentials.remove(id))
            return notFound(QStringLiteral("credential"));
        record(QStringLiteral("tenant.credential.remove"), c.caller.personId, QStringLiteral("tenant"), id, id, {});
        publishConnection(tenants.value(id));
        return noContent();
    }, 0);
    add(POST, QStringLiteral("/v1/tenants/{tenantId}/connection/start"), admin, h(&State::startConnection), kSmall,
        false, true);
    add(POST, QStringLiteral("/v1/tenants/{tenantId}/connection/complete"), admin, h(&State::completeConnection),
        kSmall, false, true);
    add(POST, QStringLiteral("/v1/tenants/{tenantId}/connection/check"), admin, h(&State::checkConnection), kSmall);
    add(POST, QStringLiteral("/v1/tenants/{tenantId}/reconcile"), admin, [this](Ctx& c) {
        const QString id = c.param(QStringLiteral("tenantId"));
        if (!tenants.contains(id))
            return notFound(QStringLiteral("tenant"));
        models::ConnectionState s = connectionStates.value(id);
        s.tenantId = id;
        s.lastReconciledAt = clock.now();
        connectionStates.insert(id, s);
        record(QStringLiteral("tenant.reconcile"), c.caller.personId, QStringLiteral("tenant"), id, id, {});
        return answer(202, {{QStringLiteral("tenantId"), id}, {QStringLiteral("status"), QStringLiteral("started")}});
    }, 0);

    add(
        GET, QStringLiteral("/v1/policies"), admin,
        [this](Ctx& c) { return listPage(c.request, policies, [](const models::Policy& p) { return p.toJson(); }); },
        0);
    add(POST, QStringLiteral("/v1/policies"), admin, h(&State::createPolicy), kBig, true, true);
    add(GET, QStringLiteral("/v1/policies/{policyId}"), admin, [this](Ctx& c) {
        const auto it = policies.constFind(c.param(QStringLiteral("policyId")));
        return it == policies.constEnd() ? notFound(QStringLiteral("policy")) : answer(200, it->toJson());
    }, 0);
    add(PATCH, QStringLiteral("/v1/policies/{policyId}"), admin, h(&State::updatePolicy), kBig, false, true);
    add(DEL, QStringLiteral("/v1/policies/{policyId}"), admin, [this](Ctx& c) {
        const QString id = c.param(QStringLiteral("policyId"));
        const auto it = policies.constFind(id);
        if (it == policies.constEnd())
            return notFound(QStringLiteral("policy"));
        const QString name = it->name;
        policies.remove(id);
        record(QStringLiteral("policy.delete"), c.caller.personId, QStringLiteral("policy"), id, {},
               {{QStringLiteral("name"), name}});
        grantChange(QStringLiteral("policy.deleted"), {{QStringLiteral("id"), id}});
        return noContent();
    }, 0);

    add(GET, QStringLiteral("/v1/checkouts"), member, h(&State::listCheckouts), 0);
    add(POST, QStringLiteral("/v1/checkouts"), member, h(&State::requestCheckout), kSmall, true, true);
    add(GET, QStringLiteral("/v1/checkouts/{checkoutId}"), member, [this](Ctx& c) {
        const models::Checkout* found = visibleCheckout(c);
        return found ? answer(200, found->toJson()) : notFound(QStringLiteral("checkout"));
    }, 0);
    for (const char* action : {"approve", "deny", "revoke"}) {
        const QString name = QString::fromLatin1(action);
        add(POST, QStringLiteral("/v1/checkouts/{checkoutId}/") + name,
            admin, [this, name](Ctx& c) { return checkoutAction(c, name); },
            kSmall);
    }
    for (const char* action : {"cancel", "end"}) {
        const QString name = QString::fromLatin1(action);
        add(POST, QStringLiteral("/v1/checkouts/{checkoutId}/") + name, member,
            [this, name](Ctx& c) { return checkoutAction(c, name); }, 0);
    }
    add(POST, QStringLiteral("/v1/checkouts/{checkoutId}/extend"), member, h(&State::extendCheckout), kSmall, false,
        true);
    add(GET, QStringLiteral("/v1/checkouts/{checkoutId}/credential"), member, h(&State::checkoutCredential), 0);

    add(GET, QStringLiteral("/v1/audit"), admin, h(&State::queryAudit), 0);

    add(GET, QStringLiteral("/v1/webhooks"), admin, [this](Ctx&) {
        QJsonArray items;
        for (const models::Webhook& w : webhooks)
            items.append(w.toJson());
        return answer(200,
                      {{QStringLiteral("items"), items}, {QStringLiteral("nextCursor"), QJsonValue(QJsonValue::Null)}});
    }, 0);
    add(POST, QStringLiteral("/v1/webhooks"), admin, h(&State::createWebhook), kSmall, false, true);
    add(GET, QStringLiteral("/v1/webhooks/{webhookId}"), admin, [this](Ctx& c) {
        const auto it = webhooks.constFind(c.param(QStringLiteral("webhookId")));
        return it == webhooks.constEnd() ? notFound(QStringLiteral("webhook")) : answer(200, it->toJson());
    }, 0);
    add(PATCH, QStringLiteral("/v1/webhooks/{webhookId}"), admin, h(&State::updateWebhook), kSmall, false, true);
    add(DEL, QStringLiteral("/v1/webhooks/{webhookId}"), admin, [this](Ctx& c) {
        const QString id = c.param(QStringLiteral("webhookId"));
        if (!webhooks.remove(id))
            return notFound(QStringLiteral("webhook"));
        deliveries.remove(id);
        record(QStringLiteral("webhook.delete"), c.caller.personId, QStringLiteral("webhook"), id, {}, {});
        return noContent();
    }, 0);
    add(GET, QStringLiteral("/v1/webhooks/{webhookId}/deliveries"), admin, h(&State::listDeliveries), 0);
    add(POST, QStringLiteral("/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"), admin,
        h(&State::redeliver), 0);
}

// --- FakeCloud ------------------------------------------------------------------------------------------------------

FakeCloud::FakeCloud(const Clock& clock, QObject* parent)
    : QObject(parent)
    , d(std::make_unique<State>(*this, clock))
{
    d->channel = new FakeEventChannel(*this, this);
}

FakeCloud::~FakeCloud() = default;

client::Call<ApiResponse> FakeCloud::send(const ApiRequest& request)
{
    client::Call<ApiResponse> call;
    d->deliver(call, d->handle(request));
    return call;
}

void FakeCloud::setSessionToken(const crypto::SecretBytes& token)
{
    crypto::wipe(d->transportToken);
    d->transportToken = QByteArray(token.bytes().constData(), token.size());
}

bool FakeCloud::hasSessionToken() const
{
    return !d->transportToken.isEmpty();
}

FakeEventChannel& FakeCloud::channel()
{
    return *d->channel;
}

models::Person FakeCloud::addPerson(const QString& email, const QString& displayName, const QString& role)
{
    models::Person p;
    p.id = ids::newId(u"per");
    p.orgId = d->org.id;
    p.email = email.toLower();
    p.displayName = displayName;
    p.role = role;
    p.status = QStringLiteral("active");
    p.createdAt = d->clock.now();
    d->people.insert(p.id, p);
    return p;
}

QByteArray FakeCloud::sessionFor(const QString& personId)
{
    return d->newSession(personId);
}

void FakeCloud::signInAs(const QString& personId)
{
    setSessionToken(crypto::SecretBytes(sessionFor(personId)));
}

models::Tenant FakeCloud::addTenant(const QString& name, const QList<models::OfferedRole>& roles,
                                    const QString& connectionStatus)
{
    models::Tenant t;
    t.id = ids::newId(u"tnt");
    t.orgId = d->org.id;
    t.name = name;
    t.connection.rolesOffered = roles;
    t.connection.status = connectionStatus;
    if (connectionStatus == QLatin1String("connected") || connectionStatus == QLatin1String("unhealthy"))
        t.connection.entraTenantId = hexGuid();
    t.createdAt = t.updatedAt = d->clock.now();
    d->tenants.insert(t.id, t);
    d->publish(QStringLiteral("admins"), QStringLiteral("tenant.created"), t.toJson());
    d->publish(QStringLiteral("org"), QStringLiteral("grants.changed"), {});
    return t;
}

models::Group FakeCloud::addGroup(const QString& name, const QStringList& memberIds)
{
    models::Group g{ids::newId(u"grp"), name, memberIds, d->clock.now()};
    g.memberIds.sort();
    g.memberIds.removeDuplicates();
    d->groups.insert(g.id, g);
    d->publish(QStringLiteral("admins"), QStringLiteral("group.created"), g.toJson());
    d->publish(QStringLiteral("org"), QStringLiteral("grants.changed"), {});
    return g;
}

void FakeCloud::setGroupMembers(const QString& groupId, const QStringList& memberIds)
{
    auto it = d->groups.find(groupId);
    if (it == d->groups.end())
        return;
    it->memberIds = memberIds;
    it->memberIds.sort();
    it->memberIds.removeDuplicates();
    d->publish(QStringLiteral("admins"), QStringLiteral("group.updated"), it->toJson());
    d->publish(QStringLiteral("org"), QStringLiteral("grants.changed"), {});
}

models::Policy FakeCloud::addPolicy(const QString& name, const QStringList& tenantIds,
                                    const QStringList& subjectPersonIds, const QStringList& roleIds,
                                    int maxDurationMinutes, bool requireJustification, bool requireTicket,
                                    bool requireApproval)
{
    models::Policy p;
    p.id = ids::newId(u"pol");
    p.name = name;
    p.tenantIds = tenantIds;
    p.tenantIds.sort();
    for (const QString& id : subjectPersonIds)
        p.subjects.append({d->groups.contains(id) ? QStringLiteral("group") : QStringLiteral("person"), id});
    std::sort(p.subjects.begin(), p.subjects.end(),
              [](const auto& a, const auto& b) { return std::tie(a.type, a.id) < std::tie(b.type, b.id); });
    for (const QString& role : roleIds)
        p.roleDefinitionIds << models::normalizeRoleDefinitionId(role).value_or(role);
    p.roleDefinitionIds.sort();
    p.maxDurationMinutes = maxDurationMinutes;
    p.requireJustification = requireJustification;
    p.requireTicket = requireTicket;
    p.requireApproval = requireApproval;
    p.createdAt = p.updatedAt = d->clock.now();
    d->policies.insert(p.id, p);
    d->grantChange(QStringLiteral("policy.created"), p.toJson());
    return p;
}

models::Checkout FakeCloud::addCheckout(const models::Checkout& checkout)
{
    models::Checkout c = checkout;
    if (c.id.isEmpty())
        c.id = ids::newId(u"chk");
    c.orgId = d->org.id;
    if (c.requestedAt == 0)
        c.requestedAt = d->clock.now();
    if (c.updatedAt == 0)
        c.updatedAt = c.requestedAt;
    if (c.durationMinutes == 0)
        c.durationMinutes = 60;
    if (c.state == CheckoutState::Ready) {
        if (!c.readyAt)
            c.readyAt = d->clock.now();
        if (!c.expiresAt)
            c.expiresAt = *c.readyAt + qint64(c.durationMinutes) * 60'000;
        if (!c.accountUpn)
            c.accountUpn = d->accountUpnFor(c);
    }
    d->checkouts.insert(c.id, c);
    if (c.state == CheckoutState::Ready && !d->credentials.contains(c.id))
        d->credentials.insert(c.id, d->defaultCredential(c));
    d->publishCheckout(c);
    return c;
}

void FakeCloud::setConnectionState(const models::ConnectionState& state)
{
    d->connectionStates.insert(state.tenantId, state);
    auto it = d->tenants.find(state.tenantId);
    if (it == d->tenants.end())
        return;
    if (!state.status.isEmpty())
        it->connection.status = state.status;
    it->connection.entraTenantId = state.entraTenantId;
    if (!state.nationalCloud.isEmpty())
        it->connection.nationalCloud = state.nationalCloud;
    if (state.credential) {
        const models::ConnectionCredentialSummary& c = *state.credential;
        d->connectionCredentials.insert(
            state.tenantId,
            {{QStringLiteral("kind"), c.kind},
             {QStringLiteral("clientId"), c.clientId},
             {QStringLiteral("certificateThumbprint"),
              c.certificateThumbprint.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(c.certificateThumbprint)},
             {QStringLiteral("certificateNotAfter"), timeOrNull(c.certificateNotAfter)},
             {QStringLiteral("secretExpiresAt"), timeOrNull(c.secretExpiresAt)},
             {QStringLiteral("updatedAt"), toRfc3339(d->clock.now())}});
    } else {
        d->connectionCredentials.remove(state.tenantId);
    }
    d->publishConnection(*it);
}

models::Invite FakeCloud::addInvite(const QString& email, const QString& role, const QString& displayName)
{
    models::Invite i;
    i.id = ids::newId(u"inv");
    i.email = email.toLower();
    i.displayName = displayName.isEmpty() ? i.email.section(QLatin1Char('@'), 0, 0) : displayName;
    i.role = role;
    i.status = QStringLiteral("pending");
    i.createdAt = d->clock.now();
    i.expiresAt = i.createdAt + 7LL * 24 * 3'600'000;
    d->invites.insert(i.id, i);
    return i;
}

models::Webhook FakeCloud::addWebhook(const QString& url, const QStringList& eventTypes)
{
    models::Webhook w;
    w.id = ids::newId(u"whk");
    w.url = url;
    w.eventTypes = eventTypes;
    w.createdAt = w.updatedAt = d->clock.now();
    d->webhooks.insert(w.id, w);
    return w;
}

QString FakeCloud::addWebhookDelivery(const QString& webhookId, const QString& eventType, const QString& status)
{
    const QString id = ids::newId(u"whd");
    const TimeMs now = d->clock.now();
    const bool delivered = status == QLatin1String("delivered");
    const bool pending = status == QLatin1String("pending");
    d->deliveries[webhookId].insert(
        id, {{QStringLiteral("id"), id},
             {QStringLiteral("webhookId"), webhookId},
             {QStringLiteral("eventId"), ids::newId(u"evt")},
             {QStringLiteral("eventType"), eventType},
             {QStringLiteral("status"), status},
             {QStringLiteral("attempts"), pending ? 0 : delivered ? 1 : 8},
             {QStringLiteral("nextAttemptAt"), pending ? QJsonValue(toRfc3339(now)) : QJsonValue(QJsonValue::Null)},
             {QStringLiteral("lastAttemptAt"), pending ? QJsonValue(QJsonValue::Null) : QJsonValue(toRfc3339(now))},
             {QStringLiteral("lastStatus"), pending ? QJsonValue(QJsonValue::Null) : QJsonValue(delivered ? 200 : 500)},
             {QStringLiteral("lastError"), delivered || pending ? QString() : QStringLiteral("HTTP 500")},
             {QStringLiteral("createdAt"), toRfc3339(now)},
             {QStringLiteral("deliveredAt"), delivered ? QJsonValue(toRfc3339(now)) : QJsonValue(QJsonValue::Null)}});
    return id;
}

models::AuditEvent FakeCloud::addAuditEvent(const QString& action, const QString& actorId, const QString& tenantId,
                                            const QJsonObject& details, std::optional<TimeMs> occurredAt)
{
    return d->record(action, actorId, tenantId.isEmpty() ? QString() : QStringLiteral("tenant"), tenantId, tenantId,
                     details, QStringLiteral("success"), occurredAt);
}

QString FakeCloud::addPasskey(const QString& personId, const QString& credentialId)
{
    models::SignInCredential c;
    c.id = ids::newId(u"crd");
    c.name = QStringLiteral("Security key");
    c.aaguid = QStringLiteral("00000000-0000-0000-0000-000000000000");
    c.algorithm = -7;
    c.attestationFormat = QStringLiteral("none");
    c.attestationType = QStringLiteral("none");
    c.createdAt = d->clock.now();
    const QString raw = credentialId.isEmpty() ? randomText(32) : credentialId;
    d->passkeys.insert(c.id, c);
    d->passkeyOwner.insert(c.id, personId);
    d->passkeyByCredentialId.insert(raw, c.id);
    return raw;
}

QString FakeCloud::nativeCodeFor(const QString& personId, const QString& codeChallenge, const QString& redirectUri)
{
    const QString code = ids::newToken();
    d->nativeCodes.insert(code, {personId, codeChallenge, redirectUri, d->clock.now() + kNativeCodeTtlMs, false});
    return code;
}

void FakeCloud::setAutoProvision(bool on)
{
    d->autoProvision = on;
}

void FakeCloud::setMultiTenantAppConfigured(bool configured)
{
    d->mspAppConfigured = configured;
}

void FakeCloud::advance(const QString& checkoutId, CheckoutState state, const QString& reason)
{
    const models::Checkout before = d->checkouts.value(checkoutId);
    const QString stateReason = state == CheckoutState::RevokeFailed
        ? QStringLiteral("Revocation could not be confirmed: %1").arg(reason)
        : reason;
    if (!d->move(checkoutId, state, stateReason, QStringLiteral("system")))
        return;
    if (state == CheckoutState::RevokeFailed) {
        // As the engine: never a silent failure — the admins are alerted.
        const TimeMs now = d->clock.now();
        d->publish(QStringLiteral("admins"), QStringLiteral("alert.raised"),
                   {{QStringLiteral("type"), QStringLiteral("checkout.revoke_failed")},
                    {QStringLiteral("checkoutId"), checkoutId},
                    {QStringLiteral("tenantId"), before.tenantId},
                    {QStringLiteral("technicianId"), before.technicianId},
                    {QStringLiteral("detail"), reason},
                    {QStringLiteral("attempts"), 1},
                    {QStringLiteral("raisedAt"), toRfc3339(now)}});
    }
}

void FakeCloud::setCredential(const QString& checkoutId, const QString& upn, const QString& password,
                              const QString& tap)
{
    State::IssuedCredential c{upn, password, tap, std::nullopt};
    const models::Checkout checkout = d->checkouts.value(checkoutId);
    if (!tap.isEmpty())
        c.tapExpiresAt = checkout.expiresAt.value_or(d->clock.now() + 3'600'000) + 60'000;
    d->credentials.insert(checkoutId, c);
}

void FakeCloud::publish(const QString& type, const QJsonObject& data, const QString& audience)
{
    d->publish(audience, type, data);
}

void FakeCloud::setUnreachable(bool unreachable)
{
    d->unreachable = unreachable;
    if (unreachable && d->channel->isOpen())
        d->channel->drop();
}

void FakeCloud::failNext(const QByteArray& method, const QString& pathPrefix, int status, const QString& slug,
                         const QString& detail)
{
    d->failures.append({method, pathPrefix, status, slug, detail});
}

void FakeCloud::setDelayMs(int ms)
{
    d->delayMs = std::max(0, ms);
}

void FakeCloud::endSession()
{
    State::Session* s = d->sessionByToken(d->transportToken);
    if (!s)
        return;
    const QString id = s->id;
    d->endSessionsWhere([&](const State::Session& other) { return other.id == id; });
}

QList<ApiRequest> FakeCloud::requests() const
{
    return d->requests;
}

int FakeCloud::requestCount(const QByteArray& method, const QString& pathPrefix) const
{
    return int(std::count_if(d->requests.begin(), d->requests.end(), [&](const ApiRequest& r) {
        return (method.isEmpty() || r.method == method) && r.path.startsWith(pathPrefix);
    }));
}

models::Checkout FakeCloud::checkout(const QString& id) const
{
    return d->checkouts.value(id);
}

QList<models::Checkout> FakeCloud::checkouts() const
{
    return d->checkouts.values();
}

models::Tenant FakeCloud::tenant(const QString& id) const
{
    return d->tenants.value(id);
}

models::Person FakeCloud::person(const QString& id) const
{
    return d->withGroups(d->people.value(id));
}

models::Policy FakeCloud::policy(const QString& id) const
{
    return d->policies.value(id);
}

QList<models::Policy> FakeCloud::policies() const
{
    return d->policies.values();
}

QList<models::AuditEvent> FakeCloud::auditEvents() const
{
    return d->audit;
}

QList<LiveEvent> FakeCloud::publishedEvents() const
{
    QList<LiveEvent> out;
    for (const State::StoredEvent& e : d->events)
        out.append(e.event);
    return out;
}

qint64 FakeCloud::head() const
{
    return d->seq;
}

const Clock& FakeCloud::clock() const
{
    return d->clock;
}

// --- FakeEventChannel -----------------------------------------------------------------------------------------------

FakeEventChannel::FakeEventChannel(FakeCloud& cloud, QObject* parent)
    : client::EventChannel(parent)
    , m_cloud(cloud)
{
}

void FakeEventChannel::open(const crypto::SecretBytes& token, qint64 since)
{
    // Like WebSocketEventChannel: a new connection replaces the old one without a `closed` for it.
    const quint64 generation = ++m_generation;
    m_open = true;
    m_ready = false;
    m_personId.clear();
    m_sessionId.clear();
    ++m_opens;
    m_lastSince = since;
    QByteArray copy(token.bytes().constData(), token.size());
    QMetaObject::invokeMethod(
        this, [this, generation, copy, since]() mutable { handshake(generation, copy, since); },
        Qt::QueuedConnection);
}

void FakeEventChannel::handshake(quint64 generation, QByteArray token, qint64 since)
{
    FakeCloud::State& d = *m_cloud.d;
    const auto wipeToken = qScopeGuard([&token] { crypto::wipe(token); });
    if (generation != m_generation || !m_open)
        return;
    if (d.unreachable)
        return closeWith(Error{QString::fromLatin1(client::errors::kUnreachable),
                               QStringLiteral("The live channel was disconnected (Connection refused)."),
                               {}});
    const FakeCloud::State::Caller caller = d.callerFor(token);
    if (!caller.signedIn())
        return closeWith(Error{QString::fromLatin1(client::kSessionEnded),
                               QStringLiteral("The session is missing, expired or revoked."),
                               {}});
    m_personId = caller.personId;
    m_sessionId = caller.sessionId;
    qint64 cursor = since;
    if (since <= 0) {
        cursor = d.seq; // a fresh client starts from now; it fetched state over the API
    } else if (m_resetNext || (since < d.seq && !d.events.isEmpty() && d.events.first().event.seq > since + 1)) {
        m_resetNext = false;
        emit reset(d.seq);
        if (generation != m_generation)
            return;
        cursor = d.seq;
    }
    // The backlog: what came after `cursor` that this person may see, then live events.
    const QList<FakeCloud::State::StoredEvent> backlog = d.events;
    for (const auto& e : backlog) {
        if (e.event.seq <= cursor || !FakeCloud::State::visibleTo(caller.personId, caller.admin, e.audience))
            continue;
        emit event(e.event);
        if (generation != m_generation)
            return; // a handler closed or reopened the channel
    }
    m_ready = true;
    emit ready(d.seq);
}

void FakeEventChannel::close()
{
    ++m_generation;
    m_open = false;
    m_ready = false;
}

bool FakeEventChannel::isOpen() const
{
    return m_open;
}

void FakeEventChannel::drop()
{
    if (!m_open)
        return;
    closeWith(Error{QString::fromLatin1(client::errors::kUnreachable),
                    QStringLiteral("The live channel was disconnected (Remote host closed the connection)."),
                    {}});
}

void FakeEventChannel::closeWith(const Error& error)
{
    // The socket closes now; the application hears of it on a later turn, as from a real socket.
    close();
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        this,
        [this, generation, error]() {
            if (generation == m_generation)
                emit closed(error);
        },
        Qt::QueuedConnection);
}

void FakeEventChannel::closeIfSession(const QString& sessionId)
{
    if (m_open && !m_sessionId.isEmpty() && m_sessionId == sessionId)
        closeWith(Error{QString::fromLatin1(client::kSessionEnded), QStringLiteral("The session ended."), {}});
}

void FakeEventChannel::closeIfPerson(const QString& personId)
{
    if (m_open && !m_personId.isEmpty() && m_personId == personId)
        closeWith(Error{QString::fromLatin1(client::kSessionEnded), QStringLiteral("The session ended."), {}});
}

void FakeEventChannel::resetOnNextOpen()
{
    m_resetNext = true;
}

qint64 FakeEventChannel::head() const
{
    return m_cloud.d->seq;
}

int FakeEventChannel::openCount() const
{
    return m_opens;
}

qint64 FakeEventChannel::lastSince() const
{
    return m_lastSince;
}

void FakeEventChannel::deliver(const LiveEvent& event, const QString& audience)
{
    if (!m_open || !m_ready)
        return; // kept in the cloud's history: a channel opened with `since` gets it from the backlog
    const models::Person person = m_cloud.d->people.value(m_personId);
    if (!FakeCloud::State::visibleTo(m_personId, person.role == QLatin1String("admin"), audience))
        return;
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(
        this,
        [this, generation, event]() {
            if (generation == m_generation && m_open && m_ready)
                emit this->event(event);
        },
        Qt::QueuedConnection);
}

} // namespace stint::test
