// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/Database.h"

namespace stint::store {

qint64 Row::integer(int i) const
{
    const Value& v = value(i);
    if (const auto* p = std::get_if<qint64>(&v))
        return *p;
    if (const auto* d = std::get_if<double>(&v))
        return qint64(*d);
    if (const auto* s = std::get_if<QString>(&v))
        return s->toLongLong();
    return 0;
}

double Row::real(int i) const
{
    const Value& v = value(i);
    if (const auto* d = std::get_if<double>(&v))
        return *d;
    if (const auto* p = std::get_if<qint64>(&v))
        return double(*p);
    return 0.0;
}

QString Row::text(int i) const
{
    const Value& v = value(i);
    if (const auto* s = std::get_if<QString>(&v))
        return *s;
    if (const auto* b = std::get_if<QByteArray>(&v))
        return QString::fromUtf8(*b);
    if (const auto* p = std::get_if<qint64>(&v))
        return QString::number(*p);
    return {};
}

QByteArray Row::blob(int i) const
{
    const Value& v = value(i);
    if (const auto* b = std::get_if<QByteArray>(&v))
        return *b;
    if (const auto* s = std::get_if<QString>(&v))
        return s->toUtf8();
    return {};
}

namespace {
// RowView over a Row, for backends without an in-place reader.
class RowAsView final : public RowView
{
public:
    explicit RowAsView(const Row& row)
        : m_row(row)
    {
    }
    int size() const override { return m_row.size(); }
    Kind kind(int i) const override
    {
        const Value& v = m_row.value(i);
        if (std::holds_alternative<qint64>(v))
            return Kind::Integer;
        if (std::holds_alternative<double>(v))
            return Kind::Real;
        if (std::holds_alternative<QString>(v))
            return Kind::Text;
        if (std::holds_alternative<QByteArray>(v))
            return Kind::Blob;
        return Kind::Null;
    }
    qint64 integer(int i) const override { return m_row.integer(i); }
    double real(int i) const override { return m_row.real(i); }
    QByteArrayView bytes(int i) const override
    {
        const Value& v = m_row.value(i);
        if (const auto* b = std::get_if<QByteArray>(&v))
            return *b;
        if (const auto* t = std::get_if<QString>(&v)) {
            m_utf8 = t->toUtf8();
            return m_utf8;
        }
        return {};
    }

private:
    const Row& m_row;
    mutable QByteArray m_utf8; // the last text asked for
};
} // namespace

Result<void> Database::queryEachInPlace(const QString& sql, const Params& params,
                                        const std::function<bool(const RowView&)>& visit)
{
    return queryEach(sql, params, [&visit](const Row& row) { return visit(RowAsView(row)); });
}

Result<void> Database::queryEach(const QString& sql, const Params& params,
                                 const std::function<bool(const Row&)>& visit)
{
    auto rows = query(sql, params);
    if (!rows)
        return rows.error();
    for (const Row& row : *rows) {
        if (!visit(row))
            break;
    }
    return {};
}

Result<void> Database::closeBatch()
{
    if (!m_batchOpen || m_batchSavepoint || !m_closeBatch)
        return {};
    return m_closeBatch();
}

Result<void> Database::commitBatch()
{
    if (!m_batchOpen || m_batchSavepoint)
        return {};
    m_batchOpen = false; // from here the backend's transaction is an ordinary one again
    Result<void> committed = commit();
    if (!committed)
        rollback();
    if (auto restored = setDeferredDurability(false); !restored)
        qWarning("store: commits stay deferred after a failed restore: %s", qPrintable(restored.error().message));
    return committed;
}

namespace {
const QString kSavepoint = QStringLiteral("SAVEPOINT stint_batched");
const QString kRelease = QStringLiteral("RELEASE stint_batched");
const QString kRollbackTo = QStringLiteral("ROLLBACK TO stint_batched");
} // namespace

Transaction::Transaction(Database& db, Mode mode, Durability durability)
    : m_db(db)
{
    if (db.inTransaction())
        return; // joins the caller's
    if (db.batching()) {
        if (mode == Mode::Write && durability == Durability::Immediate) {
            // Durable by itself, after everything before it: the open batch commits first.
            if (m_started = db.closeBatch(); !m_started.ok())
                return;
        } else if (db.m_batchOpen || (mode == Mode::Write && durability == Durability::Deferred)) {
            joinBatch(!db.m_batchOpen);
            return;
        }
    }
    if (durability == Durability::Deferred) {
        m_started = db.setDeferredDurability(true);
        m_deferred = m_started.ok();
    }
    if (m_started.ok())
        m_started = mode == Mode::Write ? db.begin() : db.beginRead();
    m_owner = m_started.ok();
    if (!m_owner && m_deferred) {
        restoreDurability();
        m_deferred = false;
    }
}

void Transaction::joinBatch(bool open)
{
    if (open) {
        m_started = m_db.setDeferredDurability(true);
        if (m_started.ok()) {
            m_started = m_db.begin();
            if (!m_started.ok())
                restoreDurability();
        }
        if (!m_started.ok())
            return;
        m_db.m_batchOpen = true;
        if (m_db.m_batchOpened)
            m_db.m_batchOpened();
    }
    m_started = m_db.exec(kSavepoint);
    if (!m_started.ok())
        return; // the batch stays open for the others; GroupCommit commits it
    m_db.m_batchSavepoint = true;
    m_owner = true;
    m_savepoint = true;
}

void Transaction::leaveBatch(bool keep)
{
    m_savepoint = false;
    if (!m_db.backendInTransaction()) {
        // The backend rolled the whole batch back (disk full, I/O error): nothing of it is left to commit.
        m_db.m_batchSavepoint = false;
        m_db.m_batchOpen = false;
        m_db.m_batchLost = true;
        restoreDurability();
        return;
    }
    if (!keep) {
        if (auto undone = m_db.exec(kRollbackTo); !undone)
            qWarning("store: rolling back a batched transaction failed: %s", qPrintable(undone.error().message));
    }
    if (auto released = m_db.exec(kRelease); !released)
        qWarning("store: releasing a batched transaction failed: %s", qPrintable(released.error().message));
    m_db.m_batchSavepoint = false;
}

Transaction::~Transaction()
{
    if (m_savepoint) {
        leaveBatch(false);
        return;
    }
    if (m_owner && !m_done)
        m_db.rollback();
    // Whatever commits next on this connection waits for the disk again unless it asks otherwise.
    if (m_deferred)
        restoreDurability();
}

void Transaction::restoreDurability()
{
    if (auto restored = m_db.setDeferredDurability(false); !restored)
        qWarning("store: commits stay deferred after a failed restore: %s", qPrintable(restored.error().message));
}

Result<void> Transaction::commit()
{
    if (!m_started.ok())
        return m_started;
    m_done = true;
    if (!m_owner)
        return {};
    if (m_savepoint) {
        // Kept in the batch; durable once GroupCommit has committed and flushed it.
        if (!m_db.backendInTransaction()) {
            leaveBatch(false);
            return makeError(QStringLiteral("store.failed"), QStringLiteral("the batch was rolled back"));
        }
        auto released = m_db.exec(kRelease);
        if (!released) {
            leaveBatch(false);
            return released;
        }
        m_savepoint = false;
        m_db.m_batchSavepoint = false;
        return {};
    }
    auto r = m_db.commit();
    if (!r.ok())
        m_db.rollback();
    if (m_deferred) {
        restoreDurability();
        m_deferred = false;
    }
    return r;
}

} // namespace stint::store
