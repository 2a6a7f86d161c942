// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

namespace stint::cloud {

// Fills the route table. Every route of the API is listed here, and nowhere else; docs/openapi.json documents each
// one (tests/integration/TestAuthorizationMatrix checks that the two agree).
void registerRoutes(Router& router);

} // namespace stint::cloud
