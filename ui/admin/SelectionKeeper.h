// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

class QAbstractItemView;

// Keeps a table's current row on the same object (by id) while live updates reset its model, and tells the page
// which object is current, so details panes follow the object, not a row number. When the object goes away the
// current id becomes empty.
namespace stint::ui {

class SelectionKeeper : public QObject
{
    Q_OBJECT
public:
    explicit SelectionKeeper(QAbstractItemView* view);

    QString currentId() const { return m_current; }
    // Makes the row of `id` current (and visible); false when no row has it (filtered out or unknown).
    bool select(const QString& id);

signals:
    // Another object became current (or none: empty id).
    void currentChanged(const QString& id);
    // The current object changed in place (a live update): its details need showing again.
    void currentUpdated(const QString& id);

private:
    void attach();
    void update();

    QPointer<QAbstractItemView> m_view;
    QString m_current;
    QString m_remembered;
};

} // namespace stint::ui
