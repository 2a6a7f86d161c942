// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/audit/AuditLog.h"

#include "core/Crypto.h"
#include "core/Ids.h"
#include "core/Json.h"

#include <QIODevice>
#include <QThread>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QtEndian>
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <limits>
#include <thread>
#include <vector>

Q_LOGGING_CATEGORY(lcAudit, "stint.cloud.audit")

namespace stint::cloud {

namespace {
constexpr int kHashSize = 32;
constexpr qsizetype kMaxDetailsBytes = 16 * 1024;
constexpr int kMaxIdLength = 128;
constexpr int kMaxLabelLength = 320;
constexpr int kMaxActionLength = 64;
// Rows per read when verify() and exportJsonLines() walk a chain: enough to amortise the statement, few enough
// that memory stays flat and each page's rows are freed while still in cache (pages of 2000 were no faster).
constexpr int kWalkPageSize = 256;

// Changing this tag (or the encoding below) makes every stored chain unverifiable: a new encoding needs a new tag
// and verify() must keep accepting the old one for old rows.
constexpr char kHashTag[] = "stint.audit.v1";

const QString kColumns = QStringLiteral("org_id, seq, id, occurred_at, actor_id, actor_label, action, target_type,"
                                        " target_id, tenant_id, source_address, outcome, details, prev_hash, hash");
enum Column
{
    OrgId,
    Seq,
    Id,
    OccurredAt,
    ActorId,
    ActorLabel,
    Action,
    TargetType,
    TargetId,
    TenantId,
    SourceAddress,
    Outcome,
    Details,
    PrevHash,
    Hash,
};

const QString kCodeInvalid = QStringLiteral("audit.invalid");
const QString kCodeBadCursor = QStringLiteral("audit.bad_cursor");

QByteArray zeroHash()
{
    return QByteArray(kHashSize, '\0');
}

// The hash input: a domain-separation tag, then every field in a fixed order, each as a 4-byte big-endian length
// followed by its bytes (strings as UTF-8, integers as 8-byte big-endian two's complement). Length prefixes make
// the encoding unambiguous: no two different events encode to the same bytes.
class ChainEncoder
{
public:
    // One buffer per thread, reused: verify hashes a million events without allocating for each, and plain copies
    // into it (QByteArray::append's checks were a tenth of a verify).
    ChainEncoder()
        : m_bytes(threadBuffer())
    {
    }
    void bytes(QByteArrayView b)
    {
        const size_t n = size_t(b.size());
        if (m_size + 4 + n > m_bytes.size())
            m_bytes.resize(std::max(m_bytes.size() * 2, m_size + 4 + n));
        qToBigEndian(quint32(n), m_bytes.data() + m_size);
        if (n)
            std::memcpy(m_bytes.data() + m_size + 4, b.data(), n);
        m_size += 4 + n;
    }
    void text(const QString& s) { bytes(s.toUtf8()); }
    void integer(qint64 n)
    {
        char be[8];
        qToBigEndian(quint64(n), be);
        bytes(QByteArrayView(be, 8));
    }
    QByteArray digest() const { return crypto::sha256(QByteArrayView(m_bytes.data(), qsizetype(m_size))); }
    void digest(unsigned char (&out)[32]) const { crypto::sha256(QByteArrayView(m_bytes.data(), qsizetype(m_size)), out); }

private:
    static std::vector<char>& threadBuffer()
    {
        thread_local std::vector<char> buffer(2048);
        return buffer;
    }
    std::vector<char>& m_bytes;
    size_t m_size = 0;
};

// The text fields of an event, as UTF-8, in chain order.
struct ChainText
{
    QByteArray orgId, id, actorId, actorLabel, action, targetType, targetId, tenantId, sourceAddress, outcome, details,
        prevHash;
};

// The one definition of the chain hash, used by append (through hashEvent) and by verify. field(column) gives a
// column's bytes; each is copied into the encoding before the next is asked for.
template <typename Field> void encodeChain(ChainEncoder& e, const Field& field, qint64 seq, TimeMs occurredAt)
{
    e.bytes(QByteArrayView(kHashTag, qsizetype(sizeof(kHashTag) - 1)));
    e.bytes(field(OrgId));
    e.integer(seq);
    e.bytes(field(Id));
    e.integer(occurredAt);
    for (Column c : {ActorId, ActorLabel, Action, TargetType, TargetId, TenantId, SourceAddress, Outcome, Details,
                     PrevHash})
        e.bytes(field(c));
}

template <typename Field> QByteArray chainHash(const Field& field, qint64 seq, TimeMs occurredAt)
{
    ChainEncoder e;
    encodeChain(e, field, seq, occurredAt);
    return e.digest();
}

QByteArray chainHash(const ChainText& t, qint64 seq, TimeMs occurredAt)
{
    return chainHash(
        [&t](Column c) -> QByteArrayView {
            switch (c) {
            case OrgId: return t.orgId;
            case Id: return t.id;
            case ActorId: return t.actorId;
            case ActorLabel: return t.actorLabel;
            case Action: return t.action;
            case TargetType: return t.targetType;
            case TargetId: return t.targetId;
            case TenantId: return t.tenantId;
            case SourceAddress: return t.sourceAddress;
            case Outcome: return t.outcome;
            case Details: return t.details;
            case PrevHash: return t.prevHash;
            default: return {};
            }
        },
        seq, occurredAt);
}

// The hash of a row as stored, read in place (selected with kColumns), into out. Text and blob give their bytes; a
// number tampered into a text column gives its decimal text, as columnBytes does.
void hashRowInPlace(const store::RowView& r, unsigned char (&out)[32])
{
    QByteArray scratch;
    ChainEncoder e;
    encodeChain(
        e,
        [&r, &scratch](Column c) -> QByteArrayView {
            const QByteArrayView bytes = r.bytes(c); // text or blob: the common case, one look at the type
            if (!bytes.isNull())
                return bytes;
            switch (r.kind(c)) {
            case store::RowView::Kind::Integer:
                scratch = QByteArray::number(r.integer(c));
                return scratch;
            case store::RowView::Kind::Real:
                scratch = QByteArray::number(r.real(c), 'g', 17);
                return scratch;
            default:
                return {}; // null, or an empty blob
            }
        },
        r.integer(Seq), r.integer(OccurredAt));
    e.digest(out);
}

// A column's bytes for hashing, whatever its storage type: a value tampered into another type must not hash like
// something it does not show as.
QByteArray columnBytes(const store::Row& r, int column)
{
    const store::Value& v = r.value(column);
    if (const auto* b = std::get_if<QByteArray>(&v))
        return *b;
    if (const auto* s = std::get_if<QString>(&v))
        return s->toUtf8();
    if (const auto* n = std::get_if<qint64>(&v))
        return QByteArray::number(*n);
    if (const auto* d = std::get_if<double>(&v))
        return QByteArray::number(*d, 'g', 17);
    return {};
}

// The select list of verify(). On SQLite the text columns come back as their stored UTF-8 bytes (CAST AS BLOB
// copies them unchanged), which spares a UTF-8 → UTF-16 → UTF-8 round trip per field on the hot path; PostgreSQL's
// text-to-bytea cast would interpret backslashes, so there they come as text and are encoded back.
QString verifyColumns(store::Backend backend)
{
    if (backend != store::Backend::SqlCipher)
        return kColumns;
    return QStringLiteral("CAST(org_id AS BLOB), seq, CAST(id AS BLOB), occurred_at, CAST(actor_id AS BLOB),"
                          " CAST(actor_label AS BLOB), CAST(action AS BLOB), CAST(target_type AS BLOB),"
                          " CAST(target_id AS BLOB), CAST(tenant_id AS BLOB), CAST(source_address AS BLOB),"
                          " CAST(outcome AS BLOB), CAST(details AS BLOB), prev_hash, hash");
}

// The hash of a row as stored (selected with verifyColumns or kColumns).
QByteArray hashRow(const store::Row& r)
{
    ChainText t;
    t.orgId = columnBytes(r, OrgId);
    t.id = columnBytes(r, Id);
    t.actorId = columnBytes(r, ActorId);
    t.actorLabel = columnBytes(r, ActorLabel);
    t.action = columnBytes(r, Action);
    t.targetType = columnBytes(r, TargetType);
    t.targetId = columnBytes(r, TargetId);
    t.tenantId = columnBytes(r, TenantId);
    t.sourceAddress = columnBytes(r, SourceAddress);
    t.outcome = columnBytes(r, Outcome);
    t.details = columnBytes(r, Details);
    t.prevHash = columnBytes(r, PrevHash);
    return chainHash(t, r.integer(Seq), r.integer(OccurredAt));
}

AuditEvent eventFromRow(const store::Row& r)
{
    AuditEvent e;
    e.orgId = r.text(OrgId);
    e.seq = r.integer(Seq);
    e.id = r.text(Id);
    e.occurredAt = r.integer(OccurredAt);
    e.actorId = r.text(ActorId);
    e.actorLabel = r.text(ActorLabel);
    e.action = r.text(Action);
    e.targetType = r.text(TargetType);
    e.targetId = r.text(TargetId);
    e.tenantId = r.text(TenantId);
    e.sourceAddress = r.text(SourceAddress);
    e.outcome = r.text(Outcome);
    // Stored by append() as a compact JSON object; a row that no longer parses is verify()'s business, not ours.
    e.details = QJsonDocument::fromJson(r.text(Details).toUtf8()).object();
    e.prevHash = r.blob(PrevHash);
    e.hash = r.blob(Hash);
    return e;
}

const QRegularExpression& actionShape()
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$"));
    return re;
}

const QRegularExpression& actionPrefixShape()
{
    static const QRegularExpression re(QStringLiteral("^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*\\.$"));
    return re;
}

bool hasControlCharacters(const QString& s)
{
    for (QChar c : s) {
        if (c.category() == QChar::Other_Control)
            return true;
    }
    return false;
}

// Field checks of append(); returns the first problem, or an empty string.
QString fieldProblem(const QString& name, const QString& value, int maxLength, bool required)
{
    if (required && value.isEmpty())
        return QStringLiteral("%1 is required").arg(name);
    if (value.size() > maxLength)
        return QStringLiteral("%1 must be at most %2 characters").arg(name).arg(maxLength);
    if (hasControlCharacters(value))
        return QStringLiteral("%1 must not contain control characters").arg(name);
    return {};
}

// Key names that say "this is a secret", compared on their letters and digits only and without case, so
// "clientSecret", "client_secret" and "Client-Secret" are all caught.
bool looksLikeSecretKey(const QString& key)
{
    static const QStringList kMarkers = {
        QStringLiteral("secret"),     QStringLiteral("password"), QStringLiteral("passwd"),
        QStringLiteral("passphrase"), QStringLiteral("token"),    QStringLiteral("credentialvalue"),
        QStringLiteral("privatekey"), QStringLiteral("apikey"),   QStringLiteral("accesspass"),
    };
    QString normalized;
    normalized.reserve(key.size());
    for (QChar c : key) {
        if (c.isLetterOrNumber())
            normalized.append(c.toLower());
    }
    for (const QString& marker : kMarkers) {
        if (normalized.contains(marker))
            return true;
    }
    return false;
}

std::optional<QString> findSecretKey(const QJsonValue& value, const QString& path);

std::optional<QString> findSecretKey(const QJsonObject& object, const QString& path)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString keyPath = path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key();
        if (looksLikeSecretKey(it.key()))
            return keyPath;
        if (auto found = findSecretKey(it.value(), keyPath))
            return found;
    }
    return std::nullopt;
}

std::optional<QString> findSecretKey(const QJsonValue& value, const QString& path)
{
    if (value.isObject())
        return findSecretKey(value.toObject(), path);
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (auto found = findSecretKey(array.at(i), QStringLiteral("%1[%2]").arg(path).arg(i)))
                return found;
        }
    }
    return std::nullopt;
}

Result<void> validate(const AuditEvent& e)
{
    QString problem = fieldProblem(QStringLiteral("orgId"), e.orgId, kMaxIdLength, true);
    if (problem.isEmpty())
        problem = fieldProblem(QStringLiteral("actorId"), e.actorId, kMaxIdLength, true);
    if (problem.isEmpty())
        problem = fieldProblem(QStringLiteral("actorLabel"), e.actorLabel, kMaxLabelLength, false);
    if (problem.isEmpty())
        problem = fieldProblem(QStringLiteral("targetType"), e.targetType, kMaxActionLength, false);
    if (problem.isEmpty())
        problem = fieldProblem(QStringLiteral("targetId"), e.targetId, kMaxIdLength, false);
    if (problem.isEmpty())
        problem = fieldProblem(QStringLiteral("tenantId"), e.tenantId, kMaxIdLength, false);
    if (problem.isEmpty())
        problem = fieldProblem(QStringLiteral("sourceAddress"), e.sourceAddress, kMaxIdLength, false);
    if (problem.isEmpty() && (e.action.size() > kMaxActionLength || !actionShape().match(e.action).hasMatch()))
        problem = QStringLiteral("action must be dotted lowercase words such as \"tenant.update\"");
    if (problem.isEmpty() && e.outcome != QLatin1String("success") && e.outcome != QLatin1String("failure")
        && e.outcome != QLatin1String("denied"))
        problem = QStringLiteral("outcome must be \"success\", \"failure\" or \"denied\"");
    if (problem.isEmpty() && e.occurredAt < 0)
        problem = QStringLiteral("occurredAt must not be before 1970");
    if (!problem.isEmpty())
        return makeError(kCodeInvalid, QStringLiteral("Audit event refused: %1.").arg(problem));
    if (const auto key = findSecretKey(e.details, QString())) {
        // The key's name is safe to say; its value is what must never be written anywhere.
        qCWarning(lcAudit) << "refused an audit event" << e.action << "whose details hold a secret-looking key" << *key;
        return makeError(QStringLiteral("audit.secret_in_details"),
                         QStringLiteral("Audit event %1 refused: details key \"%2\" looks like a secret, and the "
                                        "audit log never stores secrets. Leave the value out (or rename the key if "
                                        "it is not a secret).")
                             .arg(e.action, *key));
    }
    return {};
}

// A cursor names the last seq of the page it follows and a fingerprint of the query's filters, so it continues only
// the query that made it: v1:<seq>:<16 hex digits>, base64url.
QByteArray filterFingerprint(const AuditLog::Query& q)
{
    ChainEncoder e;
    e.bytes("stint.audit.cursor.v1");
    e.text(q.orgId);
    e.text(q.from ? QString::number(*q.from) : QString());
    e.text(q.to ? QString::number(*q.to) : QString());
    e.text(q.actorId);
    e.text(q.tenantId);
    e.text(q.action);
    return e.digest().left(8).toHex();
}

QString makeCursor(const AuditLog::Query& q, qint64 lastSeq)
{
    const QByteArray raw = "v1:" + QByteArray::number(lastSeq) + ':' + filterFingerprint(q);
    return QString::fromLatin1(crypto::base64UrlEncode(raw));
}

Result<qint64> parseCursor(const AuditLog::Query& q)
{
    const Error bad = makeError(kCodeBadCursor,
                                QStringLiteral("The cursor is not one this audit query produced; "
                                               "start again without a cursor."));
    if (q.cursor.size() > 128)
        return bad;
    auto raw = crypto::base64UrlDecode(q.cursor.toLatin1());
    if (!raw)
        return bad;
    const QList<QByteArray> parts = raw->split(':');
    if (parts.size() != 3 || parts.at(0) != "v1" || parts.at(1).isEmpty() || parts.at(1).size() > 19)
        return bad;
    for (char c : parts.at(1)) {
        if (c < '0' || c > '9')
            return bad;
    }
    bool ok = false;
    const qint64 seq = parts.at(1).toLongLong(&ok);
    if (!ok || seq < 1 || parts.at(2) != filterFingerprint(q))
        return bad;
    return seq;
}

Result<void> validateQuery(const AuditLog::Query& q)
{
    QString problem;
    if (q.orgId.isEmpty())
        problem = QStringLiteral("orgId is required");
    else if (q.limit < 1 || q.limit > AuditLog::kMaxPageSize)
        problem = QStringLiteral("limit must be between 1 and %1").arg(AuditLog::kMaxPageSize);
    else if (q.from && q.to && *q.from > *q.to)
        problem = QStringLiteral("from must not be after to");
    else if (!q.action.isEmpty()
             && (q.action.size() > kMaxActionLength
                 || !(actionShape().match(q.action).hasMatch() || actionPrefixShape().match(q.action).hasMatch())))
        problem = QStringLiteral("action must be an action name or a prefix ending in '.'");
    if (!problem.isEmpty())
        return makeError(kCodeInvalid, QStringLiteral("Audit query refused: %1.").arg(problem));
    return {};
}

QByteArray headAnchor(qint64 seq, const QByteArray& hash)
{
    return QByteArray::number(seq) + ':' + hash.toHex();
}

// Calls visit(row) for the rows of one organization's chain in seq order, reading a page at a time, until visit
// returns false (then the result is false) or the rows run out (true). `from`/`to` filter on occurred_at.
template <typename Visit>
Result<bool> walkChain(store::Database& db, const QString& columns, const QString& org, std::optional<TimeMs> from,
                       std::optional<TimeMs> to, Visit&& visit)
{
    QString filter;
    if (from)
        filter += QStringLiteral(" AND occurred_at >= ?");
    if (to)
        filter += QStringLiteral(" AND occurred_at < ?");
    const QString select = QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM audit_events WHERE org_id = ?");
    const QString order = QStringLiteral(" ORDER BY seq LIMIT ?");
    // The first page has no lower bound on seq, so even a forged row with a seq below 1 is read.
    const QString firstPage = select + filter + order;
    const QString nextPage = select + QStringLiteral(" AND seq > ?") + filter + order;
    std::optional<qint64> after;
    while (true) {
        store::Params params {org};
        if (after)
            params << *after;
        if (from)
            params << *from;
        if (to)
            params << *to;
        params << qint64(kWalkPageSize);
        auto rows = db.query(after ? nextPage : firstPage, params);
        if (!rows)
            return rows.error();
        for (const store::Row& row : *rows) {
            if (!visit(row))
                return false;
        }
        if (int(rows->size()) < kWalkPageSize)
            return true;
        after = rows->back().integer(Seq);
    }
}

// Calls visit(org) for `orgId`, or for every organization with audit events (in id order) when it is empty, until
// visit returns false.
template <typename Visit> Result<void> forEachOrg(store::Database& db, const QString& orgId, Visit&& visit)
{
    if (!orgId.isEmpty()) {
        auto r = visit(orgId);
        if (!r)
            return r.error();
        return {};
    }
    std::optional<QString> org;
    while (true) {
        // One index seek per organization instead of a DISTINCT over the whole table.
        auto rows = org ? db.query(QStringLiteral("SELECT org_id FROM audit_events WHERE org_id > ? "
                                                  "ORDER BY org_id LIMIT 1"),
                                   {*org})
                        : db.query(QStringLiteral("SELECT org_id FROM audit_events ORDER BY org_id LIMIT 1"));
        if (!rows)
            return rows.error();
        if (rows->empty())
            return {};
        org = rows->front().text(0);
        auto r = visit(*org);
        if (!r)
            return r.error();
        if (!*r)
            return {};
    }
}

// One piece of a parallel verify: the events of one organization with seq in [first, last].
struct VerifySpan
{
    QString org;
    qint64 first = 1;
    qint64 last = 0;
};

// Checks a span with the same rules as the walk in order: the rows with seq from first - 1 to last must be exactly
// those seqs (first - 1 only as the predecessor whose stored hash the span's first event links to; for the first
// span nothing below 1 either, so a row forged at seq 0 shows), each linking to its predecessor's stored hash and
// hashing to its own. False at the first thing out of place, without naming it: verify() then walks in order.
Result<bool> spanIntact(store::Database& db, const QString& columns, const VerifySpan& span)
{
    const bool fromStart = span.first == 1;
    const qint64 lowest = fromStart ? std::numeric_limits<qint64>::min() : span.first - 1;
    qint64 expected = fromStart ? 1 : span.first - 1;
    char prevHash[kHashSize] = {}; // 32 zero bytes before event 1
    bool intact = true;
    store::Transaction tx(db, store::Transaction::Mode::Read); // one snapshot for the span
    STINT_TRY(tx.started());
    auto walked = db.queryEachInPlace(
        QStringLiteral("SELECT ") + columns
            + QStringLiteral(" FROM audit_events WHERE org_id = ? AND seq >= ? AND seq <= ? ORDER BY seq"),
        {span.org, lowest, span.last}, [&](const store::RowView& row) {
            const QByteArrayView hash = row.kind(Hash) == store::RowView::Kind::Blob ? row.bytes(Hash) : QByteArrayView();
            if (row.kind(Seq) != store::RowView::Kind::Integer || row.integer(Seq) != expected
                || hash.size() != kHashSize) {
                intact = false;
                return false;
            }
            if (expected >= span.first) {
                const QByteArrayView prev = row.kind(PrevHash) == store::RowView::Kind::Blob ? row.bytes(PrevHash)
                                                                                            : QByteArrayView();
                unsigned char own[kHashSize];
                if (prev.size() != kHashSize || std::memcmp(prev.data(), prevHash, kHashSize) != 0)
                    intact = false;
                else
                    hashRowInPlace(row, own);
                if (!intact || std::memcmp(own, hash.data(), kHashSize) != 0) {
                    intact = false;
                    return false;
                }
            }
            std::memcpy(prevHash, hash.data(), kHashSize);
            ++expected;
            return true;
        });
    if (!walked)
        return walked.error();
    STINT_TRY(tx.commit());
    return intact && expected == span.last + 1;
}
} // namespace

AuditLog::AuditLog(store::Database& db, const Clock& clock)
    : m_db(db)
    , m_clock(clock)
{
}

QByteArray AuditLog::hashEvent(const AuditEvent& e, const QByteArray& detailsText)
{
    const ChainText t {e.orgId.toUtf8(),         e.id.toUtf8(),         e.actorId.toUtf8(),  e.actorLabel.toUtf8(),
                       e.action.toUtf8(),        e.targetType.toUtf8(), e.targetId.toUtf8(), e.tenantId.toUtf8(),
                       e.sourceAddress.toUtf8(), e.outcome.toUtf8(),    detailsText,         e.prevHash};
    return chainHash(t, e.seq, e.occurredAt);
}

Result<AuditEvent> AuditLog::append(AuditEvent event)
{
    STINT_TRY(validate(event));
    const QByteArray detailsText = json::compact(event.details);
    if (detailsText.size() > kMaxDetailsBytes)
        return makeError(QStringLiteral("audit.details_too_large"),
                         QStringLiteral("Audit event %1 refused: details are %2 bytes, more than %3.")
                             .arg(event.action)
                             .arg(detailsText.size())
                             .arg(kMaxDetailsBytes));
    if (event.occurredAt == 0)
        event.occurredAt = m_clock.now();

    store::Transaction tx(m_db);
    STINT_TRY(tx.started());
    if (m_db.backend() == store::Backend::PostgreSql) {
        // PostgreSQL's READ COMMITTED would let two writers read the same head; serialise appends per organization
        // for the rest of the transaction. (SQLite's BEGIN IMMEDIATE already serialises all writers; without this,
        // the primary key would still refuse the second writer rather than fork the chain.)
        const qint64 lockKey = qFromBigEndian<qint64>(crypto::sha256("audit:" + event.orgId.toUtf8()).constData());
        STINT_TRY(m_db.query(QStringLiteral("SELECT pg_advisory_xact_lock(?)"), {lockKey}));
    }
    // The head is read inside this transaction on purpose: a cached head would outlive a rollback.
    auto last = m_db.query(
        QStringLiteral("SELECT seq, hash FROM audit_events WHERE org_id = ? ORDER BY seq DESC LIMIT 1"), {event.orgId});
    if (!last)
        return last.error();
    event.seq = last->empty() ? 1 : last->front().integer(0) + 1;
    event.prevHash = last->empty() ? zeroHash() : last->front().blob(1);
    event.id = ids::newId(u"aud");
    event.hash = hashEvent(event, detailsText);

    STINT_TRY(m_db.exec(QStringLiteral("INSERT INTO audit_events (") + kColumns
                            + QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                        {event.orgId, event.seq, event.id, event.occurredAt, event.actorId, event.actorLabel,
                         event.action, event.targetType, event.targetId, event.tenantId, event.sourceAddress,
                         event.outcome, QString::fromUtf8(detailsText), event.prevHash, event.hash}));
    STINT_TRY(tx.commit());
    return event;
}

Result<AuditLog::Page> AuditLog::query(const Query& q)
{
    STINT_TRY(validateQuery(q));
    std::optional<qint64> before;
    if (!q.cursor.isEmpty()) {
        auto seq = parseCursor(q);
        if (!seq)
            return seq.error();
        before = *seq;
    }

    QString sql = QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM audit_events WHERE org_id = ?");
    store::Params params {q.orgId};
    if (before) {
        sql += QStringLiteral(" AND seq < ?");
        params << *before;
    }
    if (q.from) {
        sql += QStringLiteral(" AND occurred_at >= ?");
        params << *q.from;
    }
    if (q.to) {
        sql += QStringLiteral(" AND occurred_at < ?");
        params << *q.to;
    }
    if (!q.actorId.isEmpty()) {
        sql += QStringLiteral(" AND actor_id = ?");
        params << q.actorId;
    }
    if (!q.tenantId.isEmpty()) {
        sql += QStringLiteral(" AND tenant_id = ?");
        params << q.tenantId;
    }
    if (q.action.endsWith(QLatin1Char('.'))) {
        // substr, not LIKE: LIKE's case rules and wildcards differ between SQLite and PostgreSQL. The length is a
        // literal (a validated small number) so that PostgreSQL sees substr(text, integer, integer).
        sql += QStringLiteral(" AND substr(action, 1, %1) = ?").arg(q.action.size());
        params << q.action;
    } else if (!q.action.isEmpty()) {
        sql += QStringLiteral(" AND action = ?");
        params << q.action;
    }
    // One row more than asked tells whether another page follows.
    sql += QStringLiteral(" ORDER BY seq DESC LIMIT ?");
    params << qint64(q.limit) + 1;

    auto rows = m_db.query(sql, params);
    if (!rows)
        return rows.error();
    Page page;
    const int count = std::min(int(rows->size()), q.limit);
    page.events.reserve(count);
    for (int i = 0; i < count; ++i)
        page.events.append(eventFromRow(rows->at(size_t(i))));
    if (int(rows->size()) > q.limit)
        page.nextCursor = makeCursor(q, page.events.constLast().seq);
    return page;
}

Result<AuditLog::VerifyReport> AuditLog::verify(const QString& orgId)
{
    // Inside the caller's transaction only this connection sees what it wrote: walk in order on it.
    if (!m_db.inTransaction()) {
        auto fast = verifyInParallel(orgId);
        if (!fast)
            return fast.error();
        if (*fast)
            return **fast;
    }
    return verifyInOrder(orgId);
}

Result<std::optional<AuditLog::VerifyReport>> AuditLog::verifyInParallel(const QString& orgId)
{
    // Spans read by seq range on connections of their own: SQLite's, whose typeof() also shows a seq tampered into
    // text or a blob (it sorts after every number, so it comes first below).
    if (m_db.backend() != store::Backend::SqlCipher)
        return std::optional<VerifyReport>();
    // The chain as it stands now, up to each organization's head, in spans.
    std::vector<VerifySpan> spans;
    qint64 total = 0;
    bool oddSeq = false;
    auto listed = forEachOrg(m_db, orgId, [&](const QString& org) -> Result<bool> {
        auto head = m_db.query(QStringLiteral("SELECT seq, typeof(seq) FROM audit_events WHERE org_id = ?"
                                              " ORDER BY seq DESC LIMIT 1"),
                               {org});
        if (!head)
            return head.error();
        if (!head->empty() && head->front().text(1) != QLatin1String("integer")) {
            oddSeq = true;
            return false;
        }
        const qint64 last = head->empty() ? 0 : head->front().integer(0);
        for (qint64 first = 1; first <= last; first += m_verifySpan)
            spans.push_back({org, first, std::min(last, first + m_verifySpan - 1)});
        total += std::max<qint64>(0, last);
        return true;
    });
    if (!listed)
        return listed.error();
    if (oddSeq)
        return std::optional<VerifyReport>();

    // Every core takes spans off the list, each with its own connection; this thread uses this one. Rows are read in
    // place (text as its stored UTF-8), so the plain column list serves.
    const QString& columns = kColumns;
    std::atomic<size_t> next {0};
    std::atomic<bool> broken {false};
    std::optional<Error> failure;
    std::mutex failureMutex;
    const auto work = [&](store::Database& db) {
        for (size_t i = next++; i < spans.size() && !broken; i = next++) {
            auto intact = spanIntact(db, columns, spans[i]);
            if (!intact || !*intact) {
                if (!intact) {
                    const std::lock_guard lock(failureMutex);
                    failure = intact.error();
                }
                broken = true;
            }
        }
    };
    const int helpers = std::min(QThread::idealThreadCount(), int(spans.size())) - 1;
    std::vector<std::unique_ptr<store::Database>> readers;
    for (int i = 0; i < helpers; ++i) {
        auto reader = m_db.openReader();
        if (!reader)
            break; // fewer hands, same result
        readers.push_back(std::move(*reader));
    }
    std::vector<std::thread> threads;
    threads.reserve(readers.size());
    for (auto& reader : readers)
        threads.emplace_back([&work, db = reader.get()] { work(*db); });
    work(m_db);
    for (std::thread& t : threads)
        t.join();
    if (failure)
        return *failure;
    if (broken)
        return std::optional<VerifyReport>(); // something is out of place: the walk in order names it
    VerifyReport report;
    report.eventsChecked = total;
    return std::optional<VerifyReport>(report);
}

Result<AuditLog::VerifyReport> AuditLog::verifyInOrder(const QString& orgId)
{
    VerifyReport report;
    const QString columns = verifyColumns(m_db.backend());
    auto walked = forEachOrg(m_db, orgId, [&](const QString& org) -> Result<bool> {
        qint64 expectedSeq = 1;
        QByteArray prevHash = zeroHash();
        return walkChain(m_db, columns, org, {}, {}, [&](const store::Row& row) {
            const qint64 seq = row.integer(Seq);
            const QByteArray storedHash = row.blob(Hash);
            QStringList problems;
            if (seq < expectedSeq)
                problems << QStringLiteral("seq %1 comes before the first event (an inserted row)").arg(seq);
            else if (seq > expectedSeq && expectedSeq == 1)
                problems << QStringLiteral("the chain starts at seq %1 instead of 1: events are missing (deleted or "
                                           "renumbered)")
                                .arg(seq);
            else if (seq > expectedSeq)
                problems << QStringLiteral("seq %1 follows seq %2: events are missing (deleted or renumbered)")
                                .arg(seq)
                                .arg(expectedSeq - 1);
            if (row.blob(PrevHash) != prevHash)
                problems << (expectedSeq == 1
                                 ? QStringLiteral("prev_hash of the first event is not zero")
                                 : QStringLiteral("prev_hash does not match the hash of seq %1").arg(expectedSeq - 1));
            if (hashRow(row) != storedHash)
                problems << QStringLiteral("hash does not match the event's contents (changed after it was written)");
            if (!problems.isEmpty()) {
                report.intact = false;
                report.orgId = org;
                report.firstBrokenSeq = seq;
                report.firstBrokenId = row.text(Id);
                report.problem = problems.join(QStringLiteral("; "));
                return false;
            }
            ++report.eventsChecked;
            ++expectedSeq;
            prevHash = storedHash;
            return true;
        });
    });
    if (!walked)
        return walked.error();
    if (!report.intact)
        qCWarning(lcAudit).noquote() << "audit chain broken: org" << report.orgId << "seq" << report.firstBrokenSeq
                                     << "event" << report.firstBrokenId << "-" << report.problem;
    return report;
}

Result<QByteArray> AuditLog::head(const QString& orgId)
{
    auto rows = m_db.query(
        QStringLiteral("SELECT seq, hash FROM audit_events WHERE org_id = ? ORDER BY seq DESC LIMIT 1"), {orgId});
    if (!rows)
        return rows.error();
    if (rows->empty())
        return headAnchor(0, zeroHash());
    return headAnchor(rows->front().integer(0), rows->front().blob(1));
}

Result<bool> AuditLog::checkAnchor(const QString& orgId, const QByteArray& anchor)
{
    const Error bad = makeError(QStringLiteral("audit.bad_anchor"),
                                QStringLiteral("An audit anchor looks like \"<seq>:<64 hex digits>\"."));
    const QList<QByteArray> parts = anchor.trimmed().split(':');
    if (parts.size() != 2 || parts.at(0).isEmpty() || parts.at(0).size() > 19 || parts.at(1).size() != kHashSize * 2)
        return bad;
    for (char c : parts.at(0)) {
        if (c < '0' || c > '9')
            return bad;
    }
    for (char c : parts.at(1)) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return bad;
    }
    bool ok = false;
    const qint64 seq = parts.at(0).toLongLong(&ok);
    if (!ok)
        return bad;
    const QByteArray hash = QByteArray::fromHex(parts.at(1));
    if (seq == 0)
        return hash == zeroHash();
    auto rows = m_db.query(QStringLiteral("SELECT hash FROM audit_events WHERE org_id = ? AND seq = ?"), {orgId, seq});
    if (!rows)
        return rows.error();
    return !rows->empty() && rows->front().blob(0) == hash;
}

Result<qint64> AuditLog::exportJsonLines(QIODevice& out, const QString& orgId, std::optional<TimeMs> from,
                                         std::optional<TimeMs> to)
{
    qint64 written = 0;
    std::optional<Error> writeError;
    auto walked = forEachOrg(m_db, orgId, [&](const QString& org) -> Result<bool> {
        return walkChain(m_db, kColumns, org, from, to, [&](const store::Row& row) {
            const QByteArray line = QJsonDocument(toJson(eventFromRow(row))).toJson(QJsonDocument::Compact) + '\n';
            if (out.write(line) != line.size()) {
                writeError = makeError(QStringLiteral("audit.export_failed"),
                                       QStringLiteral("Writing the audit export failed: %1").arg(out.errorString()));
                return false;
            }
            ++written;
            return true;
        });
    });
    if (!walked)
        return walked.error();
    if (writeError)
        return *writeError;
    return written;
}

QJsonObject AuditLog::toJson(const AuditEvent& e)
{
    return QJsonObject {
        {QStringLiteral("orgId"), e.orgId},
        {QStringLiteral("seq"), e.seq},
        {QStringLiteral("id"), e.id},
        {QStringLiteral("occurredAt"), toRfc3339(e.occurredAt)},
        {QStringLiteral("actorId"), e.actorId},
        {QStringLiteral("actorLabel"), e.actorLabel},
        {QStringLiteral("action"), e.action},
        {QStringLiteral("targetType"), e.targetType},
        {QStringLiteral("targetId"), e.targetId},
        {QStringLiteral("tenantId"), e.tenantId},
        {QStringLiteral("sourceAddress"), e.sourceAddress},
        {QStringLiteral("outcome"), e.outcome},
        {QStringLiteral("details"), e.details},
        {QStringLiteral("prevHash"), QString::fromLatin1(e.prevHash.toHex())},
        {QStringLiteral("hash"), QString::fromLatin1(e.hash.toHex())},
    };
}

} // namespace stint::cloud
