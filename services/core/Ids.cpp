// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Ids.h"

#include "core/Crypto.h"

namespace stint::ids {

QString newId(QStringView prefix)
{
    // 128 bits from the CSPRNG per id, never reused, drawn 32 ids at a time per thread: one RAND_bytes call for 512
    // bytes costs about what one for 16 does, and every request is named by a new id (a twentieth of a small read's
    // time went to drawing it). Ids are not secrets; they only must not be guessable.
    constexpr qsizetype kIdBytes = 16;
    constexpr qsizetype kPoolBytes = 32 * kIdBytes;
    thread_local QByteArray pool;
    thread_local qsizetype used = kPoolBytes;
    if (used == kPoolBytes) {
        pool = crypto::randomBytes(int(kPoolBytes));
        used = 0;
    }
    static constexpr char kHex[] = "0123456789abcdef";
    QString id;
    id.reserve(prefix.size() + 1 + 2 * kIdBytes);
    id.append(prefix).append(QLatin1Char('_'));
    for (qsizetype i = used; i < used + kIdBytes; ++i) {
        const auto b = static_cast<unsigned char>(pool.at(i));
        id.append(QLatin1Char(kHex[b >> 4])).append(QLatin1Char(kHex[b & 0xf]));
    }
    used += kIdBytes;
    return id;
}

bool isValidId(QStringView id, QStringView prefix)
{
    if (id.size() != prefix.size() + 33 || !id.startsWith(prefix) || id[prefix.size()] != QLatin1Char('_'))
        return false;
    for (QChar c : id.mid(prefix.size() + 1)) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

QString newToken()
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(32)));
}

QByteArray tokenHash(QStringView token)
{
    return crypto::sha256(token.toUtf8());
}

} // namespace stint::ids
