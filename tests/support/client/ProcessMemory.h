// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QFile>
#include <QStringList>

// What the kernel says about this process's memory at an address (Linux /proc/self/smaps): whether it is mapped,
// locked ("lo"), kept out of core dumps ("dd"), wiped in forked children ("wf"). Tests of the places that hold secrets
// check the kernel's view rather than their own flags.
namespace stint::test {

struct MemoryRegion
{
    bool found = false;
    QStringList flags; // VmFlags: "lo", "dd", "wf" …
    qint64 lockedKb = 0;

    bool locked() const { return flags.contains(QStringLiteral("lo")); }
    bool keptOutOfDumps() const { return flags.contains(QStringLiteral("dd")); }
    bool wipedOnFork() const { return flags.contains(QStringLiteral("wf")); }
};

inline MemoryRegion memoryRegionOf(const void* address)
{
    MemoryRegion region;
    QFile f(QStringLiteral("/proc/self/smaps"));
    if (!f.open(QIODevice::ReadOnly))
        return region;
    const auto target = quintptr(address);
    bool inside = false;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray& line : lines) {
        // A mapping's first line starts with its address range in lower-case hex; its fields start with a name.
        const bool header = !line.isEmpty() && QByteArrayView("0123456789abcdef").contains(line.front());
        const qsizetype dash = line.indexOf('-');
        const qsizetype space = line.indexOf(' ');
        if (header && dash > 0 && space > dash) {
            if (inside)
                break;
            bool ok1 = false;
            bool ok2 = false;
            const quintptr from = line.left(dash).toULongLong(&ok1, 16);
            const quintptr to = line.mid(dash + 1, space - dash - 1).toULongLong(&ok2, 16);
            inside = ok1 && ok2 && target >= from && target < to;
            region.found = inside;
            continue;
        }
        if (!inside)
            continue;
        if (line.startsWith("Locked:"))
            region.lockedKb = line.mid(7).trimmed().split(' ').value(0).toLongLong();
        else if (line.startsWith("VmFlags:"))
            region.flags = QString::fromLatin1(line.mid(8)).split(QLatin1Char(' '), Qt::SkipEmptyParts);
    }
    return region;
}

} // namespace stint::test
