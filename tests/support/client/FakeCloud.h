// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiTransport.h"
#include "client/EventChannel.h"
#include "core/Clock.h"
#include "models/Audit.h"
#include "models/Checkout.h"
#include "models/Connection.h"
#include "models/Directory.h"
#include "models/Policy.h"
#include "models/Tenant.h"
#include "models/Webhook.h"

#include <QObject>
#include <QTest>

#include <functional>
#include <memory>

// An in-memory stand-in for stint-cloud behind the desktop side's two seams — ApiTransport (the /v1 API) and
// EventChannel (the live channel) — for the client's, the sync's and the UI's tests. It answers with the cloud's JSON
// (written with models/ toJson, as the cloud does), the cloud's problem details (slugs as in docs/openapi.json), its
// pagination ({items, nextCursor}) and its authorization (technicians see their own checkouts and granted tenants,
// admins everything; 401 without a valid token), and publishes the live events the cloud would for every change.
// Its answers are delivered asynchronously (as over a network), optionally after a delay.
//
// Knobs let a test make the cloud unreachable, fail one route, end a session, and move checkouts through their
// states the way the provisioning engine would. It is a fake: the real cloud is tested against the real client in
// tests/integration (TestCloudApiAgainstCloud also compares the JSON both produce, so the fake cannot drift).
//
// A request changes the fake's state when it is sent (as the cloud would when it arrives); only the answer is
// delivered later. Errors reach the caller exactly as HttpTransport makes them (client/ApiError.h from the problem
// body). Seeding helpers publish the live events the cloud would publish for the same change (nobody hears them
// before a channel is open; a channel opened with `since` replays them).
namespace stint::test {

class FakeEventChannel;

// Waits on the event loop (no sleep) until `call` has finished, and returns its outcome; "test.timeout" when it did
// not finish in time. For tests of anything that returns a client::Call.
template <typename T> Result<T> waitFor(const client::Call<T>& call, int timeoutMs = 5000)
{
    if (!QTest::qWaitFor([&] { return call.isFinished(); }, timeoutMs))
        return Error{QStringLiteral("test.timeout"), QStringLiteral("The call did not finish in time."), {}};
    return *call.result();
}

class FakeCloud : public QObject, public client::ApiTransport
{
    Q_OBJECT
public:
    explicit FakeCloud(const Clock& clock, QObject* parent = nullptr);
    ~FakeCloud() override;

    // --- ApiTransport ---
    client::Call<client::ApiResponse> send(const client::ApiRequest& request) override;
    void setSessionToken(const crypto::SecretBytes& token) override;
    bool hasSessionToken() const override;
    QString origin() const override { return QStringLiteral("http://localhost:8443"); }

    // The live channel this cloud publishes on (give it to Workspace).
    FakeEventChannel& channel();

    // --- seeding ---
    models::Person addPerson(const QString& email, const QString& displayName, const QString& role);
    // A session token for `personId` (what sign-in would return); the transport must carry it to be signed in.
    QByteArray sessionFor(const QString& personId);
    // Seeds a session for `personId` and sets it on this transport (the common case in tests).
    void signInAs(const QString& personId);
    models::Tenant addTenant(const QString& name, const QList<models::OfferedRole>& roles,
                             const QString& connectionStatus = QStringLiteral("connected"));
    models::Group addGroup(const QString& name, const QStringList& memberIds);
    // A policy granting `subjects` (person or group ids) `roleIds` on `tenantIds`.
    models::Policy addPolicy(const QString& name, const QStringList& tenantIds, const QStringList& subjectPersonIds,
                             const QStringList& roleIds, int maxDurationMinutes, bool requireJustification = false,
                             bool requireTicket = false, bool requireApproval = false);
    models::Checkout addCheckout(const models::Checkout& checkout);
    // Sets what GET …/connection answers for state.tenantId (also the tenant's status and Entra tenant id), and
    // announces it as the cloud does (tenant.connection to admins).
    void setConnectionState(const models::ConnectionState& state);

    // Additions to the seeding above.
    models::Invite addInvite(const QString& email, const QString& role, const QString& displayName = {});
    models::Webhook addWebhook(const QString& url, const QStringList& eventTypes = {});
    // A delivery of `webhookId` with status pending | delivered | dead; returns its id.
    QString addWebhookDelivery(const QString& webhookId, const QString& eventType, const QString& status);
    // An audit event as if `actorId` had done `action` (the fake also records its own actions).
    models::AuditEvent addAuditEvent(const QString& action, const QString& actorId, const QString& tenantId = {},
                                     const QJsonObject& details = {}, std::optional<TimeMs> occurredAt = {});
    // A passkey of `personId` (its credential id, base64url): POST /v1/auth/signin/finish with a credential of this id
    // signs that person in (the fake checks no signature). Returns the id.
    QString addPasskey(const QString& personId, const QString& credentialId = {});
    // A one-time code of the browser sign-in hand-off (RFC 8252) for `personId`, bound to the S256 `codeChallenge`
    // and `redirectUri`, as /v1/auth/signin/finish would issue it; POST /v1/auth/native/token redeems it.
    QString nativeCodeFor(const QString& personId, const QString& codeChallenge, const QString& redirectUri);

    // --- what happens to requests (POST /v1/checkouts) ---
    // By default a request goes requested → provisioning at once; the test moves it on with advance().
    // (Requests of a tenant that is neither connected nor unhealthy stay requested, as with the real engine.)
    void setAutoProvision(bool on);
    // Moves a checkout to `state` (with `reason`), as the engine would, and publishes checkout.updated. Ready sets
    // readyAt/expiresAt from the clock and the duration and makes a credential available. Refuses (with a warning)
    // a move the cloud's state machine does not allow. revoke_failed also raises the alert the engine raises.
    void advance(const QString& checkoutId, models::CheckoutState state, const QString& reason = {});
    // The credential GET …/credential serves while ready.
    void setCredential(const QString& checkoutId, const QString& upn, const QString& password, const QString& tap);
    // An admin event happening elsewhere: publishes any live event (type, data) to everyone who may see it.
    // `audience`: "org", "admins", "person:<id>", or several joined by '|'.
    void publish(const QString& type, const QJsonObject& data, const QString& audience = QStringLiteral("org"));

    // --- failure and timing ---
    // Every call fails with network.unreachable and the live channel closes (and refuses to open) until false again.
    void setUnreachable(bool unreachable);
    // The next call matching `method` and `pathPrefix` fails with this problem (status, slug, detail); it changes
    // nothing. Status 0 makes that one call fail with network.unreachable. An empty `method` matches any.
    void failNext(const QByteArray& method, const QString& pathPrefix, int status, const QString& slug,
                  const QString& detail = {});
    // Answers arrive after `ms` (0: on the next event loop turn).
    void setDelayMs(int ms);
    // The session ends: calls answer 401 and the live channel closes with session-ended.
    void endSession();

    // --- inspection ---
    QList<client::ApiRequest> requests() const;
    int requestCount(const QByteArray& method, const QString& pathPrefix) const;
    models::Checkout checkout(const QString& id) const;
    QList<models::Checkout> checkouts() const;
    models::Tenant tenant(const QString& id) const;
    // Additions.
    models::Person person(const QString& id) const;
    models::Policy policy(const QString& id) const;
    QList<models::Policy> policies() const;
    QList<models::AuditEvent> auditEvents() const; // oldest first
    QList<client::LiveEvent> publishedEvents() const; // every live event, oldest first
    qint64 head() const;
    const Clock& clock() const;

private:
    friend class FakeEventChannel;
    struct State;
    std::unique_ptr<State> d;
};

// The live channel of a FakeCloud. Tests normally use FakeCloud::publish; these are for channel-level cases.
class FakeEventChannel : public client::EventChannel
{
    Q_OBJECT
public:
    explicit FakeEventChannel(FakeCloud& cloud, QObject* parent = nullptr);

    void open(const crypto::SecretBytes& token, qint64 since) override;
    void close() override;
    bool isOpen() const override;

    // Drops the connection as a network failure would (closed with network.unreachable).
    void drop();
    // Makes the next open answer `reset` (the backlog is gone).
    void resetOnNextOpen();
    qint64 head() const;
    int openCount() const;
    qint64 lastSince() const;
    // Additions: the person the open channel belongs to, and whether it has sent `ready` (live events flow).
    QString personId() const { return m_personId; }
    bool isReady() const { return m_open && m_ready; }

private:
    friend class FakeCloud;
    void deliver(const client::LiveEvent& event, const QString& audience);
    void handshake(quint64 generation, QByteArray token, qint64 since);
    void closeWith(const Error& error);
    // Closes the channel if it belongs to one of these sessions (or this person), as the cloud does on sign-out.
    void closeIfSession(const QString& sessionId);
    void closeIfPerson(const QString& personId);

    FakeCloud& m_cloud;
    bool m_open = false;
    bool m_resetNext = false;
    int m_opens = 0;
    qint64 m_lastSince = 0;
    bool m_ready = false;
    quint64 m_generation = 0; // bumps on every open and close, so queued frames of an earlier connection are dropped
    QString m_personId;
    QString m_sessionId;
};

} // namespace stint::test
