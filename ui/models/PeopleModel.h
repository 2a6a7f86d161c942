// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Directory.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// The people of the organization (admins and technicians): name, email, role, whether they may sign in, and their
// groups. Kept current from the Workspace.
namespace stint::ui {

class PeopleModel : public RowTableModel<models::Person>
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Email,
        Role,
        Status,
        Groups,
        ColumnCount,
    };

    explicit PeopleModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    static QString roleText(const QString& role);
    static QString statusText(const QString& status);

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::Person& p) const override { return p.id; }
    QVariant cell(const models::Person& p, int column, int role) const override;
    QString searchTextOf(const models::Person& p) const override;

private:
    QString groupNames(const models::Person& p) const;

    client::Workspace& m_workspace;
    QHash<QString, QString> m_groupNames;
};

} // namespace stint::ui
