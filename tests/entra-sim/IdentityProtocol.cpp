// SPDX-License-Identifier: GPL-3.0-or-later
#include "IdentityProtocol.h"

#include "core/Crypto.h"

#include <QStringDecoder>

namespace stint::entrasim {

namespace {

std::optional<QString> decodeComponent(QByteArray raw)
{
    raw.replace('+', ' ');
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i] != '%')
            continue;
        if (i + 2 >= raw.size() || !isxdigit(uchar(raw[i + 1])) || !isxdigit(uchar(raw[i + 2])))
            return std::nullopt;
    }
    const QByteArray bytes = QByteArray::fromPercentEncoding(raw);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringConverter::Flag::Stateless);
    QString text = decoder(bytes);
    if (decoder.hasError() || text.contains(QChar(0)))
        return std::nullopt;
    return text;
}

bool isLoopbackHost(const QString& host)
{
    return host == QLatin1String("localhost") || host == QLatin1String("127.0.0.1");
}

QString normalisedPath(const QUrl& url)
{
    const QString path = url.path(QUrl::FullyEncoded);
    return path.isEmpty() ? QStringLiteral("/") : path;
}

} // namespace

std::optional<FormFields> parseForm(const QByteArray& body, int maxFields)
{
    FormFields fields;
    for (const QByteArray& pair : body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        const auto name = decodeComponent(eq < 0 ? pair : pair.left(eq));
        const auto value = decodeComponent(eq < 0 ? QByteArray() : pair.mid(eq + 1));
        if (!name || !value || name->isEmpty() || formHas(fields, *name) || fields.size() >= maxFields)
            return std::nullopt;
        fields.append({*name, *value});
    }
    return fields;
}

QString formValue(const FormFields& fields, const QString& name)
{
    for (const auto& [key, value] : fields)
        if (key == name)
            return value;
    return {};
}

bool formHas(const FormFields& fields, const QString& name)
{
    for (const auto& field : fields)
        if (field.first == name)
            return true;
    return false;
}

QByteArray encodeForm(const FormFields& fields)
{
    QByteArray out;
    for (const auto& [key, value] : fields) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

bool isAcceptableRedirectUri(const QString& uri)
{
    if (uri.isEmpty() || uri.size() > 256)
        return false;
    for (const QChar c : QStringLiteral("!$'(),;"))
        if (uri.contains(c))
            return false;
    const QUrl url(uri, QUrl::StrictMode);
    if (!url.isValid() || url.isRelative() || url.hasFragment() || url.host().isEmpty() || !url.userInfo().isEmpty())
        return false;
    const QString scheme = url.scheme().toLower();
    const QString host = url.host().toLower();
    if (host == QLatin1String("::1"))
        return false;
    if (scheme == QLatin1String("https"))
        return true;
    return scheme == QLatin1String("http") && isLoopbackHost(host);
}

bool redirectUriMatches(const QString& requested, const QString& registered, RedirectMatch rule)
{
    if (!isAcceptableRedirectUri(requested) || !isAcceptableRedirectUri(registered))
        return false;
    const QUrl a(requested, QUrl::StrictMode);
    const QUrl b(registered, QUrl::StrictMode);
    if (a.scheme().compare(b.scheme(), Qt::CaseInsensitive) != 0)
        return false;
    const QString host = a.host().toLower();
    if (host != b.host().toLower())
        return false;
    if (!isLoopbackHost(host) && a.port(a.scheme() == QLatin1String("https") ? 443 : 80)
                                     != b.port(b.scheme() == QLatin1String("https") ? 443 : 80))
        return false;
    if (a.query(QUrl::FullyEncoded) != b.query(QUrl::FullyEncoded))
        return false;
    const QString pathA = normalisedPath(a);
    const QString pathB = normalisedPath(b);
    if (pathA == pathB)
        return true;
    if (rule != RedirectMatch::AllowExtraPathSegments)
        return false;
    const QString prefix = pathB.endsWith(QLatin1Char('/')) ? pathB : pathB + QLatin1Char('/');
    return pathA.startsWith(prefix) && !pathA.contains(QLatin1String("/../")) && !pathA.endsWith(QLatin1String("/.."));
}

std::optional<QString> matchRedirectUri(const QString& requested, const QStringList& registered, RedirectMatch rule)
{
    for (const QString& candidate : registered)
        if (redirectUriMatches(requested, candidate, rule))
            return candidate;
    return std::nullopt;
}

QUrl redirectTarget(const QString& requested)
{
    QUrl url(requested, QUrl::StrictMode);
    if (url.path().isEmpty())
        url.setPath(QStringLiteral("/"));
    return url;
}

std::optional<PkceMethod> parsePkceMethod(const QString& method)
{
    if (method.isEmpty() || method == QLatin1String("plain"))
        return PkceMethod::Plain;
    if (method == QLatin1String("S256"))
        return PkceMethod::S256;
    return std::nullopt;
}

bool isValidPkceString(const QString& value)
{
    if (value.size() < 43 || value.size() > 128)
        return false;
    for (const QChar c : value) {
        const bool ok = (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) || (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
                        || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-')
                        || c == QLatin1Char('.') || c == QLatin1Char('_') || c == QLatin1Char('~');
        if (!ok)
            return false;
    }
    return true;
}

bool pkceVerifierMatches(PkceMethod method, const QString& challenge, const QString& verifier)
{
    if (!isValidPkceString(verifier))
        return false;
    const QByteArray expected = method == PkceMethod::S256
                                    ? crypto::base64UrlEncode(crypto::sha256(verifier.toLatin1()))
                                    : verifier.toLatin1();
    return crypto::constantTimeEquals(expected, challenge.toLatin1());
}

QStringList splitScopes(const QString& scope)
{
    return scope.split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

bool isOidcScope(const QString& scope)
{
    return scope == QLatin1String("openid") || scope == QLatin1String("profile") || scope == QLatin1String("email")
           || scope == QLatin1String("offline_access");
}

QString scopeResource(const QString& scope)
{
    const qsizetype slash = scope.lastIndexOf(QLatin1Char('/'));
    if (slash <= 0)
        return QString::fromLatin1(kGraphResourceUri);
    return scope.left(slash);
}

bool isGraphResource(const QString& resource)
{
    QString r = resource;
    while (r.endsWith(QLatin1Char('/')))
        r.chop(1);
    return r.compare(QLatin1String(kGraphResourceUri), Qt::CaseInsensitive) == 0
           || r.compare(QLatin1String(kGraphResourceId), Qt::CaseInsensitive) == 0;
}

} // namespace stint::entrasim
