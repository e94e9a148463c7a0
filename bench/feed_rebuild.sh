#!/bin/sh
# The overview feed of a generated data set (about 30,000 events at the
# default fraction 0.03: 1,440 sessions and 30,000 deadlines), built in
# the daemon: the first build at start-up, then the rebuild after one
# change (a session renamed; only the changed rows are collected again),
# and the daemon's peak RSS afterwards; a time is until the feed can be
# published (its gzip copy follows on the next tick).  Beside the times, the processor time the daemon spent from
# the first change's command until its feed was built, which shared cores
# disturb less than the time it took.  The
# reference is python-icalendar building and serialising the same number
# of events in the same run.
#
#   bench/feed_rebuild.sh BUILD_DIR [FRACTION]
#
# Needs python3, python3-icalendar and sqlite3.
set -eu
build=${1:?usage: feed_rebuild.sh BUILD_DIR [FRACTION]}
fraction=${2:-0.03}
here=$(cd "$(dirname "$0")" && pwd)
ikond=$build/daemon/ikond
ctl=$build/cli/ikond-ctl
for tool in sqlite3 python3; do
	command -v $tool >/dev/null || { echo "feed_rebuild.sh: $tool is missing" >&2; exit 2; }
done
python3 -c 'import icalendar' 2>/dev/null ||
    { echo "feed_rebuild.sh: python3-icalendar is missing" >&2; exit 2; }

dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
c() { "$ctl" --socket "$dir/ctl.sock" --timeout 0 "$@"; }
cat >"$dir/ikond.conf" <<CONF
state_dir = "$dir/state";
control_socket = "$dir/ctl.sock";
http = { listen = "127.0.0.1"; port = $port; base_url = "http://127.0.0.1:$port"; };
reminders = { session = [ ]; deadline = [ ]; window = [ ]; measure = [ ]; evaluation = [ ]; };
CONF
start() {
	"$ikond" -vv -f "$dir/ikond.conf" >>"$dir/ikond.log" 2>&1 &
	pid=$!
	until [ -S "$dir/ctl.sock" ] && c status >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || { cat "$dir/ikond.log" >&2; exit 1; }
		sleep 0.01
	done
}
stop() { kill "$pid"; wait "$pid" || true; pid=; }
# built N: waits until the log has N "built all" lines, prints the last one's ms
built() {
	until [ "$(grep -c 'feeds: built all' "$dir/ikond.log")" -ge "$1" ]; do sleep 0.05; done
	sed -n 's/.*feeds: built all [0-9]*: \([0-9]*\) bytes in \([0-9.]*\) ms.*/\2 \1/p' \
	    "$dir/ikond.log" | tail -n 1
}

start
stop
python3 "$here/gen_data.py" "$dir/state/ikond.db" "$fraction" >/dev/null
start
c feed add --all >/dev/null
set -- $(built 1)
first_ms=$1 bytes=$2
stop
# The restart builds it again (from nothing in this process).
start
set -- $(built 2)
restart_ms=$1
cpu() { awk '{ printf "%d", ($14 + $15) * 1000 / ticks }' ticks="$(getconf CLK_TCK)" /proc/$pid/stat; }
cpu0=$(cpu)
c session edit 1 --title "Sitzung (umbenannt)" >/dev/null
set -- $(built 3)
change_ms=$1
change_cpu=$(( $(cpu) - cpu0 ))
c session edit 2 --title "Sitzung (auch umbenannt)" >/dev/null
set -- $(built 4)
change2_ms=$1
followed=$(grep -c 'feeds: built all.*following the changed rows' "$dir/ikond.log" || true)
events=$(sqlite3 "$dir/state/ikond.db" "SELECT (SELECT count(*) FROM session) + (SELECT count(*) FROM deadline)")
rss=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' /proc/$pid/status)
now=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/$pid/status)
stop
ref=$(python3 - "$events" <<'PY'
import datetime, sys, time
import icalendar
n = int(sys.argv[1])
t0 = time.monotonic()
cal = icalendar.Calendar()
cal.add("prodid", "-//bench//DE")
cal.add("version", "2.0")
start = datetime.datetime(2025, 1, 1, 17, 0, tzinfo=datetime.timezone.utc)
for i in range(n):
    ev = icalendar.Event()
    ev.add("uid", "session-%d@bench.example" % i)
    ev.add("sequence", i % 4)
    ev.add("dtstamp", start)
    ev.add("dtstart", start + datetime.timedelta(hours=i))
    ev.add("dtend", start + datetime.timedelta(hours=i, minutes=90))
    ev.add("summary", "Sitzung des Ausschusses für Integration, Teilhabe und Soziales")
    ev.add("description", "Tagesordnung: Bericht; Beschlussvorlage zur Förderrichtlinie\nOrt: Kreishaus")
    ev.add("location", "Kreishaus, Sitzungssaal 1")
    cal.add_component(ev)
out = cal.to_ical()
print("%.0f" % ((time.monotonic() - t0) * 1000))
PY
)
printf '%-44s %10s %10s\n' "" "ikond" "python-icalendar"
printf '%-44s %8s ms %13s ms\n' "overview feed, $events events: first build" "$first_ms" "$ref"
printf '%-44s %8s ms\n' "same, after a restart" "$restart_ms"
printf '%-44s %8s ms\n' "rebuilt after one change" "$change_ms"
printf '%-44s %8s ms\n' "  processor time of the daemon for it" "$change_cpu"
printf '%-44s %8s ms\n' "rebuilt after another change" "$change2_ms"
printf '%-44s %8s MB\n' "peak RSS of the daemon afterwards" "$rss"
printf '%-44s %8s MB\n' "its RSS then" "$now"
echo "(feed: $bytes bytes; rebuilds that collected only the changed rows: $followed of 2)"
