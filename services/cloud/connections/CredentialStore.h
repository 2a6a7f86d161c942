// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Crypto.h"
#include "entra/EntraGateway.h"
#include "store/Database.h"

#include <QJsonObject>

#include <optional>

// A customer's own app registration for Stint (the fallback for customers who refuse the MSP's multi-tenant app).
// The client secret or private key is sealed (AES-256-GCM, the connections key, AAD = the tenant record's id) in
// tenant_credentials; the rest is what the API may show. Nothing here ever returns the secret in a summary.
namespace stint::cloud::connections {

inline const QString kClientSecret = QStringLiteral("client_secret");
inline const QString kCertificate = QStringLiteral("certificate");

// What an admin may see of a credential: never the secret or the key.
struct CredentialSummary
{
    QString kind; // client_secret | certificate
    QString clientId;
    QString thumbprint;                  // certificate: SHA-1 of the DER, upper-case hex (as the Entra portal shows)
    std::optional<TimeMs> notAfter;      // certificate expiry
    std::optional<TimeMs> secretExpiresAt; // as the admin typed it in (Stint cannot read it from Entra)
    TimeMs updatedAt = 0;

    // The earliest known expiry of the credential.
    std::optional<TimeMs> expiresAt() const;
    QJsonObject toJson() const;
};

struct NewCredential
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
Result<void> describeCertificate(const QByteArray& certificatePem, const crypto::SecretBytes& privateKeyPem,
                                 CredentialSummary* summary);

Result<std::optional<CredentialSummary>> loadCredentialSummary(store::Database& db, const QString& orgId,
                                                               const QString& tenantId);
// The credential, unsealed, for the gateway.
Result<std::optional<entra::AppCredential>> loadAppCredential(store::Database& db, const crypto::SecretBytes& key,
                                                              const QString& orgId, const QString& tenantId);
// Replaces the tenant's credential. Returns what the API shows of it.
Result<CredentialSummary> saveCredential(store::Database& db, const crypto::SecretBytes& key, const QString& orgId,
                                         const QString& tenantId, const NewCredential& credential, TimeMs now);
// False when there was none.
Result<bool> removeCredential(store::Database& db, const QString& orgId, const QString& tenantId);

} // namespace stint::cloud::connections
