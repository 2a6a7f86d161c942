// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/client/ShellHarness.h"

#include "client/CloudApi.h"
#include "client/ReplicaKeys.h"
#include "client/SecurityKeySignIn.h"
#include "client/SessionKeeper.h"
#include "client/SqlCipherReplica.h"
#include "client/Workspace.h"
#include "ui/shell/Shell.h"

#include <QSignalSpy>
#include <QTest>

namespace stint::test {

FakeCloudServices::FakeCloudServices(const QUrl& serviceUrl, FakeCloud& cloud, client::SecretStore& secrets,
                                     const Clock& clock, FakeSecurityKeys& keys, const QString& replicaDirectory)
    : m_replicaDirectory(replicaDirectory)
    , m_api(std::make_unique<client::CloudApi>(cloud))
    , m_workspace(std::make_unique<client::Workspace>(*m_api, cloud.channel(), clock))
    , m_sessions(std::make_unique<client::SessionKeeper>(*m_api, secrets))
    , m_replicaKeys(std::make_unique<client::ReplicaKeys>(secrets))
    , m_keySignIn(std::make_unique<client::SecurityKeySignIn>(*m_api, keys))
{
    m_api->setClock(&clock); // the offset serverNow() adds is measured against the workspace's (manual) clock
    url = serviceUrl;
    origin = cloud.origin();
    api = m_api.get();
    workspace = m_workspace.get();
    sessions = m_sessions.get();
    securityKeys = &keys;
    keySignIn = m_keySignIn.get();
}

FakeCloudServices::~FakeCloudServices()
{
    m_workspace->stop();
    m_workspace->setReplica(nullptr);
}

client::Call<std::shared_ptr<client::Replica>> FakeCloudServices::openReplica(const QString& personId)
{
    using Out = client::Call<std::shared_ptr<client::Replica>>;
    if (replicaError)
        return Out::failed(*replicaError);
    Out out;
    const QString directory = m_replicaDirectory;
    const QString serviceOrigin = origin;
    m_replicaKeys->obtain(serviceOrigin, personId)
        .then(this, [out, directory, serviceOrigin, personId](const Result<client::SharedSecret>& key) {
            if (!key.ok())
                return out.fail(key.error());
            auto replica = client::SqlCipherReplica::open(directory, serviceOrigin, personId, *key.value());
            if (!replica.ok())
                return out.fail(replica.error());
            out.resolve(std::shared_ptr<client::Replica>(std::move(replica).value()));
        });
    return out;
}

ShellHarness::ShellHarness() = default;

ShellHarness::~ShellHarness()
{
    destroyShell();
}

QUrl ShellHarness::serviceUrl() const
{
    return QUrl(cloud.origin());
}

ui::Shell& ShellHarness::makeShell()
{
    destroyShell();
    auto factory = [this](const QUrl& url) -> std::unique_ptr<ui::CloudServices> {
        auto services = std::make_unique<FakeCloudServices>(url, cloud, *keychain, clock, keys, dataDirectory.path());
        services->replicaError = replicaError;
        m_services = services.get();
        ++m_servicesBuilt;
        QObject::connect(services.get(), &QObject::destroyed, [this, raw = services.get()]() {
            if (m_services == raw)
                m_services = nullptr;
        });
        return services;
    };
    m_shell = std::make_unique<ui::Shell>(settings, desktop, clock, factory);
    m_shell->setVersion(QStringLiteral("0.0.test"));
    return *m_shell;
}

void ShellHarness::destroyShell()
{
    m_shell.reset();
    m_services = nullptr;
}

void ShellHarness::givePasskey(const models::Person& person)
{
    cloud.addPasskey(person.id, FakeSecurityKeys::credentialIdText());
}

void ShellHarness::endSeededSession()
{
    cloud.setSessionToken(crypto::SecretBytes(m_seededToken));
    cloud.endSession();
    cloud.setSessionToken(crypto::SecretBytes());
}

void ShellHarness::seedPreviousRun(const models::Person& person, bool withSavedData)
{
    const QString origin = cloud.origin();
    settings.setCloudUrl(serviceUrl());
    settings.setLastPerson(origin, person.id, person.email);

    // The earlier run signed in (the session went to the keychain), synced once into its saved data and quit.
    FakeCloudServices earlier(serviceUrl(), cloud, secrets, clock, keys, dataDirectory.path());
    models::SignedInSession session;
    const QByteArray token = cloud.sessionFor(person.id);
    m_seededToken = token;
    session.token = crypto::SecretBytes(token);
    session.sessionId = QStringLiteral("earlier-session");
    session.expiresAt = clock.now() + 8 * 3'600'000;
    session.person = person;
    const Result<void> kept = waitFor(earlier.sessions->adopt(session));
    QVERIFY2(kept.ok(), qPrintable(kept.ok() ? QString() : kept.error().message));
    if (!withSavedData) {
        earlier.api->transport().setSessionToken(crypto::SecretBytes());
        return;
    }
    const auto opened = waitFor(earlier.openReplica(person.id));
    QVERIFY2(opened.ok(), qPrintable(opened.ok() ? QString() : opened.error().message));
    std::shared_ptr<client::Replica> replica = opened.value();
    earlier.workspace->setReplica(replica.get());
    QSignalSpy synced(earlier.workspace, &client::Workspace::synced);
    earlier.workspace->start(earlier.sessions->token());
    QVERIFY(synced.wait(5000));
    earlier.workspace->stop();
    earlier.workspace->setReplica(nullptr);
    earlier.api->transport().setSessionToken(crypto::SecretBytes());
}

} // namespace stint::test
