// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>
#include <QStringList>

// The tenant list filtered as the technician types: every word of the query must appear (case-insensitively) in the
// tenant's name, Entra id, domain or one of the role names it offers me. Built for thousands of rows per keystroke:
// the query is lowercased and split once per change, and each row is matched against the precomputed lowercase key
// of TenantListModel — no QVariant, no allocation per row.
namespace stint::ui {

class TenantListModel;

class TenantFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit TenantFilterProxy(QObject* parent = nullptr);

    void setSourceModel(QAbstractItemModel* source) override; // a TenantListModel
    void setQuery(const QString& query);
    QString query() const { return m_query; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    TenantListModel* m_tenants = nullptr;
    QString m_query;
    QStringList m_terms; // lowercase words of the query
};

} // namespace stint::ui
