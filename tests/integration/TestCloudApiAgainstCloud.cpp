// SPDX-License-Identifier: GPL-3.0-or-later
// The desktop side's real client — HttpTransport, CloudApi, WebSocketEventChannel and Workspace — against the real
// cloud, in-process (its provisioning engine talks to a fake Entra gateway): a technician's full sync, a request
// followed live until its access is ready and ended, a session revoked by an admin ending the workspace, and the
// service's clock from its Date header.
//
// It also holds the fake cloud (tests/support/client/FakeCloud), on which the other client and GUI tests stand, to the
// real one: one script of requests runs against both, and what they answer — objects, lists, secrets, problems and
// live events — must have the same shape, so the fake cannot drift from the cloud unnoticed.
#include "client/ApiError.h"
#include "client/CloudApi.h"
#include "client/HttpTransport.h"
#include "client/WebSocketEventChannel.h"
#include "client/Workspace.h"
#include "cloud/CloudContext.h"
#include "cloud/CloudService.h"
#include "cloud/engine/ProvisioningEngine.h"
#include "cloud/events/EventHub.h"
#include "cloud/tenants/TenantStore.h"
#include "core/Ids.h"
#include "support/ApiSeed.h"
#include "support/CloudFixture.h"
#include "support/FakeEntraGateway.h"
#include "support/client/FakeCloud.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

#include <functional>
#include <memory>

using namespace stint;
using client::ApiRequest;
using client::ApiResponse;
using client::CloudApi;
using client::LiveEvent;
using client::Workspace;
using test::waitFor;

namespace {
const QString kDomain = QStringLiteral("contoso.example");

cloud::CloudConfig engineConfig()
{
    cloud::CloudConfig config;
    config.engine.pollIntervalMs = 20; // the engine looks often: the test waits on it
    config.entra.workerThreads = 2;
    // No health checks or reconciliation behind the test's back (a tenant connected by hand has no app credential, and
    // a check would find it unhealthy), and no webhook deliveries.
    config.schedulerTickMs = 3'600'000;
    return config;
}

// What the tenant-connection code would give the engine: the Entra tenant and an app credential.
cloud::engine::ProvisioningEngine::TenantAccessResolver fakeResolver()
{
    return [](const models::Tenant& t) -> Result<entra::TenantAccess> {
        if (!t.connection.entraTenantId)
            return makeError(QStringLiteral("engine.not_connected"), QStringLiteral("not connected"));
        entra::TenantAccess access;
        access.entraTenantId = *t.connection.entraTenantId;
        access.app.clientId = QStringLiteral("11111111-2222-3333-4444-555555555555");
        access.app.clientSecret = crypto::SecretBytes(QByteArray("fake-app-secret"));
        return access;
    };
}

QString typeName(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("bool");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::String:
        return QStringLiteral("string");
    case QJsonValue::Array:
        return QStringLiteral("array");
    case QJsonValue::Object:
        return QStringLiteral("object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

// Where two JSON values differ in shape: member names, types (null included), and the shape of arrays' first items.
// Members named in `opaque` are compared by type only (audit details differ by action).
void shapeDiff(const QJsonValue& real, const QJsonValue& fake, const QString& path, QStringList* out,
               const QStringList& opaque = {})
{
    if (real.type() != fake.type()) {
        *out << QStringLiteral("%1: %2 in the cloud, %3 in the fake").arg(path, typeName(real), typeName(fake));
        return;
    }
    const QString name = path.section(QLatin1Char('.'), -1);
    if (opaque.contains(name))
        return;
    if (real.isObject()) {
        const QJsonObject a = real.toObject();
        const QJsonObject b = fake.toObject();
        for (auto it = a.begin(); it != a.end(); ++it) {
            if (!b.contains(it.key()))
                *out << QStringLiteral("%1.%2: missing in the fake").arg(path, it.key());
            else
                shapeDiff(it.value(), b.value(it.key()), path + QLatin1Char('.') + it.key(), out, opaque);
        }
        for (auto it = b.begin(); it != b.end(); ++it) {
            if (!a.contains(it.key()))
                *out << QStringLiteral("%1.%2: only in the fake").arg(path, it.key());
        }
    } else if (real.isArray()) {
        // Lists come in id order, and ids are random: items are paired by what names them instead.
        const auto byName = [](const QJsonArray& items) {
            QList<QJsonValue> sorted(items.begin(), items.end());
            const auto nameOf = [](const QJsonValue& v) {
                const QJsonObject o = v.toObject();
                for (const char* key : {"email", "name", "url", "action", "roleDefinitionId", "type"}) {
                    if (o.value(QLatin1String(key)).isString())
                        return o.value(QLatin1String(key)).toString();
                }
                return v.isString() ? QString() : QString::number(int(v.type()));
            };
            std::stable_sort(sorted.begin(), sorted.end(),
                             [&](const QJsonValue& x, const QJsonValue& y) { return nameOf(x) < nameOf(y); });
            return sorted;
        };
        const QList<QJsonValue> a = byName(real.toArray());
        const QList<QJsonValue> b = byName(fake.toArray());
        if (a.size() != b.size())
            *out << QStringLiteral("%1: %2 items in the cloud, %3 in the fake").arg(path).arg(a.size()).arg(b.size());
        for (int i = 0; i < std::min(a.size(), b.size()); ++i)
            shapeDiff(a.at(i), b.at(i), path + QStringLiteral("[%1]").arg(i), out, opaque);
    }
}

// One side of the comparison: a cloud (real or fake) behind the one transport seam, with what differs in seeding.
struct Side
{
    QString name;
    client::ApiTransport* transport = nullptr;
    client::EventChannel* channel = nullptr;
    QString adminId;
    QString techId;
    QByteArray adminToken;
    QByteArray techToken;
    std::function<void(const QString& tenantId)> connect;    // binds a tenant to an Entra tenant
    std::function<bool(const QString& checkoutId)> makeReady; // until the checkout's access is ready

    // What came back, by step name.
    QMap<QString, QJsonObject> answers;
    QMap<QString, Error> problems;
    QMap<QString, QByteArray> headers; // step + ':' + header → value
    QList<LiveEvent> events;
};

Result<ApiResponse> call(Side& side, const QByteArray& token, const QByteArray& method, const QString& path,
                         const std::optional<QJsonObject>& body = {}, bool sensitive = false,
                         const QString& idempotencyKey = {}, const QUrlQuery& query = {})
{
    side.transport->setSessionToken(crypto::SecretBytes(token));
    ApiRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.sensitive = sensitive;
    r.idempotencyKey = idempotencyKey;
    r.query = query;
    r.authenticated = !token.isEmpty();
    return waitFor(side.transport->send(r), 15'000);
}

// Runs `method path` and files the answer (or the problem) under `step`.
QJsonObject step(Side& side, const QString& name, const QByteArray& token, const QByteArray& method,
                 const QString& path, const std::optional<QJsonObject>& body = {}, bool sensitive = false,
                 const QString& idempotencyKey = {}, const QUrlQuery& query = {})
{
    const auto r = call(side, token, method, path, body, sensitive, idempotencyKey, query);
    if (!r.ok()) {
        side.problems.insert(name, r.error());
        return {};
    }
    QJsonObject json = r->json;
    if (sensitive)
        json = QJsonDocument::fromJson(r->body).object();
    side.answers.insert(name, json);
    for (const QByteArray& h : {QByteArray("Idempotent-Replayed"), QByteArray("Cache-Control"), QByteArray("Date")})
        side.headers.insert(name + QLatin1Char(':') + QString::fromLatin1(h), r->header(h));
    return json;
}

const QString kHelpdesk = test::kHelpdeskAdministrator;
const QString kUserAdmin = test::kUserAdministrator;

// The script both clouds go through: an admin sets up a tenant, a policy, a group, an invite and a webhook; a
// technician asks for access, gets it and extends it; then both read everything back, and make mistakes.
void runScript(Side& side)
{
    const QByteArray& admin = side.adminToken;
    const QByteArray& tech = side.techToken;
    QObject::connect(side.channel, &client::EventChannel::event, side.channel,
                     [&side](const LiveEvent& e) { side.events.append(e); });
    QSignalSpy ready(side.channel, &client::EventChannel::ready);
    side.channel->open(crypto::SecretBytes(admin), 0);
    QVERIFY2(ready.wait(10'000), qPrintable(side.name));

    QJsonArray offered{QJsonObject{{QStringLiteral("roleDefinitionId"), kHelpdesk},
                                   {QStringLiteral("displayName"), QStringLiteral("Helpdesk Administrator")}},
                       QJsonObject{{QStringLiteral("roleDefinitionId"), kUserAdmin},
                                   {QStringLiteral("displayName"), QStringLiteral("User Administrator")}}};
    const QJsonObject contoso = step(
        side, QStringLiteral("tenant.create"), admin, "POST", QStringLiteral("/v1/tenants"),
        QJsonObject{{QStringLiteral("name"), QStringLiteral("Contoso")},
                    {QStringLiteral("notes"), QStringLiteral("main customer")},
                    {QStringLiteral("connection"),
                     QJsonObject{{QStringLiteral("rolesOffered"), offered},
                                 {QStringLiteral("accountDomain"), kDomain},
                                 {QStringLiteral("maxDurationMinutes"), 240},
                                 {QStringLiteral("defaultDurationMinutes"), 60}}}});
    const QString tenantId = contoso.value(QLatin1String("id")).toString();
    QVERIFY2(!tenantId.isEmpty(), qPrintable(side.name));
    side.connect(tenantId);
    const QJsonObject fabrikam
        = step(side, QStringLiteral("tenant.create2"), admin, "POST", QStringLiteral("/v1/tenants"),
               QJsonObject{{QStringLiteral("name"), QStringLiteral("Fabrikam")}});
    const QString otherTenant = fabrikam.value(QLatin1String("id")).toString();
    step(side, QStringLiteral("policy.create"), admin, "POST", QStringLiteral("/v1/policies"),
         QJsonObject{{QStringLiteral("name"), QStringLiteral("Helpdesk")},
                     {QStringLiteral("tenantIds"), QJsonArray{tenantId}},
                     {QStringLiteral("subjects"),
                      QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("person")},
                                             {QStringLiteral("id"), side.techId}}}},
                     {QStringLiteral("roleDefinitionIds"), QJsonArray{kHelpdesk}},
                     {QStringLiteral("maxDurationMinutes"), 120},
                     {QStringLiteral("requireJustification"), true}});
    step(side, QStringLiteral("group.create"), admin, "POST", QStringLiteral("/v1/groups"),
         QJsonObject{{QStringLiteral("name"), QStringLiteral("Night")},
                     {QStringLiteral("memberIds"), QJsonArray{side.techId}}});
    step(side, QStringLiteral("invite.create"), admin, "POST", QStringLiteral("/v1/invites"),
         QJsonObject{{QStringLiteral("email"), QStringLiteral("new@msp.example")},
                     {QStringLiteral("role"), QStringLiteral("technician")}});
    step(side, QStringLiteral("webhook.create"), admin, "POST", QStringLiteral("/v1/webhooks"),
         QJsonObject{{QStringLiteral("url"), QStringLiteral("http://127.0.0.1:9/hook")},
                     {QStringLiteral("description"), QStringLiteral("ops")},
                     {QStringLiteral("eventTypes"), QJsonArray{QStringLiteral("checkout.updated")}}},
         true);
    step(side, QStringLiteral("tenant.update"), admin, "PATCH", QStringLiteral("/v1/tenants/") + otherTenant,
         QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("notes"), QStringLiteral("later")}});
    step(side, QStringLiteral("person.update"), admin, "PATCH", QStringLiteral("/v1/people/") + side.techId,
         QJsonObject{{QStringLiteral("displayName"), QStringLiteral("Tom T.")}});

    const QJsonObject request{{QStringLiteral("tenantId"), tenantId},
                              {QStringLiteral("roleDefinitionIds"), QJsonArray{kHelpdesk}},
                              {QStringLiteral("durationMinutes"), 60},
                              {QStringLiteral("justification"), QStringLiteral("ticket 42")}};
    const QJsonObject checkout = step(side, QStringLiteral("checkout.request"), tech, "POST",
                                      QStringLiteral("/v1/checkouts"), request, false, QStringLiteral("key-1"));
    const QString checkoutId = checkout.value(QLatin1String("id")).toString();
    QVERIFY2(!checkoutId.isEmpty(), qPrintable(side.name));
    step(side, QStringLiteral("checkout.replay"), tech, "POST", QStringLiteral("/v1/checkouts"), request, false,
         QStringLiteral("key-1"));
    QVERIFY2(side.makeReady(checkoutId), qPrintable(side.name + QStringLiteral(": the checkout never became ready")));
    step(side, QStringLiteral("checkout.credential"), tech, "GET",
         QStringLiteral("/v1/checkouts/%1/credential").arg(checkoutId), {}, true);
    step(side, QStringLiteral("checkout.extend"), tech, "POST",
         QStringLiteral("/v1/checkouts/%1/extend").arg(checkoutId), QJsonObject{{QStringLiteral("minutes"), 10}});

    // Everything read back.
    const QList<QPair<QString, QString>> adminReads{
        {QStringLiteral("admin.me"), QStringLiteral("/v1/me")},
        {QStringLiteral("organization"), QStringLiteral("/v1/organization")},
        {QStringLiteral("admin.tenants"), QStringLiteral("/v1/tenants")},
        {QStringLiteral("tenant"), QStringLiteral("/v1/tenants/") + tenantId},
        {QStringLiteral("connection"), QStringLiteral("/v1/tenants/%1/connection").arg(tenantId)},
        {QStringLiteral("policies"), QStringLiteral("/v1/policies")},
        {QStringLiteral("people"), QStringLiteral("/v1/people")},
        {QStringLiteral("person"), QStringLiteral("/v1/people/") + side.techId},
        {QStringLiteral("groups"), QStringLiteral("/v1/groups")},
        {QStringLiteral("invites"), QStringLiteral("/v1/invites")},
        {QStringLiteral("webhooks"), QStringLiteral("/v1/webhooks")},
        {QStringLiteral("admin.checkouts"), QStringLiteral("/v1/checkouts")},
        {QStringLiteral("checkout"), QStringLiteral("/v1/checkouts/") + checkoutId},
        {QStringLiteral("sessions"), QStringLiteral("/v1/me/sessions")},
        {QStringLiteral("passkeys"), QStringLiteral("/v1/me/credentials")},
    };
    for (const auto& [name, path] : adminReads)
        step(side, name, admin, "GET", path);
    QUrlQuery audit;
    audit.addQueryItem(QStringLiteral("action"), QStringLiteral("checkout.request"));
    step(side, QStringLiteral("audit"), admin, "GET", QStringLiteral("/v1/audit"), {}, false, {}, audit);
    QUrlQuery page;
    page.addQueryItem(QStringLiteral("limit"), QStringLiteral("1"));
    const QJsonObject first
        = step(side, QStringLiteral("tenants.page"), admin, "GET", QStringLiteral("/v1/tenants"), {}, false, {}, page);
    page.addQueryItem(QStringLiteral("cursor"), first.value(QLatin1String("nextCursor")).toString());
    step(side, QStringLiteral("tenants.page2"), admin, "GET", QStringLiteral("/v1/tenants"), {}, false, {}, page);
    step(side, QStringLiteral("tech.me"), tech, "GET", QStringLiteral("/v1/me"));
    step(side, QStringLiteral("tech.tenants"), tech, "GET", QStringLiteral("/v1/tenants"));
    step(side, QStringLiteral("tech.checkouts"), tech, "GET", QStringLiteral("/v1/checkouts"));

    // Mistakes.
    step(side, QStringLiteral("problem.404"), admin, "GET", QStringLiteral("/v1/tenants/") + ids::newId(u"tnt"));
    step(side, QStringLiteral("problem.409.version"), admin, "PATCH", QStringLiteral("/v1/tenants/") + otherTenant,
         QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("notes"), QStringLiteral("stale")}});
    step(side, QStringLiteral("problem.422.policy"), admin, "POST", QStringLiteral("/v1/policies"), QJsonObject{});
    step(side, QStringLiteral("problem.401"), QByteArray(), "GET", QStringLiteral("/v1/me"));
    step(side, QStringLiteral("problem.403.admin-only"), tech, "GET", QStringLiteral("/v1/people"));
    step(side, QStringLiteral("problem.403.credential"), admin, "GET",
         QStringLiteral("/v1/checkouts/%1/credential").arg(checkoutId), {}, true);
    QJsonObject ungranted = request;
    ungranted.insert(QStringLiteral("roleDefinitionIds"), QJsonArray{kUserAdmin});
    step(side, QStringLiteral("problem.403.not-granted"), tech, "POST", QStringLiteral("/v1/checkouts"), ungranted);
    QJsonObject tooLong = request;
    tooLong.insert(QStringLiteral("durationMinutes"), 600);
    step(side, QStringLiteral("problem.422.duration"), tech, "POST", QStringLiteral("/v1/checkouts"), tooLong);
    QJsonObject noWhy = request;
    noWhy.remove(QStringLiteral("justification"));
    step(side, QStringLiteral("problem.422.justification"), tech, "POST", QStringLiteral("/v1/checkouts"), noWhy);
    step(side, QStringLiteral("problem.409.open"), tech, "POST", QStringLiteral("/v1/checkouts"), request, false,
         QStringLiteral("key-2"));
    step(side, QStringLiteral("problem.422.reused-key"), tech, "POST", QStringLiteral("/v1/checkouts"), tooLong, false,
         QStringLiteral("key-1"));
    step(side, QStringLiteral("problem.409.transition"), admin, "POST",
         QStringLiteral("/v1/checkouts/%1/approve").arg(checkoutId));
    step(side, QStringLiteral("problem.404.checkout"), tech, "POST",
         QStringLiteral("/v1/checkouts/%1/cancel").arg(checkoutId + QStringLiteral("x")));
    step(side, QStringLiteral("problem.400.query"), admin, "GET", QStringLiteral("/v1/checkouts"), {}, false, {},
         QUrlQuery(QStringLiteral("state=sleeping")));
    step(side, QStringLiteral("problem.405"), admin, "PUT", QStringLiteral("/v1/me"));

    // The live events the admin heard, until the last change made (the extension) has been heard.
    const QString extendedTo
        = side.answers.value(QStringLiteral("checkout.extend")).value(QLatin1String("expiresAt")).toString();
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     return std::any_of(side.events.begin(), side.events.end(), [&](const LiveEvent& e) {
                         return e.type == QLatin1String("checkout.updated")
                             && e.data.value(QLatin1String("expiresAt")).toString() == extendedTo;
                     });
                 },
                 10'000),
             qPrintable(side.name + QStringLiteral(": the extension was not announced")));
    side.channel->close();
}
} // namespace

class TestCloudApiAgainstCloud : public QObject
{
    Q_OBJECT

    // The real cloud, seeded through its API as an admin would.
    std::unique_ptr<test::CloudFixture> m_cloud;
    std::shared_ptr<test::FakeEntraGateway::Directory> m_directory;
    QString m_org;
    test::SignedInPerson m_admin;
    test::SignedInPerson m_tech;
    QString m_tenant;
    QString m_other;

    // The desktop side, as the app wires it.
    SystemClock m_clock;
    std::unique_ptr<client::HttpTransport> m_transport;
    std::unique_ptr<CloudApi> m_api;
    std::unique_ptr<client::WebSocketEventChannel> m_channel;
    std::unique_ptr<Workspace> m_workspace;

    QUrl base() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cloud->port())); }

    bool startCloud()
    {
        m_cloud = std::make_unique<test::CloudFixture>(engineConfig());
        m_directory = std::make_shared<test::FakeEntraGateway::Directory>();
        m_cloud->setGateway(std::make_unique<test::FakeEntraGateway>(m_directory, &m_cloud->clock()));
        if (!m_cloud->start()) {
            qWarning() << m_cloud->error();
            return false;
        }
        m_cloud->service().engine().setTenantAccessResolver(fakeResolver());
        return true;
    }

    // Binds a tenant to an Entra tenant, as the connection flow does (not through the tenants API).
    void connectTenant(const QString& tenantId)
    {
        auto t = cloud::tenants::loadTenant(m_cloud->db(), m_org, tenantId);
        QVERIFY(t.ok() && t->has_value());
        models::TenantConnection c = (*t)->connection;
        c.accountDomain = kDomain;
        auto updated = m_cloud->db().exec(
            QStringLiteral("UPDATE tenants SET connection_status = 'connected', entra_tenant_id = ?, connection = ?"
                           " WHERE id = ?"),
            {QUuid::createUuid().toString(QUuid::WithoutBraces),
             QString::fromUtf8(QJsonDocument(c.settingsJson()).toJson(QJsonDocument::Compact)), tenantId});
        QVERIFY(updated.ok());
    }

    void startWorkspaceAs(const test::SignedInPerson& person)
    {
        m_transport = std::make_unique<client::HttpTransport>(base());
        m_api = std::make_unique<CloudApi>(*m_transport);
        m_channel = std::make_unique<client::WebSocketEventChannel>(base());
        m_workspace = std::make_unique<Workspace>(*m_api, *m_channel, m_clock);
        const crypto::SecretBytes token(person.token.toUtf8());
        m_transport->setSessionToken(token);
        m_workspace->start(token);
    }

private slots:
    void init()
    {
        QVERIFY(startCloud());
        m_org = m_cloud->addOrganization(QStringLiteral("Acme MSP"));
        m_admin = test::addSignedInPerson(*m_cloud, m_org, QStringLiteral("ada@acme.example"), QStringLiteral("admin"));
        m_tech = test::addSignedInPerson(*m_cloud, m_org, QStringLiteral("tim@acme.example"));
        m_tenant = test::createTenant(*m_cloud, m_admin.token,
                                      test::tenantBody(QStringLiteral("Contoso"), {kHelpdesk, kUserAdmin}, 240));
        m_other = test::createTenant(*m_cloud, m_admin.token,
                                     test::tenantBody(QStringLiteral("Fabrikam"), {kUserAdmin}, 240));
        QVERIFY(!m_tenant.isEmpty() && !m_other.isEmpty());
        QVERIFY(!test::createPolicy(
                     *m_cloud, m_admin.token,
                     test::policyBody(QStringLiteral("Helpdesk"), {m_tenant}, {kHelpdesk}, {m_tech.id}, {}, 120))
                     .isEmpty());
        connectTenant(m_tenant);
    }

    void cleanup()
    {
        m_workspace.reset();
        m_channel.reset();
        m_api.reset();
        m_transport.reset();
        m_cloud.reset();
    }

    void technicianFullSync()
    {
        const QJsonObject earlier = test::requestCheckout(*m_cloud, m_tech.token, m_tenant, {kHelpdesk}, 30);
        QVERIFY(!earlier.isEmpty());
        startWorkspaceAs(m_tech);
        QSignalSpy synced(m_workspace.get(), &Workspace::synced);
        QVERIFY(synced.wait(15'000));
        QCOMPARE(m_workspace->link(), Workspace::Link::Live);
        QVERIFY(m_workspace->me());
        QCOMPARE(m_workspace->me()->person.id, m_tech.id);
        QCOMPARE(m_workspace->me()->organization.id, m_org);
        QCOMPARE(m_workspace->tenants().size(), 1);
        const models::Tenant t = m_workspace->tenants().first();
        QCOMPARE(t.id, m_tenant);
        QCOMPARE(t.connection.status, QStringLiteral("connected"));
        QCOMPARE(t.myGrants.size(), 1);
        QCOMPARE(t.myGrants.first().roleDefinitionIds, QStringList{kHelpdesk});
        QCOMPARE(t.myGrants.first().maxDurationMinutes, 120);
        QCOMPARE(m_workspace->checkouts().size(), 1);
        QCOMPARE(m_workspace->checkouts().first().id, earlier.value(QLatin1String("id")).toString());
        QVERIFY(m_workspace->people().isEmpty());
        QVERIFY(m_workspace->lastSeq() > 0);
        QTRY_COMPARE(m_workspace->lastSeq(), m_cloud->context().events.head());
    }

    void requestIsFollowedLive()
    {
        startWorkspaceAs(m_tech);
        QSignalSpy synced(m_workspace.get(), &Workspace::synced);
        QVERIFY(synced.wait(15'000));
        QSignalSpy changed(m_workspace.get(), &Workspace::checkoutChanged);
        models::CheckoutRequest request;
        request.tenantId = m_tenant;
        request.roleDefinitionIds = {kHelpdesk};
        request.durationMinutes = 45;
        request.justification = QStringLiteral("ticket 7");
        auto made = waitFor(m_workspace->track(m_api->requestCheckout(request, CloudApi::newIdempotencyKey())), 15'000);
        QVERIFY2(made.ok(), qPrintable(made.ok() ? QString() : made.error().message));
        QCOMPARE(made->technicianId, m_tech.id);
        // The provisioning engine takes it through provisioning to ready; the workspace hears it on the live channel.
        QTRY_VERIFY_WITH_TIMEOUT(m_workspace->checkout(made->id)
                                     && m_workspace->checkout(made->id)->state == models::CheckoutState::Ready,
                                 15'000);
        QStringList states;
        for (const auto& args : changed)
            states << models::toString(args.at(0).value<models::Checkout>().state);
        QVERIFY2(states.contains(QStringLiteral("provisioning")), qPrintable(states.join(QLatin1Char(','))));
        QCOMPARE(states.last(), QStringLiteral("ready"));
        const models::Checkout ready = *m_workspace->checkout(made->id);
        QVERIFY(ready.readyAt && ready.expiresAt);
        QCOMPARE(*ready.expiresAt - *ready.readyAt, qint64(45) * 60'000);

        auto credential = waitFor(m_api->credential(made->id), 15'000);
        QVERIFY2(credential.ok(), qPrintable(credential.ok() ? QString() : credential.error().message));
        QVERIFY((*credential)->userPrincipalName.endsWith(QLatin1Char('@') + kDomain));
        QVERIFY(!(*credential)->password.isEmpty());

        // Ending it early: revoking, then ended once the engine confirmed the revocation.
        auto ended = waitFor(m_workspace->track(m_api->end(made->id)), 15'000);
        QVERIFY(ended.ok());
        QTRY_VERIFY_WITH_TIMEOUT(m_workspace->checkout(made->id)->state == models::CheckoutState::Ended, 15'000);
        QVERIFY(m_workspace->myLiveCheckouts().isEmpty());
        QCOMPARE(m_workspace->lastSeq(), m_cloud->context().events.head());
    }

    void revokedSessionEndsTheWorkspace()
    {
        startWorkspaceAs(m_tech);
        QSignalSpy synced(m_workspace.get(), &Workspace::synced);
        QVERIFY(synced.wait(15'000));
        QSignalSpy ended(m_workspace.get(), &Workspace::sessionEnded);
        QSignalSpy closed(m_channel.get(), &client::EventChannel::closed);
        const test::ApiReply revoked = m_cloud->api().post(
            QStringLiteral("/v1/people/%1/sessions/revoke").arg(m_tech.id), m_admin.token);
        QCOMPARE(revoked.status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 15'000); // (the cloud may have closed it while answering)
        QCOMPARE(closed.size(), 1);
        QCOMPARE(closed.first().at(0).value<Error>().code, QString::fromLatin1(client::kSessionEnded));
        QCOMPARE(ended.first().at(0).value<Error>().code, QString::fromLatin1(client::kSessionEnded));
        QCOMPARE(m_workspace->link(), Workspace::Link::Offline);
        QVERIFY(m_workspace->me()); // the screen stays
        // The cloud refuses the token now; the client reads that as the session's end.
        auto me = waitFor(m_api->me(), 15'000);
        QVERIFY(!me.ok());
        QCOMPARE(me.error().code, QString::fromLatin1(client::errors::kUnauthorized));
        QCOMPARE(client::errors::httpStatus(me.error()), 401);
        QCOMPARE(client::errors::slug(me.error()), QStringLiteral("unauthenticated"));
        QCOMPARE(ended.size(), 1);
    }

    void serverTimeComesFromTheDateHeader()
    {
        // The cloud runs on a manual clock (set far from this machine's); the workspace on the system clock.
        QVERIFY(std::abs(m_cloud->clock().now() - m_clock.now()) > 3'600'000);
        startWorkspaceAs(m_tech);
        QSignalSpy synced(m_workspace.get(), &Workspace::synced);
        QVERIFY(synced.wait(15'000));
        const qint64 off = m_workspace->serverNow() - m_cloud->clock().now();
        QVERIFY2(std::abs(off) < 2000, qPrintable(QString::number(off)));
    }

    void fakeAnswersAsTheCloudDoes()
    {
        // The real side: the fixture's cloud, with people of its own for this script.
        const QString org = m_cloud->addOrganization(QStringLiteral("Script MSP"));
        const test::SignedInPerson admin
            = test::addSignedInPerson(*m_cloud, org, QStringLiteral("ada@script.example"), QStringLiteral("admin"));
        const test::SignedInPerson tech = test::addSignedInPerson(*m_cloud, org, QStringLiteral("tom@script.example"));
        client::HttpTransport transport(base());
        client::WebSocketEventChannel channel(base());
        Side real;
        real.name = QStringLiteral("cloud");
        real.transport = &transport;
        real.channel = &channel;
        real.adminId = admin.id;
        real.techId = tech.id;
        real.adminToken = admin.token.toUtf8();
        real.techToken = tech.token.toUtf8();
        const QString realOrg = org;
        real.connect = [this, realOrg](const QString& tenantId) {
            const QString saved = m_org;
            m_org = realOrg;
            connectTenant(tenantId);
            m_org = saved;
        };
        real.makeReady = [&real](const QString& checkoutId) {
            return QTest::qWaitFor(
                [&] {
                    return std::any_of(real.events.begin(), real.events.end(), [&](const LiveEvent& e) {
                        return e.data.value(QLatin1String("id")).toString() == checkoutId
                            && e.data.value(QLatin1String("state")).toString() == QLatin1String("ready");
                    });
                },
                15'000);
        };

        // The fake side.
        ManualClock fakeClock;
        test::FakeCloud fakeCloud(fakeClock);
        const models::Person fakeAdmin
            = fakeCloud.addPerson(QStringLiteral("ada@script.example"), {}, QStringLiteral("admin"));
        const models::Person fakeTech
            = fakeCloud.addPerson(QStringLiteral("tom@script.example"), {}, QStringLiteral("technician"));
        Side fake;
        fake.name = QStringLiteral("fake");
        fake.transport = &fakeCloud;
        fake.channel = &fakeCloud.channel();
        fake.adminId = fakeAdmin.id;
        fake.techId = fakeTech.id;
        fake.adminToken = fakeCloud.sessionFor(fakeAdmin.id);
        fake.techToken = fakeCloud.sessionFor(fakeTech.id);
        fake.connect = [&fakeCloud](const QString& tenantId) {
            models::ConnectionState s;
            s.tenantId = tenantId;
            s.status = QStringLiteral("connected");
            s.entraTenantId = QUuid::createUuid().toString(QUuid::WithoutBraces);
            fakeCloud.setConnectionState(s);
        };
        fake.makeReady = [&fakeCloud](const QString& checkoutId) {
            fakeCloud.advance(checkoutId, models::CheckoutState::Ready);
            return fakeCloud.checkout(checkoutId).state == models::CheckoutState::Ready;
        };

        runScript(real);
        if (QTest::currentTestFailed())
            return;
        runScript(fake);
        if (QTest::currentTestFailed())
            return;

        QStringList differences;
        // Answers: every step answered on both sides, in the same shape.
        for (auto it = real.answers.constBegin(); it != real.answers.constEnd(); ++it) {
            if (!fake.answers.contains(it.key())) {
                differences << QStringLiteral("%1: answered by the cloud, refused by the fake (%2)")
                                   .arg(it.key(), fake.problems.value(it.key()).message);
                continue;
            }
            // One page of tenants holds either tenant (ids are random): its items are compared by number only.
            const bool page = it.key().startsWith(QLatin1String("tenants.page"));
            shapeDiff(it.value(), fake.answers.value(it.key()), it.key(), &differences,
                      page ? QStringList{QStringLiteral("items")} : QStringList{QStringLiteral("details")});
            if (page && it.value().value(QLatin1String("items")).toArray().size()
                            != fake.answers.value(it.key()).value(QLatin1String("items")).toArray().size())
                differences << it.key() + QStringLiteral(": pages of different lengths");
        }
        // Problems: the same error for the client (code, status, slug, the 422's fields, the details it carries).
        for (auto it = real.problems.constBegin(); it != real.problems.constEnd(); ++it) {
            if (!fake.problems.contains(it.key())) {
                differences << QStringLiteral("%1: refused by the cloud (%2), answered by the fake")
                                   .arg(it.key(), it.value().code);
                continue;
            }
            const Error& a = it.value();
            const Error& b = fake.problems.value(it.key());
            if (a.code != b.code)
                differences << QStringLiteral("%1: code %2 in the cloud, %3 in the fake").arg(it.key(), a.code, b.code);
            QStringList keysA = a.details.keys(), keysB = b.details.keys();
            if (keysA != keysB)
                differences << QStringLiteral("%1: details %2 in the cloud, %3 in the fake")
                                   .arg(it.key(), keysA.join(QLatin1Char(',')), keysB.join(QLatin1Char(',')));
            if (client::errors::httpStatus(a) != client::errors::httpStatus(b)
                || client::errors::slug(a) != client::errors::slug(b))
                differences << QStringLiteral("%1: %2 %3 in the cloud, %4 %5 in the fake")
                                   .arg(it.key())
                                   .arg(client::errors::httpStatus(a))
                                   .arg(client::errors::slug(a))
                                   .arg(client::errors::httpStatus(b))
                                   .arg(client::errors::slug(b));
            const QStringList fieldsA = client::errors::fieldErrors(a).keys();
            const QStringList fieldsB = client::errors::fieldErrors(b).keys();
            if (fieldsA != fieldsB)
                differences << QStringLiteral("%1: fields %2 in the cloud, %3 in the fake")
                                   .arg(it.key(), fieldsA.join(QLatin1Char(',')), fieldsB.join(QLatin1Char(',')));
        }
        for (auto it = fake.problems.constBegin(); it != fake.problems.constEnd(); ++it) {
            if (real.answers.contains(it.key()))
                differences << QStringLiteral("%1: answered by the cloud, refused by the fake (%2: %3)")
                                   .arg(it.key(), it.value().code, it.value().message);
        }
        // Headers a client relies on.
        for (const QString& key : {QStringLiteral("checkout.replay:Idempotent-Replayed"),
                                   QStringLiteral("checkout.credential:Cache-Control")}) {
            if (real.headers.value(key) != fake.headers.value(key))
                differences << QStringLiteral("%1: '%2' in the cloud, '%3' in the fake")
                                   .arg(key, QString::fromLatin1(real.headers.value(key)),
                                        QString::fromLatin1(fake.headers.value(key)));
        }
        for (auto it = real.headers.constBegin(); it != real.headers.constEnd(); ++it) {
            if (it.key().endsWith(QLatin1String(":Date")) && it.value().isEmpty())
                differences << QStringLiteral("%1: no Date from the cloud").arg(it.key());
        }
        // Live events: every kind the cloud sent, the fake sent too, with data of the same shape.
        QMap<QString, QJsonObject> realEvents, fakeEvents;
        for (const LiveEvent& e : real.events)
            realEvents.insert(e.type, e.data); // the last of each kind
        for (const LiveEvent& e : fake.events)
            fakeEvents.insert(e.type, e.data);
        for (auto it = realEvents.constBegin(); it != realEvents.constEnd(); ++it) {
            if (!fakeEvents.contains(it.key()))
                differences << QStringLiteral("event %1: sent by the cloud, not by the fake").arg(it.key());
            else
                shapeDiff(it.value(), fakeEvents.value(it.key()), QStringLiteral("event ") + it.key(), &differences);
        }
        QVERIFY2(real.answers.size() >= 30, qPrintable(QString::number(real.answers.size())));
        QVERIFY2(real.problems.size() >= 12, qPrintable(QStringList(real.problems.keys()).join(QLatin1Char(','))));
        QVERIFY2(differences.isEmpty(), qPrintable(QStringLiteral("\n") + differences.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestCloudApiAgainstCloud)
#include "TestCloudApiAgainstCloud.moc"
