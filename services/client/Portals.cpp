// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/Portals.h"

#include "models/Checkout.h"
#include "models/Tenant.h"

#include <QCoreApplication>

namespace stint::client::portals {

namespace {

enum class Cloud
{
    Global,
    UsGov,
    China,
};

Cloud cloudOf(const QString& name)
{
    if (name == QLatin1String("usgov"))
        return Cloud::UsGov;
    if (name == QLatin1String("china"))
        return Cloud::China;
    return Cloud::Global;
}

// Hosts per cloud. Sources: Azure portal — Microsoft's national-cloud page (protocols.md 1.7). Entra admin center —
// Microsoft's Entra firewall list (*.entra.microsoft.us, *.entra.microsoftonline.cn). Intune and Microsoft 365 in
// China — Intune's network-endpoints page ("customer designated endpoints in China"). GCC High admin centers
// (portal.office365.us, admin.exchange.office365.us, intune.microsoft.us) — community lists (msportals.io and
// others); GCC High's DoD variant (portal.apps.mil) is not told apart from GCC High by the tenant's settings.
// Exchange in China — the classic admin center at partner.outlook.cn/ecp (Microsoft's hybrid wizard names it);
// a newer admin.exchange host there is unverified.
QString homeUrl(Portal portal, Cloud cloud)
{
    switch (portal) {
    case Portal::EntraAdminCenter:
        return cloud == Cloud::UsGov ? QStringLiteral("https://entra.microsoft.us/")
            : cloud == Cloud::China  ? QStringLiteral("https://entra.microsoftonline.cn/")
                                     : QStringLiteral("https://entra.microsoft.com/");
    case Portal::AzurePortal:
        return cloud == Cloud::UsGov ? QStringLiteral("https://portal.azure.us/")
            : cloud == Cloud::China  ? QStringLiteral("https://portal.azure.cn/")
                                     : QStringLiteral("https://portal.azure.com/");
    case Portal::Microsoft365AdminCenter:
        return cloud == Cloud::UsGov ? QStringLiteral("https://portal.office365.us/adminportal/home")
            : cloud == Cloud::China  ? QStringLiteral("https://portal.partner.microsoftonline.cn/adminportal/home")
                                     : QStringLiteral("https://admin.microsoft.com/");
    case Portal::IntuneAdminCenter:
        return cloud == Cloud::UsGov ? QStringLiteral("https://intune.microsoft.us/")
            : cloud == Cloud::China  ? QStringLiteral("https://intune.microsoftonline.cn/")
                                     : QStringLiteral("https://intune.microsoft.com/");
    case Portal::ExchangeAdminCenter:
        return cloud == Cloud::UsGov ? QStringLiteral("https://admin.exchange.office365.us/")
            : cloud == Cloud::China  ? QStringLiteral("https://partner.outlook.cn/ecp/")
                                     : QStringLiteral("https://admin.exchange.microsoft.com/");
    }
    return {};
}

QString domainOf(const QString& upn)
{
    const qsizetype at = upn.lastIndexOf(QLatin1Char('@'));
    return at < 0 ? QString() : upn.mid(at + 1);
}

} // namespace

Target Target::forCheckout(const models::Tenant& tenant, const models::Checkout& checkout)
{
    Target t;
    t.nationalCloud = tenant.connection.nationalCloud;
    t.loginHint = checkout.accountUpn.value_or(QString());
    if (tenant.connection.entraTenantId && !tenant.connection.entraTenantId->isEmpty())
        t.tenant = *tenant.connection.entraTenantId;
    else if (tenant.connection.accountDomain && !tenant.connection.accountDomain->isEmpty())
        t.tenant = *tenant.connection.accountDomain;
    else
        t.tenant = domainOf(t.loginHint);
    return t;
}

QList<Portal> all()
{
    return {Portal::EntraAdminCenter, Portal::AzurePortal, Portal::Microsoft365AdminCenter, Portal::IntuneAdminCenter,
            Portal::ExchangeAdminCenter};
}

QString id(Portal portal)
{
    switch (portal) {
    case Portal::EntraAdminCenter:
        return QStringLiteral("entra");
    case Portal::AzurePortal:
        return QStringLiteral("azure");
    case Portal::Microsoft365AdminCenter:
        return QStringLiteral("m365");
    case Portal::IntuneAdminCenter:
        return QStringLiteral("intune");
    case Portal::ExchangeAdminCenter:
        return QStringLiteral("exchange");
    }
    return {};
}

std::optional<Portal> fromId(const QString& text)
{
    for (Portal p : all()) {
        if (id(p) == text.trimmed().toLower())
            return p;
    }
    return std::nullopt;
}

QString displayName(Portal portal)
{
    switch (portal) {
    case Portal::EntraAdminCenter:
        return QCoreApplication::translate("stint::client::portals", "Microsoft Entra admin center");
    case Portal::AzurePortal:
        return QCoreApplication::translate("stint::client::portals", "Azure portal");
    case Portal::Microsoft365AdminCenter:
        return QCoreApplication::translate("stint::client::portals", "Microsoft 365 admin center");
    case Portal::IntuneAdminCenter:
        return QCoreApplication::translate("stint::client::portals", "Microsoft Intune admin center");
    case Portal::ExchangeAdminCenter:
        return QCoreApplication::translate("stint::client::portals", "Exchange admin center");
    }
    return {};
}

QUrl home(Portal portal, const QString& nationalCloud)
{
    return QUrl(homeUrl(portal, cloudOf(nationalCloud)));
}

Link link(Portal portal, const Target& target)
{
    QUrl url = home(portal, target.nationalCloud);
    QList<QPair<QString, QString>> query;
    // The tenant as the portal reads it: Entra's ?tenant= (protocols.md 3.3, community scripts), the Azure portal's
    // and Intune's "#@tenant" fragment (the Azure portal framework both run on; protocols.md 3.3 for the Azure
    // portal). The Microsoft 365 and Exchange admin centers take no tenant: the account lives in the customer's
    // tenant, so signing in as it lands there.
    if (portal == Portal::EntraAdminCenter && !target.tenant.isEmpty())
        query.append({QStringLiteral("tenant"), target.tenant});
    if (!target.loginHint.isEmpty())
        query.append({QStringLiteral("login_hint"), target.loginHint});
    if (!query.isEmpty()) {
        // Values percent-encoded whole: a UPN's '@' (and a '+', which form decoders read as a space) arrive intact.
        QString encoded;
        for (const auto& [key, value] : query) {
            if (!encoded.isEmpty())
                encoded += QLatin1Char('&');
            encoded += key + QLatin1Char('=') + QString::fromLatin1(QUrl::toPercentEncoding(value));
        }
        url.setQuery(encoded, QUrl::StrictMode);
    }
    const bool fragment = portal == Portal::AzurePortal || portal == Portal::IntuneAdminCenter;
    if (fragment && !target.tenant.isEmpty())
        url.setFragment(QLatin1Char('@') + target.tenant);
    // Only the Azure portal's "#@tenant" is a form protocols.md records from wide use; the rest is community use.
    return Link {portal, url, portal == Portal::AzurePortal && !target.tenant.isEmpty()};
}

} // namespace stint::client::portals
