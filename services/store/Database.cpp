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

Transaction::Transaction(Database& db, Mode mode, Durability durability)
    : m_db(db)
{
    if (!db.inTransaction()) {
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
}

Transaction::~Transaction()
{
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
