// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Directory.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// Invites sent to people who have not enrolled yet (and what became of earlier ones), newest first. The one-time
// link is never here: it is shown once, to the admin who made the invite.
namespace stint::ui {

class InvitesModel : public RowTableModel<models::Invite>
{
    Q_OBJECT
public:
    enum Column
    {
        Email,
        Name,
        Role,
        Status,
        Expires,
        ColumnCount,
    };

    explicit InvitesModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    static QString statusText(const QString& status);

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::Invite& i) const override { return i.id; }
    QVariant cell(const models::Invite& i, int column, int role) const override;
    QString searchTextOf(const models::Invite& i) const override;

private:
    client::Workspace& m_workspace;
};

} // namespace stint::ui
