// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/Database.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>

// The tenant lists answered since the store last changed, kept to answer the same question again without reading.
//
// The tenant list is a technician's most frequent read, and reading it (the page of tenants, then the caller's grants
// in them) was most of its cost. Whether anything a list shows could have changed is far cheaper to learn than what
// changed: SQLite counts the rows this connection has inserted, updated or deleted (total_changes()) and the commits
// of every other connection, in this process or another (PRAGMA data_version). While both stay the same the store
// holds what it held when a list was answered, so the same caller asking for the same page gets the same body. Any
// change, to any table, through the API or behind it, forgets everything kept: nothing has to tell this of a change,
// and no write can slip past it. A backend that cannot say (PostgreSQL) keeps nothing.
//
// One per store connection (CloudService owns it beside its connection): the counts are that connection's.
namespace stint::cloud::tenants {

class TenantListAnswers
{
public:
    // Everything a list's body depends on besides the store: who asks, for which page.
    struct Question
    {
        QString orgId;
        QString personId;
        bool admin = false;
        QString afterId;
        int limit = 0;
        bool operator==(const Question&) const = default;
    };

    // What find() learnt, for keep(): the question, and the state of the store before anything was read for it.
    class Ticket
    {
        friend class TenantListAnswers;
        Question m_question;
        std::optional<std::pair<qint64, qint64>> m_stamp; // unset: the store could not say
    };

    // The body answered to `question` if the store has not changed since. Otherwise nullopt, with `ticket` set for
    // keeping the answer once made. Call it before reading anything the answer is made of.
    std::optional<QByteArray> find(store::Database& db, const Question& question, Ticket* ticket);

    // Keeps `body` as the answer to the ticket's question, unless the store changed since find() (it is then kept
    // under a state that never comes back, and forgotten at the next find()).
    void keep(const Ticket& ticket, const QByteArray& body);

    // At most this many bytes of answers are kept; past it everything is forgotten (a list is at most 200 tenants).
    static constexpr qsizetype kMaxKeptBytes = 8 * 1024 * 1024;

private:
    std::optional<std::pair<qint64, qint64>> m_stamp;
    QHash<Question, QByteArray> m_kept;
    qsizetype m_keptBytes = 0;
};

size_t qHash(const TenantListAnswers::Question& q, size_t seed = 0);

} // namespace stint::cloud::tenants
