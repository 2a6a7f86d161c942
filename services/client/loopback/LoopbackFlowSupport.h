// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/loopback/LoopbackPage.h"
#include "core/Result.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QUrl>
#include <optional>

// What TenantConnector and BrowserSignIn share besides the listener: their errors, which browser addresses they
// open, reading the callback's parameters, and the page that tells the browser about an error of the cloud.
namespace stint::client::loopback {

Error flowError(const char* code, const QString& message, const QJsonObject& details = {});

// The browser is sent only to https, or to plain http on this machine (entra-sim, the bundled cloud).
bool acceptableBrowserUrl(const QUrl& url);

// The callback's query parameters; nullopt when they cannot be read.
using QueryItems = QList<QPair<QByteArray, QByteArray>>;
std::optional<QueryItems> callbackParameters(const QUrl& callbackUrl);
// The value of the only parameter `name` (UTF-8 decoded); nullopt when absent or repeated.
std::optional<QString> single(const QueryItems& items, const char* name);

// The page for a flow that the cloud (or the network) failed: a state that expired reads as "too late".
LoopbackPage pageForError(const Error& error);

} // namespace stint::client::loopback
