// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/InvitesModel.h"

#include "client/Workspace.h"
#include "ui/common/TimeText.h"
#include "ui/models/PeopleModel.h"

namespace stint::ui {

using client::Workspace;

InvitesModel::InvitesModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Invites)
            reload();
    });
    reload();
}

void InvitesModel::reload()
{
    setRows(m_workspace.invites());
}

QString InvitesModel::statusText(const QString& status)
{
    if (status == QLatin1String("pending"))
        return tr("Waiting");
    if (status == QLatin1String("used"))
        return tr("Enrolled");
    if (status == QLatin1String("expired"))
        return tr("Expired");
    if (status == QLatin1String("revoked"))
        return tr("Revoked");
    return status;
}

QString InvitesModel::headerText(int column) const
{
    switch (column) {
    case Email:
        return tr("Email");
    case Name:
        return tr("Name");
    case Role:
        return tr("Role");
    case Status:
        return tr("Status");
    case Expires:
        return tr("Link expires");
    }
    return {};
}

QVariant InvitesModel::cell(const models::Invite& i, int column, int role) const
{
    const bool pending = i.status == QLatin1String("pending");
    if (role == ToneRole && column == Status)
        return pending ? QStringLiteral("busy") : QStringLiteral("neutral");
    if (role == Qt::ForegroundRole && !pending)
        return RowTone::color(QStringLiteral("neutral"));
    if (role == SortRole && column == Expires)
        return i.expiresAt;
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Email:
        return i.email;
    case Name:
        return i.displayName;
    case Role:
        return PeopleModel::roleText(i.role);
    case Status:
        return statusText(i.status);
    case Expires:
        return pending ? TimeText::when(i.expiresAt, m_workspace.serverNow()) : QString();
    }
    return {};
}

QString InvitesModel::searchTextOf(const models::Invite& i) const
{
    return i.email + QLatin1Char('\n') + i.displayName + QLatin1Char('\n') + statusText(i.status);
}

} // namespace stint::ui
