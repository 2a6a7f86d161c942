// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QUrl>
#include <optional>

namespace stint::models {
struct Tenant;
struct Checkout;
} // namespace stint::models

// Where a technician goes once access is ready: the Microsoft admin portals of one customer tenant, in the national
// cloud the tenant lives in, with the checkout's account as login_hint so that Microsoft's sign-in page starts at the
// right account (and the browser extension can fill the credential). Pure functions: the technician view's Launch
// menu and the command line (`stint launch`) build the same URLs from here.
//
// What is verified and what is not (protocols.md 1.7 and 3.3, and the sources named below): the hosts of the Azure
// portal per cloud are Microsoft's documentation; the Entra, Intune, Microsoft 365 and Exchange admin center hosts of
// the US Government and China clouds come from Microsoft's network-endpoint pages and widely used community lists.
// `login_hint` is documented for the sign-in endpoint, not for the portals: the portals pass it on to it in practice
// (community use, unverified against Microsoft's documentation). How a portal is told the tenant differs, and only
// the Azure portal's form is one protocols.md records from wide use: each link says so (`deepLinkVerified`).
namespace stint::client::portals {

enum class Portal
{
    EntraAdminCenter,
    AzurePortal,
    Microsoft365AdminCenter,
    IntuneAdminCenter,
    ExchangeAdminCenter,
};

// What a link needs: the tenant's national cloud ("global" | "usgov" | "china"), the tenant (its Entra id, else a
// verified domain) and the account to sign in as.
struct Target
{
    QString nationalCloud = QStringLiteral("global");
    QString tenant; // Entra tenant id (GUID) or a domain; may be empty (then the portal picks the account's home)
    QString loginHint; // the checkout account's UPN; may be empty

    // The target for a checkout of `tenant`: its national cloud, its Entra id (else its account domain, else the
    // domain of the UPN), and the account's UPN.
    static Target forCheckout(const models::Tenant& tenant, const models::Checkout& checkout);
};

struct Link
{
    Portal portal;
    QUrl url;
    // True where the tenant-selection form is the recorded one (the Azure portal's "#@tenant"); false where it is
    // community knowledge (Entra's ?tenant=, Intune's fragment) or there is none (Microsoft 365, Exchange).
    bool deepLinkVerified = false;
};

// In menu order; the first is the default (Ctrl+L).
QList<Portal> all();
inline constexpr Portal kDefault = Portal::EntraAdminCenter;

// Stable ids for the command line and settings: "entra", "azure", "m365", "intune", "exchange".
QString id(Portal portal);
std::optional<Portal> fromId(const QString& id);
// The portal's product name, translated ("Microsoft Entra admin center").
QString displayName(Portal portal);

// The link to `portal` for `target`. An unknown national cloud is treated as global (the cloud refuses other values).
Link link(Portal portal, const Target& target);
// The portal's home for a cloud, without tenant or hint: what the link's host is (for allow-lists and tests).
QUrl home(Portal portal, const QString& nationalCloud);

} // namespace stint::client::portals
