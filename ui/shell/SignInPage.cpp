// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/SignInPage.h"

#include "client/ApiError.h"
#include "client/HttpTransport.h"
#include "client/SecurityKeySignIn.h"
#include "client/fido2/SecurityKeys.h"
#include "client/loopback/LoopbackFlows.h"
#include "ui/shell/AppSettings.h"
#include "ui/common/Banner.h"
#include "ui/common/BusySpinner.h"
#include "ui/common/ErrorText.h"
#include "ui/shell/PinDialog.h"
#include "ui/common/Style.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QShortcut>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcSignInPage, "stint.ui.signinpage")

namespace stint::ui {

namespace f = client::fido2errors;

namespace {
QString displayOf(const QUrl& url)
{
    return url.scheme() == QLatin1String("https") ? url.authority() : url.toString(QUrl::RemoveUserInfo);
}
} // namespace

SignInPage::SignInPage(QWidget* parent)
    : QWidget(parent)
    , m_notice(new Banner(this))
    , m_serviceLine(new QLabel(this))
    , m_changeService(new QPushButton(tr("C&hange…"), this))
    , m_serviceBox(new QWidget(this))
    , m_serviceField(new QLineEdit(m_serviceBox))
    , m_serviceError(new QLabel(m_serviceBox))
    , m_email(new QLineEdit(this))
    , m_keyButton(new QPushButton(tr("Sign in with security &key"), this))
    , m_browserButton(new QPushButton(tr("Sign in with &browser"), this))
    , m_spinner(new BusySpinner(this))
    , m_status(new QLabel(this))
    , m_error(new QLabel(this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
{
    setObjectName(QStringLiteral("signInPage"));
    setAccessibleName(tr("Sign in"));
    m_notice->setObjectName(QStringLiteral("signInNotice"));

    auto* logo = new QLabel(this);
    logo->setPixmap(QIcon(QStringLiteral(":/icons/stint-64.png")).pixmap(64, 64));
    logo->setAlignment(Qt::AlignCenter);
    logo->setAccessibleName(tr("Stint"));
    auto* title = new QLabel(tr("Sign in to Stint"), this);
    style::setRole(title, "title");
    title->setAlignment(Qt::AlignCenter);

    m_serviceLine->setObjectName(QStringLiteral("serviceLine"));
    style::setRole(m_serviceLine, "muted");
    m_changeService->setObjectName(QStringLiteral("changeService"));
    style::setRole(m_changeService, "link");
    m_changeService->setCursor(Qt::PointingHandCursor);
    m_changeService->setAccessibleName(tr("Use another Stint service"));
    auto* serviceRow = new QHBoxLayout;
    serviceRow->addStretch(1);
    serviceRow->addWidget(m_serviceLine);
    serviceRow->addWidget(m_changeService);
    serviceRow->addStretch(1);

    auto* serviceLabel = new QLabel(tr("Stint &service address"), m_serviceBox);
    serviceLabel->setBuddy(m_serviceField);
    m_serviceField->setObjectName(QStringLiteral("serviceField"));
    m_serviceField->setPlaceholderText(QStringLiteral("https://stint.example.net"));
    m_serviceField->setAccessibleName(tr("Stint service address"));
    m_serviceField->setAccessibleDescription(
        tr("The address your administrator gave you. It must start with https (plain http only for a service on this "
           "computer)."));
    m_serviceField->setInputMethodHints(Qt::ImhUrlCharactersOnly | Qt::ImhNoAutoUppercase);
    auto* serviceHint = new QLabel(tr("Your administrator gives you this address."), m_serviceBox);
    style::setRole(serviceHint, "muted");
    m_serviceError->setObjectName(QStringLiteral("serviceError"));
    m_serviceError->setWordWrap(true);
    style::setRole(m_serviceError, "danger");
    m_serviceError->hide();
    auto* serviceLayout = new QVBoxLayout(m_serviceBox);
    serviceLayout->setContentsMargins(0, 0, 0, 0);
    serviceLayout->setSpacing(style::kGap / 2);
    serviceLayout->addWidget(serviceLabel);
    serviceLayout->addWidget(m_serviceField);
    serviceLayout->addWidget(m_serviceError);
    serviceLayout->addWidget(serviceHint);
    m_serviceBox->hide();

    auto* emailLabel = new QLabel(tr("&Email (optional)"), this);
    emailLabel->setBuddy(m_email);
    m_email->setObjectName(QStringLiteral("emailField"));
    m_email->setPlaceholderText(tr("name@example.com"));
    m_email->setAccessibleName(tr("Email (optional)"));
    m_email->setAccessibleDescription(tr(
        "Leave it empty when your passkey is stored on the security key; enter it when the key asks which account."));
    m_email->setInputMethodHints(Qt::ImhEmailCharactersOnly | Qt::ImhNoAutoUppercase);
    auto* emailHint = new QLabel(tr("Leave it empty when your passkey is stored on your key."), this);
    emailHint->setWordWrap(true);
    style::setRole(emailHint, "muted");

    m_keyButton->setObjectName(QStringLiteral("signInWithKey"));
    m_keyButton->setAccessibleDescription(tr("Signs in with a FIDO2 security key plugged into this computer."));
    m_keyButton->setDefault(true);
    m_keyButton->setAutoDefault(true);
    style::setRole(m_keyButton, "primary");
    m_browserButton->setObjectName(QStringLiteral("signInWithBrowser"));
    m_browserButton->setAccessibleDescription(
        tr("Opens your web browser to sign in with a passkey there, then comes back to Stint."));

    m_spinner->setObjectName(QStringLiteral("signInSpinner"));
    m_status->setObjectName(QStringLiteral("signInStatus"));
    m_status->setWordWrap(true);
    m_status->setAccessibleName(tr("Sign-in progress"));
    m_status->hide();
    auto* statusRow = new QHBoxLayout;
    statusRow->setSpacing(style::kGap);
    statusRow->addWidget(m_spinner, 0, Qt::AlignTop);
    statusRow->addWidget(m_status, 1);

    m_error->setObjectName(QStringLiteral("signInError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setAccessibleName(tr("Sign-in problem"));
    style::setRole(m_error, "danger");
    m_error->hide();

    m_cancel->setObjectName(QStringLiteral("signInCancel"));
    m_cancel->setAccessibleDescription(tr("Stops the sign-in that is running."));
    m_cancel->hide();

    m_card = new QFrame(this);
    auto* card = m_card;
    card->setObjectName(QStringLiteral("signInCard"));
    style::markCard(card);
    card->setFixedWidth(440);
    auto* form = new QVBoxLayout(card);
    form->setContentsMargins(style::kMargin * 3, style::kMargin * 2, style::kMargin * 3, style::kMargin * 2);
    form->setSpacing(style::kGap);
    form->addWidget(logo);
    form->addWidget(title);
    form->addLayout(serviceRow);
    form->addSpacing(style::kGap);
    form->addWidget(m_serviceBox);
    form->addWidget(emailLabel);
    form->addWidget(m_email);
    form->addWidget(emailHint);
    form->addSpacing(style::kGap);
    form->addWidget(m_keyButton);
    form->addWidget(m_browserButton);
    form->addSpacing(style::kGap / 2);
    form->addLayout(statusRow);
    form->addWidget(m_error);
    form->addWidget(m_cancel, 0, Qt::AlignRight);

    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(style::kMargin, style::kMargin, style::kMargin, style::kMargin);
    outer->addWidget(m_notice);
    outer->addStretch(1);
    outer->addWidget(card, 0, Qt::AlignHCenter);
    outer->addStretch(2);

    setTabOrder(m_serviceField, m_email);
    setTabOrder(m_email, m_keyButton);
    setTabOrder(m_keyButton, m_browserButton);
    setTabOrder(m_browserButton, m_cancel);
    setTabOrder(m_cancel, m_changeService);

    connect(m_keyButton, &QPushButton::clicked, this, [this]() { signInWithKey(); });
    connect(m_browserButton, &QPushButton::clicked, this, &SignInPage::signInWithBrowser);
    connect(m_email, &QLineEdit::returnPressed, m_keyButton, &QPushButton::click);
    connect(m_serviceField, &QLineEdit::returnPressed, m_keyButton, &QPushButton::click);
    connect(m_changeService, &QPushButton::clicked, this, [this]() {
        setServiceEditable(true);
        m_serviceField->setFocus();
        m_serviceField->selectAll();
    });
    connect(m_cancel, &QPushButton::clicked, this, [this]() {
        if (m_running == Running::Key && m_services.keySignIn)
            m_services.keySignIn->cancel();
        if (m_running == Running::Browser && m_services.browser)
            m_services.browser->cancel();
        ++m_attempt; // whatever comes back now is not wanted
        setBusy(false);
        setStatus(tr("Sign-in cancelled."));
    });
    auto* escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QShortcut::activated, m_cancel, [this]() {
        if (m_busy)
            m_cancel->click();
    });

    updateServiceLine();
    m_card->installEventFilter(this);
    fitCard();
}

SignInPage::~SignInPage() = default;

// The card has a fixed width and wrapped text: its height follows from that width (a layout with an alignment would
// otherwise give it the height of its unwrapped size hint, squashing the fields).
void SignInPage::fitCard()
{
    m_card->setFixedHeight(m_card->layout()->totalHeightForWidth(m_card->width()));
}

bool SignInPage::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_card && event->type() == QEvent::LayoutRequest)
        fitCard();
    return QWidget::eventFilter(watched, event);
}

void SignInPage::setService(const QUrl& url, const Services& services)
{
    for (const auto& c : std::as_const(m_serviceConnections))
        disconnect(c);
    m_serviceConnections.clear();
    if (m_busy)
        reset();
    m_url = url;
    m_services = services;
    if (services.keys)
        m_serviceConnections.append(
            connect(services.keys, &client::SecurityKeys::touchRequested, this, &SignInPage::onTouchRequested));
    if (services.browser)
        m_serviceConnections.append(
            connect(services.browser, &client::BrowserSignIn::stageChanged, this, &SignInPage::onBrowserStage));
    m_serviceField->setText(url.isEmpty() ? QString() : url.toString());
    updateServiceLine();
}

void SignInPage::setServiceEditable(bool editable)
{
    m_editable = editable;
    m_serviceBox->setVisible(editable);
    updateServiceLine();
}

void SignInPage::setEmail(const QString& email)
{
    m_email->setText(email);
}

void SignInPage::setNotice(const QString& text, const char* tone)
{
    if (text.isEmpty())
        m_notice->clear();
    else
        m_notice->showMessage(text, tone);
}

void SignInPage::reset()
{
    ++m_attempt;
    if (m_pinDialog)
        m_pinDialog->reject();
    setBusy(false);
    setStatus(QString());
    m_error->clear();
    m_error->hide();
    m_serviceError->hide();
}

QString SignInPage::statusText() const
{
    return m_status->text();
}

QString SignInPage::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void SignInPage::updateServiceLine()
{
    const bool known = !m_url.isEmpty();
    m_serviceLine->setText(known ? tr("Service: %1").arg(displayOf(m_url)) : QString());
    m_serviceLine->setVisible(known && !m_editable);
    m_changeService->setVisible(known && !m_editable);
    m_browserButton->setEnabled(!m_busy && (m_editable || m_services.browser));
}

// Checks the address when it is shown and, when it names another service, has the shell switch to it.
bool SignInPage::prepareService()
{
    m_serviceError->hide();
    if (m_editable) {
        const QUrl url = AppSettings::serviceUrlFromText(m_serviceField->text());
        if (url.isEmpty()) {
            showServiceError(tr("Enter the address of your Stint service."));
            return false;
        }
        QString why;
        if (!client::HttpTransport::acceptableBaseUrl(url, &why)) {
            showServiceError(tr("This address cannot be used: %1").arg(why));
            return false;
        }
        if (url != m_url) {
            qCInfo(lcSignInPage) << "service chosen:" << url.toString();
            emit serviceChosen(url);
        }
        if (m_url != url || !m_services.keySignIn) {
            showServiceError(tr("Stint could not use this address. Check it and try again."));
            return false;
        }
    }
    if (!m_services.keySignIn) {
        setServiceEditable(true);
        showServiceError(tr("Enter the address of your Stint service."));
        return false;
    }
    return true;
}

void SignInPage::showServiceError(const QString& text)
{
    m_serviceError->setText(text);
    m_serviceError->show();
    m_serviceField->setAccessibleDescription(text);
    m_serviceField->setFocus();
}

void SignInPage::signInWithKey(std::shared_ptr<const crypto::SecretBytes> pin)
{
    if (m_busy && m_running != Running::Key)
        return;
    if (!prepareService())
        return;
    m_error->hide();
    m_running = Running::Key;
    setBusy(true, pin ? tr("Checking your PIN with the key…") : tr("Contacting the Stint service…"));
    const quint64 attempt = ++m_attempt;
    m_services.keySignIn->signIn(m_email->text().trimmed(), std::move(pin))
        .then(this, [this, attempt](const Result<client::SharedSession>& r) {
            if (attempt == m_attempt)
                onKeyResult(r);
        });
}

void SignInPage::onKeyResult(const Result<client::SharedSession>& result)
{
    if (result.ok()) {
        m_running = Running::None;
        setBusy(false);
        setStatus(tr("Signed in."));
        setServiceEditable(false);
        emit signedIn(result.value());
        return;
    }
    const Error& e = result.error();
    qCInfo(lcSignInPage) << "security key sign-in failed:" << e.code;
    if (e.code == QLatin1String(f::kPinRequired))
        return askForPin(QString());
    if (e.code == QLatin1String(f::kPinInvalid))
        return askForPin(ErrorText::describe(e));
    m_running = Running::None;
    setBusy(false);
    if (e.code == QLatin1String(f::kCancelled)) {
        setStatus(tr("Sign-in cancelled."));
        return;
    }
    showError(e);
}

void SignInPage::askForPin(const QString& error)
{
    setBusy(true, tr("Waiting for your PIN…"));
    if (!m_pinDialog) {
        m_pinDialog = new PinDialog(this);
        m_pinDialog->setAttribute(Qt::WA_DeleteOnClose);
        connect(m_pinDialog, &PinDialog::pinEntered, this,
                [this](std::shared_ptr<const crypto::SecretBytes> pin) { signInWithKey(std::move(pin)); });
        connect(m_pinDialog, &QDialog::rejected, this, [this]() {
            if (m_running != Running::Key)
                return;
            m_running = Running::None;
            ++m_attempt;
            setBusy(false);
            setStatus(tr("Sign-in cancelled."));
        });
    }
    m_pinDialog->setError(error);
    m_pinDialog->open();
}

void SignInPage::onTouchRequested(int keyCount)
{
    if (m_running != Running::Key)
        return;
    setStatus(keyCount > 1 ? tr("Several security keys are plugged in: touch the one you want to use.")
                           : tr("Touch your security key now."));
}

void SignInPage::signInWithBrowser()
{
    if (m_busy)
        return;
    if (!prepareService())
        return;
    if (!m_services.browser)
        return;
    m_error->hide();
    m_running = Running::Browser;
    setBusy(true, tr("Asking the Stint service…"));
    const quint64 attempt = ++m_attempt;
    m_services.browser->signIn().then(this, [this, attempt](const Result<client::SharedSession>& r) {
        if (attempt != m_attempt)
            return;
        m_running = Running::None;
        setBusy(false);
        if (r.ok()) {
            setStatus(tr("Signed in."));
            setServiceEditable(false);
            emit signedIn(r.value());
            return;
        }
        qCInfo(lcSignInPage) << "browser sign-in failed:" << r.error().code;
        showError(r.error());
    });
}

void SignInPage::onBrowserStage(client::LoopbackStage stage)
{
    if (m_running != Running::Browser)
        return;
    switch (stage) {
    case client::LoopbackStage::Starting:
        setStatus(tr("Asking the Stint service…"));
        break;
    case client::LoopbackStage::WaitingForBrowser:
        setStatus(tr("Your browser is open: sign in there. Stint waits here and continues on its own."));
        break;
    case client::LoopbackStage::Completing:
        setStatus(tr("Finishing sign-in…"));
        break;
    case client::LoopbackStage::Done:
        break;
    }
}

void SignInPage::setBusy(bool busy, const QString& status)
{
    m_busy = busy;
    if (busy) {
        m_spinner->start();
        setStatus(status);
    } else {
        m_spinner->stop();
    }
    m_keyButton->setEnabled(!busy);
    m_email->setEnabled(!busy);
    m_serviceField->setEnabled(!busy);
    m_changeService->setEnabled(!busy);
    m_cancel->setVisible(busy);
    updateServiceLine();
}

void SignInPage::setStatus(const QString& text)
{
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

void SignInPage::showError(const Error& error)
{
    setStatus(QString());
    // While signing in, a 401 is not an ended session: the service did not accept this passkey.
    const QString text = client::errors::isUnauthorized(error)
        ? tr("Stint does not know this passkey. Use the security key you enrolled, check the email "
             "above (or leave it empty), or sign in with the browser.")
        : ErrorText::describe(error);
    m_error->setText(text);
    m_error->setToolTip(ErrorText::technical(error));
    m_error->show();
}

} // namespace stint::ui
