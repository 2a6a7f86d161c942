#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Proves that the README's two commands work on a plain Debian 12: debootstraps a minimal bookworm (minbase, nothing
# added) into a temporary directory, gives it this machine's Debian mirror, CA certificates and npm `cafile` (the
# registries are reached through them), clones a checkout into it and runs there, as a new user would:
#   1. scripts/run-tests.sh [CTEST_ARGS…]  (installs what is missing, builds with sanitizers, runs every test);
#   2. scripts/run-demo.sh, bounded: in a network namespace of its own (loopback only, so the default ports are free
#      whatever runs on this machine), until it has told its story and serves ("Ctrl-C stops it."); then /readyz, the enrollment link and
#      entra-sim must answer, and a Ctrl-C (SIGINT to its process group) must stop everything within 30 s.
# Prints the wall time of each phase; keeps the full logs. Unmounts everything and removes the chroot on exit.
#
# Usage (as root): scripts/check-plain-debian.sh [options] [-- CTEST_ARGS…]
#   --repo DIR     the repository to clone (default: the one holding this script)
#   --rev REV      the revision to check out (default: HEAD of --repo; uncommitted changes are not part of the check)
#   --workdir DIR  where the chroot and logs go (default: a new directory under /var/tmp)
#   --cache DIR    where the debootstrap tarball is kept between runs (default: /var/cache/stint-check-plain-debian)
#   --fresh        download the base system again instead of using the cached tarball
#   --keep         keep the chroot afterwards (still unmounted) to look around in
#   --no-demo / --no-tests   skip one of the two commands
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo=$here
rev=HEAD
workdir=
cache=/var/cache/stint-check-plain-debian
fresh=0
keep=0
run_demo=1
run_tests=1
ctest_args=()
while (($#)); do
    case $1 in
    --repo) repo=$2; shift 2 ;;
    --rev) rev=$2; shift 2 ;;
    --workdir) workdir=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --keep) keep=1; shift ;;
    --no-demo) run_demo=0; shift ;;
    --no-tests) run_tests=0; shift ;;
    --) shift; ctest_args=("$@"); break ;;
    -h | --help) sed -n '3,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check-plain-debian: unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
done

say() { printf '\n=== %s  [%s]\n' "$*" "$(date +%H:%M:%S)"; }
die() { echo "check-plain-debian: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap, chroot and mounts need it)"
for tool in debootstrap chroot unshare ip git findmnt; do
    command -v "$tool" >/dev/null || die "$tool is missing on this machine (apt-get install debootstrap iproute2 git)"
done

suite=bookworm
arch=$(dpkg --print-architecture)
commit=$(git -C "$repo" rev-parse --verify "$rev^{commit}") || die "$rev is not a commit in $repo"
[[ -z $(git -C "$repo" status --porcelain --untracked-files=no 2>/dev/null) ]] ||
    echo "check-plain-debian: note: $repo has uncommitted changes; the check uses commit $commit only"

# This machine's Debian mirrors (deb822 .sources and one-line .list files that apt reads), for the base system and
# for bookworm-security; deb.debian.org when none is found.
mirror_for() {
    local want=$1 file
    for file in /etc/apt/sources.list.d/*.sources; do
        [[ -f $file ]] || continue
        awk -v want="$want" '
            function flush() {
                if (uris != "" && types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " want " ")) {
                    split(uris, u, " "); print u[1]; found = 1; exit
                }
            }
            /^[ \t]*$/ { flush(); uris = ""; suites = ""; types = ""; next }
            /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
            /^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
            /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
            END { if (!found) flush() }' "$file"
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $file ]] || continue
        awk -v want="$want" '$1 == "deb" {
            i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }   # skip [options]
            if ($(i + 1) == want) { print $i; exit }
        }' "$file"
    done
}
mirror=$(mirror_for "$suite" | head -n1)
mirror=${mirror:-http://deb.debian.org/debian}
security=$(mirror_for "$suite-security" | head -n1)
security=${security:-http://deb.debian.org/debian-security}
mirror=${mirror%/}
security=${security%/}

[[ -n $workdir ]] || workdir=$(mktemp -d /var/tmp/stint-plain-debian.XXXXXX)
mkdir -p "$workdir/logs" "$cache"
root=$(realpath -m "$workdir/root")
logs=$workdir/logs
[[ ! -e $root ]] || die "$root exists already: give an empty --workdir"

# ---------------------------------------------------------------------------------------------------------------
# Clean-up: whatever happens, no process of ours is left running in the chroot, nothing stays mounted, and the
# chroot is removed only once nothing is mounted below it.
mounted=()
cleanup() {
    local status=$? pid tries
    set +e
    for tries in 1 2 3; do
        local left=()
        for pid in /proc/[0-9]*; do
            [[ $(readlink "$pid/root" 2>/dev/null) == "$root" ]] && left+=("${pid#/proc/}")
        done
        ((${#left[@]})) || break
        echo "check-plain-debian: stopping processes left in the chroot: ${left[*]}"
        kill -TERM "${left[@]}" 2>/dev/null
        sleep 2
        ((tries < 3)) || kill -KILL "${left[@]}" 2>/dev/null
    done
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" 2>/dev/null ||
            echo "check-plain-debian: could not unmount ${mounted[i]}" >&2
    done
    if findmnt -rn -o TARGET | grep -q "^$root/"; then
        echo "check-plain-debian: something is still mounted below $root; not removing it" >&2
    elif ((keep)); then
        echo "check-plain-debian: the chroot is kept in $root"
    elif [[ -d $root ]]; then
        rm -rf --one-file-system "$root"
    fi
    echo "check-plain-debian: logs in $logs"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_into() { # mount_into TYPE-OR-BIND SOURCE TARGET
    mkdir -p "$3"
    if [[ $1 == rbind ]]; then
        mount --rbind "$2" "$3"
        mount --make-rslave "$3"
    else
        mount -t "$1" "$2" "$3"
    fi
    mounted+=("$3")
}

declare -A took
phase_start=
begin() { say "$*"; phase_start=$SECONDS; }
end() { took[$1]=$((SECONDS - phase_start)); }

# ---------------------------------------------------------------------------------------------------------------
begin "debootstrap --variant=minbase $suite ($arch) from $mirror"
tarball=$cache/debootstrap-$suite-minbase-$arch.tgz
tarball_cached=yes
if ((fresh)) || [[ ! -s $tarball ]]; then
    tarball_cached=no
    rm -rf "$workdir/tarball-scratch"
    debootstrap --variant=minbase --arch="$arch" --make-tarball="$tarball.new" "$suite" "$workdir/tarball-scratch" \
        "$mirror" > "$logs/debootstrap-tarball.log" 2>&1 ||
        { tail -20 "$logs/debootstrap-tarball.log"; die "debootstrap --make-tarball failed"; }
    mv "$tarball.new" "$tarball"
    rm -rf "$workdir/tarball-scratch"
fi
debootstrap --variant=minbase --arch="$arch" --unpack-tarball="$tarball" "$suite" "$root" "$mirror" \
    > "$logs/debootstrap.log" 2>&1 || { tail -20 "$logs/debootstrap.log"; die "debootstrap failed"; }
end debootstrap

# A plain installed bookworm: the main suite, its updates and security, as this machine's apt has them.
rm -f "$root/etc/apt/sources.list"
cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# Name resolution as on this machine; localhost as on any installed Debian.
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
grep -qs localhost "$root/etc/hosts" ||
    printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' > "$root/etc/hosts"
# The CA certificates this machine reaches the registries through: the local ones go where ca-certificates (installed
# by setup.sh) adds them to the bundle; the bundle itself is copied too.
mkdir -p "$root/usr/local/share/ca-certificates" "$root/etc/ssl/certs"
cp -L /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
[[ -f /etc/ssl/certs/ca-certificates.crt ]] && cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
# npm's cafile setting, with the file it names.
cafile=$( (command -v npm >/dev/null && npm config get cafile 2>/dev/null) || true)
[[ -n $cafile && $cafile != null && $cafile != undefined ]] || cafile=/etc/ssl/certs/ca-certificates.crt
if [[ -f $cafile ]]; then
    mkdir -p "$root$(dirname "$cafile")"
    [[ -f $root$cafile ]] || cp -L "$cafile" "$root$cafile"
    echo "cafile=$cafile" > "$root/root/.npmrc"
fi
# No daemons started by package scripts inside the chroot (the usual policy for chroots; no init runs there anyway).
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

mount_into proc proc "$root/proc"
mount_into rbind /sys "$root/sys"
mount_into rbind /dev "$root/dev"

say "git clone $repo at $commit"
git clone -q --no-checkout "$repo" "$root/root/stint"
git -C "$root/root/stint" checkout -q --detach "$commit"
git -C "$root/root/stint" log --oneline -1

# Runs a command in the chroot as a fresh root login would have it.
in_chroot() {
    chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

failed=()
tests_summary="not run"
if ((run_tests)); then
    begin "scripts/run-tests.sh ${ctest_args[*]} (set-up, sanitizer build, every test)"
    status=0
    in_chroot bash -c 'cd /root/stint && exec scripts/run-tests.sh "$@"' run-tests "${ctest_args[@]}" 2>&1 |
        tee "$logs/run-tests.log" || status=$?
    end run-tests
    ((status == 0)) || failed+=("run-tests.sh (exit $status)")
    tests_summary=$(grep -E '^[0-9]+% tests passed' "$logs/run-tests.log" | tail -n1 || true)
    tests_summary=${tests_summary:-"no ctest summary (see $logs/run-tests.log)"}
fi

demo_summary="not run"
if ((run_demo)); then
    begin "scripts/run-demo.sh (bounded: until it serves, then Ctrl-C)"
    # The probe runs inside the chroot, in a network namespace with only loopback: the demo's default ports
    # (8443, 8444) cannot collide with anything on this machine. run-demo.sh's set-up needs no network here when
    # run-tests.sh ran first (everything installed); on its own it would, so then it shares this machine's network.
    netns=(unshare --net sh -c 'ip link set lo up && exec "$@"' netns)
    ((run_tests)) || netns=()
    status=0
    "${netns[@]}" chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash LANG=C.UTF-8 \
        TERM=dumb PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -c '
        set -u
        cd /root/stint
        log=/root/run-demo.log
        setsid scripts/run-demo.sh > "$log" 2>&1 < /dev/null &
        demo=$!
        # Up to 3 h: the first run builds build/ (the demo build) from scratch, which took 103 min on a busy 2-core
        # machine. The demo is ready when it has told its story and says how to stop it.
        ready="Ctrl-C stops it."
        for _ in $(seq 1 108000); do
            grep -qF "$ready" "$log" && break
            kill -0 "$demo" 2>/dev/null || break
            sleep 0.1
        done
        cat "$log"
        echo "--- probe"
        if ! grep -qF "$ready" "$log"; then
            echo "FAIL: run-demo.sh never said it serves (\"$ready\")"; kill -INT -- -"$demo" 2>/dev/null; exit 1
        fi
        ok=1
        link=$(grep -Eo "http://localhost:8443/enroll[^ ]*" "$log" | head -n1)
        code() { curl -s -o /dev/null -w "%{http_code}" --max-time 10 "$1"; }
        r=$(code http://127.0.0.1:8443/readyz); echo "GET /readyz -> $r"; [ "$r" = 200 ] || ok=0
        if [ -n "$link" ]; then r=$(code "$link"); echo "GET the enrollment link -> $r"; [ "$r" = 200 ] || ok=0
        else echo "FAIL: no enrollment link printed"; ok=0; fi
        r=$(code http://127.0.0.1:8444/); echo "entra-sim on :8444 answers HTTP $r"; [ "$r" != 000 ] || ok=0
        echo "--- Ctrl-C (SIGINT to the process group)"
        kill -INT -- -"$demo"
        for _ in $(seq 1 300); do kill -0 -- -"$demo" 2>/dev/null || break; sleep 0.1; done
        if kill -0 -- -"$demo" 2>/dev/null; then
            echo "FAIL: still running 30 s after Ctrl-C"; ps -o pid,args -g "$demo"; kill -KILL -- -"$demo"; ok=0
        else
            echo "stopped: nothing of it left running"
        fi
        [ "$ok" = 1 ]' 2>&1 | tee "$logs/run-demo.log" || status=$?
    end run-demo
    if ((status == 0)); then
        demo_summary="served (/readyz 200, enrollment link 200, entra-sim answered), stopped by Ctrl-C"
    else
        demo_summary="FAILED (see $logs/run-demo.log)"; failed+=("run-demo.sh")
    fi
fi

# ---------------------------------------------------------------------------------------------------------------
node_version=$(in_chroot sh -c 'command -v node >/dev/null && node --version' || echo none)
say "summary (commit $commit, $suite minbase, node $node_version)"
printf '%-34s %6s s\n' "debootstrap (cached tarball: $tarball_cached)" "${took[debootstrap]}"
if ((run_tests)); then
    grep -E '^setup: ' "$logs/run-tests.log" | sed 's/^/  run-tests: /' || true
    grep -E '^Total Test time' "$logs/run-tests.log" | sed 's/^/  run-tests: ctest /' || true
    printf '%-34s %6s s   %s\n' "scripts/run-tests.sh" "${took[run-tests]}" "$tests_summary"
fi
if ((run_demo)); then
    grep -E '^setup: ' "$logs/run-demo.log" | sed 's/^/  run-demo: /' || true
    printf '%-34s %6s s   %s\n' "scripts/run-demo.sh until stopped" "${took[run-demo]}" "$demo_summary"
fi
if ((${#failed[@]})); then
    echo "FAILED: ${failed[*]}"
    exit 1
fi
echo "PASSED: the README's commands work on a plain Debian 12"
