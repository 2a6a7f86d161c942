// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "models/Checkout.h"
#include "ui/common/UiContext.h"

#include <QTimer>
#include <QWidget>
#include <functional>

class QLabel;
class QPushButton;

// The sign-in credential of one ready checkout: hidden until asked for. "Show" and "Copy" fetch it through the
// CredentialKeeper the first time (an audited view at the service), Show draws it for 30 seconds in SecretLabels,
// Copy puts it on the clipboard marked for password managers to skip, cleared after 30 seconds. The moment the
// keeper forgets it (the checkout left ready, sign-out) the panel clears.
namespace stint::ui {

class BusySpinner;
class SecretLabel;

class CredentialPanel : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kClipboardClearMs = 30'000;
    static constexpr int kShowForMs = 30'000;

    explicit CredentialPanel(UiContext& context, QWidget* parent = nullptr);

    // The checkout whose credential this is; a state other than ready clears and disables the panel.
    void setCheckout(const models::Checkout& checkout, const QString& credentialKind);
    bool isRevealed() const;

public slots:
    void toggleShown();
    void copyPassword();
    void copyTemporaryAccessPass();

private:
    enum class Pending
    {
        Show,
        CopyPassword,
        CopyPass,
    };
    void withCredential(Pending action);
    void perform(Pending action);
    void hideSecrets();
    void clearAll();
    void updateRows();
    void setBusy(bool busy);
    void say(const QString& text, const char* tone, const QString& technical = {});

    UiContext& m_ctx;
    QString m_checkoutId;
    QString m_kind; // the tenant's credential kind: password | tap | both
    bool m_ready = false;
    bool m_fetching = false;

    QLabel* m_passwordLabel;
    SecretLabel* m_password;
    QPushButton* m_copyPassword;
    QLabel* m_passLabel;
    SecretLabel* m_pass;
    QPushButton* m_copyPass;
    QLabel* m_passExpiry;
    QPushButton* m_show;
    BusySpinner* m_spinner;
    QLabel* m_status;
    QTimer m_hideTimer;
};

} // namespace stint::ui
