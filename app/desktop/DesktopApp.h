// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "QSettingsStore.h"
#include "client/SecretStore.h"
#include "core/Clock.h"
#include "ui/shell/AppSettings.h"
#include "ui/shell/QtDesktop.h"

#include <QElapsedTimer>
#include <QObject>
#include <memory>

class QApplication;

namespace stint::ui {
class Shell;
}

namespace stint::desktop {

// The composition root of the desktop app: the real clock, settings, keychain and desktop, the factory that builds
// the real services for a Stint service address, and the shell (window, tray, notifications) on top. main() stays
// short; GUI tests build the same shell with fakes (tests/gui/TestShell*.cpp).
class DesktopApp : public QObject
{
    Q_OBJECT
public:
    // `started`: running since the process began, for the "usable after N ms" line.
    DesktopApp(QApplication& app, QString version, QElapsedTimer started);
    ~DesktopApp() override;

    void start();
    ui::Shell& shell() { return *m_shell; }

    // Installs the translations for `language` ("" follows the system): Stint's own from the resources, Qt's from
    // its installation. Done before any widget exists: the views are built in one language.
    static void installTranslations(QApplication& app, const QString& language);

private:
    QApplication& m_app;
    QElapsedTimer m_started;
    SystemClock m_clock;
    QSettingsStore m_store;
    ui::AppSettings m_settings;
    client::KeychainSecretStore m_secrets;
    ui::QtDesktop m_desktop;
    std::unique_ptr<ui::Shell> m_shell;
};

} // namespace stint::desktop
