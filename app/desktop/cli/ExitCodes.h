// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The command line's exit codes: stable, documented in `stint --help` and stint(1), so scripts (bash and PowerShell)
// can act on them. Each failure also prints one line on stderr saying what to do (or a JSON error with --json).
namespace stint::cli {

enum ExitCode : int
{
    kOk = 0,
    kFailed = 1,          // the service refused or failed for another reason
    kUsage = 2,           // wrong arguments (see --help)
    kNotSignedIn = 3,     // no session, or it ended: run `stint login`
    kNotFound = 4,        // no such tenant, role or checkout (for you)
    kNotAllowed = 5,      // outside your policy: role not granted, too long, justification or ticket missing
    kUnreachable = 6,     // the service cannot be reached or did not answer
    kNotReady = 7,        // --wait: the request ended without access (denied, failed, cancelled, expired)
    kKeychain = 8,        // the system keychain is not available
    kSignInFailed = 9,    // the security key or browser sign-in did not complete
    kInterrupted = 130,   // Ctrl-C
};

} // namespace stint::cli
