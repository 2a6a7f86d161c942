// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QPointer>
#include <QUrl>

class QComboBox;
class QLabel;
class QLineEdit;
class QMessageBox;
class QPushButton;

// Settings: the Stint service's address (checked before it is taken; a new one means signing in there), the language
// (English or German, applied when Stint next starts — the views are built once, in the language of the start), and
// the encrypted saved data on this computer ("Forget saved data", behind a confirmation that says what happens).
// Opened with open(); what the person chose comes out as signals when they press OK.
namespace stint::ui {

class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(const QUrl& serviceUrl, const QString& language, bool signedIn, QWidget* parent = nullptr);

    QString serviceError() const;

signals:
    void serviceChanged(const QUrl& url);
    void languageChanged(const QString& language);
    void forgetSavedDataRequested();

protected:
    void accept() override;

private:
    void confirmForget();

    QUrl m_serviceUrl;
    QString m_language;
    QLineEdit* m_service;
    QLabel* m_serviceError;
    QComboBox* m_languages;
    QLabel* m_languageNote;
    QPushButton* m_forget;
    QPointer<QMessageBox> m_confirm;
};

} // namespace stint::ui
