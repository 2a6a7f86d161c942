// SPDX-License-Identifier: GPL-3.0-or-later
#include "DesktopCloudServices.h"

#include "client/CloudApi.h"
#include "client/HttpTransport.h"
#include "client/ReplicaKeys.h"
#include "client/SecurityKeySignIn.h"
#include "client/SessionKeeper.h"
#include "client/SqlCipherReplica.h"
#include "client/WebSocketEventChannel.h"
#include "client/Workspace.h"
#include "client/fido2/Fido2SecurityKeys.h"
#include "client/fido2/HidDeviceSource.h"

#include <QDir>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDesktopServices, "stint.app.services")

namespace stint::desktop {

DesktopCloudServices::DesktopCloudServices(const QUrl& serviceUrl, const Clock& clock, client::SecretStore& secrets,
                                           QString dataDirectory, client::OpenUrl openUrl)
    : m_dataDirectory(std::move(dataDirectory))
    , m_transport(std::make_unique<client::HttpTransport>(serviceUrl))
    , m_api(std::make_unique<client::CloudApi>(*m_transport))
    , m_channel(std::make_unique<client::WebSocketEventChannel>(serviceUrl))
    , m_workspace(std::make_unique<client::Workspace>(*m_api, *m_channel, clock))
    , m_sessions(std::make_unique<client::SessionKeeper>(*m_api, secrets))
    , m_replicaKeys(std::make_unique<client::ReplicaKeys>(secrets))
    , m_keys(std::make_unique<client::Fido2SecurityKeys>(std::make_shared<client::HidDeviceSource>()))
    , m_keySignIn(std::make_unique<client::SecurityKeySignIn>(*m_api, *m_keys))
    , m_browser(std::make_unique<client::BrowserSignIn>(*m_api, openUrl))
    , m_connector(std::make_unique<client::TenantConnector>(*m_api, openUrl))
{
    m_api->setClock(&clock);
    url = serviceUrl;
    origin = m_transport->origin();
    api = m_api.get();
    workspace = m_workspace.get();
    sessions = m_sessions.get();
    securityKeys = m_keys.get();
    keySignIn = m_keySignIn.get();
    browserSignIn = m_browser.get();
    connector = m_connector.get();
}

DesktopCloudServices::~DesktopCloudServices()
{
    m_workspace->stop();
    m_workspace->setReplica(nullptr);
}

client::Call<std::shared_ptr<client::Replica>> DesktopCloudServices::openReplica(const QString& personId)
{
    client::Call<std::shared_ptr<client::Replica>> out;
    const QString directory = m_dataDirectory;
    const QString serviceOrigin = origin;
    m_replicaKeys->obtain(serviceOrigin, personId)
        .then(this, [out, directory, serviceOrigin, personId](const Result<client::SharedSecret>& key) {
            if (!key.ok())
                return out.fail(key.error());
            if (!QDir().mkpath(directory))
                return out.fail(Error {QStringLiteral("replica.open_failed"),
                                       DesktopCloudServices::tr("The folder for saved data cannot be created."),
                                       {}});
            auto replica = client::SqlCipherReplica::open(directory, serviceOrigin, personId, *key.value());
            if (!replica.ok())
                return out.fail(replica.error());
            if (const auto& why = replica.value()->replacedBecause())
                qCWarning(lcDesktopServices) << "the saved data was unreadable and starts afresh:" << why->code;
            out.resolve(std::shared_ptr<client::Replica>(std::move(replica).value()));
        });
    return out;
}

} // namespace stint::desktop
