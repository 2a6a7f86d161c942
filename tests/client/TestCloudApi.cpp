// SPDX-License-Identifier: GPL-3.0-or-later
// The typed client (CloudApi) over the one transport seam: every call reads the cloud's answers into models, follows
// pages, turns problem details into typed errors (with a 422's fields), wipes secret answers, says when the session
// ended (401 → unauthorized()) and when the service stopped or started answering (reachabilityChanged). Most cases run
// against the fake cloud; answers the fake would never give (malformed, hostile) come from a scripted transport.
#include "client/ApiError.h"
#include "client/CloudApi.h"
#include "client/HttpTransport.h"
#include "support/client/FakeCloud.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using client::ApiRequest;
using client::ApiResponse;
using client::CloudApi;
using models::CheckoutState;
using test::FakeCloud;
using test::waitFor;

#define QCOMPARE_STATE(a, b) QCOMPARE(models::toString(a), models::toString(b))

namespace {
const QString kHelpdesk = QStringLiteral("729827e3-9c14-49f7-bb1b-9608f156bbb8");
const QString kUserAdmin = QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1");

QString describe(const Error& e)
{
    return e.code + QStringLiteral(": ") + e.message;
}

template <typename T> QString why(const Result<T>& r)
{
    return r.ok() ? QString() : describe(r.error());
}

// A transport that answers from a script, for answers the fake cloud never gives. It keeps a shallow copy of every
// body it hands out, so a test can see whether the typed layer wiped the buffer.
class ScriptedTransport : public QObject, public client::ApiTransport
{
public:
    QList<Result<ApiResponse>> answers;
    QList<ApiRequest> sent;
    QList<QByteArray> handedOut;

    client::Call<ApiResponse> send(const ApiRequest& request) override
    {
        sent.append(request);
        Result<ApiResponse> answer = answers.isEmpty()
            ? Result<ApiResponse>(
                Error{QString::fromLatin1(client::errors::kUnreachable), QStringLiteral("no script"), {}})
            : answers.takeFirst();
        if (answer.ok())
            handedOut.append(answer->body); // shares the buffer
        client::Call<ApiResponse> call;
        QMetaObject::invokeMethod(this, [call, answer]() { call.resolve(answer); }, Qt::QueuedConnection);
        return call;
    }
    void setSessionToken(const crypto::SecretBytes&) override {}
    bool hasSessionToken() const override { return true; }
    QString origin() const override { return QStringLiteral("http://localhost:1"); }

    void answerJson(const QJsonObject& body, bool sensitive = false, int status = 200)
    {
        ApiResponse r;
        r.status = status;
        r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
        if (!sensitive)
            r.json = body;
        answers.append(r);
    }
    void answerBytes(const QByteArray& bytes)
    {
        ApiResponse r;
        r.status = 200;
        r.body = bytes;
        answers.append(r);
    }
};

bool allZero(const QByteArray& bytes)
{
    return !bytes.isEmpty() && std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

struct World
{
    ManualClock clock;
    FakeCloud cloud{clock};
    CloudApi api{cloud};
    models::Person admin;
    models::Person tech;
    models::Tenant tenant;
    models::Policy policy;

    World()
    {
        api.setClock(&clock);
        admin
            = cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Admin"), QStringLiteral("admin"));
        tech = cloud.addPerson(QStringLiteral("tom@msp.example"), QStringLiteral("Tom Tech"),
                               QStringLiteral("technician"));
        tenant = cloud.addTenant(QStringLiteral("Contoso"), {{kHelpdesk, QStringLiteral("Helpdesk Administrator")},
                                                             {kUserAdmin, QStringLiteral("User Administrator")}});
        policy = cloud.addPolicy(QStringLiteral("Helpdesk"), {tenant.id}, {tech.id}, {kHelpdesk}, 120);
    }

    models::Checkout checkoutIn(CheckoutState state)
    {
        models::Checkout c;
        c.tenantId = tenant.id;
        c.technicianId = tech.id;
        c.policyId = policy.id;
        c.roleDefinitionIds = {kHelpdesk};
        c.durationMinutes = 60;
        c.justification = QStringLiteral("ticket work");
        c.state = state;
        return cloud.addCheckout(c);
    }
};
} // namespace

class TestCloudApi : public QObject
{
    Q_OBJECT

private slots:
    // --- reading ---

    void meAndOrganization()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        auto me = waitFor(w.api.me());
        QVERIFY2(me.ok(), qPrintable(why(me)));
        QCOMPARE(me->person.id, w.tech.id);
        QCOMPARE(me->person.email, QStringLiteral("tom@msp.example"));
        QCOMPARE(me->person.displayName, QStringLiteral("Tom Tech"));
        QCOMPARE(me->person.role, QStringLiteral("technician"));
        QCOMPARE(me->person.status, QStringLiteral("active"));
        QVERIFY(!me->organization.id.isEmpty());
        QVERIFY(!me->sessionId.isEmpty());
        auto org = waitFor(w.api.organization());
        QVERIFY2(org.ok(), qPrintable(why(org)));
        QCOMPARE(org->id, me->organization.id);
        QCOMPARE(org->authenticatorPolicy.mode, QStringLiteral("any"));

        auto sessions = waitFor(w.api.mySessions());
        QVERIFY2(sessions.ok(), qPrintable(why(sessions)));
        QCOMPARE(sessions->size(), 1);
        QVERIFY(sessions->first().current);
        QCOMPARE(sessions->first().id, me->sessionId);
        w.cloud.addPasskey(w.tech.id);
        auto passkeys = waitFor(w.api.myCredentials());
        QVERIFY2(passkeys.ok(), qPrintable(why(passkeys)));
        QCOMPARE(passkeys->size(), 1);
        QCOMPARE(passkeys->first().algorithm, -7);
    }

    void tenantsCarryTheCallersGrants()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        auto tenants = waitFor(w.api.tenants());
        QVERIFY2(tenants.ok(), qPrintable(why(tenants)));
        QCOMPARE(tenants->size(), 1);
        const models::Tenant& t = tenants->first();
        QCOMPARE(t.id, w.tenant.id);
        QCOMPARE(t.name, QStringLiteral("Contoso"));
        QCOMPARE(t.connection.status, QStringLiteral("connected"));
        QVERIFY(t.connection.entraTenantId.has_value());
        QCOMPARE(t.connection.rolesOffered.size(), 2);
        QCOMPARE(t.roleName(kHelpdesk), QStringLiteral("Helpdesk Administrator"));
        QCOMPARE(t.myGrants.size(), 1);
        QCOMPARE(t.myGrants.first().policyId, w.policy.id);
        QCOMPARE(t.myGrants.first().policyName, QStringLiteral("Helpdesk"));
        QVERIFY(t.myGrants.first().grantsAll({kHelpdesk}));
        QVERIFY(!t.myGrants.first().grantsAll({kUserAdmin}));
        QCOMPARE(t.myGrants.first().maxDurationMinutes, 120);
        auto one = waitFor(w.api.tenant(w.tenant.id));
        QVERIFY2(one.ok(), qPrintable(why(one)));
        QCOMPARE(one->myGrants.size(), 1);
        QCOMPARE(one->version, qint64(1));
    }

    void adminListsParse()
    {
        World w;
        const models::Group group = w.cloud.addGroup(QStringLiteral("Night shift"), {w.tech.id});
        w.cloud.addInvite(QStringLiteral("new@msp.example"), QStringLiteral("technician"));
        const models::Webhook hook = w.cloud.addWebhook(QStringLiteral("https://hooks.example/stint"),
                                                        {QStringLiteral("checkout.updated")});
        w.cloud.addWebhookDelivery(hook.id, QStringLiteral("checkout.updated"), QStringLiteral("delivered"));
        const QString dead
            = w.cloud.addWebhookDelivery(hook.id, QStringLiteral("checkout.updated"), QStringLiteral("dead"));
        w.cloud.signInAs(w.admin.id);

        auto people = waitFor(w.api.people());
        QVERIFY2(people.ok(), qPrintable(why(people)));
        QCOMPARE(people->size(), 2);
        auto groups = waitFor(w.api.groups());
        QVERIFY2(groups.ok(), qPrintable(why(groups)));
        QCOMPARE(groups->size(), 1);
        QCOMPARE(groups->first().id, group.id);
        QCOMPARE(groups->first().memberIds, QStringList{w.tech.id});
        auto invites = waitFor(w.api.invites());
        QVERIFY2(invites.ok(), qPrintable(why(invites)));
        QCOMPARE(invites->size(), 1);
        QCOMPARE(invites->first().status, QStringLiteral("pending"));
        QVERIFY(invites->first().enrollmentUrl.isEmpty()); // only in the answer that created it
        auto policies = waitFor(w.api.policies());
        QVERIFY2(policies.ok(), qPrintable(why(policies)));
        QCOMPARE(policies->size(), 1);
        QCOMPARE(policies->first().subjects.first(), (models::PolicySubject{QStringLiteral("person"), w.tech.id}));
        QCOMPARE(policies->first().roleDefinitionIds, QStringList{kHelpdesk});
        auto hooks = waitFor(w.api.webhooks());
        QVERIFY2(hooks.ok(), qPrintable(why(hooks)));
        QCOMPARE(hooks->size(), 1);
        QCOMPARE(hooks->first().eventTypes, QStringList{QStringLiteral("checkout.updated")});
        auto deliveries = waitFor(w.api.deliveries(hook.id));
        QVERIFY2(deliveries.ok(), qPrintable(why(deliveries)));
        QCOMPARE(deliveries->size(), 2);
        auto deadOnly = waitFor(w.api.deliveries(hook.id, true));
        QVERIFY2(deadOnly.ok(), qPrintable(why(deadOnly)));
        QCOMPARE(deadOnly->size(), 1);
        QCOMPARE(deadOnly->first().id, dead);
        QCOMPARE(deadOnly->first().lastStatus, 500);
        QVERIFY(waitFor(w.api.redeliver(hook.id, dead)).ok());
        auto credentials = waitFor(w.api.personCredentials(w.tech.id));
        QVERIFY2(credentials.ok(), qPrintable(why(credentials)));
        QVERIFY(credentials->isEmpty());
    }

    void checkoutsAndTheirFilters()
    {
        World w;
        const models::Checkout ready = w.checkoutIn(CheckoutState::Ready);
        const models::Person other = w.cloud.addPerson(QStringLiteral("oda@msp.example"), QStringLiteral("Oda"),
                                                       QStringLiteral("technician"));
        models::Checkout theirs;
        theirs.tenantId = w.tenant.id;
        theirs.technicianId = other.id;
        theirs.roleDefinitionIds = {kHelpdesk};
        theirs.state = CheckoutState::Ended;
        theirs = w.cloud.addCheckout(theirs);

        w.cloud.signInAs(w.tech.id);
        auto mine = waitFor(w.api.checkouts());
        QVERIFY2(mine.ok(), qPrintable(why(mine)));
        QCOMPARE(mine->size(), 1); // a technician sees only their own
        const models::Checkout& c = mine->first();
        QCOMPARE(c.id, ready.id);
        QCOMPARE_STATE(c.state, CheckoutState::Ready);
        QCOMPARE(c.roleDefinitionIds, QStringList{kHelpdesk});
        QCOMPARE(c.durationMinutes, 60);
        QVERIFY(c.readyAt && c.expiresAt);
        QCOMPARE(*c.expiresAt - *c.readyAt, qint64(60) * 60'000);
        QVERIFY(c.accountUpn.has_value());
        auto hidden = waitFor(w.api.checkout(theirs.id));
        QVERIFY(!hidden.ok());
        QCOMPARE(hidden.error().code, QString::fromLatin1(client::errors::kNotFound));

        w.cloud.signInAs(w.admin.id);
        auto ended = waitFor(w.api.checkouts(client::CheckoutFilter{QStringLiteral("ended"), {}, {}}));
        QVERIFY2(ended.ok(), qPrintable(why(ended)));
        QCOMPARE(ended->size(), 1);
        QCOMPARE(ended->first().id, theirs.id);
        auto byTech = waitFor(w.api.checkouts(client::CheckoutFilter{{}, w.tenant.id, w.tech.id}));
        QVERIFY2(byTech.ok(), qPrintable(why(byTech)));
        QCOMPARE(byTech->size(), 1);
        const ApiRequest sent = w.cloud.requests().last();
        QCOMPARE(sent.query.queryItemValue(QStringLiteral("tenantId")), w.tenant.id);
        QCOMPARE(sent.query.queryItemValue(QStringLiteral("technicianId")), w.tech.id);
        QCOMPARE(sent.query.queryItemValue(QStringLiteral("limit")), QStringLiteral("200"));
        auto bad = waitFor(w.api.checkouts(client::CheckoutFilter{QStringLiteral("sleeping"), {}, {}}));
        QVERIFY(!bad.ok());
        QCOMPARE(client::errors::slug(bad.error()), QStringLiteral("bad-query"));
    }

    void auditPagesWithCursorsAndFilters()
    {
        World w;
        for (int i = 0; i < 7; ++i)
            w.cloud.addAuditEvent(QStringLiteral("tenant.update"), w.admin.id, w.tenant.id, {{QStringLiteral("n"), i}},
                                  w.clock.now() + i * 1000);
        w.cloud.addAuditEvent(QStringLiteral("auth.signin"), w.tech.id);
        w.cloud.signInAs(w.admin.id);
        models::AuditFilter filter;
        filter.action = QStringLiteral("tenant.");
        QStringList seen;
        QString cursor;
        int pages = 0;
        do {
            auto page = waitFor(w.api.audit(filter, cursor, 3));
            QVERIFY2(page.ok(), qPrintable(why(page)));
            for (const models::AuditEvent& e : page->items) {
                QCOMPARE(e.action, QStringLiteral("tenant.update"));
                QCOMPARE(e.tenantId, w.tenant.id);
                QCOMPARE(e.hash.size(), 64);
                seen << QString::number(e.details.value(QLatin1String("n")).toInt());
            }
            cursor = page->nextCursor;
            ++pages;
        } while (!cursor.isEmpty() && pages < 10);
        QCOMPARE(pages, 3);
        QCOMPARE(seen, (QStringList{"6", "5", "4", "3", "2", "1", "0"})); // newest first
        filter = {};
        filter.actorId = w.tech.id;
        auto byActor = waitFor(w.api.audit(filter));
        QVERIFY2(byActor.ok(), qPrintable(why(byActor)));
        QCOMPARE(byActor->items.size(), 1);
        QCOMPARE(byActor->items.first().action, QStringLiteral("auth.signin"));
    }

    // --- writing ---

    void tenantsAreWrittenWithVersions()
    {
        World w;
        w.cloud.signInAs(w.admin.id);
        auto created = waitFor(w.api.createTenant(QStringLiteral("Fabrikam"), QStringLiteral("notes")));
        QVERIFY2(created.ok(), qPrintable(why(created)));
        QCOMPARE(created->connection.status, QStringLiteral("not_connected"));
        QCOMPARE(created->notes, QStringLiteral("notes"));
        auto updated = waitFor(w.api.updateTenant(
            created->id, created->version,
            {{QStringLiteral("connection"), QJsonObject{{QStringLiteral("maxDurationMinutes"), 90},
                                                        {QStringLiteral("defaultDurationMinutes"), 30}}}}));
        QVERIFY2(updated.ok(), qPrintable(why(updated)));
        QCOMPARE(updated->version, created->version + 1);
        QCOMPARE(updated->connection.maxDurationMinutes, 90);
        auto stale = waitFor(
            w.api.updateTenant(created->id, created->version, {{QStringLiteral("name"), QStringLiteral("X")}}));
        QVERIFY(!stale.ok());
        QCOMPARE(stale.error().code, QString::fromLatin1(client::errors::kVersionConflict));
        QCOMPARE(client::errors::httpStatus(stale.error()), 409);
        QCOMPARE(w.cloud.tenant(created->id).name, QStringLiteral("Fabrikam")); // unchanged
        auto taken = waitFor(w.api.createTenant(QStringLiteral("Contoso"), {}));
        QVERIFY(!taken.ok());
        QCOMPARE(client::errors::slug(taken.error()), QStringLiteral("name-taken"));
        QVERIFY(waitFor(w.api.deleteTenant(created->id)).ok());
        auto gone = waitFor(w.api.tenant(created->id));
        QVERIFY(!gone.ok());
        QCOMPARE(client::errors::httpStatus(gone.error()), 404);
    }

    void directoryIsWritten()
    {
        World w;
        w.cloud.signInAs(w.admin.id);
        auto invite = waitFor(w.api.createInvite(QStringLiteral("Neo@MSP.example"), QStringLiteral("technician"),
                                                 QStringLiteral("Neo")));
        QVERIFY2(invite.ok(), qPrintable(why(invite)));
        QCOMPARE(invite->email, QStringLiteral("neo@msp.example"));
        QVERIFY(invite->enrollmentUrl.startsWith(w.cloud.origin() + QStringLiteral("/enroll#invite=")));
        auto exists = waitFor(w.api.createInvite(w.tech.email, QStringLiteral("technician"), {}));
        QVERIFY(!exists.ok());
        QCOMPARE(client::errors::slug(exists.error()), QStringLiteral("person-exists"));
        QVERIFY(waitFor(w.api.revokeInvite(invite->id)).ok());
        QVERIFY(!waitFor(w.api.revokeInvite(invite->id)).ok()); // no longer pending

        auto group = waitFor(w.api.createGroup(QStringLiteral("Day"), {w.tech.id}));
        QVERIFY2(group.ok(), qPrintable(why(group)));
        auto renamed = waitFor(w.api.updateGroup(group->id, {{QStringLiteral("name"), QStringLiteral("Day shift")}}));
        QVERIFY2(renamed.ok(), qPrintable(why(renamed)));
        QCOMPARE(renamed->name, QStringLiteral("Day shift"));
        QCOMPARE(renamed->memberIds, QStringList{w.tech.id});
        QVERIFY(waitFor(w.api.deleteGroup(group->id)).ok());

        auto person
            = waitFor(w.api.updatePerson(w.tech.id, {{QStringLiteral("displayName"), QStringLiteral("Tom T.")}}));
        QVERIFY2(person.ok(), qPrintable(why(person)));
        QCOMPARE(person->displayName, QStringLiteral("Tom T."));
        auto lastAdmin
            = waitFor(w.api.updatePerson(w.admin.id, {{QStringLiteral("role"), QStringLiteral("technician")}}));
        QVERIFY(!lastAdmin.ok());
        QCOMPARE(client::errors::slug(lastAdmin.error()), QStringLiteral("last-admin"));
        QVERIFY(waitFor(w.api.revokePersonSessions(w.tech.id)).ok());
    }

    void policiesAreWritten()
    {
        World w;
        w.cloud.signInAs(w.admin.id);
        models::Policy p;
        p.name = QStringLiteral("User admins");
        p.tenantIds = {w.tenant.id};
        p.subjects = {{QStringLiteral("person"), w.tech.id}};
        p.roleDefinitionIds = {kUserAdmin};
        p.maxDurationMinutes = 30;
        auto created = waitFor(w.api.createPolicy(p));
        QVERIFY2(created.ok(), qPrintable(why(created)));
        QCOMPARE(created->version, qint64(1));
        models::Policy changed = *created;
        changed.requireApproval = true;
        auto updated = waitFor(w.api.updatePolicy(changed));
        QVERIFY2(updated.ok(), qPrintable(why(updated)));
        QVERIFY(updated->requireApproval);
        QCOMPARE(updated->version, qint64(2));
        auto stale = waitFor(w.api.updatePolicy(changed)); // still version 1
        QVERIFY(!stale.ok());
        QCOMPARE(stale.error().code, QString::fromLatin1(client::errors::kVersionConflict));
        QVERIFY(waitFor(w.api.deletePolicy(created->id)).ok());
        QCOMPARE(w.cloud.policies().size(), 1);
    }

    void webhooksAreWrittenAndTheSecretIsShownOnce()
    {
        World w;
        w.cloud.signInAs(w.admin.id);
        auto created = waitFor(w.api.createWebhook(QStringLiteral("https://hooks.example/a"), QStringLiteral("ops"),
                                                   {QStringLiteral("alert.raised")}));
        QVERIFY2(created.ok(), qPrintable(why(created)));
        QVERIFY((*created)->secret.bytes().startsWith("whsec_"));
        QCOMPARE((*created)->webhook.url, QStringLiteral("https://hooks.example/a"));
        // The transport handed the answer over as bytes only (a sensitive request gets no parsed JSON).
        QVERIFY(w.cloud.requests().last().sensitive);
        auto disabled = waitFor(w.api.updateWebhook((*created)->webhook.id, {{QStringLiteral("enabled"), false}}));
        QVERIFY2(disabled.ok(), qPrintable(why(disabled)));
        QVERIFY(!disabled->enabled);
        auto listed = waitFor(w.api.webhooks());
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), 1);
        QVERIFY(waitFor(w.api.deleteWebhook((*created)->webhook.id)).ok());
        auto insecure = waitFor(w.api.createWebhook(QStringLiteral("http://hooks.example/a"), {}, {}));
        QVERIFY(!insecure.ok());
        QVERIFY(client::errors::fieldErrors(insecure.error()).contains(QStringLiteral("url")));
    }

    void connectionFlow()
    {
        World w;
        w.cloud.signInAs(w.admin.id);
        auto fresh = waitFor(w.api.createTenant(QStringLiteral("Northwind"), {}));
        QVERIFY2(fresh.ok(), qPrintable(why(fresh)));
        auto before = waitFor(w.api.connection(fresh->id));
        QVERIFY2(before.ok(), qPrintable(why(before)));
        QCOMPARE(before->status, QStringLiteral("not_connected"));
        QVERIFY(before->usesMultiTenantApp);
        QVERIFY(!before->report);

        const QString redirect = QStringLiteral("http://127.0.0.1:53123/callback");
        auto start
            = waitFor(w.api.startConnection(fresh->id, QString::fromLatin1(models::kConnectAdminConsent), redirect));
        QVERIFY2(start.ok(), qPrintable(why(start)));
        QVERIFY(start->authorizationUrl.startsWith(QStringLiteral("https://login.microsoftonline.com/")));
        QVERIFY(start->authorizationUrl.contains(start->state));
        QCOMPARE(w.cloud.tenant(fresh->id).connection.status, QStringLiteral("connecting"));

        const QString entraId = QStringLiteral("11111111-2222-3333-4444-555555555555");
        auto wrongState = waitFor(w.api.completeConnection(
            fresh->id, redirect + QStringLiteral("?admin_consent=True&tenant=%1&state=nope").arg(entraId)));
        QVERIFY(!wrongState.ok());
        QCOMPARE(client::errors::slug(wrongState.error()), QStringLiteral("state-unknown"));
        auto done = waitFor(w.api.completeConnection(
            fresh->id, redirect + QStringLiteral("?admin_consent=True&tenant=%1&state=%2").arg(entraId, start->state)));
        QVERIFY2(done.ok(), qPrintable(why(done)));
        QCOMPARE(done->status, QStringLiteral("verifying"));
        QTRY_COMPARE(w.cloud.tenant(fresh->id).connection.status, QStringLiteral("connected"));
        auto after = waitFor(w.api.connection(fresh->id));
        QVERIFY2(after.ok(), qPrintable(why(after)));
        QCOMPARE(after->entraTenantId.value_or(QString()), entraId);
        QVERIFY(after->report && after->report->healthy);
        auto replay = waitFor(w.api.completeConnection(
            fresh->id, redirect + QStringLiteral("?admin_consent=True&tenant=%1&state=%2").arg(entraId, start->state)));
        QVERIFY(!replay.ok());
        QCOMPARE(client::errors::slug(replay.error()), QStringLiteral("state-used"));

        w.cloud.setMultiTenantAppConfigured(false);
        auto noApp
            = waitFor(w.api.startConnection(fresh->id, QString::fromLatin1(models::kConnectAdminConsent), redirect));
        QVERIFY(!noApp.ok());
        QCOMPARE(client::errors::slug(noApp.error()), QStringLiteral("no-multi-tenant-app"));
        auto code = waitFor(
            w.api.startConnection(fresh->id, QString::fromLatin1(models::kConnectAuthorizationCode), redirect));
        QVERIFY(!code.ok());
        QCOMPARE(client::errors::slug(code.error()), QStringLiteral("no-credential")); // its own app comes first
        w.cloud.setMultiTenantAppConfigured(true);

        auto check = waitFor(w.api.checkConnection(fresh->id));
        QVERIFY2(check.ok(), qPrintable(why(check)));
        client::ConnectionCredentialInput own;
        own.kind = QStringLiteral("client_secret");
        own.clientId = QStringLiteral("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
        own.clientSecret = crypto::SecretBytes(QByteArray("s3cret"));
        auto withOwnApp = waitFor(w.api.setConnectionCredential(fresh->id, own));
        QVERIFY2(withOwnApp.ok(), qPrintable(why(withOwnApp)));
        QVERIFY(withOwnApp->credential);
        QCOMPARE(withOwnApp->credential->clientId, own.clientId);
        QVERIFY(!withOwnApp->usesMultiTenantApp);
        QVERIFY(waitFor(w.api.removeConnectionCredential(fresh->id)).ok());
        QVERIFY(waitFor(w.api.reconcile(fresh->id)).ok());
        auto off = waitFor(w.api.disconnect(fresh->id));
        QVERIFY2(off.ok(), qPrintable(why(off)));
        QCOMPARE(off->status, QStringLiteral("not_connected"));
        QVERIFY(!off->entraTenantId);
    }

    void checkoutLifecycle()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        models::CheckoutRequest request;
        request.tenantId = w.tenant.id;
        request.roleDefinitionIds = {kHelpdesk};
        request.durationMinutes = 60;
        const QString key = CloudApi::newIdempotencyKey();
        QVERIFY(key.size() >= 20);
        QVERIFY(!key.contains(QLatin1Char('/')) && !key.contains(QLatin1Char('+')));
        QVERIFY(key != CloudApi::newIdempotencyKey());
        auto made = waitFor(w.api.requestCheckout(request, key));
        QVERIFY2(made.ok(), qPrintable(why(made)));
        QCOMPARE(w.cloud.requests().last().idempotencyKey, key);
        auto again = waitFor(w.api.requestCheckout(request, key));
        QVERIFY2(again.ok(), qPrintable(why(again)));
        QCOMPARE(again->id, made->id);
        auto second = waitFor(w.api.requestCheckout(request, CloudApi::newIdempotencyKey()));
        QVERIFY(!second.ok());
        QCOMPARE(client::errors::slug(second.error()), QStringLiteral("checkout-exists"));

        auto early = waitFor(w.api.credential(made->id));
        QVERIFY(!early.ok());
        QCOMPARE(client::errors::slug(early.error()), QStringLiteral("credential-unavailable"));
        w.cloud.advance(made->id, CheckoutState::Ready);
        w.cloud.setCredential(made->id, QStringLiteral("stint-tom@contoso.example"), QStringLiteral("pw"), {});
        auto credential = waitFor(w.api.credential(made->id));
        QVERIFY2(credential.ok(), qPrintable(why(credential)));
        QCOMPARE((*credential)->userPrincipalName, QStringLiteral("stint-tom@contoso.example"));
        QCOMPARE((*credential)->password.bytes(), QByteArray("pw"));
        QVERIFY((*credential)->temporaryAccessPass.isEmpty());

        auto extended = waitFor(w.api.extend(made->id, 30));
        QVERIFY2(extended.ok(), qPrintable(why(extended)));
        QCOMPARE(*extended->expiresAt - *extended->readyAt, qint64(90) * 60'000);
        auto tooFar = waitFor(w.api.extend(made->id, 60)); // 150 > 120 minutes
        QVERIFY(!tooFar.ok());
        QVERIFY(client::errors::fieldErrors(tooFar.error()).contains(QStringLiteral("minutes")));
        auto ended = waitFor(w.api.end(made->id));
        QVERIFY2(ended.ok(), qPrintable(why(ended)));
        QCOMPARE_STATE(ended->state, CheckoutState::Revoking);
        QCOMPARE(ended->stateReason, QStringLiteral("ended_early"));
        auto gone = waitFor(w.api.credential(made->id));
        QVERIFY(!gone.ok());
        auto endAgain = waitFor(w.api.end(made->id));
        QVERIFY(!endAgain.ok());
        QCOMPARE(client::errors::slug(endAgain.error()), QStringLiteral("invalid-transition"));
        QCOMPARE(client::errors::httpStatus(endAgain.error()), 409);
    }

    void approvalsAndRevocation()
    {
        World w;
        const models::Checkout waiting = w.checkoutIn(CheckoutState::Requested);
        w.cloud.advance(waiting.id, CheckoutState::AwaitingApproval);
        w.cloud.signInAs(w.admin.id);
        auto denied = waitFor(w.api.deny(waiting.id, QStringLiteral("not today")));
        QVERIFY2(denied.ok(), qPrintable(why(denied)));
        QCOMPARE_STATE(denied->state, CheckoutState::Denied);
        QCOMPARE(denied->decidedBy.value_or(QString()), w.admin.id);
        QCOMPARE(denied->stateReason, QStringLiteral("not today"));

        const models::Checkout next = w.checkoutIn(CheckoutState::Requested);
        w.cloud.advance(next.id, CheckoutState::AwaitingApproval);
        auto approved = waitFor(w.api.approve(next.id));
        QVERIFY2(approved.ok(), qPrintable(why(approved)));
        QCOMPARE_STATE(approved->state, CheckoutState::Provisioning);
        QVERIFY(approved->decidedAt);
        auto noReason = waitFor(w.api.revoke(next.id, QString()));
        QVERIFY(!noReason.ok());
        QVERIFY(client::errors::fieldErrors(noReason.error()).contains(QStringLiteral("reason")));
        auto revoked = waitFor(w.api.revoke(next.id, QStringLiteral("wrong tenant")));
        QVERIFY2(revoked.ok(), qPrintable(why(revoked)));
        QCOMPARE_STATE(revoked->state, CheckoutState::Revoking);
        // Admins revoke; they neither cancel nor read another's credential.
        auto cancel = waitFor(w.api.cancel(next.id));
        QVERIFY(!cancel.ok());
        QCOMPARE(client::errors::httpStatus(cancel.error()), 403);
    }

    void sessionsPasskeysAndCancelling()
    {
        World w;
        w.cloud.setAutoProvision(false); // requests stay requested
        const QByteArray other = w.cloud.sessionFor(w.tech.id);
        w.cloud.signInAs(w.tech.id);
        auto sessions = waitFor(w.api.mySessions());
        QVERIFY2(sessions.ok(), qPrintable(why(sessions)));
        QCOMPARE(sessions->size(), 2);
        QString otherId;
        for (const models::SessionInfo& s : *sessions) {
            if (!s.current)
                otherId = s.id;
        }
        QVERIFY(!otherId.isEmpty());
        QVERIFY(waitFor(w.api.endMySession(otherId)).ok());
        QVERIFY(!waitFor(w.api.endMySession(otherId)).ok()); // gone
        auto left = waitFor(w.api.mySessions());
        QVERIFY(left.ok());
        QCOMPARE(left->size(), 1);
        w.cloud.setSessionToken(crypto::SecretBytes(other));
        QVERIFY(!waitFor(w.api.me()).ok()); // the ended session is refused

        w.cloud.signInAs(w.tech.id);
        models::CheckoutRequest r;
        r.tenantId = w.tenant.id;
        r.roleDefinitionIds = {kHelpdesk};
        r.durationMinutes = 20;
        auto made = waitFor(w.api.requestCheckout(r, CloudApi::newIdempotencyKey()));
        QVERIFY2(made.ok(), qPrintable(why(made)));
        QCOMPARE_STATE(w.cloud.checkout(made->id).state, CheckoutState::Requested);
        auto cancelled = waitFor(w.api.cancel(made->id));
        QVERIFY2(cancelled.ok(), qPrintable(why(cancelled)));
        QCOMPARE_STATE(cancelled->state, CheckoutState::Cancelled);
        QVERIFY(cancelled->endedAt);
        QVERIFY(!w.cloud.requests().last().body); // the bodyless actions send no body

        const QString passkey = w.cloud.addPasskey(w.tech.id);
        w.cloud.signInAs(w.admin.id);
        auto keys = waitFor(w.api.personCredentials(w.tech.id));
        QVERIFY2(keys.ok(), qPrintable(why(keys)));
        QCOMPARE(keys->size(), 1);
        QVERIFY(waitFor(w.api.removePersonCredential(w.tech.id, keys->first().id)).ok());
        auto none = waitFor(w.api.personCredentials(w.tech.id));
        QVERIFY(none.ok());
        QVERIFY(none->isEmpty());
        QVERIFY(!waitFor(w.api.removePersonCredential(w.tech.id, keys->first().id)).ok());
        Q_UNUSED(passkey);
    }

    // --- pages ---

    void paginationFollowsEveryPage_data()
    {
        QTest::addColumn<int>("extraPeople");
        QTest::addColumn<int>("pages");
        QTest::newRow("one page") << 10 << 1;
        QTest::newRow("exactly full") << 198 << 1;
        QTest::newRow("one more") << 199 << 2;
        QTest::newRow("three pages") << 450 << 3;
    }

    void paginationFollowsEveryPage()
    {
        QFETCH(int, extraPeople);
        QFETCH(int, pages);
        World w;
        for (int i = 0; i < extraPeople; ++i)
            w.cloud.addPerson(QStringLiteral("p%1@msp.example").arg(i), {}, QStringLiteral("technician"));
        w.cloud.signInAs(w.admin.id);
        const int before = w.cloud.requestCount("GET", QStringLiteral("/v1/people"));
        auto people = waitFor(w.api.people());
        QVERIFY2(people.ok(), qPrintable(why(people)));
        QCOMPARE(people->size(), extraPeople + 2);
        QCOMPARE(w.cloud.requestCount("GET", QStringLiteral("/v1/people")) - before, pages);
        QSet<QString> unique;
        for (const models::Person& p : *people)
            unique.insert(p.id);
        QCOMPARE(unique.size(), extraPeople + 2);
    }

    void aFailingPageFailsTheList()
    {
        World w;
        for (int i = 0; i < 250; ++i)
            w.cloud.addPerson(QStringLiteral("p%1@msp.example").arg(i), {}, QStringLiteral("technician"));
        w.cloud.signInAs(w.admin.id);
        auto call = w.api.people();
        // The first page is answered as it is sent; the second fails.
        w.cloud.failNext("GET", QStringLiteral("/v1/people"), 503, QStringLiteral("unavailable"));
        auto people = waitFor(call);
        QVERIFY(!people.ok());
        QCOMPARE(client::errors::httpStatus(people.error()), 503);
    }

    // --- errors ---

    void problemDetailsBecomeErrors_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("slug");
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("network");
        QTest::newRow("403") << 403 << QStringLiteral("forbidden") << QStringLiteral("api.forbidden") << false;
        QTest::newRow("404") << 404 << QStringLiteral("not-found") << QStringLiteral("api.not-found") << false;
        QTest::newRow("409") << 409 << QStringLiteral("version-conflict") << QStringLiteral("api.version-conflict")
                             << false;
        QTest::newRow("429") << 429 << QStringLiteral("rate-limited") << QStringLiteral("api.rate-limited") << false;
        QTest::newRow("500") << 500 << QStringLiteral("internal") << QStringLiteral("api.internal") << false;
        QTest::newRow("401 unauthenticated") << 401 << QStringLiteral("unauthenticated")
                                             << QString::fromLatin1(client::errors::kUnauthorized) << false;
        QTest::newRow("network") << 0 << QString() << QString::fromLatin1(client::errors::kUnreachable) << true;
    }

    void problemDetailsBecomeErrors()
    {
        QFETCH(int, status);
        QFETCH(QString, slug);
        QFETCH(QString, code);
        QFETCH(bool, network);
        World w;
        w.cloud.signInAs(w.admin.id);
        w.cloud.failNext("GET", QStringLiteral("/v1/tenants"), status, slug, QStringLiteral("Because (fake)."));
        auto failed = waitFor(w.api.tenants());
        QVERIFY(!failed.ok());
        QCOMPARE(failed.error().code, code);
        QCOMPARE(client::errors::isNetwork(failed.error()), network);
        if (!network) {
            QCOMPARE(client::errors::httpStatus(failed.error()), status);
            QCOMPARE(client::errors::slug(failed.error()), slug);
            QVERIFY2(failed.error().message.contains(QStringLiteral("Because (fake).")),
                     qPrintable(failed.error().message));
            QVERIFY(
                failed.error().details.value(QLatin1String("requestId")).toString().startsWith(QStringLiteral("req_")));
        }
        if (status == 429)
            QCOMPARE(client::errors::retryAfterSeconds(failed.error()), 1);
    }

    void validationProblemsNameTheirFields()
    {
        World w;
        w.cloud.signInAs(w.admin.id);
        models::Policy p; // no name, tenants or roles; a duration out of range
        p.maxDurationMinutes = 5;
        auto refused = waitFor(w.api.createPolicy(p));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QString::fromLatin1(client::errors::kValidation));
        QCOMPARE(client::errors::httpStatus(refused.error()), 422);
        const auto fields = client::errors::fieldErrors(refused.error());
        QVERIFY2(fields.contains(QStringLiteral("name")), qPrintable(refused.error().message));
        QVERIFY(fields.contains(QStringLiteral("tenantIds")));
        QVERIFY(fields.contains(QStringLiteral("maxDurationMinutes")));
        QVERIFY(w.cloud.policies().size() == 1);

        w.cloud.signInAs(w.tech.id);
        models::CheckoutRequest r;
        r.tenantId = w.tenant.id;
        r.roleDefinitionIds = {kHelpdesk};
        r.durationMinutes = 600;
        auto tooLong = waitFor(w.api.requestCheckout(r, QStringLiteral("k1")));
        QVERIFY(!tooLong.ok());
        QCOMPARE(client::errors::fieldErrors(tooLong.error()).value(QStringLiteral("durationMinutes")),
                 QStringLiteral("must be at most 120 minutes for these roles in this tenant"));
    }

    void unauthorizedIsSaidForAuthenticatedCallsOnly()
    {
        World w;
        QSignalSpy unauthorized(&w.api, &CloudApi::unauthorized);
        auto anonymous = waitFor(w.api.me()); // no token at all
        QVERIFY(!anonymous.ok());
        QVERIFY(client::errors::isUnauthorized(anonymous.error()));
        QCOMPARE(unauthorized.size(), 1);

        w.cloud.signInAs(w.tech.id);
        QVERIFY(waitFor(w.api.me()).ok());
        w.cloud.endSession();
        auto ended = waitFor(w.api.tenants());
        QVERIFY(!ended.ok());
        QVERIFY(client::errors::isUnauthorized(ended.error()));
        QCOMPARE(unauthorized.size(), 2);

        // A public call (sign-in) answered 401 is a failed sign-in, not an ended session.
        w.cloud.failNext("POST", QStringLiteral("/v1/auth/signin/begin"), 401, QStringLiteral("signin-failed"));
        auto begin = waitFor(w.api.signInBegin());
        QVERIFY(!begin.ok());
        QCOMPARE(client::errors::slug(begin.error()), QStringLiteral("signin-failed"));
        QCOMPARE(unauthorized.size(), 2);
    }

    void reachabilityIsAnnouncedOnChange()
    {
        World w;
        w.cloud.signInAs(w.tech.id);
        QSignalSpy reachability(&w.api, &CloudApi::reachabilityChanged);
        QVERIFY(waitFor(w.api.me()).ok());
        QCOMPARE(reachability.size(), 0); // reachable from the start
        w.cloud.setUnreachable(true);
        QVERIFY(!waitFor(w.api.me()).ok());
        QVERIFY(!waitFor(w.api.tenants()).ok());
        QCOMPARE(reachability.size(), 1);
        QCOMPARE(reachability.at(0).at(0).toBool(), false);
        w.cloud.setUnreachable(false);
        w.cloud.failNext("GET", QStringLiteral("/v1/me"), 503, QStringLiteral("unavailable"));
        QVERIFY(!waitFor(w.api.me()).ok()); // an answer, even an error, means it is reachable
        QCOMPARE(reachability.size(), 2);
        QCOMPARE(reachability.at(1).at(0).toBool(), true);
        QVERIFY(waitFor(w.api.me()).ok());
        QCOMPARE(reachability.size(), 2);
    }

    void serverClockOffset_data()
    {
        QTest::addColumn<qint64>("skewMs");
        QTest::addColumn<qint64>("offsetMs");
        // The machine's clock is 250 ms into a second; the Date header has whole seconds.
        QTest::newRow("same clock") << qint64(0) << qint64(0);
        QTest::newRow("within the second") << qint64(600) << qint64(0);
        QTest::newRow("just ahead") << qint64(800) << qint64(750);
        QTest::newRow("ninety seconds ahead") << qint64(90'500) << qint64(89'750);
        QTest::newRow("a second behind") << qint64(-1000) << qint64(-251);
        QTest::newRow("a minute behind") << qint64(-60'000) << qint64(-59'251);
    }

    void serverClockOffset()
    {
        QFETCH(qint64, skewMs);
        QFETCH(qint64, offsetMs);
        ManualClock local(1'800'000'000'250);
        ManualClock server(local.now() + skewMs);
        FakeCloud cloud(server);
        CloudApi api(cloud);
        api.setClock(&local);
        QCOMPARE(api.serverClockOffsetMs(), qint64(0)); // until an answer came
        cloud.signInAs(cloud.addPerson(QStringLiteral("a@b.example"), {}, QStringLiteral("admin")).id);
        QVERIFY(waitFor(api.me()).ok());
        QCOMPARE(api.serverClockOffsetMs(), offsetMs);
    }

    void httpDates_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("expected"); // -1: not a date
        const qint64 nov6 = 784111777000; // 1994-11-06T08:49:37Z
        QTest::newRow("IMF-fixdate") << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << nov6;
        QTest::newRow("RFC 850") << QByteArray("Sunday, 06-Nov-94 08:49:37 GMT") << nov6;
        QTest::newRow("asctime") << QByteArray("Sun Nov  6 08:49:37 1994") << nov6;
        QTest::newRow("2027") << QByteArray("Fri, 15 Jan 2027 08:00:00 GMT") << qint64(1800000000000 - 0);
        QTest::newRow("empty") << QByteArray() << qint64(-1);
        QTest::newRow("garbage") << QByteArray("yesterday") << qint64(-1);
        QTest::newRow("wrong zone") << QByteArray("Sun, 06 Nov 1994 08:49:37 CET") << qint64(-1);
        QTest::newRow("overlong") << QByteArray(200, 'x') << qint64(-1);
    }

    void httpDates()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, expected);
        const auto t = client::HttpTransport::parseHttpDate(header);
        if (expected < 0) {
            QVERIFY(!t);
        } else {
            QVERIFY(t);
            QCOMPARE(*t, expected);
        }
    }

    // --- secrets ---

    void sensitiveAnswersAreWiped_data()
    {
        QTest::addColumn<QString>("what");
        QTest::newRow("checkout credential") << QStringLiteral("credential");
        QTest::newRow("webhook secret") << QStringLiteral("webhook");
        QTest::newRow("native sign-in session") << QStringLiteral("native");
        QTest::newRow("passkey sign-in session") << QStringLiteral("signin");
    }

    void sensitiveAnswersAreWiped()
    {
        QFETCH(QString, what);
        ScriptedTransport transport;
        CloudApi api(transport);
        const QJsonObject person{{QStringLiteral("id"), QStringLiteral("per_1")},
                                 {QStringLiteral("email"), QStringLiteral("a@b.example")},
                                 {QStringLiteral("role"), QStringLiteral("technician")},
                                 {QStringLiteral("status"), QStringLiteral("active")}};
        const QJsonObject session{{QStringLiteral("token"), QStringLiteral("TOKEN-xyz")},
                                  {QStringLiteral("sessionId"), QStringLiteral("ses_1")},
                                  {QStringLiteral("expiresAt"), QStringLiteral("2027-01-01T00:00:00Z")},
                                  {QStringLiteral("person"), person}};
        QByteArray secret;
        if (what == QLatin1String("credential")) {
            transport.answerJson({{QStringLiteral("userPrincipalName"), QStringLiteral("u@t.example")},
                                  {QStringLiteral("password"), QStringLiteral("P@ss-word")},
                                  {QStringLiteral("expiresAt"), QStringLiteral("2027-01-01T00:00:00Z")}},
                                 true);
            auto c = waitFor(api.credential(QStringLiteral("chk_1")));
            QVERIFY2(c.ok(), qPrintable(why(c)));
            secret = (*c)->password.bytes();
            QCOMPARE(secret, QByteArray("P@ss-word"));
        } else if (what == QLatin1String("webhook")) {
            transport.answerJson({{QStringLiteral("id"), QStringLiteral("whk_1")},
                                  {QStringLiteral("url"), QStringLiteral("https://h.example")},
                                  {QStringLiteral("secret"), QStringLiteral("whsec_abc")}},
                                 true);
            auto c = waitFor(api.createWebhook(QStringLiteral("https://h.example"), {}, {}));
            QVERIFY2(c.ok(), qPrintable(why(c)));
            QCOMPARE((*c)->secret.bytes(), QByteArray("whsec_abc"));
        } else {
            transport.answerJson(session, true);
            auto s = waitFor(what == QLatin1String("native")
                                 ? api.nativeToken(QStringLiteral("code"), QString(43, QLatin1Char('v')),
                                                   QStringLiteral("http://127.0.0.1:1/"))
                                 : api.signInFinish(QStringLiteral("cer_1"), {}));
            QVERIFY2(s.ok(), qPrintable(why(s)));
            QCOMPARE((*s)->token.bytes(), QByteArray("TOKEN-xyz"));
            QCOMPARE((*s)->person.id, QStringLiteral("per_1"));
        }
        QVERIFY(transport.sent.last().sensitive);
        QCOMPARE(transport.handedOut.size(), 1);
        QVERIFY2(allZero(transport.handedOut.first()), "the raw answer was not wiped");
    }

    void unreadableSensitiveAnswersAreWipedToo()
    {
        ScriptedTransport transport;
        CloudApi api(transport);
        transport.answerBytes("{\"password\": \"half");
        auto c = waitFor(api.credential(QStringLiteral("chk_1")));
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, QString::fromLatin1(client::errors::kUnexpected));
        QVERIFY(!c.error().message.contains(QStringLiteral("half")));
        QVERIFY(allZero(transport.handedOut.first()));
    }

    void fakeHandsSensitiveAnswersOverAsBytesOnly()
    {
        World w;
        const models::Checkout c = w.checkoutIn(CheckoutState::Ready);
        w.cloud.signInAs(w.tech.id);
        ApiRequest r;
        r.path = QStringLiteral("/v1/checkouts/%1/credential").arg(c.id);
        r.sensitive = true;
        auto answer = waitFor(w.cloud.send(r));
        QVERIFY2(answer.ok(), qPrintable(why(answer)));
        QVERIFY(answer->json.isEmpty());
        QVERIFY(answer->body.contains("password"));
        QCOMPARE(answer->header("Cache-Control"), QByteArray("no-store"));
    }

    // --- hostile or broken answers ---

    void malformedAnswersAreTypedErrors_data()
    {
        QTest::addColumn<QString>("call");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("me without person")
            << QStringLiteral("me") << QByteArray("{\"organization\":{\"id\":\"o\",\"name\":\"n\"}}");
        QTest::newRow("me with a number for a person")
            << QStringLiteral("me") << QByteArray("{\"person\":7,\"organization\":{}}");
        QTest::newRow("list without items") << QStringLiteral("tenants") << QByteArray("{\"nextCursor\":null}");
        QTest::newRow("list item not an object")
            << QStringLiteral("tenants") << QByteArray("{\"items\":[1],\"nextCursor\":null}");
        QTest::newRow("tenant without connection")
            << QStringLiteral("tenants")
            << QByteArray("{\"items\":[{\"id\":\"tnt_1\",\"name\":\"A\",\"createdAt\":\"2027-01-01T00:00:00Z\"}],"
                          "\"nextCursor\":null}");
        QTest::newRow("checkout in an unknown state")
            << QStringLiteral("checkout")
            << QByteArray("{\"id\":\"chk_1\",\"tenantId\":\"t\",\"technicianId\":\"p\",\"roleDefinitionIds\":[],"
                          "\"durationMinutes\":60,\"state\":\"sleeping\",\"requestedAt\":\"2027-01-01T00:00:00Z\"}");
        QTest::newRow("checkout with a text duration")
            << QStringLiteral("checkout")
            << QByteArray("{\"id\":\"chk_1\",\"tenantId\":\"t\",\"technicianId\":\"p\",\"roleDefinitionIds\":[],"
                          "\"durationMinutes\":\"60\",\"state\":\"ready\",\"requestedAt\":\"2027-01-01T00:00:00Z\"}");
        QTest::newRow("checkout with a bad time")
            << QStringLiteral("checkout")
            << QByteArray("{\"id\":\"chk_1\",\"tenantId\":\"t\",\"technicianId\":\"p\",\"roleDefinitionIds\":[],"
                          "\"durationMinutes\":60,\"state\":\"ready\",\"requestedAt\":\"yesterday\"}");
        QTest::newRow("pages that go round") << QStringLiteral("people")
                                             << QByteArray("{\"items\":[],\"nextCursor\":\"c1\"}");
        QTest::newRow("audit without items") << QStringLiteral("audit") << QByteArray("{\"nextCursor\":null}");
        QTest::newRow("credential without a secret")
            << QStringLiteral("credential")
            << QByteArray("{\"userPrincipalName\":\"u@t\",\"expiresAt\":\"2027-01-01T00:00:00Z\"}");
        QTest::newRow("credential not an object") << QStringLiteral("credential") << QByteArray("[\"pw\"]");
    }

    void malformedAnswersAreTypedErrors()
    {
        QFETCH(QString, call);
        QFETCH(QByteArray, body);
        ScriptedTransport transport;
        CloudApi api(transport);
        const bool sensitive = call == QLatin1String("credential");
        // The same answer as often as asked (a list that pages around asks again).
        for (int i = 0; i < 5; ++i) {
            ApiResponse r;
            r.status = 200;
            r.body = body;
            if (!sensitive)
                r.json = QJsonDocument::fromJson(body).object();
            transport.answers.append(r);
        }
        Error error;
        auto failedWith = [&](auto result) {
            if (result.ok())
                return false;
            error = result.error();
            return true;
        };
        bool failed = false;
        if (call == QLatin1String("me"))
            failed = failedWith(waitFor(api.me()));
        else if (call == QLatin1String("tenants"))
            failed = failedWith(waitFor(api.tenants()));
        else if (call == QLatin1String("people"))
            failed = failedWith(waitFor(api.people()));
        else if (call == QLatin1String("checkout"))
            failed = failedWith(waitFor(api.checkout(QStringLiteral("chk_1"))));
        else if (call == QLatin1String("audit"))
            failed = failedWith(waitFor(api.audit({})));
        else
            failed = failedWith(waitFor(api.credential(QStringLiteral("chk_1"))));
        QVERIFY(failed);
        QCOMPARE(error.code, QString::fromLatin1(client::errors::kUnexpected));
        QVERIFY(transport.sent.size() <= 2); // a circular list is noticed on its second page
    }

    void idsCannotChangeThePath()
    {
        World w;
        w.cloud.signInAs(w.admin.id);
        auto r = waitFor(w.api.tenant(QStringLiteral("../people")));
        QVERIFY(!r.ok());
        QCOMPARE(client::errors::httpStatus(r.error()), 404);
        QCOMPARE(w.cloud.requests().last().path, QStringLiteral("/v1/tenants/..%2Fpeople"));
    }

    void signInThroughTheFake()
    {
        World w;
        const QString passkey = w.cloud.addPasskey(w.tech.id);
        auto begin = waitFor(w.api.signInBegin(w.tech.email));
        QVERIFY2(begin.ok(), qPrintable(why(begin)));
        QCOMPARE(begin->publicKey.value(QLatin1String("allowCredentials")).toArray().size(), 1);
        auto session = waitFor(w.api.signInFinish(begin->ceremonyId, {{QStringLiteral("id"), passkey}}));
        QVERIFY2(session.ok(), qPrintable(why(session)));
        QCOMPARE((*session)->person.id, w.tech.id);
        auto replay = waitFor(w.api.signInFinish(begin->ceremonyId, {{QStringLiteral("id"), passkey}}));
        QVERIFY(!replay.ok());
        QCOMPARE(client::errors::slug(replay.error()), QStringLiteral("ceremony-invalid"));

        const QString verifier = QString(64, QLatin1Char('v'));
        const QString challenge = QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(verifier.toLatin1())));
        const QString redirect = QStringLiteral("http://127.0.0.1:4711/done");
        const QString code = w.cloud.nativeCodeFor(w.tech.id, challenge, redirect);
        auto wrong = waitFor(w.api.nativeToken(code, QString(64, QLatin1Char('w')), redirect));
        QVERIFY(!wrong.ok());
        QCOMPARE(client::errors::slug(wrong.error()), QStringLiteral("invalid-grant"));
        const QString code2 = w.cloud.nativeCodeFor(w.tech.id, challenge, redirect);
        auto native = waitFor(w.api.nativeToken(code2, verifier, redirect));
        QVERIFY2(native.ok(), qPrintable(why(native)));
        w.cloud.setSessionToken((*native)->token);
        auto me = waitFor(w.api.me());
        QVERIFY2(me.ok(), qPrintable(why(me)));
        QCOMPARE(me->sessionId, (*native)->sessionId);
        QVERIFY(waitFor(w.api.signOut()).ok());
        QVERIFY(!waitFor(w.api.me()).ok());
    }
};

QTEST_GUILESS_MAIN(TestCloudApi)
#include "TestCloudApi.moc"
