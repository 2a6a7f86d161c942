// SPDX-License-Identifier: GPL-3.0-or-later
// entra-sim's building blocks without HTTP: the directory state, access tokens, throttling buckets and the $filter
// subset.
#include "core/Crypto.h"
#include "entra-sim/AccessTokens.h"
#include "entra-sim/Faults.h"
#include "entra-sim/GraphCall.h"
#include "entra-sim/SimState.h"
#include "entra-sim/Throttling.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace stint;
using namespace stint::entrasim;

class TestEntraSimModel : public QObject
{
    Q_OBJECT

private slots:
    void tenantLookupAndConsent()
    {
        ManualClock clock;
        SimState s(clock);
        SimTenant& t = s.createTenant("Contoso", "Contoso");
        QCOMPARE(t.domains.first().name, QStringLiteral("contoso.onmicrosoft.com"));
        QVERIFY(t.domains.first().isInitial && t.domains.first().isVerified);
        QVERIFY(s.addDomain(t.id, {"Contoso.COM", true, true, false, "Managed"}).ok());
        QCOMPARE(s.tenant("contoso.com"), &t);
        QCOMPARE(s.tenant(t.id.toUpper()), &t);
        QCOMPARE(s.tenant("CONTOSO.onmicrosoft.com"), &t);
        QVERIFY(!s.tenant("fabrikam.com"));
        QVERIFY(!s.tenant(""));
        QCOMPARE(t.defaultDomain()->name, QStringLiteral("contoso.com"));
        // A domain belongs to one tenant only.
        SimTenant& other = s.createTenant("Other", "other");
        QVERIFY(!s.addDomain(other.id, {"contoso.com", true, false, false, "Managed"}).ok());

        SimApp& app = s.registerApp(other.id, "MSP", {"User.ReadWrite.All"});
        QVERIFY(!s.servicePrincipal(t.id, app.clientId));
        SimServicePrincipal& sp = s.consent(t.id, app.clientId.toUpper());
        QCOMPARE(sp.appId, app.clientId);
        QCOMPARE(sp.grantedPermissions, QStringList {"User.ReadWrite.All"});
        QCOMPARE(s.servicePrincipal(t.id, app.clientId), &sp);
        // Consent again keeps the SP and its object id.
        const QString oid = sp.objectId;
        app.requiredPermissions << "Domain.Read.All";
        QCOMPARE(s.consent(t.id, app.clientId).objectId, oid);
        QCOMPARE(s.servicePrincipal(t.id, app.clientId)->grantedPermissions.size(), 2);

        // Directory roles of the SP are role assignments too, and a new grant replaces them.
        QVERIFY(s.grantServicePrincipal(t.id, app.clientId, {"User.Read.All"}, {roles::kGlobalAdministrator}).ok());
        QVERIFY(s.holdsRole(t.id, oid, roles::kGlobalAdministrator));
        QVERIFY(s.grantServicePrincipal(t.id, app.clientId, {"User.Read.All"},
                                        {roles::kPrivilegedAuthenticationAdministrator})
                    .ok());
        QVERIFY(!s.holdsRole(t.id, oid, roles::kGlobalAdministrator));
        QVERIFY(s.holdsRole(t.id, oid, roles::kPrivilegedAuthenticationAdministrator));
        QCOMPARE(t.roleAssignments.size(), size_t(1));
        QVERIFY(!s.grantServicePrincipal(t.id, app.clientId, {}, {"not-a-role"}).ok());
        QVERIFY(!s.grantServicePrincipal(t.id, "11111111-2222-3333-4444-555555555555", {}, {}).ok());
    }

    void usersPasswordsAndPasses()
    {
        ManualClock clock;
        SimState s(clock);
        SimTenant& t = s.createTenant("Contoso", "contoso");
        auto user = s.createUser(t.id, "Adele@contoso.onmicrosoft.com", "Adele", "P@ssw0rd!");
        QVERIFY(user.ok());
        QVERIFY(!s.createUser(t.id, "adele@CONTOSO.onmicrosoft.com", "Dup", "x").ok());
        QVERIFY(!s.createUser("nowhere", "a@b.c", "A", "x").ok());
        SimUser& u = **user;
        QCOMPARE(s.userByUpn(t.id, "ADELE@contoso.onmicrosoft.com"), &u);
        QVERIFY(s.checkPassword(u, "P@ssw0rd!"));
        QVERIFY(!s.checkPassword(u, "p@ssw0rd!"));
        QVERIFY(!s.checkPassword(u, ""));
        QVERIFY(!u.passwordHash.contains("P@ss"));

        // TAP: window and one-time use.
        SimTemporaryAccessPass tap;
        tap.id = SimState::newGuid();
        tap.salt = crypto::randomBytes(16);
        tap.passHash = SimState::hashSecret(tap.salt, "Tap-1234");
        tap.start = clock.now() + 1000;
        tap.lifetimeInMinutes = 10;
        tap.isUsableOnce = true;
        u.tap = tap;
        QVERIFY(!s.redeemTemporaryAccessPass(u, "Tap-1234", clock.now()));
        QVERIFY(!s.redeemTemporaryAccessPass(u, "Tap-1235", clock.now() + 2000));
        QVERIFY(!s.redeemTemporaryAccessPass(u, "Tap-1234", tap.end()));
        QVERIFY(s.redeemTemporaryAccessPass(u, "Tap-1234", clock.now() + 2000));
        QVERIFY(!s.redeemTemporaryAccessPass(u, "Tap-1234", clock.now() + 3000));

        // Roles.
        QVERIFY(!s.holdsAnyRole(t.id, u.id));
        QVERIFY(s.assignRole(t.id, u.id, roles::kHelpdeskAdministrator).ok());
        QVERIFY(s.holdsRole(t.id, u.id, roles::kHelpdeskAdministrator.toUpper()));
        QVERIFY(!s.holdsRole(t.id, u.id, roles::kGlobalAdministrator));
        QVERIFY(!s.assignRole(t.id, "11111111-2222-3333-4444-555555555555", roles::kGlobalAdministrator).ok());
        QVERIFY(!s.assignRole(t.id, u.id, "11111111-2222-3333-4444-555555555555").ok());
        const QString id = s.assignRole(t.id, u.id, roles::kUserAdministrator).value()->id;
        QVERIFY(id.endsWith("-1"));
        QCOMPARE(id.size(), 45);
    }

    void clientSecrets()
    {
        ManualClock clock;
        SimState s(clock);
        SimTenant& t = s.createTenant("MSP", "msp");
        SimApp& app = s.registerApp(t.id, "App", {});
        s.addClientSecret(app, "first-secret-value", clock.now() + 1000);
        s.addClientSecret(app, "second-secret-value", clock.now() + 100'000);
        QCOMPARE(app.secrets.first().hint, QStringLiteral("fir"));
        QVERIFY(s.checkClientSecret(app, "first-secret-value", clock.now()));
        QVERIFY(s.checkClientSecret(app, "second-secret-value", clock.now()));
        QVERIFY(!s.checkClientSecret(app, "third", clock.now()));
        QVERIFY(!s.checkClientSecret(app, "first-secret-value", clock.now() + 1000)); // expired
        QVERIFY(s.checkClientSecret(app, "second-secret-value", clock.now() + 1000));
    }

    void tokensResistTampering()
    {
        AccessTokens tokens;
        const TimeMs now = 1'800'000'000'000;
        const QByteArray jwt = tokens.issueAppToken({"tid-1", "app-1", "oid-1", {"User.Read.All"}, 2}, now);
        auto claims = tokens.verify(jwt, now);
        QVERIFY(claims.ok());
        QCOMPARE(claims->appidacr, 2);
        QCOMPARE(claims->payload.value("azpacr").toString(), QStringLiteral("2"));
        QCOMPARE(claims->expiresAt - claims->issuedAt, 3599LL * 1000);

        const QList<QByteArray> parts = jwt.split('.');
        // A payload with another role, re-encoded, fails the signature.
        QJsonObject payload = QJsonDocument::fromJson(crypto::base64UrlDecode(parts[1]).value()).object();
        payload.insert("roles", QJsonArray {"Directory.ReadWrite.All"});
        const QByteArray tampered = parts[0] + '.'
            + crypto::base64UrlEncode(QJsonDocument(payload).toJson(QJsonDocument::Compact)) + '.' + parts[2];
        QCOMPARE(tokens.verify(tampered, now).error().code, QString::fromLatin1(kTokenInvalid));
        // alg "none" with no signature.
        const QByteArray none
            = crypto::base64UrlEncode("{\"alg\":\"none\",\"kid\":\"" + tokens.kid().toLatin1() + "\"}") + '.' + parts[1]
            + '.';
        QVERIFY(!tokens.verify(none, now).ok());
        QCOMPARE(tokens.verify("", now).error().code, QString::fromLatin1(kTokenEmpty));
        QCOMPARE(tokens.verify("a.b", now).error().code, QString::fromLatin1(kTokenMalformed));
        QCOMPARE(tokens.verify("a.b.c", now).error().code, QString::fromLatin1(kTokenMalformed));
        QCOMPARE(tokens.verify(jwt, now + 3599LL * 1000).error().code, QString::fromLatin1(kTokenExpired));
        QCOMPARE(tokens.verify(jwt, now - 10 * 60'000).error().code,
                 QString::fromLatin1(kTokenExpired)); // not yet valid
        tokens.expireAllIssued();
        QCOMPARE(tokens.verify(jwt, now).error().code, QString::fromLatin1(kTokenExpired));
        QVERIFY(tokens.verify(tokens.issueAppToken({"tid-1", "app-1", "oid-1", {}, 1}, now), now).ok());
        // Another simulator's key is not ours.
        AccessTokens other;
        QCOMPARE(other.verify(jwt, now).error().code, QString::fromLatin1(kTokenInvalid));
    }

    void throttlingBuckets()
    {
        ManualClock clock;
        AccessTokens tokens;
        Faults faults(tokens);
        faults.setThrottleScale(0.001); // S: 3.5 → 3.5 RU per 10 s; writes 3 per 150 s
        Throttling throttling(clock, faults);
        int allowed = 0;
        ThrottleDecision last;
        for (int i = 0; i < 10; ++i) {
            last = throttling.charge("t", "a", TenantSize::S, 1, false);
            allowed += last.allowed;
        }
        QCOMPARE(allowed, 3);
        QVERIFY(!last.allowed);
        QCOMPARE(last.information, QStringLiteral("ResourceUnitLimitExceeded"));
        QCOMPARE(last.retryAfterSeconds, 2); // 0.5 short at 0.35 units/s
        clock.advance(2000);
        QVERIFY(throttling.charge("t", "a", TenantSize::S, 1, false).allowed);
        QVERIFY(throttling.charge("t", "b", TenantSize::S, 1, false).allowed); // other app
        QVERIFY(throttling.charge("u", "a", TenantSize::L, 1, false).allowed); // other tenant

        QCOMPARE(Throttling::resourceUnits("GET", "/users", QUrlQuery()), 2);
        QCOMPARE(Throttling::resourceUnits("GET", "/users/x", QUrlQuery("$select=id")), 1);
        QCOMPARE(Throttling::resourceUnits("GET", "/users", QUrlQuery("$select=id&$top=5")), 1);
        QCOMPARE(Throttling::resourceUnits("GET", "/domains", QUrlQuery("$expand=x")), 2);
        QCOMPARE(Throttling::resourceUnits("POST", "/users", QUrlQuery()), 1);
        QCOMPARE(Throttling::resourceUnits("GET", "/users", QUrlQuery("$top=50")), 2);
    }

    void filterSubset_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("clauses");
        QTest::newRow("upn") << "userPrincipalName eq 'a@b.com'" << 1;
        QTest::newRow("quote escape") << "displayName eq 'O''Brien'" << 1;
        QTest::newRow("bool") << "accountEnabled eq false" << 1;
        QTest::newRow("and") << "accountEnabled eq true and employeeType eq 'x'" << 2;
        QTest::newRow("AND upper") << "accountEnabled eq true AND employeeType eq 'x'" << 2;
        QTest::newRow("or") << "accountEnabled eq true or employeeType eq 'x'" << -1;
        QTest::newRow("ne") << "accountEnabled ne true" << -1;
        QTest::newRow("function") << "startswith(displayName,'a')" << -1;
        QTest::newRow("unterminated") << "displayName eq 'abc" << -1;
        QTest::newRow("number") << "x eq 5" << -1;
        QTest::newRow("empty") << "" << -1;
        QTest::newRow("dangling and") << "accountEnabled eq true and" << -1;
    }

    void filterSubset()
    {
        QFETCH(QString, text);
        QFETCH(int, clauses);
        const auto parsed = parseFilter(text);
        QCOMPARE(parsed ? int(parsed->size()) : -1, clauses);
        if (text.contains("O''Brien"))
            QCOMPARE(parsed->first().value, QStringLiteral("O'Brien"));
    }
};

QTEST_GUILESS_MAIN(TestEntraSimModel)
#include "TestEntraSimModel.moc"
