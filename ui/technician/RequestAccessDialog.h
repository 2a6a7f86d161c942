// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "models/Tenant.h"
#include "ui/common/UiContext.h"

#include <QDialog>
#include <QJsonObject>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

// "Request access" to one tenant: the roles my grants offer here (each marked when it needs an admin's approval), a
// duration in steps up to what the chosen roles allow (the tenant's default preselected), and a justification and a
// ticket shown and required as the policy the service will choose requires them (AccessOptions mirrors its choice).
// Sending keeps one idempotency key for retries of the same request — a lost answer retried does not ask twice — and
// takes a new one when the request itself changed. A 422 puts each field's problem under that field; anything else
// shows in the dialog. Non-modal (open()): success emits requested() and closes.
namespace stint::ui {

class BusySpinner;

class RequestAccessDialog : public QDialog
{
    Q_OBJECT
public:
    RequestAccessDialog(UiContext& context, const models::Tenant& tenant, QWidget* parent = nullptr);

    QString tenantId() const { return m_tenant.id; }
    QStringList selectedRoles() const;
    int selectedMinutes() const;
    // The key the next send uses (tests check it is kept across retries).
    QString idempotencyKey() const { return m_idempotencyKey; }

public slots:
    void submit();

signals:
    void requested(const stint::models::Checkout& checkout);

private:
    void rolesChanged();
    void durationChanged();
    void updateRequirements();
    void clearErrors();
    void showFieldError(const QString& field, const QString& text);
    void setBusy(bool busy);
    models::CheckoutRequest currentRequest() const;

    UiContext& m_ctx;
    models::Tenant m_tenant;
    QString m_idempotencyKey;
    QJsonObject m_keyBody; // the request the key was made for
    bool m_busy = false;

    QListWidget* m_roles;
    QLabel* m_rolesError;
    QComboBox* m_duration;
    QLabel* m_durationHint;
    QLabel* m_durationError;
    QLabel* m_approvalNote;
    QLabel* m_justificationLabel;
    QLineEdit* m_justification;
    QLabel* m_justificationError;
    QLabel* m_ticketLabel;
    QLineEdit* m_ticket;
    QLabel* m_ticketError;
    QLabel* m_formError;
    BusySpinner* m_spinner;
    QLabel* m_busyText;
    QPushButton* m_submit;
};

} // namespace stint::ui
