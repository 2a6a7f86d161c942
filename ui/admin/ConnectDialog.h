// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "client/Call.h"
#include "models/Connection.h"
#include "ui/common/UiContext.h"

#include <QDialog>
#include <QTimer>

class QCheckBox;
class QDateEdit;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

// Connects a customer tenant to Entra ID through the browser (RFC 8252 loopback, client::TenantConnector), in one
// of two ways: admin consent for the MSP's multi-tenant Stint app, or a sign-in with the customer's own app
// registration — whose credential (a client secret, or a certificate and private key read from PEM files through
// client::PemFiles) is stored first. It shows where the flow is ("Opening your browser…", "Waiting for Microsoft…",
// "Verifying the connection…"), then the outcome the service reports on the live channel (tenant.connection):
// connected, with what the health check found, or why it failed. Closing it while it waits cancels the browser leg.
namespace stint::ui {

class ActionStatus;
class FormErrors;

class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    ConnectDialog(UiContext& context, const QString& tenantId, QWidget* parent = nullptr);
    ~ConnectDialog() override;

    enum class Phase
    {
        Choosing,
        SavingCredential,
        Browser,
        Verifying,
        Connected,
        Failed,
    };
    Phase phase() const { return m_phase; }
    // How long the dialog waits for the outcome event after the browser leg before saying it is still running.
    void setVerifyTimeoutMs(int ms) { m_verifyTimeout.setInterval(ms); }

signals:
    void openSettings(const QString& tenantId);

public slots:
    void reject() override;

private:
    void start();
    void connectThroughBrowser();
    void setStage(int stage);
    void evaluateOutcome();
    void finish(bool connected, const QString& text);
    void setPhase(Phase phase);
    void updateKind();
    void browse(QLineEdit* field, const QString& title);

    UiContext& m_context;
    QString m_tenantId;
    Phase m_phase = Phase::Choosing;
    bool m_hasStoredCredential = false;
    QTimer m_verifyTimeout;

    QRadioButton* m_adminConsent;
    QRadioButton* m_ownApp;
    QLabel* m_adminConsentNote;
    QGroupBox* m_ownAppBox;
    QCheckBox* m_keepCredential;
    QWidget* m_credentialFields;
    QLineEdit* m_clientId;
    QRadioButton* m_useSecret;
    QRadioButton* m_useCertificate;
    QLineEdit* m_secret;
    QCheckBox* m_secretExpires;
    QDateEdit* m_secretExpiry;
    QWidget* m_secretRow;
    QWidget* m_certificateRows;
    QLineEdit* m_certificatePath;
    QLineEdit* m_keyPath;
    QLineEdit* m_loginHint;
    QLineEdit* m_tenantHint;
    QWidget* m_form;
    QWidget* m_progress;
    QList<QLabel*> m_stages;
    QLabel* m_outcome;
    ActionStatus* m_status;
    QPushButton* m_connect;
    QPushButton* m_cancel;
    QPushButton* m_openSettings;
    std::unique_ptr<FormErrors> m_errors;
};

} // namespace stint::ui
