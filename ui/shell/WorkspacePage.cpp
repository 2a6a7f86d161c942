// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/WorkspacePage.h"

#include "client/Workspace.h"
#include "ui/admin/AdminView.h"
#include "ui/common/Banner.h"
#include "ui/common/Style.h"
#include "ui/technician/TechnicianView.h"

#include <QTabBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace stint::ui {

using client::Workspace;

WorkspacePage::WorkspacePage(UiContext& context, QWidget* parent)
    : QWidget(parent)
    , m_context(context)
    , m_notice(new Banner(this))
    , m_tabs(new QTabWidget(this))
    , m_technician(new TechnicianView(context, m_tabs))
{
    setObjectName(QStringLiteral("workspacePage"));
    m_notice->setObjectName(QStringLiteral("workspaceNotice"));
    m_tabs->setObjectName(QStringLiteral("workspaceTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabBarAutoHide(true); // technicians see no tab bar: they have one view
    m_tabs->setAccessibleName(tr("Views"));
    m_technician->setObjectName(QStringLiteral("technicianView"));
    m_tabs->addTab(m_technician, tr("Acc&ess"));
    m_tabs->setTabToolTip(0, tr("Tenants you may access, your live access and your history (Ctrl+1)"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* banners = new QVBoxLayout;
    banners->setContentsMargins(style::kMargin, 0, style::kMargin, 0);
    banners->setSpacing(style::kGap / 2);
    banners->addWidget(m_notice);
    layout->addLayout(banners);
    layout->addWidget(m_tabs, 1);

    connect(m_tabs, &QTabWidget::currentChanged, this, [this]() {
        if (m_adminTab && m_tabs->currentWidget() == m_adminTab)
            ensureAdminView();
        emit currentTabChanged();
    });
    connect(&context.workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Me)
            followRole();
        if (kind == Workspace::Kind::Me || kind == Workspace::Kind::Checkouts || kind == Workspace::Kind::Alerts)
            updateAttention();
    });
    followRole();
    updateAttention();
}

WorkspacePage::~WorkspacePage() = default;

bool WorkspacePage::hasAdministration() const
{
    return m_adminTab != nullptr;
}

AdminView* WorkspacePage::adminView()
{
    return m_admin;
}

AdminView* WorkspacePage::ensureAdminView()
{
    if (!m_admin && m_adminTab) {
        m_admin = new AdminView(m_context, m_adminTab);
        m_admin->setObjectName(QStringLiteral("adminView"));
        m_adminTab->layout()->addWidget(m_admin);
    }
    return m_admin;
}

void WorkspacePage::followRole()
{
    const bool admin = m_context.workspace.isAdmin();
    if (admin && !m_adminTab) {
        // The admin view is built when first shown, or right after the first paint: it is not needed for that paint
        // unless it is the tab on top, and building it costs as much as the rest of the window.
        m_adminTab = new QWidget(m_tabs);
        m_adminTab->setObjectName(QStringLiteral("administrationTab"));
        auto* layout = new QVBoxLayout(m_adminTab);
        layout->setContentsMargins(0, 0, 0, 0);
        m_tabs->addTab(m_adminTab, tr("A&dministration"));
        updateAttention();
        QTimer::singleShot(0, this, [this]() { ensureAdminView(); });
    } else if (!admin && m_adminTab && m_context.workspace.me()) {
        // Demoted while signed in: the admin screens go at once.
        m_tabs->removeTab(m_tabs->indexOf(m_adminTab));
        delete m_adminTab;
    }
}

void WorkspacePage::updateAttention()
{
    int attention = 0;
    const Workspace& ws = m_context.workspace;
    if (ws.isAdmin()) {
        for (const models::Checkout& c : ws.approvalsWaiting())
            attention += c.technicianId != ws.me()->person.id ? 1 : 0;
        attention += ws.unacknowledgedAlerts();
    }
    if (m_adminTab) {
        const int index = m_tabs->indexOf(m_adminTab);
        m_tabs->setTabText(index, attention > 0 ? tr("A&dministration (%1)").arg(attention) : tr("A&dministration"));
        m_tabs->setTabToolTip(index,
                              attention > 0
                                  ? tr("%n item(s) wait for you: approvals and alerts (Ctrl+2)", nullptr, attention)
                                  : tr("Tenants, people, policies, approvals, alerts and the audit log (Ctrl+2)"));
    }
    if (attention != m_attention) {
        m_attention = attention;
        emit attentionChanged(attention);
    }
}

WorkspacePage::Tab WorkspacePage::currentTab() const
{
    return m_adminTab && m_tabs->currentWidget() == m_adminTab ? Tab::Administration : Tab::MyAccess;
}

void WorkspacePage::setCurrentTab(Tab tab)
{
    if (tab == Tab::Administration && m_adminTab)
        m_tabs->setCurrentWidget(m_adminTab);
    else
        m_tabs->setCurrentWidget(m_technician);
}

void WorkspacePage::focusTenantSearch()
{
    setCurrentTab(Tab::MyAccess);
    m_technician->focusTenantSearch();
}

void WorkspacePage::requestAccess()
{
    setCurrentTab(Tab::MyAccess);
    m_technician->requestAccess();
}

void WorkspacePage::launchPortal()
{
    setCurrentTab(Tab::MyAccess);
    m_technician->launchPortal();
}

void WorkspacePage::showCheckout(const QString& checkoutId)
{
    const models::Checkout* c = m_context.workspace.checkout(checkoutId);
    const auto me = m_context.workspace.me();
    // An admin's view of someone else's checkout lives in Administration; mine are under My access.
    if (c && me && c->technicianId != me->person.id && m_adminTab) {
        setCurrentTab(Tab::Administration);
        ensureAdminView()->showPage(AdminView::Page::LiveCheckouts);
        return;
    }
    setCurrentTab(Tab::MyAccess);
    m_technician->showCheckout(checkoutId);
}

void WorkspacePage::extendCheckout(const QString& checkoutId)
{
    setCurrentTab(Tab::MyAccess);
    m_technician->extendCheckout(checkoutId);
}

void WorkspacePage::endCheckout(const QString& checkoutId)
{
    setCurrentTab(Tab::MyAccess);
    m_technician->endCheckout(checkoutId);
}

void WorkspacePage::showApproval(const QString& checkoutId)
{
    if (!m_adminTab)
        return;
    setCurrentTab(Tab::Administration);
    ensureAdminView()->showApproval(checkoutId);
}

void WorkspacePage::showAlerts()
{
    if (!m_adminTab)
        return;
    setCurrentTab(Tab::Administration);
    ensureAdminView()->showPage(AdminView::Page::Alerts);
}

} // namespace stint::ui
