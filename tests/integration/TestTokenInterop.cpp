// SPDX-License-Identifier: GPL-3.0-or-later
// TokenProvider against an independent, real authorization server: panva/oidc-provider from npm
// (tests/interop/oidc-provider, installed by scripts/setup.sh). Client secrets in the form body and with HTTP Basic,
// certificate assertions signed PS256 and RS256 — and the refusals a wrong secret or key earns.
#include "core/Crypto.h"
#include "entra/JwtCrypto.h"
#include "entra/TokenProvider.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace stint;
using namespace stint::entra;

class TestTokenInterop : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        const QString dir = QStringLiteral(STINT_SOURCE_DIR "/tests/interop/oidc-provider");
        const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
        QVERIFY2(!node.isEmpty(), "node is not on PATH: install Node.js 18 or later (scripts/setup.sh does)");
        QVERIFY2(QFile::exists(dir + QStringLiteral("/node_modules/oidc-provider/package.json")),
                 "oidc-provider is not installed: run scripts/setup.sh (npm ci in tests/interop/oidc-provider)");
        QVERIFY(m_temp.isValid());

        auto generated = jwt::generateSelfSignedCertificate(QStringLiteral("stint interop"),
                                                            QDateTime::currentMSecsSinceEpoch() - 60'000, 2);
        QVERIFY(generated.ok());
        m_certificatePem = generated->certificatePem;
        m_privateKeyPem = generated->privateKeyPem.bytes();
        const QString certificatePath = m_temp.filePath(QStringLiteral("certificate.pem"));
        QFile file(certificatePath);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(m_certificatePem);
        file.close();

        m_secret = crypto::base64UrlEncode(crypto::randomBytes(24)) + "~+&=%";
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("INTEROP_CLIENT_SECRET"), QString::fromLatin1(m_secret));
        m_server.setProcessEnvironment(environment);
        m_server.setWorkingDirectory(dir);
        m_server.setProcessChannelMode(QProcess::SeparateChannels);
        m_server.start(node, {dir + QStringLiteral("/server.mjs"), certificatePath});
        QVERIFY2(m_server.waitForStarted(10'000), "node did not start");
        QByteArray line;
        QDeadlineTimer deadline(30'000);
        while (!line.contains('\n') && !deadline.hasExpired()) {
            if (!m_server.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
                break;
            line += m_server.readAllStandardOutput();
        }
        const QJsonObject ready = QJsonDocument::fromJson(line.left(line.indexOf('\n'))).object();
        QVERIFY2(ready.contains(QStringLiteral("tokenEndpoint")),
                 qPrintable(QStringLiteral("oidc-provider did not start: %1")
                                .arg(QString::fromUtf8(m_server.readAllStandardError()))));
        m_tokenEndpoint = QUrl(ready.value(QStringLiteral("tokenEndpoint")).toString());
    }

    void cleanupTestCase()
    {
        if (m_server.state() != QProcess::NotRunning) {
            m_server.terminate();
            if (!m_server.waitForFinished(5000)) {
                m_server.kill();
                m_server.waitForFinished(5000);
            }
        }
    }

    void clientSecret_data()
    {
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<bool>("basic");
        QTest::newRow("client_secret_post") << QStringLiteral("secret-post-client") << false;
        QTest::newRow("client_secret_basic") << QStringLiteral("secret-basic-client") << true;
    }

    void clientSecret()
    {
        QFETCH(QString, clientId);
        QFETCH(bool, basic);
        TokenProviderOptions options;
        options.secretAsBasicAuth = basic;
        TokenProvider provider(options);
        TenantAccess access = tenant(clientId);
        access.app.clientSecret = crypto::SecretBytes(QByteArray(m_secret.constData(), m_secret.size()));
        auto token = provider.token(access);
        QVERIFY2(token.ok(),
                 qPrintable(token.ok() ? QString() : token.error().code + QLatin1Char(' ') + token.error().message));
        QVERIFY(!(*token)->value.isEmpty());
        QVERIFY((*token)->expiresAt > QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(provider.requestsMade(), 1);
        QCOMPARE(provider.token(access)->get(), token->get()); // cached
    }

    void wrongSecretIsAnAuthenticationError()
    {
        TokenProvider provider;
        TenantAccess access = tenant(QStringLiteral("secret-post-client"));
        access.app.clientSecret = crypto::SecretBytes(QByteArray("not-the-secret"));
        auto token = provider.token(access);
        QVERIFY(!token.ok());
        QCOMPARE(token.error().code, QString::fromLatin1(EntraGateway::kAuthentication));
        QCOMPARE(provider.requestsMade(), 1); // a refused credential is not retried
    }

    void certificateAssertion_data()
    {
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<bool>("pss");
        QTest::newRow("PS256 x5t#S256") << QStringLiteral("cert-ps256-client") << true;
        QTest::newRow("RS256 x5t") << QStringLiteral("cert-rs256-client") << false;
    }

    void certificateAssertion()
    {
        QFETCH(QString, clientId);
        QFETCH(bool, pss);
        TokenProvider provider;
        TenantAccess access = tenant(clientId);
        access.app.certificatePem = m_certificatePem;
        access.app.privateKeyPem = crypto::SecretBytes(QByteArray(m_privateKeyPem.constData(), m_privateKeyPem.size()));
        access.app.assertionAlgorithm
            = pss ? AppCredential::AssertionAlgorithm::PS256 : AppCredential::AssertionAlgorithm::RS256;
        auto token = provider.token(access);
        QVERIFY2(token.ok(),
                 qPrintable(token.ok() ? QString() : token.error().code + QLatin1Char(' ') + token.error().message));
        QVERIFY(!(*token)->value.isEmpty());

        // The server holds the client to its registered algorithm: the other one is refused.
        TokenProvider other;
        access.app.assertionAlgorithm
            = pss ? AppCredential::AssertionAlgorithm::RS256 : AppCredential::AssertionAlgorithm::PS256;
        auto refused = other.token(access);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QString::fromLatin1(EntraGateway::kAuthentication));
    }

    void assertionFromAnotherKeyIsRefused()
    {
        auto stranger = jwt::generateSelfSignedCertificate(QStringLiteral("stranger"),
                                                           QDateTime::currentMSecsSinceEpoch() - 60'000, 2);
        QVERIFY(stranger.ok());
        TokenProvider provider;
        TenantAccess access = tenant(QStringLiteral("cert-ps256-client"));
        access.app.certificatePem = stranger->certificatePem;
        access.app.privateKeyPem = std::move(stranger->privateKeyPem);
        auto token = provider.token(access);
        QVERIFY(!token.ok());
        QCOMPARE(token.error().code, QString::fromLatin1(EntraGateway::kAuthentication));
    }

private:
    TenantAccess tenant(const QString& clientId) const
    {
        TenantAccess access;
        access.endpoints.authority = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_tokenEndpoint.port()));
        access.endpoints.graph = QUrl(QStringLiteral("https://graph.interop.test"));
        access.endpoints.tokenEndpointOverride = m_tokenEndpoint;
        access.entraTenantId = QStringLiteral("interop.test");
        access.app.clientId = clientId;
        return access;
    }

    QTemporaryDir m_temp;
    QProcess m_server;
    QUrl m_tokenEndpoint;
    QByteArray m_secret;
    QByteArray m_certificatePem;
    QByteArray m_privateKeyPem;
};

QTEST_GUILESS_MAIN(TestTokenInterop)
#include "TestTokenInterop.moc"
