// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/connections/ConnectFlow.h"

#include "core/Crypto.h"

#include <QRegularExpression>

namespace stint::cloud::connections {

namespace {
QString tenantSegment(const QString& tenantHint)
{
    // "common" is refused by the v2 admin consent endpoint; "organizations" lets any work account's tenant consent.
    return tenantHint.isEmpty() ? QStringLiteral("organizations") : tenantHint;
}

QString root(const QUrl& url)
{
    return url.toString(QUrl::StripTrailingSlash);
}
} // namespace

std::optional<QString> loopbackRedirectProblem(const QString& redirectUri)
{
    if (redirectUri.size() > 256)
        return QStringLiteral("must be at most 256 characters");
    static const QRegularExpression refused(QStringLiteral("[!$'(),;]"));
    if (refused.match(redirectUri).hasMatch())
        return QStringLiteral("must not contain any of ! $ ' ( ) , ;");
    const QUrl url(redirectUri, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != QLatin1String("http"))
        return QStringLiteral("must be an http:// loopback URL (RFC 8252), e.g. http://127.0.0.1:53123/callback");
    if (url.host() != QLatin1String("127.0.0.1") && url.host() != QLatin1String("localhost"))
        return QStringLiteral("must point to 127.0.0.1 or localhost (the desktop app's loopback listener)");
    if (url.port() < 1)
        return QStringLiteral("must name the port the desktop app listens on");
    if (!url.userInfo().isEmpty() || url.hasQuery() || url.hasFragment())
        return QStringLiteral("must not carry user info, a query or a fragment");
    if (url.path().isEmpty() || !url.path().startsWith(QLatin1Char('/')))
        return QStringLiteral("must have a path, e.g. /callback");
    return std::nullopt;
}

QUrl adminConsentUrl(const entra::CloudEndpoints& endpoints, const QString& clientId, const QString& tenantHint,
                     const QString& redirectUri, const QString& state)
{
    QUrl url(QStringLiteral("%1/%2/v2.0/adminconsent").arg(root(endpoints.authority), tenantSegment(tenantHint)));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("client_id"), clientId);
    q.addQueryItem(QStringLiteral("scope"), QString::fromUtf8(QUrl::toPercentEncoding(endpoints.defaultScope())));
    q.addQueryItem(QStringLiteral("redirect_uri"), QString::fromUtf8(QUrl::toPercentEncoding(redirectUri)));
    q.addQueryItem(QStringLiteral("state"), state);
    url.setQuery(q);
    return url;
}

QUrl authorizeUrl(const entra::CloudEndpoints& endpoints, const QString& clientId, const QString& tenantHint,
                  const QString& redirectUri, const QString& state, const QString& codeChallenge,
                  const QString& loginHint)
{
    QUrl url(QStringLiteral("%1/%2/oauth2/v2.0/authorize").arg(root(endpoints.authority), tenantSegment(tenantHint)));
    QUrlQuery q;
    q.addQueryItem(QStringLiteral("client_id"), clientId);
    q.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    q.addQueryItem(QStringLiteral("redirect_uri"), QString::fromUtf8(QUrl::toPercentEncoding(redirectUri)));
    q.addQueryItem(QStringLiteral("response_mode"), QStringLiteral("query"));
    q.addQueryItem(QStringLiteral("scope"), QStringLiteral("openid%20profile"));
    q.addQueryItem(QStringLiteral("state"), state);
    q.addQueryItem(QStringLiteral("code_challenge"), codeChallenge);
    q.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    if (!loginHint.isEmpty())
        q.addQueryItem(QStringLiteral("login_hint"), QString::fromUtf8(QUrl::toPercentEncoding(loginHint)));
    url.setQuery(q);
    return url;
}

QString pkceChallenge(const QByteArray& verifier)
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256(verifier)));
}

QString Callback::aadstsCode() const
{
    static const QRegularExpression code(QStringLiteral("AADSTS\\d+"));
    const auto m = code.match(errorDescription);
    return m.hasMatch() ? m.captured(0) : QString();
}

Callback parseCallback(const QUrlQuery& query)
{
    auto value = [&](const char* key) {
        return query.queryItemValue(QLatin1String(key), QUrl::FullyDecoded).replace(QLatin1Char('+'), QLatin1Char(' '));
    };
    Callback c;
    c.state = value("state").trimmed();
    c.code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    c.tenant = value("tenant").trimmed();
    // v2 sends "True" on success *and* on error; v1 only on success. It never decides success by itself.
    c.adminConsent = value("admin_consent").compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
    c.error = value("error").trimmed();
    c.errorDescription = value("error_description");
    return c;
}

bool sameRedirect(const QUrl& callback, const QUrl& redirectUri)
{
    return callback.scheme() == redirectUri.scheme() && callback.host() == redirectUri.host()
        && callback.port() == redirectUri.port() && callback.path() == redirectUri.path();
}

} // namespace stint::cloud::connections
