// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/AdminSession.h"

QString enrollWithInvite(CloudProcess& cloud, SoftAuthenticator& key, const QString& inviteToken)
{
    const HttpResult begin = cloud.post(QStringLiteral("/v1/auth/register/begin"), {{QStringLiteral("inviteToken"), inviteToken}});
    if (begin.status != 200) {
        qWarning() << "register/begin:" << begin.status << begin.body;
        return {};
    }
    const HttpResult done = cloud.post(
        QStringLiteral("/v1/auth/register/finish"),
        {{QStringLiteral("ceremonyId"), begin.json.value(QLatin1String("ceremonyId"))},
         {QStringLiteral("credential"), key.create(begin.json.value(QLatin1String("publicKey")).toObject())}});
    if (done.status != 200) {
        qWarning() << "register/finish:" << done.status << done.body;
        return {};
    }
    return done.json.value(QLatin1String("token")).toString();
}
