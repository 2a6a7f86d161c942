// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Directory.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// Groups of people, with how many members they have and how many access policies grant through them (what deleting
// one would take away). Kept current from the Workspace.
namespace stint::ui {

class GroupsModel : public RowTableModel<models::Group>
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Members,
        Policies,
        ColumnCount,
    };

    explicit GroupsModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    // The names of the policies that name the group as a subject.
    QStringList policiesUsing(const QString& groupId) const { return m_policies.value(groupId); }

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::Group& g) const override { return g.id; }
    QVariant cell(const models::Group& g, int column, int role) const override;
    QString searchTextOf(const models::Group& g) const override;

private:
    client::Workspace& m_workspace;
    QHash<QString, QStringList> m_policies;
};

} // namespace stint::ui
