// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringList>
#include <QUrl>

// What the tests that run Stint against entra-sim share: the app registration Stint needs in a tenant, and the
// authorize URL a person's browser would open to sign in with a credential Stint handed out.
namespace stint::test {

// The application permissions Stint's app asks for (what services/entra/GraphGateway.cpp needs() checks).
const QStringList& stintAppPermissions();

// {authority}/{tenant}/oauth2/v2.0/authorize for `clientId`, hinting `upn` and forcing a fresh sign-in, with the
// loopback redirect http://127.0.0.1:50000/stint/callback (the app must have http://127.0.0.1/stint/callback).
QUrl signInUrl(const QString& authority, const QString& tenant, const QString& clientId, const QString& upn);

} // namespace stint::test
