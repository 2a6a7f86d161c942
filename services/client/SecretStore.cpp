// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/SecretStore.h"

#include <QLoggingCategory>

#include <qt6keychain/keychain.h>

Q_LOGGING_CATEGORY(lcSecrets, "stint.client.secretstore")

namespace stint::client {

namespace {
Error unavailable(const QString& why)
{
    return Error{QString::fromLatin1(kSecretsUnavailable),
                 QStringLiteral("The system keychain is not available (%1). Unlock it or start it, then try again.")
                     .arg(why),
                 {}};
}

crypto::SecretBytes copyOf(const crypto::SecretBytes& s)
{
    return crypto::SecretBytes(QByteArray(s.bytes().constData(), s.size()));
}
} // namespace

// --- in memory ---

Call<SharedSecret> MemorySecretStore::read(const QString& key)
{
    if (m_unavailable)
        return Call<SharedSecret>::failed(unavailable(QStringLiteral("switched off for this test")));
    auto it = m_secrets.find(key);
    return Call<SharedSecret>::resolved(
        std::make_shared<const crypto::SecretBytes>(it == m_secrets.end() ? crypto::SecretBytes() : copyOf(it->second)));
}

Done MemorySecretStore::write(const QString& key, const crypto::SecretBytes& secret)
{
    if (m_unavailable)
        return Done::failed(unavailable(QStringLiteral("switched off for this test")));
    m_secrets[key] = copyOf(secret);
    return Done::resolved({});
}

Done MemorySecretStore::remove(const QString& key)
{
    if (m_unavailable)
        return Done::failed(unavailable(QStringLiteral("switched off for this test")));
    m_secrets.erase(key);
    return Done::resolved({});
}

// --- QtKeychain ---

KeychainSecretStore::KeychainSecretStore(QString serviceName, QObject* parent)
    : QObject(parent)
    , m_service(std::move(serviceName))
{
}

Call<SharedSecret> KeychainSecretStore::read(const QString& key)
{
    Call<SharedSecret> out;
    auto* job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [out, job]() {
        if (job->error() == QKeychain::EntryNotFound)
            return out.resolve(std::make_shared<const crypto::SecretBytes>());
        if (job->error() != QKeychain::NoError) {
            qCWarning(lcSecrets) << "keychain read failed:" << job->errorString();
            return out.fail(unavailable(job->errorString()));
        }
        QByteArray data = job->binaryData();
        out.resolve(std::make_shared<const crypto::SecretBytes>(crypto::SecretBytes(data)));
        crypto::wipe(data);
    });
    job->start();
    return out;
}

Done KeychainSecretStore::write(const QString& key, const crypto::SecretBytes& secret)
{
    Done out;
    auto* job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(key);
    job->setBinaryData(secret.bytes());
    connect(job, &QKeychain::Job::finished, this, [out, job]() {
        if (job->error() != QKeychain::NoError) {
            qCWarning(lcSecrets) << "keychain write failed:" << job->errorString();
            return out.fail(unavailable(job->errorString()));
        }
        out.resolve({});
    });
    job->start();
    return out;
}

Done KeychainSecretStore::remove(const QString& key)
{
    Done out;
    auto* job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, this, [out, job]() {
        if (job->error() != QKeychain::NoError && job->error() != QKeychain::EntryNotFound) {
            qCWarning(lcSecrets) << "keychain delete failed:" << job->errorString();
            return out.fail(unavailable(job->errorString()));
        }
        out.resolve({});
    });
    job->start();
    return out;
}

} // namespace stint::client
