// SPDX-License-Identifier: GPL-3.0-or-later
// Graph users: create/list/get/update/delete, revokeSignInSessions and Temporary Access Pass methods
// (protocols.md 2.2, 2.6, 2.7, 2.8, 2.11, 2.12).
#include "Faults.h"
#include "GraphCall.h"
#include "Simulator.h"
#include "core/Crypto.h"
#include "core/Json.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <algorithm>

namespace stint::entrasim {

namespace {

// Permission sets (protocols.md 2.12). The least-privileged permission and the broader ones are all accepted.
const QStringList kUserRead {"User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All", "Directory.Read.All",
                             "Directory.ReadWrite.All"};
const QStringList kUserCreate {"User.ReadWrite.All", "User.Create", "Directory.ReadWrite.All"};
const QStringList kUserUpdateBasic {"User.ReadWrite.All", "User.ReadUpdate.All", "Directory.ReadWrite.All"};
const QStringList kUserRevoke {"User.ReadWrite.All", "User.RevokeSessions.All", "Directory.ReadWrite.All"};
const QStringList kUserDelete {"User.DeleteRestore.All", "User.ReadWrite.All", "Directory.ReadWrite.All"};
const QStringList kTapWrite {"UserAuthenticationMethod.ReadWrite.All", "UserAuthMethod-TAP.ReadWrite.All"};
const QStringList kTapRead {"UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All",
                            "UserAuthMethod-TAP.Read.All", "UserAuthMethod-TAP.ReadWrite.All"};
const QStringList kPolicyRead {"Policy.Read.All", "Policy.Read.AuthenticationMethod",
                               "Policy.ReadWrite.AuthenticationMethod"};

// The default user projection of Graph v1.0 (protocols.md 2.2 response).
const QStringList kDefaultUserProperties {
    "businessPhones", "displayName",       "givenName", "jobTitle",          "mail", "mobilePhone",
    "officeLocation", "preferredLanguage", "surname",   "userPrincipalName", "id"};
const QStringList kSelectableUserProperties = kDefaultUserProperties
    + QStringList {"accountEnabled",
                   "employeeType",
                   "usageLocation",
                   "mailNickname",
                   "createdDateTime",
                   "signInSessionsValidFromDateTime",
                   "lastPasswordChangeDateTime",
                   "deletedDateTime"};

// protocols.md 2.2: A-Z a-z 0-9 ' . - _ ! # ^ ~ in the local part, no accents.
bool validUpnLocalPart(const QString& local)
{
    if (local.isEmpty() || local.size() > 64 || local.startsWith(QLatin1Char('.')) || local.endsWith(QLatin1Char('.')))
        return false;
    for (QChar c : local) {
        const char16_t u = c.unicode();
        const bool ok = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9')
            || QStringView(u"'.-_!#^~").contains(c);
        if (!ok)
            return false;
    }
    return true;
}

QString tapAlphabet()
{
    return QStringLiteral("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+-!@#$%&*=?");
}

QString newTemporaryAccessPass(int length)
{
    const QString alphabet = tapAlphabet();
    const QByteArray random = crypto::randomBytes(length);
    QString pass;
    for (int i = 0; i < length; ++i)
        pass += alphabet[uchar(random[i]) % alphabet.size()];
    return pass;
}

} // namespace

// Qt's parser lets raw control characters through inside strings; RFC 8259 does not, and neither does Graph.
bool jsonTextIsClean(const QByteArray& body)
{
    for (char c : body) {
        if (uchar(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return false;
    }
    return true;
}

qint64 GraphEndpoints::lag(const Call& call) const
{
    return m_simulator.faults().replicationLagMs(call.tenant->id);
}

bool GraphEndpoints::passwordMeetsComplexity(const QString& password) const
{
    // Entra's rule (learn.microsoft.com "Password policies … in Microsoft Entra ID"): 8–256 characters and three of
    // lower case, upper case, digits, symbols.
    if (password.size() < 8 || password.size() > 256)
        return false;
    bool lower = false, upper = false, digit = false, symbol = false;
    for (QChar c : password) {
        if (c.isLower())
            lower = true;
        else if (c.isUpper())
            upper = true;
        else if (c.isDigit())
            digit = true;
        else
            symbol = true;
    }
    return int(lower) + int(upper) + int(digit) + int(symbol) >= 3;
}

bool GraphEndpoints::callerMayTouchPrivileged(const Call& call) const
{
    if (!call.servicePrincipal)
        return false;
    const SimState& state = m_simulator.state();
    return state.holdsRole(call.tenant->id, call.servicePrincipal->objectId,
                           roles::kPrivilegedAuthenticationAdministrator)
        || state.holdsRole(call.tenant->id, call.servicePrincipal->objectId, roles::kGlobalAdministrator);
}

std::optional<QJsonObject> GraphEndpoints::jsonBody(const Call& call, SimResponse* error) const
{
    const auto parsed = json::parseObject(call.request.body, 1024 * 1024);
    if (!parsed || !jsonTextIsClean(call.request.body)) {
        *error = badRequest(call, QStringLiteral("BadRequest"),
                            QStringLiteral("Unable to read JSON request payload. Please ensure Content-Type header is "
                                           "set and payload is of valid JSON format."));
        return std::nullopt;
    }
    return *parsed;
}

SimUser* GraphEndpoints::findUser(Call& call, const QString& idOrUpn, bool honourLag)
{
    SimUser* user = idOrUpn.contains(QLatin1Char('@')) ? m_simulator.state().userByUpn(call.tenant->id, idOrUpn)
                                                       : m_simulator.state().user(call.tenant->id, idOrUpn);
    if (user && honourLag && !user->visible(call.now))
        return nullptr; // replication lag: not on this replica yet (protocols.md 2.11)
    return user;
}

std::optional<QStringList> GraphEndpoints::userSelect(const Call& call, SimResponse* error) const
{
    const QString select = call.request.query.queryItemValue(QStringLiteral("$select"), QUrl::FullyDecoded);
    if (select.isEmpty())
        return kDefaultUserProperties;
    QStringList result;
    for (const QString& raw : select.split(QLatin1Char(','))) {
        const QString name = raw.trimmed();
        const auto it = std::find_if(kSelectableUserProperties.begin(), kSelectableUserProperties.end(),
                                     [&](const QString& p) { return p.compare(name, Qt::CaseInsensitive) == 0; });
        if (it == kSelectableUserProperties.end()) {
            *error = badRequest(call, QStringLiteral("BadRequest"),
                                QStringLiteral("Could not find a property named '%1' on type 'microsoft.graph.user'.")
                                    .arg(name.left(100)));
            return std::nullopt;
        }
        result.append(*it);
    }
    if (!result.contains(QLatin1String("id")))
        result.append(QStringLiteral("id")); // Graph always returns the key
    return result;
}

QJsonObject GraphEndpoints::userJson(const Call& call, const SimUser& user, const QStringList& select) const
{
    QJsonObject o;
    for (const QString& p : select) {
        if (p == QLatin1String("id"))
            o.insert(p, user.id);
        else if (p == QLatin1String("businessPhones"))
            o.insert(p, QJsonArray());
        else if (p == QLatin1String("displayName"))
            o.insert(p, user.displayName);
        else if (p == QLatin1String("userPrincipalName"))
            o.insert(p, user.userPrincipalName);
        else if (p == QLatin1String("accountEnabled"))
            o.insert(p, user.accountEnabledAsSeen(call.now));
        else if (p == QLatin1String("employeeType"))
            o.insert(p, user.employeeType.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(user.employeeType));
        else if (p == QLatin1String("usageLocation"))
            o.insert(p, user.usageLocation.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(user.usageLocation));
        else if (p == QLatin1String("mailNickname"))
            o.insert(p, user.mailNickname);
        else if (p == QLatin1String("createdDateTime"))
            o.insert(p, toRfc3339(user.createdAt).left(19) + QLatin1Char('Z'));
        else if (p == QLatin1String("signInSessionsValidFromDateTime"))
            o.insert(p, toRfc3339(user.signInSessionsValidFrom).left(19) + QLatin1Char('Z'));
        else if (p == QLatin1String("lastPasswordChangeDateTime"))
            o.insert(p,
                     user.passwordChangedAt ? QJsonValue(toRfc3339(user.passwordChangedAt).left(19) + QLatin1Char('Z'))
                                            : QJsonValue(QJsonValue::Null));
        else if (p == QLatin1String("deletedDateTime"))
            o.insert(p,
                     user.deletedAt ? QJsonValue(toRfc3339(*user.deletedAt).left(19) + QLatin1Char('Z'))
                                    : QJsonValue(QJsonValue::Null));
        else
            o.insert(p, QJsonValue::Null); // givenName, jobTitle, mail, …: the simulator does not model them
    }
    return o;
}

SimResponse GraphEndpoints::users(Call& call, const QStringList& segments)
{
    const QByteArray& method = call.request.method;
    const auto methodNotAllowed = [&] {
        return error(405, QStringLiteral("Request_BadRequest"),
                     QStringLiteral("Specified HTTP method is not allowed for the request target."), call.requestId,
                     call.clientRequestId);
    };
    if (segments.size() == 1) {
        if (method == "GET")
            return listUsers(call);
        if (method == "POST")
            return createUser(call);
        return methodNotAllowed();
    }
    const QString key = segments[1];
    if (key.isEmpty() || key.size() > 320)
        return notFound(call, key.left(320));
    // Permissions before existence, as Graph does: a caller without rights learns nothing.
    SimUser* user = nullptr;
    if (segments.size() == 2) {
        if (method == "GET") {
            if (!permitted(call, kUserRead))
                return forbidden(call);
        } else if (method != "PATCH" && method != "DELETE") {
            return methodNotAllowed();
        }
        user = findUser(call, key, true);
        if (!user)
            return notFound(call, key);
        if (method == "GET")
            return getUser(call, *user);
        if (method == "PATCH")
            return patchUser(call, *user);
        return deleteUser(call, *user);
    }
    if (segments.size() == 3 && segments[2] == QLatin1String("revokeSignInSessions")) {
        if (method != "POST")
            return methodNotAllowed();
        if (!permitted(call, kUserRevoke))
            return forbidden(call);
        user = findUser(call, key, true);
        if (!user)
            return notFound(call, key);
        return revokeSessions(call, *user);
    }
    if (segments.size() >= 4 && segments[2] == QLatin1String("authentication")
        && segments[3] == QLatin1String("temporaryAccessPassMethods") && segments.size() <= 5) {
        user = findUser(call, key, true);
        if (!user && permitted(call, kTapRead + kTapWrite))
            return notFound(call, key);
        if (!user)
            return forbidden(call);
        return temporaryAccessPasses(call, *user, segments.mid(4));
    }
    return badRequest(call, QStringLiteral("BadRequest"),
                      QStringLiteral("Resource not found for the segment '%1'.").arg(segments.last().left(100)));
}

SimResponse GraphEndpoints::createUser(Call& call)
{
    if (!permitted(call, kUserCreate))
        return forbidden(call);
    SimResponse failure;
    const auto body = jsonBody(call, &failure);
    if (!body)
        return failure;
    static const QStringList known {"accountEnabled",  "displayName",  "mailNickname",     "userPrincipalName",
                                    "passwordProfile", "employeeType", "usageLocation",    "givenName",
                                    "surname",         "jobTitle",     "passwordPolicies", "@odata.type"};
    for (auto it = body->begin(); it != body->end(); ++it) {
        if (!known.contains(it.key()))
            return badRequest(
                call, QStringLiteral("Request_BadRequest"),
                QStringLiteral("Property '%1' does not exist as a declared property or extension property.")
                    .arg(it.key().left(100)));
    }
    const auto invalidValue = [&](const QString& property) {
        return badRequest(
            call, QStringLiteral("Request_BadRequest"),
            QStringLiteral("Invalid value specified for property '%1' of resource 'User'.").arg(property));
    };
    // Required (protocols.md 2.2).
    if (!body->value("accountEnabled").isBool())
        return invalidValue(QStringLiteral("accountEnabled"));
    const QString displayName = body->value("displayName").toString();
    if (!body->value("displayName").isString() || displayName.trimmed().isEmpty() || displayName.size() > 256)
        return invalidValue(QStringLiteral("displayName"));
    const QString mailNickname = body->value("mailNickname").toString();
    if (!body->value("mailNickname").isString() || mailNickname.isEmpty() || mailNickname.size() > 64
        || !validUpnLocalPart(mailNickname))
        return invalidValue(QStringLiteral("mailNickname"));
    if (!body->value("userPrincipalName").isString())
        return invalidValue(QStringLiteral("userPrincipalName"));
    const QJsonValue profileValue = body->value("passwordProfile");
    if (!profileValue.isObject())
        return invalidValue(QStringLiteral("passwordProfile"));
    const QJsonObject profile = profileValue.toObject();
    for (auto it = profile.begin(); it != profile.end(); ++it) {
        if (it.key() != QLatin1String("password") && it.key() != QLatin1String("forceChangePasswordNextSignIn")
            && it.key() != QLatin1String("forceChangePasswordNextSignInWithMfa"))
            return invalidValue(QStringLiteral("passwordProfile"));
    }
    if (!profile.value("password").isString())
        return invalidValue(QStringLiteral("passwordProfile"));
    if (profile.contains("forceChangePasswordNextSignIn") && !profile.value("forceChangePasswordNextSignIn").isBool())
        return invalidValue(QStringLiteral("passwordProfile"));
    for (const char* optional : {"employeeType", "givenName", "surname", "jobTitle", "passwordPolicies"}) {
        const QJsonValue v = body->value(QLatin1String(optional));
        if (!v.isUndefined() && !v.isNull() && (!v.isString() || v.toString().size() > 256))
            return invalidValue(QLatin1String(optional));
    }
    const QString usageLocation = body->value("usageLocation").toString();
    if (body->contains("usageLocation") && !body->value("usageLocation").isNull()
        && !QRegularExpression(QStringLiteral("^[A-Z]{2}$")).match(usageLocation).hasMatch())
        return invalidValue(QStringLiteral("usageLocation"));

    // The UPN: allowed characters, and a verified managed domain of this tenant (protocols.md 2.1, 2.2).
    const QString upn = body->value("userPrincipalName").toString();
    const QJsonArray upnInvalid {QJsonObject {{"target", "userPrincipalName"}, {"code", "InvalidValue"}}};
    const qsizetype at = upn.indexOf(QLatin1Char('@'));
    if (upn.size() > 113 || at <= 0 || upn.count(QLatin1Char('@')) != 1 || !validUpnLocalPart(upn.left(at)))
        return badRequest(call, QStringLiteral("Request_BadRequest"),
                          QStringLiteral("Property userPrincipalName is invalid."), upnInvalid);
    const SimDomain* domain = call.tenant->domain(upn.mid(at + 1));
    if (!domain || !domain->isVerified || domain->authenticationType != QLatin1String("Managed"))
        return badRequest(call, QStringLiteral("Request_BadRequest"),
                          QStringLiteral("Property userPrincipalName is invalid."), upnInvalid);
    // Conflicts are checked against the authoritative copy (no lag) of the live users only: a soft-deleted user's UPN
    // may be taken by a new user — restoring the deleted one then needs another UPN (Restore-MsolUser and
    // Restore-EntraDeletedDirectoryObject: -NewUserPrincipalName "if the original UserPrincipalName of the user is in
    // use by another active user").
    const bool taken = m_simulator.state().userByUpn(call.tenant->id, upn) != nullptr;
    if (taken)
        return badRequest(
            call, QStringLiteral("Request_BadRequest"),
            QStringLiteral("Another object with the same value for property userPrincipalName already exists."),
            QJsonArray {QJsonObject {{"target", "userPrincipalName"}, {"code", "ObjectConflict"}}});
    QString password = profile.value("password").toString();
    if (!passwordMeetsComplexity(password)) {
        password.fill(QLatin1Char('\0'));
        return badRequest(call, QStringLiteral("Request_BadRequest"),
                          QStringLiteral("The specified password does not comply with password complexity "
                                         "requirements. Please provide a different password."));
    }

    auto created = m_simulator.state().createUser(call.tenant->id, upn, displayName, password,
                                                  body->value("accountEnabled").toBool());
    password.fill(QLatin1Char('\0'));
    if (!created)
        return error(500, QStringLiteral("generalException"), created.error().message, call.requestId,
                     call.clientRequestId);
    SimUser& user = **created;
    user.mailNickname = mailNickname;
    user.employeeType = body->value("employeeType").toString();
    user.usageLocation = usageLocation;
    user.forceChangePasswordNextSignIn = profile.value("forceChangePasswordNextSignIn").toBool();
    user.visibleAt = call.now + lag(call);
    QJsonObject out = userJson(call, user, kDefaultUserProperties);
    out.insert("@odata.context", kGraphBase + QStringLiteral("/$metadata#users/$entity"));
    SimResponse r = ok(call, 201, out);
    r.setHeader("Location", (kGraphBase + QStringLiteral("/users/") + user.id).toLatin1());
    return r;
}

SimResponse GraphEndpoints::listUsers(Call& call)
{
    if (!permitted(call, kUserRead))
        return forbidden(call);
    SimResponse failure;
    const auto select = userSelect(call, &failure);
    if (!select)
        return failure;
    const QUrlQuery& query = call.request.query;
    for (const auto& [key, value] : query.queryItems()) {
        if (key.startsWith(QLatin1Char('$')) && key != QLatin1String("$select") && key != QLatin1String("$filter")
            && key != QLatin1String("$top") && key != QLatin1String("$skiptoken"))
            return error(400, QStringLiteral("Request_UnsupportedQuery"),
                         QStringLiteral("The query option '%1' is not supported by entra-sim.").arg(key.left(50)),
                         call.requestId, call.clientRequestId);
    }
    int top = 100;
    if (query.hasQueryItem(QStringLiteral("$top"))) {
        bool ok = false;
        const QString text = query.queryItemValue(QStringLiteral("$top"));
        top = text.toInt(&ok);
        if (!ok || top < 1 || top > 999)
            return badRequest(call, QStringLiteral("Request_BadRequest"),
                              QStringLiteral("Invalid page size specified: '%1'. Must be between 1 and 999 inclusive.")
                                  .arg(text.left(20)));
    }
    QList<FilterClause> clauses;
    if (query.hasQueryItem(QStringLiteral("$filter"))) {
        const QString text = query.queryItemValue(QStringLiteral("$filter"), QUrl::FullyDecoded);
        const auto parsed = parseFilter(text);
        if (!parsed)
            return badRequest(call, QStringLiteral("BadRequest"), QStringLiteral("Invalid filter clause"));
        for (const FilterClause& c : *parsed) {
            const bool supported = (c.property == QLatin1String("userPrincipalName") && c.isString)
                || (c.property == QLatin1String("employeeType") && c.isString)
                || (c.property == QLatin1String("accountEnabled") && !c.isString)
                || (c.property == QLatin1String("id") && c.isString);
            if (!supported)
                return error(
                    400, QStringLiteral("Request_UnsupportedQuery"),
                    QStringLiteral(
                        "Unsupported or invalid query filter clause specified for property '%1' of resource 'User'.")
                        .arg(c.property.left(100)),
                    call.requestId, call.clientRequestId);
        }
        clauses = *parsed;
    }
    int offset = 0;
    if (query.hasQueryItem(QStringLiteral("$skiptoken"))) {
        const auto decoded = crypto::base64UrlDecode(query.queryItemValue(QStringLiteral("$skiptoken")).toLatin1());
        bool ok = false;
        offset = decoded ? QString::fromLatin1(*decoded).toInt(&ok) : -1;
        if (!ok || offset < 0)
            return badRequest(call, QStringLiteral("Request_BadRequest"), QStringLiteral("Invalid skip token."));
    }

    QList<const SimUser*> matches;
    for (const auto& [id, user] : call.tenant->users) {
        if (!user.visible(call.now))
            continue;
        bool match = true;
        for (const FilterClause& c : clauses) {
            if (c.property == QLatin1String("userPrincipalName"))
                match = match && user.userPrincipalName.compare(c.value, Qt::CaseInsensitive) == 0;
            else if (c.property == QLatin1String("employeeType"))
                match = match && user.employeeType == c.value;
            else if (c.property == QLatin1String("id"))
                match = match && user.id.compare(c.value, Qt::CaseInsensitive) == 0;
            else
                match = match && user.accountEnabledAsSeen(call.now) == (c.value == QLatin1String("true"));
        }
        if (match)
            matches.append(&user);
    }
    std::sort(matches.begin(), matches.end(),
              [](const SimUser* a, const SimUser* b) { return a->sequence < b->sequence; });
    QJsonArray value;
    for (int i = offset; i < matches.size() && i < offset + top; ++i)
        value.append(userJson(call, *matches[i], *select));
    QJsonObject out {{"@odata.context", kGraphBase + QStringLiteral("/$metadata#users")}, {"value", value}};
    if (offset + top < matches.size()) {
        // Links point back at this server (the Host the client used), so paging works against the simulator.
        QUrlQuery next;
        for (const auto& [key, v] : query.queryItems(QUrl::FullyDecoded)) {
            if (key != QLatin1String("$skiptoken"))
                next.addQueryItem(key, v);
        }
        next.addQueryItem(QStringLiteral("$skiptoken"),
                          QString::fromLatin1(crypto::base64UrlEncode(QByteArray::number(offset + top))));
        QUrl link;
        link.setScheme(QStringLiteral("http"));
        const QByteArray host = call.request.header("Host");
        link.setAuthority(host.isEmpty() ? m_simulator.baseUrl().authority() : QString::fromLatin1(host));
        link.setPath(QStringLiteral("/v1.0/users"));
        link.setQuery(next);
        out.insert("@odata.nextLink", link.toString(QUrl::FullyEncoded));
    }
    return ok(call, 200, out);
}

SimResponse GraphEndpoints::getUser(Call& call, SimUser& user)
{
    SimResponse failure;
    const auto select = userSelect(call, &failure);
    if (!select)
        return failure;
    QJsonObject out = userJson(call, user, *select);
    out.insert("@odata.context", kGraphBase + QStringLiteral("/$metadata#users/$entity"));
    return ok(call, 200, out);
}

SimResponse GraphEndpoints::patchUser(Call& call, SimUser& user)
{
    SimResponse failure;
    const auto body = jsonBody(call, &failure);
    if (!body)
        return failure;
    static const QStringList known {"accountEnabled", "passwordProfile", "displayName", "employeeType",
                                    "usageLocation"};
    for (auto it = body->begin(); it != body->end(); ++it) {
        if (!known.contains(it.key()))
            return badRequest(
                call, QStringLiteral("Request_BadRequest"),
                QStringLiteral("Property '%1' does not exist as a declared property or extension property.")
                    .arg(it.key().left(100)));
    }
    const auto invalidValue = [&](const QString& property) {
        return badRequest(
            call, QStringLiteral("Request_BadRequest"),
            QStringLiteral("Invalid value specified for property '%1' of resource 'User'.").arg(property));
    };
    const bool enabling = body->contains("accountEnabled");
    const bool password = body->contains("passwordProfile");
    const bool basic
        = body->contains("displayName") || body->contains("employeeType") || body->contains("usageLocation");

    // Permissions per property (protocols.md 2.6, 2.7, 2.12).
    const QStringList& roles = call.claims.roles;
    const bool canReadUsers = permitted(call, kUserRead);
    if (enabling
        && !(permitted(call, {"User.ReadWrite.All", "User.ReadUpdate.All", "Directory.ReadWrite.All"})
             || (roles.contains("User.EnableDisableAccount.All") && canReadUsers)))
        return forbidden(call);
    if (password) {
        // Newer docs: User-PasswordProfile.ReadWrite.All. Older docs: User.ReadWrite.All plus at least the User
        // Administrator role (protocols.md 2.7, 6.5); the simulator accepts either.
        const QString sp = call.servicePrincipal ? call.servicePrincipal->objectId : QString();
        const SimState& state = m_simulator.state();
        bool adminRole = false;
        for (const QString& r : {roles::kUserAdministrator, roles::kHelpdeskAdministrator,
                                 roles::kPasswordAdministrator, roles::kAuthenticationAdministrator,
                                 roles::kPrivilegedAuthenticationAdministrator, roles::kGlobalAdministrator})
            adminRole = adminRole || state.holdsRole(call.tenant->id, sp, r);
        const bool allowed = roles.contains("User-PasswordProfile.ReadWrite.All")
            || (permitted(call, {"User.ReadWrite.All", "Directory.ReadWrite.All"}) && adminRole);
        if (!allowed)
            return forbidden(call);
    }
    if (basic && !permitted(call, kUserUpdateBasic))
        return forbidden(call);
    // The privileged-target rule (protocols.md 2.7). Simplification: a target holding any directory role needs
    // Privileged Authentication Administrator or Global Administrator on the caller; a target with no role needs
    // only the permission (the per-role table of "Who can reset passwords" is not modelled).
    if ((enabling || password) && m_simulator.state().holdsAnyRole(call.tenant->id, user.id)
        && !callerMayTouchPrivileged(call))
        return forbidden(call);

    // Validate everything before changing anything.
    if (enabling && !body->value("accountEnabled").isBool())
        return invalidValue(QStringLiteral("accountEnabled"));
    QString newPassword;
    bool forceChange = user.forceChangePasswordNextSignIn;
    if (password) {
        const QJsonValue v = body->value("passwordProfile");
        if (!v.isObject() || !v.toObject().value("password").isString())
            return invalidValue(QStringLiteral("passwordProfile"));
        const QJsonObject profile = v.toObject();
        for (auto it = profile.begin(); it != profile.end(); ++it) {
            if (it.key() != QLatin1String("password") && it.key() != QLatin1String("forceChangePasswordNextSignIn")
                && it.key() != QLatin1String("forceChangePasswordNextSignInWithMfa"))
                return invalidValue(QStringLiteral("passwordProfile"));
        }
        if (profile.contains("forceChangePasswordNextSignIn")) {
            if (!profile.value("forceChangePasswordNextSignIn").isBool())
                return invalidValue(QStringLiteral("passwordProfile"));
            forceChange = profile.value("forceChangePasswordNextSignIn").toBool();
        }
        newPassword = profile.value("password").toString();
        if (!passwordMeetsComplexity(newPassword))
            return badRequest(call, QStringLiteral("Request_BadRequest"),
                              QStringLiteral("The specified password does not comply with password complexity "
                                             "requirements. Please provide a different password."));
    }
    if (body->contains("displayName")
        && (!body->value("displayName").isString() || body->value("displayName").toString().trimmed().isEmpty()
            || body->value("displayName").toString().size() > 256))
        return invalidValue(QStringLiteral("displayName"));
    if (body->contains("employeeType") && !body->value("employeeType").isNull()
        && (!body->value("employeeType").isString() || body->value("employeeType").toString().size() > 64))
        return invalidValue(QStringLiteral("employeeType"));
    if (body->contains("usageLocation") && !body->value("usageLocation").isNull()
        && !QRegularExpression(QStringLiteral("^[A-Z]{2}$")).match(body->value("usageLocation").toString()).hasMatch())
        return invalidValue(QStringLiteral("usageLocation"));

    if (enabling) {
        const bool value = body->value("accountEnabled").toBool();
        // Other requests keep reading the old value until the change has replicated (protocols.md 2.11).
        user.previousAccountEnabled = user.accountEnabledAsSeen(call.now);
        user.accountEnabled = value;
        user.accountEnabledVisibleAt = call.now + lag(call);
    }
    if (password) {
        m_simulator.state().setPassword(user, newPassword);
        newPassword.fill(QLatin1Char('\0'));
        user.forceChangePasswordNextSignIn = forceChange;
    }
    if (body->contains("displayName"))
        user.displayName = body->value("displayName").toString();
    if (body->contains("employeeType"))
        user.employeeType = body->value("employeeType").toString();
    if (body->contains("usageLocation"))
        user.usageLocation = body->value("usageLocation").toString();
    return noContent(call);
}

SimResponse GraphEndpoints::deleteUser(Call& call, SimUser& user)
{
    if (!permitted(call, kUserDelete))
        return forbidden(call);
    // protocols.md 2.6: User.ReadWrite.All is not enough for users holding privileged roles.
    if (m_simulator.state().holdsAnyRole(call.tenant->id, user.id) && !callerMayTouchPrivileged(call))
        return forbidden(call);
    SimUser moved = user;
    moved.deletedAt = call.now;
    call.tenant->users.erase(moved.id); // not user.id: that string lives in the node being erased
    call.tenant->deletedUsers[moved.id] = moved;
    return noContent(call);
}

SimResponse GraphEndpoints::revokeSessions(Call& call, SimUser& user)
{
    user.signInSessionsValidFrom = call.now;
    return ok(call, 200,
              QJsonObject {{"@odata.context", kGraphBase + QStringLiteral("/$metadata#Edm.Boolean")}, {"value", true}});
}

namespace {

QJsonObject tapJson(const SimTemporaryAccessPass& tap, TimeMs now, bool policyEnabled)
{
    QString reason = QStringLiteral("EnabledByPolicy");
    bool usable = true;
    if (!policyEnabled) {
        reason = QStringLiteral("DisabledByPolicy");
        usable = false;
    } else if (now < tap.start) {
        reason = QStringLiteral("NotYetValid");
        usable = false;
    } else if (now >= tap.end()) {
        reason = QStringLiteral("Expired");
        usable = false;
    } else if (tap.isUsableOnce && tap.used) {
        reason = QStringLiteral("OneTimeUsed");
        usable = false;
    }
    return QJsonObject {{"@odata.type", "#microsoft.graph.temporaryAccessPassAuthenticationMethod"},
                        {"id", tap.id},
                        {"temporaryAccessPass", QJsonValue::Null},
                        {"createdDateTime", toRfc3339(tap.createdAt)},
                        {"startDateTime", toRfc3339(tap.start).left(19) + QLatin1Char('Z')},
                        {"lifetimeInMinutes", tap.lifetimeInMinutes},
                        {"isUsableOnce", tap.isUsableOnce},
                        {"isUsable", usable},
                        {"methodUsabilityReason", reason}};
}

} // namespace

SimResponse GraphEndpoints::temporaryAccessPasses(Call& call, SimUser& user, const QStringList& segments)
{
    const QByteArray& method = call.request.method;
    const SimTapPolicy& policy = call.tenant->tapPolicy;
    const QString context
        = kGraphBase + QStringLiteral("/$metadata#users('%1')/authentication/temporaryAccessPassMethods").arg(user.id);
    const auto tapError = [&](const QString& message) {
        // The authentication-methods API uses lower-camel codes ("badRequest"); the exact texts are not in the
        // stored docs (protocols.md 2.8 [unverified]).
        return badRequest(call, QStringLiteral("badRequest"), message);
    };
    if (segments.isEmpty()) {
        if (method == "GET") {
            if (!permitted(call, kTapRead))
                return forbidden(call);
            QJsonArray value;
            if (user.tap)
                value.append(tapJson(*user.tap, call.now, policy.enabled));
            return ok(call, 200, QJsonObject {{"@odata.context", context}, {"value", value}});
        }
        if (method != "POST")
            return error(405, QStringLiteral("Request_BadRequest"),
                         QStringLiteral("Specified HTTP method is not allowed for the request target."), call.requestId,
                         call.clientRequestId);
        if (!permitted(call, kTapWrite))
            return forbidden(call);
        SimResponse failure;
        const auto body = call.request.body.trimmed().isEmpty() ? std::optional<QJsonObject>(QJsonObject())
                                                                : jsonBody(call, &failure);
        if (!body)
            return failure;
        for (auto it = body->begin(); it != body->end(); ++it) {
            if (it.key() != QLatin1String("startDateTime") && it.key() != QLatin1String("lifetimeInMinutes")
                && it.key() != QLatin1String("isUsableOnce") && it.key() != QLatin1String("@odata.type"))
                return tapError(
                    QStringLiteral("Property '%1' does not exist on temporaryAccessPassAuthenticationMethod.")
                        .arg(it.key().left(100)));
        }
        if (!policy.enabled)
            return tapError(QStringLiteral(
                "The Temporary Access Pass authentication method is disabled by the authentication methods policy."));
        TimeMs start = call.now;
        if (body->contains("startDateTime")) {
            const auto parsed = fromRfc3339(body->value("startDateTime").toString());
            if (!parsed)
                return tapError(QStringLiteral("startDateTime is not a valid date and time."));
            start = *parsed;
        }
        int lifetime = policy.defaultLifetimeInMinutes;
        if (body->contains("lifetimeInMinutes")) {
            const QJsonValue v = body->value("lifetimeInMinutes");
            if (!v.isDouble() || v.toDouble() != double(qint64(v.toDouble())))
                return tapError(QStringLiteral("lifetimeInMinutes must be an integer."));
            const qint64 requested = qint64(v.toDouble());
            if (requested < policy.minimumLifetimeInMinutes || requested > policy.maximumLifetimeInMinutes
                || requested < 10 || requested > 43200)
                return tapError(QStringLiteral("lifetimeInMinutes must be between %1 and %2 as the policy requires.")
                                    .arg(policy.minimumLifetimeInMinutes)
                                    .arg(policy.maximumLifetimeInMinutes));
            lifetime = int(requested);
        }
        bool once = policy.isUsableOnce;
        if (body->contains("isUsableOnce")) {
            if (!body->value("isUsableOnce").isBool())
                return tapError(QStringLiteral("isUsableOnce must be a boolean."));
            once = body->value("isUsableOnce").toBool();
            if (policy.isUsableOnce && !once)
                return tapError(QStringLiteral("The policy allows only one-time Temporary Access Passes."));
        }
        SimTemporaryAccessPass tap;
        tap.id = SimState::newGuid();
        tap.createdAt = call.now;
        tap.start = start;
        tap.lifetimeInMinutes = lifetime;
        tap.isUsableOnce = once;
        tap.salt = crypto::randomBytes(16);
        QString pass = newTemporaryAccessPass(qBound(8, policy.defaultLength, 48));
        tap.passHash = SimState::hashSecret(tap.salt, pass);
        user.tap = tap; // "A user can only have one Temporary Access Pass": the new one replaces the old
        QJsonObject out = tapJson(tap, call.now, policy.enabled);
        out.insert("temporaryAccessPass", pass); // only on create (protocols.md 2.8)
        out.insert("@odata.context", context + QStringLiteral("/$entity"));
        pass.fill(QLatin1Char('\0'));
        return ok(call, 201, out);
    }
    const QString methodId = segments[0];
    if (!user.tap || user.tap->id.compare(methodId, Qt::CaseInsensitive) != 0 || segments.size() != 1) {
        if (!permitted(call, method == "GET" ? kTapRead : kTapWrite))
            return forbidden(call);
        return notFound(call, methodId.left(100));
    }
    if (method == "GET") {
        if (!permitted(call, kTapRead))
            return forbidden(call);
        QJsonObject out = tapJson(*user.tap, call.now, policy.enabled);
        out.insert("@odata.context", context + QStringLiteral("/$entity"));
        return ok(call, 200, out);
    }
    if (method == "DELETE") {
        if (!permitted(call, kTapWrite))
            return forbidden(call);
        user.tap.reset();
        return noContent(call);
    }
    return error(405, QStringLiteral("Request_BadRequest"),
                 QStringLiteral("Specified HTTP method is not allowed for the request target."), call.requestId,
                 call.clientRequestId);
}

SimResponse GraphEndpoints::tapPolicy(Call& call)
{
    if (!permitted(call, kPolicyRead))
        return forbidden(call);
    const SimTapPolicy& p = call.tenant->tapPolicy;
    return ok(
        call, 200,
        QJsonObject {
            {"@odata.context",
             kGraphBase
                 + QStringLiteral(
                     "/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity")},
            {"@odata.type", "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"},
            {"id", "TemporaryAccessPass"},
            {"state", p.enabled ? "enabled" : "disabled"},
            {"defaultLifetimeInMinutes", p.defaultLifetimeInMinutes},
            {"defaultLength", p.defaultLength},
            {"minimumLifetimeInMinutes", p.minimumLifetimeInMinutes},
            {"maximumLifetimeInMinutes", p.maximumLifetimeInMinutes},
            {"isUsableOnce", p.isUsableOnce},
            {"includeTargets",
             QJsonArray {
                 QJsonObject {{"targetType", "group"}, {"id", "all_users"}, {"isRegistrationRequired", false}}}},
            {"excludeTargets", QJsonArray()}});
}

} // namespace stint::entrasim
