// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/SelectionKeeper.h"

#include "ui/models/RowTableModel.h"

#include <QAbstractItemView>
#include <QItemSelectionModel>

namespace stint::ui {

SelectionKeeper::SelectionKeeper(QAbstractItemView* view)
    : QObject(view)
    , m_view(view)
{
    attach();
}

void SelectionKeeper::attach()
{
    QAbstractItemModel* model = m_view->model();
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &SelectionKeeper::update);
    connect(model, &QAbstractItemModel::modelAboutToBeReset, this, [this]() { m_remembered = m_current; });
    connect(model, &QAbstractItemModel::modelReset, this, [this]() {
        if (!m_remembered.isEmpty() && select(m_remembered))
            return;
        update();
    });
    connect(model, &QAbstractItemModel::rowsRemoved, this, &SelectionKeeper::update);
    connect(model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex& from, const QModelIndex& to, const QList<int>& roles) {
                // Clock-driven text (a countdown) is not a change of the object.
                if (roles == QList<int> {Qt::DisplayRole})
                    return;
                const QModelIndex current = m_view->currentIndex();
                if (current.isValid() && current.row() >= from.row() && current.row() <= to.row())
                    emit currentUpdated(m_current);
            });
}

bool SelectionKeeper::select(const QString& id)
{
    QAbstractItemModel* model = m_view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(IdRole).toString() == id) {
            m_view->selectionModel()->setCurrentIndex(index,
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            m_view->scrollTo(index);
            update();
            return true;
        }
    }
    return false;
}

void SelectionKeeper::update()
{
    const QModelIndex current = m_view->currentIndex();
    const QString id = current.isValid() ? current.data(IdRole).toString() : QString();
    if (id == m_current)
        return;
    m_current = id;
    emit currentChanged(id);
}

} // namespace stint::ui
