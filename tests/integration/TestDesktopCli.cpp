// SPDX-License-Identifier: GPL-3.0-or-later
// The command line (`stint <command>`) as people and scripts use it: the real stint binary against a real
// stint-cloud and a real entra-sim (the demo world), the session in the real keychain (STINT_TEST_NEEDS_KEYCHAIN:
// this test runs in a D-Bus session of its own with an unlocked gnome-keyring). Request → ready → credential that
// signs in at the simulator → extend → end → the account disabled; every documented exit code for what goes wrong.
#include "client/HttpTransport.h"
#include "client/SecretStore.h"
#include "client/SessionKeeper.h"
#include "support/DemoWorld.h"
#include "support/StintInEntra.h"
#include "support/TestSupport.h"

#include "IdentitySignInDriver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace stint;
using namespace stint::test;

namespace {
constexpr int kCommandTimeoutMs = 120'000;
const QString kCustomerDomain = QStringLiteral("contoso.com");

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QString err;
    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
};

QString scenarioPath()
{
    return QStringLiteral(STINT_SOURCE_DIR "/tests/entra-sim/scenarios/demo.json");
}

QJsonObject scenario()
{
    QFile f(scenarioPath());
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// The customer admin's demo password and the MSP app, from the demo world.
QString userPassword(const QJsonObject& world, const QString& upn)
{
    for (const QJsonValue& t : world.value(QLatin1String("tenants")).toArray())
        for (const QJsonValue& u : t.toObject().value(QLatin1String("users")).toArray())
            if (u.toObject().value(QLatin1String("userPrincipalName")).toString() == upn)
                return u.toObject().value(QLatin1String("password")).toString();
    return {};
}
} // namespace

class TestDesktopCli : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QTemporaryDir m_secrets;
    QTemporaryDir m_home;
    SimProcess m_sim;
    std::unique_ptr<CloudProcess> m_cloud;
    std::unique_ptr<DemoWorld> m_world;
    QString m_appId;
    QString m_tenantId;
    DemoWorld::Person m_tech;

    QString cloudUrl() const { return m_cloud->origin(); }

    Run stint(const QStringList& args, const QByteArray& stdinData = {})
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        env.remove(QStringLiteral("STINT_CLOUD"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        p.setProcessEnvironment(env);
        p.start(qEnvironmentVariable("STINT_DESKTOP_BINARY"), args);
        if (!p.waitForStarted())
            return {};
        if (!stdinData.isEmpty())
            p.write(stdinData);
        p.closeWriteChannel();
        if (!p.waitForFinished(kCommandTimeoutMs)) {
            p.kill();
            p.waitForFinished();
            return {};
        }
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
                QString::fromUtf8(p.readAllStandardError())};
    }

    Run stintAt(const QStringList& args) { return stint(QStringList{args.front(), QStringLiteral("--cloud"), cloudUrl()} + args.mid(1)); }

    // A session into the system keychain, as `stint login` keeps it (through the same SessionKeeper).
    bool storeSession(const QString& token, const QString& url = {})
    {
        const QString cloud = url.isEmpty() ? cloudUrl() : url;
        const HttpResult me = m_cloud->get(QStringLiteral("/v1/me"), token);
        models::SignedInSession session;
        session.token = crypto::SecretBytes(token.toUtf8());
        session.sessionId = me.json.value(QLatin1String("sessionId")).toString(QStringLiteral("ses_unknown"));
        session.expiresAt = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
        session.person = *models::Person::fromJson(me.json.value(QLatin1String("person")).toObject());
        client::HttpTransport transport{QUrl(cloud)};
        client::CloudApi api(transport);
        client::KeychainSecretStore store;
        client::SessionKeeper keeper(api, store);
        auto call = keeper.adopt(session);
        QObject context;
        bool ok = false;
        bool done = false;
        call.then(&context, [&](const Result<void>& r) {
            ok = r.ok();
            done = true;
        });
        return QTest::qWaitFor([&] { return done; }, 20'000) && ok;
    }

    QJsonObject userState(const QString& upn)
    {
        for (const QJsonValue& u : m_sim.tenantState(kCustomerDomain).value(QLatin1String("users")).toArray())
            if (u.toObject().value(QLatin1String("userPrincipalName")).toString() == upn)
                return u.toObject();
        return {};
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid() && m_secrets.isValid() && m_home.isValid());
        QVERIFY2(!qEnvironmentVariable("STINT_DESKTOP_BINARY").isEmpty(), "STINT_DESKTOP_BINARY is not set");
        const QJsonObject world = scenario();
        QVERIFY(!world.isEmpty());
        const QJsonObject app = world.value(QLatin1String("apps")).toArray().first().toObject();
        m_appId = app.value(QLatin1String("clientId")).toString();
        const QString secretFile = m_secrets.filePath(QStringLiteral("app.secret"));
        QFile f(secretFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        f.write(app.value(QLatin1String("secrets")).toArray().first().toObject().value(QLatin1String("value")).toString().toUtf8());
        f.close();

        QVERIFY(m_sim.start({QStringLiteral("--scenario"), scenarioPath()}));
        const InitResult init = initDataDir(m_dir.path(), QStringLiteral("Demo MSP"), QStringLiteral("admin@demo-msp.test"));
        QVERIFY(!init.inviteToken.isEmpty());
        m_cloud = std::make_unique<CloudProcess>(m_dir.path());
        QVERIFY(m_cloud->start({QStringLiteral("--entra-global-authority"), m_sim.baseUrl(), QStringLiteral("--entra-global-graph"),
                                m_sim.baseUrl(), QStringLiteral("--entra-graph-resource"), QStringLiteral("https://graph.microsoft.com"),
                                QStringLiteral("--entra-app-client-id"), m_appId, QStringLiteral("--entra-app-client-secret-file"),
                                secretFile}));
        m_world = std::make_unique<DemoWorld>(*m_cloud, m_sim);
        auto admin = m_world->enrollFirstAdmin(init.inviteToken, QStringLiteral("admin@demo-msp.test"));
        QVERIFY2(admin.ok(), admin.ok() ? "" : qPrintable(admin.error().message));
        auto tech = m_world->addPerson(QStringLiteral("ada@demo-msp.test"), QStringLiteral("Ada Lovelace"), QStringLiteral("technician"));
        QVERIFY2(tech.ok(), tech.ok() ? "" : qPrintable(tech.error().message));
        m_tech = *tech;
        auto tenant = m_world->addTenant(QStringLiteral("Contoso"));
        QVERIFY(tenant.ok());
        m_tenantId = *tenant;
        auto status = m_world->connectByConsent(m_tenantId, QStringLiteral("admin@contoso.com"),
                                                userPassword(world, QStringLiteral("admin@contoso.com")));
        QVERIFY2(status.ok(), status.ok() ? "" : qPrintable(status.error().message));
        QCOMPARE(*status, QStringLiteral("connected"));
        const QStringList roles{QStringLiteral("User Administrator"), QStringLiteral("Exchange Administrator")};
        auto configured = m_world->configureTenant(m_tenantId, kCustomerDomain, roles, 30, 120, QStringLiteral("password"));
        QVERIFY2(configured.ok(), configured.ok() ? "" : qPrintable(configured.error().message));
        auto roleIds = m_world->roleIds(m_tenantId, roles);
        QVERIFY(roleIds.ok());
        auto policy = m_world->addPolicy(QStringLiteral("Helpdesk"), {m_tenantId}, *roleIds, {m_tech.id}, 120);
        QVERIFY(policy.ok());
        QVERIFY(storeSession(m_tech.token));
    }

    void cleanupTestCase()
    {
        if (m_cloud)
            m_cloud->terminate();
        m_sim.terminate();
    }

    void helpAndUsage()
    {
        const Run help = stint({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        QVERIFY(help.out.contains("Exit codes"));
        QVERIFY(help.out.contains("request"));
        const Run requestHelp = stint({QStringLiteral("request"), QStringLiteral("--help")});
        QCOMPARE(requestHelp.exitCode, 0);
        QVERIFY(requestHelp.out.contains("--wait"));
        QCOMPARE(stintAt({QStringLiteral("request")}).exitCode, 2);                                // no tenant
        QCOMPARE(stintAt({QStringLiteral("request"), QStringLiteral("Contoso")}).exitCode, 2);     // no role
        QCOMPARE(stintAt({QStringLiteral("status"), QStringLiteral("--bogus")}).exitCode, 2);
        QCOMPARE(stintAt({QStringLiteral("extend"), QStringLiteral("Contoso"), QStringLiteral("--minutes"), QStringLiteral("x")}).exitCode, 2);
        // No service named anywhere: said, not guessed.
        const Run nowhere = stint({QStringLiteral("status")});
        QCOMPARE(nowhere.exitCode, 2);
        QVERIFY(nowhere.err.contains(QStringLiteral("--cloud")));
        // Plain http to another host would send the session in the clear: refused.
        QCOMPARE(stint({QStringLiteral("status"), QStringLiteral("--cloud"), QStringLiteral("http://stint.example.com")}).exitCode, 2);
    }

    void tenantsLists()
    {
        const Run r = stintAt({QStringLiteral("tenants"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonArray tenants = r.json().value(QLatin1String("tenants")).toArray();
        QCOMPARE(tenants.size(), 1);
        QCOMPARE(tenants.at(0).toObject().value(QLatin1String("name")).toString(), QStringLiteral("Contoso"));
        const Run human = stintAt({QStringLiteral("tenants")});
        QCOMPARE(human.exitCode, 0);
        QVERIFY(human.out.contains("User Administrator"));
    }

    void refusedRequests_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("exitCode");
        QTest::newRow("unknown tenant") << QStringList{QStringLiteral("Nowhere"), QStringLiteral("--role"), QStringLiteral("User Administrator")} << 4;
        QTest::newRow("role not granted") << QStringList{QStringLiteral("Contoso"), QStringLiteral("--role"), QStringLiteral("Global Administrator")} << 4;
        QTest::newRow("too long") << QStringList{QStringLiteral("Contoso"), QStringLiteral("--role"), QStringLiteral("User Administrator"),
                                                 QStringLiteral("--minutes"), QStringLiteral("1000")}
                                  << 5;
    }

    void refusedRequests()
    {
        QFETCH(QStringList, args);
        QFETCH(int, exitCode);
        const Run r = stintAt(QStringList{QStringLiteral("request")} + args);
        QVERIFY2(r.exitCode == exitCode, qPrintable(QStringLiteral("%1: %2").arg(r.exitCode).arg(r.err)));
        QVERIFY(!r.err.isEmpty());
        // Nothing was asked for.
        QCOMPARE(m_cloud->get(QStringLiteral("/v1/checkouts"), m_tech.token).json.value(QLatin1String("items")).toArray().size(), 0);
    }

    void unreachableService()
    {
        const Run r = stint({QStringLiteral("tenants"), QStringLiteral("--cloud"), QStringLiteral("http://127.0.0.1:9")});
        QCOMPARE(r.exitCode, 3); // no session stored for that service: sign in first
        // With a session for it, the service not answering is 6.
        QVERIFY(storeSession(m_tech.token, QStringLiteral("http://127.0.0.1:9")));
        const Run again = stint({QStringLiteral("tenants"), QStringLiteral("--cloud"), QStringLiteral("http://127.0.0.1:9"), QStringLiteral("--json")});
        QCOMPARE(again.exitCode, 6);
        QCOMPARE(again.json().value(QLatin1String("error")).toObject().value(QLatin1String("exitCode")).toInt(), 6);
    }

    void requestWaitCredentialExtendEnd()
    {
        const Run r = stintAt({QStringLiteral("request"), QStringLiteral("Contoso"), QStringLiteral("--role"), QStringLiteral("User Administrator"),
                               QStringLiteral("--minutes"), QStringLiteral("30"), QStringLiteral("--justification"),
                               QStringLiteral("Mailbox migration"), QStringLiteral("--wait"), QStringLiteral("--json")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QJsonObject ready = r.json();
        const QString upn = ready.value(QLatin1String("userPrincipalName")).toString();
        const QString password = ready.value(QLatin1String("password")).toString();
        const QString checkoutId = ready.value(QLatin1String("checkoutId")).toString();
        QVERIFY(upn.endsWith(QStringLiteral("@contoso.com")));
        QVERIFY(!password.isEmpty());
        // The secret went to stdout only.
        QVERIFY(!r.err.contains(password));
        // It signs in at "Microsoft".
        entrasim::SignInFailure failure;
        const QUrl signedIn = entrasim::driveSignIn(
            m_sim.network(), signInUrl(m_sim.baseUrl(), kCustomerDomain, m_appId, upn), upn, password, {}, &failure);
        QVERIFY2(signedIn.isValid(), qPrintable(failure.message));

        const Run status = stintAt({QStringLiteral("status"), QStringLiteral("--json")});
        QCOMPARE(status.exitCode, 0);
        const QJsonArray open = status.json().value(QLatin1String("checkouts")).toArray();
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.at(0).toObject().value(QLatin1String("state")).toString(), QStringLiteral("ready"));
        QVERIFY(open.at(0).toObject().value(QLatin1String("remainingSeconds")).toInt() > 25 * 60);

        const Run credential = stintAt({QStringLiteral("credential"), QStringLiteral("Contoso"), QStringLiteral("--json")});
        QCOMPARE(credential.exitCode, 0);
        QCOMPARE(credential.json().value(QLatin1String("password")).toString(), password);
        const Run human = stintAt({QStringLiteral("credential"), checkoutId});
        QCOMPARE(human.exitCode, 0);
        QVERIFY(human.out.contains(upn.toUtf8()));

        const Run launch = stintAt({QStringLiteral("launch"), QStringLiteral("Contoso"), QStringLiteral("entra"), QStringLiteral("--json")});
        QCOMPARE(launch.exitCode, 0);
        const QUrl portal(launch.json().value(QLatin1String("url")).toString());
        QCOMPARE(portal.host(), QStringLiteral("entra.microsoft.com"));
        QVERIFY(portal.toString().contains(QString::fromLatin1(QUrl::toPercentEncoding(upn))) || portal.toString().contains(upn));
        QCOMPARE(stintAt({QStringLiteral("launch"), QStringLiteral("Contoso"), QStringLiteral("nowhere")}).exitCode, 2);

        const qint64 before = QDateTime::fromString(ready.value(QLatin1String("expiresAt")).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
        const Run extended = stintAt({QStringLiteral("extend"), QStringLiteral("Contoso"), QStringLiteral("--minutes"), QStringLiteral("15"), QStringLiteral("--json")});
        QVERIFY2(extended.exitCode == 0, qPrintable(extended.err));
        const qint64 after = QDateTime::fromString(extended.json().value(QLatin1String("expiresAt")).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
        QCOMPARE(after - before, qint64(15 * 60'000));
        // Beyond the policy's two hours: refused as outside the policy.
        QCOMPARE(stintAt({QStringLiteral("extend"), QStringLiteral("Contoso"), QStringLiteral("--minutes"), QStringLiteral("600")}).exitCode, 5);

        const Run ended = stintAt({QStringLiteral("end"), QStringLiteral("Contoso")});
        QVERIFY2(ended.exitCode == 0, qPrintable(ended.err));
        QVERIFY(QTest::qWaitFor([&] { return !userState(upn).value(QLatin1String("accountEnabled")).toBool(true); }, 60'000));
        QVERIFY(QTest::qWaitFor([&] {
            return m_cloud->get(QStringLiteral("/v1/checkouts/") + checkoutId, m_tech.token).json.value(QLatin1String("state")).toString()
                == QLatin1String("ended");
        }, 60'000));
        // Nothing left to show or end.
        QCOMPARE(stintAt({QStringLiteral("credential"), QStringLiteral("Contoso")}).exitCode, 4);
        QCOMPARE(stintAt({QStringLiteral("end"), QStringLiteral("Contoso")}).exitCode, 4);
    }

    void signedOutIsThree()
    {
        const Run out = stintAt({QStringLiteral("logout")});
        QCOMPARE(out.exitCode, 0);
        // The session is over at the service too.
        QCOMPARE(m_cloud->get(QStringLiteral("/v1/me"), m_tech.token).status, 401);
        const Run who = stintAt({QStringLiteral("whoami"), QStringLiteral("--json")});
        QCOMPARE(who.exitCode, 3);
        QVERIFY(who.err.contains(QStringLiteral("stint login")));
        // A revoked session found in the keychain is also 3, and is forgotten.
        auto fresh = m_world->signIn(m_tech.email);
        QVERIFY(fresh.ok());
        QVERIFY(storeSession(*fresh));
        QCOMPARE(m_world->asAdmin(QStringLiteral("POST"), QStringLiteral("/v1/people/%1/sessions/revoke").arg(m_tech.id)).status, 200);
        QCOMPARE(stintAt({QStringLiteral("status")}).exitCode, 3);
    }
};

QTEST_GUILESS_MAIN(TestDesktopCli)
#include "TestDesktopCli.moc"
