// SPDX-License-Identifier: GPL-3.0-or-later
// The admin view's tenants page against FakeCloud: the list and each tenant's health (findings with what to do);
// settings (verified domains, roles with privileged ones marked, naming preview, saved with the version read; a 409
// reloads the other admin's version and says so; a 422 lands under its field; a bad rule is refused before sending);
// adding a tenant; disconnecting (confirmed, naming the live checkouts it revokes first, finished once they have
// ended); connecting through the browser (admin consent; Microsoft's refusal; the customer's own app with a
// certificate read from PEM files, and the wrong file refused before anything is sent); an unreachable cloud.
#include "TestAdminFixture.h"
#include "client/ApiError.h"
#include "ui/admin/AdminView.h"
#include "ui/admin/ConfirmDialog.h"
#include "ui/admin/ConnectDialog.h"
#include "ui/admin/TenantSettingsDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QListView>
#include <QRadioButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

using namespace stint;
using namespace stint::test;
using ui::AdminView;

namespace {

models::ConnectionState stateWith(const models::Tenant& t, const QString& status,
                                  const QList<models::ConnectionFinding>& findings, TimeMs now)
{
    models::ConnectionState s;
    s.tenantId = t.id;
    s.status = status;
    s.entraTenantId = QStringLiteral("aaaabbbb-0000-cccc-1111-dddd2222eeee");
    s.nationalCloud = QStringLiteral("global");
    s.usesMultiTenantApp = true;
    s.multiTenantAppConfigured = true;
    models::ConnectionReport r;
    r.entraTenantId = *s.entraTenantId;
    r.displayName = t.name + QStringLiteral(" Ltd");
    r.domains
        = {{QStringLiteral("contoso.com"), true, false}, {QStringLiteral("contoso.onmicrosoft.com"), false, true}};
    r.roleDefinitions
        = {{kHelpdeskRole, QStringLiteral("Helpdesk Administrator"), QStringLiteral("Resets passwords"), true, true},
           {kUserAdminRole, QStringLiteral("User Administrator"), QStringLiteral("Manages users"), true, true},
           {kGlobalAdminRole, QStringLiteral("Global Administrator"), QStringLiteral("Everything"), true, true},
           {QStringLiteral("88d8e3e3-8f55-4a1e-953a-9b9898b8876b"), QStringLiteral("Directory Readers"),
            QStringLiteral("Reads"), true, false}};
    r.findings = findings;
    r.healthy = findings.isEmpty();
    r.checkedAt = now;
    s.report = r;
    s.checkedAt = now;
    return s;
}

struct Pem
{
    QByteArray certificate;
    QByteArray key;
};

Pem makePem()
{
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24 * 365);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("contoso stint app"),
                               -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509_sign(cert, key, EVP_sha256());
    auto text = [](BIO* b) {
        char* data = nullptr;
        const long n = BIO_get_mem_data(b, &data);
        QByteArray out(data, n);
        BIO_free(b);
        return out;
    };
    Pem pem;
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, cert);
    pem.certificate = text(b);
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    pem.key = text(b);
    X509_free(cert);
    EVP_PKEY_free(key);
    return pem;
}

QString labelText(QWidget* parent, const QString& name)
{
    auto* label = child<QLabel>(parent, name);
    return label ? label->text() : QStringLiteral("<no label %1>").arg(name);
}

QString statusText(QWidget* parent, const QString& statusName)
{
    auto* status = parent ? parent->findChild<QWidget*>(statusName) : nullptr;
    auto* label = status ? status->findChild<QLabel*>(QStringLiteral("actionStatusText")) : nullptr;
    return label && status->isVisible() ? label->text() : QString();
}

} // namespace

class TestAdminTenants : public QObject
{
    Q_OBJECT

    struct Screen
    {
        AdminWorld w;
        std::unique_ptr<AdminView> view;
        QWidget* page = nullptr;

        bool open()
        {
            if (!w.start())
                return false;
            view = std::make_unique<AdminView>(w.context);
            view->resize(1200, 760);
            view->show();
            page = view->findChild<QWidget*>(QStringLiteral("tenantsPage"));
            return page && QTest::qWaitForWindowExposed(view.get());
        }
        bool select(const QString& name) { return selectRow(page, QStringLiteral("tenantsTable"), name); }
    };

private slots:
    void cleanup()
    {
        // A failed test may leave a dialog open; the next one starts clean.
        for (QWidget* w : QApplication::topLevelWidgets()) {
            if (qobject_cast<QDialog*>(w))
                delete w;
        }
    }

    void listsTenantsWithHealthAndWhatToDo()
    {
        Screen s;
        s.w.cloud.setConnectionState(stateWith(
            s.w.contoso, QStringLiteral("unhealthy"),
            {{QStringLiteral("error"), QStringLiteral("sp_role.insufficient"),
              QStringLiteral("Stint's service principal holds neither Privileged Authentication Administrator nor "
                             "Global Administrator.")},
             {QStringLiteral("warning"), QStringLiteral("tap.disabled"),
              QStringLiteral("The Temporary Access Pass method is disabled.")}},
            s.w.clock.now()));
        QVERIFY(s.open());
        auto* table = child<QAbstractItemView>(s.page, QStringLiteral("tenantsTable"));
        QTRY_COMPARE(table->model()->rowCount(), 2);
        QVERIFY(s.select(QStringLiteral("Contoso")));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("tenantName")), QStringLiteral("Contoso"));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("healthVerdict")), QStringLiteral("Unhealthy"));
        auto* findings = s.page->findChild<QWidget*>(QStringLiteral("healthFindings"));
        QTRY_COMPARE(findings->findChildren<QLabel*>(QStringLiteral("findingMessage")).size(), 2);
        const auto advice = findings->findChildren<QLabel*>(QStringLiteral("findingAdvice"));
        QCOMPARE(advice.size(), 2);
        QVERIFY(advice.at(0)->text().contains(QStringLiteral("Add assignments")));
        QVERIFY(advice.at(1)->text().contains(QStringLiteral("Authentication methods")));
        const auto severities = findings->findChildren<QLabel*>(QStringLiteral("findingSeverity"));
        QCOMPARE(severities.at(0)->text(), QStringLiteral("Problem"));
        QCOMPARE(severities.at(1)->text(), QStringLiteral("Warning"));
        // The connected tenant can be checked; the other can only be connected.
        QVERIFY(child<QAbstractButton>(s.page, QStringLiteral("checkButton"))->isEnabled());
        QVERIFY(s.select(QStringLiteral("Fabrikam")));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("tenantName")), QStringLiteral("Fabrikam"));
        QVERIFY(!child<QAbstractButton>(s.page, QStringLiteral("checkButton"))->isEnabled());
        QVERIFY(!child<QAbstractButton>(s.page, QStringLiteral("disconnectButton"))->isEnabled());
        QCOMPARE(child<QAbstractButton>(s.page, QStringLiteral("connectButton"))->text(), QStringLiteral("&Connect…"));
    }

    void settingsOfferVerifiedDomainsAndRolesAndSaveWithTheVersionRead()
    {
        Screen s;
        s.w.cloud.setConnectionState(stateWith(s.w.contoso, QStringLiteral("connected"), {}, s.w.clock.now()));
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Contoso")));
        const qint64 version = s.w.workspace.tenant(s.w.contoso.id)->version;
        click(s.page, QStringLiteral("settingsButton"));
        auto* dialog = openDialog<ui::TenantSettingsDialog>();
        QVERIFY(dialog);
        auto* domains = child<QComboBox>(dialog, QStringLiteral("domainCombo"));
        QTRY_COMPARE(domains->count(), 2);
        QVERIFY(!domains->isEditable());
        QCOMPARE(domains->currentData().toString(), QStringLiteral("contoso.com")); // the default domain
        auto* roles = child<QListView>(dialog, QStringLiteral("rolesList"));
        QTRY_COMPARE(roles->model()->rowCount(), 4);
        bool globalMarked = false;
        for (int row = 0; row < roles->model()->rowCount(); ++row) {
            const QString text = roles->model()->index(row, 0).data().toString();
            if (text.startsWith(QStringLiteral("Global Administrator")))
                globalMarked = text.contains(QStringLiteral("privileged"));
            QVERIFY2(!text.startsWith(QStringLiteral("Directory Readers"))
                         || !text.contains(QStringLiteral("privileged")),
                     qPrintable(text));
        }
        QVERIFY(globalMarked);
        // Searching the roles narrows the list as one types.
        type(dialog, QStringLiteral("roleSearchEdit"), QStringLiteral("admin glob"));
        QCOMPARE(roles->model()->rowCount(), 1);
        type(dialog, QStringLiteral("roleSearchEdit"), QString());

        // The naming rule previews the account it makes, live.
        type(dialog, QStringLiteral("namingRuleEdit"), QStringLiteral("adm-{user}"));
        QCOMPARE(labelText(dialog, QStringLiteral("namingPreview")),
                 QStringLiteral("Your account would be adm-grace@contoso.com"));
        domains->setCurrentIndex(1);
        QVERIFY(
            labelText(dialog, QStringLiteral("namingPreview")).endsWith(QStringLiteral("@contoso.onmicrosoft.com")));

        QCOMPARE(tick(dialog, QStringLiteral("rolesList"), {QStringLiteral("Global Administrator")}), 1);
        QCOMPARE(tick(dialog, QStringLiteral("rolesList"), {QStringLiteral("User Administrator")}, false), 1);
        QVERIFY(labelText(dialog, QStringLiteral("rolesSummary")).contains(QStringLiteral("privileged")));
        child<QSpinBox>(dialog, QStringLiteral("maxDurationSpin"))->setValue(120);
        child<QSpinBox>(dialog, QStringLiteral("defaultDurationSpin"))->setValue(30);
        auto* kind = child<QComboBox>(dialog, QStringLiteral("credentialKindCombo"));
        kind->setCurrentIndex(kind->findData(QStringLiteral("tap")));

        const int before = s.w.sent("PATCH", QStringLiteral("/v1/tenants/") + s.w.contoso.id).size();
        click(dialog, QStringLiteral("saveButton"));
        QTRY_VERIFY(!openDialog<ui::TenantSettingsDialog>());
        const auto patches = s.w.sent("PATCH", QStringLiteral("/v1/tenants/") + s.w.contoso.id);
        QCOMPARE(patches.size(), before + 1);
        const QJsonObject body = *patches.last().body;
        QCOMPARE(body.value(QLatin1String("version")).toInteger(), version);
        const QJsonObject connection = body.value(QLatin1String("connection")).toObject();
        QCOMPARE(connection.value(QLatin1String("accountNamingRule")).toString(), QStringLiteral("adm-{user}"));
        QCOMPARE(connection.value(QLatin1String("accountDomain")).toString(),
                 QStringLiteral("contoso.onmicrosoft.com"));
        QCOMPARE(connection.value(QLatin1String("credentialKind")).toString(), QStringLiteral("tap"));
        QCOMPARE(connection.value(QLatin1String("maxDurationMinutes")).toInt(), 120);
        QCOMPARE(connection.value(QLatin1String("defaultDurationMinutes")).toInt(), 30);
        QVERIFY(!connection.contains(QLatin1String("status"))); // set by connecting, never sent
        QStringList offered;
        for (const QJsonValue& v : connection.value(QLatin1String("rolesOffered")).toArray())
            offered << v.toObject().value(QLatin1String("roleDefinitionId")).toString();
        offered.sort();
        QStringList expected {kHelpdeskRole, kGlobalAdminRole};
        expected.sort();
        QCOMPARE(offered, expected);
        // The saved tenant is what the page shows now.
        QTRY_COMPARE(s.w.workspace.tenant(s.w.contoso.id)->connection.accountNamingRule, QStringLiteral("adm-{user}"));
        QVERIFY(statusText(s.page, QStringLiteral("tenantActionStatus")).contains(QStringLiteral("saved")));
    }

    void settingsChangedElsewhereAreReloadedNotOverwritten()
    {
        Screen s;
        s.w.cloud.setConnectionState(stateWith(s.w.contoso, QStringLiteral("connected"), {}, s.w.clock.now()));
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Contoso")));
        click(s.page, QStringLiteral("settingsButton"));
        auto* dialog = openDialog<ui::TenantSettingsDialog>();
        QVERIFY(dialog);
        QTRY_COMPARE(child<QComboBox>(dialog, QStringLiteral("domainCombo"))->count(), 2);
        const qint64 readVersion = dialog->version();

        // Another admin saves first (their own session on the same fake cloud).
        {
            const QByteArray mine = s.w.cloud.sessionFor(s.w.admin.id);
            s.w.cloud.setSessionToken(crypto::SecretBytes(s.w.cloud.sessionFor(s.w.otherAdmin.id)));
            auto other = waitFor(s.w.api.updateTenant(s.w.contoso.id, readVersion,
                                                      {{QStringLiteral("name"), QStringLiteral("Contoso Ltd")}}));
            s.w.cloud.setSessionToken(crypto::SecretBytes(mine));
            QVERIFY2(other.ok(), qPrintable(other.ok() ? QString() : other.error().message));
        }
        type(dialog, QStringLiteral("namingRuleEdit"), QStringLiteral("x-{user}"));
        click(dialog, QStringLiteral("saveButton"));
        // 409: the form now shows their version, says so, and keeps the dialog open.
        QTRY_VERIFY(statusText(dialog, QStringLiteral("saveStatus")).contains(QStringLiteral("Someone else saved")));
        QCOMPARE(child<QLineEdit>(dialog, QStringLiteral("tenantNameEdit"))->text(), QStringLiteral("Contoso Ltd"));
        QVERIFY(dialog->version() > readVersion);
        QCOMPARE(s.w.cloud.tenant(s.w.contoso.id).connection.accountNamingRule, QStringLiteral("stint-{user}"));
        // Made again, the change saves over their version.
        type(dialog, QStringLiteral("namingRuleEdit"), QStringLiteral("x-{user}"));
        click(dialog, QStringLiteral("saveButton"));
        QTRY_VERIFY(!openDialog<ui::TenantSettingsDialog>());
        QCOMPARE(s.w.cloud.tenant(s.w.contoso.id).connection.accountNamingRule, QStringLiteral("x-{user}"));
        QCOMPARE(s.w.cloud.tenant(s.w.contoso.id).name, QStringLiteral("Contoso Ltd"));
    }

    void settingsProblemsLandUnderTheirFields_data()
    {
        QTest::addColumn<QString>("rule");
        QTest::addColumn<QString>("serverProblem"); // empty: refused before sending
        QTest::addColumn<QString>("fieldError");
        QTest::addColumn<QString>("expected");
        QTest::newRow("rule without placeholder")
            << QStringLiteral("stint") << QString() << QStringLiteral("namingRuleEditError")
            << QStringLiteral("Must hold");
        QTest::newRow("rule with a bad character")
            << QStringLiteral("st int-{user}") << QString() << QStringLiteral("namingRuleEditError") << QString();
        QTest::newRow("service refuses the domain")
            << QStringLiteral("stint-{user}")
            << QStringLiteral("connection.accountDomain: is not one of the tenant's verified domains")
            << QStringLiteral("domainComboError") << QStringLiteral("Is not one of the tenant's verified domains.");
        QTest::newRow("service refuses a duration")
            << QStringLiteral("stint-{user}") << QStringLiteral("connection.maxDurationMinutes: must be at most 1440")
            << QStringLiteral("maxDurationSpinError") << QStringLiteral("Must be at most 1440.");
    }
    void settingsProblemsLandUnderTheirFields()
    {
        QFETCH(QString, rule);
        QFETCH(QString, serverProblem);
        QFETCH(QString, fieldError);
        QFETCH(QString, expected);
        Screen s;
        s.w.cloud.setConnectionState(stateWith(s.w.contoso, QStringLiteral("connected"), {}, s.w.clock.now()));
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Contoso")));
        click(s.page, QStringLiteral("settingsButton"));
        auto* dialog = openDialog<ui::TenantSettingsDialog>();
        QVERIFY(dialog);
        QTRY_COMPARE(child<QComboBox>(dialog, QStringLiteral("domainCombo"))->count(), 2);
        type(dialog, QStringLiteral("namingRuleEdit"), rule);
        if (!serverProblem.isEmpty())
            s.w.cloud.failNext("PATCH", QStringLiteral("/v1/tenants/"), 422, QStringLiteral("validation"),
                               serverProblem);
        const int before = s.w.sent("PATCH", QStringLiteral("/v1/tenants/") + s.w.contoso.id).size();
        click(dialog, QStringLiteral("saveButton"));
        auto* message = child<QLabel>(dialog, fieldError);
        QVERIFY(message);
        QTRY_VERIFY(message->isVisible());
        if (!expected.isEmpty())
            QVERIFY2(message->text().contains(expected), qPrintable(message->text()));
        QVERIFY(openDialog<ui::TenantSettingsDialog>()); // still open, nothing lost
        QCOMPARE(s.w.sent("PATCH", QStringLiteral("/v1/tenants/") + s.w.contoso.id).size(),
                 before + (serverProblem.isEmpty() ? 0 : 1));
        QCOMPARE(s.w.cloud.tenant(s.w.contoso.id).version, s.w.contoso.version);
    }

    void addsATenant()
    {
        Screen s;
        QVERIFY(s.open());
        click(s.page, QStringLiteral("addTenantButton"));
        auto* dialog = openDialog<QDialog>(QStringLiteral("addTenantDialog"));
        QVERIFY(dialog);
        // The service's 422 goes under the name.
        s.w.cloud.failNext("POST", QStringLiteral("/v1/tenants"), 422, QStringLiteral("validation"),
                           QStringLiteral("name: is used by another tenant"));
        type(dialog, QStringLiteral("tenantNameEdit"), QStringLiteral("Contoso"));
        click(dialog, QStringLiteral("createTenantButton"));
        QTRY_VERIFY(child<QLabel>(dialog, QStringLiteral("tenantNameEditError"))->isVisible());
        type(dialog, QStringLiteral("tenantNameEdit"), QStringLiteral("Northwind Traders"));
        click(dialog, QStringLiteral("createTenantButton"));
        QTRY_VERIFY(!openDialog<QDialog>(QStringLiteral("addTenantDialog")));
        QTRY_COMPARE(labelText(s.page, QStringLiteral("tenantName")), QStringLiteral("Northwind Traders"));
        QCOMPARE(child<QAbstractItemView>(s.page, QStringLiteral("tenantsTable"))->model()->rowCount(), 3);
    }

    void disconnectRevokesLiveCheckoutsFirstAndFinishes()
    {
        Screen s;
        s.w.cloud.setConnectionState(stateWith(s.w.contoso, QStringLiteral("connected"), {}, s.w.clock.now()));
        const models::Checkout live = s.w.checkout(s.w.ada, s.w.contoso, models::CheckoutState::Ready);
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Contoso")));
        QTRY_VERIFY(labelText(s.page, QStringLiteral("tenantFacts")).contains(QStringLiteral("1 checkout")));
        click(s.page, QStringLiteral("disconnectButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(confirm);
        QVERIFY2(labelText(confirm, QStringLiteral("confirmConsequence"))
                     .contains(QStringLiteral("revokes its 1 live checkout")),
                 qPrintable(labelText(confirm, QStringLiteral("confirmConsequence"))));
        // Cancel changes nothing.
        click(confirm, QStringLiteral("cancelButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QCOMPARE(s.w.sent("DELETE", QStringLiteral("/v1/tenants/%1/connection").arg(s.w.contoso.id)).size(), 0);

        click(s.page, QStringLiteral("disconnectButton"));
        confirm = openDialog<ui::ConfirmDialog>();
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QTRY_VERIFY(
            statusText(s.page, QStringLiteral("tenantActionStatus")).contains(QStringLiteral("once they have ended")));
        QCOMPARE(models::toString(s.w.cloud.checkout(live.id).state), QStringLiteral("revoking"));
        QCOMPARE(s.w.cloud.tenant(s.w.contoso.id).connection.status, QStringLiteral("connected"));
        // The engine finishes the revocation; the page completes the disconnect by itself.
        s.w.cloud.advance(live.id, models::CheckoutState::Ended);
        QTRY_COMPARE(s.w.cloud.tenant(s.w.contoso.id).connection.status, QStringLiteral("not_connected"));
        QTRY_VERIFY(statusText(s.page, QStringLiteral("tenantActionStatus")).contains(QStringLiteral("disconnected")));
        QCOMPARE(s.w.sent("DELETE", QStringLiteral("/v1/tenants/%1/connection").arg(s.w.contoso.id)).size(), 2);
    }

    void connectsWithAdminConsent()
    {
        Screen s;
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Fabrikam")));
        click(s.page, QStringLiteral("connectButton"));
        auto* dialog = openDialog<ui::ConnectDialog>();
        QVERIFY(dialog);
        QVERIFY(child<QRadioButton>(dialog, QStringLiteral("adminConsentRadio"))->isChecked());
        click(dialog, QStringLiteral("connectButton"));
        QTRY_COMPARE(s.w.opened.size(), 1);
        QVERIFY(s.w.opened.first().path().endsWith(QStringLiteral("/adminconsent")));
        QTRY_VERIFY(labelText(dialog, QStringLiteral("stage1")).startsWith(QStringLiteral("●")));
        QVERIFY(labelText(dialog, QStringLiteral("stage0")).startsWith(QStringLiteral("✓")));
        QCOMPARE(dialog->phase(), ui::ConnectDialog::Phase::Browser);

        QNetworkAccessManager net;
        const QString state = QUrlQuery(s.w.opened.first()).queryItemValue(QStringLiteral("state"));
        QNetworkReply* page = redirectBack(net, s.w.opened.first(),
                                           QStringLiteral("admin_consent=True&tenant=aaaabbbb-0000-cccc-1111-"
                                                          "dddd2222eeee&state=")
                                               + state);
        QTRY_COMPARE(dialog->phase(), ui::ConnectDialog::Phase::Connected);
        QVERIFY2(
            labelText(dialog, QStringLiteral("connectOutcome")).startsWith(QStringLiteral("Connected to Fabrikam")),
            qPrintable(labelText(dialog, QStringLiteral("connectOutcome"))));
        QVERIFY(child<QAbstractButton>(dialog, QStringLiteral("openSettingsButton"))->isVisible());
        QTRY_VERIFY(page->isFinished());
        delete page;
        QCOMPARE(s.w.cloud.tenant(s.w.fabrikam.id).connection.status, QStringLiteral("connected"));
        // "Open settings" goes on to the tenant's settings.
        click(dialog, QStringLiteral("openSettingsButton"));
        QTRY_VERIFY(openDialog<ui::TenantSettingsDialog>());
    }

    void refusedConsentIsShownAndCanBeRetried()
    {
        Screen s;
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Fabrikam")));
        click(s.page, QStringLiteral("connectButton"));
        auto* dialog = openDialog<ui::ConnectDialog>();
        click(dialog, QStringLiteral("connectButton"));
        QTRY_COMPARE(s.w.opened.size(), 1);
        QNetworkAccessManager net;
        const QString state = QUrlQuery(s.w.opened.first()).queryItemValue(QStringLiteral("state"));
        QNetworkReply* page = redirectBack(
            net, s.w.opened.first(),
            QStringLiteral("error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent&state=")
                + state);
        QTRY_COMPARE(dialog->phase(), ui::ConnectDialog::Phase::Failed);
        const QString shown = statusText(dialog, QStringLiteral("connectStatus"));
        QVERIFY2(shown.contains(QStringLiteral("declined")), qPrintable(shown));
        auto* again = child<QAbstractButton>(dialog, QStringLiteral("connectButton"));
        QVERIFY(again->isVisible() && again->isEnabled());
        QCOMPARE(again->text(), QStringLiteral("Try &again"));
        QTRY_VERIFY(page->isFinished());
        delete page;
        QCOMPARE(s.w.cloud.tenant(s.w.fabrikam.id).connection.status == QLatin1String("connected"), false);
    }

    void ownAppCertificateIsStoredBeforeTheBrowser()
    {
        Screen s;
        QTemporaryDir dir;
        const Pem pem = makePem();
        auto write = [&](const QString& name, const QByteArray& bytes) {
            QFile f(dir.filePath(name));
            if (!f.open(QIODevice::WriteOnly))
                return QString();
            f.write(bytes);
            return f.fileName();
        };
        const QString certificate = write(QStringLiteral("app.crt"), pem.certificate);
        const QString key = write(QStringLiteral("app.key"), pem.key);
        const QString combined = write(QStringLiteral("both.pem"), pem.key + pem.certificate);
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Fabrikam")));
        click(s.page, QStringLiteral("connectButton"));
        auto* dialog = openDialog<ui::ConnectDialog>();
        auto* ownApp = child<QRadioButton>(dialog, QStringLiteral("ownAppRadio"));
        QTest::mouseClick(ownApp, Qt::LeftButton, {}, QPoint(8, ownApp->height() / 2));
        QVERIFY(child<QWidget>(dialog, QStringLiteral("clientIdEdit"))->isVisible());
        type(dialog, QStringLiteral("clientIdEdit"), QStringLiteral("11112222-3333-4444-5555-666677778888"));
        QVERIFY(child<QRadioButton>(dialog, QStringLiteral("certificateRadio"))->isChecked());

        // The key where the certificate belongs: refused under the field, nothing sent.
        type(dialog, QStringLiteral("certificatePathEdit"), key);
        type(dialog, QStringLiteral("keyPathEdit"), key);
        click(dialog, QStringLiteral("connectButton"));
        auto* certificateError = child<QLabel>(dialog, QStringLiteral("certificatePathEditError"));
        QTRY_VERIFY(certificateError->isVisible());
        QVERIFY2(certificateError->text().contains(QStringLiteral("private key, not a certificate")),
                 qPrintable(certificateError->text()));
        QCOMPARE(s.w.sent("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(s.w.fabrikam.id)).size(),
                 0);
        QCOMPARE(s.w.opened.size(), 0);

        // A combined file as the certificate: only its certificate travels as one.
        type(dialog, QStringLiteral("certificatePathEdit"), combined);
        type(dialog, QStringLiteral("keyPathEdit"), key);
        click(dialog, QStringLiteral("connectButton"));
        QTRY_COMPARE(
            s.w.sent("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(s.w.fabrikam.id)).size(), 1);
        const QJsonObject put
            = *s.w.sent("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(s.w.fabrikam.id))
                   .first()
                   .body;
        QCOMPARE(put.value(QLatin1String("kind")).toString(), QStringLiteral("certificate"));
        QCOMPARE(put.value(QLatin1String("clientId")).toString(),
                 QStringLiteral("11112222-3333-4444-5555-666677778888"));
        QVERIFY(
            put.value(QLatin1String("certificatePem")).toString().startsWith(QStringLiteral("-----BEGIN CERTIFICATE")));
        QVERIFY(!put.value(QLatin1String("certificatePem")).toString().contains(QStringLiteral("PRIVATE KEY")));
        QVERIFY(
            put.value(QLatin1String("privateKeyPem")).toString().startsWith(QStringLiteral("-----BEGIN PRIVATE KEY")));
        // Then the browser leg, with the customer's app.
        QTRY_COMPARE(s.w.opened.size(), 1);
        QVERIFY(s.w.opened.first().path().endsWith(QStringLiteral("/authorize")));
        QCOMPARE(QUrlQuery(s.w.opened.first()).queryItemValue(QStringLiteral("client_id")),
                 QStringLiteral("11112222-3333-4444-5555-666677778888"));
        // Closing the dialog while the browser is out cancels the flow.
        dialog->reject();
        QTRY_VERIFY(!openDialog<ui::ConnectDialog>());
        QTRY_VERIFY(!s.w.connector.isRunning());
    }

    void ownAppSecretIsStoredWithItsExpiryAndForgotten()
    {
        Screen s;
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Fabrikam")));
        click(s.page, QStringLiteral("connectButton"));
        auto* dialog = openDialog<ui::ConnectDialog>();
        auto* ownApp = child<QRadioButton>(dialog, QStringLiteral("ownAppRadio"));
        QTest::mouseClick(ownApp, Qt::LeftButton, {}, QPoint(8, ownApp->height() / 2));
        auto* secretRadio = child<QRadioButton>(dialog, QStringLiteral("secretRadio"));
        QTest::mouseClick(secretRadio, Qt::LeftButton, {}, QPoint(8, secretRadio->height() / 2));
        QVERIFY(child<QWidget>(dialog, QStringLiteral("secretEdit"))->isVisible());
        QVERIFY(!child<QWidget>(dialog, QStringLiteral("certificatePathEdit"))->isVisible());
        type(dialog, QStringLiteral("clientIdEdit"), QStringLiteral("11112222-3333-4444-5555-666677778888"));
        // No secret: said under the field, nothing sent.
        click(dialog, QStringLiteral("connectButton"));
        QVERIFY(child<QLabel>(dialog, QStringLiteral("secretEditError"))->isVisible());
        QCOMPARE(s.w.sent("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(s.w.fabrikam.id)).size(),
                 0);
        type(dialog, QStringLiteral("secretEdit"), QStringLiteral("Xy7~s3cr3t.value"));
        child<QCheckBox>(dialog, QStringLiteral("secretExpiresCheck"))->setChecked(true);
        click(dialog, QStringLiteral("connectButton"));
        QTRY_COMPARE(
            s.w.sent("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(s.w.fabrikam.id)).size(), 1);
        const QJsonObject put
            = *s.w.sent("PUT", QStringLiteral("/v1/tenants/%1/connection/credential").arg(s.w.fabrikam.id))
                   .first()
                   .body;
        QCOMPARE(put.value(QLatin1String("kind")).toString(), QStringLiteral("client_secret"));
        QCOMPARE(put.value(QLatin1String("clientSecret")).toString(), QStringLiteral("Xy7~s3cr3t.value"));
        QVERIFY(fromRfc3339(put.value(QLatin1String("secretExpiresAt")).toString()));
        QVERIFY(!put.contains(QLatin1String("certificatePem")));
        QTRY_COMPARE(s.w.opened.size(), 1);
        // Stored: the dialog does not keep it.
        QCOMPARE(child<QLineEdit>(dialog, QStringLiteral("secretEdit"))->text(), QString());
        dialog->reject();
    }

    void removesATenantAndSaysWhyNot()
    {
        Screen s;
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Fabrikam")));
        s.w.cloud.failNext("DELETE", QStringLiteral("/v1/tenants/"), 409, QStringLiteral("tenant-in-use"),
                           QStringLiteral("The tenant has checkouts that are not over."));
        click(s.page, QStringLiteral("removeTenantButton"));
        auto* confirm = openDialog<ui::ConfirmDialog>();
        QVERIFY(labelText(confirm, QStringLiteral("confirmConsequence")).contains(QStringLiteral("cannot be undone")));
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(confirm->findChild<QLabel*>(QStringLiteral("actionStatusText"))
                        ->text()
                        .contains(QStringLiteral("not over")));
        QCOMPARE(child<QAbstractItemView>(s.page, QStringLiteral("tenantsTable"))->model()->rowCount(), 2);
        click(confirm, QStringLiteral("confirmButton"));
        QTRY_VERIFY(!openDialog<ui::ConfirmDialog>());
        QTRY_COMPARE(child<QAbstractItemView>(s.page, QStringLiteral("tenantsTable"))->model()->rowCount(), 1);
        QVERIFY(statusText(s.page, QStringLiteral("pageStatus")).contains(QStringLiteral("Fabrikam was removed")));
    }

    void reconcileStartsAndSaysWhatHappens()
    {
        Screen s;
        s.w.cloud.setConnectionState(stateWith(s.w.contoso, QStringLiteral("connected"), {}, s.w.clock.now()));
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Contoso")));
        QTRY_VERIFY(child<QAbstractButton>(s.page, QStringLiteral("reconcileButton"))->isEnabled());
        click(s.page, QStringLiteral("reconcileButton"));
        QTRY_VERIFY(
            statusText(s.page, QStringLiteral("tenantActionStatus")).startsWith(QStringLiteral("Reconciling Contoso")));
        QCOMPARE(s.w.sent("POST", QStringLiteral("/v1/tenants/%1/reconcile").arg(s.w.contoso.id)).size(), 1);
    }

    void unreachableCloudIsSaidInPlace()
    {
        Screen s;
        s.w.cloud.setConnectionState(stateWith(s.w.contoso, QStringLiteral("connected"), {}, s.w.clock.now()));
        QVERIFY(s.open());
        QVERIFY(s.select(QStringLiteral("Contoso")));
        s.w.cloud.setUnreachable(true);
        click(s.page, QStringLiteral("checkButton"));
        QTRY_VERIFY(
            statusText(s.page, QStringLiteral("tenantActionStatus")).contains(QStringLiteral("cannot be reached")));
        // The view says it is offline, keeps what it knew, and offers to retry.
        auto* banner = s.view->findChild<QWidget*>(QStringLiteral("adminBanner"));
        QTRY_VERIFY(banner->isVisible());
        QVERIFY(labelText(banner, QStringLiteral("bannerText")).startsWith(QStringLiteral("Offline")));
        QCOMPARE(child<QAbstractItemView>(s.page, QStringLiteral("tenantsTable"))->model()->rowCount(), 2);
        s.w.cloud.setUnreachable(false);
        click(banner, QStringLiteral("bannerAction"));
        QTRY_VERIFY(!banner->isVisible());
    }
};

QTEST_MAIN(TestAdminTenants)
#include "TestAdminTenants.moc"
