// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Router.h"

// Operational endpoints and the static web sign-in page.
namespace stint::cloud::api {

Reply health(RequestContext& ctx);   // GET /healthz: the process answers
Reply ready(RequestContext& ctx);    // GET /readyz: the store answers too
Reply metrics(RequestContext& ctx);  // GET /metrics: Prometheus text format
Reply openApi(RequestContext& ctx);  // GET /v1/openapi.json
Reply home(RequestContext& ctx);     // GET /: to the sign-in page
Reply webAsset(RequestContext& ctx); // GET /signin, /enroll, /signin.js, /stint.css
Reply eventsWithoutUpgrade(RequestContext& ctx); // GET /v1/events without a WebSocket upgrade: 426

} // namespace stint::cloud::api
