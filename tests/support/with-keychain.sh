#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command with a keychain of its own: a private HOME, a private D-Bus session and an unlocked gnome-keyring
# holding only the Secret Service, so that tests using the real keychain run side by side (ctest -j) without sharing
# one (toolchain.md: under xvfb-run without its own bus the keyring would wait for an unlock prompt).
# The daemon runs in the foreground as this script's child: it is stopped when the command ends (a daemonized one
# that had not reached the bus yet outlived it), and the command starts only once the Secret Service is on the bus
# (a call before that would D-Bus-activate a second daemon, locked, waiting for a prompt nobody answers).
# Usage: with-keychain.sh COMMAND [ARGS…]
set -eu
HOME=$(mktemp -d "${TMPDIR:-/tmp}/stint-keychain.XXXXXX")
export HOME
export XDG_RUNTIME_DIR="$HOME/run" XDG_DATA_HOME="$HOME/data" XDG_CONFIG_HOME="$HOME/config"
mkdir -m 700 -p "$XDG_RUNTIME_DIR"
trap 'rm -rf "$HOME"' EXIT
status=0
dbus-run-session -- sh -c '
    printf pw | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
    keyring=$!
    if ! gdbus wait --session --timeout 20 org.freedesktop.secrets; then
        kill "$keyring" 2>/dev/null || true
        echo "with-keychain.sh: gnome-keyring-daemon did not offer the Secret Service" >&2
        exit 1
    fi
    status=0
    "$@" || status=$?
    kill "$keyring" 2>/dev/null || true
    wait "$keyring" 2>/dev/null || true
    exit "$status"
' sh "$@" || status=$?
exit "$status"
