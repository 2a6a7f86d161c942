// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/MyAccessPage.h"

#include "client/Workspace.h"
#include "ui/common/EmptyState.h"
#include "ui/common/Style.h"
#include "ui/technician/CheckoutCard.h"
#include "ui/technician/SecondTicker.h"

#include <QLoggingCategory>
#include <QScrollArea>
#include <QSet>
#include <QStackedLayout>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcMyAccessPage, "stint.ui.myaccesspage")

namespace stint::ui {

MyAccessPage::MyAccessPage(UiContext& context, CheckoutActions& actions, SecondTicker& ticker, QWidget* parent)
    : QWidget(parent)
    , m_ctx(context)
    , m_actions(actions)
    , m_ticker(ticker)
    , m_stack(new QStackedLayout(this))
    , m_empty(new EmptyState(this))
    , m_list(new QWidget(this))
    , m_cardsLayout(new QVBoxLayout)
{
    setObjectName(QStringLiteral("myAccessPage"));
    m_empty->setObjectName(QStringLiteral("myAccessEmpty"));
    m_empty->setContent(tr("No access right now"),
                        tr("When you request access to a tenant, its progress and countdown show here."),
                        tr("Find a tenant"));
    connect(m_empty, &EmptyState::actionTriggered, this, &MyAccessPage::requestHint);

    auto* outer = new QVBoxLayout(m_list);
    outer->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    outer->setSpacing(style::kGap);
    m_cardsLayout->setSpacing(style::kGap);
    outer->addLayout(m_cardsLayout);
    outer->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("myAccessScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_list);

    m_stack->addWidget(m_empty);
    m_stack->addWidget(scroll);

    connect(&m_ctx.workspace, &client::Workspace::changed, this, [this](client::Workspace::Kind kind) {
        if (kind == client::Workspace::Kind::Checkouts || kind == client::Workspace::Kind::Tenants
            || kind == client::Workspace::Kind::Me)
            refresh();
    });
    refresh();
}

void MyAccessPage::setSessionUsable(bool usable)
{
    m_sessionUsable = usable;
    for (CheckoutCard* card : std::as_const(m_cards))
        card->setActionsEnabled(usable);
}

void MyAccessPage::refresh()
{
    const QList<models::Checkout> open = m_ctx.workspace.myLiveCheckouts(); // newest first
    QSet<QString> keep;
    for (const models::Checkout& c : open)
        keep.insert(c.id);
    for (auto it = m_cards.begin(); it != m_cards.end();) {
        if (keep.contains(it.key())) {
            ++it;
            continue;
        }
        CheckoutCard* card = it.value();
        card->hide();
        card->setParent(nullptr);
        card->deleteLater();
        it = m_cards.erase(it);
    }
    for (int i = 0; i < open.size(); ++i) {
        const models::Checkout& c = open.at(i);
        CheckoutCard* card = m_cards.value(c.id);
        if (!card) {
            card = new CheckoutCard(m_ctx, m_actions, true, m_list);
            connect(&m_ticker, &SecondTicker::tick, card, &CheckoutCard::tick);
            m_cards.insert(c.id, card);
        }
        card->setCheckout(c);
        card->setActionsEnabled(m_sessionUsable);
        if (m_cardsLayout->indexOf(card) != i) {
            m_cardsLayout->removeWidget(card);
            m_cardsLayout->insertWidget(i, card);
        }
    }
    m_stack->setCurrentIndex(m_cards.isEmpty() ? 0 : 1);
    emit countChanged(int(m_cards.size()));
}

} // namespace stint::ui
