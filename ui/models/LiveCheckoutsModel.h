// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// Every live checkout of the organization (being prepared, ready, ending, or failing to end): who, where, which
// roles, the account, and the time left — counted to the service's clock, so it is right even when this machine's
// clock is off. The page's one clock calls refreshTimes() on each second.
namespace stint::ui {

class LiveCheckoutsModel : public RowTableModel<models::Checkout>
{
    Q_OBJECT
public:
    enum Column
    {
        Technician,
        Tenant,
        State,
        Roles,
        Remaining,
        Account,
        ColumnCount,
    };

    explicit LiveCheckoutsModel(client::Workspace& workspace, QObject* parent = nullptr);

    void reload();
    void refreshTimes() { columnChanged(Remaining); }
    // "12:04" for a ready checkout, "" when it has no end yet.
    QString remainingText(const models::Checkout& c) const;

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::Checkout& c) const override { return c.id; }
    QVariant cell(const models::Checkout& c, int column, int role) const override;
    QString searchTextOf(const models::Checkout& c) const override;

private:
    client::Workspace& m_workspace;
};

} // namespace stint::ui
