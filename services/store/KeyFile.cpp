// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/KeyFile.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stint::store {

Result<void> createKeyFile(const QString& path)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return makeError(QStringLiteral("store.key_exists"),
                             QStringLiteral("%1 already exists; refusing to replace a key.").arg(path));
        return makeError(QStringLiteral("store.key_write_failed"),
                         QStringLiteral("Cannot create %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno))));
    }
    QByteArray key = crypto::randomBytes(32);
    QByteArray text = key.toHex() + '\n';
    crypto::wipe(key);
    qsizetype written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.constData() + written, size_t(text.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        written += n;
    }
    crypto::wipe(text);
    const bool ok = written == 65 && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
        QFile::remove(path);
        return makeError(QStringLiteral("store.key_write_failed"), QStringLiteral("Cannot write %1").arg(path));
    }
    return {};
}

Result<crypto::SecretBytes> loadKeyFile(const QString& path)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return makeError(QStringLiteral("store.key_missing"),
                         QStringLiteral("Cannot read the key file %1: %2")
                             .arg(path, QString::fromLocal8Bit(strerror(errno))));
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return makeError(QStringLiteral("store.key_malformed"), QStringLiteral("%1 is not a file.").arg(path));
    }
    if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return makeError(QStringLiteral("store.key_permissions"),
                         QStringLiteral("The key file %1 is accessible to other users (mode %2); "
                                        "run 'chmod 600 %1'.")
                             .arg(path)
                             .arg(st.st_mode & 0777, 3, 8, QLatin1Char('0')));
    }
    QByteArray text(128, Qt::Uninitialized);
    ssize_t n;
    do {
        n = ::read(fd, text.data(), size_t(text.size()));
    } while (n < 0 && errno == EINTR);
    ::close(fd);
    text.resize(n < 0 ? 0 : n);
    QByteArray trimmed = text.trimmed();
    crypto::wipe(text);
    bool hex = trimmed.size() == 64;
    for (char c : trimmed)
        hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
    if (!hex) {
        crypto::wipe(trimmed);
        return makeError(QStringLiteral("store.key_malformed"),
                         QStringLiteral("%1 does not hold a 256-bit key (64 hex digits).").arg(path));
    }
    crypto::SecretBytes key(QByteArray::fromHex(trimmed));
    crypto::wipe(trimmed);
    return key;
}

crypto::SecretBytes deriveKey(const crypto::SecretBytes& master, QByteArrayView purpose)
{
    return crypto::SecretBytes(crypto::hmacSha256(master.bytes(), QByteArray("stint:") + purpose.toByteArray()));
}

} // namespace stint::store
