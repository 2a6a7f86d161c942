// SPDX-License-Identifier: GPL-3.0-or-later
// stint: the desktop app, and with a subcommand its command line. Wiring and process hardening only; everything else
// lives in services/client, ui/ and app/desktop/cli.
#include "DesktopApp.h"
#include "cli/CommandLine.h"
#include "cli/Terminal.h"
#include "core/ProcessHardening.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>

#include <memory>

int main(int argc, char* argv[])
{
    QElapsedTimer started;
    started.start();
    // First thing: no core dumps, not dumpable (no ptrace by the same user), private files. The checkout credentials
    // additionally live in locked, non-dumpable pages (client::LockedSecret, held by CredentialKeeper).
    stint::process::hardenProcess();

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    if (stint::cli::wantsCommandLine(arguments)) {
        // The command line (docs/cli.md): no window; a GUI application object only for the clipboard and the browser.
        std::unique_ptr<QCoreApplication> app = stint::cli::wantsGui(arguments)
            ? std::make_unique<QGuiApplication>(argc, argv)
            : std::make_unique<QCoreApplication>(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("stint"));
        QCoreApplication::setApplicationVersion(QStringLiteral(STINT_VERSION));
        stint::cli::installInterruptHandler();
        return stint::cli::run(arguments);
    }

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
