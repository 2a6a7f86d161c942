// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/PeopleModel.h"

#include "client/Workspace.h"

namespace stint::ui {

using client::Workspace;

PeopleModel::PeopleModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::People || kind == Workspace::Kind::Groups)
            reload();
    });
    reload();
}

void PeopleModel::reload()
{
    m_groupNames.clear();
    for (const models::Group& g : m_workspace.groups())
        m_groupNames.insert(g.id, g.name);
    setRows(m_workspace.people());
}

QString PeopleModel::roleText(const QString& role)
{
    if (role == QLatin1String("admin"))
        return tr("Admin");
    if (role == QLatin1String("technician"))
        return tr("Technician");
    return role;
}

QString PeopleModel::statusText(const QString& status)
{
    if (status == QLatin1String("active"))
        return tr("Active");
    if (status == QLatin1String("disabled"))
        return tr("Disabled");
    return status;
}

QString PeopleModel::headerText(int column) const
{
    switch (column) {
    case Name:
        return tr("Name");
    case Email:
        return tr("Email");
    case Role:
        return tr("Role");
    case Status:
        return tr("Status");
    case Groups:
        return tr("Groups");
    }
    return {};
}

QString PeopleModel::groupNames(const models::Person& p) const
{
    QStringList names;
    for (const QString& id : p.groupIds)
        names << m_groupNames.value(id, id);
    names.sort(Qt::CaseInsensitive);
    return names.join(QStringLiteral(", "));
}

QVariant PeopleModel::cell(const models::Person& p, int column, int role) const
{
    const bool disabled = p.status == QLatin1String("disabled");
    if (role == ToneRole && column == Status)
        return disabled ? QStringLiteral("bad") : QStringLiteral("good");
    if (role == Qt::DecorationRole && column == Status)
        return RowTone::dot(disabled ? QStringLiteral("bad") : QStringLiteral("good"));
    if (role == Qt::ForegroundRole && disabled)
        return RowTone::color(QStringLiteral("neutral"));
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Name:
        return role == SortRole ? QVariant(p.displayName.toLower()) : QVariant(p.displayName);
    case Email:
        return p.email;
    case Role:
        return roleText(p.role);
    case Status:
        return statusText(p.status);
    case Groups:
        return groupNames(p);
    }
    return {};
}

QString PeopleModel::searchTextOf(const models::Person& p) const
{
    return p.displayName + QLatin1Char('\n') + p.email + QLatin1Char('\n') + roleText(p.role) + QLatin1Char('\n')
        + statusText(p.status) + QLatin1Char('\n') + groupNames(p);
}

} // namespace stint::ui
