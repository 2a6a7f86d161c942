// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/ExtendDialog.h"

#include "client/ApiError.h"
#include "client/Workspace.h"
#include "ui/common/BusySpinner.h"
#include "ui/common/ErrorText.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/technician/AccessOptions.h"
#include "ui/technician/CheckoutActions.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPushButton>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcExtendDialog, "stint.ui.extenddialog")

namespace stint::ui {

ExtendDialog::ExtendDialog(UiContext& context, CheckoutActions& actions, const models::Checkout& checkout,
                           QWidget* parent)
    : QDialog(parent)
    , m_ctx(context)
    , m_actions(actions)
    , m_checkoutId(checkout.id)
    , m_intro(new QLabel(this))
    , m_minutes(new QComboBox(this))
    , m_hint(new QLabel(this))
    , m_fieldError(new QLabel(this))
    , m_formError(new QLabel(this))
    , m_spinner(new BusySpinner(this))
    , m_submit(new QPushButton(tr("&Extend"), this))
{
    setObjectName(QStringLiteral("extendDialog"));
    setAttribute(Qt::WA_DeleteOnClose);
    const models::Tenant* tenant = m_ctx.workspace.tenant(checkout.tenantId);
    const QString tenantName = tenant ? tenant->name : checkout.tenantId;
    setWindowTitle(tr("Extend access to %1").arg(tenantName));

    const TimeMs now = m_ctx.workspace.serverNow();
    m_intro->setObjectName(QStringLiteral("extendIntro"));
    m_intro->setWordWrap(true);
    m_intro->setText(checkout.expiresAt ? tr("Your access to %1 ends at %2 (in %3).")
                                              .arg(tenantName, TimeText::when(*checkout.expiresAt, now),
                                                   TimeText::countdown(*checkout.expiresAt - now))
                                        : tr("Your access to %1 is ready.").arg(tenantName));

    const std::optional<int> allowance = tenant ? access::extendAllowance(*tenant, checkout) : std::nullopt;
    const QList<int> steps = allowance ? access::extendSteps(*allowance) : QList<int> {15, 30, 60, 120};
    m_minutes->setObjectName(QStringLiteral("extendCombo"));
    m_minutes->setAccessibleName(tr("Extend by"));
    for (int m : steps)
        m_minutes->addItem(TimeText::minutes(m), m);
    m_minutes->setCurrentIndex(std::max(0, m_minutes->findData(access::oneClickExtendMinutes(allowance))));

    m_hint->setObjectName(QStringLiteral("extendHint"));
    m_hint->setWordWrap(true);
    style::setRole(m_hint, "muted");
    if (!allowance)
        m_hint->setText(tr("Stint checks what your access policy allows when you extend."));
    else if (*allowance <= 0)
        m_hint->setText(tr("This access already lasts as long as your access policy allows. End it and request "
                           "access again if you need more time."));
    else
        m_hint->setText(tr("Your access policy allows up to %1 more.").arg(TimeText::minutes(*allowance)));
    m_fieldError->setObjectName(QStringLiteral("extendError"));
    m_fieldError->setWordWrap(true);
    style::setRole(m_fieldError, "danger");
    m_fieldError->hide();
    m_formError->setObjectName(QStringLiteral("formError"));
    m_formError->setWordWrap(true);
    style::setRole(m_formError, "danger");
    m_formError->hide();

    m_submit->setObjectName(QStringLiteral("extendButton"));
    style::setRole(m_submit, "primary");
    m_submit->setDefault(true);
    m_submit->setEnabled(!allowance || *allowance > 0);
    m_minutes->setEnabled(m_submit->isEnabled());
    auto* buttons = new QDialogButtonBox(this);
    buttons->addButton(m_submit, QDialogButtonBox::AcceptRole);
    QPushButton* cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    connect(m_submit, &QPushButton::clicked, this, &ExtendDialog::submit);
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);

    auto* form = new QFormLayout;
    form->setSpacing(style::kGap);
    auto* label = new QLabel(tr("Extend &by"), this);
    label->setBuddy(m_minutes);
    auto* field = new QVBoxLayout;
    field->setSpacing(2);
    field->addWidget(m_minutes);
    field->addWidget(m_fieldError);
    form->addRow(label, field);

    auto* footer = new QHBoxLayout;
    footer->addWidget(m_spinner);
    footer->addStretch(1);
    footer->addWidget(buttons);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    layout->setSpacing(style::kGap);
    layout->addWidget(m_intro);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addWidget(m_formError);
    layout->addStretch(1);
    layout->addLayout(footer);
    setMinimumWidth(380);
}

int ExtendDialog::chosenMinutes() const
{
    return m_minutes->currentData().toInt();
}

void ExtendDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_submit->setEnabled(!busy);
    m_minutes->setEnabled(!busy);
    if (busy)
        m_spinner->start();
    else
        m_spinner->stop();
}

void ExtendDialog::submit()
{
    if (m_busy)
        return;
    const int minutes = chosenMinutes();
    if (minutes <= 0)
        return;
    m_fieldError->hide();
    m_formError->hide();
    setBusy(true);
    m_ctx.workspace.track(m_ctx.workspace.api().extend(m_checkoutId, minutes))
        .then(this, [this, minutes](const Result<models::Checkout>& r) {
            setBusy(false);
            if (!r.ok()) {
                const QString field = client::errors::fieldErrors(r.error()).value(QStringLiteral("minutes"));
                if (!field.isEmpty()) {
                    m_fieldError->setText(tr("The access policy says this %1.").arg(field));
                    m_fieldError->show();
                    m_minutes->setFocus();
                    return;
                }
                m_formError->setText(ErrorText::describe(r.error()));
                m_formError->setToolTip(ErrorText::technical(r.error()));
                m_formError->show();
                return;
            }
            const TimeMs now = m_ctx.workspace.serverNow();
            m_actions.setStatus(m_checkoutId,
                                {false,
                                 r->expiresAt ? tr("Extended by %1. Access now ends at %2.")
                                                    .arg(TimeText::minutes(minutes), TimeText::when(*r->expiresAt, now))
                                              : tr("Extended by %1.").arg(TimeText::minutes(minutes)),
                                 "good",
                                 {}});
            accept();
        });
}

} // namespace stint::ui
