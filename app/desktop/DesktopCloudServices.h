// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/loopback/LoopbackFlows.h"
#include "ui/shell/CloudServices.h"

#include <QObject>
#include <memory>

namespace stint {
class Clock;
}

namespace stint::client {
class CloudApi;
class Fido2SecurityKeys;
class HttpTransport;
class ReplicaKeys;
class SecretStore;
class SecurityKeySignIn;
class SessionKeeper;
class WebSocketEventChannel;
class Workspace;
} // namespace stint::client

namespace stint::desktop {

// The real services for one Stint service address: HTTP(S) and the WebSocket live channel, the session in the OS
// keychain, security keys through libfido2, the browser flows on a loopback port, and the SQLCipher replica whose
// key lives in the keychain, in a file under `dataDirectory`. Members are declared in build order, so they are torn
// down in the reverse one (the workspace before the API it calls).
class DesktopCloudServices final : public QObject, public ui::CloudServices
{
    Q_OBJECT
public:
    DesktopCloudServices(const QUrl& url, const Clock& clock, client::SecretStore& secrets, QString dataDirectory,
                         client::OpenUrl openUrl);
    ~DesktopCloudServices() override;

    client::Call<std::shared_ptr<client::Replica>> openReplica(const QString& personId) override;

private:
    QString m_dataDirectory;
    std::unique_ptr<client::HttpTransport> m_transport;
    std::unique_ptr<client::CloudApi> m_api;
    std::unique_ptr<client::WebSocketEventChannel> m_channel;
    std::unique_ptr<client::Workspace> m_workspace;
    std::unique_ptr<client::SessionKeeper> m_sessions;
    std::unique_ptr<client::ReplicaKeys> m_replicaKeys;
    std::unique_ptr<client::Fido2SecurityKeys> m_keys;
    std::unique_ptr<client::SecurityKeySignIn> m_keySignIn;
    std::unique_ptr<client::BrowserSignIn> m_browser;
    std::unique_ptr<client::TenantConnector> m_connector;
};

} // namespace stint::desktop
