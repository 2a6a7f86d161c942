// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/StintInEntra.h"

#include <QUrlQuery>

namespace stint::test {

const QStringList& stintAppPermissions()
{
    static const QStringList permissions{QStringLiteral("Organization.Read.All"),
                                         QStringLiteral("Domain.Read.All"),
                                         QStringLiteral("User.ReadWrite.All"),
                                         QStringLiteral("User-PasswordProfile.ReadWrite.All"),
                                         QStringLiteral("User.DeleteRestore.All"),
                                         QStringLiteral("RoleManagement.ReadWrite.Directory"),
                                         QStringLiteral("UserAuthenticationMethod.ReadWrite.All"),
                                         QStringLiteral("Policy.Read.AuthenticationMethod")};
    return permissions;
}

QUrl signInUrl(const QString& authority, const QString& tenant, const QString& clientId, const QString& upn)
{
    QString base = authority;
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    QUrl url(base + QLatin1Char('/') + tenant + QStringLiteral("/oauth2/v2.0/authorize"));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("client_id"), clientId);
    q.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    q.addQueryItem(QStringLiteral("redirect_uri"), QStringLiteral("http://127.0.0.1:50000/stint/callback"));
    q.addQueryItem(QStringLiteral("scope"), QStringLiteral("openid"));
    q.addQueryItem(QStringLiteral("state"), QStringLiteral("s1"));
    q.addQueryItem(QStringLiteral("login_hint"), upn);
    q.addQueryItem(QStringLiteral("prompt"), QStringLiteral("login"));
    url.setQuery(q);
    return url;
}

} // namespace stint::test
