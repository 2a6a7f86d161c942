// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/FormErrors.h"

#include "client/ApiError.h"
#include "ui/admin/ActionStatus.h"
#include "ui/common/Style.h"

#include <QLabel>
#include <QWidget>

namespace stint::ui {

FormErrors::FormErrors(ActionStatus* general)
    : m_general(general)
{
}

QLabel* FormErrors::addField(QWidget* field, const QStringList& paths)
{
    auto* message = new QLabel(field->parentWidget());
    message->setObjectName(field->objectName() + QStringLiteral("Error"));
    message->setWordWrap(true);
    style::setRole(message, "danger");
    message->hide();
    m_fields.append(Field {field, message, paths, false});
    return message;
}

void FormErrors::clear()
{
    for (Field& f : m_fields) {
        f.message->clear();
        f.message->hide();
        f.active = false;
        f.widget->setAccessibleDescription({});
    }
    m_general->clear();
}

FormErrors::Field* FormErrors::fieldFor(const QString& path)
{
    for (Field& f : m_fields) {
        for (const QString& p : f.paths) {
            if (path == p || path.startsWith(p + QLatin1Char('.')) || path.startsWith(p + QLatin1Char('[')))
                return &f;
        }
    }
    return nullptr;
}

void FormErrors::showField(const QString& path, const QString& problem)
{
    Field* f = fieldFor(path);
    if (!f) {
        m_general->refused(problem);
        return;
    }
    // The service writes "must not be blank"; people read "Must not be blank."
    QString text = problem;
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    if (!text.endsWith(QLatin1Char('.')))
        text += QLatin1Char('.');
    f->message->setText(text);
    f->message->show();
    f->active = true;
    f->widget->setAccessibleDescription(text);
}

bool FormErrors::show(const Error& error)
{
    clear();
    const auto fields = client::errors::fieldErrors(error);
    bool placed = false;
    QStringList rest;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        if (fieldFor(it.key())) {
            showField(it.key(), it.value());
            placed = true;
        } else {
            rest << QStringLiteral("%1: %2").arg(it.key(), it.value());
        }
    }
    if (!placed)
        m_general->failed(error);
    else if (!rest.isEmpty())
        m_general->refused(rest.join(QStringLiteral("; ")));
    else
        m_general->refused(tr("Some fields need a change; see the messages below them."));
    // Put the keyboard where the first problem is.
    for (Field& f : m_fields) {
        if (f.active) {
            f.widget->setFocus(Qt::OtherFocusReason);
            break;
        }
    }
    return placed;
}

void FormErrors::clearField(const QString& path)
{
    if (Field* f = fieldFor(path)) {
        f->message->clear();
        f->message->hide();
        f->active = false;
        f->widget->setAccessibleDescription({});
    }
}

QString FormErrors::fieldMessage(const QString& path) const
{
    for (const Field& f : m_fields) {
        if (f.paths.contains(path))
            return f.message->text();
    }
    return {};
}

} // namespace stint::ui
