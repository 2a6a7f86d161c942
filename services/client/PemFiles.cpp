// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/PemFiles.h"

#include "core/PublicKey.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcPemFiles, "stint.client.pemfiles")

namespace stint::client {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(stint::client::PemFiles)
};

// One "-----BEGIN <label>-----" … "-----END <label>-----" block: where it starts and ends in the text.
struct Block
{
    QByteArray label;
    qsizetype begin = 0; // at "-----BEGIN"
    qsizetype end = 0; // after "-----END <label>-----"
    qsizetype bodyBegin = 0;
    qsizetype bodyEnd = 0;
};

constexpr QByteArrayView kBegin = "-----BEGIN ";
constexpr QByteArrayView kEnd = "-----END ";
constexpr QByteArrayView kDashes = "-----";
// rsaEncryption (1.2.840.113549.1.1.1) as DER: how a PKCS#8 key says it is RSA.
constexpr QByteArrayView kRsaOid = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01";

// The blocks of `text` in order; a BEGIN without its END makes the text malformed (nullopt).
std::optional<QList<Block>> blocksOf(QByteArrayView text)
{
    QList<Block> out;
    qsizetype from = 0;
    while (true) {
        const qsizetype begin = text.indexOf(kBegin, from);
        if (begin < 0)
            return out;
        const qsizetype labelStart = begin + kBegin.size();
        const qsizetype labelEnd = text.indexOf(kDashes, labelStart);
        if (labelEnd < 0)
            return std::nullopt;
        Block b;
        b.label = text.sliced(labelStart, labelEnd - labelStart).toByteArray();
        b.begin = begin;
        b.bodyBegin = labelEnd + kDashes.size();
        const QByteArray endMarker = kEnd.toByteArray() + b.label + kDashes.toByteArray();
        b.bodyEnd = text.indexOf(endMarker, b.bodyBegin);
        if (b.bodyEnd < 0 || b.label.contains('\n'))
            return std::nullopt;
        b.end = b.bodyEnd + endMarker.size();
        out.append(b);
        from = b.end;
    }
}

// The base64 body of a block, decoded; headers such as "Proc-Type:" make it nullopt (the caller checks for them).
std::optional<QByteArray> decodeBody(QByteArrayView text, const Block& b)
{
    QByteArray base64;
    base64.reserve(b.bodyEnd - b.bodyBegin);
    for (char c : text.sliced(b.bodyBegin, b.bodyEnd - b.bodyBegin)) {
        if (c == '\n' || c == '\r' || c == ' ' || c == '\t')
            continue;
        base64.append(c);
    }
    auto decoded = QByteArray::fromBase64Encoding(base64, QByteArray::AbortOnBase64DecodingErrors);
    crypto::wipe(base64);
    if (!decoded || decoded.decoded.isEmpty())
        return std::nullopt;
    return std::move(decoded.decoded);
}

bool isKeyLabel(const QByteArray& label)
{
    return label.endsWith("PRIVATE KEY");
}

Error error(const char* code, const QString& message)
{
    return Error {QString::fromLatin1(code), message, {}};
}

// Reads at most kMaxFileBytes + 1 bytes, unbuffered (no copy in QFile's buffer), into memory the caller wipes.
Result<QByteArray> readSmallFile(const QString& path)
{
    const QString name = QFileInfo(path).fileName();
    QFile file(path);
    if (path.isEmpty())
        return error(PemFiles::kUnreadable, Tr::tr("Choose a file."));
    if (QFileInfo(path).isDir())
        return error(PemFiles::kUnreadable, Tr::tr("%1 is a folder, not a file.").arg(name));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return error(PemFiles::kUnreadable, Tr::tr("Stint cannot read %1: %2.").arg(name, file.errorString()));
    QByteArray bytes(PemFiles::kMaxFileBytes + 1, Qt::Uninitialized);
    qsizetype got = 0;
    while (got < bytes.size()) {
        const qint64 n = file.read(bytes.data() + got, bytes.size() - got);
        if (n < 0) {
            crypto::wipe(bytes);
            return error(PemFiles::kUnreadable, Tr::tr("Stint cannot read %1: %2.").arg(name, file.errorString()));
        }
        if (n == 0)
            break;
        got += n;
    }
    if (got > PemFiles::kMaxFileBytes) {
        crypto::wipe(bytes);
        return error(PemFiles::kTooLarge,
                     Tr::tr("%1 is larger than a PEM certificate or key can be (%2 KiB at most). Choose the right "
                            "file.")
                         .arg(name)
                         .arg(PemFiles::kMaxFileBytes / 1024));
    }
    // Shrinking in place keeps the one buffer (no copy left behind unwiped).
    bytes.truncate(got);
    return bytes;
}

} // namespace

Result<QString> PemFiles::certificateFrom(QByteArrayView text)
{
    const auto blocks = blocksOf(text);
    if (!blocks)
        return error(kMalformed, Tr::tr("The file is not a complete PEM file: a BEGIN line has no matching END line."));
    QByteArray certificates;
    bool sawKey = false;
    for (const Block& b : *blocks) {
        if (isKeyLabel(b.label)) {
            sawKey = true;
            continue;
        }
        if (b.label != "CERTIFICATE")
            continue;
        const auto der = decodeBody(text, b);
        if (!der)
            return error(kMalformed,
                         Tr::tr("The certificate in the file is damaged (its base64 text does not decode)."));
        if (certificates.isEmpty()) {
            if (auto parsed = crypto::Certificate::fromDer(*der); !parsed)
                return error(kMalformed,
                             Tr::tr("The file holds something marked as a certificate that is not a valid "
                                    "X.509 certificate."));
        }
        certificates += text.sliced(b.begin, b.end - b.begin).toByteArray() + '\n';
    }
    if (certificates.isEmpty()) {
        return error(kNotCertificate,
                     sawKey ? Tr::tr("This file holds a private key, not a certificate. Choose the "
                                     "certificate (.pem, .crt or .cer in PEM form).")
                            : Tr::tr("This file holds no PEM certificate (a block starting "
                                     "\"-----BEGIN CERTIFICATE-----\"). A DER .cer file must be "
                                     "converted to PEM first."));
    }
    return QString::fromLatin1(certificates);
}

Result<crypto::SecretBytes> PemFiles::privateKeyFrom(QByteArrayView text)
{
    const auto blocks = blocksOf(text);
    if (!blocks)
        return error(kMalformed, Tr::tr("The file is not a complete PEM file: a BEGIN line has no matching END line."));
    bool sawCertificate = false;
    for (const Block& b : *blocks) {
        if (b.label == "CERTIFICATE")
            sawCertificate = true;
        if (!isKeyLabel(b.label))
            continue;
        const QByteArrayView body = text.sliced(b.bodyBegin, b.bodyEnd - b.bodyBegin);
        if (b.label == "ENCRYPTED PRIVATE KEY" || body.contains(QByteArrayView("Proc-Type:")))
            return error(kEncryptedKey,
                         Tr::tr("The private key is protected by a password. Stint needs it without "
                                "one (it seals the key in the service); export it unencrypted, for "
                                "example with \"openssl pkey -in key.pem -out plain.pem\"."));
        if (b.label != "PRIVATE KEY" && b.label != "RSA PRIVATE KEY")
            return error(kNotPrivateKey,
                         Tr::tr("The key is not an RSA key (%1). Microsoft Entra accepts only RSA "
                                "certificates for app sign-in.")
                             .arg(QString::fromLatin1(b.label)));
        auto der = decodeBody(text, b);
        if (!der)
            return error(kMalformed,
                         Tr::tr("The private key in the file is damaged (its base64 text does not "
                                "decode)."));
        const bool rsa = b.label == "RSA PRIVATE KEY" || der->contains(kRsaOid);
        crypto::wipe(*der);
        if (!rsa)
            return error(kNotPrivateKey,
                         Tr::tr("The key is not an RSA key. Microsoft Entra accepts only RSA "
                                "certificates for app sign-in."));
        QByteArray pem(text.sliced(b.begin, b.end - b.begin).data(), b.end - b.begin);
        pem.append('\n');
        return crypto::SecretBytes(std::move(pem));
    }
    return error(kNotPrivateKey,
                 sawCertificate ? Tr::tr("This file holds a certificate, not its private key. Choose "
                                         "the key file (often .key or .pem).")
                                : Tr::tr("This file holds no PEM private key (a block starting "
                                         "\"-----BEGIN PRIVATE KEY-----\")."));
}

Result<QString> PemFiles::readCertificate(const QString& path)
{
    auto bytes = readSmallFile(path);
    if (!bytes)
        return bytes.error();
    auto out = certificateFrom(*bytes);
    // A combined file holds the key too.
    crypto::wipe(*bytes);
    if (!out)
        qCInfo(lcPemFiles) << "certificate file refused:" << out.error().code;
    return out;
}

Result<crypto::SecretBytes> PemFiles::readPrivateKey(const QString& path)
{
    auto bytes = readSmallFile(path);
    if (!bytes)
        return bytes.error();
    auto out = privateKeyFrom(*bytes);
    crypto::wipe(*bytes);
    if (!out)
        qCInfo(lcPemFiles) << "key file refused:" << out.error().code;
    return out;
}

} // namespace stint::client
