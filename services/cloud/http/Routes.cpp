// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/http/Routes.h"

#include "cloud/audit/AuditApi.h"
#include "cloud/authn/SignInApi.h"
#include "cloud/checkouts/CheckoutsApi.h"
#include "cloud/connections/ConnectionsApi.h"
#include "cloud/directory/DirectoryApi.h"
#include "cloud/notifications/WebhooksApi.h"
#include "cloud/ops/OpsApi.h"
#include "cloud/policies/PoliciesApi.h"
#include "cloud/reconcile/Reconciler.h"
#include "cloud/tenants/TenantsApi.h"

namespace stint::cloud {

namespace {
constexpr qsizetype kSmallBody = 16 * 1024;
constexpr qsizetype kCeremonyBody = 128 * 1024; // attestation objects with certificate chains
} // namespace

void registerRoutes(Router& r)
{
    const auto pub = Access::Public;
    const auto member = Access::SignedIn;
    const auto admin = Access::Admin;
    // Literal paths are registered before parameterized ones that could match them (/v1/me/… before /{id}).

    // Operations and the web sign-in page.
    r.add({QStringLiteral("GET"), QStringLiteral("/healthz"), pub, ops::health});
    r.add({QStringLiteral("GET"), QStringLiteral("/readyz"), pub, ops::ready});
    r.add({QStringLiteral("GET"), QStringLiteral("/metrics"), pub, ops::metrics});
    r.add({QStringLiteral("GET"), QStringLiteral("/"), pub, ops::home});
    r.add({QStringLiteral("GET"), QStringLiteral("/signin"), pub, ops::webAsset});
    r.add({QStringLiteral("GET"), QStringLiteral("/enroll"), pub, ops::webAsset});
    r.add({QStringLiteral("GET"), QStringLiteral("/signin.js"), pub, ops::webAsset});
    r.add({QStringLiteral("GET"), QStringLiteral("/stint.css"), pub, ops::webAsset});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/openapi.json"), pub, ops::openApi});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/events"), pub, ops::eventsWithoutUpgrade});

    // Sign-in (WebAuthn ceremonies consume their challenge in their own transaction).
    auto ceremony = [&](QString path, Access access, Handler h) {
        Route route{QStringLiteral("POST"), std::move(path), access, std::move(h), kCeremonyBody};
        route.rateLimited = access == Access::Public;
        route.ownTransactions = true;
        r.add(std::move(route));
    };
    ceremony(QStringLiteral("/v1/auth/register/begin"), pub, authn::beginEnrollment);
    ceremony(QStringLiteral("/v1/auth/register/finish"), pub, authn::finishEnrollment);
    ceremony(QStringLiteral("/v1/auth/signin/begin"), pub, authn::beginSignIn);
    ceremony(QStringLiteral("/v1/auth/signin/finish"), pub, authn::finishSignIn);
    ceremony(QStringLiteral("/v1/auth/native/token"), pub, authn::exchangeNativeCode);
    ceremony(QStringLiteral("/v1/me/credentials/begin"), member, authn::beginAddCredential);
    ceremony(QStringLiteral("/v1/me/credentials/finish"), member, authn::finishAddCredential);
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/auth/signout"), member, authn::signOut, 0});

    // The signed-in person.
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/me"), member, directory::me});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/me/credentials"), member, directory::myCredentials});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/me/credentials/{credentialId}"), member,
           directory::renameMyCredential, kSmallBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/me/credentials/{credentialId}"), member,
           directory::deleteMyCredential, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/me/sessions"), member, directory::mySessions});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/me/sessions/{sessionId}"), member, directory::revokeMySession, 0});

    // The organization and its people.
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/organization"), member, directory::getOrganization});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/organization"), admin, directory::updateOrganization, kSmallBody});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/people"), admin, directory::listPeople});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/people/{personId}"), admin, directory::getPerson});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/people/{personId}"), admin, directory::updatePerson, kSmallBody});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/people/{personId}/credentials"), admin, directory::personCredentials});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/people/{personId}/credentials/{credentialId}"), admin,
           directory::deletePersonCredential, 0});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/people/{personId}/sessions/revoke"), admin,
           directory::revokePersonSessions, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/invites"), admin, directory::listInvites});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/invites"), admin, directory::createInvite, kSmallBody, true});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/invites/{inviteId}"), admin, directory::revokeInvite, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/groups"), admin, directory::listGroups});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/groups"), admin, directory::createGroup, kSmallBody * 4, true});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/groups/{groupId}"), admin, directory::getGroup});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/groups/{groupId}"), admin, directory::updateGroup, kSmallBody * 4});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/groups/{groupId}"), admin, directory::deleteGroup, 0});

    // BEGIN tenants, policies, checkouts, audit (services/cloud/{tenants,policies,checkouts,audit})
    constexpr qsizetype kTenantBody = 64 * 1024;  // up to 50 offered roles and 4000 characters of notes
    constexpr qsizetype kPolicyBody = 128 * 1024; // up to 200 tenants and 500 subjects
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/tenants"), member, tenants::listTenants});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants"), admin, tenants::createTenant, kTenantBody, true});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/tenants/{tenantId}"), member, tenants::getTenant});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/tenants/{tenantId}"), admin, tenants::updateTenant,
           kTenantBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/tenants/{tenantId}"), admin, tenants::deleteTenant, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/policies"), admin, policies::listPolicies});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/policies"), admin, policies::createPolicy, kPolicyBody, true});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/policies/{policyId}"), admin, policies::getPolicy});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/policies/{policyId}"), admin, policies::updatePolicy,
           kPolicyBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/policies/{policyId}"), admin, policies::deletePolicy, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/checkouts"), member, checkouts::listCheckouts});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts"), member, checkouts::requestCheckout, kSmallBody,
           true});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/checkouts/{checkoutId}"), member, checkouts::getCheckout});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/approve"), admin,
           checkouts::approveCheckout, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/deny"), admin, checkouts::denyCheckout,
           kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/cancel"), member,
           checkouts::cancelCheckout, 0});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/revoke"), admin,
           checkouts::revokeCheckout, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/end"), member, checkouts::endCheckout,
           0});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/extend"), member,
           checkouts::extendCheckout, kSmallBody});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/checkouts/{checkoutId}/credential"), member,
           checkouts::checkoutCredential});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/audit"), admin, audit::queryAudit});
    // END tenants, policies, checkouts, audit

    // BEGIN tenant connections, reconciliation, webhooks (services/cloud/{connections,reconcile,notifications})
    constexpr qsizetype kCredentialBody = 40 * 1024; // a certificate and its private key, PEM
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/tenants/{tenantId}/connection"), admin,
           connections::getConnection});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/tenants/{tenantId}/connection"), admin,
           connections::disconnect, kSmallBody});
    r.add({QStringLiteral("PUT"), QStringLiteral("/v1/tenants/{tenantId}/connection/credential"), admin,
           connections::putCredential, kCredentialBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/tenants/{tenantId}/connection/credential"), admin,
           connections::deleteCredential, 0});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants/{tenantId}/connection/start"), admin,
           connections::startConnection, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants/{tenantId}/connection/complete"), admin,
           connections::completeConnection, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants/{tenantId}/connection/check"), admin,
           connections::checkConnection, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants/{tenantId}/reconcile"), admin,
           reconcile::reconcileTenant, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/webhooks"), admin, notifications::listWebhooks});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/webhooks"), admin, notifications::createWebhook, kSmallBody});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/webhooks/{webhookId}"), admin, notifications::getWebhook});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/webhooks/{webhookId}"), admin, notifications::updateWebhook,
           kSmallBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/webhooks/{webhookId}"), admin, notifications::deleteWebhook,
           0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/webhooks/{webhookId}/deliveries"), admin,
           notifications::listDeliveries});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"), admin,
           notifications::redeliver, 0});
    // END tenant connections, reconciliation, webhooks
}

} // namespace stint::cloud
