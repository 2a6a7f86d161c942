// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/models/RowSearchProxy.h"

#include <QAbstractListModel>
#include <QSet>

// A checkable list for the admin's editors: the roles a tenant offers (privileged ones marked), the tenants and the
// people and groups a policy covers, a group's members, a webhook's event types. Checks survive new choices: setting
// the choices again keeps what is checked among the ids still offered, so a live update never unticks a box.
namespace stint::ui {

class ChoiceListModel : public QAbstractListModel, public SearchableRows
{
    Q_OBJECT
public:
    struct Choice
    {
        QString id;
        QString label;
        QString detail; // a second line of help (tooltip)
        bool flagged = false; // e.g. a privileged role
    };

    explicit ChoiceListModel(QObject* parent = nullptr);

    void setChoices(const QList<Choice>& choices);
    // Which ids are checked; ids not offered are remembered but not shown (they come back if offered again).
    void setChecked(const QStringList& ids);
    QStringList checkedIds() const; // in the order of the choices, then the remembered ones
    QStringList checkedOfferedIds() const;
    bool isChecked(const QString& id) const { return m_checked.contains(id); }
    // The text added to a flagged choice's label ("privileged").
    void setFlagText(const QString& text) { m_flagText = text; }
    const QList<Choice>& choices() const { return m_choices; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    const QString& searchKey(int row) const override { return m_keys.at(row); }

signals:
    void checkedChanged();

private:
    QList<Choice> m_choices;
    QStringList m_keys;
    QSet<QString> m_checked;
    QStringList m_checkedOrder;
    QString m_flagText;
};

} // namespace stint::ui
