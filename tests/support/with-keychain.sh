#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command with a keychain of its own: a private HOME, a private D-Bus session and an unlocked gnome-keyring
# holding only the Secret Service, so that tests using the real keychain run side by side without sharing one
# (toolchain.md: under xvfb-run without its own bus the keyring would wait for an unlock prompt).
# Usage: with-keychain.sh COMMAND [ARGS…]
set -eu
HOME=$(mktemp -d "${TMPDIR:-/tmp}/stint-keychain.XXXXXX")
export HOME
export XDG_RUNTIME_DIR="$HOME/run" XDG_DATA_HOME="$HOME/data" XDG_CONFIG_HOME="$HOME/config"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
trap 'rm -rf "$HOME"' EXIT
status=0
dbus-run-session -- sh -c 'printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' \
    sh "$@" || status=$?
exit "$status"
