// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/ChoiceListModel.h"

#include "ui/models/RowTableModel.h"

namespace stint::ui {

ChoiceListModel::ChoiceListModel(QObject* parent)
    : QAbstractListModel(parent)
{
}

void ChoiceListModel::setChoices(const QList<Choice>& choices)
{
    beginResetModel();
    m_choices = choices;
    m_keys.clear();
    m_keys.reserve(choices.size());
    for (const Choice& c : choices)
        m_keys.append(
            (c.label + QLatin1Char('\n') + c.detail + QLatin1Char('\n') + (c.flagged ? m_flagText : QString()))
                .toLower());
    endResetModel();
}

void ChoiceListModel::setChecked(const QStringList& ids)
{
    const QSet<QString> next(ids.begin(), ids.end());
    if (next == m_checked)
        return;
    m_checked = next;
    m_checkedOrder = ids;
    if (!m_choices.isEmpty())
        emit dataChanged(index(0), index(int(m_choices.size()) - 1), {Qt::CheckStateRole});
    emit checkedChanged();
}

QStringList ChoiceListModel::checkedOfferedIds() const
{
    QStringList out;
    for (const Choice& c : m_choices) {
        if (m_checked.contains(c.id))
            out << c.id;
    }
    return out;
}

QStringList ChoiceListModel::checkedIds() const
{
    QStringList out = checkedOfferedIds();
    for (const QString& id : m_checkedOrder) {
        if (m_checked.contains(id) && !out.contains(id))
            out << id;
    }
    return out;
}

int ChoiceListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_choices.size());
}

QVariant ChoiceListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Choice& c = m_choices.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return c.flagged && !m_flagText.isEmpty() ? QStringLiteral("%1 (%2)").arg(c.label, m_flagText) : c.label;
    case Qt::ToolTipRole:
        return c.detail;
    case Qt::CheckStateRole:
        return m_checked.contains(c.id) ? Qt::Checked : Qt::Unchecked;
    case Qt::ForegroundRole:
        return c.flagged ? QVariant(RowTone::color(QStringLiteral("warn"))) : QVariant();
    case IdRole:
        return c.id;
    case SortRole:
        return c.label.toLower();
    case ToneRole:
        return c.flagged ? QStringLiteral("warn") : QString();
    }
    return {};
}

bool ChoiceListModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::CheckStateRole
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    const QString& id = m_choices.at(index.row()).id;
    const bool check = value.value<Qt::CheckState>() == Qt::Checked || value.toInt() == Qt::Checked;
    if (check == m_checked.contains(id))
        return true;
    if (check) {
        m_checked.insert(id);
        m_checkedOrder.append(id);
    } else {
        m_checked.remove(id);
        m_checkedOrder.removeAll(id);
    }
    emit dataChanged(index, index, {Qt::CheckStateRole});
    emit checkedChanged();
    return true;
}

Qt::ItemFlags ChoiceListModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable | Qt::ItemNeverHasChildren;
}

} // namespace stint::ui
