// SPDX-License-Identifier: GPL-3.0-or-later
// client::portals: the admin portal links of a tenant per national cloud, with the checkout account as login_hint and
// the tenant where the portal takes one; the target built from a tenant and checkout; ids round-trip.
#include "client/Portals.h"
#include "models/Checkout.h"
#include "models/Tenant.h"

#include <QtTest>

using namespace stint;
namespace portals = stint::client::portals;
using portals::Portal;

Q_DECLARE_METATYPE(stint::client::portals::Portal)

namespace {
const QString kTenantId = QStringLiteral("72f988bf-86f1-41af-91ab-2d7cd011db47");
const QString kUpn = QStringLiteral("stint-ada@contoso.onmicrosoft.com");
const QString kHint = QStringLiteral("login_hint=stint-ada%40contoso.onmicrosoft.com");
} // namespace

class TestPortals : public QObject
{
    Q_OBJECT
private slots:
    void link_data()
    {
        QTest::addColumn<Portal>("portal");
        QTest::addColumn<QString>("cloud");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<bool>("verified");

        const QString t = kTenantId;
        QTest::newRow("entra global") << Portal::EntraAdminCenter << "global"
                                      << "https://entra.microsoft.com/?tenant=" + t + "&" + kHint << false;
        QTest::newRow("entra usgov") << Portal::EntraAdminCenter << "usgov"
                                     << "https://entra.microsoft.us/?tenant=" + t + "&" + kHint << false;
        QTest::newRow("entra china") << Portal::EntraAdminCenter << "china"
                                     << "https://entra.microsoftonline.cn/?tenant=" + t + "&" + kHint << false;
        QTest::newRow("azure global") << Portal::AzurePortal << "global"
                                      << "https://portal.azure.com/?" + kHint + "#@" + t << true;
        QTest::newRow("azure usgov") << Portal::AzurePortal << "usgov"
                                     << "https://portal.azure.us/?" + kHint + "#@" + t << true;
        QTest::newRow("azure china") << Portal::AzurePortal << "china"
                                     << "https://portal.azure.cn/?" + kHint + "#@" + t << true;
        QTest::newRow("m365 global") << Portal::Microsoft365AdminCenter << "global"
                                     << "https://admin.microsoft.com/?" + kHint << false;
        QTest::newRow("m365 usgov") << Portal::Microsoft365AdminCenter << "usgov"
                                    << "https://portal.office365.us/adminportal/home?" + kHint << false;
        QTest::newRow("m365 china") << Portal::Microsoft365AdminCenter << "china"
                                    << "https://portal.partner.microsoftonline.cn/adminportal/home?" + kHint << false;
        QTest::newRow("intune global") << Portal::IntuneAdminCenter << "global"
                                       << "https://intune.microsoft.com/?" + kHint + "#@" + t << false;
        QTest::newRow("intune usgov") << Portal::IntuneAdminCenter << "usgov"
                                      << "https://intune.microsoft.us/?" + kHint + "#@" + t << false;
        QTest::newRow("intune china") << Portal::IntuneAdminCenter << "china"
                                      << "https://intune.microsoftonline.cn/?" + kHint + "#@" + t << false;
        QTest::newRow("exchange global") << Portal::ExchangeAdminCenter << "global"
                                         << "https://admin.exchange.microsoft.com/?" + kHint << false;
        QTest::newRow("exchange usgov") << Portal::ExchangeAdminCenter << "usgov"
                                        << "https://admin.exchange.office365.us/?" + kHint << false;
        QTest::newRow("exchange china") << Portal::ExchangeAdminCenter << "china"
                                        << "https://partner.outlook.cn/ecp/?" + kHint << false;
        // The cloud refuses other values; should one arrive anyway, the global hosts are used, never a made-up one.
        QTest::newRow("unknown cloud is global") << Portal::AzurePortal << "germany"
                                                 << "https://portal.azure.com/?" + kHint + "#@" + t << true;
    }

    void link()
    {
        QFETCH(Portal, portal);
        QFETCH(QString, cloud);
        QFETCH(QString, expected);
        QFETCH(bool, verified);
        const portals::Link l = portals::link(portal, {cloud, kTenantId, kUpn});
        QCOMPARE(l.url.toString(QUrl::FullyEncoded), expected);
        QVERIFY(l.url.isValid());
        QCOMPARE(l.url.scheme(), QStringLiteral("https"));
        QCOMPARE(l.portal, portal);
        QCOMPARE(l.deepLinkVerified, verified);
        // The host is the portal's home for that cloud.
        QCOMPARE(l.url.host(), portals::home(portal, cloud).host());
    }

    void hintIsOneEncodedValue_data()
    {
        QTest::addColumn<QString>("upn");
        QTest::newRow("plus") << "stint-a+b@contoso.com";
        QTest::newRow("ampersand and equals") << "x&tenant=evil@contoso.com";
        QTest::newRow("hash") << "x#@evil.example@contoso.com";
        QTest::newRow("space") << "a b@contoso.com";
    }

    // A hint with URL delimiters stays one query value: it cannot add parameters or move the tenant fragment.
    void hintIsOneEncodedValue()
    {
        QFETCH(QString, upn);
        for (Portal p : portals::all()) {
            const QUrl url = portals::link(p, {QStringLiteral("global"), kTenantId, upn}).url;
            const QUrlQuery query(url);
            QCOMPARE(query.queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded), upn);
            QCOMPARE(query.allQueryItemValues(QStringLiteral("tenant")).size(), p == Portal::EntraAdminCenter ? 1 : 0);
            if (p == Portal::AzurePortal || p == Portal::IntuneAdminCenter)
                QCOMPARE(url.fragment(), QLatin1Char('@') + kTenantId);
            else
                QVERIFY(!url.hasFragment());
        }
    }

    void emptyPartsAreLeftOut()
    {
        const portals::Target none {QStringLiteral("global"), {}, {}};
        QCOMPARE(portals::link(Portal::EntraAdminCenter, none).url.toString(),
                 QStringLiteral("https://entra.microsoft.com/"));
        QCOMPARE(portals::link(Portal::AzurePortal, none).url.toString(), QStringLiteral("https://portal.azure.com/"));
        QVERIFY(!portals::link(Portal::AzurePortal, none).deepLinkVerified);
        const portals::Target hintOnly {QStringLiteral("global"), {}, kUpn};
        QCOMPARE(portals::link(Portal::EntraAdminCenter, hintOnly).url.toString(QUrl::FullyEncoded),
                 QStringLiteral("https://entra.microsoft.com/?") + kHint);
    }

    void targetForCheckout_data()
    {
        QTest::addColumn<QString>("entraTenantId");
        QTest::addColumn<QString>("accountDomain");
        QTest::addColumn<QString>("upn");
        QTest::addColumn<QString>("expectedTenant");
        QTest::newRow("entra id first") << kTenantId << "contoso.com" << kUpn << kTenantId;
        QTest::newRow("then the account domain") << ""
                                                 << "contoso.com" << kUpn << "contoso.com";
        QTest::newRow("then the upn's domain") << ""
                                               << "" << kUpn << "contoso.onmicrosoft.com";
        QTest::newRow("nothing known") << ""
                                       << ""
                                       << ""
                                       << "";
    }

    void targetForCheckout()
    {
        QFETCH(QString, entraTenantId);
        QFETCH(QString, accountDomain);
        QFETCH(QString, upn);
        QFETCH(QString, expectedTenant);
        models::Tenant tenant;
        tenant.connection.nationalCloud = QStringLiteral("usgov");
        if (!entraTenantId.isEmpty())
            tenant.connection.entraTenantId = entraTenantId;
        if (!accountDomain.isEmpty())
            tenant.connection.accountDomain = accountDomain;
        models::Checkout checkout;
        if (!upn.isEmpty())
            checkout.accountUpn = upn;
        const portals::Target t = portals::Target::forCheckout(tenant, checkout);
        QCOMPARE(t.nationalCloud, QStringLiteral("usgov"));
        QCOMPARE(t.tenant, expectedTenant);
        QCOMPARE(t.loginHint, upn);
    }

    void idsRoundTrip()
    {
        QStringList seen;
        for (Portal p : portals::all()) {
            const QString id = portals::id(p);
            QVERIFY(!id.isEmpty());
            QVERIFY(!seen.contains(id));
            seen << id;
            QCOMPARE(portals::fromId(id), std::optional<Portal>(p));
            QCOMPARE(portals::fromId(id.toUpper() + QLatin1Char(' ')), std::optional<Portal>(p));
            QVERIFY(!portals::displayName(p).isEmpty());
        }
        QCOMPARE(portals::all().first(), portals::kDefault);
        QVERIFY(!portals::fromId(QStringLiteral("sharepoint")));
        QVERIFY(!portals::fromId(QString()));
    }
};

QTEST_GUILESS_MAIN(TestPortals)
#include "TestPortals.moc"
