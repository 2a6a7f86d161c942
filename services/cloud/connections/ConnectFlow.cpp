// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/connections/ConnectFlow.h"

#include <QRegularExpression>

namespace stint::cloud::connections {

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

bool sameRedirect(const QUrl& callback, const QUrl& redirectUri)
{
    return callback.scheme() == redirectUri.scheme() && callback.host() == redirectUri.host()
        && callback.port() == redirectUri.port() && callback.path() == redirectUri.path();
}

Result<QByteArray> sealVerifier(const crypto::SecretBytes& key, const crypto::SecretBytes& verifier,
                                const QByteArray& stateHash)
{
    return crypto::seal(key, verifier.bytes(), stateHash);
}

Result<crypto::SecretBytes> openVerifier(const crypto::SecretBytes& key, const QByteArray& sealedVerifier,
                                         const QByteArray& stateHash)
{
    if (sealedVerifier.isEmpty())
        return makeError(QStringLiteral("connection.no_verifier"), QStringLiteral("The flow kept no PKCE verifier."));
    return crypto::open(key, sealedVerifier, stateHash);
}

QString flowNonce(const QString& state)
{
    return QString::fromLatin1(crypto::base64UrlEncode(crypto::sha256("stint-connect-nonce:" + state.toUtf8())));
}

} // namespace stint::cloud::connections
