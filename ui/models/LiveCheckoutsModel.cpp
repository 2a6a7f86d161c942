// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/LiveCheckoutsModel.h"

#include "client/Workspace.h"
#include "ui/common/StatusChip.h"
#include "ui/common/TimeText.h"
#include "ui/models/ApprovalsModel.h"

#include <limits>

namespace stint::ui {

using client::Workspace;

LiveCheckoutsModel::LiveCheckoutsModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Checkouts || kind == Workspace::Kind::Tenants || kind == Workspace::Kind::People)
            reload();
    });
    reload();
}

void LiveCheckoutsModel::reload()
{
    setRows(m_workspace.liveCheckouts());
}

QString LiveCheckoutsModel::remainingText(const models::Checkout& c) const
{
    if (c.state != models::CheckoutState::Ready || !c.expiresAt)
        return {};
    return TimeText::countdown(*c.expiresAt - m_workspace.serverNow());
}

QString LiveCheckoutsModel::headerText(int column) const
{
    switch (column) {
    case Technician:
        return tr("Technician");
    case Tenant:
        return tr("Tenant");
    case State:
        return tr("State");
    case Roles:
        return tr("Roles");
    case Remaining:
        return tr("Time left");
    case Account:
        return tr("Account");
    }
    return {};
}

QVariant LiveCheckoutsModel::cell(const models::Checkout& c, int column, int role) const
{
    const QString tone = QString::fromLatin1(StatusChip::checkoutStateTone(c.state));
    if (column == State) {
        if (role == ToneRole)
            return tone;
        if (role == Qt::DecorationRole)
            return RowTone::dot(tone);
        if (role == Qt::ToolTipRole && !c.stateReason.isEmpty())
            return c.stateReason;
    }
    if (role == SortRole && column == Remaining)
        return c.expiresAt.value_or(std::numeric_limits<qint64>::max());
    if (role == Qt::TextAlignmentRole && column == Remaining)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && c.state == models::CheckoutState::RevokeFailed)
        return RowTone::color(QStringLiteral("bad"));
    if (role == Qt::AccessibleTextRole && column == Remaining && c.expiresAt)
        return tr("%1 left").arg(remainingText(c));
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Technician:
        return m_workspace.personName(c.technicianId);
    case Tenant:
        return ApprovalsModel::tenantName(m_workspace, c.tenantId);
    case State:
        return StatusChip::checkoutStateText(c.state);
    case Roles:
        return ApprovalsModel::roleNames(m_workspace, c);
    case Remaining:
        return remainingText(c);
    case Account:
        return c.accountUpn.value_or(QString());
    }
    return {};
}

QString LiveCheckoutsModel::searchTextOf(const models::Checkout& c) const
{
    return m_workspace.personName(c.technicianId) + QLatin1Char('\n')
        + ApprovalsModel::tenantName(m_workspace, c.tenantId) + QLatin1Char('\n')
        + StatusChip::checkoutStateText(c.state) + QLatin1Char('\n') + ApprovalsModel::roleNames(m_workspace, c)
        + QLatin1Char('\n') + c.accountUpn.value_or(QString()) + QLatin1Char('\n') + c.ticket;
}

} // namespace stint::ui
