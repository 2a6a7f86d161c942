// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/Crypto.h"

#include <QString>

#include <optional>

class QEventLoop;

// The terminal, in the one place where the command line touches it: messages on stderr, results on stdout, and a PIN
// read without echo. Platform bits (termios) live in Terminal.cpp.
namespace stint::cli::terminal {

void out(const QString& text);        // stdout, with a newline
void err(const QString& text);        // stderr, with a newline
void outBytes(QByteArrayView bytes);  // stdout, as they are (secrets: nothing is kept)
bool stdinIsTerminal();
bool stderrIsTerminal();
// Reads one line from the terminal without echoing it (the PIN of a security key). nullopt when stdin is not a
// terminal or reading failed.
std::optional<crypto::SecretBytes> readSecretLine(const QString& prompt);
// Reads one line from stdin as it is (--pin-stdin), without the line end.
std::optional<crypto::SecretBytes> readStdinLine();

} // namespace stint::cli::terminal

namespace stint::cli {

// Ctrl-C (SIGINT) and SIGTERM end the command cleanly: every event loop a command waits in (registered with
// InterruptibleLoop) exits with 130, so the command can clean up (clear the clipboard) and exit with kInterrupted.
void installInterruptHandler();

class InterruptibleLoop
{
public:
    explicit InterruptibleLoop(QEventLoop& loop);
    ~InterruptibleLoop();
    InterruptibleLoop(const InterruptibleLoop&) = delete;
    InterruptibleLoop& operator=(const InterruptibleLoop&) = delete;
};

} // namespace stint::cli
