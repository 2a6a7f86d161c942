// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/UiContext.h"

#include <QHash>
#include <QWidget>

class QStackedLayout;
class QVBoxLayout;

// "My access": every open checkout of mine across tenants, as cards (waiting, preparing, ready, ending), newest
// first — the place to see all running countdowns at once. Few cards (one open checkout per tenant), so cards, not an
// item view; they are kept and updated in place, so a shown credential or an open menu survives an update.
namespace stint::ui {

class CheckoutActions;
class CheckoutCard;
class EmptyState;
class SecondTicker;

class MyAccessPage : public QWidget
{
    Q_OBJECT
public:
    MyAccessPage(UiContext& context, CheckoutActions& actions, SecondTicker& ticker, QWidget* parent = nullptr);

    int count() const { return int(m_cards.size()); }
    CheckoutCard* card(const QString& checkoutId) const { return m_cards.value(checkoutId); }
    void setSessionUsable(bool usable);
    void refresh();

signals:
    void countChanged(int count);
    void requestHint(); // the empty state's button: go to the tenant list

private:
    UiContext& m_ctx;
    CheckoutActions& m_actions;
    SecondTicker& m_ticker;
    bool m_sessionUsable = true;
    QStackedLayout* m_stack;
    EmptyState* m_empty;
    QWidget* m_list;
    QVBoxLayout* m_cardsLayout;
    QHash<QString, CheckoutCard*> m_cards;
};

} // namespace stint::ui
