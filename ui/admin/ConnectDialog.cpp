// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/admin/ConnectDialog.h"

#include "client/PemFiles.h"
#include "client/Workspace.h"
#include "client/loopback/LoopbackFlows.h"
#include "ui/admin/ActionStatus.h"
#include "ui/admin/FormErrors.h"
#include "ui/common/ErrorText.h"
#include "ui/common/Style.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QDateEdit>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcConnectDialog, "stint.ui.admin.connectdialog")

namespace stint::ui {

namespace {
constexpr int kVerifyTimeoutMs = 120'000;

QWidget* fieldWithError(QWidget* parent, QWidget* field, FormErrors& errors, const QStringList& paths,
                        QWidget* button = nullptr)
{
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* row = new QHBoxLayout;
    row->setSpacing(style::kGap);
    field->setParent(box);
    row->addWidget(field, 1);
    if (button) {
        button->setParent(box);
        row->addWidget(button);
    }
    layout->addLayout(row);
    QLabel* message = errors.addField(field, paths);
    message->setParent(box);
    layout->addWidget(message);
    return box;
}

bool isFinal(const QString& status)
{
    return status == QLatin1String("connected") || status == QLatin1String("unhealthy");
}
} // namespace

ConnectDialog::ConnectDialog(UiContext& context, const QString& tenantId, QWidget* parent)
    : QDialog(parent)
    , m_context(context)
    , m_tenantId(tenantId)
    , m_adminConsent(new QRadioButton(this))
    , m_ownApp(new QRadioButton(this))
    , m_adminConsentNote(new QLabel(this))
    , m_ownAppBox(new QGroupBox(this))
    , m_keepCredential(new QCheckBox(this))
    , m_credentialFields(new QWidget(this))
    , m_clientId(new QLineEdit(this))
    , m_useSecret(new QRadioButton(tr("Client &secret"), this))
    , m_useCertificate(new QRadioButton(tr("Cer&tificate"), this))
    , m_secret(new QLineEdit(this))
    , m_secretExpires(new QCheckBox(tr("Expires on"), this))
    , m_secretExpiry(new QDateEdit(this))
    , m_secretRow(new QWidget(this))
    , m_certificateRows(new QWidget(this))
    , m_certificatePath(new QLineEdit(this))
    , m_keyPath(new QLineEdit(this))
    , m_loginHint(new QLineEdit(this))
    , m_tenantHint(new QLineEdit(this))
    , m_form(new QWidget(this))
    , m_progress(new QWidget(this))
    , m_outcome(new QLabel(this))
    , m_status(new ActionStatus(this))
    , m_errors(std::make_unique<FormErrors>(m_status))
{
    setObjectName(QStringLiteral("connectDialog"));
    m_status->setObjectName(QStringLiteral("connectStatus"));
    setWindowModality(Qt::WindowModal);
    setAttribute(Qt::WA_DeleteOnClose);
    setMinimumWidth(560);
    m_verifyTimeout.setSingleShot(true);
    m_verifyTimeout.setInterval(kVerifyTimeoutMs);

    client::Workspace& ws = context.workspace;
    const models::Tenant* tenant = ws.tenant(tenantId);
    const QString name = tenant ? tenant->name : tenantId;
    setWindowTitle(tr("Connect %1").arg(name));
    const models::ConnectionState* state = ws.connection(tenantId);

    // --- the choice ---
    m_adminConsent->setObjectName(QStringLiteral("adminConsentRadio"));
    m_adminConsent->setText(tr("&Admin consent for your Stint app (recommended)"));
    m_ownApp->setObjectName(QStringLiteral("ownAppRadio"));
    m_ownApp->setText(tr("The customer's &own app registration"));
    auto* kinds = new QButtonGroup(this);
    kinds->addButton(m_adminConsent);
    kinds->addButton(m_ownApp);
    m_adminConsentNote->setObjectName(QStringLiteral("adminConsentNote"));
    m_adminConsentNote->setWordWrap(true);
    style::setRole(m_adminConsentNote, "muted");
    const bool consentAvailable = !state || state->multiTenantAppConfigured;
    m_adminConsent->setEnabled(consentAvailable);
    m_adminConsentNote->setText(consentAvailable
                                    ? tr("The customer's Global Administrator signs in and approves the permissions "
                                         "Stint needs. Nothing to set up in their tenant first.")
                                    : tr("Your Stint service has no multi-tenant app configured: use the customer's "
                                         "own app registration, or ask whoever runs the service to add one."));
    (consentAvailable ? m_adminConsent : m_ownApp)->setChecked(true);

    // --- the customer's own app ---
    m_ownAppBox->setObjectName(QStringLiteral("ownAppBox"));
    m_ownAppBox->setTitle(tr("The customer's app"));
    auto* ownLayout = new QVBoxLayout(m_ownAppBox);
    m_keepCredential->setObjectName(QStringLiteral("keepCredentialCheck"));
    if (state && state->credential) {
        const auto& c = *state->credential;
        m_keepCredential->setText(c.kind == QLatin1String("certificate")
                                      ? tr("&Use the stored credential (app %1, certificate)").arg(c.clientId)
                                      : tr("&Use the stored credential (app %1, client secret)").arg(c.clientId));
        m_keepCredential->setChecked(true);
        m_hasStoredCredential = true;
    } else {
        m_keepCredential->hide();
    }
    ownLayout->addWidget(m_keepCredential);
    auto* credentialForm = new QFormLayout(m_credentialFields);
    credentialForm->setContentsMargins(0, 0, 0, 0);
    m_clientId->setObjectName(QStringLiteral("clientIdEdit"));
    m_clientId->setPlaceholderText(tr("Application (client) ID, a GUID"));
    m_clientId->setAccessibleName(tr("Application (client) ID"));
    credentialForm->addRow(tr("App &ID"),
                           fieldWithError(m_credentialFields, m_clientId, *m_errors, {QStringLiteral("clientId")}));
    auto* methods = new QButtonGroup(this);
    m_useSecret->setObjectName(QStringLiteral("secretRadio"));
    m_useCertificate->setObjectName(QStringLiteral("certificateRadio"));
    methods->addButton(m_useSecret);
    methods->addButton(m_useCertificate);
    m_useCertificate->setChecked(true);
    auto* methodRow = new QWidget(m_credentialFields);
    auto* methodLayout = new QHBoxLayout(methodRow);
    methodLayout->setContentsMargins(0, 0, 0, 0);
    methodLayout->addWidget(m_useCertificate);
    methodLayout->addWidget(m_useSecret);
    methodLayout->addStretch(1);
    credentialForm->addRow(tr("Signs in with"), methodRow);

    m_secret->setObjectName(QStringLiteral("secretEdit"));
    m_secret->setEchoMode(QLineEdit::Password);
    m_secret->setAccessibleName(tr("Client secret"));
    m_secret->setPlaceholderText(tr("The secret's value (not its ID)"));
    m_secretExpires->setObjectName(QStringLiteral("secretExpiresCheck"));
    m_secretExpiry->setObjectName(QStringLiteral("secretExpiryDate"));
    m_secretExpiry->setCalendarPopup(true);
    m_secretExpiry->setDate(QDate::currentDate().addMonths(6));
    m_secretExpiry->setEnabled(false);
    m_secretExpiry->setAccessibleName(tr("Secret expiry date"));
    connect(m_secretExpires, &QCheckBox::toggled, m_secretExpiry, &QWidget::setEnabled);
    auto* secretLayout = new QVBoxLayout(m_secretRow);
    secretLayout->setContentsMargins(0, 0, 0, 0);
    auto* expiryRow = new QHBoxLayout;
    expiryRow->addWidget(m_secretExpires);
    expiryRow->addWidget(m_secretExpiry);
    expiryRow->addStretch(1);
    secretLayout->addWidget(fieldWithError(m_secretRow, m_secret, *m_errors, {QStringLiteral("clientSecret")}));
    secretLayout->addLayout(expiryRow);
    credentialForm->addRow(tr("Se&cret"), m_secretRow);

    auto* certificateForm = new QFormLayout(m_certificateRows);
    certificateForm->setContentsMargins(0, 0, 0, 0);
    m_certificatePath->setObjectName(QStringLiteral("certificatePathEdit"));
    m_certificatePath->setPlaceholderText(tr("Certificate file (.pem, .crt)"));
    m_certificatePath->setAccessibleName(tr("Certificate file"));
    auto* browseCertificate = new QPushButton(tr("&Browse…"), this);
    browseCertificate->setObjectName(QStringLiteral("certificateBrowseButton"));
    browseCertificate->setAccessibleName(tr("Choose the certificate file"));
    m_keyPath->setObjectName(QStringLiteral("keyPathEdit"));
    m_keyPath->setPlaceholderText(tr("Private key file (.pem, .key), not password-protected"));
    m_keyPath->setAccessibleName(tr("Private key file"));
    auto* browseKey = new QPushButton(tr("Br&owse…"), this);
    browseKey->setObjectName(QStringLiteral("keyBrowseButton"));
    browseKey->setAccessibleName(tr("Choose the private key file"));
    certificateForm->addRow(tr("Certi&ficate"),
                            fieldWithError(m_certificateRows, m_certificatePath, *m_errors,
                                           {QStringLiteral("certificatePem")}, browseCertificate));
    certificateForm->addRow(
        tr("Private &key"),
        fieldWithError(m_certificateRows, m_keyPath, *m_errors, {QStringLiteral("privateKeyPem")}, browseKey));
    credentialForm->addRow(m_certificateRows);
    ownLayout->addWidget(m_credentialFields);
    auto* redirect = new QLabel(tr("The app must list http://127.0.0.1%1 as a redirect URI (Mobile and desktop "
                                   "applications) and hold Stint's application permissions with admin consent.")
                                    .arg(QString::fromLatin1(client::kConnectCallbackPath)),
                                m_ownAppBox);
    redirect->setWordWrap(true);
    redirect->setTextInteractionFlags(Qt::TextSelectableByMouse);
    style::setRole(redirect, "muted");
    ownLayout->addWidget(redirect);

    connect(browseCertificate, &QPushButton::clicked, this,
            [this]() { browse(m_certificatePath, tr("Choose the app's certificate")); });
    connect(browseKey, &QPushButton::clicked, this,
            [this]() { browse(m_keyPath, tr("Choose the app's private key")); });
    connect(m_adminConsent, &QRadioButton::toggled, this, &ConnectDialog::updateKind);
    connect(m_useSecret, &QRadioButton::toggled, this, &ConnectDialog::updateKind);
    connect(m_keepCredential, &QCheckBox::toggled, this, &ConnectDialog::updateKind);

    // --- hints ---
    auto* hints = new QGroupBox(tr("Optional"), this);
    auto* hintsForm = new QFormLayout(hints);
    m_loginHint->setObjectName(QStringLiteral("loginHintEdit"));
    m_loginHint->setPlaceholderText(tr("admin@customer.example"));
    m_loginHint->setAccessibleName(tr("Customer admin's sign-in name"));
    m_tenantHint->setObjectName(QStringLiteral("tenantHintEdit"));
    m_tenantHint->setPlaceholderText(tr("customer.onmicrosoft.com or the tenant ID"));
    m_tenantHint->setAccessibleName(tr("Customer's tenant"));
    hintsForm->addRow(tr("Customer &admin"), m_loginHint);
    hintsForm->addRow(tr("Customer's te&nant"), m_tenantHint);

    auto* formLayout = new QVBoxLayout(m_form);
    formLayout->setContentsMargins(0, 0, 0, 0);
    formLayout->setSpacing(style::kGap);
    formLayout->addWidget(m_adminConsent);
    auto* noteIndent = new QHBoxLayout;
    noteIndent->setContentsMargins(24, 0, 0, 0);
    noteIndent->addWidget(m_adminConsentNote);
    formLayout->addLayout(noteIndent);
    formLayout->addWidget(m_ownApp);
    formLayout->addWidget(m_ownAppBox);
    formLayout->addWidget(hints);

    // --- progress ---
    auto* progressLayout = new QVBoxLayout(m_progress);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    for (const QString& text :
         {tr("Opening your browser…"), tr("Waiting for Microsoft…"), tr("Verifying the connection…")}) {
        auto* stage = new QLabel(m_progress);
        stage->setObjectName(QStringLiteral("stage%1").arg(m_stages.size()));
        stage->setProperty("stageText", text);
        progressLayout->addWidget(stage);
        m_stages.append(stage);
    }
    m_outcome->setObjectName(QStringLiteral("connectOutcome"));
    m_outcome->setWordWrap(true);
    m_outcome->setTextInteractionFlags(Qt::TextSelectableByMouse);
    progressLayout->addSpacing(style::kGap);
    progressLayout->addWidget(m_outcome);
    m_outcome->hide();
    m_progress->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    auto* title = new QLabel(tr("Connect %1 to Microsoft Entra ID").arg(name), this);
    style::setRole(title, "title");
    title->setWordWrap(true);
    auto* intro = new QLabel(tr("Stint opens your browser at Microsoft. Whoever signs in there must be an "
                                "administrator of the customer's tenant."),
                             this);
    intro->setWordWrap(true);
    style::setRole(intro, "muted");
    layout->addWidget(title);
    layout->addWidget(intro);
    layout->addWidget(m_form);
    layout->addWidget(m_progress);
    layout->addWidget(m_status);
    layout->addStretch(1);

    // A plain row, not a QDialogButtonBox: the box shows every button it lays out, and "Open settings" must stay
    // hidden until the tenant is connected.
    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_openSettings = new QPushButton(tr("Open &settings"), this);
    m_openSettings->setObjectName(QStringLiteral("openSettingsButton"));
    m_openSettings->hide();
    style::setRole(m_openSettings, "primary");
    m_connect = new QPushButton(tr("&Connect"), this);
    m_connect->setObjectName(QStringLiteral("connectButton"));
    m_connect->setDefault(true);
    style::setRole(m_connect, "primary");
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_openSettings);
    buttons->addWidget(m_connect);
    layout->addLayout(buttons);
    connect(m_connect, &QPushButton::clicked, this, &ConnectDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, &ConnectDialog::reject);
    connect(m_openSettings, &QPushButton::clicked, this, [this]() {
        emit openSettings(m_tenantId);
        accept();
    });

    if (context.connector) {
        connect(context.connector, &client::TenantConnector::stageChanged, this, [this](client::LoopbackStage stage) {
            if (m_phase != Phase::Browser)
                return;
            switch (stage) {
            case client::LoopbackStage::Starting:
                setStage(0);
                break;
            case client::LoopbackStage::WaitingForBrowser:
                setStage(1);
                break;
            case client::LoopbackStage::Completing:
            case client::LoopbackStage::Done:
                setStage(2);
                break;
            }
        });
    } else {
        m_connect->setEnabled(false);
        m_status->refused(tr("This copy of Stint cannot open a browser sign-in. Connect the tenant from the Stint "
                             "desktop app."));
    }

    connect(&ws, &client::Workspace::changed, this, [this](client::Workspace::Kind kind) {
        if (m_phase == Phase::Verifying
            && (kind == client::Workspace::Kind::Connections || kind == client::Workspace::Kind::Tenants))
            evaluateOutcome();
    });
    connect(&m_verifyTimeout, &QTimer::timeout, this, [this]() {
        if (m_phase != Phase::Verifying)
            return;
        m_status->succeeded(tr("Microsoft has answered; Stint is still checking the tenant. You can close this: "
                               "the result appears on the tenant's page, and as an alert if something is wrong."));
        m_cancel->setText(tr("Close"));
    });
    updateKind();
}

ConnectDialog::~ConnectDialog()
{
    if (m_phase == Phase::Browser && m_context.connector)
        m_context.connector->cancel();
}

void ConnectDialog::updateKind()
{
    const bool own = m_ownApp->isChecked();
    m_ownAppBox->setEnabled(own);
    m_ownAppBox->setVisible(own);
    const bool enter = own && !(m_hasStoredCredential && m_keepCredential->isChecked());
    m_credentialFields->setVisible(enter);
    m_secretRow->setVisible(m_useSecret->isChecked());
    m_certificateRows->setVisible(m_useCertificate->isChecked());
    adjustSize();
}

void ConnectDialog::browse(QLineEdit* field, const QString& title)
{
    auto* dialog = new QFileDialog(this, title);
    dialog->setObjectName(QStringLiteral("pemFileDialog"));
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setNameFilters({tr("PEM files (*.pem *.crt *.cer *.key)"), tr("All files (*)")});
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, field, &QLineEdit::setText);
    dialog->open();
}

void ConnectDialog::setPhase(Phase phase)
{
    m_phase = phase;
    const bool choosing = phase == Phase::Choosing || phase == Phase::SavingCredential || phase == Phase::Failed;
    m_form->setEnabled(phase == Phase::Choosing || phase == Phase::Failed);
    m_form->setVisible(choosing);
    m_progress->setVisible(phase == Phase::Browser || phase == Phase::Verifying || phase == Phase::Connected);
    m_connect->setVisible(phase == Phase::Choosing || phase == Phase::SavingCredential || phase == Phase::Failed);
    m_connect->setEnabled((phase == Phase::Choosing || phase == Phase::Failed) && m_context.connector);
    m_connect->setText(phase == Phase::Failed ? tr("Try &again") : tr("&Connect"));
    m_openSettings->setVisible(phase == Phase::Connected);
    m_cancel->setText(phase == Phase::Connected || phase == Phase::Failed ? tr("Close") : tr("Cancel"));
    if (phase == Phase::Connected)
        m_openSettings->setDefault(true);
}

void ConnectDialog::setStage(int stage)
{
    for (int i = 0; i < m_stages.size(); ++i) {
        QLabel* label = m_stages.at(i);
        const QString text = label->property("stageText").toString();
        const QString mark = i < stage ? QStringLiteral("✓") : i == stage ? QStringLiteral("●") : QStringLiteral("○");
        label->setText(QStringLiteral("%1  %2").arg(mark, text));
        style::setRole(label, i == stage ? "subtitle" : "muted");
        label->setAccessibleName(i < stage ? tr("%1 done").arg(text) : i == stage ? text : tr("%1 to come").arg(text));
    }
}

void ConnectDialog::start()
{
    m_errors->clear();
    m_outcome->hide();
    if (!m_context.connector)
        return;
    const bool own = m_ownApp->isChecked();
    const bool enterCredential = own && !(m_hasStoredCredential && m_keepCredential->isChecked());
    if (!enterCredential) {
        connectThroughBrowser();
        return;
    }

    // The customer's app: its credential goes to the service first (sealed there), then the browser leg.
    client::ConnectionCredentialInput input;
    input.clientId = m_clientId->text().trimmed();
    bool refused = false;
    if (input.clientId.isEmpty()) {
        m_errors->showField(QStringLiteral("clientId"), tr("Enter the app's Application (client) ID"));
        refused = true;
    }
    if (m_useSecret->isChecked()) {
        input.kind = QStringLiteral("client_secret");
        if (m_secret->text().isEmpty()) {
            m_errors->showField(QStringLiteral("clientSecret"), tr("Enter the client secret's value"));
            refused = true;
        }
        input.clientSecret = crypto::SecretBytes(m_secret->text().toUtf8());
        if (m_secretExpires->isChecked())
            input.secretExpiresAt = QDateTime(m_secretExpiry->date(), QTime(23, 59, 59), Qt::UTC).toMSecsSinceEpoch();
    } else {
        input.kind = QStringLiteral("certificate");
        auto certificate = client::PemFiles::readCertificate(m_certificatePath->text().trimmed());
        if (!certificate) {
            m_errors->showField(QStringLiteral("certificatePem"), certificate.error().message);
            refused = true;
        } else {
            input.certificatePem = certificate.value();
        }
        auto key = client::PemFiles::readPrivateKey(m_keyPath->text().trimmed());
        if (!key) {
            m_errors->showField(QStringLiteral("privateKeyPem"), key.error().message);
            refused = true;
        } else {
            input.privateKeyPem = std::move(key).value();
        }
    }
    if (refused) {
        m_status->refused(tr("Some fields need a change; see the messages below them."));
        return;
    }
    setPhase(Phase::SavingCredential);
    m_status->busy(tr("Storing the app's credential in Stint…"));
    client::Workspace& ws = m_context.workspace;
    ws.track(ws.api().setConnectionCredential(m_tenantId, input))
        .then(this, [this](const Result<models::ConnectionState>& r) {
            if (!r.ok()) {
                setPhase(Phase::Choosing);
                m_errors->show(r.error());
                return;
            }
            // Stored: the secret is not needed here any more.
            m_secret->clear();
            m_hasStoredCredential = true;
            m_keepCredential->setText(tr("&Use the stored credential"));
            m_keepCredential->setChecked(true);
            m_keepCredential->show();
            connectThroughBrowser();
        });
}

void ConnectDialog::connectThroughBrowser()
{
    client::TenantConnector* connector = m_context.connector;
    setPhase(Phase::Browser);
    setStage(0);
    m_status->busy(tr("Finish in your browser. This window follows along."));
    const QString kind = m_ownApp->isChecked() ? QString::fromLatin1(models::kConnectAuthorizationCode)
                                               : QString::fromLatin1(models::kConnectAdminConsent);
    qCInfo(lcConnectDialog) << "connecting tenant" << m_tenantId << "with" << kind;
    client::Workspace& ws = m_context.workspace;
    ws.track(connector->connect(m_tenantId, kind, m_loginHint->text().trimmed(), m_tenantHint->text().trimmed()))
        .then(this, [this](const Result<models::ConnectionState>& r) {
            if (m_phase != Phase::Browser)
                return;
            if (!r.ok()) {
                finish(false, ErrorText::describe(r.error()));
                return;
            }
            setPhase(Phase::Verifying);
            setStage(2);
            m_status->busy(tr("Microsoft has answered. Stint is proving the tenant and checking what it may do "
                              "there…"));
            m_verifyTimeout.start();
            evaluateOutcome();
        });
}

void ConnectDialog::evaluateOutcome()
{
    client::Workspace& ws = m_context.workspace;
    const models::ConnectionState* state = ws.connection(m_tenantId);
    const models::Tenant* tenant = ws.tenant(m_tenantId);
    if (state && isFinal(state->status)) {
        int problems = 0;
        int warnings = 0;
        if (state->report) {
            for (const models::ConnectionFinding& f : state->report->findings) {
                problems += f.severity == QLatin1String("error") ? 1 : 0;
                warnings += f.severity == QLatin1String("warning") ? 1 : 0;
            }
        }
        const QString who = state->report && !state->report->displayName.isEmpty()
            ? state->report->displayName
            : state->entraTenantId.value_or(QString());
        QString text = tr("Connected to %1.").arg(who);
        if (problems > 0)
            text += QLatin1Char(' ')
                + tr("The health check found %n problem(s) to fix: see the tenant's health.", nullptr, problems);
        else if (warnings > 0)
            text += QLatin1Char(' ')
                + tr("The health check has %n warning(s): see the tenant's health.", nullptr, warnings);
        else
            text += QLatin1Char(' ') + tr("Choose its account domain and the roles to offer in its settings.");
        finish(true, text);
        return;
    }
    if (state && state->lastError && state->status == QLatin1String("not_connected")) {
        finish(false, tr("Stint could not connect the tenant: %1").arg(ErrorText::describe(*state->lastError)));
        return;
    }
    // The tenant moved on before the connection was read again (the event came first): read it now.
    const QString tenantStatus = tenant ? tenant->connection.status : QString();
    const bool tenantSettled = isFinal(tenantStatus) || tenantStatus == QLatin1String("not_connected");
    if (tenantSettled && (!state || !isFinal(state->status)))
        ws.refreshConnection(m_tenantId);
}

void ConnectDialog::finish(bool connected, const QString& text)
{
    m_verifyTimeout.stop();
    setPhase(connected ? Phase::Connected : Phase::Failed);
    m_status->clear();
    if (connected) {
        // Every stage done; the outcome below them.
        setStage(int(m_stages.size()));
        m_outcome->setText(text);
        style::setRole(m_outcome, "subtitle");
        m_outcome->show();
    } else {
        // Back to the form (to change the method or try again), the reason in the status line.
        m_outcome->setText(text);
        m_outcome->hide();
        m_progress->hide();
        m_status->refused(text);
    }
}

void ConnectDialog::reject()
{
    if (m_phase == Phase::Browser && m_context.connector) {
        m_phase = Phase::Choosing; // the cancelled call's answer is not news any more
        m_context.connector->cancel();
    }
    QDialog::reject();
}

} // namespace stint::ui
