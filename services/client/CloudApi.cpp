// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/CloudApi.h"

#include "client/ApiError.h"
#include "core/Crypto.h"
#include "models/JsonFields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QLoggingCategory>
#include <QUrl>

#include <algorithm>

#include <openssl/crypto.h>

Q_LOGGING_CATEGORY(lcCloudApi, "stint.client.cloudapi")

namespace stint::client {

namespace {
// Ids go into paths; the cloud's ids are URL-safe, but a hostile or broken value must not change the path.
QString seg(const QString& id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

ApiRequest get(const QString& path, bool authenticated = true)
{
    ApiRequest r;
    r.method = "GET";
    r.path = path;
    r.authenticated = authenticated;
    return r;
}

ApiRequest withBody(QByteArray method, const QString& path, QJsonObject body, bool authenticated = true)
{
    ApiRequest r;
    r.method = std::move(method);
    r.path = path;
    r.body = std::move(body);
    r.authenticated = authenticated;
    return r;
}

// Parses a sensitive answer's raw body and wipes it — in place, without detaching, so that every shallow copy of the
// buffer (the transport's, the call's) is wiped with it.
Result<QJsonObject> parseSensitive(const ApiResponse& response)
{
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(response.body, &parseError);
    if (!response.body.isEmpty())
        OPENSSL_cleanse(const_cast<char*>(response.body.constData()), size_t(response.body.size()));
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return errors::unexpected(QStringLiteral("not a JSON object"));
    return doc.object();
}

template <typename T> Result<T> parseObject(const QJsonObject& json)
{
    return T::fromJson(json);
}
} // namespace

CloudApi::CloudApi(ApiTransport& transport, QObject* parent)
    : QObject(parent)
    , m_transport(transport)
{
}

QString CloudApi::newIdempotencyKey()
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(18)));
}

Call<ApiResponse> CloudApi::send(ApiRequest request)
{
    const bool authenticated = request.authenticated;
    const TimeMs sentAt = m_clock->now();
    Call<ApiResponse> out;
    m_transport.send(request).then(this, [this, out, authenticated, sentAt](const Result<ApiResponse>& r) {
        const bool reachable = r.ok() || !errors::isNetwork(r.error());
        if (reachable != m_reachable) {
            m_reachable = reachable;
            emit reachabilityChanged(reachable);
        }
        if (r.ok() && r->serverTime)
            noteServerTime(*r->serverTime, sentAt, m_clock->now());
        if (!r.ok() && authenticated && errors::isUnauthorized(r.error()))
            emit unauthorized();
        out.resolve(r);
    });
    return out;
}

// The Date header has whole seconds and says when the answer left the service, so each answer only bounds the offset:
// server - local lies in [date - receivedAt, date + 999 ms - sentAt]. The bounds of all answers are intersected (a fresh
// start when they stop overlapping: one of the clocks was set), and the offset is the value in them closest to 0 — so a
// machine whose clock is right shows exactly its own time, and one that is off is corrected by what is provable.
void CloudApi::noteServerTime(TimeMs date, TimeMs sentAt, TimeMs receivedAt)
{
    const qint64 lo = date - receivedAt;
    const qint64 hi = date + 999 - sentAt;
    if (!m_offsetKnown || lo > m_offsetHi || hi < m_offsetLo) {
        m_offsetLo = lo;
        m_offsetHi = hi;
        m_offsetKnown = true;
    } else {
        m_offsetLo = std::max(m_offsetLo, lo);
        m_offsetHi = std::min(m_offsetHi, hi);
    }
    m_serverOffsetMs = std::clamp<qint64>(0, m_offsetLo, m_offsetHi);
}

template <typename T> Call<T> CloudApi::object(ApiRequest request)
{
    Call<T> out;
    send(std::move(request)).then(this, [out](const Result<ApiResponse>& r) {
        if (!r.ok())
            return out.fail(r.error());
        out.resolve(parseObject<T>(r->json));
    });
    return out;
}

template <typename T> Call<QList<T>> CloudApi::list(ApiRequest request)
{
    Call<QList<T>> out;
    send(std::move(request)).then(this, [out](const Result<ApiResponse>& r) {
        if (!r.ok())
            return out.fail(r.error());
        if (!r->json.value(QLatin1String("items")).isArray())
            return out.fail(errors::unexpected(QStringLiteral("a list without items")));
        out.resolve(models::parseList<T>(r->json.value(QLatin1String("items")).toArray(), &T::fromJson));
    });
    return out;
}

// Follows nextCursor until the end. The pages are read one after another (200 at a time), so a large organization
// costs a few round trips, not one per item.
template <typename T> Call<QList<T>> CloudApi::listAll(ApiRequest request)
{
    Call<QList<T>> out;
    auto items = std::make_shared<QList<T>>();
    auto next = std::make_shared<std::function<void(QString)>>();
    auto seen = std::make_shared<QSet<QString>>();
    *next = [this, out, items, request, next, seen](const QString& cursor) mutable {
        ApiRequest page = request;
        page.query.addQueryItem(QStringLiteral("limit"), QStringLiteral("200"));
        if (!cursor.isEmpty())
            page.query.addQueryItem(QStringLiteral("cursor"), cursor);
        send(page).then(this, [out, items, next, seen](const Result<ApiResponse>& r) {
            if (!r.ok()) {
                *next = nullptr;
                return out.fail(r.error());
            }
            if (!r->json.value(QLatin1String("items")).isArray()) {
                *next = nullptr;
                return out.fail(errors::unexpected(QStringLiteral("a list without items")));
            }
            auto parsed = models::parseList<T>(r->json.value(QLatin1String("items")).toArray(), &T::fromJson);
            if (!parsed) {
                *next = nullptr;
                return out.fail(parsed.error());
            }
            items->append(std::move(parsed).value());
            const QString cursor = r->json.value(QLatin1String("nextCursor")).toString();
            if (!cursor.isEmpty() && seen->contains(cursor)) {
                // A cursor handed out before would page around forever.
                *next = nullptr;
                return out.fail(errors::unexpected(QStringLiteral("a list whose pages go round in a circle")));
            }
            seen->insert(cursor);
            if (cursor.isEmpty()) {
                out.resolve(std::move(*items));
                *next = nullptr; // breaks the self-reference
            } else {
                (*next)(cursor);
            }
        });
    };
    (*next)(QString());
    return out;
}

Done CloudApi::done(ApiRequest request)
{
    Done out;
    send(std::move(request)).then(this, [out](const Result<ApiResponse>& r) {
        if (!r.ok())
            return out.fail(r.error());
        out.resolve({});
    });
    return out;
}

// --- sign-in ---

Call<CeremonyStart> CloudApi::signInBegin(const QString& email)
{
    QJsonObject body;
    if (!email.isEmpty())
        body.insert(QStringLiteral("email"), email);
    Call<CeremonyStart> out;
    send(withBody("POST", QStringLiteral("/v1/auth/signin/begin"), body, false))
        .then(this, [out](const Result<ApiResponse>& r) {
            if (!r.ok())
                return out.fail(r.error());
            const QJsonObject& j = r->json;
            if (!j.value(QLatin1String("ceremonyId")).isString() || !j.value(QLatin1String("publicKey")).isObject())
                return out.fail(errors::unexpected(QStringLiteral("sign-in options")));
            out.resolve(CeremonyStart{j.value(QLatin1String("ceremonyId")).toString(),
                                      j.value(QLatin1String("publicKey")).toObject()});
        });
    return out;
}

namespace {
Call<SharedSession> sessionFrom(CloudApi* self, Call<ApiResponse> sent)
{
    Call<SharedSession> out;
    sent.then(self, [out](const Result<ApiResponse>& r) {
        if (!r.ok())
            return out.fail(r.error());
        auto json = parseSensitive(r.value());
        if (!json)
            return out.fail(json.error());
        auto session = models::SignedInSession::fromJson(*json);
        if (!session)
            return out.fail(session.error());
        out.resolve(std::make_shared<const models::SignedInSession>(std::move(session).value()));
    });
    return out;
}
} // namespace

Call<SharedSession> CloudApi::signInFinish(const QString& ceremonyId, const QJsonObject& credential)
{
    ApiRequest r = withBody("POST", QStringLiteral("/v1/auth/signin/finish"),
                            {{QStringLiteral("ceremonyId"), ceremonyId}, {QStringLiteral("credential"), credential}},
                            false);
    r.sensitive = true;
    return sessionFrom(this, send(std::move(r)));
}

Call<SharedSession> CloudApi::nativeToken(const QString& code, const QString& codeVerifier, const QString& redirectUri)
{
    ApiRequest r = withBody("POST", QStringLiteral("/v1/auth/native/token"),
                            {{QStringLiteral("code"), code},
                             {QStringLiteral("codeVerifier"), codeVerifier},
                             {QStringLiteral("redirectUri"), redirectUri}},
                            false);
    r.sensitive = true;
    return sessionFrom(this, send(std::move(r)));
}

Done CloudApi::signOut()
{
    ApiRequest r;
    r.method = "POST";
    r.path = QStringLiteral("/v1/auth/signout");
    return done(std::move(r));
}

// --- me, organization, people ---

Call<models::Me> CloudApi::me()
{
    return object<models::Me>(get(QStringLiteral("/v1/me")));
}

Call<QList<models::SignInCredential>> CloudApi::myCredentials()
{
    return list<models::SignInCredential>(get(QStringLiteral("/v1/me/credentials")));
}

Call<QList<models::SessionInfo>> CloudApi::mySessions()
{
    return list<models::SessionInfo>(get(QStringLiteral("/v1/me/sessions")));
}

Done CloudApi::endMySession(const QString& sessionId)
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = QStringLiteral("/v1/me/sessions/") + seg(sessionId);
    return done(std::move(r));
}

Call<models::Organization> CloudApi::organization()
{
    return object<models::Organization>(get(QStringLiteral("/v1/organization")));
}

Call<QList<models::Person>> CloudApi::people()
{
    return listAll<models::Person>(get(QStringLiteral("/v1/people")));
}

Call<models::Person> CloudApi::updatePerson(const QString& personId, const QJsonObject& patch)
{
    return object<models::Person>(withBody("PATCH", QStringLiteral("/v1/people/") + seg(personId), patch));
}

Call<QList<models::SignInCredential>> CloudApi::personCredentials(const QString& personId)
{
    return list<models::SignInCredential>(get(QStringLiteral("/v1/people/%1/credentials").arg(seg(personId))));
}

Done CloudApi::removePersonCredential(const QString& personId, const QString& credentialId)
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = QStringLiteral("/v1/people/%1/credentials/%2").arg(seg(personId), seg(credentialId));
    return done(std::move(r));
}

Done CloudApi::revokePersonSessions(const QString& personId)
{
    ApiRequest r;
    r.method = "POST";
    r.path = QStringLiteral("/v1/people/%1/sessions/revoke").arg(seg(personId));
    return done(std::move(r));
}

Call<QList<models::Invite>> CloudApi::invites()
{
    return listAll<models::Invite>(get(QStringLiteral("/v1/invites")));
}

Call<models::Invite> CloudApi::createInvite(const QString& email, const QString& role, const QString& displayName)
{
    QJsonObject body{{QStringLiteral("email"), email}, {QStringLiteral("role"), role}};
    if (!displayName.isEmpty())
        body.insert(QStringLiteral("displayName"), displayName);
    return object<models::Invite>(withBody("POST", QStringLiteral("/v1/invites"), body));
}

Done CloudApi::revokeInvite(const QString& inviteId)
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = QStringLiteral("/v1/invites/") + seg(inviteId);
    return done(std::move(r));
}

Call<QList<models::Group>> CloudApi::groups()
{
    return listAll<models::Group>(get(QStringLiteral("/v1/groups")));
}

Call<models::Group> CloudApi::createGroup(const QString& name, const QStringList& memberIds)
{
    return object<models::Group>(withBody(
        "POST", QStringLiteral("/v1/groups"),
        {{QStringLiteral("name"), name}, {QStringLiteral("memberIds"), QJsonArray::fromStringList(memberIds)}}));
}

Call<models::Group> CloudApi::updateGroup(const QString& groupId, const QJsonObject& patch)
{
    return object<models::Group>(withBody("PATCH", QStringLiteral("/v1/groups/") + seg(groupId), patch));
}

Done CloudApi::deleteGroup(const QString& groupId)
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = QStringLiteral("/v1/groups/") + seg(groupId);
    return done(std::move(r));
}

// --- tenants and connections ---

Call<QList<models::Tenant>> CloudApi::tenants()
{
    return listAll<models::Tenant>(get(QStringLiteral("/v1/tenants")));
}

Call<models::Tenant> CloudApi::tenant(const QString& tenantId)
{
    return object<models::Tenant>(get(QStringLiteral("/v1/tenants/") + seg(tenantId)));
}

Call<models::Tenant> CloudApi::createTenant(const QString& name, const QString& notes)
{
    QJsonObject body{{QStringLiteral("name"), name}};
    if (!notes.isEmpty())
        body.insert(QStringLiteral("notes"), notes);
    return object<models::Tenant>(withBody("POST", QStringLiteral("/v1/tenants"), body));
}

Call<models::Tenant> CloudApi::updateTenant(const QString& tenantId, qint64 version, const QJsonObject& patch)
{
    QJsonObject body = patch;
    body.insert(QStringLiteral("version"), version);
    return object<models::Tenant>(withBody("PATCH", QStringLiteral("/v1/tenants/") + seg(tenantId), body));
}

Done CloudApi::deleteTenant(const QString& tenantId)
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = QStringLiteral("/v1/tenants/") + seg(tenantId);
    return done(std::move(r));
}

Call<models::ConnectionState> CloudApi::connection(const QString& tenantId)
{
    return object<models::ConnectionState>(get(QStringLiteral("/v1/tenants/%1/connection").arg(seg(tenantId))));
}

Call<models::ConnectStart> CloudApi::startConnection(const QString& tenantId, const QString& kind,
                                                     const QString& redirectUri, const QString& loginHint,
                                                     const QString& tenantHint)
{
    QJsonObject body{{QStringLiteral("kind"), kind}, {QStringLiteral("redirectUri"), redirectUri}};
    if (!loginHint.isEmpty())
        body.insert(QStringLiteral("loginHint"), loginHint);
    if (!tenantHint.isEmpty())
        body.insert(QStringLiteral("tenantHint"), tenantHint);
    return object<models::ConnectStart>(
        withBody("POST", QStringLiteral("/v1/tenants/%1/connection/start").arg(seg(tenantId)), body));
}

Call<models::ConnectionState> CloudApi::completeConnection(const QString& tenantId, const QString& callbackUrl)
{
    return object<models::ConnectionState>(withBody("POST",
                                                    QStringLiteral("/v1/tenants/%1/connection/complete").arg(seg(tenantId)),
                                                    {{QStringLiteral("callbackUrl"), callbackUrl}}));
}

Call<models::ConnectionState> CloudApi::checkConnection(const QString& tenantId, const QString& entraTenantId)
{
    QJsonObject body;
    if (!entraTenantId.isEmpty())
        body.insert(QStringLiteral("entraTenantId"), entraTenantId);
    return object<models::ConnectionState>(
        withBody("POST", QStringLiteral("/v1/tenants/%1/connection/check").arg(seg(tenantId)), body));
}

Call<models::ConnectionState> CloudApi::disconnect(const QString& tenantId)
{
    return object<models::ConnectionState>(withBody(
        "DELETE", QStringLiteral("/v1/tenants/%1/connection").arg(seg(tenantId)), {{QStringLiteral("confirm"), true}}));
}

Call<models::ConnectionState> CloudApi::setConnectionCredential(const QString& tenantId,
                                                                const ConnectionCredentialInput& credential)
{
    QJsonObject body{{QStringLiteral("kind"), credential.kind}, {QStringLiteral("clientId"), credential.clientId}};
    if (!credential.clientSecret.isEmpty())
        body.insert(QStringLiteral("clientSecret"), QString::fromUtf8(credential.clientSecret.bytes()));
    if (!credential.certificatePem.isEmpty())
        body.insert(QStringLiteral("certificatePem"), credential.certificatePem);
    if (!credential.privateKeyPem.isEmpty())
        body.insert(QStringLiteral("privateKeyPem"), QString::fromUtf8(credential.privateKeyPem.bytes()));
    if (credential.secretExpiresAt)
        body.insert(QStringLiteral("secretExpiresAt"), toRfc3339(*credential.secretExpiresAt));
    ApiRequest r = withBody("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(seg(tenantId)), body);
    // The cloud answers with what may be shown of the credential, not the connection: read the connection after.
    Call<models::ConnectionState> out;
    done(std::move(r)).then(this, [this, out, tenantId](const Result<void>& saved) {
        if (!saved.ok())
            return out.fail(saved.error());
        connection(tenantId).then(this, [out](const Result<models::ConnectionState>& state) { out.resolve(state); });
    });
    return out;
}

Done CloudApi::removeConnectionCredential(const QString& tenantId)
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = QStringLiteral("/v1/tenants/%1/connection/credential").arg(seg(tenantId));
    return done(std::move(r));
}

Done CloudApi::reconcile(const QString& tenantId)
{
    ApiRequest r;
    r.method = "POST";
    r.path = QStringLiteral("/v1/tenants/%1/reconcile").arg(seg(tenantId));
    return done(std::move(r));
}

// --- policies ---

Call<QList<models::Policy>> CloudApi::policies()
{
    return listAll<models::Policy>(get(QStringLiteral("/v1/policies")));
}

Call<models::Policy> CloudApi::createPolicy(const models::Policy& policy)
{
    QJsonObject body = policy.toRequestJson();
    body.remove(QStringLiteral("version"));
    return object<models::Policy>(withBody("POST", QStringLiteral("/v1/policies"), body));
}

Call<models::Policy> CloudApi::updatePolicy(const models::Policy& policy)
{
    return object<models::Policy>(
        withBody("PATCH", QStringLiteral("/v1/policies/") + seg(policy.id), policy.toRequestJson()));
}

Done CloudApi::deletePolicy(const QString& policyId)
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = QStringLiteral("/v1/policies/") + seg(policyId);
    return done(std::move(r));
}

// --- checkouts ---

Call<QList<models::Checkout>> CloudApi::checkouts(const CheckoutFilter& filter)
{
    ApiRequest r = get(QStringLiteral("/v1/checkouts"));
    if (!filter.state.isEmpty())
        r.query.addQueryItem(QStringLiteral("state"), filter.state);
    if (!filter.tenantId.isEmpty())
        r.query.addQueryItem(QStringLiteral("tenantId"), filter.tenantId);
    if (!filter.technicianId.isEmpty())
        r.query.addQueryItem(QStringLiteral("technicianId"), filter.technicianId);
    return listAll<models::Checkout>(std::move(r));
}

Call<models::Checkout> CloudApi::checkout(const QString& checkoutId)
{
    return object<models::Checkout>(get(QStringLiteral("/v1/checkouts/") + seg(checkoutId)));
}

Call<models::Checkout> CloudApi::requestCheckout(const models::CheckoutRequest& request, const QString& idempotencyKey)
{
    ApiRequest r = withBody("POST", QStringLiteral("/v1/checkouts"), request.toJson());
    r.idempotencyKey = idempotencyKey;
    return object<models::Checkout>(std::move(r));
}

namespace {
ApiRequest checkoutAction(const QString& checkoutId, const QString& action, QJsonObject body = {})
{
    return withBody("POST", QStringLiteral("/v1/checkouts/%1/%2").arg(seg(checkoutId), action), std::move(body));
}
QJsonObject reasonBody(const QString& reason)
{
    return reason.isEmpty() ? QJsonObject() : QJsonObject{{QStringLiteral("reason"), reason}};
}
} // namespace

Call<models::Checkout> CloudApi::approve(const QString& checkoutId, const QString& reason)
{
    return object<models::Checkout>(checkoutAction(checkoutId, QStringLiteral("approve"), reasonBody(reason)));
}

Call<models::Checkout> CloudApi::deny(const QString& checkoutId, const QString& reason)
{
    return object<models::Checkout>(checkoutAction(checkoutId, QStringLiteral("deny"), reasonBody(reason)));
}

// The bodyless actions are sent without a body: the cloud caps them at 0 bytes.
Call<models::Checkout> CloudApi::cancel(const QString& checkoutId)
{
    ApiRequest r = checkoutAction(checkoutId, QStringLiteral("cancel"));
    r.body.reset();
    return object<models::Checkout>(std::move(r));
}

Call<models::Checkout> CloudApi::end(const QString& checkoutId)
{
    ApiRequest r = checkoutAction(checkoutId, QStringLiteral("end"));
    r.body.reset();
    return object<models::Checkout>(std::move(r));
}

Call<models::Checkout> CloudApi::extend(const QString& checkoutId, int minutes)
{
    return object<models::Checkout>(
        checkoutAction(checkoutId, QStringLiteral("extend"), {{QStringLiteral("minutes"), minutes}}));
}

Call<models::Checkout> CloudApi::revoke(const QString& checkoutId, const QString& reason)
{
    return object<models::Checkout>(
        checkoutAction(checkoutId, QStringLiteral("revoke"), {{QStringLiteral("reason"), reason}}));
}

Call<SharedCredential> CloudApi::credential(const QString& checkoutId)
{
    ApiRequest r = get(QStringLiteral("/v1/checkouts/%1/credential").arg(seg(checkoutId)));
    r.sensitive = true;
    Call<SharedCredential> out;
    send(std::move(r)).then(this, [out](const Result<ApiResponse>& answer) {
        if (!answer.ok())
            return out.fail(answer.error());
        auto json = parseSensitive(answer.value());
        if (!json)
            return out.fail(json.error());
        auto credential = models::CheckoutCredential::fromJson(*json);
        if (!credential)
            return out.fail(credential.error());
        out.resolve(std::make_shared<const models::CheckoutCredential>(std::move(credential).value()));
    });
    return out;
}

// --- audit ---

Call<Page<models::AuditEvent>> CloudApi::audit(const models::AuditFilter& filter, const QString& cursor, int limit)
{
    ApiRequest r = get(QStringLiteral("/v1/audit"));
    r.query = filter.toQuery();
    r.query.addQueryItem(QStringLiteral("limit"), QString::number(qBound(1, limit, 200)));
    if (!cursor.isEmpty())
        r.query.addQueryItem(QStringLiteral("cursor"), cursor);
    Call<Page<models::AuditEvent>> out;
    send(std::move(r)).then(this, [out](const Result<ApiResponse>& answer) {
        if (!answer.ok())
            return out.fail(answer.error());
        if (!answer->json.value(QLatin1String("items")).isArray())
            return out.fail(errors::unexpected(QStringLiteral("a list without items")));
        auto items = models::parseList<models::AuditEvent>(answer->json.value(QLatin1String("items")).toArray(),
                                                           &models::AuditEvent::fromJson);
        if (!items)
            return out.fail(items.error());
        out.resolve(Page<models::AuditEvent>{std::move(items).value(),
                                             answer->json.value(QLatin1String("nextCursor")).toString()});
    });
    return out;
}

// --- webhooks ---

Call<QList<models::Webhook>> CloudApi::webhooks()
{
    return listAll<models::Webhook>(get(QStringLiteral("/v1/webhooks")));
}

Call<SharedWebhook> CloudApi::createWebhook(const QString& url, const QString& description,
                                            const QStringList& eventTypes)
{
    QJsonObject body{{QStringLiteral("url"), url}};
    if (!description.isEmpty())
        body.insert(QStringLiteral("description"), description);
    if (!eventTypes.isEmpty())
        body.insert(QStringLiteral("eventTypes"), QJsonArray::fromStringList(eventTypes));
    ApiRequest r = withBody("POST", QStringLiteral("/v1/webhooks"), body);
    r.sensitive = true;
    Call<SharedWebhook> out;
    send(std::move(r)).then(this, [out](const Result<ApiResponse>& answer) {
        if (!answer.ok())
            return out.fail(answer.error());
        auto json = parseSensitive(answer.value());
        if (!json)
            return out.fail(json.error());
        auto created = models::CreatedWebhook::fromJson(*json);
        if (!created)
            return out.fail(created.error());
        out.resolve(std::make_shared<const models::CreatedWebhook>(std::move(created).value()));
    });
    return out;
}

Call<models::Webhook> CloudApi::updateWebhook(const QString& webhookId, const QJsonObject& patch)
{
    return object<models::Webhook>(withBody("PATCH", QStringLiteral("/v1/webhooks/") + seg(webhookId), patch));
}

Done CloudApi::deleteWebhook(const QString& webhookId)
{
    ApiRequest r;
    r.method = "DELETE";
    r.path = QStringLiteral("/v1/webhooks/") + seg(webhookId);
    return done(std::move(r));
}

Call<QList<models::WebhookDelivery>> CloudApi::deliveries(const QString& webhookId, bool deadOnly)
{
    ApiRequest r = get(QStringLiteral("/v1/webhooks/%1/deliveries").arg(seg(webhookId)));
    if (deadOnly)
        r.query.addQueryItem(QStringLiteral("status"), QStringLiteral("dead"));
    return listAll<models::WebhookDelivery>(std::move(r));
}

Done CloudApi::redeliver(const QString& webhookId, const QString& deliveryId)
{
    ApiRequest r;
    r.method = "POST";
    r.path = QStringLiteral("/v1/webhooks/%1/deliveries/%2/redeliver").arg(seg(webhookId), seg(deliveryId));
    return done(std::move(r));
}

} // namespace stint::client
