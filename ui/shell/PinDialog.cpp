// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/PinDialog.h"

#include "ui/common/Style.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace stint::ui {

PinDialog::PinDialog(QWidget* parent)
    : QDialog(parent)
    , m_pin(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("pinDialog"));
    setWindowTitle(tr("Security key PIN"));
    setModal(true);

    auto* title = new QLabel(tr("Enter your security key's PIN"), this);
    style::setRole(title, "subtitle");
    auto* text = new QLabel(tr("Your key asks for its PIN to make sure it is you. The PIN stays between you and the "
                               "key: Stint does not keep it."),
                            this);
    text->setWordWrap(true);
    style::setRole(text, "muted");

    auto* label = new QLabel(tr("&PIN"), this);
    label->setBuddy(m_pin);
    m_pin->setObjectName(QStringLiteral("pinField"));
    m_pin->setEchoMode(QLineEdit::Password);
    m_pin->setAccessibleName(tr("Security key PIN"));
    m_pin->setAccessibleDescription(tr("At least %n characters.", nullptr, kMinPinLength));
    m_pin->setMaxLength(63); // CTAP2's limit in UTF-8 bytes; longer input cannot be a PIN
    m_pin->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhNoPredictiveText | Qt::ImhSensitiveData);

    m_error->setObjectName(QStringLiteral("pinError"));
    m_error->setWordWrap(true);
    style::setRole(m_error, "danger");
    m_error->hide();

    m_buttons->setObjectName(QStringLiteral("pinButtons"));
    QPushButton* ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setObjectName(QStringLiteral("pinOk"));
    ok->setText(tr("&Continue"));
    ok->setEnabled(false);
    style::setRole(ok, "primary");
    m_buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("pinCancel"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &PinDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &PinDialog::reject);
    connect(m_pin, &QLineEdit::textChanged, this,
            [ok](const QString& pin) { ok->setEnabled(pin.size() >= kMinPinLength); });

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap);
    layout->addWidget(title);
    layout->addWidget(text);
    layout->addSpacing(style::kGap);
    layout->addWidget(label);
    layout->addWidget(m_pin);
    layout->addWidget(m_error);
    layout->addSpacing(style::kGap);
    layout->addWidget(m_buttons);
    setFixedWidth(400);
    adjustSize();
    m_pin->setFocus();
}

void PinDialog::setError(const QString& text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
    m_pin->setAccessibleDescription(text);
    adjustSize(); // wrapped text: the dialog's height follows its width
}

QString PinDialog::error() const
{
    return m_error->text();
}

void PinDialog::accept()
{
    if (m_pin->text().size() < kMinPinLength)
        return;
    QString text = m_pin->text();
    auto pin = std::make_shared<const crypto::SecretBytes>(text.toUtf8());
    // Best effort: overwrite this copy and the field's; Qt's own transient copies cannot be reached.
    text.fill(QChar(0));
    m_pin->setText(QString(m_pin->text().size(), QChar(0)));
    m_pin->clear();
    QDialog::accept();
    emit pinEntered(std::move(pin));
}

void PinDialog::done(int result)
{
    m_pin->clear();
    QDialog::done(result);
}

} // namespace stint::ui
