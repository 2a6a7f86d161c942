// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"

#include <QAbstractTableModel>
#include <QList>

namespace stint::client {
class Workspace;
}

// My checkouts, newest first, as a table: state, tenant, roles, when it was requested, became ready and ended, and
// why it ended (the service's stateReason). The technician's "History" tab. Kept current from the Workspace; each
// cell also gives a sort key (SortRole: times as numbers, text lowercased) so a QSortFilterProxyModel sorts by it.
namespace stint::ui {

class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        StateColumn,
        TenantColumn,
        RolesColumn,
        RequestedColumn,
        ReadyColumn,
        EndedColumn,
        ReasonColumn,
        ColumnCount,
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1,
        CheckoutIdRole,
        StateRole, // the state's wire name
    };

    explicit HistoryModel(client::Workspace& workspace, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString checkoutId(int row) const { return m_rows.at(row).id; }
    int rowOf(const QString& checkoutId) const;
    void reload();

private:
    QString tenantName(const QString& tenantId) const;
    QString roleNames(const models::Checkout& c) const;

    client::Workspace& m_workspace;
    QList<models::Checkout> m_rows;
};

} // namespace stint::ui
