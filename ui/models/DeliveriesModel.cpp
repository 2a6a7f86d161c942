// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/DeliveriesModel.h"

#include "client/Workspace.h"
#include "ui/common/TimeText.h"
#include "ui/models/WebhooksModel.h"

#include <algorithm>

namespace stint::ui {

DeliveriesModel::DeliveriesModel(client::Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
}

void DeliveriesModel::setDeliveries(QList<models::WebhookDelivery> deliveries)
{
    std::stable_sort(
        deliveries.begin(), deliveries.end(),
        [](const models::WebhookDelivery& a, const models::WebhookDelivery& b) { return a.createdAt > b.createdAt; });
    setRows(std::move(deliveries));
}

QString DeliveriesModel::statusText(const QString& status)
{
    if (status == QLatin1String("delivered"))
        return tr("Delivered");
    if (status == QLatin1String("pending"))
        return tr("Trying");
    if (status == QLatin1String("dead"))
        return tr("Gave up");
    return status;
}

QString DeliveriesModel::headerText(int column) const
{
    switch (column) {
    case Event:
        return tr("Event");
    case Status:
        return tr("Status");
    case Attempts:
        return tr("Attempts");
    case LastAnswer:
        return tr("Last answer");
    case LastAttempt:
        return tr("Last attempt");
    }
    return {};
}

QVariant DeliveriesModel::cell(const models::WebhookDelivery& d, int column, int role) const
{
    if (column == Status && (role == ToneRole || role == Qt::DecorationRole)) {
        const QString tone = d.status == QLatin1String("delivered") ? QStringLiteral("good")
            : d.status == QLatin1String("dead")                     ? QStringLiteral("bad")
                                                                    : QStringLiteral("busy");
        return role == ToneRole ? QVariant(tone) : QVariant(RowTone::dot(tone));
    }
    if (role == Qt::ToolTipRole && column == LastAnswer && !d.lastError.isEmpty())
        return d.lastError;
    if (role == Qt::ToolTipRole && column == Status && d.nextAttemptAt)
        return tr("Next attempt %1").arg(TimeText::relative(*d.nextAttemptAt, m_workspace.serverNow()));
    if (role == SortRole && column == LastAttempt)
        return d.lastAttemptAt.value_or(0);
    if (role == Qt::TextAlignmentRole && column == Attempts)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Event:
        return WebhooksModel::eventTypeText(d.eventType);
    case Status:
        return statusText(d.status);
    case Attempts:
        return d.attempts;
    case LastAnswer:
        if (d.lastStatus > 0)
            return d.lastError.isEmpty() ? tr("HTTP %1").arg(d.lastStatus)
                                         : tr("HTTP %1 · %2").arg(d.lastStatus).arg(d.lastError);
        return d.lastError;
    case LastAttempt:
        return d.lastAttemptAt ? TimeText::when(*d.lastAttemptAt, m_workspace.serverNow()) : QString();
    }
    return {};
}

QString DeliveriesModel::searchTextOf(const models::WebhookDelivery& d) const
{
    return d.eventType + QLatin1Char('\n') + statusText(d.status) + QLatin1Char('\n') + d.lastError;
}

} // namespace stint::ui
