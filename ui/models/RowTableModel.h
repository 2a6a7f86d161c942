// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/models/RowSearchProxy.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QIcon>
#include <QList>

// The shape every admin table model shares: a list of value rows (a models/ type), each with a stable id, one
// lowercase search key for RowSearchProxy, and cells a subclass describes. Replacing the rows with the same ids in
// the same order (a live update of what is shown) changes cells in place, so the view keeps its selection and
// scroll position; anything else resets the model (pages restore the selection by id).
namespace stint::ui {

enum RowRole
{
    IdRole = Qt::UserRole + 1, // the row's id (QString)
    SortRole, // a value that sorts right (times as numbers, names lowercased)
    ToneRole, // "good" | "warn" | "bad" | "busy" | "neutral" for cells that say how things stand
};

// The colour a tone's text takes in tables, and a small dot that says it beside the text (never colour alone: the
// text says it too).
struct RowTone
{
    static QColor color(const QString& tone);
    static QIcon dot(const QString& tone);
};

template <typename T> class RowTableModel : public QAbstractTableModel, public SearchableRows
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(m_rows.size()); }
    int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : columnTotal(); }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || section < 0 || section >= columnTotal())
            return {};
        if (role == Qt::DisplayRole)
            return headerText(section);
        return {};
    }

    QVariant data(const QModelIndex& index, int role) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return {};
        const T& row = m_rows.at(index.row());
        if (role == IdRole)
            return idOf(row);
        return cell(row, index.column(), role);
    }

    const QString& searchKey(int row) const override { return m_keys.at(row); }

    const QList<T>& rows() const { return m_rows; }
    const T& at(int row) const { return m_rows.at(row); }
    int rowOfId(const QString& id) const { return m_index.value(id, -1); }
    const T* find(const QString& id) const
    {
        const int row = rowOfId(id);
        return row < 0 ? nullptr : &m_rows.at(row);
    }
    QModelIndex indexOfId(const QString& id, int column = 0) const
    {
        const int row = rowOfId(id);
        return row < 0 ? QModelIndex() : index(row, column);
    }

protected:
    virtual int columnTotal() const = 0;
    virtual QString headerText(int column) const = 0;
    virtual QString idOf(const T& row) const = 0;
    virtual QVariant cell(const T& row, int column, int role) const = 0;
    virtual QString searchTextOf(const T& row) const = 0;

    void setRows(QList<T> rows)
    {
        bool sameIds = rows.size() == m_rows.size();
        for (qsizetype i = 0; sameIds && i < rows.size(); ++i)
            sameIds = idOf(rows.at(i)) == idOf(m_rows.at(i));
        if (sameIds) {
            m_rows = std::move(rows);
            rebuildKeys();
            if (!m_rows.isEmpty())
                emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, columnTotal() - 1));
            return;
        }
        beginResetModel();
        m_rows = std::move(rows);
        rebuildKeys();
        endResetModel();
    }

    void appendRows(const QList<T>& rows)
    {
        if (rows.isEmpty())
            return;
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + rows.size()) - 1);
        for (const T& row : rows) {
            m_index.insert(idOf(row), int(m_rows.size()));
            m_rows.append(row);
            m_keys.append(searchTextOf(row).toLower());
        }
        endInsertRows();
    }

    // The cells of one column changed for every row (a countdown, a "3 min ago").
    void columnChanged(int column)
    {
        if (!m_rows.isEmpty())
            emit dataChanged(index(0, column), index(int(m_rows.size()) - 1, column), {Qt::DisplayRole});
    }

private:
    void rebuildKeys()
    {
        m_keys.clear();
        m_index.clear();
        m_keys.reserve(m_rows.size());
        for (qsizetype i = 0; i < m_rows.size(); ++i) {
            m_keys.append(searchTextOf(m_rows.at(i)).toLower());
            m_index.insert(idOf(m_rows.at(i)), int(i));
        }
    }

    QList<T> m_rows;
    QStringList m_keys;
    QHash<QString, int> m_index;
};

} // namespace stint::ui
