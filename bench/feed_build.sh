#!/bin/sh
# Time to build a 30,000-event feed with ics_build(), beside libical's own
# component tree for the same events.  Target: well under 150 ms.
#
#   bench/feed_build.sh [BUILD_DIR]        (default: build; a release build
#                                           without sanitizers gives the real figure)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
exec "$build/tests/feed_build" "${BENCH_EVENTS:-30000}"
