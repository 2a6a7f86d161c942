// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/CheckoutCard.h"

#include "client/Workspace.h"
#include "ui/common/BusySpinner.h"
#include "ui/common/Desktop.h"
#include "ui/common/StatusChip.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/technician/CheckoutActions.h"
#include "ui/common/CheckoutText.h"
#include "ui/technician/CredentialPanel.h"
#include "ui/technician/ExtendDialog.h"
#include "ui/technician/PortalMenu.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcCheckoutCard, "stint.ui.checkoutcard")

namespace stint::ui {

using models::CheckoutState;

namespace {
constexpr qint64 kWarnBeforeMs = 5 * 60'000;

bool inProgress(CheckoutState s)
{
    return s == CheckoutState::Requested || s == CheckoutState::Provisioning || s == CheckoutState::Revoking;
}

QString countdownSheet(const char* colour)
{
    return QStringLiteral("QLabel { font-family: \"DejaVu Sans Mono\", monospace; font-size: 17pt; font-weight: 600; "
                          "color: %1; }")
        .arg(QLatin1String(colour));
}
} // namespace

CheckoutCard::CheckoutCard(UiContext& context, CheckoutActions& actions, bool showTenant, QWidget* parent)
    : QFrame(parent)
    , m_ctx(context)
    , m_actions(actions)
    , m_showTenant(showTenant)
    , m_title(new QLabel(this))
    , m_chip(new StatusChip(this))
    , m_roles(new QLabel(this))
    , m_progressSpinner(new BusySpinner(this))
    , m_progress(new QLabel(this))
    , m_countdownCaption(new QLabel(tr("Time left"), this))
    , m_countdown(new QLabel(this))
    , m_until(new QLabel(this))
    , m_account(new QLabel(this))
    , m_copyAccount(new QPushButton(tr("Copy &user name"), this))
    , m_credential(new CredentialPanel(context, this))
    , m_launch(new QPushButton(tr("&Launch"), this))
    , m_portalMenu(new PortalMenu(this))
    , m_extend(new QPushButton(tr("E&xtend…"), this))
    , m_end(new QPushButton(tr("&End now"), this))
    , m_actionSpinner(new BusySpinner(this))
    , m_actionStatus(new QLabel(this))
    , m_readyArea(new QWidget(this))
{
    setObjectName(QStringLiteral("checkoutCard"));
    style::markCard(this);
    setFocusPolicy(Qt::NoFocus);

    m_title->setObjectName(QStringLiteral("cardTitle"));
    style::setRole(m_title, "subtitle");
    m_chip->setObjectName(QStringLiteral("stateChip"));
    m_roles->setObjectName(QStringLiteral("cardRoles"));
    m_roles->setWordWrap(true);
    style::setRole(m_roles, "muted");
    m_progress->setObjectName(QStringLiteral("progressText"));
    m_progress->setWordWrap(true);
    m_progress->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_countdownCaption->setObjectName(QStringLiteral("countdownCaption"));
    style::setRole(m_countdownCaption, "muted");
    m_countdown->setObjectName(QStringLiteral("countdown"));
    m_countdown->setStyleSheet(countdownSheet("#1f2933"));
    m_countdown->setAccessibleName(tr("Time left"));
    m_until->setObjectName(QStringLiteral("untilText"));
    style::setRole(m_until, "muted");
    m_account->setObjectName(QStringLiteral("accountUpn"));
    style::setRole(m_account, "mono");
    m_account->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);

    m_copyAccount->setObjectName(QStringLiteral("copyAccountButton"));
    m_copyAccount->setAccessibleDescription(tr("Copies the account's user name (not secret)"));
    m_launch->setObjectName(QStringLiteral("launchButton"));
    m_launch->setMenu(m_portalMenu);
    m_launch->setAccessibleDescription(
        tr("Opens a Microsoft admin portal for this tenant, signing in as this account"));
    style::setRole(m_launch, "primary");
    m_extend->setObjectName(QStringLiteral("extendButton"));
    m_extend->setAccessibleDescription(tr("Asks for more time, within what your access policy allows"));
    m_end->setObjectName(QStringLiteral("endButton"));
    style::setRole(m_end, "danger");
    m_actionStatus->setObjectName(QStringLiteral("actionStatus"));
    m_actionStatus->setWordWrap(true);
    m_actionStatus->hide();

    auto* header = new QHBoxLayout;
    header->setSpacing(style::kGap);
    header->addWidget(m_title, 1);
    header->addWidget(m_chip, 0, Qt::AlignTop);

    auto* progress = new QHBoxLayout;
    progress->setSpacing(style::kGap);
    progress->addWidget(m_progressSpinner, 0, Qt::AlignTop);
    progress->addWidget(m_progress, 1);

    auto* countdown = new QHBoxLayout;
    countdown->setSpacing(style::kGap);
    countdown->addWidget(m_countdownCaption, 0, Qt::AlignBaseline);
    countdown->addWidget(m_countdown, 0, Qt::AlignBaseline);
    countdown->addWidget(m_until, 1, Qt::AlignBaseline);

    auto* account = new QHBoxLayout;
    account->setSpacing(style::kGap);
    auto* accountLabel = new QLabel(tr("Account"), this);
    accountLabel->setMinimumWidth(fontMetrics().horizontalAdvance(tr("Temporary Access Pass")) + style::kGap);
    accountLabel->setBuddy(m_copyAccount);
    account->addWidget(accountLabel);
    account->addWidget(m_account, 1);
    account->addWidget(m_copyAccount);

    auto* ready = new QVBoxLayout(m_readyArea);
    ready->setContentsMargins(0, 0, 0, 0);
    ready->setSpacing(style::kGap);
    ready->addLayout(countdown);
    ready->addLayout(account);
    ready->addWidget(m_credential);

    auto* buttons = new QHBoxLayout;
    buttons->setSpacing(style::kGap);
    buttons->addWidget(m_launch);
    buttons->addWidget(m_extend);
    buttons->addWidget(m_end);
    buttons->addStretch(1);
    buttons->addWidget(m_actionSpinner);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    layout->addLayout(header);
    layout->addWidget(m_roles);
    layout->addLayout(progress);
    layout->addWidget(m_readyArea);
    layout->addLayout(buttons);
    layout->addWidget(m_actionStatus);

    setTabOrder(m_launch, m_extend);
    setTabOrder(m_extend, m_end);

    connect(m_portalMenu, &PortalMenu::portalChosen, this,
            [this](client::portals::Portal p) { m_actions.launch(m_checkout.id, p); });
    connect(m_extend, &QPushButton::clicked, this, &CheckoutCard::openExtendDialog);
    connect(m_end, &QPushButton::clicked, this, [this]() { m_actions.confirmEnd(m_checkout.id); });
    connect(m_copyAccount, &QPushButton::clicked, this, [this]() {
        if (m_checkout.accountUpn) {
            m_ctx.desktop.copyText(*m_checkout.accountUpn);
            m_actions.setStatus(m_checkout.id, {false, tr("User name copied."), "neutral", {}});
        }
    });
    // Offline or back: the countdown's caption says at once whether it runs on what was last known.
    connect(&m_ctx.workspace, &client::Workspace::linkChanged, this,
            [this]() { updateCountdown(m_ctx.workspace.serverNow()); });
    connect(&m_actions, &CheckoutActions::statusChanged, this, [this](const QString& id) {
        if (id == m_checkout.id)
            updateStatus();
    });
}

void CheckoutCard::refresh()
{
    if (const models::Checkout* c = m_ctx.workspace.checkout(m_checkout.id))
        setCheckout(*c);
}

void CheckoutCard::setCheckout(const models::Checkout& c)
{
    m_checkout = c;
    const models::Tenant* tenant = m_ctx.workspace.tenant(c.tenantId);
    const QString tenantName = tenant ? tenant->name : c.tenantId;
    const bool over = c.isOver();
    m_title->setText(m_showTenant ? tenantName : over ? tr("Your last request") : tr("Your access"));
    m_chip->showCheckoutState(c.state);
    QString roles = CheckoutText::roleNames(c, tenant);
    if (c.durationMinutes > 0)
        roles += QStringLiteral(" · ") + tr("%1 asked for").arg(TimeText::minutes(c.durationMinutes));
    m_roles->setText(roles);
    m_progress->setText(CheckoutText::progress(c, tenant, m_ctx.workspace.serverNow()));
    style::setRole(m_progress,
                   c.state == CheckoutState::Failed || c.state == CheckoutState::Denied
                           || c.state == CheckoutState::RevokeFailed
                       ? "danger"
                       : "");
    if (inProgress(c.state))
        m_progressSpinner->start();
    else
        m_progressSpinner->stop();

    const bool ready = c.state == CheckoutState::Ready;
    m_readyArea->setVisible(ready);
    m_account->setText(c.accountUpn.value_or(QString()));
    m_copyAccount->setEnabled(c.accountUpn.has_value());
    m_credential->setCheckout(c, tenant ? tenant->connection.credentialKind : QStringLiteral("password"));
    if (ready) {
        client::portals::Target target;
        if (tenant)
            target = client::portals::Target::forCheckout(*tenant, c);
        else
            target.loginHint = c.accountUpn.value_or(QString());
        m_portalMenu->setTarget(target);
    }
    const bool request = c.state == CheckoutState::Requested || c.state == CheckoutState::AwaitingApproval;
    m_launch->setVisible(ready);
    m_extend->setVisible(ready);
    m_end->setVisible(ready || request);
    m_end->setText(request ? tr("&Withdraw request") : tr("&End now"));
    m_end->setAccessibleDescription(request ? tr("Withdraws this request; asks to confirm")
                                            : tr("Ends this access now and disables the account; asks to confirm"));
    setAccessibleName(tr("%1: %2").arg(tenantName, StatusChip::checkoutStateText(c.state)));
    updateCountdown(m_ctx.workspace.serverNow());
    updateStatus();
}

void CheckoutCard::setActionsEnabled(bool enabled)
{
    m_actionsEnabled = enabled;
    updateStatus();
}

void CheckoutCard::updateStatus()
{
    const CheckoutActions::Status s = m_actions.status(m_checkout.id);
    const bool usable = m_actionsEnabled && !s.busy;
    for (QWidget* w : {static_cast<QWidget*>(m_launch), static_cast<QWidget*>(m_extend), static_cast<QWidget*>(m_end),
                       static_cast<QWidget*>(m_credential)})
        w->setEnabled(usable);
    if (s.busy)
        m_actionSpinner->start();
    else
        m_actionSpinner->stop();
    m_actionStatus->setText(s.text);
    m_actionStatus->setToolTip(s.technical);
    m_actionStatus->setVisible(!s.text.isEmpty());
    style::setRole(m_actionStatus, qstrcmp(s.tone, "bad") == 0 ? "danger" : "muted");
}

void CheckoutCard::updateCountdown(TimeMs now)
{
    if (m_checkout.state != CheckoutState::Ready || !m_checkout.expiresAt)
        return;
    const qint64 remaining = *m_checkout.expiresAt - now;
    const QString text = TimeText::countdown(remaining);
    if (m_countdown->text() != text)
        m_countdown->setText(text);
    const bool stale = m_ctx.workspace.link() != client::Workspace::Link::Live || m_ctx.workspace.showingCachedState();
    m_countdownCaption->setText(stale ? tr("Time left (last known)") : tr("Time left"));
    const char* colour = remaining <= 0 ? "#a4221a" : remaining <= kWarnBeforeMs ? "#8a5300" : "#1f2933";
    const QString sheet = countdownSheet(colour);
    if (m_countdown->styleSheet() != sheet)
        m_countdown->setStyleSheet(sheet);
    m_until->setText(remaining <= 0 ? tr("Time is up: Stint is ending this access.")
                                    : tr("until %1").arg(TimeText::when(*m_checkout.expiresAt, now)));
}

void CheckoutCard::tick(TimeMs now)
{
    updateCountdown(now);
    if (m_checkout.state == CheckoutState::AwaitingApproval && now / 1000 % 30 == 0)
        m_progress->setText(CheckoutText::progress(m_checkout, m_ctx.workspace.tenant(m_checkout.tenantId), now));
}

void CheckoutCard::openExtendDialog()
{
    if (m_checkout.state != CheckoutState::Ready)
        return;
    auto* dialog = new ExtendDialog(m_ctx, m_actions, m_checkout, window());
    dialog->open();
}

void CheckoutCard::highlight()
{
    QWidget* target = m_launch->isVisible() ? static_cast<QWidget*>(m_launch)
        : m_end->isVisible()                ? static_cast<QWidget*>(m_end)
                                            : nullptr;
    if (target)
        target->setFocus(Qt::OtherFocusReason);
}

} // namespace stint::ui
