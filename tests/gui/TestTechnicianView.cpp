// SPDX-License-Identifier: GPL-3.0-or-later
// The technician view's flows, offscreen, on the fake cloud with the real Workspace and CredentialKeeper: tenants
// searchable as you type (and by keyboard alone), requesting access (roles, duration defaults, requirements of the
// policy the service will choose, 422 field errors under the fields, one idempotency key per request), progress as it
// happens, the countdown, the credential shown and copied, portals launched with login_hint, extend and end (with
// confirmation), the notification's slots, "My access" and the history.
#include "TechnicianGui.h"
#include "ui/common/StatusChip.h"
#include "ui/common/TimeText.h"
#include "ui/technician/CheckoutCard.h"
#include "ui/technician/CredentialPanel.h"
#include "ui/technician/RequestAccessDialog.h"
#include "ui/technician/SecretLabel.h"

#include <QComboBox>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QUrlQuery>
#include <QtTest>

using namespace stint;
using models::CheckoutState;
using test::TechnicianGui;
using ui::CheckoutCard;
using ui::SecretLabel;

namespace {
constexpr qint64 kMinute = 60'000;

QString chipText(CheckoutState s)
{
    return ui::StatusChip::checkoutStateText(s);
}

QStringList rowsOf(QListView* list)
{
    QStringList out;
    for (int i = 0; i < list->model()->rowCount(); ++i)
        out << list->model()->index(i, 0).data().toString();
    return out;
}

QListWidgetItem* roleItem(QListWidget* roles, const QString& name)
{
    for (int i = 0; i < roles->count(); ++i) {
        if (roles->item(i)->text().startsWith(name))
            return roles->item(i);
    }
    return nullptr;
}
} // namespace

class TestTechnicianView : public QObject
{
    Q_OBJECT

    // The request dialog open over the view, or null.
    static ui::RequestAccessDialog* requestDialog(TechnicianGui& g)
    {
        return g.view->findChild<ui::RequestAccessDialog*>(QStringLiteral("requestAccessDialog"));
    }

    static bool selectTenant(TechnicianGui& g, const QString& name)
    {
        auto* list = g.find<QListView>(QStringLiteral("tenantList"));
        for (int i = 0; i < list->model()->rowCount(); ++i) {
            const QModelIndex index = list->model()->index(i, 0);
            if (index.data().toString() == name) {
                list->setCurrentIndex(index);
                return true;
            }
        }
        return false;
    }

    static CheckoutCard* panelCard(TechnicianGui& g)
    {
        return g.find<CheckoutCard>(QStringLiteral("checkoutCard"), g.find<QWidget>(QStringLiteral("tenantPanel")));
    }

private slots:
    void initTestCase() { qRegisterMetaType<models::Checkout>(); }

    void tenantsAreSearchableAsYouType()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        auto* list = g.find<QListView>(QStringLiteral("tenantList"));
        auto* search = g.find<QLineEdit>(QStringLiteral("tenantSearch"));
        auto* count = g.find<QLabel>(QStringLiteral("tenantCount"));
        QVERIFY(list && search && count);
        QCOMPARE(rowsOf(list), (QStringList {"Contoso", "Fabrikam", "Northwind Traders"}));
        QCOMPARE(count->text(), QStringLiteral("3 tenants"));

        QTest::keyClicks(search, QStringLiteral("FAB"));
        QCOMPARE(rowsOf(list), QStringList {"Fabrikam"});
        QCOMPARE(count->text(), QStringLiteral("1 of 3 tenants match"));
        search->clear();
        QTest::keyClicks(search, QStringLiteral("security"));
        QCOMPARE(rowsOf(list), QStringList {"Fabrikam"}); // by a role it offers me
        search->clear();
        QTest::keyClicks(search, QStringLiteral("north  trad"));
        QCOMPARE(rowsOf(list), QStringList {"Northwind Traders"}); // every word, anywhere
        search->clear();
        QTest::keyClicks(search, QStringLiteral("zzz"));
        QCOMPARE(list->model()->rowCount(), 0);
        auto* empty = g.find<QWidget>(QStringLiteral("tenantListEmpty"));
        QVERIFY(empty && empty->isVisible());
        auto* clear = g.find<QPushButton>(QStringLiteral("emptyStateAction"), empty);
        QVERIFY(clear && clear->isVisible());
        QTest::mouseClick(clear, Qt::LeftButton);
        QCOMPARE(list->model()->rowCount(), 3);
        QVERIFY(list->isVisible());
        QVERIFY(search->text().isEmpty());

        // The chip of a tenant that is not connected yet, and the summary of what I may ask for.
        const QModelIndex northwind = list->model()->index(2, 0);
        QCOMPARE(northwind.data(Qt::UserRole + 2).toString(), QStringLiteral("not_connected"));
        QVERIFY(list->model()->index(1, 0).data(Qt::ToolTipRole).toString().contains(QStringLiteral("approval")));
    }

    void keyboardAlone()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        auto* search = g.find<QLineEdit>(QStringLiteral("tenantSearch"));
        auto* list = g.find<QListView>(QStringLiteral("tenantList"));
        g.find<QTabWidget>(QStringLiteral("technicianTabs"))->setCurrentIndex(2);
        g.view->focusTenantSearch(); // Ctrl+K
        QCOMPARE(g.find<QTabWidget>(QStringLiteral("technicianTabs"))->currentIndex(), 0);
        QTRY_VERIFY(search->hasFocus());
        // Up and Down in the search field move through the list below it.
        QTest::keyClick(search, Qt::Key_Down);
        QCOMPARE(list->currentIndex().data().toString(), QStringLiteral("Contoso"));
        QTest::keyClick(search, Qt::Key_Down);
        QTest::keyClick(search, Qt::Key_Down);
        QCOMPARE(list->currentIndex().data().toString(), QStringLiteral("Northwind Traders"));
        QTest::keyClick(search, Qt::Key_Down); // stays on the last
        QTest::keyClick(search, Qt::Key_Up);
        QCOMPARE(list->currentIndex().data().toString(), QStringLiteral("Fabrikam"));
        QCOMPARE(g.find<QLabel>(QStringLiteral("tenantName"))->text(), QStringLiteral("Fabrikam"));
        QVERIFY(search->hasFocus());
        // Typing narrows the list; Enter takes the first match when the chosen one is filtered out.
        QTest::keyClicks(search, QStringLiteral("contoso"));
        QCOMPARE(list->model()->rowCount(), 1);
        // Enter asks for access to the chosen tenant.
        QTest::keyClick(search, Qt::Key_Return);
        QTRY_VERIFY(requestDialog(g));
        ui::RequestAccessDialog* dialog = requestDialog(g);
        QCOMPARE(dialog->tenantId(), g.contoso.id);
        // Esc closes it without asking.
        QTest::keyClick(dialog, Qt::Key_Escape);
        QTRY_VERIFY(!requestDialog(g));
        QCOMPARE(g.cloud.requestCount("POST", QStringLiteral("/v1/checkouts")), 0);
    }

    void requestAccessThenProgressAndCountdown()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        QVERIFY(selectTenant(g, QStringLiteral("Contoso")));
        auto* request = g.find<QPushButton>(QStringLiteral("requestButton"));
        QVERIFY(request->isEnabled());
        QTest::mouseClick(request, Qt::LeftButton);
        QTRY_VERIFY(requestDialog(g));
        ui::RequestAccessDialog* dialog = requestDialog(g);
        auto* roles = g.find<QListWidget>(QStringLiteral("roleList"), dialog);
        auto* duration = g.find<QComboBox>(QStringLiteral("durationCombo"), dialog);
        auto* submit = g.find<QPushButton>(QStringLiteral("submitButton"), dialog);
        QCOMPARE(roles->count(), 2);
        // Nothing chosen yet: nothing to send.
        QVERIFY(!submit->isEnabled());
        roleItem(roles, QStringLiteral("Global Reader"))->setCheckState(Qt::Checked);
        QVERIFY(submit->isEnabled());
        // The tenant's default (60 min) within the policy's 4 h.
        QCOMPARE(duration->currentData().toInt(), 60);
        QCOMPARE(duration->itemData(duration->count() - 1).toInt(), 240);
        QVERIFY(!g.find<QLineEdit>(QStringLiteral("ticketEdit"), dialog)->isVisible()); // no ticket asked for
        QVERIFY(!g.find<QLabel>(QStringLiteral("approvalNote"), dialog)->isVisible());
        duration->setCurrentIndex(duration->findData(90));
        QTest::keyClicks(g.find<QLineEdit>(QStringLiteral("justificationEdit"), dialog),
                         QStringLiteral("Mailbox rule"));
        QTest::mouseClick(submit, Qt::LeftButton);
        QTRY_VERIFY(!requestDialog(g));

        QCOMPARE(g.cloud.requestCount("POST", QStringLiteral("/v1/checkouts")), 1);
        const QList<client::ApiRequest> sent = g.cloud.requests();
        const auto post
            = std::find_if(sent.begin(), sent.end(), [](const client::ApiRequest& r) { return r.method == "POST"; });
        QVERIFY(post != sent.end());
        QCOMPARE(post->body->value(QStringLiteral("durationMinutes")).toInt(), 90);
        QCOMPARE(post->body->value(QStringLiteral("justification")).toString(), QStringLiteral("Mailbox rule"));
        QVERIFY(!post->idempotencyKey.isEmpty());
        QCOMPARE(g.cloud.checkouts().size(), 1);
        const QString id = g.cloud.checkouts().first().id;

        // The new checkout is shown at once: preparing, with what is going on.
        QTRY_VERIFY(panelCard(g));
        CheckoutCard* card = panelCard(g);
        QCOMPARE(card->checkoutId(), id);
        QTRY_COMPARE(g.find<QLabel>(QStringLiteral("stateChip"), card)->text(), chipText(CheckoutState::Provisioning));
        QVERIFY(g.find<QLabel>(QStringLiteral("progressText"), card)->text().contains(QStringLiteral("Contoso")));
        QVERIFY(!g.find<QPushButton>(QStringLiteral("requestButton"))->isEnabled()); // one open checkout per tenant
        QVERIFY(!g.find<QPushButton>(QStringLiteral("launchButton"), card)->isVisible());

        // Ready: the countdown, in the service's time, and the account.
        g.cloud.advance(id, CheckoutState::Ready);
        QTRY_COMPARE(g.find<QLabel>(QStringLiteral("stateChip"), card)->text(), chipText(CheckoutState::Ready));
        auto* countdown = g.find<QLabel>(QStringLiteral("countdown"), card);
        QCOMPARE(countdown->text(), QStringLiteral("1:30:00"));
        QVERIFY(g.find<QLabel>(QStringLiteral("accountUpn"), card)->text().startsWith(QStringLiteral("stint-ada@")));
        QVERIFY(g.find<QPushButton>(QStringLiteral("launchButton"), card)->isVisible());
        g.clock.advance(15 * kMinute + 1000);
        QTRY_COMPARE(countdown->text(), QStringLiteral("1:14:59")); // the view's one ticker moved it
        g.clock.advance(70 * kMinute);
        QTRY_COMPARE(countdown->text(), QStringLiteral("4:59"));
        g.clock.advance(5 * kMinute);
        QTRY_COMPARE(countdown->text(), QStringLiteral("0:00"));
        QVERIFY(g.find<QLabel>(QStringLiteral("untilText"), card)->text().contains(QStringLiteral("ending")));

        // The history has it too.
        auto* history = g.view->findChild<QTableView*>(QStringLiteral("historyTable"));
        QCOMPARE(history->model()->rowCount(), 1);
        QCOMPARE(history->model()->index(0, 0).data().toString(), chipText(CheckoutState::Ready));
    }

    void policyRequirementsAndApproval()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        QVERIFY(selectTenant(g, QStringLiteral("Fabrikam")));
        g.view->requestAccess(); // Ctrl+R
        QTRY_VERIFY(requestDialog(g));
        ui::RequestAccessDialog* dialog = requestDialog(g);
        // The only role is chosen; the policy needs approval, a justification and a ticket.
        QCOMPARE(dialog->selectedRoles(), QStringList {TechnicianGui::kSecurityAdmin});
        QVERIFY(g.find<QLabel>(QStringLiteral("approvalNote"), dialog)->isVisible());
        auto* ticket = g.find<QLineEdit>(QStringLiteral("ticketEdit"), dialog);
        QVERIFY(ticket->isVisible());
        auto* submit = g.find<QPushButton>(QStringLiteral("submitButton"), dialog);
        QVERIFY(submit->text().contains(QStringLiteral("approval")));
        // Sent empty: said under the fields, nothing sent.
        QTest::mouseClick(submit, Qt::LeftButton);
        QVERIFY(g.find<QLabel>(QStringLiteral("justificationError"), dialog)->isVisible());
        QVERIFY(g.find<QLabel>(QStringLiteral("ticketError"), dialog)->isVisible());
        QCOMPARE(g.cloud.requestCount("POST", QStringLiteral("/v1/checkouts")), 0);
        QTest::keyClicks(g.find<QLineEdit>(QStringLiteral("justificationEdit"), dialog), QStringLiteral("Firewall"));
        QTest::keyClicks(ticket, QStringLiteral("CHG-7"));
        QVERIFY(!g.find<QLabel>(QStringLiteral("ticketError"), dialog)->isVisible()); // typing clears it
        QTest::keyClick(ticket, Qt::Key_Return); // Enter sends
        QTRY_VERIFY(!requestDialog(g));
        CheckoutCard* card = panelCard(g);
        QVERIFY(card);
        QTRY_COMPARE(g.find<QLabel>(QStringLiteral("stateChip"), card)->text(),
                     chipText(CheckoutState::AwaitingApproval));
        QVERIFY(g.find<QLabel>(QStringLiteral("progressText"), card)->text().contains(QStringLiteral("approve")));
        auto* withdraw = g.find<QPushButton>(QStringLiteral("endButton"), card);
        QVERIFY(withdraw->isVisible());
        QVERIFY(withdraw->text().contains(QStringLiteral("Withdraw")));
    }

    void fieldErrorsFromTheServiceAndOneKeyPerRequest()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        QVERIFY(selectTenant(g, QStringLiteral("Contoso")));
        g.view->requestAccess();
        QTRY_VERIFY(requestDialog(g));
        ui::RequestAccessDialog* dialog = requestDialog(g);
        roleItem(g.find<QListWidget>(QStringLiteral("roleList"), dialog), QStringLiteral("User Administrator"))
            ->setCheckState(Qt::Checked);
        auto* submit = g.find<QPushButton>(QStringLiteral("submitButton"), dialog);
        // The service knows better than this app's copy of the policy.
        g.cloud.failNext("POST", QStringLiteral("/v1/checkouts"), 422, QStringLiteral("validation"),
                         QStringLiteral("ticket: is required by the access policy \"Helpdesk\"; durationMinutes: must "
                                        "be at most 30 minutes for these roles in this tenant"));
        QTest::mouseClick(submit, Qt::LeftButton);
        auto* ticketError = g.find<QLabel>(QStringLiteral("ticketError"), dialog);
        QTRY_VERIFY(ticketError->isVisible());
        QCOMPARE(ticketError->text(), QStringLiteral("Ticket is required by the access policy \"Helpdesk\""));
        QVERIFY(g.find<QLineEdit>(QStringLiteral("ticketEdit"), dialog)->isVisible()); // so it can be given
        auto* durationError = g.find<QLabel>(QStringLiteral("durationError"), dialog);
        QVERIFY(durationError->isVisible());
        QVERIFY(durationError->text().startsWith(QStringLiteral("Duration must be at most 30 minutes")));
        QVERIFY(!g.find<QLabel>(QStringLiteral("formError"), dialog)->isVisible());
        QVERIFY(requestDialog(g)); // still open
        const QString firstKey = dialog->idempotencyKey();

        // The same request again (a retry): the same key. A changed one: a new key.
        g.cloud.failNext("POST", QStringLiteral("/v1/checkouts"), 0, {});
        QTest::mouseClick(submit, Qt::LeftButton);
        QTRY_VERIFY(g.find<QLabel>(QStringLiteral("formError"), dialog)->isVisible());
        QVERIFY(
            g.find<QLabel>(QStringLiteral("formError"), dialog)->text().contains(QStringLiteral("cannot be reached")));
        QCOMPARE(dialog->idempotencyKey(), firstKey);
        QTest::keyClicks(g.find<QLineEdit>(QStringLiteral("ticketEdit"), dialog), QStringLiteral("INC-1"));
        auto* duration = g.find<QComboBox>(QStringLiteral("durationCombo"), dialog);
        duration->setCurrentIndex(duration->findData(30));
        QTest::mouseClick(submit, Qt::LeftButton);
        QTRY_VERIFY(!requestDialog(g));
        QStringList keys;
        for (const client::ApiRequest& r : g.cloud.requests()) {
            if (r.method == "POST" && r.path == QLatin1String("/v1/checkouts"))
                keys << r.idempotencyKey;
        }
        QCOMPARE(keys.size(), 3);
        QCOMPARE(keys.at(0), keys.at(1));
        QVERIFY(keys.at(2) != keys.at(0));
        QCOMPARE(g.cloud.checkouts().size(), 1);
        QCOMPARE(g.cloud.checkouts().first().ticket, QStringLiteral("INC-1"));
    }

    void credentialShownCopiedAndForgotten()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        g.view->showCheckout(c.id);
        CheckoutCard* card = panelCard(g);
        QVERIFY(card);
        auto* password = g.find<SecretLabel>(QStringLiteral("passwordValue"), card);
        auto* show = g.find<QPushButton>(QStringLiteral("showCredentialButton"), card);
        QVERIFY(password && show);
        QVERIFY(!password->isShowing()); // hidden until asked
        QCOMPARE(g.cloud.requestCount("GET", QStringLiteral("/v1/checkouts/%1/credential").arg(c.id)), 0);
        QTest::mouseClick(show, Qt::LeftButton);
        QTRY_VERIFY(password->isShowing());
        QVERIFY(password->shows("Pa55-word-of-the-day"));
        QCOMPARE(g.cloud.requestCount("GET", QStringLiteral("/v1/checkouts/%1/credential").arg(c.id)), 1);
        QVERIFY(show->isChecked());
        // The pass the service issued too: its row appears once the credential says it has one.
        auto* pass = g.find<SecretLabel>(QStringLiteral("passValue"), card);
        QVERIFY(pass->isVisible());
        QVERIFY(pass->shows("TAP-1234-5678"));
        QTest::mouseClick(show, Qt::LeftButton); // hide again
        QVERIFY(!password->isShowing());
        QVERIFY(!pass->isShowing());

        // Copy: marked secret, cleared after 30 s, fetched no more.
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("copyPasswordButton"), card), Qt::LeftButton);
        QCOMPARE(g.desktop.clipboard, QByteArray("Pa55-word-of-the-day"));
        QVERIFY(g.desktop.clipboardIsSecret);
        QCOMPARE(g.desktop.clipboardClearAfterMs, 30'000);
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("copyPassButton"), card), Qt::LeftButton);
        QCOMPARE(g.desktop.clipboard, QByteArray("TAP-1234-5678"));
        QVERIFY(g.desktop.clipboardIsSecret);
        QCOMPARE(g.cloud.requestCount("GET", QStringLiteral("/v1/checkouts/%1/credential").arg(c.id)), 1);
        QVERIFY(
            g.find<QLabel>(QStringLiteral("credentialStatus"), card)->text().contains(QStringLiteral("30 seconds")));
        // The user name is not a secret.
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("copyAccountButton"), card), Qt::LeftButton);
        QVERIFY(!g.desktop.clipboardIsSecret);
        QVERIFY(g.desktop.clipboard.startsWith("stint-ada@"));

        // Shown again, then the checkout leaves ready (ended early): the panel is cleared at once, the keeper forgets.
        QTest::mouseClick(show, Qt::LeftButton);
        QTRY_VERIFY(password->isShowing());
        QVERIFY(g.keeper.holds(c.id));
        g.cloud.advance(c.id, CheckoutState::Revoking, QStringLiteral("ended_early"));
        QTRY_VERIFY(!password->isShowing());
        QVERIFY(!pass->isShowing());
        QVERIFY(!g.keeper.holds(c.id));
        QVERIFY(!g.find<QWidget>(QStringLiteral("credentialPanel"), card)->isVisible());
        QCOMPARE(g.find<QLabel>(QStringLiteral("stateChip"), card)->text(), chipText(CheckoutState::Revoking));
        QVERIFY(
            g.find<QLabel>(QStringLiteral("progressText"), card)->text().contains(QStringLiteral("ended it early")));
    }

    void portalsOpenWithLoginHint()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        g.view->showCheckout(c.id);
        CheckoutCard* card = panelCard(g);
        auto* launch = g.find<QPushButton>(QStringLiteral("launchButton"), card);
        QVERIFY(launch->menu());
        QAction* azure = launch->menu()->findChild<QAction*>(QStringLiteral("portal_azure"));
        QVERIFY(azure);
        azure->trigger();
        QCOMPARE(g.desktop.opened.size(), 1);
        const QUrl url = g.desktop.opened.last();
        QCOMPARE(url.host(), QStringLiteral("portal.azure.com"));
        const QString upn = g.workspace.checkout(c.id)->accountUpn.value();
        QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("login_hint"), QUrl::FullyDecoded), upn);
        QVERIFY(g.find<QLabel>(QStringLiteral("actionStatus"), card)->text().contains(upn));

        // Ctrl+L: the default portal (Entra) of the selected tenant's ready checkout.
        g.view->launchPortal();
        QCOMPARE(g.desktop.opened.size(), 2);
        QCOMPARE(g.desktop.opened.last().host(), QStringLiteral("entra.microsoft.com"));

        // A browser that does not open: said in place, and the link is copied instead.
        g.desktop.openSucceeds = false;
        launch->menu()->findChild<QAction*>(QStringLiteral("portal_exchange"))->trigger();
        auto* status = g.find<QLabel>(QStringLiteral("actionStatus"), card);
        QVERIFY(status->text().contains(QStringLiteral("could not open")));
        QVERIFY(!g.desktop.clipboardIsSecret);
        QVERIFY(g.desktop.clipboard.startsWith("https://admin.exchange.microsoft.com/"));
    }

    void extendAndEndWithConfirmation()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        g.view->showCheckout(c.id);
        CheckoutCard* card = panelCard(g);
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("extendButton"), card), Qt::LeftButton);
        QDialog* extend = nullptr;
        QTRY_VERIFY((extend = TechnicianGui::anywhere<QDialog>(QStringLiteral("extendDialog"))));
        auto* minutes = g.find<QComboBox>(QStringLiteral("extendCombo"), extend);
        // Within what the policy still allows: 4 h from ready, 1 h used.
        QCOMPARE(minutes->itemData(minutes->count() - 1).toInt(), 180);
        QCOMPARE(minutes->currentData().toInt(), 30);
        QVERIFY(g.find<QLabel>(QStringLiteral("extendHint"), extend)->text().contains(QStringLiteral("3 h")));
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("extendButton"), extend), Qt::LeftButton);
        QTRY_VERIFY(!TechnicianGui::anywhere<QDialog>(QStringLiteral("extendDialog")));
        QCOMPARE(*g.cloud.checkout(c.id).expiresAt, *c.expiresAt + 30 * kMinute);
        QTRY_VERIFY(g.find<QLabel>(QStringLiteral("actionStatus"), card)
                        ->text()
                        .contains(QStringLiteral("Extended by 30 min")));
        QTRY_COMPARE(g.find<QLabel>(QStringLiteral("countdown"), card)->text(), QStringLiteral("1:30:00"));

        // End now asks first; keeping it changes nothing.
        auto* end = g.find<QPushButton>(QStringLiteral("endButton"), card);
        QTest::mouseClick(end, Qt::LeftButton);
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = TechnicianGui::anywhere<QMessageBox>(QStringLiteral("confirmEndDialog"))));
        QVERIFY(box->text().contains(QStringLiteral("Contoso")));
        QCOMPARE(box->defaultButton()->objectName(), QStringLiteral("keepButton")); // Enter keeps access
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("keepButton"), box), Qt::LeftButton);
        QTRY_VERIFY(!TechnicianGui::anywhere<QMessageBox>(QStringLiteral("confirmEndDialog")));
        QCOMPARE(g.cloud.requestCount("POST", QStringLiteral("/v1/checkouts/%1/end").arg(c.id)), 0);
        QTest::mouseClick(end, Qt::LeftButton);
        QTRY_VERIFY((box = TechnicianGui::anywhere<QMessageBox>(QStringLiteral("confirmEndDialog"))));
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("confirmButton"), box), Qt::LeftButton);
        QTRY_COMPARE(models::toString(g.cloud.checkout(c.id).state), models::toString(CheckoutState::Revoking));
        QCOMPARE(g.cloud.requestCount("POST", QStringLiteral("/v1/checkouts/%1/end").arg(c.id)), 1);
        QTRY_COMPARE(g.find<QLabel>(QStringLiteral("stateChip"), card)->text(), chipText(CheckoutState::Revoking));
    }

    // What the expiry notification's buttons call (the shell routes them here).
    void notificationActions()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        QVERIFY(selectTenant(g, QStringLiteral("Fabrikam")));
        g.find<QTabWidget>(QStringLiteral("technicianTabs"))->setCurrentIndex(2);
        g.clock.advance(56 * kMinute);
        g.view->extendCheckout(c.id); // one click: 30 minutes, no dialog
        QCOMPARE(g.find<QLabel>(QStringLiteral("tenantName"))->text(), QStringLiteral("Contoso")); // shown
        QTRY_COMPARE(*g.cloud.checkout(c.id).expiresAt, *c.expiresAt + 30 * kMinute);
        QVERIFY(!TechnicianGui::anywhere<QDialog>(QStringLiteral("extendDialog")));

        QTRY_VERIFY(
            g.find<QLabel>(QStringLiteral("actionStatus"), panelCard(g))->text().contains(QStringLiteral("Extended")));
        g.view->endCheckout(c.id); // asks first
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = TechnicianGui::anywhere<QMessageBox>(QStringLiteral("confirmEndDialog"))));
        QCOMPARE(g.cloud.requestCount("POST", QStringLiteral("/v1/checkouts/%1/end").arg(c.id)), 0);
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("confirmButton"), box), Qt::LeftButton);
        QTRY_COMPARE(models::toString(g.cloud.checkout(c.id).state), models::toString(CheckoutState::Revoking));

        // At the policy's limit, one click says so instead of asking the service.
        TechnicianGui h;
        QVERIFY(h.open());
        const models::Checkout full = h.checkoutIn(h.contoso, CheckoutState::Ready, 240);
        h.view->extendCheckout(full.id);
        QTRY_VERIFY(h.find<QLabel>(QStringLiteral("actionStatus"), panelCard(h))
                        ->text()
                        .contains(QStringLiteral("already lasts")));
        QCOMPARE(h.cloud.requestCount("POST", QStringLiteral("/v1/checkouts/%1/extend").arg(full.id)), 0);
    }

    void withdrawARequest()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.fabrikam, CheckoutState::AwaitingApproval, 30);
        QCOMPARE(models::toString(c.state), models::toString(CheckoutState::AwaitingApproval));
        g.view->showCheckout(c.id);
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("endButton"), panelCard(g)), Qt::LeftButton);
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = TechnicianGui::anywhere<QMessageBox>(QStringLiteral("confirmCancelDialog"))));
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("confirmButton"), box), Qt::LeftButton);
        QTRY_COMPARE(models::toString(g.cloud.checkout(c.id).state), models::toString(CheckoutState::Cancelled));
        QTRY_COMPARE(g.find<QLabel>(QStringLiteral("stateChip"), panelCard(g))->text(),
                     chipText(CheckoutState::Cancelled));
        QVERIFY(g.find<QPushButton>(QStringLiteral("requestButton"))->isEnabled()); // may ask again
    }

    void myAccessAndHistory()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        auto* tabs = g.find<QTabWidget>(QStringLiteral("technicianTabs"));
        QCOMPARE(tabs->tabText(1), QStringLiteral("&My access"));
        const models::Checkout ready = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        const models::Checkout waiting = g.checkoutIn(g.fabrikam, CheckoutState::AwaitingApproval, 30);
        QTRY_COMPARE(tabs->tabText(1), QStringLiteral("&My access (2)"));
        tabs->setCurrentIndex(1);
        auto* page = g.find<QWidget>(QStringLiteral("myAccessPage"));
        QList<CheckoutCard*> cards;
        for (CheckoutCard* card : page->findChildren<CheckoutCard*>())
            cards << card;
        QCOMPARE(cards.size(), 2);
        QStringList titles;
        for (CheckoutCard* card : cards)
            titles << g.find<QLabel>(QStringLiteral("cardTitle"), card)->text();
        titles.sort();
        QCOMPARE(titles, (QStringList {"Contoso", "Fabrikam"}));

        // Ended ones leave "My access" and stay in the history with their reason.
        QVERIFY(g.moveTo(ready.id, CheckoutState::Ended, QStringLiteral("expired")));
        QTRY_COMPARE(tabs->tabText(1), QStringLiteral("&My access (1)"));
        tabs->setCurrentIndex(2);
        auto* history = g.find<QTableView>(QStringLiteral("historyTable"));
        QCOMPARE(history->model()->rowCount(), 2);
        // Activating a row shows it in the tenant view.
        history->setCurrentIndex(history->model()->index(0, 0));
        QTest::keyClick(history, Qt::Key_Return);
        QTRY_COMPARE(tabs->currentIndex(), 0);
        QVERIFY(!g.find<QLabel>(QStringLiteral("tenantName"))->text().isEmpty());
        g.view->showCheckout(waiting.id);
        QCOMPARE(g.find<QLabel>(QStringLiteral("tenantName"))->text(), QStringLiteral("Fabrikam"));
    }
};

QTEST_MAIN(TestTechnicianView)
#include "TestTechnicianView.moc"
