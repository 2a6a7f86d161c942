// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/technician/CredentialPanel.h"

#include "client/CredentialKeeper.h"
#include "client/Workspace.h"
#include "ui/common/BusySpinner.h"
#include "ui/common/Desktop.h"
#include "ui/common/ErrorText.h"
#include "ui/common/Style.h"
#include "ui/common/TimeText.h"
#include "ui/technician/SecretLabel.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLoggingCategory>
#include <QPushButton>

Q_LOGGING_CATEGORY(lcCredentialPanel, "stint.ui.credentialpanel")

namespace stint::ui {

using Part = client::CredentialKeeper::Part;

CredentialPanel::CredentialPanel(UiContext& context, QWidget* parent)
    : QWidget(parent)
    , m_ctx(context)
    , m_passwordLabel(new QLabel(tr("Password"), this))
    , m_password(new SecretLabel(this))
    , m_copyPassword(new QPushButton(tr("&Copy password"), this))
    , m_passLabel(new QLabel(tr("Temporary Access Pass"), this))
    , m_pass(new SecretLabel(this))
    , m_copyPass(new QPushButton(tr("Copy &pass"), this))
    , m_passExpiry(new QLabel(this))
    , m_show(new QPushButton(tr("&Show"), this))
    , m_spinner(new BusySpinner(this))
    , m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("credentialPanel"));
    m_password->setObjectName(QStringLiteral("passwordValue"));
    m_password->setAccessibleName(tr("Password (hidden until shown)"));
    m_copyPassword->setObjectName(QStringLiteral("copyPasswordButton"));
    m_copyPassword->setAccessibleDescription(
        tr("Copies the password to the clipboard for 30 seconds, hidden from clipboard managers"));
    m_pass->setObjectName(QStringLiteral("passValue"));
    m_pass->setAccessibleName(tr("Temporary Access Pass (hidden until shown)"));
    m_copyPass->setObjectName(QStringLiteral("copyPassButton"));
    m_copyPass->setAccessibleDescription(
        tr("Copies the Temporary Access Pass to the clipboard for 30 seconds, hidden from clipboard managers"));
    m_passExpiry->setObjectName(QStringLiteral("passExpiry"));
    style::setRole(m_passExpiry, "muted");
    m_show->setObjectName(QStringLiteral("showCredentialButton"));
    m_show->setCheckable(true);
    m_show->setAccessibleDescription(tr("Shows the credential on screen for 30 seconds"));
    m_status->setObjectName(QStringLiteral("credentialStatus"));
    m_status->setWordWrap(true);
    m_passwordLabel->setBuddy(m_copyPassword);
    m_passLabel->setBuddy(m_copyPass);

    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setHorizontalSpacing(style::kGap);
    grid->setVerticalSpacing(style::kGap / 2);
    grid->addWidget(m_passwordLabel, 0, 0);
    grid->addWidget(m_password, 0, 1);
    grid->addWidget(m_copyPassword, 0, 2);
    grid->addWidget(m_passLabel, 1, 0);
    grid->addWidget(m_pass, 1, 1);
    grid->addWidget(m_copyPass, 1, 2);
    grid->addWidget(m_passExpiry, 2, 1, 1, 2);
    auto* row = new QHBoxLayout;
    row->setSpacing(style::kGap);
    row->addWidget(m_show);
    row->addWidget(m_spinner);
    row->addWidget(m_status, 1);
    grid->addLayout(row, 3, 0, 1, 3);
    grid->setColumnStretch(1, 1);

    setTabOrder(m_show, m_copyPassword);
    setTabOrder(m_copyPassword, m_copyPass);

    m_hideTimer.setSingleShot(true);
    m_hideTimer.setInterval(kShowForMs);
    connect(&m_hideTimer, &QTimer::timeout, this, &CredentialPanel::hideSecrets);
    connect(m_show, &QPushButton::clicked, this, &CredentialPanel::toggleShown);
    connect(m_copyPassword, &QPushButton::clicked, this, &CredentialPanel::copyPassword);
    connect(m_copyPass, &QPushButton::clicked, this, &CredentialPanel::copyTemporaryAccessPass);
    connect(&m_ctx.credentials, &client::CredentialKeeper::forgotten, this, [this](const QString& id) {
        if (id == m_checkoutId)
            clearAll();
    });
    updateRows();
}

void CredentialPanel::setCheckout(const models::Checkout& checkout, const QString& credentialKind)
{
    const bool ready = checkout.state == models::CheckoutState::Ready;
    if (checkout.id != m_checkoutId || (m_ready && !ready))
        clearAll(); // another checkout, or this one left ready: nothing of the old secret stays on screen
    m_checkoutId = checkout.id;
    m_kind = credentialKind;
    m_ready = ready;
    setEnabled(ready);
    updateRows();
}

bool CredentialPanel::isRevealed() const
{
    return m_password->isShowing() || m_pass->isShowing();
}

void CredentialPanel::updateRows()
{
    const bool held = !m_checkoutId.isEmpty() && m_ctx.credentials.holds(m_checkoutId);
    bool hasPassword = m_kind != QLatin1String("tap");
    bool hasPass = m_kind == QLatin1String("tap") || m_kind == QLatin1String("both");
    if (held) {
        hasPassword = m_ctx.credentials.has(m_checkoutId, Part::Password);
        hasPass = m_ctx.credentials.has(m_checkoutId, Part::TemporaryAccessPass);
    }
    for (QWidget* w : {static_cast<QWidget*>(m_passwordLabel), static_cast<QWidget*>(m_password),
                       static_cast<QWidget*>(m_copyPassword)})
        w->setVisible(hasPassword);
    for (QWidget* w :
         {static_cast<QWidget*>(m_passLabel), static_cast<QWidget*>(m_pass), static_cast<QWidget*>(m_copyPass)})
        w->setVisible(hasPass);
    const auto passExpires = held ? m_ctx.credentials.temporaryAccessPassExpiresAt(m_checkoutId) : std::nullopt;
    m_passExpiry->setVisible(hasPass && passExpires.has_value());
    if (passExpires)
        m_passExpiry->setText(
            tr("The pass works until %1.").arg(TimeText::when(*passExpires, m_ctx.workspace.serverNow())));
    m_show->setEnabled(m_ready && !m_fetching);
    m_copyPassword->setEnabled(m_ready && !m_fetching);
    m_copyPass->setEnabled(m_ready && !m_fetching);
}

void CredentialPanel::setBusy(bool busy)
{
    m_fetching = busy;
    if (busy)
        m_spinner->start();
    else
        m_spinner->stop();
    updateRows();
}

void CredentialPanel::say(const QString& text, const char* tone, const QString& technical)
{
    m_status->setText(text);
    m_status->setToolTip(technical);
    style::setRole(m_status, qstrcmp(tone, "bad") == 0 ? "danger" : "muted");
}

void CredentialPanel::toggleShown()
{
    if (isRevealed()) {
        hideSecrets();
        return;
    }
    m_show->setChecked(false); // checked only once something is shown
    withCredential(Pending::Show);
}

void CredentialPanel::copyPassword()
{
    withCredential(Pending::CopyPassword);
}

void CredentialPanel::copyTemporaryAccessPass()
{
    withCredential(Pending::CopyPass);
}

void CredentialPanel::withCredential(Pending action)
{
    if (!m_ready || m_fetching || m_checkoutId.isEmpty())
        return;
    if (m_ctx.credentials.holds(m_checkoutId))
        return perform(action);
    setBusy(true);
    say(tr("Fetching the credential… (each view is recorded in the audit log)"), "neutral");
    const QString id = m_checkoutId;
    m_ctx.credentials.fetch(id).then(this, [this, id, action](const Result<void>& r) {
        if (id != m_checkoutId)
            return; // the panel moved on to another checkout meanwhile
        setBusy(false);
        if (!r.ok()) {
            say(tr("The credential could not be fetched. %1").arg(ErrorText::describe(r.error())), "bad",
                ErrorText::technical(r.error()));
            return;
        }
        say({}, "neutral");
        perform(action);
    });
}

void CredentialPanel::perform(Pending action)
{
    if (!m_ready)
        return;
    updateRows();
    switch (action) {
    case Pending::Show: {
        const bool pw = m_ctx.credentials.withSecret(m_checkoutId, Part::Password,
                                                     [this](QByteArrayView s) { m_password->setSecret(s); });
        const bool tap = m_ctx.credentials.withSecret(m_checkoutId, Part::TemporaryAccessPass,
                                                      [this](QByteArrayView s) { m_pass->setSecret(s); });
        if (!pw && !tap) {
            say(tr("The credential is no longer available."), "bad");
            return;
        }
        m_show->setChecked(true);
        m_show->setText(tr("&Hide"));
        m_hideTimer.start();
        say(tr("Shown for 30 seconds."), "neutral");
        break;
    }
    case Pending::CopyPassword:
    case Pending::CopyPass: {
        const bool password = action == Pending::CopyPassword;
        const bool copied = m_ctx.credentials.withSecret(
            m_checkoutId, password ? Part::Password : Part::TemporaryAccessPass,
            [this](QByteArrayView s) { m_ctx.desktop.copySecret(s, kClipboardClearMs); });
        if (!copied) {
            say(tr("The credential is no longer available."), "bad");
            return;
        }
        say(password ? tr("Password copied. Stint clears the clipboard in 30 seconds.")
                     : tr("Temporary Access Pass copied. Stint clears the clipboard in 30 seconds."),
            "neutral");
        break;
    }
    }
}

void CredentialPanel::hideSecrets()
{
    m_hideTimer.stop();
    m_password->clear();
    m_pass->clear();
    m_show->setChecked(false);
    m_show->setText(tr("&Show"));
    if (m_status->text() == tr("Shown for 30 seconds."))
        say({}, "neutral");
}

void CredentialPanel::clearAll()
{
    hideSecrets();
    say({}, "neutral");
    m_passExpiry->clear();
}

} // namespace stint::ui
