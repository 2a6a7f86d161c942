// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Database.h"

#include <QString>

class QIODevice;
class QTextStream;

// The audit subcommands of stint-cloud ("audit verify", "audit export"), kept here so tests run them in-process.
// Exit codes follow the usual convention: 0 done, 1 the answer is "no" (a broken chain), 2 could not answer.
namespace stint::cloud {

// Checks the hash chain of one organization, or of all when orgId is empty. 0: prints
// "audit chain intact: N events" (and, for one organization, its head to keep as an external anchor);
// 1: the chain is broken, prints the organization, seq, event id and problem of the first broken event;
// 2: the check could not run (message on err).
int runAuditVerify(store::Database& db, QTextStream& out, QTextStream& err, const QString& orgId);

struct AuditExportOptions
{
    QString orgId; // empty: every organization
    QString from; // RFC 3339, inclusive; empty: from the start
    QString to; // RFC 3339, exclusive; empty: to the end
};

// Writes the events as JSON lines to `out` and the count to err. 0 done; 2 bad options or a failed export.
int runAuditExport(store::Database& db, QIODevice& out, QTextStream& err, const AuditExportOptions& options);

} // namespace stint::cloud
