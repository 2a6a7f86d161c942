// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/UiContext.h"

#include <QWidget>
#include <memory>

// The admin's view: customer tenants and their connections, people and invites, groups, access policies, approvals,
// live checkouts, alerts, the audit log and webhooks — one page each, chosen from a side list. The main window embeds
// it (next to the technician view: admins may ask for access too) and routes notifications to the slots below.
namespace stint::ui {

class AdminView : public QWidget
{
    Q_OBJECT
public:
    enum class Page
    {
        Tenants,
        People,
        Groups,
        Policies,
        Approvals,
        LiveCheckouts,
        Alerts,
        Audit,
        Webhooks,
    };
    Q_ENUM(Page)

    explicit AdminView(UiContext& context, QWidget* parent = nullptr);
    ~AdminView() override;

public slots:
    void showPage(stint::ui::AdminView::Page page);
    void showApproval(const QString& checkoutId);
    void showTenant(const QString& tenantId);

signals:
    // The number of unacknowledged alerts and waiting approvals changed (for badges in the main window and tray).
    void attentionChanged(int alerts, int approvals);

private:
    void tick();
    void updateLink();

    struct Parts;
    std::unique_ptr<Parts> d;
};

} // namespace stint::ui
