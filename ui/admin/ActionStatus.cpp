// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/ActionStatus.h"

#include "ui/common/BusySpinner.h"
#include "ui/common/ErrorText.h"
#include "ui/common/Style.h"

#include <QHBoxLayout>
#include <QLabel>

namespace stint::ui {

ActionStatus::ActionStatus(QWidget* parent)
    : QWidget(parent)
    , m_spinner(new BusySpinner(this))
    , m_text(new QLabel(this))
{
    m_text->setObjectName(QStringLiteral("actionStatusText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(style::kGap);
    layout->addWidget(m_spinner, 0, Qt::AlignTop);
    layout->addWidget(m_text, 1);
    m_spinner->hide();
    setAccessibleName(tr("Status"));
    hide();
}

void ActionStatus::busy(const QString& text)
{
    m_spinner->show();
    m_spinner->start();
    m_text->setText(text);
    m_text->setToolTip({});
    style::setRole(m_text, "muted");
    setAccessibleDescription(text);
    show();
}

void ActionStatus::succeeded(const QString& text)
{
    m_spinner->stop();
    m_spinner->hide();
    m_text->setText(text);
    m_text->setToolTip({});
    style::setRole(m_text, "muted");
    setAccessibleDescription(text);
    setVisible(!text.isEmpty());
}

void ActionStatus::failed(const Error& error)
{
    m_spinner->stop();
    m_spinner->hide();
    const QString text = ErrorText::describe(error);
    m_text->setText(text);
    m_text->setToolTip(ErrorText::technical(error));
    style::setRole(m_text, "danger");
    setAccessibleDescription(text);
    show();
}

void ActionStatus::refused(const QString& text)
{
    m_spinner->stop();
    m_spinner->hide();
    m_text->setText(text);
    m_text->setToolTip({});
    style::setRole(m_text, "danger");
    setAccessibleDescription(text);
    show();
}

void ActionStatus::clear()
{
    m_spinner->stop();
    m_spinner->hide();
    m_text->clear();
    hide();
}

bool ActionStatus::isBusy() const
{
    return m_spinner->isRunning();
}

QString ActionStatus::text() const
{
    return m_text->text();
}

} // namespace stint::ui
