// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/common/UiContext.h"

#include <QWidget>

// The technician's view: the tenants I may access (searchable as I type), requesting access, my live checkouts with
// their progress, countdown, credential and portal launchers, and my history. The main window embeds it and routes
// its keyboard shortcuts and notification actions to the slots below.
namespace stint::ui {

class TechnicianView : public QWidget
{
    Q_OBJECT
public:
    explicit TechnicianView(UiContext& context, QWidget* parent = nullptr);
    ~TechnicianView() override;

public slots:
    void focusTenantSearch(); // Ctrl+K
    void requestAccess(); // Ctrl+R: for the selected tenant
    void launchPortal(); // Ctrl+L: the selected checkout's tenant, default portal
    void showCheckout(const QString& checkoutId);
    void extendCheckout(const QString& checkoutId); // from the expiry notification
    void endCheckout(const QString& checkoutId); // from the expiry notification (asks to confirm)

private:
    struct Parts;
    std::unique_ptr<Parts> d;
};

} // namespace stint::ui
