// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/PoliciesModel.h"

#include "client/Workspace.h"
#include "ui/common/TimeText.h"

namespace stint::ui {

using client::Workspace;

PoliciesModel::PoliciesModel(Workspace& workspace, QObject* parent)
    : RowTableModel(parent)
    , m_workspace(workspace)
{
    connect(&workspace, &Workspace::changed, this, [this](Workspace::Kind kind) {
        if (kind == Workspace::Kind::Policies || kind == Workspace::Kind::Tenants || kind == Workspace::Kind::People
            || kind == Workspace::Kind::Groups)
            reload();
    });
    reload();
}

void PoliciesModel::reload()
{
    m_groupNames.clear();
    for (const models::Group& g : m_workspace.groups())
        m_groupNames.insert(g.id, g.name);
    // The texts are built once per change, not on every paint.
    const QList<models::Policy> policies = m_workspace.policies();
    m_texts.clear();
    for (const models::Policy& p : policies)
        m_texts.insert(p.id, Texts {buildSubjects(p), buildTenants(p), buildRoles(p)});
    setRows(policies);
}

QString PoliciesModel::subjectsText(const models::Policy& p) const
{
    const auto it = m_texts.constFind(p.id);
    return it == m_texts.constEnd() ? buildSubjects(p) : it->subjects;
}

QString PoliciesModel::tenantsText(const models::Policy& p) const
{
    const auto it = m_texts.constFind(p.id);
    return it == m_texts.constEnd() ? buildTenants(p) : it->tenants;
}

QString PoliciesModel::rolesText(const models::Policy& p) const
{
    const auto it = m_texts.constFind(p.id);
    return it == m_texts.constEnd() ? buildRoles(p) : it->roles;
}

QString PoliciesModel::buildSubjects(const models::Policy& p) const
{
    QStringList names;
    for (const models::PolicySubject& s : p.subjects) {
        if (s.type == QLatin1String("group")) {
            names << tr("%1 (group)").arg(m_groupNames.value(s.id, s.id));
        } else {
            names << m_workspace.personName(s.id);
        }
    }
    return names.join(QStringLiteral(", "));
}

QString PoliciesModel::buildTenants(const models::Policy& p) const
{
    QStringList names;
    for (const QString& id : p.tenantIds) {
        const models::Tenant* t = m_workspace.tenant(id);
        names << (t ? t->name : id);
    }
    names.sort(Qt::CaseInsensitive);
    return names.join(QStringLiteral(", "));
}

QString PoliciesModel::buildRoles(const models::Policy& p) const
{
    QStringList names;
    for (const QString& role : p.roleDefinitionIds) {
        QString name = role;
        for (const QString& tenantId : p.tenantIds) {
            if (const models::Tenant* t = m_workspace.tenant(tenantId); t && t->connection.offers(role)) {
                name = t->roleName(role);
                break;
            }
        }
        names << name;
    }
    names.sort(Qt::CaseInsensitive);
    return names.join(QStringLiteral(", "));
}

QString PoliciesModel::conditionsText(const models::Policy& p)
{
    QStringList parts;
    if (p.requireApproval)
        parts << tr("Approval");
    if (p.requireTicket)
        parts << tr("Ticket");
    if (p.requireJustification)
        parts << tr("Justification");
    return parts.isEmpty() ? tr("None") : parts.join(QStringLiteral(" · "));
}

QString PoliciesModel::headerText(int column) const
{
    switch (column) {
    case Name:
        return tr("Policy");
    case Who:
        return tr("Who");
    case Tenants:
        return tr("Tenants");
    case Roles:
        return tr("Roles");
    case MaxDuration:
        return tr("Longest");
    case Conditions:
        return tr("Asks for");
    }
    return {};
}

QVariant PoliciesModel::cell(const models::Policy& p, int column, int role) const
{
    if (role == Qt::ToolTipRole) {
        if (column == Who)
            return subjectsText(p);
        if (column == Tenants)
            return tenantsText(p);
        if (column == Roles)
            return rolesText(p);
        if (column == Name)
            return p.description;
    }
    if (role == SortRole && column == MaxDuration)
        return p.maxDurationMinutes;
    if (role != Qt::DisplayRole && role != SortRole)
        return {};
    switch (column) {
    case Name:
        return role == SortRole ? QVariant(p.name.toLower()) : QVariant(p.name);
    case Who:
        return subjectsText(p);
    case Tenants:
        return tenantsText(p);
    case Roles:
        return rolesText(p);
    case MaxDuration:
        return TimeText::minutes(p.maxDurationMinutes);
    case Conditions:
        return conditionsText(p);
    }
    return {};
}

QString PoliciesModel::searchTextOf(const models::Policy& p) const
{
    return p.name + QLatin1Char('\n') + p.description + QLatin1Char('\n') + subjectsText(p) + QLatin1Char('\n')
        + tenantsText(p) + QLatin1Char('\n') + rolesText(p);
}

} // namespace stint::ui
