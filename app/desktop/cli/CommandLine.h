// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

// `stint <command>`: the desktop app's client without a window, for people at a terminal and for scripts (bash,
// PowerShell). The same services/client code as the window: the session from the keychain, the typed API, the live
// channel, the security key. Results go to stdout (with --json as one JSON document), messages to stderr; the exit
// code says what happened (cli/ExitCodes.h).
namespace stint::cli {

// True when the arguments name a command (or ask for --help/--version): main() then runs the command line instead
// of opening the window.
bool wantsCommandLine(const QStringList& arguments);

// Runs one command; the application object must exist (QCoreApplication, or QGuiApplication for --copy and launch).
int run(const QStringList& arguments);

// Whether the command needs a QGuiApplication (clipboard, opening the browser) when a display is there.
bool wantsGui(const QStringList& arguments);

} // namespace stint::cli
