#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the Debian packages from a configured build directory and checks them as a distribution would:
# lintian (no errors; warnings are printed), desktop-file-validate on the .desktop entry, appstreamcli validate on
# the metainfo, systemd-analyze verify on the unit (against the package's own file tree), and that each package
# holds what it must.
# Usage: check-packages.sh BUILD_DIR
set -eu
build=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/stint-packages.XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack dpkg-deb lintian desktop-file-validate appstreamcli systemd-analyze; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup.sh installs it)"
done

echo "== cpack"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
desktop_deb=$(ls "$work"/out/stint_*.deb)
cloud_deb=$(ls "$work"/out/stint-cloud_*.deb)
echo "built $(basename "$desktop_deb") $(basename "$cloud_deb")"

for deb in "$desktop_deb" "$cloud_deb"; do
    name=$(basename "$deb")
    mkdir -p "$work/root-$name"
    dpkg-deb -x "$deb" "$work/root-$name"
    dpkg-deb -c "$deb" >"$work/contents-$name"
done
has() { grep -q " \./$2\$" "$work/contents-$(basename "$1")" || fail "$(basename "$1") lacks /$2"; }
has "$desktop_deb" usr/bin/stint
has "$desktop_deb" usr/share/applications/io.stint.Stint.desktop
has "$desktop_deb" usr/share/metainfo/io.stint.Stint.metainfo.xml
has "$desktop_deb" usr/share/icons/hicolor/scalable/apps/io.stint.Stint.svg
has "$desktop_deb" usr/share/man/man1/stint.1.gz
has "$desktop_deb" usr/share/doc/stint/copyright
has "$cloud_deb" usr/bin/stint-cloud
has "$cloud_deb" lib/systemd/system/stint-cloud.service
has "$cloud_deb" usr/lib/sysusers.d/stint-cloud.conf
has "$cloud_deb" usr/share/man/man1/stint-cloud.1.gz
has "$cloud_deb" usr/share/doc/stint-cloud/copyright
echo "contents: ok"

echo "== lintian"
# Errors fail; warnings and notes are shown. (As root lintian says it would rather not: harmless here.)
status=0
lintian --tag-display-limit 0 --fail-on error --display-level ">=info" "$desktop_deb" "$cloud_deb" >"$work/lintian.log" 2>&1 \
    || status=$?
grep -v "running with root privileges" "$work/lintian.log" || true
[ "$status" -eq 0 ] || fail "lintian found errors (above)"

echo "== desktop-file-validate"
desktop-file-validate "$work/root-$(basename "$desktop_deb")/usr/share/applications/io.stint.Stint.desktop" \
    || fail "desktop-file-validate"

echo "== appstreamcli validate"
appstreamcli validate --no-net --explain "$work/root-$(basename "$desktop_deb")/usr/share/metainfo/io.stint.Stint.metainfo.xml" \
    || fail "appstreamcli validate"

echo "== systemd-analyze verify"
root="$work/root-$(basename "$cloud_deb")"
# The unit as packaged, except that ExecStart points at the packaged binary (this machine has no /usr/bin/stint-cloud);
# the man page named in Documentation= is checked above as part of the package, not with man(1).
mkdir -p "$work/unit"
sed "s|/usr/bin/stint-cloud|$root/usr/bin/stint-cloud|" "$root/lib/systemd/system/stint-cloud.service" \
    >"$work/unit/stint-cloud.service"
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$work/unit/stint-cloud.service" >"$work/verify.log" 2>&1 || true
cat "$work/verify.log"
if grep -Eiv "(Failed to (connect|open).*(bus|private)|dbus|bus unavailable)" "$work/verify.log" | grep -Eq "\S"; then
    fail "systemd-analyze verify reported problems (above)"
fi
echo "== systemd-analyze security"
# The sandbox must stay tight: systemd's own exposure score (0 best, 10 worst) at most 2.0.
exposure=$(systemd-analyze security --offline=yes --no-pager "$work/unit/stint-cloud.service" 2>/dev/null \
    | sed -n 's/.*Overall exposure level for stint-cloud.service: \([0-9.]*\).*/\1/p')
echo "exposure level: ${exposure:-unknown}"
[ -n "$exposure" ] || fail "systemd-analyze security gave no exposure level"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "the unit's exposure level $exposure is above 2.0"
echo "packages: ok"
