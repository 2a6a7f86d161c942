// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/CloudApi.h"

#include <QString>
#include <QUrl>
#include <functional>
#include <memory>

namespace stint::client {
class BrowserSignIn;
class CloudApi;
class Replica;
class SecurityKeys;
class SecurityKeySignIn;
class SessionKeeper;
class TenantConnector;
class Workspace;
} // namespace stint::client

// Everything the app needs to talk to one Stint service, built for a service URL by a factory the app passes to the
// shell: the real one (app/desktop: HTTP, WebSocket, the keychain, libfido2, the loopback flows, SQLCipher) or a
// test's (a fake cloud behind the same interfaces). The shell builds a new set when the person picks another service,
// so nothing here outlives its URL. The owner is the concrete subclass; these are views on what it holds.
namespace stint::ui {

class CloudServices
{
public:
    virtual ~CloudServices() = default;

    QUrl url;
    QString origin; // scheme://host[:port]: what per-service settings and secrets are keyed by
    client::CloudApi* api = nullptr;
    client::Workspace* workspace = nullptr;
    client::SessionKeeper* sessions = nullptr;
    client::SecurityKeys* securityKeys = nullptr;
    client::SecurityKeySignIn* keySignIn = nullptr;
    client::BrowserSignIn* browserSignIn = nullptr; // null: no browser sign-in offered
    client::TenantConnector* connector = nullptr; // null: connecting tenants is not offered

    // Opens the encrypted local copy of what `personId` may see (its key comes from the keychain). Resolves with
    // null, or fails, when there is none to be had: the app then works without one and says so.
    virtual client::Call<std::shared_ptr<client::Replica>> openReplica(const QString& personId) = 0;
};

using CloudServicesFactory = std::function<std::unique_ptr<CloudServices>(const QUrl& url)>;

} // namespace stint::ui
