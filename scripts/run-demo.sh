#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets up, builds and runs Stint locally: entra-sim playing Microsoft Entra ID and Graph with the demo world
# (tests/entra-sim/scenarios/demo.json: Northwind MSP's multi-tenant app, customers Contoso and Fabrikam), and the
# cloud service on an embedded encrypted store pointed at it, with a first admin.
# Usage: scripts/run-demo.sh            (data in ./.stint-demo; Ctrl-C stops both)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh" "$here/build"

data=${STINT_DEMO_DIR:-"$here/.stint-demo"}
port=${STINT_DEMO_PORT:-8443}
cloud="$here/build/bin/stint-cloud"
if [[ ! -f "$data/stint.db" ]]; then
    "$cloud" init --data-dir "$data" --org "Demo MSP" --admin admin@demo-msp.test --listen "127.0.0.1:$port"
else
    echo "Using the existing demo data in $data. For a fresh enrollment link:"
    echo "  $cloud invite --data-dir $data --org <org id> --email you@demo-msp.test --role admin"
fi
# The simulator: the demo world, on a port of its own (Ctrl-C or the end of this script stops it).
sim_port=${STINT_DEMO_SIM_PORT:-8444}
scenario="$here/tests/entra-sim/scenarios/demo.json"
"$here/build/bin/entra-sim" --port "$sim_port" --scenario "$scenario" > "$data/entra-sim.log" 2>&1 &
sim_pid=$!
cloud_pid=
stop() {
    [[ -n "$cloud_pid" ]] && kill "$cloud_pid" 2>/dev/null || true
    kill "$sim_pid" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT INT TERM
for _ in $(seq 1 100); do
    grep -q "entra-sim ready on" "$data/entra-sim.log" 2>/dev/null && break
    kill -0 "$sim_pid" 2>/dev/null || { cat "$data/entra-sim.log" >&2; exit 1; }
    sleep 0.1
done
grep -q "entra-sim ready on" "$data/entra-sim.log" || { echo "entra-sim did not start" >&2; cat "$data/entra-sim.log" >&2; exit 1; }
sim="http://127.0.0.1:$sim_port"

# The MSP's multi-tenant app of the demo world. Its secret is the scenario's, for this demo only; the service takes
# secrets from a 0600 file, never from flags.
app_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["apps"][0]["clientId"])' "$scenario")
secret_file="$data/demo-app.secret"
(umask 077; python3 -c 'import json,sys; sys.stdout.write(json.load(open(sys.argv[1]))["apps"][0]["secrets"][0]["value"])' "$scenario" > "$secret_file")

echo
echo "Open the link above in Chromium or Firefox to create the admin's passkey, then sign in at"
echo "  http://localhost:$port/signin"
echo "entra-sim plays Microsoft at $sim (customers: contoso.com, fabrikam.com; their admins' demo passwords are in"
echo "  $scenario)."
echo
"$cloud" serve --data-dir "$data" --listen "127.0.0.1:$port" \
    --entra-global-authority "$sim" --entra-global-graph "$sim" \
    --entra-graph-resource https://graph.microsoft.com \
    --entra-app-client-id "$app_id" --entra-app-client-secret-file "$secret_file" &
cloud_pid=$!
wait "$cloud_pid"
