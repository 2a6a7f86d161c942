// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/HistoryModel.h"

#include "client/Workspace.h"
#include "ui/common/StatusChip.h"
#include "ui/common/TimeText.h"
#include "ui/common/CheckoutText.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcHistoryModel, "stint.ui.historymodel")

namespace stint::ui {

HistoryModel::HistoryModel(client::Workspace& workspace, QObject* parent)
    : QAbstractTableModel(parent)
    , m_workspace(workspace)
{
    connect(&m_workspace, &client::Workspace::changed, this, [this](client::Workspace::Kind kind) {
        if (kind == client::Workspace::Kind::Checkouts || kind == client::Workspace::Kind::Me)
            reload();
        else if (kind == client::Workspace::Kind::Tenants && !m_rows.isEmpty())
            emit dataChanged(index(0, TenantColumn), index(int(m_rows.size()) - 1, RolesColumn));
    });
    reload();
}

void HistoryModel::reload()
{
    QList<models::Checkout> next;
    if (const auto& me = m_workspace.me()) {
        for (const models::Checkout& c : m_workspace.checkouts()) {
            if (c.technicianId == me->person.id)
                next.append(c);
        }
    }
    const bool sameRows = next.size() == m_rows.size()
        && std::equal(next.cbegin(), next.cend(), m_rows.cbegin(),
                      [](const models::Checkout& a, const models::Checkout& b) { return a.id == b.id; });
    if (!sameRows) {
        beginResetModel();
        m_rows = std::move(next);
        endResetModel();
        return;
    }
    for (int i = 0; i < next.size(); ++i) {
        if (next.at(i).version == m_rows.at(i).version && next.at(i).state == m_rows.at(i).state)
            continue;
        m_rows[i] = std::move(next[i]);
        emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
    }
}

int HistoryModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int HistoryModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString HistoryModel::tenantName(const QString& tenantId) const
{
    const models::Tenant* t = m_workspace.tenant(tenantId);
    return t ? t->name : tenantId;
}

QString HistoryModel::roleNames(const models::Checkout& c) const
{
    const models::Tenant* t = m_workspace.tenant(c.tenantId);
    QStringList names;
    for (const QString& r : c.roleDefinitionIds)
        names << (t ? t->roleName(r) : r);
    return names.join(QStringLiteral(", "));
}

QVariant HistoryModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const models::Checkout& c = m_rows.at(index.row());
    const auto time = [&](const std::optional<TimeMs>& t) -> QVariant {
        if (role == SortRole)
            return t ? *t : qint64(0);
        return t ? TimeText::when(*t, m_workspace.serverNow()) : QStringLiteral("—");
    };
    if (role == CheckoutIdRole)
        return c.id;
    if (role == StateRole)
        return models::toString(c.state);
    if (role == Qt::ToolTipRole && index.column() == ReasonColumn)
        return CheckoutText::reason(c);
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::AccessibleTextRole)
        return {};
    switch (index.column()) {
    case StateColumn:
        return role == SortRole ? QVariant(int(c.state)) : QVariant(StatusChip::checkoutStateText(c.state));
    case TenantColumn:
        return role == SortRole ? tenantName(c.tenantId).toLower() : tenantName(c.tenantId);
    case RolesColumn:
        return roleNames(c);
    case RequestedColumn:
        return time(c.requestedAt);
    case ReadyColumn:
        return time(c.readyAt);
    case EndedColumn:
        return time(c.endedAt);
    case ReasonColumn:
        return CheckoutText::reason(c);
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case StateColumn:
        return tr("State");
    case TenantColumn:
        return tr("Tenant");
    case RolesColumn:
        return tr("Roles");
    case RequestedColumn:
        return tr("Requested");
    case ReadyColumn:
        return tr("Ready");
    case EndedColumn:
        return tr("Ended");
    case ReasonColumn:
        return tr("Reason");
    default:
        return {};
    }
}

int HistoryModel::rowOf(const QString& checkoutId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == checkoutId)
            return i;
    }
    return -1;
}

} // namespace stint::ui
