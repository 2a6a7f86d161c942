// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/audit/AuditCommands.h"

#include "cloud/audit/AuditLog.h"

#include <QIODevice>
#include <QTextStream>

namespace stint::cloud {

namespace {
void printError(QTextStream& err, const QString& what, const Error& error)
{
    err << what << ": " << error.message << " (" << error.code << ")\n";
    err.flush();
}

std::optional<TimeMs> parseBound(const QString& text, const QString& option, QTextStream& err, bool& ok)
{
    if (text.isEmpty())
        return std::nullopt;
    const auto t = fromRfc3339(text);
    if (!t) {
        err << "audit export: " << option << " must be an RFC 3339 time such as 2026-01-31T00:00:00Z, not \"" << text
            << "\"\n";
        err.flush();
        ok = false;
    }
    return t;
}
} // namespace

int runAuditVerify(store::Database& db, QTextStream& out, QTextStream& err, const QString& orgId)
{
    // verify() and head() never read the clock.
    const SystemClock clock;
    AuditLog log(db, clock);
    auto report = log.verify(orgId);
    if (!report) {
        printError(err, QStringLiteral("audit verify failed"), report.error());
        return 2;
    }
    if (!report->intact) {
        out << "audit chain BROKEN\n"
            << "  org:     " << report->orgId << '\n'
            << "  seq:     " << report->firstBrokenSeq << '\n'
            << "  event:   " << report->firstBrokenId << '\n'
            << "  problem: " << report->problem << '\n'
            << "  (" << report->eventsChecked << " events before it are intact)\n";
        out.flush();
        return 1;
    }
    out << "audit chain intact: " << report->eventsChecked << " events\n";
    if (!orgId.isEmpty()) {
        auto head = log.head(orgId);
        if (!head) {
            out.flush();
            printError(err, QStringLiteral("audit verify failed"), head.error());
            return 2;
        }
        // The one thing a hash chain cannot show by itself is its newest events being cut off: keep this elsewhere.
        out << "head (keep outside the database as an anchor): " << QString::fromLatin1(*head) << '\n';
    }
    out.flush();
    return 0;
}

int runAuditExport(store::Database& db, QIODevice& out, QTextStream& err, const AuditExportOptions& options)
{
    bool ok = true;
    const auto from = parseBound(options.from, QStringLiteral("--from"), err, ok);
    const auto to = parseBound(options.to, QStringLiteral("--to"), err, ok);
    if (!ok)
        return 2;
    if (from && to && *from > *to) {
        err << "audit export: --from must not be after --to\n";
        err.flush();
        return 2;
    }
    const SystemClock clock;
    AuditLog log(db, clock);
    auto written = log.exportJsonLines(out, options.orgId, from, to);
    if (!written) {
        printError(err, QStringLiteral("audit export failed"), written.error());
        return 2;
    }
    err << "exported " << *written << " audit events\n";
    err.flush();
    return 0;
}

} // namespace stint::cloud
