// SPDX-License-Identifier: GPL-3.0-or-later
// client::Call: handlers run later (never inside then() or resolve()), on their context, never after the context is
// gone; the first resolve wins.
#include "client/Call.h"

#include <QtTest>

using stint::Error;
using stint::Result;
using stint::client::Call;

class TestCall : public QObject
{
    Q_OBJECT
private slots:
    void handlerRunsLaterEvenWhenResolvedFirst()
    {
        auto call = Call<int>::resolved(42);
        int seen = 0;
        QObject context;
        call.then(&context, [&](const Result<int>& r) { seen = r.value(); });
        QCOMPARE(seen, 0); // not inside then()
        QTRY_COMPARE(seen, 42);
    }

    void handlerRunsLaterWhenResolvedAfterThen()
    {
        Call<int> call;
        int seen = 0;
        QObject context;
        call.then(&context, [&](const Result<int>& r) { seen = r.value(); });
        call.resolve(7);
        QCOMPARE(seen, 0); // not inside resolve()
        QTRY_COMPARE(seen, 7);
    }

    void firstResolveWins()
    {
        Call<int> call;
        call.resolve(1);
        call.fail(Error{QStringLiteral("x.y"), QStringLiteral("late"), {}});
        QVERIFY(call.result()->ok());
        QCOMPARE(call.result()->value(), 1);
    }

    void goneContextIsNeverCalled()
    {
        Call<int> call;
        bool called = false;
        auto* context = new QObject;
        call.then(context, [&](const Result<int>&) { called = true; });
        call.resolve(3);
        delete context; // before the queued handler ran
        QObject other;
        bool otherCalled = false;
        call.then(&other, [&](const Result<int>&) { otherCalled = true; });
        QTRY_VERIFY(otherCalled);
        QVERIFY(!called);
    }

    void voidCallsAndMap()
    {
        stint::client::Done done;
        QObject context;
        bool ok = false;
        done.then(&context, [&](const Result<void>& r) { ok = r.ok(); });
        done.resolve({});
        QTRY_VERIFY(ok);

        Call<int> source;
        auto doubled = source.map<int>(&context, [](const Result<int>& r) { return r.value() * 2; });
        int seen = 0;
        doubled.then(&context, [&](const Result<int>& r) { seen = r.value(); });
        source.resolve(21);
        QTRY_COMPARE(seen, 42);
    }
};

QTEST_GUILESS_MAIN(TestCall)
#include "TestCall.moc"
