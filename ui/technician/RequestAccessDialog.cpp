// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/RequestAccessDialog.h"

#include "client/ApiError.h"
#include "client/Workspace.h"
#include "ui/common/BusySpinner.h"
#include "ui/common/ErrorText.h"
#include "ui/common/StatusChip.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/technician/AccessOptions.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLoggingCategory>
#include <QPushButton>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcRequestAccessDialog, "stint.ui.requestaccessdialog")

namespace stint::ui {

namespace {
constexpr int kMaxJustificationLength = 2000; // the service's limits (CheckoutsApi)
constexpr int kMaxTicketLength = 200;
constexpr int kRoleIdRole = Qt::UserRole + 1;

QLabel* errorLabel(const QString& name, QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    style::setRole(label, "danger");
    label->hide();
    return label;
}
} // namespace

RequestAccessDialog::RequestAccessDialog(UiContext& context, const models::Tenant& tenant, QWidget* parent)
    : QDialog(parent)
    , m_ctx(context)
    , m_tenant(tenant)
    , m_idempotencyKey(client::CloudApi::newIdempotencyKey())
    , m_roles(new QListWidget(this))
    , m_rolesError(errorLabel(QStringLiteral("rolesError"), this))
    , m_duration(new QComboBox(this))
    , m_durationHint(new QLabel(this))
    , m_durationError(errorLabel(QStringLiteral("durationError"), this))
    , m_approvalNote(new QLabel(this))
    , m_justificationLabel(new QLabel(this))
    , m_justification(new QLineEdit(this))
    , m_justificationError(errorLabel(QStringLiteral("justificationError"), this))
    , m_ticketLabel(new QLabel(this))
    , m_ticket(new QLineEdit(this))
    , m_ticketError(errorLabel(QStringLiteral("ticketError"), this))
    , m_formError(errorLabel(QStringLiteral("formError"), this))
    , m_spinner(new BusySpinner(this))
    , m_busyText(new QLabel(this))
    , m_submit(new QPushButton(tr("&Request access"), this))
{
    setObjectName(QStringLiteral("requestAccessDialog"));
    setWindowTitle(tr("Request access to %1").arg(tenant.name));
    setAttribute(Qt::WA_DeleteOnClose);

    auto* title = new QLabel(tr("Request access to %1").arg(tenant.name), this);
    title->setObjectName(QStringLiteral("dialogTitle"));
    style::setRole(title, "title");
    title->setWordWrap(true);
    auto* chip = new StatusChip(this);
    chip->setObjectName(QStringLiteral("connectionChip"));
    chip->showConnectionStatus(tenant.connection.status);
    auto* intro = new QLabel(this);
    intro->setObjectName(QStringLiteral("dialogIntro"));
    intro->setWordWrap(true);
    style::setRole(intro, "muted");
    intro->setText(tr("Stint prepares your own account in %1 with the roles you choose, for the time you choose, and "
                      "takes it all away again when the time is up.")
                       .arg(tenant.name));

    m_roles->setObjectName(QStringLiteral("roleList"));
    m_roles->setAccessibleName(tr("Roles"));
    m_roles->setAccessibleDescription(tr("Check the directory roles you need. Space toggles a role."));
    m_roles->setUniformItemSizes(true);
    QStringList preselect;
    if (const auto& me = m_ctx.workspace.me()) {
        for (const models::Checkout& c : m_ctx.workspace.checkouts()) { // newest first
            if (c.tenantId == tenant.id && c.technicianId == me->person.id) {
                preselect = c.roleDefinitionIds;
                break;
            }
        }
    }
    const QList<access::RoleOption> options = access::roleOptions(tenant);
    if (options.size() == 1)
        preselect = {options.first().roleDefinitionId};
    const bool preselectOffered = std::all_of(preselect.begin(), preselect.end(), [&](const QString& id) {
        return std::any_of(options.begin(), options.end(),
                           [&](const access::RoleOption& o) { return o.roleDefinitionId == id; });
    });
    for (const access::RoleOption& o : options) {
        auto* item = new QListWidgetItem(
            o.approvalAlways ? tr("%1 — needs approval").arg(o.displayName) : o.displayName, m_roles);
        item->setData(kRoleIdRole, o.roleDefinitionId);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(preselectOffered && preselect.contains(o.roleDefinitionId) ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(o.roleDefinitionId);
    }
    const int rowHeight = m_roles->sizeHintForRow(0) > 0 ? m_roles->sizeHintForRow(0) : fontMetrics().height() + 8;
    m_roles->setFixedHeight(rowHeight * int(std::clamp<qsizetype>(options.size(), 2, 6)) + 2 * m_roles->frameWidth()
                            + 4);
    if (!options.isEmpty())
        m_roles->setCurrentRow(0);

    m_duration->setObjectName(QStringLiteral("durationCombo"));
    m_duration->setAccessibleName(tr("Duration"));
    m_durationHint->setObjectName(QStringLiteral("durationHint"));
    style::setRole(m_durationHint, "muted");
    m_approvalNote->setObjectName(QStringLiteral("approvalNote"));
    m_approvalNote->setWordWrap(true);
    style::setTone(m_approvalNote, "warn");
    m_approvalNote->setStyleSheet(QStringLiteral("QLabel { border-radius: 4px; padding: 6px 8px; font-size: 10pt; "
                                                 "font-weight: normal; }"));
    m_approvalNote->hide();

    m_justification->setObjectName(QStringLiteral("justificationEdit"));
    m_justification->setMaxLength(kMaxJustificationLength);
    m_justification->setPlaceholderText(tr("What you are going to do, e.g. \"Reset MFA for a locked-out user\""));
    m_justification->setAccessibleName(tr("Justification"));
    m_justificationLabel->setBuddy(m_justification);
    m_ticket->setObjectName(QStringLiteral("ticketEdit"));
    m_ticket->setMaxLength(kMaxTicketLength);
    m_ticket->setPlaceholderText(tr("e.g. INC-4711"));
    m_ticket->setAccessibleName(tr("Ticket"));
    m_ticketLabel->setBuddy(m_ticket);

    m_busyText->setObjectName(QStringLiteral("busyText"));
    style::setRole(m_busyText, "muted");
    m_submit->setObjectName(QStringLiteral("submitButton"));
    style::setRole(m_submit, "primary");
    m_submit->setDefault(true);
    auto* cancel = new QPushButton(tr("Cancel"), this);
    cancel->setObjectName(QStringLiteral("cancelButton"));

    auto* rolesLabel = new QLabel(tr("R&oles"), this);
    rolesLabel->setBuddy(m_roles);
    auto* durationLabel = new QLabel(tr("&Duration"), this);
    durationLabel->setBuddy(m_duration);

    auto* header = new QHBoxLayout;
    header->addWidget(title, 1);
    header->addWidget(chip, 0, Qt::AlignTop);

    auto* durationRow = new QHBoxLayout;
    durationRow->setSpacing(style::kGap);
    durationRow->addWidget(m_duration);
    durationRow->addWidget(m_durationHint, 1);

    auto* footer = new QHBoxLayout;
    footer->setSpacing(style::kGap);
    footer->addWidget(m_spinner);
    footer->addWidget(m_busyText, 1);
    footer->addWidget(cancel);
    footer->addWidget(m_submit);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin * 2);
    layout->setSpacing(style::kGap / 2);
    layout->addLayout(header);
    layout->addWidget(intro);
    layout->addSpacing(style::kGap);
    layout->addWidget(rolesLabel);
    layout->addWidget(m_roles);
    layout->addWidget(m_rolesError);
    layout->addSpacing(style::kGap);
    layout->addWidget(durationLabel);
    layout->addLayout(durationRow);
    layout->addWidget(m_durationError);
    layout->addSpacing(style::kGap);
    layout->addWidget(m_approvalNote);
    layout->addWidget(m_justificationLabel);
    layout->addWidget(m_justification);
    layout->addWidget(m_justificationError);
    layout->addWidget(m_ticketLabel);
    layout->addWidget(m_ticket);
    layout->addWidget(m_ticketError);
    layout->addSpacing(style::kGap);
    layout->addWidget(m_formError);
    layout->addStretch(1);
    layout->addLayout(footer);
    setMinimumWidth(460);

    setTabOrder(m_roles, m_duration);
    setTabOrder(m_duration, m_justification);
    setTabOrder(m_justification, m_ticket);
    setTabOrder(m_ticket, m_submit);
    setTabOrder(m_submit, cancel);

    connect(m_roles, &QListWidget::itemChanged, this, [this](QListWidgetItem*) { rolesChanged(); });
    connect(m_duration, &QComboBox::currentIndexChanged, this, [this](int) { durationChanged(); });
    connect(m_submit, &QPushButton::clicked, this, &RequestAccessDialog::submit);
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_justification, &QLineEdit::textEdited, m_justificationError, &QWidget::hide);
    connect(m_ticket, &QLineEdit::textEdited, m_ticketError, &QWidget::hide);
    rolesChanged();
    m_roles->setFocus();
}

QStringList RequestAccessDialog::selectedRoles() const
{
    QStringList ids;
    for (int i = 0; i < m_roles->count(); ++i) {
        if (m_roles->item(i)->checkState() == Qt::Checked)
            ids << m_roles->item(i)->data(kRoleIdRole).toString();
    }
    ids.sort();
    return ids;
}

int RequestAccessDialog::selectedMinutes() const
{
    return m_duration->currentData().toInt();
}

void RequestAccessDialog::rolesChanged()
{
    m_rolesError->hide();
    m_durationError->hide();
    const QStringList roles = selectedRoles();
    const int previous = selectedMinutes();
    const int max = access::maxMinutes(m_tenant, roles);
    const QSignalBlocker blocker(m_duration);
    m_duration->clear();
    if (roles.isEmpty()) {
        m_durationHint->setText(tr("Choose a role first."));
    } else if (max <= 0) {
        m_durationHint->clear();
        m_rolesError->setText(tr("No single access policy grants you these roles together. Request them one at a "
                                 "time, or ask an administrator."));
        m_rolesError->show();
    } else {
        const int preferred = previous > 0 && previous <= max ? previous : access::defaultMinutes(m_tenant, max);
        for (int m : access::durationSteps(max, preferred))
            m_duration->addItem(TimeText::minutes(m), m);
        m_duration->setCurrentIndex(std::max(0, m_duration->findData(preferred)));
        m_durationHint->setText(tr("up to %1 for these roles").arg(TimeText::minutes(max)));
    }
    m_duration->setEnabled(m_duration->count() > 0);
    updateRequirements();
}

void RequestAccessDialog::durationChanged()
{
    m_durationError->hide();
    updateRequirements();
}

void RequestAccessDialog::updateRequirements()
{
    const auto grant = access::chosenGrant(m_tenant, selectedRoles(), selectedMinutes());
    const bool justification = grant && grant->requireJustification;
    const bool ticket = grant && grant->requireTicket;
    m_justificationLabel->setText(justification ? tr("&Justification (required)") : tr("&Justification (optional)"));
    m_ticketLabel->setText(ticket ? tr("&Ticket (required)") : tr("&Ticket (optional)"));
    // Shown when the policy asks for them; an optional one stays available to say why anyway.
    for (QWidget* w : {static_cast<QWidget*>(m_ticketLabel), static_cast<QWidget*>(m_ticket)})
        w->setVisible(ticket);
    if (!ticket)
        m_ticketError->hide();
    m_justification->setAccessibleDescription(justification ? tr("Required by your access policy") : QString());
    m_ticket->setAccessibleDescription(ticket ? tr("Required by your access policy") : QString());
    if (grant && grant->requireApproval) {
        m_approvalNote->setText(tr("An administrator must approve this request (access policy \"%1\"). Stint shows "
                                   "here when they decide.")
                                    .arg(grant->policyName));
        m_approvalNote->show();
        m_submit->setText(tr("&Ask for approval"));
    } else {
        m_approvalNote->hide();
        m_submit->setText(tr("&Request access"));
    }
    m_submit->setEnabled(!m_busy && grant.has_value());
}

models::CheckoutRequest RequestAccessDialog::currentRequest() const
{
    models::CheckoutRequest r;
    r.tenantId = m_tenant.id;
    r.roleDefinitionIds = selectedRoles();
    r.durationMinutes = selectedMinutes();
    r.justification = m_justification->text().trimmed();
    r.ticket = m_ticket->text().trimmed();
    return r;
}

void RequestAccessDialog::clearErrors()
{
    for (QLabel* l : {m_rolesError, m_durationError, m_justificationError, m_ticketError, m_formError})
        l->hide();
}

void RequestAccessDialog::showFieldError(const QString& field, const QString& text)
{
    QLabel* label = nullptr;
    QWidget* focus = nullptr;
    QString name;
    if (field == QLatin1String("roleDefinitionIds") || field.startsWith(QLatin1String("roleDefinitionIds"))) {
        label = m_rolesError, focus = m_roles, name = tr("Roles");
    } else if (field == QLatin1String("durationMinutes")) {
        label = m_durationError, focus = m_duration, name = tr("Duration");
    } else if (field == QLatin1String("justification")) {
        label = m_justificationError, focus = m_justification, name = tr("Justification");
        m_justification->show();
        m_justificationLabel->show();
    } else if (field == QLatin1String("ticket")) {
        label = m_ticketError, focus = m_ticket, name = tr("Ticket");
        m_ticket->show(); // the service asks for one this app did not expect: let it be given
        m_ticketLabel->show();
    }
    if (!label) {
        const QString more = field.isEmpty() ? text : tr("%1: %2").arg(field, text);
        m_formError->setText(m_formError->isVisible() ? m_formError->text() + QLatin1Char('\n') + more : more);
        m_formError->show();
        return;
    }
    label->setText(tr("%1 %2").arg(name, text));
    label->show();
    if (focus && !m_formError->isVisible())
        focus->setFocus(Qt::OtherFocusReason);
}

void RequestAccessDialog::setBusy(bool busy)
{
    m_busy = busy;
    for (QWidget* w : {static_cast<QWidget*>(m_roles), static_cast<QWidget*>(m_duration),
                       static_cast<QWidget*>(m_justification), static_cast<QWidget*>(m_ticket)})
        w->setEnabled(!busy);
    if (busy) {
        m_spinner->start();
        m_busyText->setText(tr("Sending the request…"));
    } else {
        m_spinner->stop();
        m_busyText->clear();
        m_duration->setEnabled(m_duration->count() > 0);
    }
    updateRequirements();
}

void RequestAccessDialog::submit()
{
    if (m_busy)
        return;
    clearErrors();
    const models::CheckoutRequest request = currentRequest();
    // What the service would refuse anyway is said here, without a round trip.
    bool ok = true;
    if (request.roleDefinitionIds.isEmpty()) {
        showFieldError(QStringLiteral("roleDefinitionIds"), tr("must name at least one role: check one above."));
        ok = false;
    }
    const auto grant = access::chosenGrant(m_tenant, request.roleDefinitionIds, request.durationMinutes);
    if (grant && grant->requireJustification && request.justification.isEmpty()) {
        showFieldError(
            QStringLiteral("justification"),
            tr("is required by the access policy \"%1\": say what you are going to do.").arg(grant->policyName));
        ok = false;
    }
    if (grant && grant->requireTicket && request.ticket.isEmpty()) {
        showFieldError(QStringLiteral("ticket"), tr("is required by the access policy \"%1\".").arg(grant->policyName));
        ok = false;
    }
    if (!ok || !grant)
        return;

    // One key per request: a retry of the same request (after a timeout or a lost answer) reuses it, so the service
    // answers with the first result instead of asking twice; a changed request is a new one.
    const QJsonObject body = request.toJson();
    if (!m_keyBody.isEmpty() && body != m_keyBody)
        m_idempotencyKey = client::CloudApi::newIdempotencyKey();
    m_keyBody = body;

    setBusy(true);
    m_ctx.workspace.track(m_ctx.workspace.api().requestCheckout(request, m_idempotencyKey))
        .then(this, [this](const Result<models::Checkout>& r) {
            setBusy(false);
            if (r.ok()) {
                emit requested(r.value());
                accept();
                return;
            }
            const Error& e = r.error();
            qCInfo(lcRequestAccessDialog) << "request refused:" << e.code;
            const QMap<QString, QString> fields = client::errors::fieldErrors(e);
            if (!fields.isEmpty()) {
                for (auto it = fields.constBegin(); it != fields.constEnd(); ++it)
                    showFieldError(it.key(), it.value());
                return;
            }
            m_formError->setText(ErrorText::describe(e));
            m_formError->setToolTip(ErrorText::technical(e));
            m_formError->show();
        });
}

} // namespace stint::ui
