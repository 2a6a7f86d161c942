// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/AuditModel.h"

#include "client/Workspace.h"
#include "ui/common/TimeText.h"
#include "ui/models/ApprovalsModel.h"

namespace stint::ui {

AuditModel::AuditModel(client::Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
}

void AuditModel::appendEvents(const QList<models::AuditEvent>& events)
{
    QList<models::AuditEvent> fresh;
    fresh.reserve(events.size());
    QSet<QString> added;
    for (const models::AuditEvent& e : events) {
        if (rowOfId(e.id) < 0 && !added.contains(e.id)) {
            added.insert(e.id);
            fresh.append(e);
        }
    }
    appendRows(fresh);
}

QString AuditModel::outcomeText(const QString& outcome)
{
    if (outcome == QLatin1String("success"))
        return tr("Done");
    if (outcome == QLatin1String("failure"))
        return tr("Failed");
    if (outcome == QLatin1String("denied"))
        return tr("Refused");
    return outcome;
}

QString AuditModel::headerText(int column) const
{
    switch (column) {
    case Time:
        return tr("When");
    case Person:
        return tr("Who");
    case Action:
        return tr("Action");
    case Outcome:
        return tr("Outcome");
    case Tenant:
        return tr("Tenant");
    case Target:
        return tr("Target");
    }
    return {};
}

QString AuditModel::personOf(const models::AuditEvent& e) const
{
    // The person's name as the organization knows it now; the label the log recorded otherwise (someone removed since,
    // or the service itself).
    if (!e.actorId.isEmpty() && m_workspace.person(e.actorId))
        return m_workspace.personName(e.actorId);
    if (!e.actorLabel.isEmpty())
        return e.actorLabel;
    return e.actorId.isEmpty() ? tr("Stint") : e.actorId;
}

QVariant AuditModel::cell(const models::AuditEvent& e, int column, int role) const
{
    if (column == Outcome && (role == ToneRole || role == Qt::DecorationRole)) {
        const QString tone = e.outcome == QLatin1String("success") ? QStringLiteral("good")
            : e.outcome == QLatin1String("denied")                 ? QStringLiteral("warn")
                                                                   : QStringLiteral("bad");
        return role == ToneRole ? QVariant(tone) : QVariant(RowTone::dot(tone));
    }
    if (role == Qt::ToolTipRole && column == Time)
        return toRfc3339(e.occurredAt);
    if (role == Qt::ToolTipRole && column == Person)
        return e.actorLabel;
    if (role == SortRole && column == Time)
        return e.seq;
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Time:
        return TimeText::when(e.occurredAt, m_workspace.serverNow());
    case Person:
        return personOf(e);
    case Action:
        return e.action;
    case Outcome:
        return outcomeText(e.outcome);
    case Tenant:
        return e.tenantId.isEmpty() ? QString() : ApprovalsModel::tenantName(m_workspace, e.tenantId);
    case Target:
        return e.targetId;
    }
    return {};
}

QString AuditModel::searchTextOf(const models::AuditEvent& e) const
{
    return personOf(e) + QLatin1Char('\n') + e.action + QLatin1Char('\n') + e.targetId + QLatin1Char('\n')
        + ApprovalsModel::tenantName(m_workspace, e.tenantId) + QLatin1Char('\n') + e.sourceAddress;
}

} // namespace stint::ui
