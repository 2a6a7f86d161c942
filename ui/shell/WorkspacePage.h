// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "ui/common/UiContext.h"

#include <QPointer>
#include <QWidget>

class QTabWidget;

// The signed-in person's screen: a notice line for the shell (e.g. the keychain could not keep the session), and the
// views — the technician's ("Access") for everyone, and "Administration" next to it for admins (its tab carries a badge
// with the approvals and alerts waiting). Each view says "offline" in its own banner; the window's status bar says it
// for all. It follows the person's role as it changes, and
// routes the window's shortcuts and the notifications' buttons to the view that handles them.
namespace stint::ui {

class AdminView;
class Banner;
class TechnicianView;

class WorkspacePage : public QWidget
{
    Q_OBJECT
public:
    enum class Tab
    {
        MyAccess,
        Administration,
    };

    WorkspacePage(UiContext& context, QWidget* parent = nullptr);
    ~WorkspacePage() override;

    Tab currentTab() const;
    void setCurrentTab(Tab tab);
    bool hasAdministration() const;
    // Approvals waiting for someone else's decision plus unacknowledged alerts (admins; 0 otherwise).
    int attention() const { return m_attention; }

    TechnicianView& technicianView() { return *m_technician; }
    // The admin view once built (it is built when first shown, or just after the first paint); null for technicians.
    AdminView* adminView();
    AdminView* ensureAdminView();
    Banner& notice() { return *m_notice; }

public slots:
    void focusTenantSearch();
    void requestAccess();
    void launchPortal();
    void showCheckout(const QString& checkoutId);
    void extendCheckout(const QString& checkoutId);
    void endCheckout(const QString& checkoutId);
    void showApproval(const QString& checkoutId);
    void showAlerts();

signals:
    void currentTabChanged();
    void attentionChanged(int attention);

private:
    void followRole();
    void updateAttention();

    UiContext& m_context;
    Banner* m_notice;
    QTabWidget* m_tabs;
    TechnicianView* m_technician;
    QPointer<QWidget> m_adminTab; // the admin view's tab page
    QPointer<AdminView> m_admin;
    int m_attention = 0;
};

} // namespace stint::ui
