// SPDX-License-Identifier: GPL-3.0-or-later
// LockedSecret: the bytes come back whole at every size; the kernel reports the pages locked, out of dumps and wiped
// in forked children; the pages are gone after destruction and after a move-assignment replaced them; and where
// locking is refused (RLIMIT_MEMLOCK) the secret still works, says so once, and keeps the other protections.
#include "client/LockedSecret.h"
#include "core/Crypto.h"
#include "support/client/ProcessMemory.h"

#include <QRegularExpression>
#include <QTest>
#include <cerrno>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

using stint::client::LockedSecret;

namespace {

bool isMapped(const void* address)
{
    unsigned char residency = 0;
    void* page = reinterpret_cast<void*>(quintptr(address) & ~quintptr(::sysconf(_SC_PAGESIZE) - 1));
    return ::mincore(page, 1, &residency) == 0 || errno != ENOMEM;
}

// Drops (or restores) CAP_IPC_LOCK from the effective set: with it, root may lock any amount whatever the limit.
bool setIpcLockCapability(bool on)
{
    __user_cap_header_struct header {_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] {};
    if (::syscall(SYS_capget, &header, data) != 0)
        return false;
    if (on)
        data[0].effective |= data[0].permitted & (1u << CAP_IPC_LOCK);
    else
        data[0].effective &= ~(1u << CAP_IPC_LOCK);
    return ::syscall(SYS_capset, &header, data) == 0;
}

} // namespace

class TestLockedSecret : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // First, while no other test has made the process say its one warning.
    void worksDegradedWhereLockingIsRefused()
    {
        rlimit saved {};
        QVERIFY(::getrlimit(RLIMIT_MEMLOCK, &saved) == 0);
        QVERIFY(setIpcLockCapability(false));
        rlimit none {0, saved.rlim_max};
        QVERIFY(::setrlimit(RLIMIT_MEMLOCK, &none) == 0);
        auto restore = qScopeGuard([&]() {
            ::setrlimit(RLIMIT_MEMLOCK, &saved);
            setIpcLockCapability(true);
        });

        const QRegularExpression warning(QStringLiteral("secrets cannot be locked in memory"));
        QTest::ignoreMessage(QtWarningMsg, warning);
        QTest::failOnWarning(warning); // a second one fails the test
        auto first = LockedSecret::copyOf("first secret");
        auto second = LockedSecret::copyOf("second secret");
        QVERIFY(first.ok());
        QVERIFY(second.ok());
        QCOMPARE(first->view(), QByteArrayView("first secret"));
        QCOMPARE(second->view(), QByteArrayView("second secret"));
        QVERIFY(!first->isLocked());
        QVERIFY(!second->isLocked());
        QVERIFY(first->isExcludedFromDumps());
        const auto vma = stint::test::memoryRegionOf(first->view().data());
        QVERIFY(vma.found);
        QVERIFY(!vma.flags.contains(QStringLiteral("lo")));
        QVERIFY(vma.flags.contains(QStringLiteral("dd")));
    }

    void bytesComeBackWhole_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("one byte") << QByteArray("x");
        QTest::newRow("with NULs") << QByteArray("a\0b\0\0c", 6);
        QTest::newRow("UTF-8") << QStringLiteral("Pässwörd-€-😀").toUtf8();
        QTest::newRow("one page less one") << stint::crypto::randomBytes(4095);
        QTest::newRow("one page") << stint::crypto::randomBytes(4096);
        QTest::newRow("one page and one") << stint::crypto::randomBytes(4097);
        QTest::newRow("ten kilobytes") << stint::crypto::randomBytes(10'000);
    }
    void bytesComeBackWhole()
    {
        QFETCH(QByteArray, bytes);
        auto s = LockedSecret::copyOf(bytes);
        QVERIFY(s.ok());
        QCOMPARE(s->size(), bytes.size());
        QCOMPARE(s->view(), QByteArrayView(bytes));
        QVERIFY(s->mappedLength() >= std::size_t(bytes.size()));
        QCOMPARE(s->mappedLength() % std::size_t(::sysconf(_SC_PAGESIZE)), std::size_t(0));
        QVERIFY(s->isLocked());
        QVERIFY(s->isExcludedFromDumps());
    }

    void emptyHoldsNothing()
    {
        LockedSecret none;
        QVERIFY(none.isEmpty());
        QCOMPARE(none.size(), 0);
        QVERIFY(none.pageAddress() == nullptr);
        auto fromEmpty = LockedSecret::copyOf(QByteArrayView());
        QVERIFY(fromEmpty.ok());
        QVERIFY(fromEmpty->isEmpty());
        QVERIFY(fromEmpty->pageAddress() == nullptr);
    }

    void kernelSeesLockedUndumpedWipeOnForkPages()
    {
        auto s = LockedSecret::copyOf(stint::crypto::randomBytes(5000));
        QVERIFY(s.ok());
        const auto vma = stint::test::memoryRegionOf(s->pageAddress());
        QVERIFY(vma.found);
        QVERIFY2(vma.flags.contains(QStringLiteral("lo")), qPrintable(vma.flags.join(QLatin1Char(' '))));
        QVERIFY2(vma.flags.contains(QStringLiteral("dd")), qPrintable(vma.flags.join(QLatin1Char(' '))));
        QVERIFY2(vma.flags.contains(QStringLiteral("wf")), qPrintable(vma.flags.join(QLatin1Char(' '))));
        QVERIFY(vma.lockedKb >= qint64(s->mappedLength() / 1024));
    }

    void forkedChildSeesZeros()
    {
        const QByteArray secret = stint::crypto::randomBytes(64);
        auto s = LockedSecret::copyOf(secret);
        QVERIFY(s.ok());
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            const QByteArrayView seen = s->view();
            bool allZero = true;
            for (char c : seen)
                allZero = allZero && c == 0;
            ::_exit(allZero ? 0 : 1);
        }
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(WIFEXITED(status));
        QCOMPARE(WEXITSTATUS(status), 0);
        QCOMPARE(s->view(), QByteArrayView(secret)); // the parent keeps it
    }

    void pagesAreGoneAfterDestruction()
    {
        const void* address = nullptr;
        {
            auto s = LockedSecret::copyOf("short-lived");
            QVERIFY(s.ok());
            address = s->pageAddress();
            QVERIFY(isMapped(address));
        }
        QVERIFY(!isMapped(address));
    }

    void movesTransferAndAssignmentReleases()
    {
        auto a = LockedSecret::copyOf("alpha");
        auto b = LockedSecret::copyOf("bravo");
        QVERIFY(a.ok() && b.ok());
        const void* pagesA = a->pageAddress();
        const void* pagesB = b->pageAddress();

        LockedSecret moved(std::move(*a));
        QVERIFY(a->isEmpty());
        QVERIFY(a->pageAddress() == nullptr);
        QCOMPARE(moved.view(), QByteArrayView("alpha"));
        QVERIFY(moved.pageAddress() == pagesA); // the bytes stayed where they were: no copy left behind
        QVERIFY(moved.isLocked());

        moved = std::move(*b); // alpha's pages are wiped and given back
        QVERIFY(!isMapped(pagesA));
        QCOMPARE(moved.view(), QByteArrayView("bravo"));
        QVERIFY(moved.pageAddress() == pagesB);
        QVERIFY(b->isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLockedSecret)
#include "TestLockedSecret.moc"
