// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/tenants/TenantListAnswers.h"

namespace stint::cloud::tenants {

namespace {
qsizetype keptSize(const TenantListAnswers::Question& q, const QByteArray& body)
{
    return body.size() + 2 * (q.orgId.size() + q.personId.size() + q.afterId.size()) + 128;
}
} // namespace

size_t qHash(const TenantListAnswers::Question& q, size_t seed)
{
    return qHashMulti(seed, q.orgId, q.personId, q.admin, q.afterId, q.limit);
}

std::optional<QByteArray> TenantListAnswers::find(store::Database& db, const Question& question, Ticket* ticket)
{
    ticket->m_question = question;
    // Inside an open batch (store/GroupCommit) what is read includes other requests' changes not yet committed, and
    // a batch that fails to commit rolls them back without moving either count: nothing made there is kept.
    ticket->m_stamp = db.batchOpen() ? std::nullopt : db.changeStamp();
    if (!ticket->m_stamp || ticket->m_stamp != m_stamp) {
        m_kept.clear();
        m_keptBytes = 0;
        m_stamp = ticket->m_stamp;
        return std::nullopt;
    }
    auto it = m_kept.constFind(question);
    if (it == m_kept.constEnd())
        return std::nullopt;
    return *it;
}

void TenantListAnswers::keep(const Ticket& ticket, const QByteArray& body)
{
    if (!ticket.m_stamp || ticket.m_stamp != m_stamp)
        return;
    const qsizetype size = keptSize(ticket.m_question, body);
    if (m_keptBytes + size > kMaxKeptBytes) {
        m_kept.clear();
        m_keptBytes = 0;
    }
    if (auto it = m_kept.find(ticket.m_question); it != m_kept.end()) {
        m_keptBytes -= keptSize(ticket.m_question, *it);
        *it = body;
    } else {
        m_kept.insert(ticket.m_question, body);
    }
    m_keptBytes += size;
}

} // namespace stint::cloud::tenants
