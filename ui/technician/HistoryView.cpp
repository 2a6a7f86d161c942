// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/HistoryView.h"

#include "ui/common/EmptyState.h"
#include "ui/common/Style.h"
#include "ui/models/HistoryModel.h"

#include <QHeaderView>
#include <QLoggingCategory>
#include <QSortFilterProxyModel>
#include <QStackedLayout>
#include <QTableView>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcHistoryView, "stint.ui.historyview")

namespace stint::ui {

HistoryView::HistoryView(UiContext& context, QWidget* parent)
    : QWidget(parent)
    , m_model(new HistoryModel(context.workspace, this))
    , m_sorted(new QSortFilterProxyModel(this))
    , m_table(new QTableView(this))
    , m_empty(new EmptyState(this))
    , m_stack(new QStackedLayout)
{
    setObjectName(QStringLiteral("historyView"));
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(HistoryModel::SortRole);
    m_sorted->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_table->setObjectName(QStringLiteral("historyTable"));
    m_table->setAccessibleName(tr("Your checkouts"));
    m_table->setModel(m_sorted);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(HistoryModel::RequestedColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setColumnWidth(HistoryModel::StateColumn, 130);
    m_table->setColumnWidth(HistoryModel::TenantColumn, 170);
    m_table->setColumnWidth(HistoryModel::RolesColumn, 200);
    for (int c : {HistoryModel::RequestedColumn, HistoryModel::ReadyColumn, HistoryModel::EndedColumn})
        m_table->setColumnWidth(c, 120);
    m_table->setTabKeyNavigation(false);

    m_empty->setObjectName(QStringLiteral("historyEmpty"));
    m_empty->setContent(tr("No history yet"),
                        tr("Every checkout you make is listed here, with when it started and "
                           "ended and why."));

    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_table);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->addLayout(m_stack);

    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        emit checkoutActivated(index.data(HistoryModel::CheckoutIdRole).toString());
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, &HistoryView::updateEmpty);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &HistoryView::updateEmpty);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &HistoryView::updateEmpty);
    updateEmpty();
}

void HistoryView::updateEmpty()
{
    m_stack->setCurrentIndex(m_model->rowCount() == 0 ? 0 : 1);
}

} // namespace stint::ui
