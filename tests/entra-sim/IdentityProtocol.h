// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

// The small protocol rules of the identity endpoints, each a pure function: form bodies, redirect-URI matching
// (protocols.md 1.6), PKCE (RFC 7636, protocols.md 1.2) and scopes (1.3).
namespace stint::entrasim {

// ---- application/x-www-form-urlencoded ----------------------------------------------------------------------------

// A parsed form: name → value, each name once. std::nullopt for a malformed body: a bad percent escape, invalid
// UTF-8, an empty or repeated name, more than `maxFields` fields.
using FormFields = QList<QPair<QString, QString>>;
std::optional<FormFields> parseForm(const QByteArray& body, int maxFields = 64);
QString formValue(const FormFields& fields, const QString& name);
bool formHas(const FormFields& fields, const QString& name);
QByteArray encodeForm(const FormFields& fields);

// ---- redirect URIs -------------------------------------------------------------------------------------------------

enum class RedirectMatch
{
    Exact, // v2 endpoints: the registered URI exactly (loopback port ignored)
    AllowExtraPathSegments, // the v1 admin-consent endpoint: "it can have additional path segments"
};

// True for a URI Entra accepts at all: absolute, https, or http only for the hosts `localhost` and `127.0.0.1`; no
// fragment; none of the characters reply-url.md lists as unsupported; at most 256 characters. `[::1]` is refused
// ("The IPv6 loopback address ([::1]) is not currently supported").
bool isAcceptableRedirectUri(const QString& uri);

// Does `requested` match `registered`? Scheme and host compare case-insensitively, the path case-sensitively
// (an empty path counts as "/"), the query exactly. For the loopback hosts localhost and 127.0.0.1 the port is
// ignored (RFC 8252 §7.3, reply-url.md); localhost and 127.0.0.1 are different hosts (protocols.md 1.6).
bool redirectUriMatches(const QString& requested, const QString& registered, RedirectMatch rule);

// The first registered URI that `requested` matches, if any.
std::optional<QString> matchRedirectUri(const QString& requested, const QStringList& registered, RedirectMatch rule);

// Where Entra sends the browser: the requested URI, with "/" added when it has no path (reply-url.md).
QUrl redirectTarget(const QString& requested);

// ---- PKCE ------------------------------------------------------------------------------------------------------------

enum class PkceMethod
{
    Plain,
    S256
};

// `code_challenge_method` as given ("" means plain, protocols.md 1.2); std::nullopt when unknown.
std::optional<PkceMethod> parsePkceMethod(const QString& method);
// RFC 7636 §4.1/4.2: 43–128 characters of [A-Za-z0-9-._~].
bool isValidPkceString(const QString& value);
bool pkceVerifierMatches(PkceMethod method, const QString& challenge, const QString& verifier);

// ---- scopes ----------------------------------------------------------------------------------------------------------

// Space-separated scope list, empty items dropped.
QStringList splitScopes(const QString& scope);
bool isOidcScope(const QString& scope); // openid, profile, email, offline_access

// Microsoft Graph as a resource: https://graph.microsoft.com or its app id 00000003-0000-0000-c000-000000000000.
inline constexpr auto kGraphResourceUri = "https://graph.microsoft.com";
inline constexpr auto kGraphResourceId = "00000003-0000-0000-c000-000000000000";
// The resource part of a scope ("https://graph.microsoft.com/User.Read" → "https://graph.microsoft.com"); a bare
// name such as "User.Read" belongs to Graph (Entra's default resource).
QString scopeResource(const QString& scope);
bool isGraphResource(const QString& resource);

} // namespace stint::entrasim
