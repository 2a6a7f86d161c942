// SPDX-License-Identifier: GPL-3.0-or-later
// The service's clock as the countdowns see it (CloudApi::serverClockOffsetMs): the whole-second Date header only
// bounds the offset, so a machine whose clock is right keeps exactly its own time (no countdown jumping by up to a
// second with every answer), and a machine whose clock is off is corrected by what the answers prove.
#include "client/CloudApi.h"
#include "support/client/ScriptedTransport.h"

#include <QtTest>

using namespace stint;
using namespace stint::client;
using stint::test::ScriptedTransport;

class TestServerClock : public QObject
{
    Q_OBJECT

    // One answer whose Date is `serverMs` truncated to the second, taking `transitMs` on a manual clock.
    static qint64 answer(CloudApi& api, ScriptedTransport& transport, ManualClock& clock, qint64 serverMs, qint64 transitMs)
    {
        transport.setAnswer([&, serverMs, transitMs](const ApiRequest&) {
            clock.advance(transitMs);
            auto r = ScriptedTransport::ok();
            r->serverTime = serverMs - serverMs % 1000;
            return r;
        });
        QObject context;
        bool done = false;
        api.me().then(&context, [&](const Result<models::Me>&) { done = true; });
        if (!QTest::qWaitFor([&] { return done; }, 5000))
            return -1;
        return api.serverClockOffsetMs();
    }

private slots:
    void rightClockIsLeftAlone()
    {
        ManualClock clock(1'800'000'000'400);
        ScriptedTransport transport;
        CloudApi api(transport);
        api.setClock(&clock);
        // The service's clock equals ours; the Date header says "…000" for a moment at "…410".
        QCOMPARE(answer(api, transport, clock, clock.now() + 10, 20), qint64(0));
        clock.advance(700);
        QCOMPARE(answer(api, transport, clock, clock.now() + 5, 10), qint64(0));
    }

    void offClockIsCorrected()
    {
        ManualClock clock(1'800'000'000'000);
        ScriptedTransport transport;
        CloudApi api(transport);
        api.setClock(&clock);
        // Our clock is 90 s behind the service's.
        const qint64 behind = 90'000;
        qint64 offset = 0;
        for (int i = 0; i < 5; ++i) {
            clock.advance(333);
            offset = answer(api, transport, clock, clock.now() + behind + 15, 30);
        }
        // Within what whole seconds allow, and never past the truth.
        QVERIFY2(offset > behind - 1000 && offset <= behind, qPrintable(QString::number(offset)));
    }

    void clockSetMeanwhileStartsAfresh()
    {
        ManualClock clock(1'800'000'000'000);
        ScriptedTransport transport;
        CloudApi api(transport);
        api.setClock(&clock);
        QCOMPARE(answer(api, transport, clock, clock.now(), 10), qint64(0));
        // Someone sets our clock an hour back: the old bounds no longer overlap.
        clock.advance(-3'600'000);
        const qint64 offset = answer(api, transport, clock, clock.now() + 3'600'000, 10);
        QVERIFY2(offset > 3'600'000 - 1000 && offset <= 3'600'000, qPrintable(QString::number(offset)));
    }
};

QTEST_GUILESS_MAIN(TestServerClock)
#include "TestServerClock.moc"
