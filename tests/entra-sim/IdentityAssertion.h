// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "IdentityErrors.h"

#include "core/Clock.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <variant>

// Certificate client assertions (protocols.md 1.4): a JWT signed with the private key of a certificate registered
// on the app. Accepted: RS256 (RSASSA-PKCS1-v1_5) and PS256 (RSASSA-PSS, salt = digest length, JWA §3.5), each with
// the certificate named by `x5t` (base64url SHA-1 of the DER) or `x5t#S256` (base64url SHA-256); Microsoft's newest
// text pairs PS256 with x5t#S256 and its older text and samples pair RS256 with x5t; both pairs — and the crossed
// ones, which Entra also accepts — verify here.
namespace stint::entrasim {

inline constexpr auto kClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// What the token endpoint knows when it checks an assertion.
struct AssertionExpectations
{
    QString clientId;
    QStringList audiences; // `aud` must equal one of these: {base}/{tenantId}/oauth2/v2.0/token (by id or domain)
    TimeMs now = 0;
    qint64 skewMs = 5 * 60 * 1000; // Entra tolerates five minutes of clock skew on nbf/exp
    int maxBytes = 16 * 1024;
};

struct VerifiedAssertion
{
    QString jti;
    TimeMs expiresAt = 0; // keep the jti until then (plus skew) to refuse a replay
    QByteArray thumbprintSha1; // of the certificate that signed it
};

// Parses and verifies `assertion` against the app's registered certificates (PEM). The failure is the AADSTS
// error Entra answers with (invalid_client, 401, unless the JWT is not even well-formed: invalid_request, 400).
// Replay (a jti seen before) is for the caller to check: it owns the memory of used jtis.
std::variant<VerifiedAssertion, AadError> verifyClientAssertion(const QByteArray& assertion,
                                                                 const QList<QByteArray>& certificatePems,
                                                                 const AssertionExpectations& expected);

// base64url SHA-1 / SHA-256 of the DER of one PEM certificate; empty when the PEM is not a certificate.
QByteArray certificateThumbprintSha1(const QByteArray& pem);
QByteArray certificateThumbprintSha256(const QByteArray& pem);

} // namespace stint::entrasim
