// SPDX-License-Identifier: GPL-3.0-or-later
// client::PemFiles: the certificate and key of a customer's own app registration, read from the files an admin
// picks. Each reader takes only its own blocks (a combined file never sends its key as the "certificate"), and every
// wrong file gets its own typed error: the other half of the pair, a password-protected or non-RSA key, a damaged or
// truncated PEM, a DER file, a folder, a missing or oversized file. Material is made here with OpenSSL.
#include "client/PemFiles.h"

#include <QTemporaryDir>
#include <QtTest>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace stint;
using client::PemFiles;

namespace {

QByteArray bioText(BIO* bio)
{
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    QByteArray out(data, n);
    BIO_free(bio);
    return out;
}

struct Material
{
    QByteArray certificatePem;
    QByteArray certificateDer;
    QByteArray keyPkcs8;
    QByteArray keyTraditional;
    QByteArray keyEncryptedPkcs8;
    QByteArray keyEncryptedTraditional;
    QByteArray ecKey;
};

Material makeMaterial()
{
    Material m;
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("stint test app"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());

    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, cert);
    m.certificatePem = bioText(b);
    unsigned char* der = nullptr;
    const int derLength = i2d_X509(cert, &der);
    m.certificateDer = QByteArray(reinterpret_cast<const char*>(der), derLength);
    OPENSSL_free(der);

    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    m.keyPkcs8 = bioText(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey_traditional(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    m.keyTraditional = bioText(b);
    char password[] = "correct horse";
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PKCS8PrivateKey(b, key, EVP_aes_256_cbc(), password, int(strlen(password)), nullptr, nullptr);
    m.keyEncryptedPkcs8 = bioText(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey_traditional(b, key, EVP_aes_256_cbc(), reinterpret_cast<unsigned char*>(password),
                                         int(strlen(password)), nullptr, nullptr);
    m.keyEncryptedTraditional = bioText(b);

    EVP_PKEY* ec = EVP_EC_gen("P-256");
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, ec, nullptr, nullptr, 0, nullptr, nullptr);
    m.ecKey = bioText(b);

    EVP_PKEY_free(ec);
    X509_free(cert);
    EVP_PKEY_free(key);
    return m;
}

int countOf(const QByteArray& haystack, const char* needle)
{
    return int(haystack.count(needle));
}

} // namespace

class TestPemFiles : public QObject
{
    Q_OBJECT
private:
    Material m;
    QTemporaryDir dir;

    QString write(const QString& name, const QByteArray& bytes)
    {
        const QString path = dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(bytes);
        return path;
    }

private slots:
    void initTestCase()
    {
        m = makeMaterial();
        QVERIFY(m.certificatePem.startsWith("-----BEGIN CERTIFICATE-----"));
        QVERIFY(m.keyPkcs8.startsWith("-----BEGIN PRIVATE KEY-----"));
        QVERIFY(m.keyTraditional.startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        QVERIFY(m.keyEncryptedPkcs8.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        QVERIFY(m.keyEncryptedTraditional.contains("Proc-Type: 4,ENCRYPTED"));
        QVERIFY(dir.isValid());
    }

    void certificateFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("code"); // empty: accepted
        QTest::addColumn<int>("certificates");
        Material& x = m;
        QTest::newRow("certificate") << x.certificatePem << QString() << 1;
        QTest::newRow("certificate, CRLF") << QByteArray(x.certificatePem).replace("\n", "\r\n") << QString() << 1;
        QTest::newRow("key then certificate (combined)") << x.keyPkcs8 + x.certificatePem << QString() << 1;
        QTest::newRow("certificate with chain") << x.certificatePem + x.certificatePem << QString() << 2;
        QTest::newRow("text around the block") << "subject=CN = x\n" + x.certificatePem + "trailer\n" << QString() << 1;
        QTest::newRow("the key instead") << x.keyPkcs8 << QString::fromLatin1(PemFiles::kNotCertificate) << 0;
        QTest::newRow("DER") << x.certificateDer << QString::fromLatin1(PemFiles::kNotCertificate) << 0;
        QTest::newRow("empty") << QByteArray() << QString::fromLatin1(PemFiles::kNotCertificate) << 0;
        QTest::newRow("truncated") << x.certificatePem.left(x.certificatePem.size() / 2)
                                   << QString::fromLatin1(PemFiles::kMalformed) << 0;
        QTest::newRow("damaged base64") << QByteArray(x.certificatePem).replace(40, 4, "!!!!")
                                        << QString::fromLatin1(PemFiles::kMalformed) << 0;
        QTest::newRow("not X.509 inside") << QByteArray(
            "-----BEGIN CERTIFICATE-----\n" + QByteArray(300, 'A').toBase64() + "\n-----END CERTIFICATE-----\n")
                                          << QString::fromLatin1(PemFiles::kMalformed) << 0;
        QTest::newRow("label without end dashes")
            << QByteArray("-----BEGIN CERTIFICATE\nAAAA\n") << QString::fromLatin1(PemFiles::kMalformed) << 0;
    }
    void certificateFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, code);
        QFETCH(int, certificates);
        const QString path = write(QStringLiteral("cert-%1.pem").arg(QTest::currentDataTag()), content);
        auto result = PemFiles::readCertificate(path);
        if (code.isEmpty()) {
            QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
            const QByteArray pem = result->toLatin1();
            QCOMPARE(countOf(pem, "-----BEGIN CERTIFICATE-----"), certificates);
            QVERIFY(!pem.contains("PRIVATE KEY")); // never the key of a combined file
            QVERIFY(pem.contains(m.certificatePem.mid(28, 64)));
        } else {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, code);
            QVERIFY(!result.error().message.isEmpty());
        }
    }

    void keyFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QByteArray>("label");
        Material& x = m;
        QTest::newRow("PKCS#8") << x.keyPkcs8 << QString() << QByteArray("PRIVATE KEY");
        QTest::newRow("traditional RSA") << x.keyTraditional << QString() << QByteArray("RSA PRIVATE KEY");
        QTest::newRow("certificate then key (combined)")
            << x.certificatePem + x.keyPkcs8 << QString() << QByteArray("PRIVATE KEY");
        QTest::newRow("the certificate instead")
            << x.certificatePem << QString::fromLatin1(PemFiles::kNotPrivateKey) << QByteArray();
        QTest::newRow("encrypted PKCS#8")
            << x.keyEncryptedPkcs8 << QString::fromLatin1(PemFiles::kEncryptedKey) << QByteArray();
        QTest::newRow("encrypted traditional")
            << x.keyEncryptedTraditional << QString::fromLatin1(PemFiles::kEncryptedKey) << QByteArray();
        QTest::newRow("EC key") << x.ecKey << QString::fromLatin1(PemFiles::kNotPrivateKey) << QByteArray();
        QTest::newRow("empty") << QByteArray() << QString::fromLatin1(PemFiles::kNotPrivateKey) << QByteArray();
        QTest::newRow("truncated") << x.keyPkcs8.left(x.keyPkcs8.size() - 30)
                                   << QString::fromLatin1(PemFiles::kMalformed) << QByteArray();
        QTest::newRow("damaged base64") << QByteArray(x.keyPkcs8).replace(60, 3, "***")
                                        << QString::fromLatin1(PemFiles::kMalformed) << QByteArray();
    }
    void keyFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, code);
        QFETCH(QByteArray, label);
        const QString path = write(QStringLiteral("key-%1.pem").arg(QTest::currentDataTag()), content);
        auto result = PemFiles::readPrivateKey(path);
        if (code.isEmpty()) {
            QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
            const QByteArray& pem = result->bytes();
            QVERIFY(pem.startsWith("-----BEGIN " + label + "-----"));
            QVERIFY(pem.trimmed().endsWith("-----END " + label + "-----"));
            QVERIFY(!pem.contains("CERTIFICATE")); // never the certificate of a combined file
        } else {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, code);
            QVERIFY(!result.error().message.isEmpty());
            // An error never quotes the key.
            QVERIFY(!result.error().message.contains(QString::fromLatin1(m.keyPkcs8.mid(40, 20))));
        }
    }

    void unreadableFiles_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<QString>("code");
        QTest::newRow("missing") << QStringLiteral("missing") << QString::fromLatin1(PemFiles::kUnreadable);
        QTest::newRow("folder") << QStringLiteral("folder") << QString::fromLatin1(PemFiles::kUnreadable);
        QTest::newRow("no path") << QStringLiteral("none") << QString::fromLatin1(PemFiles::kUnreadable);
        QTest::newRow("too large") << QStringLiteral("large") << QString::fromLatin1(PemFiles::kTooLarge);
        QTest::newRow("exactly the limit") << QStringLiteral("limit") << QString::fromLatin1(PemFiles::kNotCertificate);
    }
    void unreadableFiles()
    {
        QFETCH(QString, which);
        QFETCH(QString, code);
        QString path;
        if (which == QLatin1String("missing"))
            path = dir.filePath(QStringLiteral("does-not-exist.pem"));
        else if (which == QLatin1String("folder"))
            path = dir.path();
        else if (which == QLatin1String("large"))
            path = write(QStringLiteral("large.pem"), m.certificatePem + QByteArray(PemFiles::kMaxFileBytes, '\n'));
        else if (which == QLatin1String("limit"))
            path = write(QStringLiteral("limit.pem"), QByteArray(PemFiles::kMaxFileBytes, 'x'));
        auto certificate = PemFiles::readCertificate(path);
        QVERIFY(!certificate.ok());
        QCOMPARE(certificate.error().code, code);
        auto key = PemFiles::readPrivateKey(path);
        QVERIFY(!key.ok());
        QCOMPARE(key.error().code,
                 code == QLatin1String(PemFiles::kNotCertificate) ? QString::fromLatin1(PemFiles::kNotPrivateKey)
                                                                  : code);
    }
};

QTEST_GUILESS_MAIN(TestPemFiles)
#include "TestPemFiles.moc"
