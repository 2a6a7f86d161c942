// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Portals.h"

#include <QMenu>

// The Launch menu of a ready checkout: the Microsoft admin portals (Entra first, the default of Ctrl+L), each opened
// for the checkout's tenant with its account as login_hint. Each entry's tooltip shows where it goes, so a technician
// can see the national-cloud host before clicking.
namespace stint::ui {

class PortalMenu : public QMenu
{
    Q_OBJECT
public:
    explicit PortalMenu(QWidget* parent = nullptr);

    // The links for the current target (hosts per national cloud; tooltips).
    void setTarget(const client::portals::Target& target);

signals:
    void portalChosen(stint::client::portals::Portal portal);
};

} // namespace stint::ui
