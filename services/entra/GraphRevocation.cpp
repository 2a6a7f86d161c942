// SPDX-License-Identifier: GPL-3.0-or-later
// Revocation: a technician's access taken away and the proof read back from Graph (GraphGatewayInternal.h).
#include "entra/GraphGatewayInternal.h"

#include "entra/EntraLogging.h"

namespace stint::entra::detail {

Result<RevokeReport> GraphGateway::revoke(const RevokeRequest& request)
{
    if (!isGuid(request.accountId))
        return invalid(QStringLiteral("The account id is not a GUID"));
    const TenantAccess& tenant = request.tenant;
    const QString accountId = request.accountId.toLower();
    const QString tapMethods = userPath(accountId) + QStringLiteral("/authentication/temporaryAccessPassMethods");
    RevokeReport report;
    int* trips = &report.graphRoundTrips;
    QStringList problems;

    // 1: what there is.
    auto state = m_graph.batch(
        tenant, {get(userPath(accountId) + kUserSelect), get(assignmentsOf(accountId)), get(tapMethods)}, trips);
    if (!state)
        return state.error();
    if ((*state)[0].status == 404) {
        report.accountGone = true;
        report.roleAssignmentsRemoved = report.accountDisabled = report.credentialInvalidated = true;
        report.detail = QStringLiteral("The account no longer exists.");
        if (request.deleteAccount) {
            // A revocation cut off between the soft delete and the purge (a restart) finds the account gone from the
            // users but still in deleted items, restorable for 30 days — which deleting was meant to rule out:
            // finish the purge (a 404 there: nothing left to purge).
            GraphRequest purge = write("DELETE", QStringLiteral("/directory/deletedItems/") + accountId);
            auto purged = m_graph.send(tenant, purge, trips);
            if (!purged)
                report.detail += QLatin1Char(' ') + purged.error().message;
            else if (purged->ok() || purged->status == 404)
                report.accountDeleted = true;
            else
                report.detail += QLatin1Char(' ')
                    + graphError(*purged, QStringLiteral("Removing the account from deleted items")).message;
        }
        return report;
    }
    if (!(*state)[0].ok())
        return graphError((*state)[0], QStringLiteral("Reading the account"));
    if ((*state)[0].body.value(QStringLiteral("employeeType")).toString() != m_options.accountTag)
        return makeError(QString::fromLatin1(kAccountNotManaged),
                         QStringLiteral("The account was not made by Stint: it is left alone"));
    if (!(*state)[1].ok())
        return graphError((*state)[1], QStringLiteral("Reading the account's roles"));
    const QList<Assignment> assignments = parseAssignments((*state)[1]);
    QStringList taps;
    if ((*state)[2].ok()) {
        for (const QJsonValue& value : values((*state)[2]))
            taps.append(value.toObject().value(QStringLiteral("id")).toString());
    } else {
        problems.append(graphError((*state)[2], QStringLiteral("Listing Temporary Access Passes")).message);
    }

    // 2: the roles go first (protocols.md 2.7): a disabled account that still holds Global Administrator would need a
    // stronger role to touch again, and a role without an account is worth nothing.
    if (!assignments.isEmpty()) {
        QList<GraphRequest> deletes;
        for (const Assignment& assignment : assignments)
            deletes.append(write("DELETE",
                                 QStringLiteral("/roleManagement/directory/roleAssignments/")
                                     + QString::fromLatin1(QUrl::toPercentEncoding(assignment.id))));
        auto deleted = m_graph.batch(tenant, deletes, trips);
        if (!deleted)
            return deleted.error();
        for (int i = 0; i < deleted->size(); ++i) {
            const GraphResponse& response = (*deleted)[i];
            if (response.ok() || response.status == 404)
                report.removedRoleDefinitionIds.append(assignments[i].roleDefinitionId);
            else
                problems.append(
                    graphError(response, QStringLiteral("Removing role %1").arg(assignments[i].roleDefinitionId))
                        .message);
        }
    }

    // 3: disable, rotate the password to something nobody knows, end sessions, delete the passes.
    crypto::SecretBytes password = newAccountPassword(m_options.passwordLength);
    QList<GraphRequest> lockout = {
        write("PATCH", userPath(accountId),
              QJsonObject {{QStringLiteral("accountEnabled"), false},
                           {QStringLiteral("passwordProfile"),
                            QJsonObject {{QStringLiteral("forceChangePasswordNextSignIn"), false},
                                         {QStringLiteral("password"), QString::fromLatin1(password.bytes())}}}}),
        write("POST", userPath(accountId) + QStringLiteral("/revokeSignInSessions")),
    };
    lockout[1].resendSafe = true; // revoking twice is revoking
    for (const QString& tap : std::as_const(taps))
        lockout.append(
            write("DELETE", tapMethods + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(tap))));
    auto locked = m_graph.batch(tenant, lockout, trips);
    if (!locked)
        return locked.error();
    bool passwordRotated = (*locked)[0].ok();
    if (!passwordRotated) {
        problems.append(
            graphError((*locked)[0], QStringLiteral("Disabling the account and rotating its password")).message);
        // At least disable it, if only the password was refused.
        auto disabled = m_graph.send(
            tenant, write("PATCH", userPath(accountId), QJsonObject {{QStringLiteral("accountEnabled"), false}}),
            trips);
        if (disabled && !disabled->ok())
            problems.append(graphError(*disabled, QStringLiteral("Disabling the account")).message);
    }
    report.sessionsRevoked = (*locked)[1].ok();
    if (!report.sessionsRevoked)
        problems.append(graphError((*locked)[1], QStringLiteral("Revoking sign-in sessions")).message);
    for (int i = 2; i < locked->size(); ++i) {
        if (!(*locked)[i].ok() && (*locked)[i].status != 404)
            problems.append(graphError((*locked)[i], QStringLiteral("Deleting a Temporary Access Pass")).message);
    }

    // 4: delete when asked: soft, then from deletedItems where the app may (protocols.md 6.4).
    bool softDeleted = false;
    if (request.deleteAccount) {
        auto deleted = m_graph.send(tenant, write("DELETE", userPath(accountId)), trips);
        if (!deleted)
            return deleted.error();
        softDeleted = deleted->ok() || deleted->status == 404;
        if (!softDeleted) {
            problems.append(graphError(*deleted, QStringLiteral("Deleting the account")).message);
        } else {
            GraphRequest purge = write("DELETE", QStringLiteral("/directory/deletedItems/") + accountId);
            purge.retryNotFound = true; // the deleted user may take a moment to appear in deletedItems
            auto purged = m_graph.send(tenant, purge, trips);
            if (!purged)
                problems.append(purged.error().message);
            else if (purged->status == 403)
                problems.append(QStringLiteral("The app may not delete accounts permanently (%1): the account stays in "
                                               "deleted items for 30 days.")
                                    .arg(purged->errorCode()));
            else if (!purged->ok() && purged->status != 404)
                problems.append(graphError(*purged, QStringLiteral("Removing the account from deleted items")).message);
        }
    }

    // 5: read back, and report only what Graph shows.
    for (int attempt = 0;; ++attempt) {
        auto back
            = m_graph.batch(tenant,
                            {get(assignmentsOf(accountId)),
                             get(userPath(accountId) + QStringLiteral("?$select=id,accountEnabled")), get(tapMethods)},
                            trips);
        if (!back)
            return back.error();
        const GraphResponse& rolesBack = (*back)[0];
        const GraphResponse& userBack = (*back)[1];
        const GraphResponse& tapsBack = (*back)[2];
        const bool gone = userBack.status == 404;
        report.roleAssignmentsRemoved = rolesBack.ok() && values(rolesBack).isEmpty();
        report.accountDisabled
            = gone || (userBack.ok() && !userBack.body.value(QStringLiteral("accountEnabled")).toBool(true));
        const bool noTap = gone || (tapsBack.ok() && values(tapsBack).isEmpty());
        report.credentialInvalidated = (passwordRotated || gone) && noTap;
        report.accountDeleted = request.deleteAccount && softDeleted && gone;
        const bool settled = report.roleAssignmentsRemoved && report.accountDisabled && noTap
            && (!request.deleteAccount || report.accountDeleted || !softDeleted);
        if (settled || attempt + 1 >= m_options.readBackAttempts) {
            if (!report.roleAssignmentsRemoved)
                problems.append(
                    QStringLiteral("Graph still shows %1 role assignment(s).").arg(values(rolesBack).size()));
            if (!report.accountDisabled)
                problems.append(QStringLiteral("Graph does not show the account disabled."));
            if (!noTap)
                problems.append(QStringLiteral("Graph still shows a Temporary Access Pass."));
            if (request.deleteAccount && softDeleted && !gone)
                problems.append(QStringLiteral("Graph still shows the account after deleting it."));
            break;
        }
        readBackPause(attempt);
    }
    report.detail = problems.join(QLatin1Char(' '));
    qCInfo(lcEntra) << "revoked account" << accountId << "in tenant" << tenant.entraTenantId << "confirmed"
                    << report.confirmed(request.deleteAccount) << "round trips" << report.graphRoundTrips;
    return report;
}

} // namespace stint::entra::detail
