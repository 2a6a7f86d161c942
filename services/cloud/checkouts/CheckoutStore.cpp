// SPDX-License-Identifier: GPL-3.0-or-later
#include "cloud/checkouts/CheckoutStore.h"

#include "cloud/checkouts/CheckoutStateMachine.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace stint::cloud::checkouts {

namespace {
const QString kColumns = QStringLiteral("id, org_id, tenant_id, technician_id, policy_id, roles, duration_minutes,"
                                        " justification, ticket, state, state_reason, requested_at, decided_by,"
                                        " decided_at, ready_at, expires_at, ended_at, next_action_at, attempts,"
                                        " updated_at, version, account_upn, failure");

std::optional<TimeMs> optionalTime(const store::Row& r, int i)
{
    return r.isNull(i) ? std::nullopt : std::optional<TimeMs>(r.integer(i));
}

store::Value timeValue(const std::optional<TimeMs>& t)
{
    return t ? store::Value(*t) : store::Value(nullptr);
}

store::Value textValue(const std::optional<QString>& s)
{
    return s ? store::Value(*s) : store::Value(nullptr);
}

models::Checkout checkoutFromRow(const store::Row& r)
{
    models::Checkout c;
    c.id = r.text(0);
    c.orgId = r.text(1);
    c.tenantId = r.text(2);
    c.technicianId = r.text(3);
    c.policyId = r.text(4);
    for (const auto& v : QJsonDocument::fromJson(r.text(5).toUtf8()).array())
        c.roleDefinitionIds << v.toString();
    c.durationMinutes = int(r.integer(6));
    c.justification = r.text(7);
    c.ticket = r.text(8);
    // A state this build does not know can only come from a newer one; showing it as failed keeps it visible to
    // admins and out of every automatic step.
    c.state = models::checkoutStateFromString(r.text(9)).value_or(models::CheckoutState::Failed);
    c.stateReason = r.text(10);
    c.requestedAt = r.integer(11);
    c.decidedBy = r.isNull(12) ? std::nullopt : std::optional<QString>(r.text(12));
    c.decidedAt = optionalTime(r, 13);
    c.readyAt = optionalTime(r, 14);
    c.expiresAt = optionalTime(r, 15);
    c.endedAt = optionalTime(r, 16);
    c.nextActionAt = optionalTime(r, 17);
    c.attempts = r.integer(18);
    c.updatedAt = r.integer(19);
    c.version = r.integer(20);
    c.accountUpn = r.isNull(21) ? std::nullopt : std::optional<QString>(r.text(21));
    c.failure = r.isNull(22) ? std::nullopt : std::optional<QString>(r.text(22));
    return c;
}

Result<QList<models::Checkout>> checkoutsFrom(store::Database& db, const QString& sql, const store::Params& params)
{
    auto rows = db.query(sql, params);
    if (!rows)
        return rows.error();
    QList<models::Checkout> out;
    for (const auto& r : *rows)
        out.append(checkoutFromRow(r));
    return out;
}

// The open states as an SQL list. They are fixed names from this build, never input.
QString openStatesSql()
{
    QStringList quoted;
    for (const QString& name : models::openCheckoutStateNames())
        quoted << QLatin1Char('\'') + name + QLatin1Char('\'');
    return QLatin1Char('(') + quoted.join(QStringLiteral(", ")) + QLatin1Char(')');
}
} // namespace

Result<std::optional<models::Checkout>> loadCheckout(store::Database& db, const QString& orgId,
                                                     const QString& checkoutId)
{
    QString sql = QStringLiteral("SELECT %1 FROM checkouts WHERE id = ?").arg(kColumns);
    store::Params params{checkoutId};
    if (!orgId.isEmpty()) {
        sql += QStringLiteral(" AND org_id = ?");
        params << orgId;
    }
    auto found = checkoutsFrom(db, sql, params);
    if (!found)
        return found.error();
    if (found->isEmpty())
        return std::optional<models::Checkout>();
    return std::optional<models::Checkout>(found->front());
}

Result<QList<models::Checkout>> loadCheckouts(store::Database& db, const QString& orgId, const CheckoutFilter& f)
{
    QString sql = QStringLiteral("SELECT %1 FROM checkouts WHERE org_id = ? AND id > ?").arg(kColumns);
    store::Params params{orgId, f.afterId};
    if (!f.technicianId.isEmpty()) {
        sql += QStringLiteral(" AND technician_id = ?");
        params << f.technicianId;
    }
    if (!f.tenantId.isEmpty()) {
        sql += QStringLiteral(" AND tenant_id = ?");
        params << f.tenantId;
    }
    if (f.state) {
        sql += QStringLiteral(" AND state = ?");
        params << models::toString(*f.state);
    }
    sql += QStringLiteral(" ORDER BY id LIMIT ?");
    params << qint64(f.limit);
    return checkoutsFrom(db, sql, params);
}

Result<std::optional<models::Checkout>> openCheckoutOf(store::Database& db, const QString& orgId,
                                                       const QString& tenantId, const QString& technicianId)
{
    auto found = checkoutsFrom(db,
                               QStringLiteral("SELECT %1 FROM checkouts WHERE org_id = ? AND tenant_id = ?"
                                              " AND technician_id = ? AND state IN %2 ORDER BY id LIMIT 1")
                                   .arg(kColumns, openStatesSql()),
                               {orgId, tenantId, technicianId});
    if (!found)
        return found.error();
    if (found->isEmpty())
        return std::optional<models::Checkout>();
    return std::optional<models::Checkout>(found->front());
}

Result<qint64> countOpenCheckouts(store::Database& db, const QString& orgId, const QString& tenantId)
{
    auto rows = db.query(QStringLiteral("SELECT COUNT(*) FROM checkouts WHERE org_id = ? AND tenant_id = ?"
                                        " AND state IN %1")
                             .arg(openStatesSql()),
                         {orgId, tenantId});
    if (!rows)
        return rows.error();
    return rows->front().integer(0);
}

Result<QStringList> dueCheckouts(store::Database& db, const QList<models::CheckoutState>& states, TimeMs now, int limit)
{
    if (states.isEmpty())
        return QStringList();
    QStringList marks;
    store::Params params;
    for (models::CheckoutState state : states) {
        marks << QStringLiteral("?");
        params << models::toString(state);
    }
    params << now << qint64(limit);
    auto rows = db.query(QStringLiteral("SELECT id FROM checkouts WHERE state IN (%1) AND next_action_at <= ?"
                                        " ORDER BY next_action_at, id LIMIT ?")
                             .arg(marks.join(QStringLiteral(", "))),
                         params);
    if (!rows)
        return rows.error();
    QStringList ids;
    for (const auto& r : *rows)
        ids << r.text(0);
    return ids;
}

Result<void> insertCheckout(store::Database& db, const models::Checkout& c)
{
    return db.exec(QStringLiteral("INSERT INTO checkouts (") + kColumns
                       + QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                   {c.id,
                    c.orgId,
                    c.tenantId,
                    c.technicianId,
                    c.policyId.isEmpty() ? store::Value(nullptr) : store::Value(c.policyId),
                    QString::fromUtf8(
                        QJsonDocument(QJsonArray::fromStringList(c.roleDefinitionIds)).toJson(QJsonDocument::Compact)),
                    qint64(c.durationMinutes),
                    c.justification,
                    c.ticket,
                    models::toString(c.state),
                    c.stateReason,
                    c.requestedAt,
                    textValue(c.decidedBy),
                    timeValue(c.decidedAt),
                    timeValue(c.readyAt),
                    timeValue(c.expiresAt),
                    timeValue(c.endedAt),
                    timeValue(c.nextActionAt),
                    c.attempts,
                    c.updatedAt,
                    c.version,
                    textValue(c.accountUpn),
                    textValue(c.failure)});
}

Result<bool> updateCheckout(store::Database& db, const models::Checkout& c, qint64 expectedVersion)
{
    auto n = db.execCount(QStringLiteral("UPDATE checkouts SET state = ?, state_reason = ?, decided_by = ?,"
                                         " decided_at = ?, ready_at = ?, expires_at = ?, ended_at = ?,"
                                         " next_action_at = ?, attempts = ?, updated_at = ?, version = ?,"
                                         " account_upn = ?, failure = ? WHERE id = ? AND version = ?"),
                          {models::toString(c.state), c.stateReason, textValue(c.decidedBy), timeValue(c.decidedAt),
                           timeValue(c.readyAt), timeValue(c.expiresAt), timeValue(c.endedAt),
                           timeValue(c.nextActionAt), c.attempts, c.updatedAt, c.version, textValue(c.accountUpn),
                           textValue(c.failure), c.id, expectedVersion});
    if (!n)
        return n.error();
    return *n > 0;
}

} // namespace stint::cloud::checkouts
