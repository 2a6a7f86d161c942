// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Result.h"

#include <QCoreApplication>
#include <QList>
#include <QString>
#include <QStringList>

class QLabel;
class QWidget;

// Puts the service's 422 "validation" problems under the form fields they are about — a red line below "Name", not a
// pop-up — and whatever does not belong to a field (or any other error) in the form's status line. A field answers
// to its JSON path and to anything below it ("tenantIds" also takes "tenantIds[2]"), and may have aliases (a nested
// "connection.accountDomain" and a bare "accountDomain").
namespace stint::ui {

class ActionStatus;

class FormErrors
{
    Q_DECLARE_TR_FUNCTIONS(stint::ui::FormErrors)
public:
    explicit FormErrors(ActionStatus* general);

    // A hidden message line for `field` (place it under the field); `paths` are the JSON paths it answers to.
    QLabel* addField(QWidget* field, const QStringList& paths);
    void clear();
    // Shows `error`; returns true when at least one problem was put under a field.
    bool show(const Error& error);
    // Shows a problem found before asking the service.
    void showField(const QString& path, const QString& problem);
    void clearField(const QString& path);
    QString fieldMessage(const QString& path) const;

private:
    struct Field
    {
        QWidget* widget;
        QLabel* message;
        QStringList paths;
        bool active = false;
    };
    Field* fieldFor(const QString& path);

    ActionStatus* m_general;
    QList<Field> m_fields;
};

} // namespace stint::ui
