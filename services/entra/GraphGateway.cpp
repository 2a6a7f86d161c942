// SPDX-License-Identifier: GPL-3.0-or-later
#include "entra/GraphGateway.h"

// PLACEHOLDER until the Graph gateway lands: every call fails with a transient error, so the engine retries.
namespace stint::entra {
namespace {

Error notYet()
{
    return makeError(QString::fromLatin1(EntraGateway::kTransient), QStringLiteral("The Graph gateway is not built yet"));
}

class GraphGateway final : public EntraGateway
{
public:
    Result<ConnectionReport> inspect(const TenantAccess&) override { return notYet(); }
    Result<ProvisionResult> provision(const ProvisionRequest&) override { return notYet(); }
    Result<RevokeReport> revoke(const RevokeRequest&) override { return notYet(); }
    Result<QList<ManagedAccount>> listManagedAccounts(const TenantAccess&) override { return notYet(); }
};

} // namespace

std::unique_ptr<EntraGateway> makeGraphGateway(const GraphGatewayOptions&)
{
    return std::make_unique<GraphGateway>();
}

} // namespace stint::entra
