// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "IdentityProtocol.h"

#include "core/Clock.h"

#include <QHash>
#include <QString>

#include <optional>

// What the identity side remembers between requests, all in memory and all bounded: sign-in flows in progress
// (one per authorize/consent request, named by an opaque `ctx` the pages post back), authorization codes, browser
// sessions (the ESTSAUTH cookies) and the client-assertion ids already redeemed.
namespace stint::entrasim {

enum class FlowKind
{
    Authorize, // /oauth2/v2.0/authorize
    AdminConsentV2, // /v2.0/adminconsent
    AdminConsentV1, // /adminconsent
};

enum class FlowStep
{
    Username,
    Password,
    TemporaryAccessPass,
    StaySignedIn,
    Consent,
};

struct SignInFlow
{
    QString ctx;
    FlowKind kind = FlowKind::Authorize;
    QString tenantSegment; // as requested: common, organizations, a GUID or a domain
    QString clientId;
    QString redirectUri; // as requested (already matched against the registration)
    QString state;
    QString scope;
    QString nonce;
    QString responseMode = QStringLiteral("query");
    QString prompt;
    QString loginHint;
    QString codeChallenge;
    std::optional<PkceMethod> codeChallengeMethod; // set when a challenge was given
    FlowStep step = FlowStep::Username;
    QString userTenantId; // after the username step
    QString userId;
    QString upn;
    bool staySignedIn = false;
    TimeMs createdAt = 0;
    TimeMs expiresAt = 0;
};

struct AuthorizationCode
{
    QString clientId;
    QString tenantId;
    QString userId;
    QString redirectUri;
    QString scope;
    QString nonce;
    QString codeChallenge;
    std::optional<PkceMethod> codeChallengeMethod;
    TimeMs issuedAt = 0;
    TimeMs expiresAt = 0;
    bool redeemed = false;
};

struct BrowserSession
{
    QString tenantId;
    QString userId;
    TimeMs createdAt = 0;
    TimeMs expiresAt = 0;
};

struct IdentityMemory
{
    // Bounds: a hostile client cannot make the simulator grow without limit.
    static constexpr int kMaxEntries = 20000;
    static constexpr qint64 kFlowLifetimeMs = 15 * 60 * 1000;
    static constexpr qint64 kCodeLifetimeMs = 10 * 60 * 1000; // "Codes expire after about 10 minutes" (1.2)
    static constexpr qint64 kCodeMemoryMs = 60 * 60 * 1000; // remember redeemed codes an hour to answer 54005
    static constexpr qint64 kSessionLifetimeMs = 24 * 60 * 60 * 1000;

    QHash<QString, SignInFlow> flows; // by ctx
    QHash<QString, AuthorizationCode> codes; // by code
    QHash<QString, BrowserSession> sessions; // by cookie value
    QHash<QString, TimeMs> redeemedAssertions; // "clientId|jti" → forget after

    void prune(TimeMs now)
    {
        for (auto it = flows.begin(); it != flows.end();)
            it = it->expiresAt <= now ? flows.erase(it) : std::next(it);
        for (auto it = codes.begin(); it != codes.end();)
            it = it->issuedAt + kCodeMemoryMs <= now ? codes.erase(it) : std::next(it);
        for (auto it = sessions.begin(); it != sessions.end();)
            it = it->expiresAt <= now ? sessions.erase(it) : std::next(it);
        for (auto it = redeemedAssertions.begin(); it != redeemedAssertions.end();)
            it = it.value() <= now ? redeemedAssertions.erase(it) : std::next(it);
    }
    bool full() const
    {
        return flows.size() >= kMaxEntries || codes.size() >= kMaxEntries || sessions.size() >= kMaxEntries
               || redeemedAssertions.size() >= kMaxEntries;
    }
    void clear() { *this = IdentityMemory(); }
};

} // namespace stint::entrasim
