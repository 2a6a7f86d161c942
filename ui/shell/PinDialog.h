// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Crypto.h"

#include <QDialog>
#include <memory>

class QDialogButtonBox;
class QLabel;
class QLineEdit;

// Asks for the security key's PIN (when the key needs it to verify the person). Opened with open(), never exec(): the
// sign-in page listens for pinEntered or rejected. The PIN leaves the dialog once, as wiped-on-free bytes; the field is
// cleared at once (it is a password field, so it keeps no undo history).
namespace stint::ui {

class PinDialog : public QDialog
{
    Q_OBJECT
public:
    explicit PinDialog(QWidget* parent = nullptr);

    // Shown above the field after a wrong PIN ("That PIN is not right. 5 attempts left…").
    void setError(const QString& text);
    QString error() const;

    // CTAP2 PINs are at least 4 characters.
    static constexpr int kMinPinLength = 4;

signals:
    void pinEntered(std::shared_ptr<const stint::crypto::SecretBytes> pin);

protected:
    void accept() override;
    void done(int result) override;

private:
    QLineEdit* m_pin;
    QLabel* m_error;
    QDialogButtonBox* m_buttons;
};

} // namespace stint::ui
