// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/Routes.h"

#include "cloud/api/AuditApi.h"
#include "cloud/api/SignInApi.h"
#include "cloud/api/NativeHandoffApi.h"
#include "cloud/api/CheckoutsApi.h"
#include "cloud/api/ConnectionsApi.h"
#include "cloud/api/DirectoryApi.h"
#include "cloud/api/WebhooksApi.h"
#include "cloud/api/OpsApi.h"
#include "cloud/api/PoliciesApi.h"
#include "cloud/reconcile/Reconciler.h"
#include "cloud/api/TenantsApi.h"

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
    r.add({QStringLiteral("GET"), QStringLiteral("/healthz"), pub, api::health});
    r.add({QStringLiteral("GET"), QStringLiteral("/readyz"), pub, api::ready});
    r.add({QStringLiteral("GET"), QStringLiteral("/metrics"), pub, api::metrics});
    r.add({QStringLiteral("GET"), QStringLiteral("/"), pub, api::home});
    r.add({QStringLiteral("GET"), QStringLiteral("/signin"), pub, api::webAsset});
    r.add({QStringLiteral("GET"), QStringLiteral("/enroll"), pub, api::webAsset});
    r.add({QStringLiteral("GET"), QStringLiteral("/signin.js"), pub, api::webAsset});
    r.add({QStringLiteral("GET"), QStringLiteral("/stint.css"), pub, api::webAsset});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/openapi.json"), pub, api::openApi});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/events"), pub, api::eventsWithoutUpgrade});

    // Sign-in (WebAuthn ceremonies consume their challenge in their own transaction).
    auto ceremony = [&](QString path, Access access, Handler h) {
        Route route{QStringLiteral("POST"), std::move(path), access, std::move(h), kCeremonyBody};
        route.rateLimited = access == Access::Public;
        route.ownTransactions = true;
        r.add(std::move(route));
    };
    ceremony(QStringLiteral("/v1/auth/register/begin"), pub, api::beginEnrollment);
    ceremony(QStringLiteral("/v1/auth/register/finish"), pub, api::finishEnrollment);
    ceremony(QStringLiteral("/v1/auth/signin/begin"), pub, api::beginSignIn);
    ceremony(QStringLiteral("/v1/auth/signin/finish"), pub, api::finishSignIn);
    ceremony(QStringLiteral("/v1/auth/native/token"), pub, api::exchangeNativeCode);
    ceremony(QStringLiteral("/v1/me/credentials/begin"), member, api::beginAddCredential);
    ceremony(QStringLiteral("/v1/me/credentials/finish"), member, api::finishAddCredential);
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/auth/signout"), member, api::signOut, 0});

    // The signed-in person.
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/me"), member, api::me});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/me/credentials"), member, api::myCredentials});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/me/credentials/{credentialId}"), member,
           api::renameMyCredential, kSmallBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/me/credentials/{credentialId}"), member,
           api::deleteMyCredential, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/me/sessions"), member, api::mySessions});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/me/sessions/{sessionId}"), member, api::revokeMySession, 0});

    // The organization and its people.
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/organization"), member, api::getOrganization});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/organization"), admin, api::updateOrganization, kSmallBody});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/people"), admin, api::listPeople});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/people/{personId}"), admin, api::getPerson});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/people/{personId}"), admin, api::updatePerson, kSmallBody});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/people/{personId}/credentials"), admin, api::personCredentials});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/people/{personId}/credentials/{credentialId}"), admin,
           api::deletePersonCredential, 0});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/people/{personId}/sessions/revoke"), admin,
           api::revokePersonSessions, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/invites"), admin, api::listInvites});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/invites"), admin, api::createInvite, kSmallBody, true});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/invites/{inviteId}"), admin, api::revokeInvite, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/groups"), admin, api::listGroups});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/groups"), admin, api::createGroup, kSmallBody * 4, true});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/groups/{groupId}"), admin, api::getGroup});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/groups/{groupId}"), admin, api::updateGroup, kSmallBody * 4});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/groups/{groupId}"), admin, api::deleteGroup, 0});

    // BEGIN tenants, policies, checkouts, audit (services/cloud/{tenants,policies,checkouts,audit})
    constexpr qsizetype kTenantBody = 64 * 1024;  // up to 50 offered roles and 4000 characters of notes
    constexpr qsizetype kPolicyBody = 128 * 1024; // up to 200 tenants and 500 subjects
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/tenants"), member, api::listTenants});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants"), admin, api::createTenant, kTenantBody, true});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/tenants/{tenantId}"), member, api::getTenant});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/tenants/{tenantId}"), admin, api::updateTenant,
           kTenantBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/tenants/{tenantId}"), admin, api::deleteTenant, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/policies"), admin, api::listPolicies});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/policies"), admin, api::createPolicy, kPolicyBody, true});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/policies/{policyId}"), admin, api::getPolicy});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/policies/{policyId}"), admin, api::updatePolicy,
           kPolicyBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/policies/{policyId}"), admin, api::deletePolicy, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/checkouts"), member, api::listCheckouts});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts"), member, api::requestCheckout, kSmallBody,
           true});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/checkouts/{checkoutId}"), member, api::getCheckout});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/approve"), admin,
           api::approveCheckout, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/deny"), admin, api::denyCheckout,
           kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/cancel"), member,
           api::cancelCheckout, 0});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/revoke"), admin,
           api::revokeCheckout, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/end"), member, api::endCheckout,
           0});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/checkouts/{checkoutId}/extend"), member,
           api::extendCheckout, kSmallBody});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/checkouts/{checkoutId}/credential"), member,
           api::checkoutCredential});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/audit"), admin, api::queryAudit});
    // END tenants, policies, checkouts, audit

    // BEGIN tenant connections, reconciliation, webhooks (services/cloud/{connections,reconcile,notifications})
    constexpr qsizetype kCredentialBody = 40 * 1024; // a certificate and its private key, PEM
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/tenants/{tenantId}/connection"), admin,
           api::getConnection});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/tenants/{tenantId}/connection"), admin,
           api::disconnect, kSmallBody});
    r.add({QStringLiteral("PUT"), QStringLiteral("/v1/tenants/{tenantId}/connection/credential"), admin,
           api::putAppCredential, kCredentialBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/tenants/{tenantId}/connection/credential"), admin,
           api::deleteAppCredential, 0});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants/{tenantId}/connection/start"), admin,
           api::startConnection, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants/{tenantId}/connection/complete"), admin,
           api::completeConnection, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants/{tenantId}/connection/check"), admin,
           api::checkConnection, kSmallBody});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/tenants/{tenantId}/reconcile"), admin,
           reconcile::reconcileTenant, 0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/webhooks"), admin, api::listWebhooks});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/webhooks"), admin, api::createWebhook, kSmallBody});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/webhooks/{webhookId}"), admin, api::getWebhook});
    r.add({QStringLiteral("PATCH"), QStringLiteral("/v1/webhooks/{webhookId}"), admin, api::updateWebhook,
           kSmallBody});
    r.add({QStringLiteral("DELETE"), QStringLiteral("/v1/webhooks/{webhookId}"), admin, api::deleteWebhook,
           0});
    r.add({QStringLiteral("GET"), QStringLiteral("/v1/webhooks/{webhookId}/deliveries"), admin,
           api::listDeliveries});
    r.add({QStringLiteral("POST"), QStringLiteral("/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver"), admin,
           api::redeliver, 0});
    // END tenant connections, reconciliation, webhooks
}

} // namespace stint::cloud
