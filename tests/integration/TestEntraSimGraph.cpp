// SPDX-License-Identifier: GPL-3.0-or-later
// entra-sim's Microsoft Graph v1.0 surface against protocols.md section 2: shapes, documented errors, permissions,
// the privileged-target rule, UPN and password rules, TAP policy, deletedItems and $batch.
#include "support/SimTestWorld.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace stint;
using namespace stint::entrasim;
using namespace stint::entrasim::testing;
using stint::test::ApiReply;

namespace {

QByteArray compact(const QJsonObject& o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QStringList valuesOf(const QJsonArray& items, const QString& key)
{
    QStringList out;
    for (const QJsonValue& v : items)
        out << v.toObject().value(key).toString();
    return out;
}

} // namespace

class TestEntraSimGraph : public QObject
{
    Q_OBJECT

private slots:
    void organizationAndDomains()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const ApiReply org = w.api.get("/v1.0/organization", w.token());
        QCOMPARE(org.status, 200);
        const QJsonObject first = org.json.value("value").toArray().first().toObject();
        QCOMPARE(first.value("id").toString(), w.tenantId);
        QCOMPARE(first.value("displayName").toString(), QStringLiteral("Contoso"));
        // Only verified domains are listed in verifiedDomains.
        QVERIFY(valuesOf(first.value("verifiedDomains").toArray(), "name").contains("contoso.com"));
        QVERIFY(!valuesOf(first.value("verifiedDomains").toArray(), "name").contains("unverified.contoso.com"));
        QVERIFY(!org.header("request-id").isEmpty());
        QVERIFY(!org.header("x-ms-ags-diagnostic").isEmpty());

        const ApiReply domains = w.api.get("/v1.0/domains", w.token());
        QCOMPARE(domains.status, 200);
        const QJsonArray list = domains.json.value("value").toArray();
        QCOMPARE(list.size(), 4);
        for (const QJsonValue& d : list) {
            const QJsonObject o = d.toObject();
            for (const char* key :
                 {"authenticationType", "isDefault", "isInitial", "isVerified", "id", "supportedServices"})
                QVERIFY2(o.contains(QLatin1String(key)), key);
        }

        const ApiReply denied = w.api.get("/v1.0/domains", w.token({"User.Read.All"}));
        QCOMPARE(denied.status, 403);
        QCOMPARE(SimTestWorld::graphCode(denied), QStringLiteral("Authorization_RequestDenied"));
        QCOMPARE(SimTestWorld::graphMessage(denied),
                 QStringLiteral("Insufficient privileges to complete the operation."));
    }

    void tokenProblems()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const auto expect401 = [](const ApiReply& r, const QString& message) {
            QCOMPARE(r.status, 401);
            QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("InvalidAuthenticationToken"));
            QCOMPARE(SimTestWorld::graphMessage(r), message);
            QVERIFY(r.header("WWW-Authenticate").startsWith("Bearer realm=\"\""));
            const QJsonObject inner = r.json.value("error").toObject().value("innerError").toObject();
            QVERIFY(!inner.value("request-id").toString().isEmpty());
            // innerError.date carries no time zone (protocols.md 2.1).
            QVERIFY(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d$")
                        .match(inner.value("date").toString())
                        .hasMatch());
        };
        expect401(w.api.get("/v1.0/organization"), QStringLiteral("Access token is empty."));
        expect401(w.api.get("/v1.0/organization", QStringLiteral("not-a-jwt")),
                  QStringLiteral("CompactToken parsing failed with error code: 80049217"));

        // A token signed by another key is not accepted.
        AccessTokens other;
        SimServicePrincipal* sp = w.sim.state().servicePrincipal(w.tenantId, w.privilegedAppId);
        const QByteArray forged
            = other.issueAppToken({w.tenantId, w.privilegedAppId, sp->objectId, kAllPermissions, 1}, w.clock.now());
        QCOMPARE(w.api.get("/v1.0/organization", QString::fromLatin1(forged)).status, 401);

        // Expiry by lifetime.
        const QString token = w.token();
        QCOMPARE(w.api.get("/v1.0/organization", token).status, 200);
        w.clock.advance(3600LL * 1000);
        expect401(w.api.get("/v1.0/organization", token),
                  QStringLiteral("Access token has expired or is not yet valid."));

        // The fault: every token issued so far expires; new ones work.
        const QString before = w.token();
        w.sim.faults().expireAllTokens();
        expect401(w.api.get("/v1.0/organization", before),
                  QStringLiteral("Access token has expired or is not yet valid."));
        QCOMPARE(w.api.get("/v1.0/organization", w.token()).status, 200);

        // A short lifetime setting.
        w.sim.faults().setTokenLifetimeSeconds(60);
        const QString shortLived = w.token();
        w.clock.advance(61'000);
        QCOMPARE(w.api.get("/v1.0/organization", shortLived).status, 401);

        // The client-request-id is echoed.
        const ApiReply echoed = w.api.send("GET", "/v1.0/organization", {}, {}, {{"client-request-id", "abc-123"}});
        QCOMPARE(echoed.header("client-request-id"), QByteArray("abc-123"));
        QCOMPARE(
            echoed.json.value("error").toObject().value("innerError").toObject().value("client-request-id").toString(),
            QStringLiteral("abc-123"));
    }

    void tokenClaims()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const QString token = w.token();
        const auto claims = w.sim.tokens().verify(token.toLatin1(), w.clock.now());
        QVERIFY(claims.ok());
        const QJsonObject p = claims->payload;
        QCOMPARE(p.value("aud").toString(), QStringLiteral("https://graph.microsoft.com"));
        QCOMPARE(p.value("iss").toString(), QStringLiteral("https://sts.windows.net/%1/").arg(w.tenantId));
        QCOMPARE(p.value("tid").toString(), w.tenantId);
        QCOMPARE(p.value("appid").toString(), w.privilegedAppId);
        QCOMPARE(p.value("azp").toString(), w.privilegedAppId);
        QCOMPARE(p.value("appidacr").toString(), QStringLiteral("1"));
        QCOMPARE(p.value("idtyp").toString(), QStringLiteral("app"));
        QCOMPARE(p.value("oid").toString(), w.sim.state().servicePrincipal(w.tenantId, w.privilegedAppId)->objectId);
        QVERIFY(!p.contains("scp"));
        QCOMPARE(claims->roles, kAllPermissions);
        const QJsonObject key = w.sim.tokens().jwks().value("keys").toArray().first().toObject();
        QCOMPARE(key.value("kid").toString(), w.sim.tokens().kid());
        QCOMPARE(key.value("kty").toString(), QStringLiteral("RSA"));
    }

    void createUser()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const ApiReply r = w.api.post("/v1.0/users", w.token(), w.newUserBody("adele@contoso.com"));
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json.value("@odata.context").toString(),
                 QStringLiteral("https://graph.microsoft.com/v1.0/$metadata#users/$entity"));
        const QString id = r.json.value("id").toString();
        QVERIFY(
            QRegularExpression("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$").match(id).hasMatch());
        QCOMPARE(r.json.value("userPrincipalName").toString(), QStringLiteral("adele@contoso.com"));
        QVERIFY(r.json.value("businessPhones").isArray());
        for (const char* key :
             {"givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname"})
            QVERIFY2(r.json.contains(QLatin1String(key)), key);
        QCOMPARE(r.header("x-ms-resource-unit"), QByteArray("1"));

        const SimUser* stored = w.sim.state().user(w.tenantId, id);
        QVERIFY(stored);
        QVERIFY(w.sim.state().checkPassword(*stored, "Str0ng!Passw0rd"));
        QVERIFY(!w.sim.state().checkPassword(*stored, "wrong"));
        QVERIFY(!stored->passwordHash.contains("Str0ng"));

        const ApiReply byId = w.api.get("/v1.0/users/" + id, w.token());
        QCOMPARE(byId.status, 200);
        const ApiReply byUpn
            = w.api.get("/v1.0/users/ADELE@contoso.com?$select=id,accountEnabled,employeeType", w.token());
        QCOMPARE(byUpn.status, 200);
        QCOMPARE(byUpn.json.value("id").toString(), id);
        QCOMPARE(byUpn.json.value("accountEnabled").toBool(), true);
        QVERIFY(!byUpn.json.contains("displayName"));
    }

    void createUserErrors_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("detailCode");
        SimTestWorld w;
        const auto body = [&](const QString& upn, const QString& password = "Str0ng!Passw0rd") {
            return compact(w.newUserBody(upn, password));
        };
        const QString badUpn = QStringLiteral("Property userPrincipalName is invalid.");
        const QString weak = QStringLiteral("The specified password does not comply with password complexity "
                                            "requirements. Please provide a different password.");
        QTest::newRow("unverified domain")
            << body("a@unverified.contoso.com") << "Request_BadRequest" << badUpn << "InvalidValue";
        QTest::newRow("federated domain")
            << body("a@fed.contoso.com") << "Request_BadRequest" << badUpn << "InvalidValue";
        QTest::newRow("foreign domain") << body("a@fabrikam.com") << "Request_BadRequest" << badUpn << "InvalidValue";
        QTest::newRow("accented") << body(QString::fromUtf8("zo\xc3\xab@contoso.com")) << "Request_BadRequest" << badUpn
                                  << "InvalidValue";
        QTest::newRow("space") << body("a b@contoso.com") << "Request_BadRequest" << badUpn << "InvalidValue";
        QTest::newRow("two @") << body("a@b@contoso.com") << "Request_BadRequest" << badUpn << "InvalidValue";
        QTest::newRow("no @") << body("contoso.com") << "Request_BadRequest" << badUpn << "InvalidValue";
        QTest::newRow("conflict") << body("ADMIN@contoso.com") << "Request_BadRequest"
                                  << "Another object with the same value for property userPrincipalName already exists."
                                  << "ObjectConflict";
        QTest::newRow("short password") << body("b@contoso.com", "Aa1!aaa") << "Request_BadRequest" << weak << "";
        QTest::newRow("two classes") << body("b@contoso.com", "abcdefgh12") << "Request_BadRequest" << weak << "";
        QTest::newRow("too long") << body("b@contoso.com", "Aa1!" + QString(253, 'a')) << "Request_BadRequest" << weak
                                  << "";
        QJsonObject missing = w.newUserBody("c@contoso.com");
        missing.remove("mailNickname");
        QTest::newRow("missing mailNickname")
            << compact(missing) << "Request_BadRequest"
            << "Invalid value specified for property 'mailNickname' of resource 'User'."
            << "";
        QJsonObject noProfile = w.newUserBody("c@contoso.com");
        noProfile.remove("passwordProfile");
        QTest::newRow("missing passwordProfile")
            << compact(noProfile) << "Request_BadRequest"
            << "Invalid value specified for property 'passwordProfile' of resource 'User'."
            << "";
        QJsonObject wrongType = w.newUserBody("c@contoso.com");
        wrongType.insert("accountEnabled", "yes");
        QTest::newRow("accountEnabled not bool")
            << compact(wrongType) << "Request_BadRequest"
            << "Invalid value specified for property 'accountEnabled' of resource 'User'."
            << "";
        QJsonObject unknown = w.newUserBody("c@contoso.com");
        unknown.insert("isAdmin", true);
        QTest::newRow("unknown property")
            << compact(unknown) << "Request_BadRequest"
            << "Property 'isAdmin' does not exist as a declared property or extension property."
            << "";
        const QString unreadable = QStringLiteral("Unable to read JSON request payload. Please ensure Content-Type "
                                                  "header is set and payload is of valid JSON format.");
        QTest::newRow("malformed json") << QByteArray("{\"accountEnabled\": tru") << "BadRequest" << unreadable << "";
        QTest::newRow("array body") << QByteArray("[1,2]") << "BadRequest" << unreadable << "";
        QTest::newRow("empty body") << QByteArray() << "BadRequest" << unreadable << "";
        QTest::newRow("nul bytes") << (QByteArray("{\"a") + '\0' + "\":1}") << "BadRequest" << unreadable << "";
    }

    void createUserErrors()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        QFETCH(QString, message);
        QFETCH(QString, detailCode);
        SimTestWorld w;
        QVERIFY(w.start());
        const int before = w.userCount();
        const ApiReply r = w.api.send("POST", "/v1.0/users", w.token(), body);
        QCOMPARE(r.status, 400);
        QCOMPARE(SimTestWorld::graphCode(r), code);
        QCOMPARE(SimTestWorld::graphMessage(r), message);
        const QJsonArray details = r.json.value("error").toObject().value("details").toArray();
        if (detailCode.isEmpty()) {
            QVERIFY(details.isEmpty());
        } else {
            QCOMPARE(details.first().toObject().value("target").toString(), QStringLiteral("userPrincipalName"));
            QCOMPARE(details.first().toObject().value("code").toString(), detailCode);
        }
        QCOMPARE(w.userCount(), before);
    }

    void listUsers()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        for (int i = 0; i < 5; ++i) {
            QJsonObject body = w.newUserBody(QStringLiteral("user%1@contoso.com").arg(i));
            body.insert("employeeType", i % 2 ? "Contractor" : "Employee");
            body.insert("accountEnabled", i != 4);
            QCOMPARE(w.api.post("/v1.0/users", w.token(), body).status, 201);
        }
        const auto list = [&](const QString& query) { return w.api.get("/v1.0/users?" + query, w.token()); };
        ApiReply r = list("$filter=userPrincipalName%20eq%20'user3@contoso.com'");
        QCOMPARE(r.status, 200);
        QCOMPARE(valuesOf(r.json.value("value").toArray(), "userPrincipalName"), QStringList {"user3@contoso.com"});
        r = list("$filter=employeeType%20eq%20'Contractor'&$select=userPrincipalName,employeeType");
        QCOMPARE(r.status, 200);
        QCOMPARE(valuesOf(r.json.value("value").toArray(), "userPrincipalName"),
                 (QStringList {"user1@contoso.com", "user3@contoso.com"}));
        QCOMPARE(r.header("x-ms-resource-unit"), QByteArray("1")); // GET users 2, $select −1
        r = list("$filter=accountEnabled%20eq%20false");
        QCOMPARE(valuesOf(r.json.value("value").toArray(), "userPrincipalName"), QStringList {"user4@contoso.com"});
        r = list("$filter=accountEnabled%20eq%20true%20and%20employeeType%20eq%20'Employee'");
        QCOMPARE(r.json.value("value").toArray().size(), 2);

        // Paging with $top and @odata.nextLink, which points back at the simulator.
        QStringList seen;
        QString next = QStringLiteral("/v1.0/users?$top=2&$select=id");
        int pages = 0;
        while (!next.isEmpty() && pages < 10) {
            r = w.api.get(next, w.token());
            QCOMPARE(r.status, 200);
            seen << valuesOf(r.json.value("value").toArray(), "id");
            const QString link = r.json.value("@odata.nextLink").toString();
            next = link.isEmpty() ? QString() : QUrl(link).toString(QUrl::RemoveScheme | QUrl::RemoveAuthority);
            if (!link.isEmpty())
                QCOMPARE(QUrl(link).port(), w.sim.baseUrl().port());
            ++pages;
        }
        QCOMPARE(pages, 3);
        QCOMPARE(seen.size(), 6);
        QCOMPARE(QSet<QString>(seen.begin(), seen.end()).size(), 6);

        r = list("$filter=displayName%20eq%20'x'");
        QCOMPARE(r.status, 400);
        QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("Request_UnsupportedQuery"));
        r = list("$filter=startswith(userPrincipalName,'a')");
        QCOMPARE(r.status, 400);
        r = list("$filter=userPrincipalName%20eq%20'unterminated");
        QCOMPARE(r.status, 400);
        r = list("$top=0");
        QCOMPARE(r.status, 400);
        r = list("$top=abc");
        QCOMPARE(r.status, 400);
        r = list("$select=password");
        QCOMPARE(r.status, 400);
        QCOMPARE(SimTestWorld::graphMessage(r),
                 QStringLiteral("Could not find a property named 'password' on type 'microsoft.graph.user'."));
        r = list("$orderby=displayName");
        QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("Request_UnsupportedQuery"));
        r = list("$skiptoken=%21%21");
        QCOMPARE(r.status, 400);

        QCOMPARE(w.api.get("/v1.0/users", w.token({"Domain.Read.All"})).status, 403);
        QCOMPARE(w.api.get("/v1.0/users/nobody@contoso.com", w.token()).status, 404);
        QCOMPARE(SimTestWorld::graphCode(w.api.get("/v1.0/users/nobody@contoso.com", w.token())),
                 QStringLiteral("Request_ResourceNotFound"));
    }

    void patchUser()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const QString id
            = w.api.post("/v1.0/users", w.token(), w.newUserBody("tech@contoso.com")).json.value("id").toString();
        QVERIFY(!id.isEmpty());
        ApiReply r = w.api.patch("/v1.0/users/" + id, w.token(),
                                 {{"accountEnabled", false}, {"employeeType", "JIT"}, {"usageLocation", "US"}});
        QCOMPARE(r.status, 204);
        QVERIFY(r.body.isEmpty());
        r = w.api.get("/v1.0/users/" + id + "?$select=accountEnabled,employeeType,usageLocation", w.token());
        QCOMPARE(r.json.value("accountEnabled").toBool(), false);
        QCOMPARE(r.json.value("employeeType").toString(), QStringLiteral("JIT"));
        QCOMPARE(r.json.value("usageLocation").toString(), QStringLiteral("US"));

        r = w.api.patch(
            "/v1.0/users/tech@contoso.com", w.token(),
            {{"passwordProfile", QJsonObject {{"password", "N3w!Password"}, {"forceChangePasswordNextSignIn", true}}}});
        QCOMPARE(r.status, 204);
        const SimUser* user = w.sim.state().user(w.tenantId, id);
        QVERIFY(w.sim.state().checkPassword(*user, "N3w!Password"));
        QVERIFY(user->forceChangePasswordNextSignIn);

        // Bad input changes nothing, including the valid parts of the same body.
        r = w.api.patch("/v1.0/users/" + id, w.token(), {{"accountEnabled", true}, {"mail", "x@contoso.com"}});
        QCOMPARE(r.status, 400);
        QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("Request_BadRequest"));
        QVERIFY(!w.sim.state().user(w.tenantId, id)->accountEnabled);
        r = w.api.patch("/v1.0/users/" + id, w.token(),
                        {{"accountEnabled", true}, {"passwordProfile", QJsonObject {{"password", "weak"}}}});
        QCOMPARE(r.status, 400);
        QCOMPARE(SimTestWorld::graphMessage(r),
                 QStringLiteral("The specified password does not comply with password complexity requirements. Please "
                                "provide a different password."));
        QVERIFY(!w.sim.state().user(w.tenantId, id)->accountEnabled);
        QVERIFY(w.sim.state().checkPassword(*w.sim.state().user(w.tenantId, id), "N3w!Password"));
        r = w.api.patch("/v1.0/users/" + id, w.token(), {{"usageLocation", "usa"}});
        QCOMPARE(r.status, 400);
        r = w.api.send("PATCH", "/v1.0/users/" + id, w.token(), "not json");
        QCOMPARE(r.status, 400);
        QCOMPARE(w.api.patch("/v1.0/users/ghost@contoso.com", w.token(), {{"accountEnabled", false}}).status, 404);
        QCOMPARE(w.api.send("PUT", "/v1.0/users/" + id, w.token(), "{}").status, 405);
    }

    void permissions_data()
    {
        QTest::addColumn<QStringList>("roles");
        QTest::addColumn<bool>("privilegedSp");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("what");
        QTest::addColumn<int>("status");
        QTest::newRow("create with User.Read.All") << QStringList {"User.Read.All"} << true << "POST"
                                                   << "user" << 403;
        QTest::newRow("create with Directory.ReadWrite.All")
            << QStringList {"Directory.ReadWrite.All"} << true << "POST"
            << "user" << 201;
        QTest::newRow("disable with EnableDisableAccount alone")
            << QStringList {"User.EnableDisableAccount.All"} << true << "PATCH"
            << "accountEnabled" << 403;
        QTest::newRow("disable with EnableDisableAccount + User.Read.All")
            << QStringList {"User.EnableDisableAccount.All", "User.Read.All"} << true << "PATCH"
            << "accountEnabled" << 204;
        QTest::newRow("disable with User.ReadWrite.All") << QStringList {"User.ReadWrite.All"} << false << "PATCH"
                                                         << "accountEnabled" << 204;
        QTest::newRow("password with User-PasswordProfile")
            << QStringList {"User-PasswordProfile.ReadWrite.All"} << false << "PATCH"
            << "passwordProfile" << 204;
        QTest::newRow("password with User.ReadWrite.All, no role")
            << QStringList {"User.ReadWrite.All"} << false << "PATCH"
            << "passwordProfile" << 403;
        QTest::newRow("password with User.ReadWrite.All + admin role")
            << QStringList {"User.ReadWrite.All"} << true << "PATCH"
            << "passwordProfile" << 204;
        QTest::newRow("revoke with User.Read.All") << QStringList {"User.Read.All"} << true << "POST"
                                                   << "revoke" << 403;
        QTest::newRow("revoke with User.RevokeSessions.All")
            << QStringList {"User.RevokeSessions.All"} << true << "POST"
            << "revoke" << 200;
        QTest::newRow("delete with User.DeleteRestore.All")
            << QStringList {"User.DeleteRestore.All"} << false << "DELETE"
            << "user" << 204;
        QTest::newRow("delete with User.Read.All") << QStringList {"User.Read.All"} << true << "DELETE"
                                                   << "user" << 403;
        QTest::newRow("assign role with Directory.ReadWrite.All")
            << QStringList {"Directory.ReadWrite.All"} << true << "POST"
            << "roleAssignment" << 403;
        QTest::newRow("assign role with RoleManagement.ReadWrite.Directory")
            << QStringList {"RoleManagement.ReadWrite.Directory"} << true << "POST"
            << "roleAssignment" << 201;
        QTest::newRow("read roles with RoleManagement.Read.Directory")
            << QStringList {"RoleManagement.Read.Directory"} << true << "GET"
            << "roleDefinitions" << 200;
        QTest::newRow("read roles with User.ReadWrite.All") << QStringList {"User.ReadWrite.All"} << true << "GET"
                                                            << "roleDefinitions" << 403;
        QTest::newRow("TAP with User.ReadWrite.All") << QStringList {"User.ReadWrite.All"} << true << "POST"
                                                     << "tap" << 403;
        QTest::newRow("TAP with UserAuthenticationMethod.ReadWrite.All")
            << QStringList {"UserAuthenticationMethod.ReadWrite.All"} << true << "POST"
            << "tap" << 201;
        QTest::newRow("TAP policy with Policy.Read.All") << QStringList {"Policy.Read.All"} << true << "GET"
                                                         << "tapPolicy" << 200;
        QTest::newRow("TAP policy with Policy.Read.AuthenticationMethod")
            << QStringList {"Policy.Read.AuthenticationMethod"} << true << "GET" << "tapPolicy" << 200;
        QTest::newRow("TAP policy with Policy.ReadWrite.AuthenticationMethod")
            << QStringList {"Policy.ReadWrite.AuthenticationMethod"} << true << "GET" << "tapPolicy" << 200;
        QTest::newRow("TAP policy with UserAuthenticationMethod.ReadWrite.All")
            << QStringList {"UserAuthenticationMethod.ReadWrite.All"} << true << "GET" << "tapPolicy" << 403;
        QTest::newRow("TAP policy with User.Read.All") << QStringList {"User.Read.All"} << true << "GET"
                                                       << "tapPolicy" << 403;
        QTest::newRow("organization with Directory.Read.All") << QStringList {"Directory.Read.All"} << true << "GET"
                                                              << "organization" << 200;
        QTest::newRow("no roles at all") << QStringList {} << true << "GET"
                                         << "organization" << 403;
    }

    void permissions()
    {
        QFETCH(QStringList, roles);
        QFETCH(bool, privilegedSp);
        QFETCH(QString, method);
        QFETCH(QString, what);
        QFETCH(int, status);
        SimTestWorld w;
        QVERIFY(w.start());
        auto target = w.sim.state().createUser(w.tenantId, "target@contoso.com", "Target", "Targ3t!Password");
        QVERIFY(target.ok());
        const QString id = (*target)->id;
        const QString token = w.token(roles, privilegedSp);
        ApiReply r;
        if (what == "user" && method == "POST")
            r = w.api.post("/v1.0/users", token, w.newUserBody("new@contoso.com"));
        else if (what == "accountEnabled")
            r = w.api.patch("/v1.0/users/" + id, token, {{"accountEnabled", false}});
        else if (what == "passwordProfile")
            r = w.api.patch("/v1.0/users/" + id, token,
                            {{"passwordProfile", QJsonObject {{"password", "An0ther!Pass"}}}});
        else if (what == "revoke")
            r = w.api.post("/v1.0/users/" + id + "/revokeSignInSessions", token);
        else if (what == "user" && method == "DELETE")
            r = w.api.del("/v1.0/users/" + id, token);
        else if (what == "roleAssignment")
            r = w.api.post(
                "/v1.0/roleManagement/directory/roleAssignments", token,
                {{"roleDefinitionId", roles::kUserAdministrator}, {"principalId", id}, {"directoryScopeId", "/"}});
        else if (what == "roleDefinitions")
            r = w.api.get("/v1.0/roleManagement/directory/roleDefinitions", token);
        else if (what == "tap")
            r = w.api.post("/v1.0/users/" + id + "/authentication/temporaryAccessPassMethods", token, QJsonObject {});
        else if (what == "tapPolicy")
            r = w.api.get(
                "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass",
                token);
        else if (what == "organization")
            r = w.api.get("/v1.0/organization", token);
        QVERIFY2(r.status == status, r.body.constData());
        if (status == 403) {
            QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("Authorization_RequestDenied"));
            // Nothing changed.
            const SimUser* after = w.sim.state().user(w.tenantId, id);
            QVERIFY(after);
            QVERIFY(after->accountEnabled);
            QVERIFY(w.sim.state().checkPassword(*after, "Targ3t!Password"));
            QVERIFY(!after->tap);
            QVERIFY(!w.sim.state().holdsAnyRole(w.tenantId, id));
        }
    }

    void privilegedTargetRule_data()
    {
        QTest::addColumn<QString>("action");
        QTest::newRow("disable") << "disable";
        QTest::newRow("reset password") << "password";
        QTest::newRow("delete") << "delete";
    }

    // protocols.md 2.7: a user holding a directory role can be disabled, reset or deleted only by an SP holding
    // Privileged Authentication Administrator or Global Administrator.
    void privilegedTargetRule()
    {
        QFETCH(QString, action);
        SimTestWorld w;
        QVERIFY(w.start());
        const QStringList roles {"User.ReadWrite.All", "User-PasswordProfile.ReadWrite.All", "User.DeleteRestore.All"};
        const auto act = [&](const QString& id, bool privileged) {
            const QString token = w.token(roles, privileged);
            if (action == "disable")
                return w.api.patch("/v1.0/users/" + id, token, {{"accountEnabled", false}});
            if (action == "password")
                return w.api.patch("/v1.0/users/" + id, token,
                                   {{"passwordProfile", QJsonObject {{"password", "Pr1v!leged-x"}}}});
            return w.api.del("/v1.0/users/" + id, token);
        };
        // The Global Admin target: the plain SP is refused and nothing changes; the privileged SP succeeds.
        ApiReply r = act(w.adminId, false);
        QCOMPARE(r.status, 403);
        QCOMPARE(SimTestWorld::graphMessage(r), QStringLiteral("Insufficient privileges to complete the operation."));
        const SimUser* admin = w.sim.state().user(w.tenantId, w.adminId);
        QVERIFY(admin && admin->accountEnabled && w.sim.state().checkPassword(*admin, "Adm1n-Passw0rd!"));
        QCOMPARE(act(w.adminId, true).status, 204);

        // A user with no role: the permission suffices.
        auto plainUser = w.sim.state().createUser(w.tenantId, "plain@contoso.com", "Plain", "Pla1n!Password");
        QVERIFY(plainUser.ok());
        QCOMPARE(act((*plainUser)->id, false).status, 204);

        // An SP holding Global Administrator (rather than PAA) also qualifies.
        auto other = w.sim.state().createUser(w.tenantId, "helpdesk@contoso.com", "Helpdesk", "Helpd3sk!Pass");
        QVERIFY(other.ok());
        QVERIFY(w.sim.state().assignRole(w.tenantId, (*other)->id, roles::kHelpdeskAdministrator).ok());
        QCOMPARE(act((*other)->id, false).status, 403);
        QVERIFY(w.sim.state()
                    .grantServicePrincipal(w.tenantId, w.plainAppId, kAllPermissions, {roles::kGlobalAdministrator})
                    .ok());
        QCOMPARE(act((*other)->id, false).status, 204);
    }

    void revokeSignInSessions()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        w.clock.advance(5000);
        const ApiReply r = w.api.post("/v1.0/users/admin@contoso.com/revokeSignInSessions", w.token());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("@odata.context").toString(),
                 QStringLiteral("https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean"));
        QCOMPARE(r.json.value("value").toBool(), true);
        QCOMPARE(w.sim.state().user(w.tenantId, w.adminId)->signInSessionsValidFrom, w.clock.now());
        QCOMPARE(w.api.get("/v1.0/users/admin@contoso.com/revokeSignInSessions", w.token()).status, 405);
        QCOMPARE(w.api.post("/v1.0/users/ghost@contoso.com/revokeSignInSessions", w.token()).status, 404);
    }

    void deletedItems()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const QString id
            = w.api.post("/v1.0/users", w.token(), w.newUserBody("leaver@contoso.com")).json.value("id").toString();
        QVERIFY(w.sim.state().assignRole(w.tenantId, id, roles::kUserAdministrator).ok());
        QCOMPARE(w.api.del("/v1.0/users/" + id, w.token()).status, 204);
        QCOMPARE(w.api.get("/v1.0/users/" + id, w.token()).status, 404);
        // A soft-deleted user's UPN is free for a new user (Restore-MsolUser's -NewUserPrincipalName exists for when
        // "the original UserPrincipalName of the user is in use by another active user").
        ApiReply newcomer = w.api.post("/v1.0/users", w.token(), w.newUserBody("leaver@contoso.com"));
        QCOMPARE(newcomer.status, 201);
        const QString newcomerId = newcomer.json.value("id").toString();
        QVERIFY(newcomerId != id);
        // Its role assignments are hidden while deleted.
        ApiReply r = w.api.get("/v1.0/roleManagement/directory/roleAssignments?$filter=principalId%20eq%20'" + id + "'",
                               w.token());
        QCOMPARE(r.json.value("value").toArray().size(), 0);

        r = w.api.get("/v1.0/directory/deletedItems/microsoft.graph.user", w.token());
        QCOMPARE(r.status, 200);
        const QJsonObject deleted = r.json.value("value").toArray().first().toObject();
        QCOMPARE(deleted.value("id").toString(), id);
        QVERIFY(!deleted.value("deletedDateTime").toString().isEmpty());
        QCOMPARE(deleted.value("@odata.type").toString(), QStringLiteral("#microsoft.graph.user"));

        // Restoring it while the newcomer holds its UPN is a conflict; once the newcomer is gone, it comes back.
        r = w.api.post("/v1.0/directory/deletedItems/" + id + "/restore", w.token());
        QCOMPARE(r.status, 400);
        QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("Request_BadRequest"));
        QVERIFY(r.body.contains("ObjectConflict"));
        QCOMPARE(w.api.del("/v1.0/users/" + newcomerId, w.token()).status, 204);
        QCOMPARE(w.api.del("/v1.0/directory/deletedItems/" + newcomerId, w.token()).status, 204);
        r = w.api.post("/v1.0/directory/deletedItems/" + id + "/restore", w.token());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("id").toString(), id);
        QCOMPARE(w.api.get("/v1.0/users/" + id, w.token()).status, 200);
        QVERIFY(w.sim.state().holdsRole(w.tenantId, id, roles::kUserAdministrator));

        // Permanent delete, when the tenant allows it for apps (protocols.md 2.6 / 6.4 disagree: configurable).
        QCOMPARE(w.api.del("/v1.0/users/" + id, w.token()).status, 204);
        w.tenant().permanentDeleteAllowed = false;
        r = w.api.del("/v1.0/directory/deletedItems/" + id, w.token());
        QCOMPARE(r.status, 403);
        QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("Authorization_RequestDenied"));
        QCOMPARE(w.tenant().deletedUsers.size(), size_t(1));
        w.tenant().permanentDeleteAllowed = true;
        QCOMPARE(w.api.del("/v1.0/directory/deletedItems/" + id, w.token()).status, 204);
        QCOMPARE(w.tenant().deletedUsers.size(), size_t(0));
        QVERIFY(!w.sim.state().holdsAnyRole(w.tenantId, id));
        QCOMPARE(w.api.del("/v1.0/directory/deletedItems/" + id, w.token()).status, 404);
        QCOMPARE(w.api.post("/v1.0/directory/deletedItems/" + id + "/restore", w.token()).status, 404);
        // Now the UPN is free again.
        QCOMPARE(w.api.post("/v1.0/users", w.token(), w.newUserBody("leaver@contoso.com")).status, 201);

        // After 30 days the recycle bin forgets.
        const QString id2
            = w.api.post("/v1.0/users", w.token(), w.newUserBody("leaver2@contoso.com")).json.value("id").toString();
        QCOMPARE(w.api.del("/v1.0/users/" + id2, w.token()).status, 204);
        w.clock.advance(31LL * 24 * 3600 * 1000);
        r = w.api.get("/v1.0/directory/deletedItems/microsoft.graph.user", w.token());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("value").toArray().size(), 0);
    }

    void temporaryAccessPass()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const QString base = QStringLiteral("/v1.0/users/admin@contoso.com/authentication/temporaryAccessPassMethods");
        SimTapPolicy& policy = w.tenant().tapPolicy;

        policy.enabled = false;
        ApiReply r = w.api.post(base, w.token(), QJsonObject {});
        QCOMPARE(r.status, 400);
        QVERIFY(!w.sim.state().user(w.tenantId, w.adminId)->tap);
        policy.enabled = true;

        r = w.api.post(base, w.token(), QJsonObject {});
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json.value("@odata.type").toString(),
                 QStringLiteral("#microsoft.graph.temporaryAccessPassAuthenticationMethod"));
        QCOMPARE(r.json.value("lifetimeInMinutes").toInt(), policy.defaultLifetimeInMinutes);
        QCOMPARE(r.json.value("isUsableOnce").toBool(), false);
        QCOMPARE(r.json.value("isUsable").toBool(), true);
        QCOMPARE(r.json.value("methodUsabilityReason").toString(), QStringLiteral("EnabledByPolicy"));
        const QString pass = r.json.value("temporaryAccessPass").toString();
        QCOMPARE(pass.size(), policy.defaultLength);
        const QString firstId = r.json.value("id").toString();

        // The value is shown only on create; the stored form is a salted hash.
        r = w.api.get(base, w.token());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("value").toArray().size(), 1);
        QVERIFY(r.json.value("value").toArray().first().toObject().value("temporaryAccessPass").isNull());
        QVERIFY(!r.body.contains(pass.toUtf8()));
        SimUser& admin = *w.sim.state().user(w.tenantId, w.adminId);
        QVERIFY(!admin.tap->passHash.contains(pass.toUtf8()));

        // Multi-use pass: redeemable repeatedly inside its window.
        QVERIFY(w.sim.state().redeemTemporaryAccessPass(admin, pass, w.clock.now()));
        QVERIFY(w.sim.state().redeemTemporaryAccessPass(admin, pass, w.clock.now()));
        QVERIFY(!w.sim.state().redeemTemporaryAccessPass(admin, "wrong", w.clock.now()));
        QVERIFY(!w.sim.state().redeemTemporaryAccessPass(admin, pass, w.clock.now() + 61LL * 60'000));

        // Lifetime bounds come from the policy.
        for (int lifetime : {policy.minimumLifetimeInMinutes - 1, policy.maximumLifetimeInMinutes + 1, 5, 50'000}) {
            r = w.api.post(base, w.token(), {{"lifetimeInMinutes", lifetime}});
            QVERIFY2(r.status == 400, qPrintable(QString::number(lifetime)));
            QCOMPARE(w.sim.state().user(w.tenantId, w.adminId)->tap->id, firstId);
        }
        r = w.api.post(base, w.token(), {{"lifetimeInMinutes", 1.5}});
        QCOMPARE(r.status, 400);
        r = w.api.post(base, w.token(), {{"startDateTime", "tomorrow"}});
        QCOMPARE(r.status, 400);
        r = w.api.post(base, w.token(), {{"unknown", 1}});
        QCOMPARE(r.status, 400);

        // A one-time pass, starting later: not usable yet, then once.
        const TimeMs start = w.clock.now() + 10 * 60'000;
        r = w.api.post(base, w.token(),
                       {{"lifetimeInMinutes", 120}, {"isUsableOnce", true}, {"startDateTime", toRfc3339(start)}});
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json.value("methodUsabilityReason").toString(), QStringLiteral("NotYetValid"));
        QCOMPARE(r.json.value("isUsable").toBool(), false);
        const QString once = r.json.value("temporaryAccessPass").toString();
        QVERIFY(r.json.value("id").toString() != firstId); // replaced
        r = w.api.get(base, w.token());
        QCOMPARE(r.json.value("value").toArray().size(), 1);
        QVERIFY(!w.sim.state().redeemTemporaryAccessPass(admin, pass, start + 1)); // the old pass is gone
        QVERIFY(!w.sim.state().redeemTemporaryAccessPass(admin, once, start - 1));
        QVERIFY(w.sim.state().redeemTemporaryAccessPass(admin, once, start + 1));
        QVERIFY(!w.sim.state().redeemTemporaryAccessPass(admin, once, start + 2));

        // A policy that demands one-time passes refuses multi-use ones.
        policy.isUsableOnce = true;
        r = w.api.post(base, w.token(), {{"isUsableOnce", false}});
        QCOMPARE(r.status, 400);
        r = w.api.post(base, w.token(), QJsonObject {});
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json.value("isUsableOnce").toBool(), true);

        const QString id = r.json.value("id").toString();
        QCOMPARE(w.api.get(base + "/" + id, w.token()).status, 200);
        QCOMPARE(w.api.del(base + "/" + id, w.token()).status, 204);
        QCOMPARE(w.api.del(base + "/" + id, w.token()).status, 404);
        QVERIFY(!w.sim.state().user(w.tenantId, w.adminId)->tap);
        QCOMPARE(w.api
                     .post("/v1.0/users/ghost@contoso.com/authentication/temporaryAccessPassMethods", w.token(),
                           QJsonObject {})
                     .status,
                 404);
    }

    void temporaryAccessPassPolicy()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        w.tenant().tapPolicy.maximumLifetimeInMinutes = 240;
        const ApiReply r = w.api.get(
            "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/TemporaryAccessPass",
            w.token());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("@odata.type").toString(),
                 QStringLiteral("#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"));
        QCOMPARE(r.json.value("id").toString(), QStringLiteral("TemporaryAccessPass"));
        QCOMPARE(r.json.value("state").toString(), QStringLiteral("enabled"));
        QCOMPARE(r.json.value("maximumLifetimeInMinutes").toInt(), 240);
        QCOMPARE(r.json.value("minimumLifetimeInMinutes").toInt(), 60);
        QCOMPARE(r.json.value("defaultLifetimeInMinutes").toInt(), 60);
        QCOMPARE(r.json.value("defaultLength").toInt(), 8);
        QCOMPARE(r.json.value("isUsableOnce").toBool(), false);
    }

    void roleDefinitions()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        ApiReply r = w.api.get("/v1.0/roleManagement/directory/roleDefinitions", w.token());
        QCOMPARE(r.status, 200);
        bool found = false;
        for (const QJsonValue& v : r.json.value("value").toArray()) {
            const QJsonObject o = v.toObject();
            QCOMPARE(o.value("id").toString(), o.value("templateId").toString());
            if (o.value("id").toString() == roles::kPrivilegedAuthenticationAdministrator) {
                found = true;
                QCOMPARE(o.value("displayName").toString(), QStringLiteral("Privileged Authentication Administrator"));
                QCOMPARE(o.value("isPrivileged").toBool(), true);
                QCOMPARE(o.value("isBuiltIn").toBool(), true);
            }
        }
        QVERIFY(found);
        r = w.api.get("/v1.0/roleManagement/directory/roleDefinitions/" + roles::kGlobalAdministrator, w.token());
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value("displayName").toString(), QStringLiteral("Global Administrator"));
        r = w.api.get(
            "/v1.0/roleManagement/directory/roleDefinitions?$filter=displayName%20eq%20'Helpdesk%20Administrator'",
            w.token());
        QCOMPARE(valuesOf(r.json.value("value").toArray(), "id"), QStringList {roles::kHelpdeskAdministrator});
        QCOMPARE(
            w.api.get("/v1.0/roleManagement/directory/roleDefinitions/00000000-0000-0000-0000-000000000000", w.token())
                .status,
            404);
    }

    void roleAssignments()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const QString user
            = w.api.post("/v1.0/users", w.token(), w.newUserBody("jit@contoso.com")).json.value("id").toString();
        const QString path = QStringLiteral("/v1.0/roleManagement/directory/roleAssignments");
        const QJsonObject body {{"@odata.type", "#microsoft.graph.unifiedRoleAssignment"},
                                {"roleDefinitionId", roles::kUserAdministrator},
                                {"principalId", user},
                                {"directoryScopeId", "/"}};
        ApiReply r = w.api.post(path, w.token(), body);
        QCOMPARE(r.status, 201);
        QCOMPARE(r.json.value("@odata.context").toString(),
                 QStringLiteral(
                     "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments/$entity"));
        const QString id = r.json.value("id").toString();
        QVERIFY(id.endsWith("-1"));
        QVERIFY(!QRegularExpression("^[0-9a-f]{8}-").match(id).hasMatch());
        QCOMPARE(r.json.value("principalId").toString(), user);
        QCOMPARE(r.json.value("directoryScopeId").toString(), QStringLiteral("/"));

        r = w.api.get(path + "?$filter=principalId%20eq%20'" + user + "'", w.token());
        QCOMPARE(r.status, 200);
        QCOMPARE(valuesOf(r.json.value("value").toArray(), "id"), QStringList {id});
        QCOMPARE(r.json.value("value").toArray().first().toObject().value("resourceScope").toString(),
                 QStringLiteral("/"));
        r = w.api.get(path + "?$filter=roleDefinitionId%20eq%20'" + roles::kPrivilegedAuthenticationAdministrator + "'",
                      w.token());
        // The privileged app's SP holds PAA: it shows as an assignment too.
        QCOMPARE(valuesOf(r.json.value("value").toArray(), "principalId"),
                 QStringList {w.sim.state().servicePrincipal(w.tenantId, w.privilegedAppId)->objectId});
        QCOMPARE(w.api.get(path + "/" + id, w.token()).status, 200);

        // Documented errors; nothing is created.
        const size_t before = w.tenant().roleAssignments.size();
        QCOMPARE(w.api.post(path, w.token(), body).status, 400); // duplicate
        QJsonObject ghost = body;
        ghost.insert("principalId", "11111111-2222-3333-4444-555555555555");
        r = w.api.post(path, w.token(), ghost);
        QCOMPARE(r.status, 404);
        QCOMPARE(SimTestWorld::graphCode(r), QStringLiteral("Request_ResourceNotFound"));
        QJsonObject badRole = body;
        badRole.insert("roleDefinitionId", "11111111-2222-3333-4444-555555555555");
        QCOMPARE(w.api.post(path, w.token(), badRole).status, 404);
        QJsonObject noScope = body;
        noScope.remove("directoryScopeId");
        QCOMPARE(w.api.post(path, w.token(), noScope).status, 400);
        QJsonObject extra = body;
        extra.insert("evil", true);
        QCOMPARE(w.api.post(path, w.token(), extra).status, 400);
        QCOMPARE(w.api.send("POST", path, w.token(), "{").status, 400);
        QCOMPARE(w.api.get(path + "?$filter=directoryScopeId%20eq%20'/'", w.token()).status, 400);
        QCOMPARE(w.tenant().roleAssignments.size(), before);

        QCOMPARE(w.api.del(path + "/" + id, w.token()).status, 204);
        QCOMPARE(w.api.del(path + "/" + id, w.token()).status, 404);
        QVERIFY(!w.sim.state().holdsAnyRole(w.tenantId, user));
    }

    void batch()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        const auto item = [](const QString& id, const QString& method, const QString& url) {
            return QJsonObject {{"id", id}, {"method", method}, {"url", url}};
        };
        const auto after = [](QJsonObject request, const QStringList& ids) {
            request.insert("dependsOn", QJsonArray::fromStringList(ids));
            return request;
        };
        QJsonObject create = item("2", "POST", "/users");
        create.insert("body", w.newUserBody("batched@contoso.com"));
        create.insert("headers", QJsonObject {{"Content-Type", "application/json"}});
        // Fully sequential: every item after the first names an earlier one. A failure (a 424 too) fails what
        // depends on it; what depends on something that succeeded runs.
        const QJsonObject batch {
            {"requests",
             QJsonArray {item("1", "GET", "/organization"), after(create, {"1"}),
                         after(item("3", "GET", "/users/nobody@contoso.com"), {"2"}),
                         after(item("4", "GET", "/organization"), {"3"}), after(item("5", "GET", "/domains"), {"2"}),
                         after(item("6", "GET", "/domains"), {"4"})}}};
        ApiReply r = w.api.post("/v1.0/$batch", w.token(), batch);
        QCOMPARE(r.status, 200);
        const QJsonArray responses = r.json.value("responses").toArray();
        QCOMPARE(valuesOf(responses, "id"), (QStringList {"6", "5", "4", "3", "2", "1"})); // a different order
        QHash<QString, int> status;
        for (const QJsonValue& v : responses)
            status.insert(v.toObject().value("id").toString(), v.toObject().value("status").toInt());
        QCOMPARE(status.value("1"), 200);
        QCOMPARE(status.value("2"), 201);
        QCOMPARE(status.value("3"), 404);
        QCOMPARE(status.value("4"), 424);
        QCOMPARE(status.value("5"), 200);
        QCOMPARE(status.value("6"), 424);
        QVERIFY(w.sim.state().userByUpn(w.tenantId, "batched@contoso.com"));
        QCOMPARE(responses[3].toObject().value("body").toObject().value("error").toObject().value("code").toString(),
                 QStringLiteral("Request_ResourceNotFound"));

        // Neither fully parallel nor fully sequential (protocols.md 2.9): refused whole, nothing runs.
        {
            const int before = w.userCount();
            QJsonObject mixedCreate = create;
            mixedCreate.insert("body", w.newUserBody("mixed@contoso.com"));
            const ApiReply mixed = w.api.post(
                "/v1.0/$batch", w.token(),
                {{"requests", QJsonArray {item("1", "GET", "/organization"), mixedCreate,
                                          after(item("3", "GET", "/domains"), {"1"})}}});
            QCOMPARE(mixed.status, 400);
            QVERIFY(mixed.body.contains("fully sequential or fully parallel"));
            QCOMPARE(w.userCount(), before);
            // A later item named is refused too.
            QCOMPARE(w.api.post("/v1.0/$batch", w.token(),
                                {{"requests", QJsonArray {item("1", "GET", "/organization"),
                                                          after(item("2", "GET", "/domains"), {"3"}),
                                                          after(item("3", "GET", "/domains"), {"1"})}}})
                         .status,
                     400);
        }

        // Whole-batch errors: nothing runs.
        const int users = w.userCount();
        QJsonArray many;
        for (int i = 0; i < 21; ++i)
            many.append(item(QString::number(i), "GET", "/organization"));
        QCOMPARE(w.api.post("/v1.0/$batch", w.token(), {{"requests", many}}).status, 400);
        QJsonObject c1 = create;
        c1.insert("id", "a");
        c1.insert("body", w.newUserBody("dup1@contoso.com"));
        QJsonObject c2 = create;
        c2.insert("id", "A");
        c2.insert("body", w.newUserBody("dup2@contoso.com"));
        QCOMPARE(w.api.post("/v1.0/$batch", w.token(), {{"requests", QJsonArray {c1, c2}}}).status, 400);
        QJsonObject noHeaders = create;
        noHeaders.remove("headers");
        noHeaders.insert("body", w.newUserBody("nohdr@contoso.com"));
        QCOMPARE(w.api.post("/v1.0/$batch", w.token(), {{"requests", QJsonArray {noHeaders}}}).status, 400);
        QJsonObject badDep = item("x", "GET", "/organization");
        badDep.insert("dependsOn", QJsonArray {"nope"});
        QCOMPARE(w.api.post("/v1.0/$batch", w.token(), {{"requests", QJsonArray {badDep}}}).status, 400);
        QCOMPARE(w.api.send("POST", "/v1.0/$batch", w.token(), "{\"requests\":").status, 400);
        QCOMPARE(w.api.post("/v1.0/$batch", w.token(), {{"requests", QJsonArray {}}}).status, 400);
        QCOMPARE(w.api.post("/v1.0/$batch", w.token(), {{"requests", QJsonArray {1, 2}}}).status, 400);
        QCOMPARE(w.userCount(), users);

        // Items are authorised and throttled one by one.
        w.sim.faults().throttleNext(1, 7);
        r = w.api.post("/v1.0/$batch", w.token(),
                       {{"requests", QJsonArray {item("1", "GET", "/organization"), item("2", "GET", "/domains")}}});
        QCOMPARE(r.status, 200);
        const QJsonArray throttled = r.json.value("responses").toArray();
        QCOMPARE(throttled[1].toObject().value("status").toInt(), 429);
        QCOMPARE(throttled[1].toObject().value("headers").toObject().value("Retry-After").toString(),
                 QStringLiteral("7"));
        QCOMPARE(throttled[0].toObject().value("status").toInt(), 200);
        QCOMPARE(w.sim.throttledByTenant().value(w.tenantId), 1);
        r = w.api.post("/v1.0/$batch", w.token({"Domain.Read.All"}),
                       {{"requests", QJsonArray {item("1", "GET", "/organization"), item("2", "GET", "/domains")}}});
        QCOMPARE(r.json.value("responses").toArray()[1].toObject().value("status").toInt(), 403);
        QCOMPARE(r.json.value("responses").toArray()[0].toObject().value("status").toInt(), 200);
        // No token: the whole batch is refused.
        QCOMPARE(w.api.post("/v1.0/$batch", QString(), {{"requests", QJsonArray {item("1", "GET", "/organization")}}})
                     .status,
                 401);
    }

    void unknownPathsAndBeta()
    {
        SimTestWorld w;
        QVERIFY(w.start());
        QCOMPARE(w.api.get("/v1.0/groups", w.token()).status, 400);
        const ApiReply beta = w.api.get("/beta/users", w.token());
        QCOMPARE(beta.status, 400);
        QCOMPARE(SimTestWorld::graphCode(beta), QStringLiteral("BadRequest"));
        QCOMPARE(w.api.send("DELETE", "/v1.0/organization", w.token(), {}).status, 405);
    }
};

QTEST_GUILESS_MAIN(TestEntraSimGraph)
#include "TestEntraSimGraph.moc"
