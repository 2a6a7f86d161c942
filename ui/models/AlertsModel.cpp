// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/AlertsModel.h"

#include "ui/common/TimeText.h"
#include "ui/models/ApprovalsModel.h"

#include <QFont>

namespace stint::ui {

using client::Workspace;

AlertsModel::AlertsModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Alerts || kind == Workspace::Kind::Tenants)
            reload();
    });
    reload();
}

void AlertsModel::reload()
{
    setRows(m_workspace.alerts());
}

int AlertsModel::unacknowledged() const
{
    int n = 0;
    for (const Workspace::Alert& a : rows())
        n += a.acknowledged ? 0 : 1;
    return n;
}

QString AlertsModel::kindText(const QString& kind)
{
    if (kind == QLatin1String("revoke_failed"))
        return tr("Revocation failing");
    if (kind == QLatin1String("drift"))
        return tr("Drift found");
    if (kind == QLatin1String("connection"))
        return tr("Connection unhealthy");
    return kind;
}

QString AlertsModel::headerText(int column) const
{
    switch (column) {
    case Seen:
        return tr("Status");
    case Kind:
        return tr("Alert");
    case Tenant:
        return tr("Tenant");
    case Message:
        return tr("What happened");
    case Raised:
        return tr("Raised");
    }
    return {};
}

QVariant AlertsModel::cell(const Workspace::Alert& a, int column, int role) const
{
    if (role == Qt::FontRole && !a.acknowledged) {
        QFont bold;
        bold.setBold(true);
        return bold;
    }
    if (column == Seen) {
        if (role == ToneRole)
            return a.acknowledged ? QStringLiteral("neutral") : QStringLiteral("bad");
        if (role == Qt::DecorationRole)
            return RowTone::dot(a.acknowledged ? QStringLiteral("neutral") : QStringLiteral("bad"));
    }
    if (role == Qt::ToolTipRole && column == Message)
        return a.message;
    if (role == Qt::ToolTipRole && column == Raised)
        return TimeText::when(a.raisedAt, m_workspace.serverNow());
    if (role == SortRole && column == Raised)
        return a.raisedAt;
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Seen:
        return a.acknowledged ? tr("Seen") : tr("New");
    case Kind:
        return kindText(a.kind);
    case Tenant:
        return a.tenantId.isEmpty() ? QString() : ApprovalsModel::tenantName(m_workspace, a.tenantId);
    case Message:
        return a.message.section(QLatin1Char('\n'), 0, 0);
    case Raised:
        return TimeText::relative(a.raisedAt, m_workspace.serverNow());
    }
    return {};
}

QString AlertsModel::searchTextOf(const Workspace::Alert& a) const
{
    return kindText(a.kind) + QLatin1Char('\n') + ApprovalsModel::tenantName(m_workspace, a.tenantId)
        + QLatin1Char('\n') + a.message;
}

} // namespace stint::ui
