// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "entra/EntraGateway.h"
#include "store/Database.h"

#include <QJsonObject>

#include <optional>

// The app credential of a tenant: the client secret or certificate of a customer's own app registration for Stint (the
// fallback for customers who refuse the MSP's multi-tenant app). "Credential" in connections/ means this one; a
// checkout's sign-in credential is checkouts/CredentialVault's, a person's passkey is authn/'s.
// The client secret or private key is sealed (AES-256-GCM, the connections key, AAD = the tenant record's id) in
// tenant_credentials; the rest is what the API may show. Nothing here ever returns the secret in a summary.
namespace stint::cloud::connections {

inline const QString kClientSecret = QStringLiteral("client_secret");
inline const QString kCertificate = QStringLiteral("certificate");

// What an admin may see of an app credential: never the secret or the key.
struct AppCredentialSummary
{
    QString kind; // client_secret | certificate
    QString clientId;
    QString thumbprint;                  // certificate: SHA-1 of the DER, upper-case hex (as the Entra portal shows)
    std::optional<TimeMs> notAfter;      // certificate expiry
    std::optional<TimeMs> secretExpiresAt; // as the admin typed it in (Stint cannot read it from Entra)
    TimeMs updatedAt = 0;

    // The earliest known expiry of the app credential.
    std::optional<TimeMs> expiresAt() const;
    QJsonObject toJson() const;
};

// An app credential as an admin sets it.
struct NewAppCredential
{
    QString kind;
    QString clientId;
    crypto::SecretBytes clientSecret;
    QByteArray certificatePem;
    crypto::SecretBytes privateKeyPem;
    std::optional<TimeMs> secretExpiresAt;
};

// Checks a certificate + key pair (PEM; RSA key) and fills thumbprint and notAfter of `summary`.
// "connection.bad_certificate" / "connection.bad_private_key" otherwise.
Result<void> describeAppCertificate(const QByteArray& certificatePem, const crypto::SecretBytes& privateKeyPem,
                                    AppCredentialSummary* summary);

Result<std::optional<AppCredentialSummary>> loadAppCredentialSummary(store::Database& db, const QString& orgId,
                                                                     const QString& tenantId);
// The app credential, unsealed, for the gateway.
Result<std::optional<entra::AppCredential>> loadAppCredential(store::Database& db, const crypto::SecretBytes& key,
                                                              const QString& orgId, const QString& tenantId);
// Replaces the tenant's app credential. Returns what the API shows of it.
Result<AppCredentialSummary> saveAppCredential(store::Database& db, const crypto::SecretBytes& key,
                                               const QString& orgId, const QString& tenantId,
                                               const NewAppCredential& credential, TimeMs now);
// False when there was none.
Result<bool> removeAppCredential(store::Database& db, const QString& orgId, const QString& tenantId);

} // namespace stint::cloud::connections
