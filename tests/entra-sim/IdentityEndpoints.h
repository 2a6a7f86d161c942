// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "IdentityErrors.h"
#include "IdentityFlows.h"
#include "SimHttp.h"

#include <QString>
#include <QUrl>

// login.microsoftonline.com as the simulator plays it (protocols.md section 1; pages/README-identity.md lists every
// behaviour with its source):
//   POST /{tenant}/oauth2/v2.0/token              client_credentials (secret or certificate assertion),
//                                                 authorization_code (+ PKCE)            — IdentityTokenEndpoint.cpp
//   GET  /{tenant}/oauth2/v2.0/authorize          auth code flow, the sign-in pages      — IdentitySignIn.cpp
//   GET  /{tenant}/v2.0/adminconsent, /{tenant}/adminconsent   admin consent v2 and v1    — IdentitySignIn.cpp
//   POST /{tenant}/login                          the pages' form posts                   — IdentitySignIn.cpp
//   GET  /{tenant}/v2.0/.well-known/openid-configuration, /{tenant}/discovery/v2.0/keys   — here
// The Simulator constructs one and calls handle() for every request whose first path segment is not "v1.0",
// "beta" or "_sim"; faults (latency, drops, 5xx) are applied around it by the Simulator.
namespace stint::entrasim {

class Simulator;
struct SimApp;
struct SimTenant;
struct SimUser;

class IdentityEndpoints
{
public:
    explicit IdentityEndpoints(Simulator& simulator);

    // `tenantSegment` is the first path segment ("common", a GUID or a domain); `rest` the path after it
    // ("/oauth2/v2.0/token").
    SimResponse handle(const SimRequest& request, const QString& tenantSegment, const QString& rest);

    // Forgets flows, codes, sessions and redeemed assertion ids (Simulator::reset).
    void reset() { m_memory.clear(); }

private:
    // ---- shared ----
    TimeMs now() const;
    QString baseUrl() const;
    static bool isAuthorityAlias(const QString& tenantSegment); // common, organizations, consumers
    SimResponse tokenError(const AadError& error, const AadTrace& trace) const;

    // ---- discovery ----
    SimResponse openidConfiguration(const QString& tenantSegment, const AadTrace& trace);
    SimResponse keys();

    // ---- token endpoint (IdentityTokenEndpoint.cpp) ----
    SimResponse token(const SimRequest& request, const QString& tenantSegment, const AadTrace& trace);
    struct ClientAuthentication
    {
        bool presented = false; // a secret or an assertion came
        int appidacr = 0; // 0 public, 1 secret, 2 certificate
    };
    // Checks the client's credential; std::nullopt on success (and fills `out`), else the error.
    std::optional<AadError> authenticateClient(const QString& clientId, const QString& secret,
                                               const QString& assertionType, const QString& assertion,
                                               const SimApp& app, const SimTenant* tenant, bool requireCredential,
                                               ClientAuthentication& out);
    SimResponse clientCredentials(const FormFields& form, const QString& clientId, const QString& secret,
                                  const QString& tenantSegment, const AadTrace& trace);
    SimResponse authorizationCode(const FormFields& form, const QString& clientId, const QString& secret,
                                  const QString& tenantSegment, const AadTrace& trace);
    QByteArray userAccessToken(const AuthorizationCode& code, const SimUser& user, int appidacr) const;
    QByteArray idToken(const AuthorizationCode& code, const SimUser& user) const;

    // ---- authorize, admin consent and the pages (IdentitySignIn.cpp) ----
    SimResponse authorize(const SimRequest& request, const QString& tenantSegment, const AadTrace& trace);
    SimResponse adminConsent(const SimRequest& request, const QString& tenantSegment, FlowKind kind,
                             const AadTrace& trace);
    SimResponse loginPost(const SimRequest& request, const QString& tenantSegment, const AadTrace& trace);
    SimResponse showStep(const SignInFlow& flow, const QString& errorHtml = {});
    SimResponse afterCredential(SignInFlow& flow, const AadTrace& trace);
    SimResponse afterStaySignedIn(SignInFlow& flow, const AadTrace& trace, const QByteArray& cookie);
    SimResponse finish(SignInFlow& flow, const AadTrace& trace, const QByteArray& cookie);
    SimResponse consentAccepted(SignInFlow& flow, const AadTrace& trace);
    SimResponse redirectWithError(const SignInFlow& flow, const AadError& error, const AadTrace& trace);
    SimResponse redirectWith(const SignInFlow& flow, const QList<QPair<QString, QString>>& params);
    // The user a sign-in name denotes for this flow (tenant constraints applied), or nullptr.
    SimUser* findUser(const SignInFlow& flow, const QString& upn, QString* tenantId);
    bool temporaryAccessPassStep(const SimUser& user, const QString& tenantId) const;
    const BrowserSession* session(const SimRequest& request);

    Simulator& m_simulator;
    IdentityMemory m_memory;
};

} // namespace stint::entrasim
