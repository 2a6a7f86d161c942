// SPDX-License-Identifier: GPL-3.0-or-later
// stint: the desktop app. Wiring and process hardening only; everything else lives in services/client and ui/.
#include "DesktopApp.h"
#include "core/ProcessHardening.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>

int main(int argc, char* argv[])
{
    QElapsedTimer started;
    started.start();
    // First thing: no core dumps, not dumpable (no ptrace by the same user), private files. The checkout credentials
    // additionally live in locked, non-dumpable pages (client::LockedSecret, held by CredentialKeeper).
    stint::process::hardenProcess();

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("stint"));
    QApplication::setApplicationDisplayName(QStringLiteral("Stint"));
    QApplication::setApplicationVersion(QStringLiteral(STINT_VERSION));
    // The app id: the desktop entry (io.stint.Stint.desktop) and the icon carry it; Wayland matches windows by it.
    QApplication::setDesktopFileName(QStringLiteral("io.stint.Stint"));

    QCommandLineParser options;
    options.setApplicationDescription(
        QStringLiteral("Stint: just-in-time admin access to Microsoft Entra ID tenants."));
    options.addHelpOption();
    options.addVersionOption();
    options.process(app);

    stint::process::quitOnTerminationSignals();
    stint::desktop::DesktopApp desktop(app, QStringLiteral(STINT_VERSION), started);
    desktop.start();
    return app.exec();
}
