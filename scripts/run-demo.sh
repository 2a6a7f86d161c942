#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole product on this machine, with nothing to do by hand: installs what is missing and builds (scripts/setup.sh),
# starts entra-sim playing Microsoft Entra ID and Graph with the demo world (customers Contoso and Fabrikam), starts
# stint-cloud on an embedded encrypted store pointed at it, seeds a demo organization through the real API (an admin,
# technicians, Contoso connected by admin consent with access policies, Fabrikam waiting to be connected), then:
#   - with a display: opens the desktop app `stint`, signed in as the technician Ada;
#   - without one: says so, and runs the same story through stint's command line (request → ready → credential → end).
# Everything the demo writes — the service's data and master key, the app's settings and saved data, a keychain of its
# own — stays in one directory (default ./.stint-demo, ignored by git), made afresh on every run.
#
# Usage: scripts/run-demo.sh            Ctrl-C (or closing the app) stops everything.
# Environment: STINT_DEMO_DIR, STINT_DEMO_PORT (8443), STINT_DEMO_SIM_PORT (8444),
#              STINT_DEMO_NO_WINDOW=1 (the command-line story even with a display),
#              STINT_DEMO_EXIT=1 (stop after the story instead of serving until Ctrl-C),
#              STINT_DEMO_TOUR=DIR (instead of the app: the screenshot tour into DIR; scripts/screenshots.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin="$here/build/bin"
data=${STINT_DEMO_DIR:-"$here/.stint-demo"}
port=${STINT_DEMO_PORT:-8443}
sim_port=${STINT_DEMO_SIM_PORT:-8444}
scenario="$here/tests/entra-sim/scenarios/demo.json"
cloud_url="http://localhost:$port"

# --- inside the demo's own D-Bus session (see the end): keychain, seed, then the app or the story ---
if [[ ${1:-} == --in-session ]]; then
    # A keychain of the demo's own, unlocked, in the demo directory.
    printf demo | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 &
    for _ in $(seq 1 100); do
        dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
            string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
        sleep 0.1
    done
    invite=$(sed -n 's/.*#invite=//p' "$data/init.log" | head -n 1)
    echo
    echo "== Seeding the demo organization"
    seed_options=()
    # The screenshot tour (scripts/screenshots.sh) photographs both views: Dana Admin signed in, an approval waiting.
    [[ -n ${STINT_DEMO_TOUR:-} ]] && seed_options=(--sign-in-as dana --pending-approval)
    "$bin/stint-demo-seed" --cloud-port "$port" --sim-port "$sim_port" --invite "$invite" --scenario "$scenario" \
        "${seed_options[@]}"
    echo
    if [[ -n ${STINT_DEMO_TOUR:-} ]]; then
        echo "== The screenshot tour: the app's main screens, photographed into $STINT_DEMO_TOUR"
        exec "$bin/stint-screenshot-tour" --out "$STINT_DEMO_TOUR"
    fi
    if [[ -z ${STINT_DEMO_NO_WINDOW:-} && ( -n ${DISPLAY:-} || -n ${WAYLAND_DISPLAY:-} ) ]]; then
        echo "== Opening Stint, signed in as Ada Lovelace (technician). Close it (or Ctrl-C) to stop the demo."
        "$bin/stint"
        exit 0
    fi
    echo "== No display here (or STINT_DEMO_NO_WINDOW is set): the same story through stint's command line."
    step() {
        echo
        echo "\$ stint $*"
        "$bin/stint" "$@"
    }
    export STINT_CLOUD=$cloud_url
    step whoami
    step tenants
    step request Contoso --role "User Administrator" --minutes 30 --justification "Demo: reset a user's MFA" --wait
    step status
    step launch Contoso entra
    step end Contoso
    echo
    echo "Access is being taken away: the account's roles are removed, its sessions revoked and it is disabled."
    for _ in $(seq 1 100); do
        "$bin/stint" status | grep -q "No open requests" && break
        sleep 0.2
    done
    step status
    exit 0
fi

# --- outside: build, fresh data, the two services ---
"$here/scripts/setup.sh" "$here/build"

rm -rf "$data"
mkdir -p -m 0700 "$data"
export XDG_CONFIG_HOME="$data/config" XDG_DATA_HOME="$data/data" XDG_CACHE_HOME="$data/cache"
export XDG_RUNTIME_DIR="$data/run"
mkdir -p -m 0700 "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"

"$bin/stint-cloud" init --data-dir "$data/cloud" --org "Demo MSP" --admin admin@demo-msp.test \
    --listen "127.0.0.1:$port" >"$data/init.log"

sim_pid=
cloud_pid=
stop() {
    [[ -n $cloud_pid ]] && kill "$cloud_pid" 2>/dev/null || true
    [[ -n $sim_pid ]] && kill "$sim_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM

wait_for() { # LOG PID LINE
    for _ in $(seq 1 200); do
        grep -q "$3" "$1" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || { cat "$1" >&2; return 1; }
        sleep 0.1
    done
    echo "run-demo: no \"$3\" in $1" >&2
    cat "$1" >&2
    return 1
}

"$bin/entra-sim" --port "$sim_port" --scenario "$scenario" >"$data/entra-sim.log" 2>&1 &
sim_pid=$!
wait_for "$data/entra-sim.log" "$sim_pid" "entra-sim ready on"
sim="http://127.0.0.1:$sim_port"

# The MSP's multi-tenant app of the demo world. Its secret is the scenario's, for this demo only; the service takes
# secrets from a 0600 file, never from flags.
app_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apps"][0]["clientId"])' "$scenario")
secret_file="$data/demo-app.secret"
(umask 077; python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["apps"][0]["secrets"][0]["value"])' \
    "$scenario" >"$secret_file")

"$bin/stint-cloud" serve --data-dir "$data/cloud" --listen "127.0.0.1:$port" \
    --entra-global-authority "$sim" --entra-global-graph "$sim" \
    --entra-graph-resource https://graph.microsoft.com \
    --entra-app-client-id "$app_id" --entra-app-client-secret-file "$secret_file" >"$data/stint-cloud.log" 2>&1 &
cloud_pid=$!
wait_for "$data/stint-cloud.log" "$cloud_pid" "ready on"

echo "Stint is running on $cloud_url (log: $data/stint-cloud.log); entra-sim plays Microsoft at $sim"
echo "(customers contoso.com and fabrikam.com; their admins' demo passwords are in $scenario)."

# The rest runs in a D-Bus session of the demo's own, so its keychain is not yours.
dbus-run-session -- "$0" --in-session

if [[ -z ${STINT_DEMO_EXIT:-} ]]; then
    echo
    echo "The service keeps running for you to explore: the API at $cloud_url/v1 (docs/api.md), the sign-in page at"
    echo "$cloud_url/signin. Ctrl-C stops it."
    wait "$cloud_pid"
fi
