#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what a fresh Debian 12 machine lacks for building, running and testing Stint, then configures and builds.
# Usage: scripts/setup.sh [BUILD_DIR] [extra cmake options…]
# Idempotent: packages already there are not touched; an up-to-date build does nothing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-"$here/build"}
shift || true

packages=(
    build-essential cmake ninja-build pkg-config fonts-dejavu-core ca-certificates
    qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev qt6-networkauth-dev
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qtkeychain-qt6-dev
    libsqlcipher-dev sqlcipher libqt6sql6-psql libfido2-dev libssl-dev
    xvfb xauth dbus-x11 gnome-keyring libsecret-1-0
    chromium chromium-driver nodejs npm wrk curl python3
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node may come from elsewhere than Debian (a newer one is fine): only ask apt for it when there is none.
if command -v node >/dev/null && command -v npm >/dev/null; then
    filtered=()
    for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || filtered+=("$p"); done
    missing=("${filtered[@]+"${filtered[@]}"}")
fi
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The end-to-end tests drive Debian's Chromium with playwright-core (which downloads no browser).
if [[ ! -d "$here/tests/e2e/node_modules/playwright-core" ]]; then
    (cd "$here/tests/e2e" && npm ci --no-audit --no-fund --loglevel=error)
fi
# TestTokenInterop gets tokens from a real authorization server: oidc-provider, pinned in its own lock file.
if [[ ! -f "$here/tests/interop/oidc-provider/node_modules/oidc-provider/package.json" ]]; then
    (cd "$here/tests/interop/oidc-provider" && npm ci --no-audit --no-fund --loglevel=error)
fi

cmake -S "$here" -B "$build_dir" -G Ninja "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
