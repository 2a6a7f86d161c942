// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/GroupsModel.h"

#include "client/Workspace.h"

namespace stint::ui {

using client::Workspace;

GroupsModel::GroupsModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Groups || kind == Workspace::Kind::Policies || kind == Workspace::Kind::People)
            reload();
    });
    reload();
}

void GroupsModel::reload()
{
    m_policies.clear();
    for (const models::Policy& p : m_workspace.policies()) {
        for (const models::PolicySubject& s : p.subjects) {
            if (s.type == QLatin1String("group"))
                m_policies[s.id].append(p.name);
        }
    }
    setRows(m_workspace.groups());
}

QString GroupsModel::headerText(int column) const
{
    switch (column) {
    case Name:
        return tr("Group");
    case Members:
        return tr("Members");
    case Policies:
        return tr("Used by policies");
    }
    return {};
}

QVariant GroupsModel::cell(const models::Group& g, int column, int role) const
{
    if (role == Qt::TextAlignmentRole && column != Name)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && column == Policies)
        return m_policies.value(g.id).join(QStringLiteral(", "));
    if (role == Qt::ToolTipRole && column == Members) {
        QStringList names;
        for (const QString& id : g.memberIds)
            names << m_workspace.personName(id);
        return names.join(QStringLiteral(", "));
    }
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Name:
        return role == SortRole ? QVariant(g.name.toLower()) : QVariant(g.name);
    case Members:
        return int(g.memberIds.size());
    case Policies:
        return int(m_policies.value(g.id).size());
    }
    return {};
}

QString GroupsModel::searchTextOf(const models::Group& g) const
{
    QString key = g.name;
    for (const QString& id : g.memberIds)
        key += QLatin1Char('\n') + m_workspace.personName(id);
    return key;
}

} // namespace stint::ui
