// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "cloud/http/Problem.h"

#include <functional>
#include <optional>
#include <variant>

namespace stint::cloud {

class RequestContext;

// What a handler returns: a response, or an error that becomes a problem response.
class Reply
{
public:
    Reply(HttpResponse response)
        : m_value(std::move(response))
    {
    }
    Reply(ApiError error)
        : m_value(std::move(error))
    {
    }
    bool isError() const { return std::holds_alternative<ApiError>(m_value); }
    const ApiError& error() const { return std::get<ApiError>(m_value); }
    const HttpResponse& response() const { return std::get<HttpResponse>(m_value); }
    int status() const { return isError() ? error().status : response().status; }

private:
    std::variant<HttpResponse, ApiError> m_value;
};

using Handler = std::function<Reply(RequestContext&)>;

// The coarse rule every route declares; handlers add the per-object checks (same organization, own checkout…).
enum class Access
{
    Public,    // anyone, signed in or not
    SignedIn,  // any active person with a live session
    Admin,     // an admin of the caller's organization
};

struct Route
{
    QString method;
    QString pattern; // "/v1/tenants/{tenantId}"
    Access access = Access::SignedIn;
    Handler handler;
    qsizetype maxBodyBytes = 64 * 1024;
    bool idempotent = false;     // honours Idempotency-Key
    bool rateLimited = false;    // counts against the sign-in attempt limits
    // The handler manages its own transactions (sign-in ceremonies consume their challenge durably before
    // verifying, so a failed attempt cannot be retried with the same challenge).
    bool ownTransactions = false;
    QStringList segments;        // split pattern, filled by Router::add
};

struct RouteMatch
{
    const Route* route = nullptr;
    QHash<QString, QString> params;
    bool pathKnown = false; // the path exists with another method → 405
    QStringList allowedMethods;
};

// The route table: the one place where paths meet handlers (see cloud/Routes.cpp).
class Router
{
public:
    void add(Route route);
    RouteMatch match(const QString& method, const QString& path) const;
    const std::vector<Route>& routes() const { return m_routes; }

private:
    std::vector<Route> m_routes;
};

} // namespace stint::cloud
