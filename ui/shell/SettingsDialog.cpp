// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/shell/SettingsDialog.h"

#include "client/HttpTransport.h"
#include "ui/shell/AppSettings.h"
#include "ui/common/Style.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace stint::ui {

SettingsDialog::SettingsDialog(const QUrl& serviceUrl, const QString& language, bool signedIn, QWidget* parent)
    : QDialog(parent)
    , m_serviceUrl(serviceUrl)
    , m_language(language)
    , m_service(new QLineEdit(serviceUrl.toString(), this))
    , m_serviceError(new QLabel(this))
    , m_languages(new QComboBox(this))
    , m_languageNote(new QLabel(this))
    , m_forget(new QPushButton(tr("&Forget saved data…"), this))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Stint settings"));

    // The service.
    auto* serviceBox = new QGroupBox(tr("Stint service"), this);
    m_service->setObjectName(QStringLiteral("settingsService"));
    m_service->setAccessibleName(tr("Stint service address"));
    m_service->setAccessibleDescription(tr("https address of your Stint service; plain http only for a service on "
                                           "this computer."));
    m_service->setPlaceholderText(QStringLiteral("https://stint.example.net"));
    m_serviceError->setObjectName(QStringLiteral("settingsServiceError"));
    m_serviceError->setWordWrap(true);
    style::setRole(m_serviceError, "danger");
    m_serviceError->hide();
    auto* serviceNote = new QLabel(signedIn ? tr("Changing it signs you in to the other service; your session here "
                                                 "is kept for when you come back.")
                                            : tr("The address your administrator gave you."),
                                   this);
    serviceNote->setWordWrap(true);
    style::setRole(serviceNote, "muted");
    auto* serviceForm = new QFormLayout(serviceBox);
    auto* serviceLabel = new QLabel(tr("&Address"), this);
    serviceLabel->setBuddy(m_service);
    serviceForm->addRow(serviceLabel, m_service);
    serviceForm->addRow(QString(), m_serviceError);
    serviceForm->addRow(QString(), serviceNote);

    // The language.
    auto* languageBox = new QGroupBox(tr("Language"), this);
    m_languages->setObjectName(QStringLiteral("settingsLanguage"));
    m_languages->setAccessibleName(tr("Language"));
    m_languages->addItem(tr("System default"), QString());
    m_languages->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_languages->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_languages->setCurrentIndex(qMax(0, m_languages->findData(language)));
    m_languageNote->setObjectName(QStringLiteral("settingsLanguageNote"));
    m_languageNote->setText(tr("A new language applies when Stint next starts."));
    m_languageNote->setWordWrap(true);
    style::setRole(m_languageNote, "muted");
    auto* languageForm = new QFormLayout(languageBox);
    auto* languageLabel = new QLabel(tr("&Show Stint in"), this);
    languageLabel->setBuddy(m_languages);
    languageForm->addRow(languageLabel, m_languages);
    languageForm->addRow(QString(), m_languageNote);

    // The saved data.
    auto* dataBox = new QGroupBox(tr("Saved data"), this);
    auto* dataText = new QLabel(tr("Stint keeps an encrypted copy of what you may see on this computer, so that it "
                                   "opens at once and still shows your access when the service cannot be reached. "
                                   "Passwords are never saved."),
                                this);
    dataText->setWordWrap(true);
    style::setRole(dataText, "muted");
    m_forget->setObjectName(QStringLiteral("settingsForget"));
    m_forget->setAccessibleDescription(tr("Deletes the saved copy on this computer; Stint fetches it again."));
    m_forget->setEnabled(signedIn);
    style::setRole(m_forget, "danger");
    auto* dataLayout = new QVBoxLayout(dataBox);
    dataLayout->addWidget(dataText);
    dataLayout->addWidget(m_forget, 0, Qt::AlignLeft);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("settingsOk"));
    style::setRole(buttons->button(QDialogButtonBox::Ok), "primary");
    buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("settingsCancel"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    connect(m_forget, &QPushButton::clicked, this, &SettingsDialog::confirmForget);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(style::kMargin * 2, style::kMargin * 2, style::kMargin * 2, style::kMargin);
    layout->setSpacing(style::kGap * 2);
    layout->addWidget(serviceBox);
    layout->addWidget(languageBox);
    layout->addWidget(dataBox);
    layout->addStretch(1);
    layout->addWidget(buttons);
    setMinimumWidth(520);
}

QString SettingsDialog::serviceError() const
{
    return m_serviceError->isHidden() ? QString() : m_serviceError->text();
}

void SettingsDialog::accept()
{
    const QString text = m_service->text().trimmed();
    const QUrl url = AppSettings::serviceUrlFromText(text);
    QString why;
    if (text.isEmpty() || !client::HttpTransport::acceptableBaseUrl(url, &why)) {
        m_serviceError->setText(text.isEmpty() ? tr("Enter the address of your Stint service.")
                                               : tr("This address cannot be used: %1").arg(why));
        m_serviceError->show();
        m_service->setFocus();
        return;
    }
    const QString language = m_languages->currentData().toString();
    QDialog::accept();
    if (language != m_language)
        emit languageChanged(language);
    if (url != m_serviceUrl)
        emit serviceChanged(url);
}

void SettingsDialog::confirmForget()
{
    if (!m_confirm) {
        m_confirm = new QMessageBox(QMessageBox::Warning, tr("Forget saved data?"),
                                    tr("Stint deletes its saved copy on this computer and fetches everything again "
                                       "from the service. Until that finishes, nothing is shown if the service cannot "
                                       "be reached. Your access and your session are not affected."),
                                    QMessageBox::Cancel, this);
        m_confirm->setObjectName(QStringLiteral("confirmForget"));
        QPushButton* forget = m_confirm->addButton(tr("&Forget saved data"), QMessageBox::DestructiveRole);
        forget->setObjectName(QStringLiteral("confirmForgetButton"));
        m_confirm->setDefaultButton(QMessageBox::Cancel);
        connect(m_confirm, &QMessageBox::buttonClicked, this, [this, forget](QAbstractButton* clicked) {
            if (clicked == forget) {
                emit forgetSavedDataRequested();
                m_forget->setEnabled(false);
                m_forget->setText(tr("Saved data forgotten"));
            }
        });
    }
    m_confirm->open();
}

} // namespace stint::ui
