// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/common/Banner.h"

#include "ui/common/Style.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace stint::ui {

Banner::Banner(QWidget* parent)
    : QFrame(parent)
    , m_text(new QLabel(this))
    , m_action(new QPushButton(this))
{
    setObjectName(QStringLiteral("banner"));
    setProperty("banner", true);
    m_text->setObjectName(QStringLiteral("bannerText"));
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_action->setObjectName(QStringLiteral("bannerAction"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(style::kMargin, style::kGap / 2, style::kGap, style::kGap / 2);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_action);
    connect(m_action, &QPushButton::clicked, this, &Banner::actionTriggered);
    setAccessibleName(tr("Status message"));
    hide();
}

void Banner::showMessage(const QString& text, const char* tone, const QString& actionText)
{
    m_text->setText(text);
    setAccessibleDescription(text);
    m_action->setText(actionText);
    m_action->setVisible(!actionText.isEmpty());
    style::setTone(this, tone);
    show();
}

void Banner::clear()
{
    m_text->clear();
    hide();
}

QString Banner::text() const
{
    return m_text->text();
}

} // namespace stint::ui
