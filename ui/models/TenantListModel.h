// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"

#include <QAbstractListModel>
#include <QList>
#include <optional>

namespace stint::client {
class Workspace;
}

// The tenants a technician may ask for access to (those where my grants name at least one role, and those where I
// still have an open checkout), by name, as one list row each: the name, the connection's status, a one-line summary
// of what I may ask for ("Global Reader, Security Reader · up to 4 h · approval needed") and the state of my open
// checkout there. Kept current from the Workspace.
//
// Each row carries a lowercase search key (name, Entra id, domain, role names) computed once when the row is built,
// so that filtering as the technician types (TenantFilterProxy) allocates nothing per row and keystroke: the proxy
// reads the key through searchKey(), not through data().
namespace stint::ui {

class TenantListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        TenantIdRole = Qt::UserRole + 1,
        ConnectionStatusRole, // "connected" …
        SummaryRole, // what I may ask for, one line
        OpenCheckoutIdRole, // my open checkout here, or empty
        OpenCheckoutStateRole, // its state name ("ready" …), or empty
        SearchKeyRole,
    };

    explicit TenantListModel(client::Workspace& workspace, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // For the filter proxy (no QVariant): the row's lowercase search key.
    const QString& searchKey(int row) const { return m_rows.at(row).searchKey; }
    QString tenantId(int row) const { return m_rows.at(row).id; }
    int rowOf(const QString& tenantId) const;

    // Rebuilds the rows from the workspace (called on its changes; public for tests and benchmarks).
    void reload();

private:
    struct Row
    {
        QString id;
        QString name;
        QString connectionStatus;
        QString summary;
        QString openCheckoutId;
        QString openCheckoutState;
        QString searchKey;

        bool operator==(const Row&) const = default;
    };
    QList<Row> buildRows() const;

    client::Workspace& m_workspace;
    QList<Row> m_rows;
};

} // namespace stint::ui
