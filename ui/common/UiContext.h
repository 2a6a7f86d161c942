// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"

namespace stint::client {
class Workspace;
class CredentialKeeper;
class TenantConnector;
} // namespace stint::client

namespace stint::ui {

class Desktop;

// What every view is given (passed in, never global): the signed-in person's state and the calls on it, their
// checkouts' credentials, the desktop around the app, and the clock countdowns run on.
struct UiContext
{
    client::Workspace& workspace;
    client::CredentialKeeper& credentials;
    Desktop& desktop;
    const Clock& clock;
    // Connects tenants through the browser (admin view); null where the app has none.
    client::TenantConnector* connector = nullptr;
};

} // namespace stint::ui
