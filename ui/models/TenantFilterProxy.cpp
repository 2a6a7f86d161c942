// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/TenantFilterProxy.h"

#include "ui/models/TenantListModel.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcTenantFilterProxy, "stint.ui.tenantfilterproxy")

namespace stint::ui {

TenantFilterProxy::TenantFilterProxy(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    // The source is already in name order; sorting again would only cost time per keystroke.
    setDynamicSortFilter(false);
}

void TenantFilterProxy::setSourceModel(QAbstractItemModel* source)
{
    m_tenants = qobject_cast<TenantListModel*>(source);
    if (source && !m_tenants)
        qCWarning(lcTenantFilterProxy) << "the tenant filter needs a TenantListModel; filtering is off";
    QSortFilterProxyModel::setSourceModel(source);
}

void TenantFilterProxy::setQuery(const QString& query)
{
    if (query == m_query)
        return;
    m_query = query;
    m_terms = query.toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateFilter();
}

bool TenantFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex&) const
{
    if (m_terms.isEmpty() || !m_tenants)
        return true;
    const QString& key = m_tenants->searchKey(sourceRow);
    for (const QString& term : m_terms) {
        if (!key.contains(term))
            return false;
    }
    return true;
}

} // namespace stint::ui
