// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "AccessTokens.h"
#include "SimHttp.h"
#include "SimState.h"

#include <QJsonArray>
#include <optional>

// graph.microsoft.com/v1.0 as protocols.md section 2 documents it: the token check (2.1), permissions (2.12),
// throttling (2.10), replication lag (2.11), the privileged-target rule (2.7), and the endpoints Stint uses.
namespace stint::entrasim {

class Simulator;
struct LoggedRequest;

class GraphEndpoints
{
public:
    explicit GraphEndpoints(Simulator& simulator);

    // One request under /v1.0 or /beta (`version`); `rest` is the Graph path ("/users/…"). Fills the log entry's
    // tenant, app and throttled fields.
    SimResponse handle(const SimRequest& request, const QString& version, const QString& rest, LoggedRequest& entry);

    // The error body of protocols.md 2.1 with the standard headers.
    static SimResponse error(int status, const QString& code, const QString& message, const QString& requestId,
                             const QString& clientRequestId, const QJsonArray& details = {});

private:
    struct Call;
    SimResponse dispatch(Call& call);
    SimResponse authorizeAndRoute(Call& call);
    SimResponse route(Call& call);
    SimResponse batch(Call& call);

    // Endpoint groups.
    SimResponse organization(Call& call);
    SimResponse domains(Call& call);
    SimResponse users(Call& call, const QStringList& segments);
    SimResponse createUser(Call& call);
    SimResponse listUsers(Call& call);
    SimResponse getUser(Call& call, SimUser& user);
    SimResponse patchUser(Call& call, SimUser& user);
    SimResponse deleteUser(Call& call, SimUser& user);
    SimResponse revokeSessions(Call& call, SimUser& user);
    SimResponse temporaryAccessPasses(Call& call, SimUser& user, const QStringList& segments);
    SimResponse tapPolicy(Call& call);
    SimResponse roleDefinitions(Call& call, const QStringList& segments);
    SimResponse roleAssignments(Call& call, const QStringList& segments);
    SimResponse deletedItems(Call& call, const QStringList& segments);

    // Helpers.
    bool permitted(const Call& call, const QStringList& anyOf) const;
    SimResponse forbidden(const Call& call) const;
    SimResponse notFound(const Call& call, const QString& id) const;
    SimResponse badRequest(const Call& call, const QString& code, const QString& message,
                           const QJsonArray& details = {}) const;
    SimResponse ok(const Call& call, int status, const QJsonObject& body) const;
    SimResponse noContent(const Call& call) const;
    SimUser* findUser(Call& call, const QString& idOrUpn, bool honourLag);
    bool callerMayTouchPrivileged(const Call& call) const;
    QJsonObject userJson(const Call& call, const SimUser& user, const QStringList& select) const;
    std::optional<QStringList> userSelect(const Call& call, SimResponse* error) const;
    std::optional<QJsonObject> jsonBody(const Call& call, SimResponse* error) const;
    bool passwordMeetsComplexity(const QString& password) const;
    qint64 lag(const Call& call) const;

    Simulator& m_simulator;
};

} // namespace stint::entrasim
