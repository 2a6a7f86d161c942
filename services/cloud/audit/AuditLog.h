// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "core/Result.h"
#include "store/Database.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <algorithm>
#include <optional>

class QIODevice;

namespace stint::cloud {

// One entry of the audit log: who did what to which thing, from where, and how it ended.
struct AuditEvent
{
    QString orgId;
    TimeMs occurredAt = 0; // 0: the log stamps the time of the append
    QString actorId; // person id, or "system", or "anonymous"
    QString actorLabel; // e.g. the person's email; "" if none
    QString action; // dotted, e.g. "auth.signin", "tenant.update", "checkout.transition", "credential.view"
    QString targetType; // "" when not applicable
    QString targetId; // "" when not applicable
    QString tenantId; // "" when not applicable
    QString sourceAddress;
    QString outcome; // "success" | "failure" | "denied"
    // Never a secret: that is the caller's duty, and the log also refuses keys that look like one (secret, password,
    // token, credential_value, private_key, api_key, at any depth) with "audit.secret_in_details".
    QJsonObject details;

    // Filled by the log.
    qint64 seq = 0;
    QString id;
    QByteArray prevHash;
    QByteArray hash;
};

// The tamper-evident audit log: an append-only hash chain per organization in the audit_events table.
//
// Event n of an organization has seq n (from 1) and prev_hash = hash of event n-1 (32 zero bytes for event 1). Its
// hash is SHA-256 over the tag "stint.audit.v1" and then org_id, seq, id, occurred_at, actor_id, actor_label,
// action, target_type, target_id, tenant_id, source_address, outcome, details (the exact compact JSON text stored)
// and prev_hash, each written as a 4-byte big-endian length and its bytes (text as UTF-8, seq and occurred_at as
// 8-byte big-endian integers). verify() recomputes the chain and names the first event where it breaks, so changing
// any column of any row, deleting a row, swapping or reordering rows, or inserting a row all show up there.
//
// What a hash chain alone cannot show: the newest events being cut off (the shortened chain is still a valid
// chain), or the whole chain being rewritten by someone who can write the database. Both need an anchor kept
// outside the database: record head() somewhere else (a ticket, a log shipper, a printout) from time to time and
// check it later with checkAnchor(); everything up to an anchor that still matches is proven unchanged.
//
// Not thread-safe, like the Database it uses.
class AuditLog
{
public:
    AuditLog(store::Database& db, const Clock& clock);

    // Appends within the caller's transaction if one is open (store::Transaction joins it), else in its own durable
    // one. The chain head is read inside that transaction, never cached, so a rolled-back transaction leaves no
    // trace. Returns the stored event (seq, id, prevHash, hash and occurredAt filled in).
    // Errors: "audit.invalid" (a field out of shape), "audit.secret_in_details", "audit.details_too_large",
    // and store errors.
    Result<AuditEvent> append(AuditEvent event);

    struct Query
    {
        QString orgId; // required
        std::optional<TimeMs> from; // inclusive
        std::optional<TimeMs> to; // exclusive
        QString actorId;
        QString tenantId;
        QString action; // exact, or a prefix ending in '.' ("checkout." matches "checkout.transition")
        QString cursor; // nextCursor of the previous page; empty for the first
        int limit = 100; // 1..kMaxPageSize
    };
    struct Page
    {
        QList<AuditEvent> events;
        QString nextCursor; // empty when no more
    };
    static constexpr int kMaxPageSize = 1000;

    // Newest first (descending seq, the order of appends). A cursor only continues the query that produced it;
    // anything else is refused with "audit.bad_cursor". Other errors: "audit.invalid".
    Result<Page> query(const Query& q);

    struct VerifyReport
    {
        bool intact = true;
        qint64 eventsChecked = 0;
        // Where the first break is (empty/0 when intact).
        QString orgId;
        qint64 firstBrokenSeq = 0;
        QString firstBrokenId;
        QString problem;
    };
    // Checks the chain of one organization, or of every organization (in org id order) when orgId is empty, up to
    // each organization's head when verify starts, and names the first broken event. Every event is checked alike:
    // its seq follows its predecessor's, its prev_hash is its predecessor's stored hash, and its hash is recomputed
    // over its full content. Because each event carries its predecessor's hash, spans of the chain are checked at
    // once on every core, each on its own connection (Database::openReader); when a span finds something out of
    // place, or inside the caller's transaction, or on a store with one connection, the chain is walked in order on
    // this connection, which names the first break. Memory does not grow with the log. Holds no write lock, so
    // appends go on meanwhile.
    Result<VerifyReport> verify(const QString& orgId = {});
    // Events per span of a parallel verify (kVerifySpan unless set): large enough that a span's query and transaction
    // cost nothing per event, small enough that a million events keep every core busy to the end. Tests make it
    // small to cross span boundaries.
    static constexpr qint64 kVerifySpan = 32 * 1024;
    void setVerifySpan(qint64 events) { m_verifySpan = std::max<qint64>(1, events); }

    // The organization's chain head as an anchor to keep outside the database: "<seq>:<64 hex digits of hash>",
    // ASCII ("0:000…0" for an empty chain).
    Result<QByteArray> head(const QString& orgId);
    // True when the event at the anchor's seq still has the anchor's hash. Together with an intact verify() this
    // proves that no event up to the anchor was changed or cut off. "audit.bad_anchor" for a malformed anchor.
    Result<bool> checkAnchor(const QString& orgId, const QByteArray& anchor);

    // Writes the events (oldest first per organization, organizations in id order) as JSON lines of toJson() and
    // returns how many. `from` is inclusive, `to` exclusive. "audit.export_failed" when the device refuses a write.
    Result<qint64> exportJsonLines(QIODevice& out, const QString& orgId = {}, std::optional<TimeMs> from = {},
                                   std::optional<TimeMs> to = {});

    // RFC 3339 times, hashes as lowercase hex.
    static QJsonObject toJson(const AuditEvent& event);

    // The chain hash of an event whose fields and details text are as stored. Public for tests and tools that check
    // an exported chain.
    static QByteArray hashEvent(const AuditEvent& event, const QByteArray& detailsText);

private:
    // A report when every span is intact; nullopt when one is not (or cannot be checked apart).
    Result<std::optional<VerifyReport>> verifyInParallel(const QString& orgId);
    Result<VerifyReport> verifyInOrder(const QString& orgId);

    store::Database& m_db;
    const Clock& m_clock;
    qint64 m_verifySpan = kVerifySpan;
};

} // namespace stint::cloud
