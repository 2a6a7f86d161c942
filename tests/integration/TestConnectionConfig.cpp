// SPDX-License-Identifier: GPL-3.0-or-later
// The Entra settings of `stint-cloud serve`: every EntraConfig field has a flag (and so an environment variable and
// a config-file key), URLs are checked, the multi-tenant app's secret is only ever read from a private file.
#include "cloud/CloudService.h"
#include "cloud/connections/TenantAccess.h"
#include "support/CloudProcess.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace stint;

namespace {
struct Run
{
    int exitCode = -1;
    QString output;
};

// Runs the binary until it exits, or until it says it is ready (then stops it; exitCode stays -1).
Run run(const QStringList& args)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(STINT_CLOUD_BINARY), args);
    QByteArray out;
    QObject::connect(&p, &QProcess::readyReadStandardOutput, &p, [&] { out += p.readAllStandardOutput(); });
    (void)QTest::qWaitFor([&] { return out.contains("ready on") || p.state() == QProcess::NotRunning; }, 20000);
    Run r;
    if (p.state() == QProcess::NotRunning) {
        out += p.readAllStandardOutput();
        r.exitCode = p.exitCode();
    } else {
        p.terminate();
        p.waitForFinished(10000);
    }
    r.output = QString::fromUtf8(out);
    return r;
}

const QString kClientId = QStringLiteral("00001111-aaaa-2222-bbbb-3333cccc4444");
const QByteArray kSecret = "config-test-secret-Q~123";
} // namespace

class TestConnectionConfig : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_data;

    QString secretFile(QFileDevice::Permissions permissions)
    {
        const QString path = m_dir.filePath(QStringLiteral("app.secret"));
        QFile::remove(path);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(kSecret + '\n');
        f.close();
        f.setPermissions(permissions);
        return path;
    }

    QStringList serve(const QStringList& more)
    {
        return QStringList{QStringLiteral("serve"), QStringLiteral("--data-dir"), m_data, QStringLiteral("--listen"),
                           QStringLiteral("127.0.0.1:0")}
            + more;
    }

private slots:
    void initTestCase()
    {
        m_data = m_dir.filePath(QStringLiteral("data"));
        QVERIFY(!initDataDir(m_data).inviteToken.isEmpty());
    }

    void helpNamesEverySetting()
    {
        const Run help = run({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char* flag : {"--entra-global-authority", "--entra-global-graph", "--entra-usgov-authority",
                                 "--entra-usgov-graph", "--entra-china-authority", "--entra-china-graph",
                                 "--entra-app-client-id", "--entra-app-client-secret-file",
                                 "--entra-app-certificate-file", "--entra-app-private-key-file",
                                 "--entra-worker-threads", "--reconcile-interval-minutes",
                                 "--health-check-interval-hours", "--webhook-max-attempts"})
            QVERIFY2(help.output.contains(QLatin1String(flag)), flag);
    }

    void badSettingsAreUsageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::newRow("secret on the command line") << QStringList{QStringLiteral("--entra-app-client-secret"), QString::fromLatin1(kSecret)};
        QTest::newRow("http authority") << QStringList{QStringLiteral("--entra-global-authority"), QStringLiteral("http://login.example.com")};
        QTest::newRow("not a URL") << QStringList{QStringLiteral("--entra-usgov-graph"), QStringLiteral("::nonsense")};
        QTest::newRow("client id not a GUID") << QStringList{QStringLiteral("--entra-app-client-id"), QStringLiteral("stint")};
        QTest::newRow("client id without secret") << QStringList{QStringLiteral("--entra-app-client-id"), kClientId};
        QTest::newRow("certificate without key") << QStringList{QStringLiteral("--entra-app-client-id"), kClientId, QStringLiteral("--entra-app-certificate-file"), QStringLiteral("/tmp/x.pem")};
        QTest::newRow("zero interval") << QStringList{QStringLiteral("--reconcile-interval-minutes"), QStringLiteral("0")};
    }
    void badSettingsAreUsageErrors()
    {
        QFETCH(QStringList, args);
        const Run r = run(serve(args));
        QCOMPARE(r.exitCode, 64);
        QVERIFY(!r.output.contains(QString::fromLatin1(kSecret)));
    }

    void groupReadableSecretFileIsRefused()
    {
        const QString file = secretFile(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup);
        const Run r = run(serve({QStringLiteral("--entra-app-client-id"), kClientId,
                                 QStringLiteral("--entra-app-client-secret-file"), file}));
        QVERIFY2(r.exitCode > 0, qPrintable(r.output));
        QVERIFY2(r.output.contains(QLatin1String("chmod 600")), qPrintable(r.output));
        QVERIFY(!r.output.contains(QString::fromLatin1(kSecret)));

        // The same through the library: a typed error.
        cloud::EntraConfig config;
        config.appClientId = kClientId;
        config.appClientSecretFile = file;
        auto checked = cloud::connections::checkMspAppConfig(config);
        QVERIFY(!checked.ok());
        QCOMPARE(checked.error().code, QStringLiteral("config.secret_permissions"));
    }

    void privateSecretFileServes()
    {
        const QString file = secretFile(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        const Run r = run(serve({QStringLiteral("--entra-app-client-id"), kClientId,
                                 QStringLiteral("--entra-app-client-secret-file"), file,
                                 QStringLiteral("--entra-global-authority"), QStringLiteral("http://127.0.0.1:9/"),
                                 QStringLiteral("--health-check-interval-hours"), QStringLiteral("12")}));
        QVERIFY2(r.exitCode == -1, qPrintable(r.output)); // it became ready
        QVERIFY(!r.output.contains(QString::fromLatin1(kSecret)));
        cloud::EntraConfig config;
        config.appClientId = kClientId;
        config.appClientSecretFile = file;
        auto app = cloud::connections::loadMspApp(config);
        QVERIFY(app.ok());
        QCOMPARE(app->clientSecret.bytes(), kSecret); // the trailing newline is not part of it
    }

    void nationalCloudEndpoints()
    {
        cloud::EntraConfig config;
        QCOMPARE(cloud::connections::endpointsFor(config, QStringLiteral("usgov")).graph,
                 QUrl(QStringLiteral("https://graph.microsoft.us")));
        QCOMPARE(cloud::connections::endpointsFor(config, QStringLiteral("china")).authority,
                 QUrl(QStringLiteral("https://login.partner.microsoftonline.cn")));
        QCOMPARE(cloud::connections::endpointsFor(config, QStringLiteral("global")).defaultScope(),
                 QStringLiteral("https://graph.microsoft.com/.default"));
    }
};

QTEST_GUILESS_MAIN(TestConnectionConfig)
#include "TestConnectionConfig.moc"
