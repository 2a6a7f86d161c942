// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Call.h"
#include "core/Crypto.h"

#include <QObject>

#include <map>
#include <memory>

// Where the desktop side keeps its few long-lived secrets: the session token and the local replica's key. The real
// one is the operating system's keychain (KeychainSecretStore over QtKeychain: Secret Service/KWallet, Keychain,
// Credential Manager); MemorySecretStore is for tests and for a run that must not persist anything. Never a file.
namespace stint::client {

using SharedSecret = std::shared_ptr<const crypto::SecretBytes>;

class SecretStore
{
public:
    virtual ~SecretStore() = default;

    // Resolves with the secret, with an empty one when there is none, or with an error "secrets.unavailable" (no
    // keychain running, locked and not unlocked, access denied).
    virtual Call<SharedSecret> read(const QString& key) = 0;
    virtual Done write(const QString& key, const crypto::SecretBytes& secret) = 0;
    // Removing what is not there succeeds.
    virtual Done remove(const QString& key) = 0;
};

inline constexpr auto kSecretsUnavailable = "secrets.unavailable";

// Keys, one place: what is stored per cloud (origin) and person.
namespace secretKeys {
inline QString session(const QString& cloudOrigin)
{
    return QStringLiteral("session:") + cloudOrigin;
}
inline QString replicaKey(const QString& cloudOrigin, const QString& personId)
{
    return QStringLiteral("replica:") + cloudOrigin + QLatin1Char('/') + personId;
}
} // namespace secretKeys

class MemorySecretStore final : public QObject, public SecretStore
{
    Q_OBJECT
public:
    using QObject::QObject;
    Call<SharedSecret> read(const QString& key) override;
    Done write(const QString& key, const crypto::SecretBytes& secret) override;
    Done remove(const QString& key) override;

    // For tests: make every call fail as a missing keychain would.
    void setUnavailable(bool unavailable) { m_unavailable = unavailable; }
    bool contains(const QString& key) const { return m_secrets.count(key) > 0; }

private:
    std::map<QString, crypto::SecretBytes> m_secrets;
    bool m_unavailable = false;
};

// The OS keychain through QtKeychain, under the service name "Stint" (a suffix keeps parallel tests apart).
class KeychainSecretStore final : public QObject, public SecretStore
{
    Q_OBJECT
public:
    explicit KeychainSecretStore(QString serviceName = QStringLiteral("Stint"), QObject* parent = nullptr);
    Call<SharedSecret> read(const QString& key) override;
    Done write(const QString& key, const crypto::SecretBytes& secret) override;
    Done remove(const QString& key) override;

private:
    QString m_service;
};

} // namespace stint::client
