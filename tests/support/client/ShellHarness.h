// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/SecretStore.h"
#include "core/Clock.h"
#include "support/client/FakeCloud.h"
#include "support/client/FakeDesktop.h"
#include "support/client/FakeSecurityKeys.h"
#include "ui/shell/AppSettings.h"
#include "ui/shell/CloudServices.h"

#include <QTemporaryDir>
#include <memory>

namespace stint::client {
class CloudApi;
class ReplicaKeys;
class SecurityKeySignIn;
class SessionKeeper;
class Workspace;
} // namespace stint::client

namespace stint::ui {
class Shell;
}

// The desktop app's graph for GUI tests, built as app/desktop builds it but on fakes: a FakeCloud, a FakeSecurityKeys,
// a FakeDesktop, settings and secrets in memory — and the real SessionKeeper, Workspace, SqlCipherReplica (in a
// temporary directory, its key from ReplicaKeys) and ui::Shell. A harness outlives the shells a test makes, so "the
// next run of the app" sees what the previous one left: settings, the session in the secret store, the saved data on
// disk.
namespace stint::test {

// ui::CloudServices on the harness's fakes, for one service address.
class FakeCloudServices final : public QObject, public ui::CloudServices
{
    Q_OBJECT
public:
    FakeCloudServices(const QUrl& url, FakeCloud& cloud, client::SecretStore& secrets, const Clock& clock,
                      FakeSecurityKeys& keys, const QString& replicaDirectory);
    ~FakeCloudServices() override;

    client::Call<std::shared_ptr<client::Replica>> openReplica(const QString& personId) override;

    // When set, openReplica fails with this error (the keychain or the disk refused).
    std::optional<Error> replicaError;

private:
    QString m_replicaDirectory;
    std::unique_ptr<client::CloudApi> m_api;
    std::unique_ptr<client::Workspace> m_workspace;
    std::unique_ptr<client::SessionKeeper> m_sessions;
    std::unique_ptr<client::ReplicaKeys> m_replicaKeys;
    std::unique_ptr<client::SecurityKeySignIn> m_keySignIn;
};

class ShellHarness
{
public:
    ShellHarness();
    ~ShellHarness();

    // The address the fake service answers for (FakeCloud::origin()).
    QUrl serviceUrl() const;

    // A new shell on this harness (the previous one, if any, is destroyed first) — "starting the app".
    ui::Shell& makeShell();
    void destroyShell();
    ui::Shell& shell() { return *m_shell; }
    FakeCloudServices* services() const { return m_services; }
    int servicesBuilt() const { return m_servicesBuilt; }

    // `person` can sign in with the fake key (a passkey of theirs on it).
    void givePasskey(const models::Person& person);

    // What an earlier run left for `person`: the service address and who signed in (settings), their session (secret
    // store) and, with `withSavedData`, their saved data — the cloud's current state, synced once through a
    // Workspace into the replica on disk.
    void seedPreviousRun(const models::Person& person, bool withSavedData = true);
    // The service ends the session seedPreviousRun left (revoked while the app was closed).
    void endSeededSession();

    // Starts at this machine's time: CloudApi measures the service's clock offset against the system clock.
    ManualClock clock {QDateTime::currentMSecsSinceEpoch()};
    FakeCloud cloud {clock};
    client::MemorySecretStore secrets;
    ui::MemorySettingsStore settingsStore;
    ui::AppSettings settings {settingsStore};
    FakeDesktop desktop;
    FakeSecurityKeys keys;
    QTemporaryDir dataDirectory;
    // When set, the services the shell builds cannot open saved data (the disk or keychain refused).
    std::optional<Error> replicaError;
    // The keychain the services the shell builds use (default: `secrets`).
    client::SecretStore* keychain = &secrets;

private:
    std::unique_ptr<ui::Shell> m_shell;
    FakeCloudServices* m_services = nullptr;
    int m_servicesBuilt = 0;
    QByteArray m_seededToken;
};

} // namespace stint::test
