// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/ApprovalsModel.h"

#include "client/Workspace.h"
#include "ui/common/TimeText.h"

namespace stint::ui {

using client::Workspace;

QString ApprovalsModel::roleNames(const Workspace& workspace, const models::Checkout& c)
{
    const models::Tenant* tenant = workspace.tenant(c.tenantId);
    QStringList names;
    for (const QString& id : c.roleDefinitionIds)
        names << (tenant ? tenant->roleName(id) : id);
    return names.join(QStringLiteral(", "));
}

QString ApprovalsModel::tenantName(const Workspace& workspace, const QString& tenantId)
{
    const models::Tenant* tenant = workspace.tenant(tenantId);
    return tenant ? tenant->name : tenantId;
}

ApprovalsModel::ApprovalsModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Checkouts || kind == Workspace::Kind::Tenants || kind == Workspace::Kind::People
            || kind == Workspace::Kind::Me)
            reload();
    });
    reload();
}

void ApprovalsModel::reload()
{
    setRows(m_workspace.approvalsWaiting());
}

bool ApprovalsModel::isMine(const models::Checkout& c) const
{
    return m_workspace.me() && m_workspace.me()->person.id == c.technicianId;
}

int ApprovalsModel::decidableCount() const
{
    int n = 0;
    for (const models::Checkout& c : rows())
        n += isMine(c) ? 0 : 1;
    return n;
}

QString ApprovalsModel::headerText(int column) const
{
    switch (column) {
    case Technician:
        return tr("Technician");
    case Tenant:
        return tr("Tenant");
    case Roles:
        return tr("Roles");
    case Duration:
        return tr("For");
    case Waiting:
        return tr("Waiting");
    }
    return {};
}

QVariant ApprovalsModel::cell(const models::Checkout& c, int column, int role) const
{
    if (role == SortRole) {
        if (column == Duration)
            return c.durationMinutes;
        if (column == Waiting)
            return c.requestedAt;
    }
    if (role == Qt::ToolTipRole && column == Waiting)
        return TimeText::when(c.requestedAt, m_workspace.serverNow());
    if (role == Qt::ForegroundRole && isMine(c))
        return RowTone::color(QStringLiteral("neutral"));
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Technician: {
        const QString name = m_workspace.personName(c.technicianId);
        return isMine(c) ? tr("%1 (you)").arg(name) : name;
    }
    case Tenant:
        return tenantName(m_workspace, c.tenantId);
    case Roles:
        return roleNames(m_workspace, c);
    case Duration:
        return TimeText::minutes(c.durationMinutes);
    case Waiting:
        return TimeText::relative(c.requestedAt, m_workspace.serverNow());
    }
    return {};
}

QString ApprovalsModel::searchTextOf(const models::Checkout& c) const
{
    return m_workspace.personName(c.technicianId) + QLatin1Char('\n') + tenantName(m_workspace, c.tenantId)
        + QLatin1Char('\n') + roleNames(m_workspace, c) + QLatin1Char('\n') + c.ticket + QLatin1Char('\n')
        + c.justification;
}

} // namespace stint::ui
