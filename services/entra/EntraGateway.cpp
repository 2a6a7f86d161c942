// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/EntraGateway.h"

#include "entra/Onboarding.h"

namespace stint::entra {

QString CloudEndpoints::defaultScope() const
{
    QString root = graphResource.isEmpty() ? graph.toString(QUrl::StripTrailingSlash) : graphResource;
    while (root.endsWith(QLatin1Char('/')))
        root.chop(1);
    return root + QStringLiteral("/.default");
}

QUrl CloudEndpoints::tokenEndpoint(const QString& tenant) const
{
    if (!tokenEndpointOverride.isEmpty())
        return tokenEndpointOverride;
    QUrl url = authority;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QLatin1Char('/') + tenant + QStringLiteral("/oauth2/v2.0/token"));
    return url;
}

AppCredential AppCredential::clone() const
{
    AppCredential copy;
    copy.clientId = clientId;
    copy.clientSecret = crypto::SecretBytes(QByteArray(clientSecret.bytes().constData(), clientSecret.size()));
    copy.certificatePem = certificatePem;
    copy.privateKeyPem = crypto::SecretBytes(QByteArray(privateKeyPem.bytes().constData(), privateKeyPem.size()));
    copy.assertionAlgorithm = assertionAlgorithm;
    return copy;
}

TenantAccess TenantAccess::clone() const
{
    TenantAccess copy;
    copy.endpoints = endpoints;
    copy.entraTenantId = entraTenantId;
    copy.app = app.clone();
    return copy;
}

bool provesCredentialGone(const Error& error)
{
    return error.code == QLatin1String(EntraGateway::kAuthentication)
        && error.details.value(QLatin1String("credentialGone")).toBool();
}

bool ConnectionReport::healthy() const
{
    for (const HealthFinding& finding : findings) {
        if (finding.severity == HealthFinding::Severity::Error)
            return false;
    }
    return true;
}

Result<SignedInIdentity> EntraGateway::redeemAuthorizationCode(const CodeRedemption& redemption)
{
    onboarding::RedeemOptions options;
    options.clock = redemption.clock;
    options.expectedNonce = redemption.nonce;
    return onboarding::redeemAuthorizationCode(redemption.tenant.endpoints, redemption.tenant.entraTenantId,
                                               redemption.tenant.app, redemption.code, redemption.redirectUri,
                                               redemption.codeVerifier, options);
}

bool RevokeReport::confirmed(bool deleteRequested) const
{
    if (accountGone)
        return true;
    if (deleteRequested)
        return accountDeleted && roleAssignmentsRemoved;
    return roleAssignmentsRemoved && sessionsRevoked && accountDisabled && credentialInvalidated;
}

} // namespace stint::entra
