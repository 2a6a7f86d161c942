// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Policy.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// Access policies: who may ask for which roles in which tenants, for how long, and on what conditions (approval,
// ticket, justification). Names stand in for ids wherever the Workspace knows them.
namespace stint::ui {

class PoliciesModel : public RowTableModel<models::Policy>
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Who,
        Tenants,
        Roles,
        MaxDuration,
        Conditions,
        ColumnCount,
    };

    explicit PoliciesModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    // "Ada Lovelace, Helpdesk (group)"; "Contoso, Fabrikam"; "Approval · Ticket · Justification".
    QString subjectsText(const models::Policy& p) const;
    QString tenantsText(const models::Policy& p) const;
    QString rolesText(const models::Policy& p) const;
    static QString conditionsText(const models::Policy& p);

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::Policy& p) const override { return p.id; }
    QVariant cell(const models::Policy& p, int column, int role) const override;
    QString searchTextOf(const models::Policy& p) const override;

private:
    struct Texts
    {
        QString subjects;
        QString tenants;
        QString roles;
    };
    QString buildSubjects(const models::Policy& p) const;
    QString buildTenants(const models::Policy& p) const;
    QString buildRoles(const models::Policy& p) const;

    client::Workspace& m_workspace;
    QHash<QString, QString> m_groupNames;
    QHash<QString, Texts> m_texts;
};

} // namespace stint::ui
