// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

// The as-you-type filter of the admin tables. Each source model keeps one lowercase search key per row, built when
// its rows change (SearchableRows), so filtering 5,000 rows on every keystroke allocates nothing per row: the typed
// text is split into lowercase words once, and a row matches when its key contains every word, in any order
// ("contoso ada" finds Ada's checkout in Contoso). Sorting uses the models' SortRole, so times sort as times.
namespace stint::ui {

class SearchableRows
{
public:
    virtual ~SearchableRows() = default;
    virtual const QString& searchKey(int row) const = 0;
};

class RowSearchProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit RowSearchProxy(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* model) override;
    void setSearchText(const QString& text);
    const QStringList& searchWords() const { return m_words; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    const SearchableRows* m_rows = nullptr;
    QStringList m_words;
};

} // namespace stint::ui
