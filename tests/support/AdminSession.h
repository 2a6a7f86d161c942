// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "support/CloudProcess.h"
#include "support/SoftAuthenticator.h"

// Enrolls the first admin of a freshly initialized data dir through the real WebAuthn ceremony and returns the
// session token ("" on failure). The authenticator stays usable for later sign-ins.
QString enrollWithInvite(CloudProcess& cloud, SoftAuthenticator& key, const QString& inviteToken);
