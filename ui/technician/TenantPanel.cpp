// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/TenantPanel.h"

#include "client/Workspace.h"
#include "ui/common/EmptyState.h"
#include "ui/common/StatusChip.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/technician/CheckoutCard.h"
#include "ui/technician/SecondTicker.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedLayout>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcTenantPanel, "stint.ui.tenantpanel")

namespace stint::ui {

namespace {
// Out of the layout and the widget tree at once (tests and the tab order never meet it again), deleted later (it
// may be on the stack of the signal that got here).
void retire(QWidget* w)
{
    w->hide();
    w->setParent(nullptr);
    w->deleteLater();
}

QString grantsHtml(const models::Tenant& t)
{
    QStringList blocks;
    for (const models::TenantGrant& g : t.myGrants) {
        QStringList roles;
        for (const QString& r : g.roleDefinitionIds)
            roles << t.roleName(r).toHtmlEscaped();
        QStringList terms {TenantPanel::tr("up to %1").arg(TimeText::minutes(g.maxDurationMinutes))};
        if (g.requireApproval)
            terms << TenantPanel::tr("an administrator approves");
        if (g.requireJustification && g.requireTicket)
            terms << TenantPanel::tr("justification and ticket required");
        else if (g.requireJustification)
            terms << TenantPanel::tr("justification required");
        else if (g.requireTicket)
            terms << TenantPanel::tr("ticket required");
        blocks << QStringLiteral("<p style=\"margin:0 0 6px 0\"><b>%1</b><br>%2<br><span style=\"color:#616e7c\">%3"
                                 "</span></p>")
                      .arg(g.policyName.toHtmlEscaped(), roles.join(QStringLiteral(", ")),
                           terms.join(QStringLiteral(" · ")).toHtmlEscaped());
    }
    return blocks.join(QString());
}
} // namespace

TenantPanel::TenantPanel(UiContext& context, CheckoutActions& actions, SecondTicker& ticker, QWidget* parent)
    : QWidget(parent)
    , m_ctx(context)
    , m_actions(actions)
    , m_ticker(ticker)
    , m_stack(new QStackedLayout(this))
    , m_empty(new EmptyState(this))
    , m_content(new QWidget(this))
    , m_name(new QLabel(m_content))
    , m_connection(new StatusChip(m_content))
    , m_grants(new QLabel(m_content))
    , m_request(new QPushButton(tr("&Request access…"), m_content))
    , m_requestHint(new QLabel(m_content))
    , m_cardHolder(new QWidget(m_content))
{
    setObjectName(QStringLiteral("tenantPanel"));
    m_empty->setObjectName(QStringLiteral("tenantPanelEmpty"));
    m_empty->setContent(tr("Choose a tenant"),
                        tr("Pick a customer tenant on the left to see what you may ask for there. Ctrl+K searches."));
    m_name->setObjectName(QStringLiteral("tenantName"));
    style::setRole(m_name, "title");
    m_name->setWordWrap(true);
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_connection->setObjectName(QStringLiteral("connectionChip"));
    m_grants->setObjectName(QStringLiteral("grantsText"));
    m_grants->setWordWrap(true);
    m_grants->setTextFormat(Qt::RichText);
    m_request->setObjectName(QStringLiteral("requestButton"));
    style::setRole(m_request, "primary");
    m_request->setToolTip(tr("Request access to this tenant (Ctrl+R)"));
    m_requestHint->setObjectName(QStringLiteral("requestHint"));
    m_requestHint->setWordWrap(true);
    style::setRole(m_requestHint, "muted");

    auto* heading = new QLabel(tr("What you may ask for"), m_content);
    style::setRole(heading, "subtitle");

    auto* header = new QHBoxLayout;
    header->setSpacing(style::kGap);
    header->addWidget(m_name, 1);
    header->addWidget(m_connection, 0, Qt::AlignVCenter);

    auto* requestRow = new QHBoxLayout;
    requestRow->setSpacing(style::kGap);
    requestRow->addWidget(m_request);
    requestRow->addWidget(m_requestHint, 1);
    requestRow->addStretch(0); // with no hint shown, the button keeps its own size instead of filling the row

    auto* cardLayout = new QVBoxLayout(m_cardHolder);
    cardLayout->setContentsMargins(0, 0, 0, 0);

    auto* inner = new QVBoxLayout(m_content);
    inner->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    inner->setSpacing(style::kGap);
    inner->addLayout(header);
    inner->addSpacing(style::kGap);
    inner->addWidget(heading);
    inner->addWidget(m_grants);
    inner->addLayout(requestRow);
    inner->addSpacing(style::kGap);
    inner->addWidget(m_cardHolder);
    inner->addStretch(1);

    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("tenantPanelScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(m_content);

    m_stack->addWidget(m_empty);
    m_stack->addWidget(scroll);
    m_stack->setCurrentWidget(m_empty);

    connect(m_request, &QPushButton::clicked, this, &TenantPanel::requestClicked);
    connect(&m_ctx.workspace, &client::Workspace::changed, this, [this](client::Workspace::Kind kind) {
        if (kind == client::Workspace::Kind::Tenants || kind == client::Workspace::Kind::Checkouts
            || kind == client::Workspace::Kind::Me)
            refresh();
    });
}

void TenantPanel::setTenant(const QString& tenantId)
{
    if (tenantId == m_tenantId)
        return;
    m_tenantId = tenantId;
    refresh();
}

void TenantPanel::setSessionUsable(bool usable)
{
    m_sessionUsable = usable;
    refresh();
}

const models::Checkout* TenantPanel::shownCheckout() const
{
    const auto& me = m_ctx.workspace.me();
    if (!me || m_tenantId.isEmpty())
        return nullptr;
    const TimeMs now = m_ctx.workspace.serverNow();
    for (const models::Checkout& c : m_ctx.workspace.checkouts()) { // newest first
        if (c.tenantId != m_tenantId || c.technicianId != me->person.id)
            continue;
        if (!c.isOver() || now - c.updatedAt < kRecentMs)
            return m_ctx.workspace.checkout(c.id);
        return nullptr; // the newest is old news
    }
    return nullptr;
}

bool TenantPanel::canRequest() const
{
    const models::Tenant* t = m_ctx.workspace.tenant(m_tenantId);
    if (!t || t->myGrants.isEmpty() || !m_sessionUsable)
        return false;
    const models::Checkout* c = shownCheckout();
    return !c || c->isOver();
}

void TenantPanel::refresh()
{
    const models::Tenant* t = m_tenantId.isEmpty() ? nullptr : m_ctx.workspace.tenant(m_tenantId);
    if (!t) {
        m_stack->setCurrentIndex(0);
        if (m_card) {
            retire(m_card);
            m_card = nullptr;
        }
        return;
    }
    m_stack->setCurrentIndex(1);
    m_name->setText(t->name);
    m_connection->showConnectionStatus(t->connection.status);
    m_grants->setText(t->myGrants.isEmpty()
                          ? tr("No access policy grants you roles here any more. Ask an administrator if you need "
                               "access.")
                          : grantsHtml(*t));

    const models::Checkout* c = shownCheckout();
    m_request->setEnabled(canRequest());
    if (!m_sessionUsable)
        m_requestHint->setText(tr("Sign in again to request access."));
    else if (c && !c->isOver())
        m_requestHint->setText(tr("You have an open checkout here: end it before asking again."));
    else if (t->myGrants.isEmpty())
        m_requestHint->clear();
    else if (t->connection.status != QLatin1String("connected") && t->connection.status != QLatin1String("unhealthy"))
        m_requestHint->setText(tr("This tenant is not connected to Microsoft Entra ID yet: a request waits until an "
                                  "administrator connects it."));
    else
        m_requestHint->clear();
    m_requestHint->setVisible(!m_requestHint->text().isEmpty());

    if (!c) {
        if (m_card) {
            retire(m_card);
            m_card = nullptr;
        }
        return;
    }
    if (m_card && m_card->checkoutId() != c->id) {
        retire(m_card);
        m_card = nullptr;
    }
    if (!m_card) {
        m_card = new CheckoutCard(m_ctx, m_actions, false, m_cardHolder);
        m_cardHolder->layout()->addWidget(m_card);
        connect(&m_ticker, &SecondTicker::tick, m_card, &CheckoutCard::tick);
    }
    m_card->setCheckout(*c);
    m_card->setActionsEnabled(m_sessionUsable);
}

} // namespace stint::ui
