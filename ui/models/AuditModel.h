// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Audit.h"
#include "ui/models/RowTableModel.h"

namespace stint::client {
class Workspace;
}

// The audit log as the admin has read it so far, newest first: pages are appended as "Load more" reads them, so
// what is on screen stays where it is. Not kept by the Workspace (the log is only read on demand).
namespace stint::ui {

class AuditModel : public RowTableModel<models::AuditEvent>
{
    Q_OBJECT
public:
    enum Column
    {
        Time,
        Person,
        Action,
        Outcome,
        Tenant,
        Target,
        ColumnCount,
    };

    explicit AuditModel(client::Workspace& workspace, QObject* parent = nullptr);

    void setEvents(const QList<models::AuditEvent>& events) { setRows(events); }
    // Events already shown (a page that overlaps after new events arrived) are skipped.
    void appendEvents(const QList<models::AuditEvent>& events);
    void clear() { setRows({}); }

    static QString outcomeText(const QString& outcome);

protected:
    int columnTotal() const override { return ColumnCount; }
    QString headerText(int column) const override;
    QString idOf(const models::AuditEvent& e) const override { return e.id; }
    QVariant cell(const models::AuditEvent& e, int column, int role) const override;
    QString searchTextOf(const models::AuditEvent& e) const override;

private:
    QString personOf(const models::AuditEvent& e) const;

    client::Workspace& m_workspace;
};

} // namespace stint::ui
