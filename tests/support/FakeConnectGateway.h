// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "entra/EntraGateway.h"

#include <QHash>
#include <QMutex>
#include <QWaitCondition>
#include <QUrl>
#include <QSet>

#include <functional>

// A scripted entra::EntraGateway for the connection, reconciliation and webhook tests: inspect() proves a tenant and
// returns a report, listManagedAccounts() returns the tenant's Stint accounts, revoke() disables them, and
// redeemAuthorizationCode() plays the token endpoint for the codes the test issued (one redemption per code, the
// client, redirect URI, PKCE verifier and nonce of the authorize leg checked as Entra does; protocols.md 1.2).
// Thread-safe (the service calls it from its worker threads while the test scripts and reads it). provision() is not
// its job.
namespace stint::test {

class FakeConnectGateway : public entra::EntraGateway
{
public:
    // A healthy report for `tenantGuid`: two verified domains, three role definitions, all permissions, TAP enabled.
    static entra::ConnectionReport healthyReport(const QString& tenantGuid);

    // What inspect() proves: by default the tenant it was asked about; with proveAs(), always that tenant (a forged
    // redirect), until cleared with an empty string.
    void proveAs(const QString& tenantGuid);
    // Findings added to every report, and an error instead of a report (until cleared with std::nullopt).
    void setFindings(const QList<entra::HealthFinding>& findings);
    void failInspect(std::optional<Error> error);

    // Plays the admin's sign-in on the authorize page: a code for what `authorizeUrl` asked (client, redirect URI,
    // code challenge, nonce), signing in an admin of `tenantGuid`.
    QString issueCode(const QUrl& authorizeUrl, const QString& tenantGuid,
                      const QString& upn = QStringLiteral("admin@contoso.com"));
    // An error instead of any redemption (until cleared with std::nullopt).
    void failRedeem(std::optional<Error> error);
    // One redemption as the gateway saw it (without the secret, the code or the verifier).
    struct Redeemed
    {
        QString tenantSegment;
        QString clientId;
        bool usedCertificate = false;
        QUrl redirectUri;
        bool ok = false;
    };
    QList<Redeemed> redeemed() const;

    void setManagedAccounts(const QList<entra::ManagedAccount>& accounts);
    // While held, listManagedAccounts() takes its picture of the accounts, then waits until released (a listing that
    // takes long, during which the test changes the store).
    void holdListing(bool hold);
    int listingsHeld() const; // listings waiting now
    void failRevoke(const QString& accountId); // that account's revocation is not confirmed

    // What the service asked.
    int inspectCalls() const;
    int listCalls() const;
    // One inspect() call as the gateway saw it (without the secret).
    struct Inspected
    {
        entra::CloudEndpoints endpoints;
        QString entraTenantId;
        QString clientId;
        bool usedCertificate = false;
    };
    QList<Inspected> inspected() const;
    QStringList revokedAccounts() const;
    QList<entra::ManagedAccount> managedAccounts() const;

    Result<entra::ConnectionReport> inspect(const entra::TenantAccess& tenant) override;
    Result<entra::ProvisionResult> provision(const entra::ProvisionRequest& request) override;
    Result<entra::RevokeReport> revoke(const entra::RevokeRequest& request) override;
    Result<entra::IssuedTemporaryAccessPass> renewTemporaryAccessPass(const entra::TapRenewal& request) override;
    Result<QList<entra::ManagedAccount>> listManagedAccounts(const entra::TenantAccess& tenant) override;
    Result<entra::SignedInIdentity> redeemAuthorizationCode(const entra::CodeRedemption& redemption) override;

private:
    mutable QMutex m_mutex;
    QString m_proveAs;
    QList<entra::HealthFinding> m_findings;
    std::optional<Error> m_inspectError;
    QList<entra::ManagedAccount> m_accounts;
    QSet<QString> m_failRevoke;
    int m_inspectCalls = 0;
    int m_listCalls = 0;
    bool m_holdListing = false;
    int m_listingsHeld = 0;
    QWaitCondition m_released;
    QList<Inspected> m_inspected;
    QStringList m_revoked;
    struct IssuedCode
    {
        QString clientId;
        QString tenantId;
        QString upn;
        QString redirectUri;
        QString codeChallenge;
        QString nonce;
        bool redeemed = false;
    };
    QHash<QString, IssuedCode> m_codes;
    std::optional<Error> m_redeemError;
    QList<Redeemed> m_redeemed;
};

} // namespace stint::test
