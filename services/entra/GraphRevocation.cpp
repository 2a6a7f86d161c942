// SPDX-License-Identifier: GPL-3.0-or-later
// Revocation: a technician's access taken away and the proof read back from Graph (GraphGatewayInternal.h).
#include "entra/GraphGatewayInternal.h"

#include "entra/EntraLogging.h"

#include <QSet>

namespace stint::entra::detail {

namespace {

QString assignmentPath(const QString& assignmentId)
{
    return QStringLiteral("/roleManagement/directory/roleAssignments/")
        + QString::fromLatin1(QUrl::toPercentEncoding(assignmentId));
}

QStringList tapIds(const GraphResponse& response)
{
    QStringList out;
    for (const QJsonValue& value : values(response))
        out.append(value.toObject().value(QStringLiteral("id")).toString());
    return out;
}

} // namespace

Result<RevokeReport> GraphGateway::revoke(const RevokeRequest& request)
{
    if (!isGuid(request.accountId))
        return invalid(QStringLiteral("The account id is not a GUID"));
    const TenantAccess& tenant = request.tenant;
    const QString accountId = request.accountId.toLower();
    const QString tapMethods = userPath(accountId) + QStringLiteral("/authentication/temporaryAccessPassMethods");
    RevokeReport report;
    int* trips = &report.graphRoundTrips;

    // What there is to take away: what the caller recorded granting the account (it lasts a restart) and what this
    // gateway granted it last — then the first round trip already writes —, else read first (an account
    // reconciliation found, or one whose grants nobody recorded). Both are hints: the read-back below decides.
    QList<Assignment> assignments;
    QStringList taps;
    QStringList problems;
    std::optional<GrantedObjects> grants = knownGrants(tenant, accountId);
    if (request.granted) {
        if (!grants)
            grants = GrantedObjects {};
        for (const Assignment& a : request.granted->roleAssignments) {
            const bool listed = std::any_of(grants->roleAssignments.cbegin(), grants->roleAssignments.cend(),
                                            [&](const Assignment& b) { return b.id == a.id; });
            if (!a.id.isEmpty() && !listed)
                grants->roleAssignments.append(a);
        }
        for (const QString& tap : request.granted->temporaryAccessPassIds) {
            if (!tap.isEmpty() && !grants->temporaryAccessPassIds.contains(tap))
                grants->temporaryAccessPassIds.append(tap);
        }
    }
    if (grants) {
        assignments = grants->roleAssignments;
        taps = grants->temporaryAccessPassIds;
    } else {
        auto state = m_graph.batch(
            tenant, {get(userPath(accountId) + kUserSelect), get(assignmentsOf(accountId)), get(tapMethods)}, trips);
        if (!state)
            return state.error();
        if ((*state)[0].status == 404) {
            report.accountGone = true;
            report.roleAssignmentsRemoved = report.accountDisabled = report.credentialInvalidated = true;
            report.detail = QStringLiteral("The account no longer exists.");
            if (request.deleteAccount) {
                // A revocation cut off between the soft delete and the purge (a restart) finds the account gone from
                // the users but still in deleted items, restorable for 30 days — which deleting was meant to rule
                // out: finish the purge (a 404 there: nothing left to purge).
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
        assignments = parseAssignments((*state)[1]);
        if ((*state)[2].ok())
            taps = tapIds((*state)[2]);
        else
            problems.append(graphError((*state)[2], QStringLiteral("Listing Temporary Access Passes")).message);
    }

    crypto::SecretBytes password = newAccountPassword(m_options.passwordLength);
    QSet<QString> rolesDone; // assignment ids deleted (or found gone)
    QSet<QString> tapsDone;
    bool disabledWritten = false;
    bool passwordRotated = false;
    bool passwordRefused = false; // then only disable
    int patchRefusals = 0;
    bool userMissing = false;     // the account was gone before it was deleted here
    bool softDeleted = false;
    bool purgeSettled = false;    // purged, nothing to purge, or refused for good (403)
    for (int attempt = 0;; ++attempt) {
        // One sequential $batch (protocols.md 2.9) of what is still to do. The roles go first (protocols.md 2.7): a
        // disabled account that still holds Global Administrator would need a stronger role to touch again, and a
        // role without an account is worth nothing. Then disable and rotate the password to something nobody knows,
        // end the sessions, delete the passes; then, when asked, delete the account and purge it from deleted items
        // (protocols.md 6.4). An item that fails stops the ones after it (424); Graph's client sends those again.
        QList<GraphRequest> chain;
        QHash<int, QString> roleAt, tapAt;
        int patchAt = -1, sessionsAt = -1, deleteAt = -1, purgeAt = -1;
        for (const Assignment& assignment : std::as_const(assignments)) {
            if (rolesDone.contains(assignment.id))
                continue;
            roleAt.insert(int(chain.size()), assignment.id);
            chain.append(write("DELETE", assignmentPath(assignment.id)));
        }
        if (!userMissing && !softDeleted && !disabledWritten) {
            QJsonObject patch {{QStringLiteral("accountEnabled"), false}};
            if (!passwordRefused)
                patch.insert(QStringLiteral("passwordProfile"),
                             QJsonObject {{QStringLiteral("forceChangePasswordNextSignIn"), false},
                                          {QStringLiteral("password"), QString::fromLatin1(password.bytes())}});
            patchAt = int(chain.size());
            chain.append(write("PATCH", userPath(accountId), patch));
        }
        if (!userMissing && !softDeleted && !report.sessionsRevoked) {
            sessionsAt = int(chain.size());
            chain.append(write("POST", userPath(accountId) + QStringLiteral("/revokeSignInSessions")));
            chain.last().resendSafe = true; // revoking twice is revoking
        }
        for (const QString& tap : std::as_const(taps)) {
            if (tapsDone.contains(tap) || userMissing || softDeleted)
                continue;
            tapAt.insert(int(chain.size()), tap);
            chain.append(
                write("DELETE", tapMethods + QLatin1Char('/') + QString::fromLatin1(QUrl::toPercentEncoding(tap))));
        }
        if (request.deleteAccount && !softDeleted) {
            deleteAt = int(chain.size());
            chain.append(write("DELETE", userPath(accountId)));
        }
        if (request.deleteAccount && !purgeSettled) {
            purgeAt = int(chain.size());
            chain.append(write("DELETE", QStringLiteral("/directory/deletedItems/") + accountId));
            chain.last().retryNotFound = true; // the deleted user may take a moment to appear in deletedItems
        }
        if (!chain.isEmpty()) {
            auto written = m_graph.batch(tenant, chain, trips, GraphClient::Order::Sequential);
            if (!written)
                return written.error();
            for (int i = 0; i < written->size(); ++i) {
                const GraphResponse& response = (*written)[i];
                const bool done = response.ok() || response.status == 404;
                if (roleAt.contains(i)) {
                    if (done) {
                        rolesDone.insert(roleAt.value(i));
                        for (const Assignment& a : std::as_const(assignments)) {
                            if (a.id == roleAt.value(i) && !report.removedRoleDefinitionIds.contains(a.roleDefinitionId))
                                report.removedRoleDefinitionIds.append(a.roleDefinitionId);
                        }
                    } else {
                        problems.append(graphError(response, QStringLiteral("Removing a role")).message);
                    }
                } else if (i == patchAt) {
                    if (response.ok()) {
                        disabledWritten = true;
                        passwordRotated = passwordRotated || !passwordRefused;
                    } else if (response.status == 404) {
                        userMissing = true;
                    } else {
                        problems.append(
                            graphError(response, QStringLiteral("Disabling the account and rotating its password"))
                                .message);
                        // At least disable it next time, if only the password was refused. A first 403 may be the
                        // privileged-target rule judging by a role just removed that has not replicated yet
                        // (protocols.md 2.7, 2.11): the password is tried once more before it is given up.
                        ++patchRefusals;
                        passwordRefused = passwordRefused || response.status == 400
                            || (response.status == 403 && patchRefusals >= 2);
                    }
                } else if (i == sessionsAt) {
                    report.sessionsRevoked = response.ok();
                    if (!response.ok())
                        problems.append(graphError(response, QStringLiteral("Revoking sign-in sessions")).message);
                } else if (tapAt.contains(i)) {
                    if (done)
                        tapsDone.insert(tapAt.value(i));
                    else
                        problems.append(
                            graphError(response, QStringLiteral("Deleting a Temporary Access Pass")).message);
                } else if (i == deleteAt) {
                    softDeleted = done;
                    if (!done)
                        problems.append(graphError(response, QStringLiteral("Deleting the account")).message);
                } else if (i == purgeAt) {
                    purgeSettled = done || response.status == 403;
                    if (response.status == 403)
                        problems.append(QStringLiteral("The app may not delete accounts permanently (%1): the account "
                                                       "stays in deleted items for 30 days.")
                                            .arg(response.errorCode()));
                    else if (!done)
                        problems.append(
                            graphError(response, QStringLiteral("Removing the account from deleted items")).message);
                }
            }
        }

        // Read back, and report only what Graph shows.
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
        report.accountGone = gone && userMissing; // gone before this revocation wrote anything to it
        report.roleAssignmentsRemoved = rolesBack.ok() && values(rolesBack).isEmpty();
        report.accountDisabled
            = gone || (userBack.ok() && !userBack.body.value(QStringLiteral("accountEnabled")).toBool(true));
        const bool noTap = gone || (tapsBack.ok() && values(tapsBack).isEmpty());
        report.credentialInvalidated = (passwordRotated || gone) && noTap;
        report.accountDeleted = request.deleteAccount && (softDeleted || userMissing) && gone;
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
            if (report.accountGone)
                problems = QStringList {QStringLiteral("The account no longer exists.")};
            break;
        }
        // Not there yet: replication lag (wait, then read again), or something the writes did not know of (a role
        // or a pass given since, or a hint that was stale): taken away in the next round.
        readBackPause(attempt);
        if (rolesBack.ok())
            assignments = parseAssignments(rolesBack);
        if (tapsBack.ok())
            taps = tapIds(tapsBack);
        // A PATCH Graph answered 2xx is not sent again: the read-back waits for it (writing again would only restart
        // the replication of the same value).
        problems.clear();
    }
    problems.removeDuplicates();
    report.detail = problems.join(QLatin1Char(' '));
    if (report.confirmed(request.deleteAccount))
        forgetGrants(tenant, accountId);
    qCInfo(lcEntra) << "revoked account" << accountId << "in tenant" << tenant.entraTenantId << "confirmed"
                    << report.confirmed(request.deleteAccount) << "round trips" << report.graphRoundTrips;
    return report;
}

} // namespace stint::entra::detail
