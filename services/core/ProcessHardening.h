// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace stint::process {

// Keeps secrets in this process's memory out of core dumps and away from other processes of the same user
// (no core files, not dumpable, so no ptrace attach without privileges) and makes new files private (umask 077).
// Call first thing in main().
void hardenProcess();

// Turns SIGINT and SIGTERM into a clean QCoreApplication::quit() (through a self-pipe: nothing unsafe runs in the
// signal handler). Call after the application object exists.
void quitOnTerminationSignals();

} // namespace stint::process
