// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/ApiTransport.h"
#include "client/EventChannel.h"
#include "core/Clock.h"
#include "models/Checkout.h"
#include "models/Connection.h"
#include "models/Directory.h"
#include "models/Policy.h"
#include "models/Tenant.h"
#include "models/Webhook.h"

#include <QObject>

#include <functional>

// An in-memory stand-in for stint-cloud behind the desktop side's two seams — ApiTransport (the /v1 API) and
// EventChannel (the live channel) — for the client's, the sync's and the UI's tests. It answers with the cloud's JSON
// (written with models/ toJson, as the cloud does), the cloud's problem details (slugs as in docs/openapi.json), its
// pagination ({items, nextCursor}) and its authorization (technicians see their own checkouts and granted tenants,
// admins everything; 401 without a valid token), and publishes the live events the cloud would for every change.
// Its answers are delivered asynchronously (as over a network), optionally after a delay.
//
// Knobs let a test make the cloud unreachable, fail one route, end a session, and move checkouts through their
// states the way the provisioning engine would. It is a fake: the real cloud is tested against the real client in
// tests/integration.
namespace stint::test {

class FakeEventChannel;

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
    void setConnectionState(const models::ConnectionState& state);

    // --- what happens to requests (POST /v1/checkouts) ---
    // By default a request goes requested → provisioning at once; the test moves it on with advance().
    // Moves a checkout to `state` (with `reason`), as the engine would, and publishes checkout.updated. Ready sets
    // readyAt/expiresAt from the clock and the duration and makes a credential available.
    void advance(const QString& checkoutId, models::CheckoutState state, const QString& reason = {});
    // The credential GET …/credential serves while ready.
    void setCredential(const QString& checkoutId, const QString& upn, const QString& password, const QString& tap);
    // An admin event happening elsewhere: publishes any live event (type, data) to everyone who may see it.
    void publish(const QString& type, const QJsonObject& data, const QString& audience = QStringLiteral("org"));

    // --- failure and timing ---
    // Every call fails with network.unreachable and the live channel closes (and refuses to open) until false again.
    void setUnreachable(bool unreachable);
    // The next call matching `method` and `pathPrefix` fails with this problem (status, slug, detail).
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

private:
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

private:
    friend class FakeCloud;
    void deliver(const client::LiveEvent& event, const QString& audience);

    FakeCloud& m_cloud;
    bool m_open = false;
    bool m_resetNext = false;
    int m_opens = 0;
    qint64 m_lastSince = 0;
};

} // namespace stint::test
