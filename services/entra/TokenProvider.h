// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "entra/EntraGateway.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

// App-only access tokens for Microsoft Graph (OAuth 2.0 client credentials, protocols.md 1.3/1.4): with a client
// secret or a certificate client assertion, cached per (token endpoint, tenant, client id, credential), refreshed
// early, fetched once however many threads ask at the same moment, and dropped when Graph says it is no good.
namespace stint::entra {

inline constexpr auto kTenantNotFound = "entra.tenant_not_found"; // AADSTS90002
inline constexpr auto kTokenRejected = "entra.token_rejected"; // any other refusal (invalid_scope …)
inline constexpr auto kInvalidTenant = "entra.invalid_tenant"; // not a tenant id or domain name

struct AccessToken
{
    crypto::SecretBytes value;
    TimeMs issuedAt = 0;
    TimeMs expiresAt = 0;
    // From the token's payload when it is a JWT (Graph's are). Decoded, not verified: for reporting and for the
    // tenant check only (Graph itself verifies the token on every call).
    QString tenantId; // tid
    QString objectId; // oid: the app's service principal in that tenant
    QStringList roles; // the application permissions granted
};

struct TokenProviderOptions
{
    const Clock* clock = nullptr; // nullptr: the system clock
    int requestTimeoutMs = 30'000;
    int maxAttempts = 3; // for transient failures of the token endpoint
    // Waits between attempts; tests inject one that does not sleep. Default: sleep the calling thread.
    std::function<void(qint64 ms)> sleep;
    // Send a client secret with HTTP Basic (RFC 6749 §2.3.1) rather than in the form body.
    bool secretAsBasicAuth = false;
};

class TokenProvider
{
public:
    explicit TokenProvider(TokenProviderOptions options = {});
    ~TokenProvider();

    // A token for Graph in `tenant`: from the cache while it has more than its refresh margin left, else fetched
    // (once, however many threads ask). Errors: entra.authentication, entra.tenant_not_found, entra.transient,
    // entra.unreachable, entra.token_rejected, entra.invalid_tenant, entra.bad_certificate, entra.bad_private_key.
    Result<std::shared_ptr<const AccessToken>> token(const TenantAccess& tenant);

    // Drops `token` from the cache (Graph answered 401 with it); the next token() fetches a new one. A token that was
    // already replaced by another thread is left alone.
    void invalidate(const TenantAccess& tenant, const std::shared_ptr<const AccessToken>& token);

    // Requests made to token endpoints so far (for tests and metrics).
    int requestsMade() const;

    // Builds a signed client assertion (protocols.md 1.4) for `audience`. Public for the tests and for code
    // redemption at onboarding.
    Result<QByteArray> clientAssertion(const AppCredential& app, const QUrl& audience) const;

    // The form fields (and headers) that authenticate the app at a token endpoint, for any grant.
    struct ClientAuthentication
    {
        QByteArray formFields; // "client_id=…&client_secret=…" or the assertion fields; a secret: wipe after use
        QByteArray authorizationHeader;
    };
    Result<ClientAuthentication> clientAuthentication(const AppCredential& app, const QUrl& tokenEndpoint) const;

private:
    struct Flight;
    struct Entry;

    Result<std::shared_ptr<const AccessToken>> fetch(const TenantAccess& tenant, const QUrl& endpoint);
    QString cacheKey(const TenantAccess& tenant, const QUrl& endpoint) const;
    TimeMs now() const;

    TokenProviderOptions m_options;
    SystemClock m_systemClock;
    mutable std::mutex m_mutex;
    std::condition_variable m_flightDone;
    QHash<QString, std::shared_ptr<Entry>> m_entries;
    std::atomic<int> m_requests {0};
};

// Maps an error response of a token endpoint (protocols.md 1.3: error, error_description "AADSTSnnnn: …",
// error_codes) to a typed error. Public for tests.
Error tokenEndpointError(int httpStatus, const QByteArray& body);

// A tenant as it may appear in a URL path: a GUID or a DNS name (letters, digits, '-', '.').
bool isValidTenantSegment(const QString& tenant);

} // namespace stint::entra
