// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "ui/common/Banner.h"

namespace stint::client {
class Workspace;
}

// The banner across the top of the workspace while the Stint service cannot be reached: says so plainly, says that
// what is shown is the last known state and that countdowns keep running, counts down to the next automatic retry
// ("Retrying in 8 s") and offers "Retry now". Hidden while the link is live. Calm: the app stays fully usable for
// reading while offline.
namespace stint::ui {

class SecondTicker;

class OfflineBanner : public Banner
{
    Q_OBJECT
public:
    OfflineBanner(client::Workspace& workspace, const Clock& clock, QWidget* parent = nullptr);

private:
    void refresh();

    client::Workspace& m_workspace;
    const Clock& m_clock;
    SecondTicker* m_ticker;
    bool m_wasOffline = false;
};

} // namespace stint::ui
