// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/RowSearchProxy.h"

#include "ui/models/RowTableModel.h"

namespace stint::ui {

RowSearchProxy::RowSearchProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void RowSearchProxy::setSourceModel(QAbstractItemModel* model)
{
    m_rows = dynamic_cast<const SearchableRows*>(model);
    QSortFilterProxyModel::setSourceModel(model);
}

void RowSearchProxy::setSearchText(const QString& text)
{
    const QStringList words = text.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (words == m_words)
        return;
    m_words = words;
    invalidateRowsFilter();
}

bool RowSearchProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_words.isEmpty() || !m_rows || sourceParent.isValid())
        return true;
    const QString& key = m_rows->searchKey(sourceRow);
    for (const QString& word : m_words) {
        if (!key.contains(word))
            return false;
    }
    return true;
}

} // namespace stint::ui
