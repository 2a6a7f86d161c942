// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"
#include "client/CredentialKeeper.h"
#include "client/Workspace.h"
#include "support/client/FakeCloud.h"
#include "support/client/FakeDesktop.h"
#include "ui/common/UiContext.h"

#include <QtTest>

// A technician's world for the technician view's tests and ExpiryWatch's: the fake cloud on a manual clock, the real
// CloudApi, Workspace and CredentialKeeper above it, a fake desktop, and a technician granted roles in a few tenants
// (Contoso: Global Reader and User Administrator for up to 4 h, no conditions; Fabrikam: Security Administrator for
// up to 2 h with approval, justification and ticket; Northwind: not connected yet). Each test makes its own.
namespace stint::test {

struct TechnicianWorld
{
    static inline const QString kReader = QStringLiteral("f2ef992c-3afb-46b9-b7cf-a126ee74c451");
    static inline const QString kUserAdmin = QStringLiteral("fe930be7-5e62-47db-91af-98c3a49a38b1");
    static inline const QString kSecurityAdmin = QStringLiteral("194ae4cb-b126-40b2-bd5b-6091b380977d");
    static constexpr TimeMs kStart = 1'800'000'000'000; // a whole second: the Date header carries whole seconds

    ManualClock clock {kStart};
    FakeCloud cloud {clock};
    client::CloudApi api {cloud};
    client::Workspace workspace {api, cloud.channel(), clock};
    client::CredentialKeeper keeper {workspace};
    FakeDesktop desktop;
    ui::UiContext context {workspace, keeper, desktop, clock};

    models::Person tech;
    models::Person admin;
    models::Tenant contoso;
    models::Tenant fabrikam;
    models::Tenant northwind;
    QByteArray token;

    TechnicianWorld()
    {
        tech = cloud.addPerson(QStringLiteral("ada@msp.example"), QStringLiteral("Ada Lovelace"),
                               QStringLiteral("technician"));
        admin = cloud.addPerson(QStringLiteral("grace@msp.example"), QStringLiteral("Grace Hopper"),
                                QStringLiteral("admin"));
        contoso = cloud.addTenant(
            QStringLiteral("Contoso"),
            {{kReader, QStringLiteral("Global Reader")}, {kUserAdmin, QStringLiteral("User Administrator")}});
        fabrikam
            = cloud.addTenant(QStringLiteral("Fabrikam"), {{kSecurityAdmin, QStringLiteral("Security Administrator")}});
        northwind = cloud.addTenant(QStringLiteral("Northwind Traders"), {{kReader, QStringLiteral("Global Reader")}},
                                    QStringLiteral("not_connected"));
        cloud.addPolicy(QStringLiteral("Helpdesk"), {contoso.id, northwind.id}, {tech.id}, {kReader, kUserAdmin}, 240);
        cloud.addPolicy(QStringLiteral("Security changes"), {fabrikam.id}, {tech.id}, {kSecurityAdmin}, 120, true, true,
                        true);
    }

    // Signs the technician in and waits until the workspace is live with its tenants.
    bool start()
    {
        token = cloud.sessionFor(tech.id);
        cloud.setSessionToken(crypto::SecretBytes(token));
        workspace.start(crypto::SecretBytes(token));
        return QTest::qWaitFor(
            [this]() { return workspace.link() == client::Workspace::Link::Live && workspace.tenants().size() == 3; },
            5000);
    }

    // A checkout of the technician's in `tenant`, requested through the API and moved to `state` by the "engine";
    // waits until the workspace holds it in that state.
    models::Checkout checkoutIn(const models::Tenant& tenant, models::CheckoutState state, int minutes = 60,
                                const QString& reason = {})
    {
        models::CheckoutRequest r;
        r.tenantId = tenant.id;
        r.roleDefinitionIds = {tenant.connection.rolesOffered.first().roleDefinitionId};
        r.durationMinutes = minutes;
        r.justification = QStringLiteral("Reset MFA for a locked-out user");
        r.ticket = QStringLiteral("INC-4711");
        auto requested = waitFor(api.requestCheckout(r, client::CloudApi::newIdempotencyKey()));
        if (!requested.ok()) {
            qWarning() << "request failed:" << requested.error().code << requested.error().message;
            return {};
        }
        const QString id = requested->id;
        if (!moveTo(id, state, reason))
            qWarning() << "the checkout did not reach" << models::toString(state);
        const models::Checkout* c = workspace.checkout(id);
        return c ? *c : requested.value();
    }

    // Moves a checkout through the states the engine would to reach `state`, and waits for the workspace to see it.
    bool moveTo(const QString& id, models::CheckoutState state, const QString& reason = {})
    {
        using S = models::CheckoutState;
        const auto step = [&](S s, const QString& why = {}) {
            if (cloud.checkout(id).state != s)
                cloud.advance(id, s, why);
        };
        if (state == S::Ready || state == S::Revoking || state == S::Ended || state == S::RevokeFailed) {
            if (cloud.checkout(id).state == S::AwaitingApproval)
                step(S::Provisioning);
            step(S::Ready);
            if (state == S::Ready)
                cloud.setCredential(id, QStringLiteral("stint-ada@contoso.onmicrosoft.com"),
                                    QStringLiteral("Pa55-word-of-the-day"), QStringLiteral("TAP-1234-5678"));
        }
        if (state == S::Revoking || state == S::Ended || state == S::RevokeFailed)
            step(S::Revoking, reason);
        if (state == S::Ended || state == S::RevokeFailed)
            step(state, reason);
        if (state == S::Failed || state == S::Denied || state == S::Provisioning || state == S::Cancelled)
            step(state, reason);
        return QTest::qWaitFor(
            [&]() {
                const models::Checkout* c = workspace.checkout(id);
                return c && c->state == state;
            },
            5000);
    }
};

} // namespace stint::test
