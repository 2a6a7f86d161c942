// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/AboutDialog.h"

#include "ui/common/Style.h"

#include <QDialogButtonBox>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace stint::ui {

AboutDialog::AboutDialog(const QString& version, const QUrl& serviceUrl, QWidget* parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("aboutDialog"));
    setWindowTitle(tr("About Stint"));

    auto* logo = new QLabel(this);
    logo->setPixmap(QIcon(QStringLiteral(":/icons/stint-128.png")).pixmap(96, 96));
    logo->setAlignment(Qt::AlignCenter);
    logo->setAccessibleName(tr("Stint icon"));
    auto* title = new QLabel(tr("Stint %1").arg(version), this);
    title->setObjectName(QStringLiteral("aboutVersion"));
    title->setAlignment(Qt::AlignCenter);
    style::setRole(title, "title");
    auto* what = new QLabel(tr("Just-in-time admin access to your customers' Microsoft Entra ID tenants: ask, use it "
                               "for as long as you need, and it is taken away again."),
                            this);
    what->setWordWrap(true);
    what->setAlignment(Qt::AlignCenter);
    auto* details = new QLabel(this);
    details->setObjectName(QStringLiteral("aboutDetails"));
    details->setAlignment(Qt::AlignCenter);
    details->setWordWrap(true);
    details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    style::setRole(details, "muted");
    QStringList lines;
    if (!serviceUrl.isEmpty())
        lines << tr("Service: %1").arg(serviceUrl.toString());
    lines << tr("Qt %1").arg(QString::fromLatin1(qVersion()));
    lines << tr("Licensed under the GNU General Public License, version 3 or later.");
    details->setText(lines.join(QLatin1Char('\n')));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->button(QDialogButtonBox::Close)->setObjectName(QStringLiteral("aboutClose"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 3, style::kMargin * 2, style::kMargin * 3, style::kMargin);
    layout->setSpacing(style::kGap);
    layout->addWidget(logo);
    layout->addWidget(title);
    layout->addWidget(what);
    layout->addSpacing(style::kGap);
    layout->addWidget(details);
    layout->addSpacing(style::kGap);
    layout->addWidget(buttons);
    setFixedWidth(440);
}

} // namespace stint::ui
