#!/bin/sh
# Runs ikond in the foreground on its embedded defaults with the Musterland
# example data loaded: what the README's first Quick start command ends in.
#
#   tests/data/demo.sh [BUILD_DIR]      (default: build)
#
# Ctrl-C stops the daemon.  Data stays in the state directory, so a second
# run starts with what the first one left.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
ikond=$build/daemon/ikond
IKOND_CTL=$build/cli/ikond-ctl
export IKOND_CTL

"$ikond" -n >/dev/null
"$ikond" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null' INT TERM

tries=0
until "$IKOND_CTL" status >/dev/null 2>&1; do
	tries=$((tries + 1))
	if [ $tries -gt 100 ] || ! kill -0 $pid 2>/dev/null; then
		echo "ikond did not start" >&2
		exit 1
	fi
	sleep 0.1
done

if [ "$("$IKOND_CTL" --json committee list)" = "[]" ]; then
	sh "$top/tests/data/musterland.sh"
	echo
	echo "Kalender-Abonnement für die Übersicht (die Adresse wird nur jetzt gezeigt):"
	"$IKOND_CTL" feed add --all
fi
"$IKOND_CTL" status
echo
echo "ikond läuft (PID $pid).  Probieren Sie in einem zweiten Terminal:"
echo "  $IKOND_CTL session list"
echo "  $IKOND_CTL deadline list"
echo "Strg-C beendet den Dienst."
wait $pid
