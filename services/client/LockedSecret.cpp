// SPDX-License-Identifier: GPL-3.0-or-later
#include "client/LockedSecret.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QtGlobal>
#include <atomic>
#include <cstring>
#include <utility>

#if defined(Q_OS_WIN)
#include <windows.h>
#else
#include <cerrno>
#include <sys/mman.h>
#include <unistd.h>
#if defined(Q_OS_LINUX)
#include <sys/syscall.h>
#endif
#endif

Q_LOGGING_CATEGORY(lcLockedSecret, "stint.client.lockedsecret")

namespace stint::client {

// The platform's part, all of it: map private pages, lock them, keep them out of dumps and forks; wipe and give them
// back. Nothing else in this file knows which system it runs on.
namespace lockedpages {

struct Mapping
{
    void* pages = nullptr;
    std::size_t length = 0;
    bool locked = false;
    bool noDump = false;
    int lockError = 0; // errno (or GetLastError) of a refused lock
};

std::size_t pageSize()
{
#if defined(Q_OS_WIN)
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return std::size_t(info.dwPageSize);
#else
    return std::size_t(::sysconf(_SC_PAGESIZE));
#endif
}

// Zeroes memory in a way the compiler may not drop as a dead store.
void secureZero(void* p, std::size_t n)
{
#if defined(Q_OS_WIN)
    SecureZeroMemory(p, n);
#elif defined(__GLIBC__) || defined(__OpenBSD__) || defined(__FreeBSD__)
    ::explicit_bzero(p, n);
#else
    volatile unsigned char* v = static_cast<volatile unsigned char*>(p);
    while (n--)
        *v++ = 0;
#endif
}

#if !defined(Q_OS_WIN)
// On Linux the system calls themselves: AddressSanitizer replaces mlock() and munlock() with no-ops that report
// success, which would make a sanitized build claim locked pages it does not have.
int lockRange(void* p, std::size_t n)
{
#if defined(Q_OS_LINUX)
    return int(::syscall(SYS_mlock, p, n));
#else
    return ::mlock(p, n);
#endif
}

void unlockRange(void* p, std::size_t n)
{
#if defined(Q_OS_LINUX)
    ::syscall(SYS_munlock, p, n);
#else
    ::munlock(p, n);
#endif
}
#endif

Mapping map(std::size_t bytes)
{
    Mapping m;
    const std::size_t page = pageSize();
    m.length = ((bytes == 0 ? 1 : bytes) + page - 1) / page * page;
#if defined(Q_OS_WIN)
    m.pages = VirtualAlloc(nullptr, m.length, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (!m.pages)
        return Mapping {};
    m.locked = VirtualLock(m.pages, m.length) != 0;
    if (!m.locked)
        m.lockError = int(GetLastError());
    m.noDump = false; // Windows has no per-range exclusion from minidumps; the process avoids writing them instead
#else
    void* p = ::mmap(nullptr, m.length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return Mapping {};
    m.pages = p;
    m.locked = lockRange(p, m.length) == 0;
    if (!m.locked)
        m.lockError = errno;
#if defined(MADV_DONTDUMP)
    m.noDump = ::madvise(p, m.length, MADV_DONTDUMP) == 0;
#endif
#if defined(MADV_WIPEONFORK)
    // A child forked later (a browser launch through a helper, say) sees zeros here, not the secret.
    (void)::madvise(p, m.length, MADV_WIPEONFORK);
#endif
#endif
    return m;
}

void unmap(Mapping& m)
{
    if (!m.pages)
        return;
    secureZero(m.pages, m.length);
#if defined(Q_OS_WIN)
    if (m.locked)
        VirtualUnlock(m.pages, m.length);
    VirtualFree(m.pages, 0, MEM_RELEASE);
#else
    if (m.locked)
        unlockRange(m.pages, m.length);
    ::munmap(m.pages, m.length);
#endif
    m = Mapping {};
}

QString describeLockError(int error)
{
#if defined(Q_OS_WIN)
    return QStringLiteral("VirtualLock failed with error %1").arg(error);
#else
    return QString::fromLocal8Bit(::strerror(error));
#endif
}

} // namespace lockedpages

namespace {
std::atomic<bool> g_warnedUnlocked {false};

// Said once per process: every later secret would be unlocked for the same reason.
void warnUnlockedOnce(int error)
{
    if (g_warnedUnlocked.exchange(true))
        return;
    qCWarning(lcLockedSecret).noquote() << "secrets cannot be locked in memory ("
            + lockedpages::describeLockError(error)
            + "); they may reach swap. Raise RLIMIT_MEMLOCK (ulimit -l) to prevent it.";
}
} // namespace

Result<LockedSecret> LockedSecret::copyOf(QByteArrayView bytes)
{
    LockedSecret s;
    if (bytes.isEmpty())
        return s;
    lockedpages::Mapping m = lockedpages::map(std::size_t(bytes.size()));
    if (!m.pages)
        return makeError(
            QStringLiteral("memory.unavailable"),
            QCoreApplication::translate("stint::client::LockedSecret", "No memory could be set aside for a secret."));
    if (!m.locked)
        warnUnlockedOnce(m.lockError);
    std::memcpy(m.pages, bytes.data(), std::size_t(bytes.size()));
    s.m_pages = m.pages;
    s.m_mapped = m.length;
    s.m_data = static_cast<const char*>(m.pages);
    s.m_size = std::size_t(bytes.size());
    s.m_locked = m.locked;
    s.m_noDump = m.noDump;
    return s;
}

LockedSecret::~LockedSecret()
{
    release();
}

LockedSecret::LockedSecret(LockedSecret&& other) noexcept
    : m_pages(std::exchange(other.m_pages, nullptr))
    , m_mapped(std::exchange(other.m_mapped, 0))
    , m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
    , m_locked(std::exchange(other.m_locked, false))
    , m_noDump(std::exchange(other.m_noDump, false))
{
}

LockedSecret& LockedSecret::operator=(LockedSecret&& other) noexcept
{
    if (this != &other) {
        release();
        m_pages = std::exchange(other.m_pages, nullptr);
        m_mapped = std::exchange(other.m_mapped, 0);
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_locked = std::exchange(other.m_locked, false);
        m_noDump = std::exchange(other.m_noDump, false);
    }
    return *this;
}

void LockedSecret::release()
{
    lockedpages::Mapping m {m_pages, m_mapped, m_locked, m_noDump, 0};
    lockedpages::unmap(m);
    m_pages = nullptr;
    m_mapped = 0;
    m_data = nullptr;
    m_size = 0;
    m_locked = false;
    m_noDump = false;
}

} // namespace stint::client
