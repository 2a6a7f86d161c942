// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/AdminTenantModel.h"

#include "client/Workspace.h"
#include "ui/common/StatusChip.h"

namespace stint::ui {

using client::Workspace;

AdminTenantModel::AdminTenantModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Tenants || kind == Workspace::Kind::Checkouts)
            reload();
    });
    reload();
}

void AdminTenantModel::reload()
{
    m_live.clear();
    for (const models::Checkout& c : m_workspace.liveCheckouts())
        ++m_live[c.tenantId];
    setRows(m_workspace.tenants());
}

QString AdminTenantModel::headerText(int column) const
{
    switch (column) {
    case Name:
        return tr("Tenant");
    case Connection:
        return tr("Connection");
    case Domain:
        return tr("Account domain");
    case Live:
        return tr("Live checkouts");
    }
    return {};
}

QVariant AdminTenantModel::cell(const models::Tenant& t, int column, int role) const
{
    const QString& status = t.connection.status;
    if (role == ToneRole && column == Connection)
        return QString::fromLatin1(StatusChip::connectionStatusTone(status));
    if (role == Qt::DecorationRole && column == Connection)
        return RowTone::dot(QString::fromLatin1(StatusChip::connectionStatusTone(status)));
    if (role == Qt::ToolTipRole && column == Name && !t.notes.isEmpty())
        return t.notes;
    if (role == Qt::DisplayRole || role == SortRole) {
        switch (column) {
        case Name:
            return role == SortRole ? QVariant(t.name.toLower()) : QVariant(t.name);
        case Connection:
            return StatusChip::connectionStatusText(status);
        case Domain:
            return t.connection.accountDomain.value_or(role == SortRole ? QString() : tr("not chosen"));
        case Live:
            return m_live.value(t.id);
        }
    }
    if (role == Qt::ForegroundRole && column == Domain && !t.connection.accountDomain)
        return RowTone::color(QStringLiteral("neutral"));
    if (role == Qt::TextAlignmentRole && column == Live)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QString AdminTenantModel::searchTextOf(const models::Tenant& t) const
{
    return t.name + QLatin1Char('\n') + t.connection.accountDomain.value_or(QString()) + QLatin1Char('\n')
        + t.connection.entraTenantId.value_or(QString()) + QLatin1Char('\n')
        + StatusChip::connectionStatusText(t.connection.status) + QLatin1Char('\n') + t.notes;
}

} // namespace stint::ui
