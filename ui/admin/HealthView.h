// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Clock.h"
#include "models/Connection.h"

#include <QWidget>

class QLabel;
class QVBoxLayout;

// A tenant's connection health at a glance: the overall verdict and when it was checked, the last error of a
// connection attempt, the customer's own app credential (and when it expires), reconciliation, and each finding of
// the health check with its severity, what it says, and what to do about it — in words an MSP admin can act on.
namespace stint::ui {

class StatusChip;

class HealthView : public QWidget
{
    Q_OBJECT
public:
    explicit HealthView(QWidget* parent = nullptr);

    void showState(const models::ConnectionState& state, TimeMs now);
    void showLoading();
    void showNothing(const QString& text);

    // What an admin does about a finding, by its code ("" for a finding that needs nothing).
    static QString advice(const QString& code);
    static QString severityText(const QString& severity);
    static const char* severityTone(const QString& severity);

private:
    void clearFindings();

    StatusChip* m_verdict;
    QLabel* m_summary;
    QLabel* m_lastError;
    QLabel* m_credential;
    QLabel* m_reconcile;
    QWidget* m_findings;
    QVBoxLayout* m_findingsLayout;
};

} // namespace stint::ui
