// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/checkouts/CredentialVault.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace stint::cloud::checkouts {

namespace {
const QString kPassword = QStringLiteral("password");
const QString kTap = QStringLiteral("temporaryAccessPass");
const QString kTapExpiresAt = QStringLiteral("temporaryAccessPassExpiresAt");

// The secrets travel as JSON inside the sealed value; every intermediate copy is wiped.
crypto::SecretBytes secretField(const QJsonObject& o, const QString& name)
{
    QByteArray bytes = o.value(name).toString().toUtf8();
    return crypto::SecretBytes(std::move(bytes));
}
} // namespace

Result<void> storeCredential(CloudContext& cloud, const QString& orgId, const QString& checkoutId,
                             const IssuedCredential& credential)
{
    QJsonObject secret;
    if (!credential.password.isEmpty())
        secret.insert(kPassword, QString::fromUtf8(credential.password.bytes()));
    if (!credential.temporaryAccessPass.isEmpty())
        secret.insert(kTap, QString::fromUtf8(credential.temporaryAccessPass.bytes()));
    if (credential.temporaryAccessPassExpiresAt)
        secret.insert(kTapExpiresAt, *credential.temporaryAccessPassExpiresAt);
    crypto::SecretBytes plain(QJsonDocument(secret).toJson(QJsonDocument::Compact));
    // QJsonObject keeps its own copies of the strings; they go with `secret` (Qt does not wipe them, but they never
    // leave this function and hold nothing the sealed row does not).
    secret = QJsonObject();
    auto sealed = crypto::seal(cloud.credentialsKey, plain.bytes(), checkoutId.toUtf8());
    if (!sealed)
        return sealed.error();
    // Replace rather than upsert: the SQLCipher build's SQLite predates ON CONFLICT … DO UPDATE.
    STINT_TRY(destroyCredential(cloud.db, checkoutId));
    return cloud.db.exec(QStringLiteral("INSERT INTO checkout_credentials (checkout_id, org_id, sealed, kind, upn,"
                                        " expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
                         {checkoutId, orgId, *sealed, credential.kind, credential.userPrincipalName,
                          credential.expiresAt, cloud.clock.now()});
}

Result<std::optional<IssuedCredential>> openCredential(CloudContext& cloud, const QString& orgId,
                                                       const QString& checkoutId)
{
    auto rows = cloud.db.query(QStringLiteral("SELECT sealed, kind, upn, expires_at FROM checkout_credentials"
                                              " WHERE checkout_id = ? AND org_id = ?"),
                               {checkoutId, orgId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return std::optional<IssuedCredential>();
    const store::Row& r = rows->front();
    auto plain = crypto::open(cloud.credentialsKey, r.blob(0), checkoutId.toUtf8());
    if (!plain)
        return plain.error();
    const QJsonObject secret = QJsonDocument::fromJson(plain->bytes()).object();
    IssuedCredential c;
    c.kind = r.text(1);
    c.userPrincipalName = r.text(2);
    c.expiresAt = r.integer(3);
    c.password = secretField(secret, kPassword);
    c.temporaryAccessPass = secretField(secret, kTap);
    if (secret.contains(kTapExpiresAt))
        c.temporaryAccessPassExpiresAt = TimeMs(secret.value(kTapExpiresAt).toDouble());
    return std::optional<IssuedCredential>(std::move(c));
}

Result<bool> setCredentialExpiry(store::Database& db, const QString& checkoutId, TimeMs expiresAt)
{
    auto n = db.execCount(QStringLiteral("UPDATE checkout_credentials SET expires_at = ? WHERE checkout_id = ?"),
                          {expiresAt, checkoutId});
    if (!n)
        return n.error();
    return *n > 0;
}

Result<bool> destroyCredential(store::Database& db, const QString& checkoutId)
{
    auto n = db.execCount(QStringLiteral("DELETE FROM checkout_credentials WHERE checkout_id = ?"), {checkoutId});
    if (!n)
        return n.error();
    return *n > 0;
}

} // namespace stint::cloud::checkouts
