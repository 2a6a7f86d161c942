// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QUrl>

// About Stint: the icon, the version, what it is, the service it talks to, the licence and the Qt version — what a
// person or a support desk asks for first.
namespace stint::ui {

class AboutDialog : public QDialog
{
    Q_OBJECT
public:
    AboutDialog(const QString& version, const QUrl& serviceUrl, QWidget* parent = nullptr);
};

} // namespace stint::ui
