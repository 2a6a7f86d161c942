#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's pictures: starts the demo (scripts/run-demo.sh: builds, entra-sim, stint-cloud, the demo organization)
# under Xvfb, and instead of opening the app for a person, runs the screenshot tour (tests/demo/ScreenshotTour.cpp):
# the real app driven through its main screens — the technician's tenants, the request dialog, a live checkout, the
# admin's connection health, approvals, live checkouts, the audit log, the sign-in page — each saved as a PNG.
#
# Usage: scripts/screenshots.sh [DIR]      (default: docs/screenshots)
# Runs beside a demo you may have open: its own data directory and ports (STINT_DEMO_DIR, STINT_DEMO_PORT,
# STINT_DEMO_SIM_PORT override them).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(realpath -m "${1:-$here/docs/screenshots}")
mkdir -p "$out"

export STINT_DEMO_TOUR="$out" STINT_DEMO_EXIT=1
export STINT_DEMO_DIR=${STINT_DEMO_DIR:-"$here/.stint-demo-screenshots"}
export STINT_DEMO_PORT=${STINT_DEMO_PORT:-8453} STINT_DEMO_SIM_PORT=${STINT_DEMO_SIM_PORT:-8454}
# One screen the size of the window: the pictures are what the X server shows.
export QT_QPA_PLATFORM=xcb QT_SCALE_FACTOR=1 LANG=${STINT_SCREENSHOT_LANG:-C.UTF-8}
exec xvfb-run -a -s "-screen 0 1280x800x24 -dpi 96" "$here/scripts/run-demo.sh"
