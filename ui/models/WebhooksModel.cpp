// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/WebhooksModel.h"

#include "client/Workspace.h"

namespace stint::ui {

using client::Workspace;

WebhooksModel::WebhooksModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Webhooks)
            reload();
    });
    reload();
}

void WebhooksModel::reload()
{
    setRows(m_workspace.webhooks());
}

QString WebhooksModel::eventTypeText(const QString& type)
{
    if (type == QLatin1String("checkout.updated"))
        return tr("Checkouts");
    if (type == QLatin1String("alert.raised"))
        return tr("Alerts");
    if (type == QLatin1String("tenant.connection"))
        return tr("Connections");
    return type;
}

QString WebhooksModel::eventTypesText(const QStringList& types)
{
    if (types.isEmpty())
        return tr("All events");
    QStringList names;
    for (const QString& t : types)
        names << eventTypeText(t);
    return names.join(QStringLiteral(", "));
}

QString WebhooksModel::headerText(int column) const
{
    switch (column) {
    case Url:
        return tr("Address");
    case Events:
        return tr("Events");
    case Enabled:
        return tr("Status");
    case Description:
        return tr("Description");
    }
    return {};
}

QVariant WebhooksModel::cell(const models::Webhook& w, int column, int role) const
{
    if (column == Enabled && (role == ToneRole || role == Qt::DecorationRole)) {
        const QString tone = w.enabled ? QStringLiteral("good") : QStringLiteral("neutral");
        return role == ToneRole ? QVariant(tone) : QVariant(RowTone::dot(tone));
    }
    if (role == Qt::ForegroundRole && !w.enabled)
        return RowTone::color(QStringLiteral("neutral"));
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Url:
        return w.url;
    case Events:
        return eventTypesText(w.eventTypes);
    case Enabled:
        return w.enabled ? tr("On") : tr("Paused");
    case Description:
        return w.description;
    }
    return {};
}

QString WebhooksModel::searchTextOf(const models::Webhook& w) const
{
    return w.url + QLatin1Char('\n') + w.description + QLatin1Char('\n') + eventTypesText(w.eventTypes);
}

} // namespace stint::ui
