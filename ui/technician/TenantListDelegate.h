// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

// Draws a tenant row of TenantListModel in two lines: the name (bold) with a small chip on the right — my access
// there ("Ready", "Awaiting approval") or, when I have none, the connection's status if it is not "connected" — and
// below it the muted summary of what I may ask for. Every row has the same height, so the list can use uniform item
// sizes (thousands of rows scroll and filter without measuring each).
namespace stint::ui {

class TenantListDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace stint::ui
