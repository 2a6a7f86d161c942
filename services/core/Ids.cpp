// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/Ids.h"

#include "core/Crypto.h"

namespace stint::ids {

QString newId(QStringView prefix)
{
    return prefix.toString() + QLatin1Char('_') + QString::fromLatin1(crypto::randomBytes(16).toHex());
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
