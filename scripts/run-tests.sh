#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sets up, builds (warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer) and runs every test.
# Usage: scripts/run-tests.sh [ctest options…]     e.g. scripts/run-tests.sh -L unit
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$here/build-tests"
"$here/scripts/setup.sh" "$build" -DCMAKE_BUILD_TYPE=Debug -DSTINT_WERROR=ON -DSTINT_SANITIZE=ON

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/tests/support/lsan.supp}
export QT_QPA_PLATFORM=offscreen
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600 "$@"
