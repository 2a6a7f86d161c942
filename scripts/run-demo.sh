#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets up, builds and runs Stint locally: the cloud service on an embedded encrypted store, with a first admin.
# Usage: scripts/run-demo.sh            (data in ./.stint-demo; Ctrl-C stops the service)
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
echo
echo "Open the link above in Chromium or Firefox to create the admin's passkey, then sign in at"
echo "  http://localhost:$port/signin"
echo
exec "$cloud" serve --data-dir "$data" --listen "127.0.0.1:$port"
