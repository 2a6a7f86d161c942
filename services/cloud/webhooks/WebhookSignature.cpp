// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/webhooks/WebhookSignature.h"

#include "core/Crypto.h"

#include <QList>

namespace stint::cloud::webhooks {

QByteArray signatureHeader(const QByteArray& secret, qint64 unixSeconds, const QByteArray& body)
{
    const QByteArray t = QByteArray::number(unixSeconds);
    return "t=" + t + ",v1=" + crypto::hmacSha256(secret, t + '.' + body).toHex();
}

bool verifySignature(const QByteArray& secret, const QByteArray& header, const QByteArray& body, qint64 nowSeconds,
                     qint64 toleranceSeconds)
{
    QByteArray t;
    QList<QByteArray> macs;
    for (const QByteArray& part : header.split(',')) {
        const QByteArray item = part.trimmed();
        if (item.startsWith("t="))
            t = item.mid(2);
        else if (item.startsWith("v1="))
            macs.append(item.mid(3));
    }
    bool ok = false;
    const qint64 when = t.toLongLong(&ok);
    if (!ok || macs.isEmpty() || qAbs(nowSeconds - when) > toleranceSeconds)
        return false;
    const QByteArray expected = crypto::hmacSha256(secret, t + '.' + body).toHex();
    for (const QByteArray& mac : macs) {
        if (crypto::constantTimeEquals(mac, expected))
            return true;
    }
    return false;
}

} // namespace stint::cloud::webhooks
