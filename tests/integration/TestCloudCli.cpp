// SPDX-License-Identifier: GPL-3.0-or-later
// stint-cloud as an operator meets it: init, serve refusing unsafe set-ups, configuration precedence, TLS,
// migrate, backup while serving, audit verify and export.
#include "cloud/CloudService.h"
#include "store/KeyFile.h"
#include "store/SqlCipherDatabase.h"
#include "support/AdminSession.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslError>
#include <QTest>

#include <sys/stat.h>

namespace {
QString readyOrigin(const QString& out)
{
    static const QRegularExpression origin(QStringLiteral(R"(\(origin ([^)]+)\))"));
    return origin.match(out).captured(1);
}

// Starts serve, waits for the ready line, stops it; returns the ready line's origin ("" if it never became ready).
QString originOfServe(const QStringList& args, const QProcessEnvironment& env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(STINT_CLOUD_BINARY), args);
    QByteArray out;
    QObject::connect(&p, &QProcess::readyReadStandardOutput, &p, [&] { out += p.readAllStandardOutput(); });
    (void)QTest::qWaitFor([&] { return out.contains("ready on") || p.state() == QProcess::NotRunning; }, 20000);
    p.terminate();
    p.waitForFinished(10000);
    return readyOrigin(QString::fromUtf8(out));
}
} // namespace

class TestCloudCli : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void helpAndUsageErrors()
    {
        const CliResult help = runCloudCli({QStringLiteral("--help")});
        QCOMPARE(help.exitCode, 0);
        for (const char* word : {"init", "serve", "backup", "audit verify", "--listen", "--tls-cert", "STINT_"})
            QVERIFY2(help.out.contains(QLatin1String(word)), word);
        QCOMPARE(runCloudCli({QStringLiteral("serve"), QStringLiteral("--bogus")}).exitCode, 64);
        QCOMPARE(runCloudCli({QStringLiteral("frobnicate"), QStringLiteral("--data-dir"), QStringLiteral("/tmp/x")}).exitCode, 64);
        QCOMPARE(runCloudCli({QStringLiteral("serve")}).exitCode, 64); // no --data-dir
        QCOMPARE(runCloudCli({QStringLiteral("serve"), QStringLiteral("--data-dir"), QStringLiteral("/tmp/x"),
                              QStringLiteral("--listen"), QStringLiteral("nonsense")})
                     .exitCode,
                 64);
    }

    void initCreatesAPrivateStoreOnce()
    {
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("data"));
        const InitResult init = initDataDir(data);
        QVERIFY(!init.inviteToken.isEmpty());
        QVERIFY(!init.orgId.isEmpty());
        struct stat st{};
        QCOMPARE(::stat(QFile::encodeName(data).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0700);
        QCOMPARE(::stat(QFile::encodeName(data + QStringLiteral("/master.key")).constData(), &st), 0);
        QCOMPARE(int(st.st_mode & 0777), 0600);
        const CliResult again = runCloudCli({QStringLiteral("init"), QStringLiteral("--data-dir"), data, QStringLiteral("--org"),
                                             QStringLiteral("X"), QStringLiteral("--admin"), QStringLiteral("x@y.test")});
        QCOMPARE(again.exitCode, 2);
        QVERIFY(again.err.contains(QStringLiteral("already")));
        const CliResult badEmail = runCloudCli({QStringLiteral("init"), QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("d2")),
                                                QStringLiteral("--org"), QStringLiteral("X"), QStringLiteral("--admin"),
                                                QStringLiteral("not-an-email")});
        QCOMPARE(badEmail.exitCode, 2);
        const CliResult migrate = runCloudCli({QStringLiteral("migrate"), QStringLiteral("--data-dir"), data});
        QCOMPARE(migrate.exitCode, 0);
        QVERIFY(migrate.out.contains(QRegularExpression(QStringLiteral("version [1-9]"))));
    }

    void serveRefusesAReadableKeyFile()
    {
        QTemporaryDir dir;
        QVERIFY(!initDataDir(dir.path()).orgId.isEmpty());
        ::chmod(QFile::encodeName(dir.filePath(QStringLiteral("master.key"))).constData(), 0644);
        const CliResult r = runCloudCli({QStringLiteral("migrate"), QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("chmod 600")));
        CloudProcess cloud(dir.path());
        QVERIFY(!cloud.start());
    }

    void masterKeyFromEnvironment()
    {
        QTemporaryDir dir;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("STINT_MASTER_KEY_FILE"), dir.filePath(QStringLiteral("elsewhere.key")));
        const QString data = dir.filePath(QStringLiteral("data"));
        QCOMPARE(runCloudCli({QStringLiteral("init"), QStringLiteral("--data-dir"), data, QStringLiteral("--org"), QStringLiteral("O"),
                              QStringLiteral("--admin"), QStringLiteral("a@b.test")},
                             env)
                     .exitCode,
                 0);
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("elsewhere.key"))));
        QVERIFY(!QFile::exists(data + QStringLiteral("/master.key")));
        QCOMPARE(runCloudCli({QStringLiteral("migrate"), QStringLiteral("--data-dir"), data}, env).exitCode, 0);
        QCOMPARE(runCloudCli({QStringLiteral("migrate"), QStringLiteral("--data-dir"), data}).exitCode, 2); // no key
    }

    void wrongKeyIsReported()
    {
        QTemporaryDir dir;
        QVERIFY(!initDataDir(dir.path()).orgId.isEmpty());
        QFile::remove(dir.filePath(QStringLiteral("master.key")));
        QVERIFY(stint::store::createKeyFile(dir.filePath(QStringLiteral("master.key"))).ok());
        const CliResult r = runCloudCli({QStringLiteral("migrate"), QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("wrong key")));
    }

    void nonLoopbackNeedsTls()
    {
        QTemporaryDir dir;
        QVERIFY(!initDataDir(dir.path()).orgId.isEmpty());
        const CliResult r = runCloudCli({QStringLiteral("serve"), QStringLiteral("--data-dir"), dir.path(),
                                         QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0")});
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.err.contains(QStringLiteral("without TLS")));
    }

    void configurationPrecedence()
    {
        QTemporaryDir dir;
        QVERIFY(!initDataDir(dir.path()).orgId.isEmpty());
        QFile conf(dir.filePath(QStringLiteral("stint-cloud.conf")));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write("origin = http://file.test\nlisten = 127.0.0.1:0\n");
        conf.close();
        const QStringList serve{QStringLiteral("serve"), QStringLiteral("--data-dir"), dir.path()};
        auto env = QProcessEnvironment::systemEnvironment();
        QCOMPARE(originOfServe(serve, env), QStringLiteral("http://file.test"));
        env.insert(QStringLiteral("STINT_ORIGIN"), QStringLiteral("http://env.test"));
        QCOMPARE(originOfServe(serve, env), QStringLiteral("http://env.test"));
        QCOMPARE(originOfServe(serve + QStringList{QStringLiteral("--origin"), QStringLiteral("http://flag.test")}, env),
                 QStringLiteral("http://flag.test"));

        QVERIFY(conf.open(QIODevice::WriteOnly | QIODevice::Truncate));
        conf.write("orgin = http://typo.test\n");
        conf.close();
        const CliResult typo = runCloudCli(serve);
        QCOMPARE(typo.exitCode, 64);
        QVERIFY(typo.err.contains(QStringLiteral("orgin")));
    }

    void servesTls()
    {
        QTemporaryDir dir;
        QVERIFY(!initDataDir(dir.path()).orgId.isEmpty());
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"), {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                                                  QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                                                  QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                                                  QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                                                  QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"),
                                                  QStringLiteral("/CN=localhost")});
        QVERIFY(openssl.waitForFinished(30000));
        QCOMPARE(openssl.exitCode(), 0);
        CloudProcess cloud(dir.path());
        QVERIFY(cloud.start({QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key}));
        QNetworkAccessManager nam;
        QNetworkRequest request(QUrl(QStringLiteral("https://127.0.0.1:%1/healthz").arg(cloud.port())));
        QNetworkReply* reply = nam.get(request);
        QObject::connect(reply, &QNetworkReply::sslErrors, reply, [reply](const QList<QSslError>&) { reply->ignoreSslErrors(); });
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(15000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(reply->rawHeader("Strict-Transport-Security").startsWith("max-age="));
        reply->deleteLater();
        // Plain HTTP to the TLS port gets nothing useful.
        QCOMPARE(cloud.get(QStringLiteral("/healthz")).status, 0);
    }

    void backupWhileServingAndAuditVerify()
    {
        QTemporaryDir dir;
        const InitResult init = initDataDir(dir.path());
        CloudProcess cloud(dir.path());
        QVERIFY(cloud.start());
        SoftAuthenticator authenticator(cloud.origin());
        const QString token = enrollWithInvite(cloud, authenticator, init.inviteToken);
        QVERIFY(!token.isEmpty());
        for (int i = 0; i < 20; ++i)
            QCOMPARE(cloud.post(QStringLiteral("/v1/groups"), {{QStringLiteral("name"), QStringLiteral("plaintext-marker-group-%1").arg(i)}}, token).status, 201);

        QTemporaryDir restoreDir;
        const QString backup = restoreDir.filePath(QStringLiteral("stint.db"));
        const CliResult b = runCloudCli({QStringLiteral("backup"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--out"), backup});
        QCOMPARE(b.exitCode, 0);
        QCOMPARE(cloud.get(QStringLiteral("/v1/groups"), token).status, 200); // still serving
        QCOMPARE(runCloudCli({QStringLiteral("backup"), QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--out"), backup}).exitCode, 2);
        QFile backupFile(backup);
        QVERIFY(backupFile.open(QIODevice::ReadOnly));
        const QByteArray backupBytes = backupFile.readAll();
        QVERIFY(backupBytes.size() > 4096);
        // Still encrypted. (A short marker such as "g19" turns up by chance in a few hundred KiB of ciphertext — about
        // one run in fifty; this one never does.)
        QVERIFY(!backupBytes.contains("plaintext-marker-group-19"));
        QVERIFY(!backupBytes.startsWith("SQLite format 3"));

        // The backup is a working store with the same key.
        QVERIFY(QFile::copy(dir.filePath(QStringLiteral("master.key")), restoreDir.filePath(QStringLiteral("master.key"))));
        const CliResult v = runCloudCli({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"), restoreDir.path()});
        QCOMPARE(v.exitCode, 0);
        CloudProcess restored(restoreDir.path());
        QVERIFY(restored.start());
        QCOMPARE(restored.get(QStringLiteral("/v1/groups?limit=100"), token).json.value(QLatin1String("items")).toArray().size(), 20);
        restored.terminate();
        QCOMPARE(cloud.terminate(), 0);

        // Export is JSON Lines.
        const CliResult e = runCloudCli({QStringLiteral("audit"), QStringLiteral("export"), QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(e.exitCode, 0);
        const QStringList lines = e.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(lines.size() >= 24);
        for (const QString& line : lines)
            QVERIFY(QJsonDocument::fromJson(line.toUtf8()).isObject());

        // Tampering with one row is found and named.
        {
            stint::cloud::CloudConfig config;
            config.dataDir = dir.path();
            auto db = stint::cloud::openCloudStore(config);
            QVERIFY(db.ok());
            QVERIFY((*db)->exec(QStringLiteral("UPDATE audit_events SET actor_label = 'someone-else' WHERE seq = 5")).ok());
        }
        const CliResult broken = runCloudCli({QStringLiteral("audit"), QStringLiteral("verify"), QStringLiteral("--data-dir"), dir.path()});
        QCOMPARE(broken.exitCode, 1);
        QVERIFY2(broken.out.contains(QStringLiteral("seq 5")) || broken.err.contains(QStringLiteral("seq 5")),
                 qPrintable(broken.out + broken.err));
    }
};

QTEST_GUILESS_MAIN(TestCloudCli)
#include "TestCloudCli.moc"
