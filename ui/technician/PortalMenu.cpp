// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/PortalMenu.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcPortalMenu, "stint.ui.portalmenu")

namespace stint::ui {

namespace portals = client::portals;

PortalMenu::PortalMenu(QWidget* parent)
    : QMenu(parent)
{
    setObjectName(QStringLiteral("portalMenu"));
    setAccessibleName(tr("Admin portals"));
    setToolTipsVisible(true);
    for (portals::Portal p : portals::all()) {
        QAction* a = addAction(portals::displayName(p));
        a->setObjectName(QStringLiteral("portal_") + portals::id(p));
        a->setData(int(p));
        if (p == portals::kDefault) {
            QFont bold = a->font();
            bold.setBold(true);
            a->setFont(bold);
            a->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
            a->setShortcutVisibleInContextMenu(true);
            // The main window owns Ctrl+L; here the key is only shown.
            a->setShortcutContext(Qt::WidgetShortcut);
        }
        connect(a, &QAction::triggered, this, [this, p]() { emit portalChosen(p); });
    }
}

void PortalMenu::setTarget(const portals::Target& target)
{
    for (QAction* a : actions()) {
        const auto p = portals::Portal(a->data().toInt());
        const portals::Link link = portals::link(p, target);
        a->setToolTip(link.url.host());
        a->setStatusTip(link.url.host());
    }
}

} // namespace stint::ui
