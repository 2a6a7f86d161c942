// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/connections/AppCredentialStore.h"

#include <QCryptographicHash>
#include <QSslCertificate>
#include <QSslKey>

namespace stint::cloud::connections {

namespace {
const QString kColumns = QStringLiteral("kind, client_id, certificate_pem, thumbprint, not_after, secret_expires_at,"
                                        " sealed, updated_at");

std::optional<TimeMs> optionalTime(const store::Row& r, int i)
{
    return r.isNull(i) ? std::nullopt : std::optional<TimeMs>(r.integer(i));
}

store::Value timeValue(std::optional<TimeMs> t)
{
    return t ? store::Value(qint64(*t)) : store::Value(nullptr);
}

// The tenant's row (kColumns), if it has an app credential.
Result<std::optional<store::Row>> loadRow(store::Database& db, const QString& orgId, const QString& tenantId)
{
    auto rows = db.query(QStringLiteral("SELECT %1 FROM tenant_credentials WHERE tenant_id = ? AND org_id = ?")
                             .arg(kColumns),
                         {tenantId, orgId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<store::Row>();
    return std::optional<store::Row>(std::move(rows->front()));
}

AppCredentialSummary summaryFromRow(const store::Row& r)
{
    AppCredentialSummary s;
    s.kind = r.text(0);
    s.clientId = r.text(1);
    s.thumbprint = r.text(3);
    s.notAfter = optionalTime(r, 4);
    s.secretExpiresAt = optionalTime(r, 5);
    s.updatedAt = r.integer(7);
    return s;
}

QJsonValue optionalTimeJson(std::optional<TimeMs> t)
{
    return t ? QJsonValue(toRfc3339(*t)) : QJsonValue(QJsonValue::Null);
}
} // namespace

std::optional<TimeMs> AppCredentialSummary::expiresAt() const
{
    if (notAfter && secretExpiresAt)
        return std::min(*notAfter, *secretExpiresAt);
    return notAfter ? notAfter : secretExpiresAt;
}

QJsonObject AppCredentialSummary::toJson() const
{
    return {{QStringLiteral("kind"), kind},
            {QStringLiteral("clientId"), clientId},
            {QStringLiteral("certificateThumbprint"), thumbprint.isEmpty() ? QJsonValue() : QJsonValue(thumbprint)},
            {QStringLiteral("certificateNotAfter"), optionalTimeJson(notAfter)},
            {QStringLiteral("secretExpiresAt"), optionalTimeJson(secretExpiresAt)},
            {QStringLiteral("updatedAt"), toRfc3339(updatedAt)}};
}

Result<void> describeAppCertificate(const QByteArray& certificatePem, const crypto::SecretBytes& privateKeyPem,
                                    AppCredentialSummary* summary)
{
    const QList<QSslCertificate> certs = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    if (certs.size() != 1 || certs.first().isNull())
        return makeError(QStringLiteral("connection.bad_certificate"),
                         QStringLiteral("certificatePem must hold exactly one PEM certificate."));
    const QSslCertificate& cert = certs.first();
    if (cert.publicKey().algorithm() != QSsl::Rsa)
        return makeError(QStringLiteral("connection.bad_certificate"),
                         QStringLiteral("The certificate must have an RSA key (Entra signs client assertions with "
                                        "RS256 or PS256)."));
    const QSslKey key(privateKeyPem.bytes(), QSsl::Rsa, QSsl::Pem, QSsl::PrivateKey);
    if (key.isNull())
        return makeError(QStringLiteral("connection.bad_private_key"),
                         QStringLiteral("privateKeyPem must be an unencrypted PEM RSA private key."));
    if (key.length() != cert.publicKey().length())
        return makeError(QStringLiteral("connection.bad_private_key"),
                         QStringLiteral("The private key does not belong to the certificate."));
    summary->thumbprint = QString::fromLatin1(cert.digest(QCryptographicHash::Sha1).toHex().toUpper());
    summary->notAfter = cert.expiryDate().toMSecsSinceEpoch();
    return {};
}

Result<std::optional<AppCredentialSummary>> loadAppCredentialSummary(store::Database& db, const QString& orgId,
                                                                     const QString& tenantId)
{
    auto row = loadRow(db, orgId, tenantId);
    if (!row)
        return row.error();
    if (!row->has_value())
        return std::optional<AppCredentialSummary>();
    return std::optional<AppCredentialSummary>(summaryFromRow(**row));
}

Result<std::optional<entra::AppCredential>> loadAppCredential(store::Database& db, const crypto::SecretBytes& key,
                                                              const QString& orgId, const QString& tenantId)
{
    auto row = loadRow(db, orgId, tenantId);
    if (!row)
        return row.error();
    if (!row->has_value())
        return std::optional<entra::AppCredential>();
    const store::Row& r = **row;
    auto secret = crypto::open(key, r.blob(6), tenantId.toUtf8());
    if (!secret)
        return secret.error();
    entra::AppCredential app;
    app.clientId = r.text(1);
    if (r.text(0) == kCertificate) {
        app.certificatePem = r.text(2).toUtf8();
        app.privateKeyPem = std::move(*secret);
    } else {
        app.clientSecret = std::move(*secret);
    }
    return std::optional<entra::AppCredential>(std::move(app));
}

Result<AppCredentialSummary> saveAppCredential(store::Database& db, const crypto::SecretBytes& key,
                                               const QString& orgId, const QString& tenantId,
                                               const NewAppCredential& credential, TimeMs now)
{
    AppCredentialSummary summary;
    summary.kind = credential.kind;
    summary.clientId = credential.clientId;
    summary.secretExpiresAt = credential.secretExpiresAt;
    summary.updatedAt = now;
    const bool certificate = credential.kind == kCertificate;
    if (certificate)
        STINT_TRY(describeAppCertificate(credential.certificatePem, credential.privateKeyPem, &summary));
    const crypto::SecretBytes& secret = certificate ? credential.privateKeyPem : credential.clientSecret;
    auto sealed = crypto::seal(key, secret.bytes(), tenantId.toUtf8());
    if (!sealed)
        return sealed.error();
    STINT_TRY(db.exec(QStringLiteral("DELETE FROM tenant_credentials WHERE tenant_id = ? AND org_id = ?"),
                      {tenantId, orgId}));
    STINT_TRY(db.exec(QStringLiteral("INSERT INTO tenant_credentials (tenant_id, org_id, kind, client_id,"
                                     " certificate_pem, thumbprint, not_after, secret_expires_at, sealed, created_at,"
                                     " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                      {tenantId, orgId, credential.kind, credential.clientId,
                       certificate ? QString::fromUtf8(credential.certificatePem) : QString(), summary.thumbprint,
                       timeValue(summary.notAfter), timeValue(summary.secretExpiresAt), *sealed, now, now}));
    return summary;
}

Result<bool> removeAppCredential(store::Database& db, const QString& orgId, const QString& tenantId)
{
    auto n = db.execCount(QStringLiteral("DELETE FROM tenant_credentials WHERE tenant_id = ? AND org_id = ?"),
                          {tenantId, orgId});
    if (!n)
        return n.error();
    return *n > 0;
}

} // namespace stint::cloud::connections
