// SPDX-License-Identifier: GPL-3.0-or-later
// client::ExpiryWatch: "checkout X ends in 5 minutes" once per checkout and expiry, by the service's clock; again
// after an extension; at once for a checkout already inside the lead; never for one that is over, not ready or not
// mine; one timer, sleeping at most a minute. Also the clock serverNow() is read against (a bug found here: the API
// measured the service's offset against the system clock while the workspace added it to its own).
#include "client/ExpiryWatch.h"
#include "support/client/TechnicianWorld.h"

#include <QSignalSpy>
#include <QtTest>

using namespace stint;
using client::ExpiryWatch;
using models::CheckoutState;
using test::TechnicianWorld;

namespace {
constexpr qint64 kMinute = 60'000;
} // namespace

class TestExpiryWatch : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { qRegisterMetaType<models::Checkout>(); }

    // Regression: CloudApi took the offset against the system clock, Workspace added it to the injected clock; with a
    // clock that is not the system's, every countdown was off by the difference of the two.
    void serverNowFollowsTheWorkspaceClock()
    {
        TechnicianWorld w;
        w.clock.set(TechnicianWorld::kStart + 90LL * 24 * 3600'000); // far from the system clock, on a whole second
        QVERIFY(w.start());
        QCOMPARE(w.api.serverClockOffsetMs(), 0);
        QCOMPARE(w.workspace.serverNow(), w.clock.now());
    }

    void warnsOnceInsideTheLead()
    {
        TechnicianWorld w;
        QVERIFY(w.start());
        const models::Checkout c = w.checkoutIn(w.contoso, CheckoutState::Ready, 60);
        QVERIFY(c.expiresAt);
        ExpiryWatch watch(w.workspace);
        QSignalSpy spy(&watch, &ExpiryWatch::endingSoon);
        QTest::qWait(0);
        watch.check();
        QCOMPARE(spy.size(), 0);
        // Armed, but never for more than a minute.
        QVERIFY(watch.msUntilNextCheck() > 0);
        QVERIFY(watch.msUntilNextCheck() <= ExpiryWatch::kMaxSleepMs);

        w.clock.advance(54 * kMinute);
        watch.check();
        QCOMPARE(spy.size(), 0);
        w.clock.advance(kMinute + 1000); // 4:59 left
        watch.check();
        QCOMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).value<models::Checkout>().id, c.id);
        QCOMPARE(spy.at(0).at(1).toLongLong(), 5 * kMinute - 1000);
        // Once per expiry, however often it looks.
        w.clock.advance(2 * kMinute);
        watch.check();
        watch.check();
        QCOMPARE(spy.size(), 1);
        // Nothing left to wait for.
        QCOMPARE(watch.msUntilNextCheck(), -1);
    }

    void anExtensionIsWarnedAgain()
    {
        TechnicianWorld w;
        QVERIFY(w.start());
        const models::Checkout c = w.checkoutIn(w.contoso, CheckoutState::Ready, 60);
        ExpiryWatch watch(w.workspace);
        QSignalSpy spy(&watch, &ExpiryWatch::endingSoon);
        w.clock.advance(56 * kMinute);
        watch.check();
        QCOMPARE(spy.size(), 1);

        auto extended = test::waitFor(w.api.extend(c.id, 30));
        QVERIFY2(extended.ok(), qPrintable(extended.ok() ? QString() : extended.error().message));
        // The workspace hears of it (live channel) and the watch re-arms on its own.
        QTRY_COMPARE(w.workspace.checkout(c.id)->expiresAt, extended->expiresAt);
        QVERIFY(watch.msUntilNextCheck() > 0);
        QCOMPARE(spy.size(), 1);
        w.clock.advance(29 * kMinute);
        watch.check();
        QCOMPARE(spy.size(), 2);
        QCOMPARE(spy.at(1).at(0).value<models::Checkout>().expiresAt, extended->expiresAt);
    }

    void startingLateWarnsAtOnceAndOverNever()
    {
        TechnicianWorld w;
        QVERIFY(w.start());
        const models::Checkout soon = w.checkoutIn(w.contoso, CheckoutState::Ready, 60);
        w.clock.advance(57 * kMinute);
        // Only the checkout inside the lead: the first look runs from the event loop, after the connect below.
        ExpiryWatch watch(w.workspace);
        QSignalSpy spy(&watch, &ExpiryWatch::endingSoon);
        QTRY_COMPARE(spy.size(), 1);
        QCOMPARE(spy.at(0).at(0).value<models::Checkout>().id, soon.id);

        ExpiryWatch late(w.workspace);
        QSignalSpy lateSpy(&late, &ExpiryWatch::endingSoon);
        w.clock.advance(4 * kMinute); // a minute past the end, still "ready" until the service revokes it
        QTest::qWait(20);
        late.check();
        QCOMPARE(lateSpy.size(), 0);
    }

    void onlyMyReadyCheckouts()
    {
        TechnicianWorld w;
        QVERIFY(w.start());
        const models::Checkout preparing = w.checkoutIn(w.contoso, CheckoutState::Provisioning, 10);
        const models::Checkout waiting = w.checkoutIn(w.fabrikam, CheckoutState::AwaitingApproval, 10);
        QCOMPARE(models::toString(waiting.state), models::toString(CheckoutState::AwaitingApproval));
        ExpiryWatch watch(w.workspace);
        QSignalSpy spy(&watch, &ExpiryWatch::endingSoon);
        w.clock.advance(8 * kMinute);
        watch.check();
        QCOMPARE(spy.size(), 0);
        QCOMPARE(watch.msUntilNextCheck(), -1);

        // Ready, then ended before its warning: nothing is said.
        QVERIFY(w.moveTo(preparing.id, CheckoutState::Ready));
        QVERIFY(watch.msUntilNextCheck() > 0);
        QVERIFY(w.moveTo(preparing.id, CheckoutState::Ended));
        w.clock.advance(6 * kMinute);
        watch.check();
        QCOMPARE(spy.size(), 0);
        QCOMPARE(watch.msUntilNextCheck(), -1);
    }

    // The timer, not a test's check(), gives the warning when it falls due.
    void theTimerGivesTheWarning()
    {
        TechnicianWorld w;
        QVERIFY(w.start());
        const models::Checkout c = w.checkoutIn(w.contoso, CheckoutState::Ready, 60);
        const qint64 remaining = *c.expiresAt - w.workspace.serverNow();
        ExpiryWatch watch(w.workspace, remaining - 200); // due in 200 ms
        QSignalSpy spy(&watch, &ExpiryWatch::endingSoon);
        QTest::qWait(0);
        QVERIFY(watch.msUntilNextCheck() > 0);
        QVERIFY(watch.msUntilNextCheck() <= 200);
        w.clock.advance(200); // the service's time moves on with the timer
        QVERIFY(spy.wait(2000));
        QCOMPARE(spy.size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestExpiryWatch)
#include "TestExpiryWatch.moc"
