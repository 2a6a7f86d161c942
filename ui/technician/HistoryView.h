// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/UiContext.h"

#include <QWidget>

class QSortFilterProxyModel;
class QStackedLayout;
class QTableView;

// "History": my checkouts with their states and times (requested, ready, ended) and the reason each ended, newest
// first, sortable by any column. Activating a row (Enter, double-click) shows that checkout in the tenant view.
namespace stint::ui {

class EmptyState;
class HistoryModel;

class HistoryView : public QWidget
{
    Q_OBJECT
public:
    explicit HistoryView(UiContext& context, QWidget* parent = nullptr);

    HistoryModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }

signals:
    void checkoutActivated(const QString& checkoutId);

private:
    void updateEmpty();

    HistoryModel* m_model;
    QSortFilterProxyModel* m_sorted;
    QTableView* m_table;
    EmptyState* m_empty;
    QStackedLayout* m_stack;
};

} // namespace stint::ui
