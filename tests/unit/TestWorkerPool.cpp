// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/WorkerPool.h"

#include <QSemaphore>
#include <QTest>
#include <QThread>

#include <memory>

using stint::cloud::WorkerPool;

class TestWorkerPool : public QObject
{
    Q_OBJECT

private slots:
    void resultsComeBackOnTheOwningThread()
    {
        WorkerPool pool(4);
        QList<int> results;
        QThread* deliveredOn = nullptr;
        for (int i = 0; i < 20; ++i) {
            pool.run([i]() { return i * i; },
                     [&](int value) {
                         results.append(value);
                         deliveredOn = QThread::currentThread();
                     });
        }
        QCOMPARE(pool.pending(), 20);
        QTRY_COMPARE(results.size(), 20);
        QCOMPARE(deliveredOn, QThread::currentThread());
        QCOMPARE(pool.pending(), 0);
        std::sort(results.begin(), results.end());
        QCOMPARE(results.last(), 19 * 19);
    }

    void workRunsOffTheOwningThread()
    {
        WorkerPool pool(1);
        QThread* ranOn = QThread::currentThread();
        bool done = false;
        pool.run([&ranOn]() { ranOn = QThread::currentThread(); return true; }, [&](bool) { done = true; });
        QTRY_VERIFY(done);
        QVERIFY(ranOn != QThread::currentThread());
    }

    void moveOnlyWorkAndResults()
    {
        WorkerPool pool(2);
        auto input = std::make_unique<int>(41);
        std::unique_ptr<int> output;
        pool.run([in = std::move(input)]() { return std::make_unique<int>(*in + 1); },
                 [&](std::unique_ptr<int> value) { output = std::move(value); });
        QTRY_VERIFY(output != nullptr);
        QCOMPARE(*output, 42);
    }

    void stopDropsUndeliveredResults()
    {
        bool delivered = false;
        QSemaphore started;
        {
            WorkerPool pool(1);
            pool.run([&started]() { started.release(); return 1; }, [&](int) { delivered = true; });
            started.acquire();
            pool.stop(); // the work finishes; its completion must not run
        }
        QCoreApplication::processEvents();
        QVERIFY(!delivered);
    }
};

QTEST_GUILESS_MAIN(TestWorkerPool)
#include "TestWorkerPool.moc"
