// SPDX-License-Identifier: GPL-3.0-or-later
// stint: the desktop app. Wiring and process hardening only; everything else lives in services/client and ui/.
#include "cli/CommandLine.h"
#include "cli/Terminal.h"
#include "core/ProcessHardening.h"

#include <QApplication>

#include <memory>

int main(int argc, char* argv[])
{
    stint::process::hardenProcess();
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    if (stint::cli::wantsCommandLine(arguments)) {
        // The command line: no window; a GUI application object only for the clipboard and the browser.
        std::unique_ptr<QCoreApplication> app = stint::cli::wantsGui(arguments)
            ? std::make_unique<QGuiApplication>(argc, argv)
            : std::make_unique<QCoreApplication>(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("stint"));
        stint::cli::installInterruptHandler();
        return stint::cli::run(arguments);
    }
    QApplication app(argc, argv);
    return 0;
}
