// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QByteArrayView>
#include <cstddef>

// Secret bytes (a checkout's password or Temporary Access Pass) in memory of their own: whole pages mapped for this
// secret alone, locked so they are never written to swap, excluded from core dumps and not inherited by a forked
// child, and wiped, unlocked and unmapped when the secret goes. A QByteArray cannot promise any of that (its buffer
// sits in the heap next to everything else and is copied on a whim), hence raw pages.
//
// Where the system refuses to lock (RLIMIT_MEMLOCK exhausted, no privilege) the secret still works — wiped on free
// and out of core dumps — and the process says so once. isLocked() tells which. The platform calls live in one place
// (LockedSecret.cpp, namespace lockedpages).
namespace stint::client {

class LockedSecret
{
public:
    // Empty: holds nothing and maps nothing.
    LockedSecret() = default;
    // Copies `bytes` into fresh locked pages. Error "memory.unavailable" when no pages can be mapped at all.
    static Result<LockedSecret> copyOf(QByteArrayView bytes);

    ~LockedSecret();
    LockedSecret(LockedSecret&& other) noexcept;
    LockedSecret& operator=(LockedSecret&& other) noexcept;
    LockedSecret(const LockedSecret&) = delete;
    LockedSecret& operator=(const LockedSecret&) = delete;

    // The secret, valid while this object lives and is not moved from. Do not keep copies of it.
    QByteArrayView view() const { return QByteArrayView(m_data, qsizetype(m_size)); }
    qsizetype size() const { return qsizetype(m_size); }
    bool isEmpty() const { return m_size == 0; }

    // Whether the pages are locked in RAM (false when the system refused: the degraded case).
    bool isLocked() const { return m_locked; }
    // Whether the pages are kept out of core dumps by the kernel (Linux MADV_DONTDUMP); the process also disables
    // core dumps as a whole (core/ProcessHardening).
    bool isExcludedFromDumps() const { return m_noDump; }
    // For tests: where the pages are (to check that they are gone).
    const void* pageAddress() const { return m_pages; }
    std::size_t mappedLength() const { return m_mapped; }

private:
    void release();

    void* m_pages = nullptr;
    std::size_t m_mapped = 0;
    const char* m_data = nullptr;
    std::size_t m_size = 0;
    bool m_locked = false;
    bool m_noDump = false;
};

} // namespace stint::client
