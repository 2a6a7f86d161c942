// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/TenantListModel.h"

#include "client/Workspace.h"
#include "ui/common/StatusChip.h"
#include "ui/common/TimeText.h"

#include <QLoggingCategory>
#include <QSet>
#include <algorithm>

Q_LOGGING_CATEGORY(lcTenantListModel, "stint.ui.tenantlistmodel")

namespace stint::ui {

namespace {
constexpr int kRolesInSummary = 3;

QString summaryOf(const models::Tenant& tenant, QStringList* roleNames)
{
    QStringList roleIds;
    int longest = 0;
    int needApproval = 0;
    for (const models::TenantGrant& g : tenant.myGrants) {
        for (const QString& r : g.roleDefinitionIds) {
            if (!roleIds.contains(r))
                roleIds << r;
        }
        longest = std::max(longest, g.maxDurationMinutes);
        if (g.requireApproval)
            ++needApproval;
    }
    for (const QString& r : roleIds)
        roleNames->append(tenant.roleName(r));
    roleNames->sort(Qt::CaseInsensitive);
    if (roleNames->isEmpty())
        return TenantListModel::tr("No roles granted to you any more");
    QString roles = roleNames->mid(0, kRolesInSummary).join(QStringLiteral(", "));
    if (roleNames->size() > kRolesInSummary)
        roles += TenantListModel::tr(" +%n more", nullptr, int(roleNames->size() - kRolesInSummary));
    QStringList parts {roles, TenantListModel::tr("up to %1").arg(TimeText::minutes(longest))};
    if (needApproval == tenant.myGrants.size())
        parts << TenantListModel::tr("approval needed");
    else if (needApproval > 0)
        parts << TenantListModel::tr("approval for some roles");
    return parts.join(QStringLiteral(" · "));
}
} // namespace

TenantListModel::TenantListModel(client::Workspace& workspace, QObject* parent)
    : QAbstractListModel(parent)
    , m_workspace(workspace)
{
    connect(&m_workspace, &client::Workspace::changed, this, [this](client::Workspace::Kind kind) {
        if (kind == client::Workspace::Kind::Tenants || kind == client::Workspace::Kind::Checkouts
            || kind == client::Workspace::Kind::Me)
            reload();
    });
    m_rows = buildRows();
}

QList<TenantListModel::Row> TenantListModel::buildRows() const
{
    // My open checkouts by tenant (at most one per tenant: the service allows no more).
    QHash<QString, const models::Checkout*> open;
    const QList<models::Checkout> mine = m_workspace.myLiveCheckouts();
    for (const models::Checkout& c : mine)
        open.insert(c.tenantId, &c);

    QList<Row> rows;
    const QList<models::Tenant> tenants = m_workspace.tenants();
    rows.reserve(tenants.size());
    for (const models::Tenant& t : tenants) {
        const models::Checkout* c = open.value(t.id);
        if (t.myGrants.isEmpty() && !c)
            continue;
        Row row;
        row.id = t.id;
        row.name = t.name;
        row.connectionStatus = t.connection.status;
        QStringList roleNames;
        row.summary = summaryOf(t, &roleNames);
        if (c) {
            row.openCheckoutId = c->id;
            row.openCheckoutState = models::toString(c->state);
        }
        QStringList key {t.name, t.id};
        if (t.connection.entraTenantId)
            key << *t.connection.entraTenantId;
        if (t.connection.accountDomain)
            key << *t.connection.accountDomain;
        key << roleNames;
        row.searchKey = key.join(QLatin1Char('\n')).toLower();
        rows.append(std::move(row));
    }
    return rows;
}

void TenantListModel::reload()
{
    QList<Row> next = buildRows();
    const bool sameRows = next.size() == m_rows.size()
        && std::equal(next.cbegin(), next.cend(), m_rows.cbegin(),
                      [](const Row& a, const Row& b) { return a.id == b.id; });
    if (!sameRows) {
        // Tenants came or went: a reset is cheaper than diffing inserts for a list the proxy re-filters anyway. The
        // view keeps its selection by tenant id across it.
        beginResetModel();
        m_rows = std::move(next);
        endResetModel();
        return;
    }
    for (int i = 0; i < next.size(); ++i) {
        if (next.at(i) == m_rows.at(i))
            continue;
        m_rows[i] = std::move(next[i]);
        emit dataChanged(index(i), index(i));
    }
}

int TenantListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant TenantListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return row.name;
    case Qt::ToolTipRole:
        return row.summary;
    case Qt::AccessibleTextRole: {
        QString text
            = tr("%1, %2, %3").arg(row.name, StatusChip::connectionStatusText(row.connectionStatus), row.summary);
        if (!row.openCheckoutState.isEmpty()) {
            if (auto state = models::checkoutStateFromString(row.openCheckoutState))
                text += tr(", your access: %1").arg(StatusChip::checkoutStateText(*state));
        }
        return text;
    }
    case TenantIdRole:
        return row.id;
    case ConnectionStatusRole:
        return row.connectionStatus;
    case SummaryRole:
        return row.summary;
    case OpenCheckoutIdRole:
        return row.openCheckoutId;
    case OpenCheckoutStateRole:
        return row.openCheckoutState;
    case SearchKeyRole:
        return row.searchKey;
    default:
        return {};
    }
}

QHash<int, QByteArray> TenantListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(TenantIdRole, "tenantId");
    names.insert(ConnectionStatusRole, "connectionStatus");
    names.insert(SummaryRole, "summary");
    names.insert(OpenCheckoutIdRole, "openCheckoutId");
    names.insert(OpenCheckoutStateRole, "openCheckoutState");
    names.insert(SearchKeyRole, "searchKey");
    return names;
}

int TenantListModel::rowOf(const QString& tenantId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == tenantId)
            return i;
    }
    return -1;
}

} // namespace stint::ui
