// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiTransport.h"
#include "client/Call.h"
#include "models/Audit.h"
#include "models/Checkout.h"
#include "models/Connection.h"
#include "models/Directory.h"
#include "models/Policy.h"
#include "models/Tenant.h"
#include "models/Webhook.h"

#include <QObject>

#include <memory>

// The cloud's /v1 API with types: every call returns a Call of a models/ value, or an error (client/ApiError.h).
// Lists are read whole (all pages) unless the call takes a cursor. Secrets in answers (a checkout's credential, a
// session token, a webhook's signing secret) arrive as shared, wiped-on-free values and are never logged.
//
// A 401 on an authenticated call also emits unauthorized(): the session is over, whoever asked.
namespace stint::client {

template <typename T> struct Page
{
    QList<T> items;
    QString nextCursor; // empty at the end
};

// WebAuthn options from a ceremony's begin step.
struct CeremonyStart
{
    QString ceremonyId;
    QJsonObject publicKey; // PublicKeyCredentialRequestOptions (binary members base64url)
};

struct CheckoutFilter
{
    QString state; // one state name, or empty for all
    QString tenantId;
    QString technicianId;
};

// PUT …/connection/credential: the customer's own app registration. Secrets are wiped with this value.
struct ConnectionCredentialInput
{
    QString kind; // "client_secret" | "certificate"
    QString clientId;
    crypto::SecretBytes clientSecret;   // kind client_secret
    QString certificatePem;             // kind certificate
    crypto::SecretBytes privateKeyPem;  // kind certificate
    std::optional<TimeMs> secretExpiresAt;
};

using SharedSession = std::shared_ptr<const models::SignedInSession>;
using SharedCredential = std::shared_ptr<const models::CheckoutCredential>;
using SharedWebhook = std::shared_ptr<const models::CreatedWebhook>;

class CloudApi : public QObject
{
    Q_OBJECT
public:
    explicit CloudApi(ApiTransport& transport, QObject* parent = nullptr);

    ApiTransport& transport() { return m_transport; }
    // The server's clock minus `clock`'s, from the Date headers of the answers (0 until one came; 0 while the two agree
    // within what the whole-second Date header can show). The clock is the one
    // the caller measures time with (Workspace's), so that a countdown computed as clock + offset is right.
    qint64 serverClockOffsetMs() const { return m_serverOffsetMs; }
    void setClock(const Clock* clock) { m_clock = clock ? clock : &m_systemClock; }

    // Sign-in (public).
    Call<CeremonyStart> signInBegin(const QString& email = {});
    Call<SharedSession> signInFinish(const QString& ceremonyId, const QJsonObject& credential);
    Call<SharedSession> nativeToken(const QString& code, const QString& codeVerifier, const QString& redirectUri);
    Done signOut();

    // Me.
    Call<models::Me> me();
    Call<QList<models::SignInCredential>> myCredentials();
    Call<QList<models::SessionInfo>> mySessions();
    Done endMySession(const QString& sessionId);

    // Organization and people (admins).
    Call<models::Organization> organization();
    Call<QList<models::Person>> people();
    Call<models::Person> updatePerson(const QString& personId, const QJsonObject& patch);
    Call<QList<models::SignInCredential>> personCredentials(const QString& personId);
    Done removePersonCredential(const QString& personId, const QString& credentialId);
    Done revokePersonSessions(const QString& personId);
    Call<QList<models::Invite>> invites();
    Call<models::Invite> createInvite(const QString& email, const QString& role, const QString& displayName);
    Done revokeInvite(const QString& inviteId);
    Call<QList<models::Group>> groups();
    Call<models::Group> createGroup(const QString& name, const QStringList& memberIds);
    Call<models::Group> updateGroup(const QString& groupId, const QJsonObject& patch);
    Done deleteGroup(const QString& groupId);

    // Tenants and their connections.
    Call<QList<models::Tenant>> tenants();
    Call<models::Tenant> tenant(const QString& tenantId);
    Call<models::Tenant> createTenant(const QString& name, const QString& notes);
    // `patch` holds name, notes and/or connection settings; the version read is added.
    Call<models::Tenant> updateTenant(const QString& tenantId, qint64 version, const QJsonObject& patch);
    Done deleteTenant(const QString& tenantId);
    Call<models::ConnectionState> connection(const QString& tenantId);
    Call<models::ConnectStart> startConnection(const QString& tenantId, const QString& kind, const QString& redirectUri,
                                               const QString& loginHint = {}, const QString& tenantHint = {});
    Call<models::ConnectionState> completeConnection(const QString& tenantId, const QString& callbackUrl);
    Call<models::ConnectionState> checkConnection(const QString& tenantId, const QString& entraTenantId = {});
    Call<models::ConnectionState> disconnect(const QString& tenantId);
    Call<models::ConnectionState> setConnectionCredential(const QString& tenantId,
                                                         const ConnectionCredentialInput& credential);
    Done removeConnectionCredential(const QString& tenantId);
    Done reconcile(const QString& tenantId);

    // Policies (admins).
    Call<QList<models::Policy>> policies();
    Call<models::Policy> createPolicy(const models::Policy& policy);
    Call<models::Policy> updatePolicy(const models::Policy& policy); // carries its version
    Done deletePolicy(const QString& policyId);

    // Checkouts.
    Call<QList<models::Checkout>> checkouts(const CheckoutFilter& filter = {});
    Call<models::Checkout> checkout(const QString& checkoutId);
    // `idempotencyKey`: the same for retries of one request, so a retry after a lost answer does not ask twice.
    Call<models::Checkout> requestCheckout(const models::CheckoutRequest& request, const QString& idempotencyKey);
    Call<models::Checkout> approve(const QString& checkoutId, const QString& reason = {});
    Call<models::Checkout> deny(const QString& checkoutId, const QString& reason = {});
    Call<models::Checkout> cancel(const QString& checkoutId);
    Call<models::Checkout> end(const QString& checkoutId);
    Call<models::Checkout> extend(const QString& checkoutId, int minutes);
    Call<models::Checkout> revoke(const QString& checkoutId, const QString& reason);
    Call<SharedCredential> credential(const QString& checkoutId);

    // Audit (admins): one page, newest first.
    Call<Page<models::AuditEvent>> audit(const models::AuditFilter& filter, const QString& cursor = {},
                                         int limit = 100);

    // Webhooks (admins).
    Call<QList<models::Webhook>> webhooks();
    Call<SharedWebhook> createWebhook(const QString& url, const QString& description, const QStringList& eventTypes);
    Call<models::Webhook> updateWebhook(const QString& webhookId, const QJsonObject& patch);
    Done deleteWebhook(const QString& webhookId);
    Call<QList<models::WebhookDelivery>> deliveries(const QString& webhookId, bool deadOnly = false);
    Done redeliver(const QString& webhookId, const QString& deliveryId);

    // A fresh idempotency key (random, URL-safe).
    static QString newIdempotencyKey();

signals:
    // An authenticated call was answered 401: the session ended (expired, signed out elsewhere, revoked).
    void unauthorized();
    // Any call reached (or failed to reach) the service: for the "offline" banner.
    void reachabilityChanged(bool reachable);

private:
    Call<ApiResponse> send(ApiRequest request);
    template <typename T> Call<T> object(ApiRequest request);
    template <typename T> Call<QList<T>> list(ApiRequest request);
    template <typename T> Call<QList<T>> listAll(ApiRequest request);
    Done done(ApiRequest request);
    void noteServerTime(TimeMs date, TimeMs sentAt, TimeMs receivedAt);

    ApiTransport& m_transport;
    qint64 m_serverOffsetMs = 0;
    bool m_offsetKnown = false;
    qint64 m_offsetLo = 0;
    qint64 m_offsetHi = 0;
    SystemClock m_systemClock;
    const Clock* m_clock = &m_systemClock;
    bool m_reachable = true;
};

} // namespace stint::client
