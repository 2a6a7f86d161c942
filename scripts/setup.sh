#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what a fresh Debian 12 machine lacks for building, running and testing Stint, then configures and builds.
# Usage: scripts/setup.sh [BUILD_DIR] [extra cmake options…]
# Idempotent: packages already there are not touched, node_modules is reinstalled only when its lock file changed, an
# up-to-date build does nothing. Node.js may come from elsewhere (a newer one is fine); Debian's 18.20 is enough.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${1:-"$here/build"}
shift || true

packages=(
    # Build: compiler, CMake, Qt 6 (Core, Gui, Widgets, Network, Sql, Test in qt6-base-dev), the cloud's libraries.
    build-essential cmake ninja-build pkg-config fonts-dejavu-core ca-certificates git
    qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-websockets-dev qt6-networkauth-dev
    qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
    libsqlcipher-dev sqlcipher libqt6sql6-psql libssl-dev
    # The desktop app: SVG icons, the system keychain (QtKeychain, Secret Service through libsecret), security keys.
    libqt6svg6 qtkeychain-qt6-dev libsecret-1-0 libfido2-dev xdg-utils
    # Qt's own strings in German and other languages (qtbase_de.qm: dialog buttons, context menus).
    qt6-translations-l10n
    # Headless GUI and keychain tests: a virtual display, a private session bus, an unlocked keyring; screenshots.
    xvfb xauth dbus dbus-x11 gnome-keyring imagemagick
    # Packaging checks: dpkg-shlibdeps, lintian, the .desktop entry, the AppStream metainfo, systemd-analyze verify
    # (which works without systemd running).
    dpkg-dev fakeroot lintian desktop-file-utils appstream systemd file
    # End-to-end, interop and benchmark tests.
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
    started=$SECONDS
    sudo_cmd=()
    [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -q
    # Through env: sudo would drop DEBIAN_FRONTEND from the environment.
    "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    echo "setup: ${#missing[@]} packages installed in $((SECONDS - started)) s"
fi

# npm ci when node_modules is missing or was installed from another lock file (a changed pin), else nothing.
npm_ci() {
    local dir=$1 stamp=$1/node_modules/.stint-installed-lock.json
    cmp -s "$dir/package-lock.json" "$stamp" && return 0
    local started=$SECONDS
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$stamp"
    echo "setup: npm ci in ${dir#"$here"/} took $((SECONDS - started)) s"
}
# The end-to-end tests drive Debian's Chromium with playwright-core (which downloads no browser).
npm_ci "$here/tests/e2e"
# TestTokenInterop gets tokens from a real authorization server: oidc-provider, pinned in its own lock file.
npm_ci "$here/tests/interop/oidc-provider"

started=$SECONDS
cmake -S "$here" -B "$build_dir" -G Ninja "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
echo "setup: ${build_dir#"$here"/} configured and built in $((SECONDS - started)) s"
