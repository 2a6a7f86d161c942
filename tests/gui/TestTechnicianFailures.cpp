// SPDX-License-Identifier: GPL-3.0-or-later
// The technician view when things go wrong, offscreen on the fake cloud: the cloud unreachable (offline banner, retry,
// countdowns run on from what was known, a request fails in its dialog), a request denied, provisioning slow (the
// engine's retry reason) and then failed, the session expiring mid-use (credential forgotten, actions off), a checkout
// revoked by an admin while its credential is on screen (cleared at once; a pending "End now" does nothing), and
// action failures shown where the action was taken.
#include "TechnicianGui.h"
#include "ui/common/StatusChip.h"
#include "ui/technician/CheckoutCard.h"
#include "ui/technician/RequestAccessDialog.h"
#include "ui/technician/SecretLabel.h"

#include <QComboBox>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
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
} // namespace

class TestTechnicianFailures : public QObject
{
    Q_OBJECT

    static CheckoutCard* panelCard(TechnicianGui& g)
    {
        return g.find<CheckoutCard>(QStringLiteral("checkoutCard"), g.find<QWidget>(QStringLiteral("tenantPanel")));
    }

    static QLabel* label(TechnicianGui& g, const char* name, QWidget* in)
    {
        return g.find<QLabel>(QString::fromLatin1(name), in);
    }

    // Shows the card of `id` and reveals its credential.
    static bool reveal(TechnicianGui& g, const QString& id)
    {
        g.view->showCheckout(id);
        CheckoutCard* card = panelCard(g);
        if (!card)
            return false;
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("showCredentialButton"), card), Qt::LeftButton);
        return QTest::qWaitFor(
            [&]() { return g.find<SecretLabel>(QStringLiteral("passwordValue"), card)->isShowing(); }, 5000);
    }

private slots:
    void initTestCase() { qRegisterMetaType<models::Checkout>(); }

    void cloudUnreachable()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        g.view->showCheckout(c.id);
        CheckoutCard* card = panelCard(g);
        auto* banner = g.find<QWidget>(QStringLiteral("technicianBanner"));
        QVERIFY(!banner->isVisible());

        g.cloud.setUnreachable(true);
        QTRY_VERIFY(banner->isVisible());
        QVERIFY(label(g, "bannerText", banner)->text().startsWith(QStringLiteral("Offline")));
        auto* retry = g.find<QPushButton>(QStringLiteral("bannerAction"), banner);
        QVERIFY(retry->isVisible());
        // The countdown runs on from the last known end, and says so.
        QVERIFY(label(g, "countdownCaption", card)->text().contains(QStringLiteral("last known")));
        g.clock.advance(10 * kMinute);
        QTRY_COMPARE(label(g, "countdown", card)->text(), QStringLiteral("50:00"));

        // A request fails in its dialog, which stays open with what was typed.
        auto* list = g.find<QListView>(QStringLiteral("tenantList"));
        list->setCurrentIndex(list->model()->index(2, 0)); // Northwind Traders
        g.view->requestAccess();
        ui::RequestAccessDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = g.view->findChild<ui::RequestAccessDialog*>()));
        QTest::keyClicks(g.find<QLineEdit>(QStringLiteral("justificationEdit"), dialog), QStringLiteral("Audit"));
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("submitButton"), dialog), Qt::LeftButton);
        auto* formError = label(g, "formError", dialog);
        QTRY_VERIFY(formError->isVisible());
        QVERIFY(formError->text().contains(QStringLiteral("cannot be reached")));
        QVERIFY(g.find<QPushButton>(QStringLiteral("submitButton"), dialog)->isEnabled()); // may try again
        QCOMPARE(g.find<QLineEdit>(QStringLiteral("justificationEdit"), dialog)->text(), QStringLiteral("Audit"));

        // Back: "Retry now" reconnects without waiting out the backoff; the banner goes, the retry succeeds.
        g.cloud.setUnreachable(false);
        QTest::mouseClick(retry, Qt::LeftButton);
        QTRY_VERIFY(!banner->isVisible());
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("submitButton"), dialog), Qt::LeftButton);
        QTRY_VERIFY(!g.view->findChild<ui::RequestAccessDialog*>());
        QCOMPARE(g.cloud.checkouts().size(), 2);
        g.view->showCheckout(c.id);
        card = panelCard(g);
        QCOMPARE(label(g, "countdownCaption", card)->text(), QStringLiteral("Time left"));
    }

    void requestDenied()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.fabrikam, CheckoutState::AwaitingApproval, 30);
        g.view->showCheckout(c.id);
        CheckoutCard* card = panelCard(g);
        QVERIFY(!g.find<QPushButton>(QStringLiteral("requestButton"))->isEnabled());
        g.cloud.advance(c.id, CheckoutState::Denied, QStringLiteral("Not during the change freeze."));
        QTRY_COMPARE(label(g, "stateChip", card)->text(), chipText(CheckoutState::Denied));
        QCOMPARE(label(g, "progressText", card)->text(), QStringLiteral("Denied: Not during the change freeze."));
        QCOMPARE(label(g, "progressText", card)->property("role").toString(), QStringLiteral("danger"));
        QCOMPARE(label(g, "cardTitle", card)->text(), QStringLiteral("Your last request"));
        QVERIFY(!g.find<QPushButton>(QStringLiteral("endButton"), card)->isVisible());
        QVERIFY(g.find<QPushButton>(QStringLiteral("requestButton"))->isEnabled()); // may ask again
        auto* history = g.view->findChild<QTableView*>(QStringLiteral("historyTable"));
        QCOMPARE(history->model()->index(0, 0).data().toString(), chipText(CheckoutState::Denied));
        QCOMPARE(history->model()->index(0, 6).data().toString(), QStringLiteral("Not during the change freeze."));
    }

    void provisioningSlowThenFailed()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Provisioning, 60);
        g.view->showCheckout(c.id);
        CheckoutCard* card = panelCard(g);
        QTRY_COMPARE(label(g, "stateChip", card)->text(), chipText(CheckoutState::Provisioning));

        // The engine retries: the live channel carries its reason and attempt count.
        models::Checkout slow = g.cloud.checkout(c.id);
        slow.attempts = 2;
        slow.stateReason = QStringLiteral("Retrying: Graph answered 429 TooManyRequests (create user)");
        slow.version += 1;
        g.cloud.publish(QStringLiteral("checkout.updated"), slow.toJson(), QStringLiteral("person:") + g.tech.id);
        QTRY_COMPARE(label(g, "progressText", card)->text(),
                     QStringLiteral("Still preparing: Microsoft Graph asked to slow down, retrying (attempt 3)."));
        QVERIFY(g.find<QWidget>(QStringLiteral("busySpinner"), card)->isVisible());

        g.cloud.advance(c.id, CheckoutState::Failed,
                        QStringLiteral("Provisioning failed (entra.forbidden): the app may not reset passwords."));
        QTRY_COMPARE(label(g, "stateChip", card)->text(), chipText(CheckoutState::Failed));
        QCOMPARE(label(g, "progressText", card)->text(),
                 QStringLiteral("Access could not be prepared: Provisioning failed (entra.forbidden): the app may not "
                                "reset passwords."));
        QCOMPARE(label(g, "progressText", card)->property("role").toString(), QStringLiteral("danger"));
        QVERIFY(!g.find<QWidget>(QStringLiteral("credentialPanel"), card)->isVisible());
        QVERIFY(g.find<QPushButton>(QStringLiteral("requestButton"))->isEnabled());
    }

    void sessionExpiresMidUse()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        QVERIFY(reveal(g, c.id));
        CheckoutCard* card = panelCard(g);
        QVERIFY(g.keeper.holds(c.id));

        g.cloud.endSession();
        auto* banner = g.find<QWidget>(QStringLiteral("technicianBanner"));
        QTRY_VERIFY(banner->isVisible());
        QVERIFY(label(g, "bannerText", banner)->text().contains(QStringLiteral("session has ended")));
        // The credential goes with the session; what is shown stays, but nothing can be done with it.
        QTRY_VERIFY(!g.find<SecretLabel>(QStringLiteral("passwordValue"), card)->isShowing());
        QVERIFY(!g.keeper.holds(c.id));
        QVERIFY(!g.find<QPushButton>(QStringLiteral("launchButton"), card)->isEnabled());
        QVERIFY(!g.find<QPushButton>(QStringLiteral("endButton"), card)->isEnabled());
        QVERIFY(!g.find<QPushButton>(QStringLiteral("showCredentialButton"), card)->isEnabled());
        QCOMPARE(label(g, "stateChip", card)->text(), chipText(CheckoutState::Ready));
        auto* list = g.find<QListView>(QStringLiteral("tenantList"));
        list->setCurrentIndex(list->model()->index(1, 0)); // Fabrikam
        QVERIFY(!g.find<QPushButton>(QStringLiteral("requestButton"))->isEnabled());
        QVERIFY(label(g, "requestHint", g.view.get())->text().contains(QStringLiteral("Sign in again")));
        g.view->requestAccess(); // Ctrl+R does nothing either
        QTest::qWait(50);
        QVERIFY(!g.view->findChild<ui::RequestAccessDialog*>());
    }

    void revokedByAnAdminWhileShown()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        QVERIFY(reveal(g, c.id));
        CheckoutCard* card = panelCard(g);
        // The technician is about to end it too: the confirmation is open when the admin acts.
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("endButton"), card), Qt::LeftButton);
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = TechnicianGui::anywhere<QMessageBox>(QStringLiteral("confirmEndDialog"))));

        g.cloud.advance(c.id, CheckoutState::Revoking, QStringLiteral("Suspicious sign-ins from a new country."));
        QTRY_COMPARE(label(g, "stateChip", card)->text(), chipText(CheckoutState::Revoking));
        // Cleared the moment the state left ready, and forgotten.
        QVERIFY(!g.find<SecretLabel>(QStringLiteral("passwordValue"), card)->isShowing());
        QVERIFY(!g.find<SecretLabel>(QStringLiteral("passValue"), card)->isShowing());
        QVERIFY(!g.keeper.holds(c.id));
        QVERIFY(label(g, "progressText", card)->text().contains(QStringLiteral("Suspicious sign-ins")));
        QVERIFY(!g.find<QPushButton>(QStringLiteral("launchButton"), card)->isVisible());

        // Confirming now ends nothing: it had already ended.
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("confirmButton"), box), Qt::LeftButton);
        QTRY_VERIFY(label(g, "actionStatus", card)->text().contains(QStringLiteral("already ended")));
        QCOMPARE(g.cloud.requestCount("POST", QStringLiteral("/v1/checkouts/%1/end").arg(c.id)), 0);

        g.cloud.advance(c.id, CheckoutState::Ended, QStringLiteral("Access removed and confirmed."));
        QTRY_COMPARE(label(g, "stateChip", card)->text(), chipText(CheckoutState::Ended));
        QCOMPARE(label(g, "cardTitle", card)->text(), QStringLiteral("Your last request"));
        QVERIFY(g.find<QPushButton>(QStringLiteral("requestButton"))->isEnabled());
    }

    void actionFailuresAreShownInPlace()
    {
        TechnicianGui g;
        QVERIFY(g.open());
        const models::Checkout c = g.checkoutIn(g.contoso, CheckoutState::Ready, 60);
        g.view->showCheckout(c.id);
        CheckoutCard* card = panelCard(g);

        // The credential cannot be fetched: said under the buttons, nothing shown.
        g.cloud.failNext("GET", QStringLiteral("/v1/checkouts/%1/credential").arg(c.id), 503,
                         QStringLiteral("unavailable"));
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("showCredentialButton"), card), Qt::LeftButton);
        QTRY_VERIFY(label(g, "credentialStatus", card)->text().contains(QStringLiteral("could not be fetched")));
        QVERIFY(!g.find<SecretLabel>(QStringLiteral("passwordValue"), card)->isShowing());
        QVERIFY(g.find<QPushButton>(QStringLiteral("showCredentialButton"), card)->isEnabled());

        // Extending beyond the policy: the service's 422 under the choice; the dialog stays.
        g.view->findChild<QPushButton*>(QStringLiteral("extendButton"))->click();
        QDialog* extend = nullptr;
        QTRY_VERIFY((extend = TechnicianGui::anywhere<QDialog>(QStringLiteral("extendDialog"))));
        g.cloud.failNext("POST", QStringLiteral("/v1/checkouts/%1/extend").arg(c.id), 422, QStringLiteral("validation"),
                         QStringLiteral("minutes: would make the access last 300 minutes; at most 240 minutes from "
                                        "when it became ready are allowed"));
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("extendButton"), extend), Qt::LeftButton);
        auto* extendError = label(g, "extendError", extend);
        QTRY_VERIFY(extendError->isVisible());
        QVERIFY(extendError->text().contains(QStringLiteral("at most 240 minutes")));
        QVERIFY(TechnicianGui::anywhere<QDialog>(QStringLiteral("extendDialog")));
        QTest::keyClick(extend, Qt::Key_Escape);
        QTRY_VERIFY(!TechnicianGui::anywhere<QDialog>(QStringLiteral("extendDialog")));

        // Ending fails: said on the card; the buttons work again.
        g.cloud.failNext("POST", QStringLiteral("/v1/checkouts/%1/end").arg(c.id), 500, QStringLiteral("internal"));
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("endButton"), card), Qt::LeftButton);
        QMessageBox* box = nullptr;
        QTRY_VERIFY((box = TechnicianGui::anywhere<QMessageBox>(QStringLiteral("confirmEndDialog"))));
        QTest::mouseClick(g.find<QPushButton>(QStringLiteral("confirmButton"), box), Qt::LeftButton);
        auto* status = label(g, "actionStatus", card);
        QTRY_VERIFY(status->text().startsWith(QStringLiteral("Access was not ended.")));
        QVERIFY(status->text().contains(QStringLiteral("ran into a problem")));
        QVERIFY(!status->toolTip().isEmpty()); // the code, for support
        QVERIFY(g.find<QPushButton>(QStringLiteral("endButton"), card)->isEnabled());
        QCOMPARE(models::toString(g.cloud.checkout(c.id).state), models::toString(CheckoutState::Ready));
    }
};

QTEST_MAIN(TestTechnicianFailures)
#include "TestTechnicianFailures.moc"
