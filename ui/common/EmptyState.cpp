// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/EmptyState.h"

#include "ui/common/Style.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace stint::ui {

EmptyState::EmptyState(QWidget* parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_text(new QLabel(this))
    , m_action(new QPushButton(this))
{
    setObjectName(QStringLiteral("emptyState"));
    m_title->setObjectName(QStringLiteral("emptyStateTitle"));
    m_text->setObjectName(QStringLiteral("emptyStateText"));
    m_action->setObjectName(QStringLiteral("emptyStateAction"));
    style::setRole(m_title, "subtitle");
    style::setRole(m_text, "muted");
    m_title->setAlignment(Qt::AlignCenter);
    m_text->setAlignment(Qt::AlignCenter);
    m_text->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    layout->addWidget(m_title);
    layout->addWidget(m_text);
    layout->addWidget(m_action, 0, Qt::AlignHCenter);
    layout->addStretch(2);
    m_action->hide();
    connect(m_action, &QPushButton::clicked, this, &EmptyState::actionTriggered);
}

void EmptyState::setContent(const QString& title, const QString& text, const QString& actionText)
{
    m_title->setText(title);
    m_text->setText(text);
    m_action->setText(actionText);
    m_action->setVisible(!actionText.isEmpty());
    setAccessibleName(title);
    setAccessibleDescription(text);
}

} // namespace stint::ui
