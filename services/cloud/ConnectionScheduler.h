// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QSet>
#include <QTimer>

namespace stint::cloud {
struct CloudContext;
}

namespace stint::cloud::connections {

// Runs the periodic work of connected tenants: the health check (every healthCheckIntervalHours, and once for every
// tenant when the service starts) and reconciliation (every reconcileIntervalMinutes). Due times come from the
// service's clock and the stored last run, so a restart does not reset them and tests move a manual clock.
class ConnectionScheduler : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionScheduler(CloudContext& cloud, QObject* parent = nullptr);

    void start();
    // One pass now (the timer calls it).
    void tick();
    int inFlight() const { return int(m_checking.size() + m_reconciling.size()); }

private:
    CloudContext& m_cloud;
    QTimer m_timer;
    bool m_firstPass = true;
    QSet<QString> m_checking;
    QSet<QString> m_reconciling;
};

} // namespace stint::cloud::connections
