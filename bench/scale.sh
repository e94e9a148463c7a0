#!/bin/sh
# Scale benchmark: a generated data set at 1/100, 1/10 and full size (200
# committees with monthly sessions over 20 years = 48,000 sessions, 100,000
# actors, 1,000,000 materialised deadlines).  For each size: the time to
# materialise every deadline from nothing (the start after the rows were
# written, and of it the deadlines' own part as the daemon logs it),
# start-up time (exec to the first answered `status`) without and with
# one actor feed token, peak RSS,
# the time to build one actor's feed (ikond-ctl feed export, and the
# daemon's own snapshot build for a feed token), and reloads after changes
# of growing size: one local day off on one date, the same day off every
# year, and one rule (the Antragsfrist of every session).
# The reference is the 1/100 row: each column shows how it grows.
#
#   bench/scale.sh BUILD_DIR [FRACTIONS]     (default: "0.01 0.1 1")
#
# Reminder offsets are switched off so that the figures are the deadline
# engine's and the feeds'; see README "Scale and performance".  Needs
# sqlite3 and python3 (apt-get install sqlite3 python3).
set -eu
build=${1:?usage: scale.sh BUILD_DIR [FRACTIONS]}
fractions=${2:-0.01 0.1 1}
here=$(cd "$(dirname "$0")" && pwd)
ikond=$build/daemon/ikond
ctl=$build/cli/ikond-ctl
for tool in sqlite3 python3; do
	command -v $tool >/dev/null || { echo "scale.sh: $tool is missing (apt-get install $tool)" >&2; exit 2; }
done
[ -x "$ikond" ] && [ -x "$ctl" ] || { echo "scale.sh: no ikond in $build" >&2; exit 2; }

dir=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
[ -n "${SCALE_KEEP:-}" ] && trap "cp $dir/ikond.log $SCALE_KEEP; cleanup" EXIT INT TERM
now() { date +%s.%N; }
ms() { python3 -c "print('%.0f' % (1000 * ($2 - $1)))"; }
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Reloads at full size run for most of a minute: no --timeout.
c() { "$ctl" --socket "$dir/ctl.sock" --timeout 0 "$@"; }

write_config() {	# write_config DAYS_OFF [RULES]
	cat >"$dir/ikond.conf" <<CONF
state_dir = "$dir/state";
control_socket = "$dir/ctl.sock";
http = { listen = "127.0.0.1"; port = $port; base_url = "http://127.0.0.1:$port"; };
body = { land = "NI"; days_off = ( $1 ); };
rules = { ${2:-} };
reminders = { session = [ ]; deadline = [ ]; window = [ ]; measure = [ ]; evaluation = [ ]; };
CONF
}
start() {	# start: runs ikond, waits until status answers; sets up (ms)
	t0=$(now)
	"$ikond" -v -f "$dir/ikond.conf" >>"$dir/ikond.log" 2>&1 &
	pid=$!
	until [ -S "$dir/ctl.sock" ] && c status >/dev/null 2>&1; do
		kill -0 "$pid" 2>/dev/null || { cat "$dir/ikond.log" >&2; exit 1; }
		sleep 0.01
	done
	up=$(ms "$t0" "$(now)")
}
stop() {
	kill "$pid"; wait "$pid" || true; pid=
}
hwm() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' /proc/$pid/status; }

# reload: reloads, prints "MS SESSIONS MOVED" of the deadlines' catch-up as
# the daemon logs it (the answer to reload follows the feeds' rebuild,
# which the snapshot column shows)
reload() {
	c reload >/dev/null
	sed -n 's/.*deadlines recomputed[^:]*: \([0-9]*\) session(s) in \([0-9]*\) ms; \([0-9]*\) deadline.*/\2 \1 \3/p' \
	    "$dir/ikond.log" | tail -n 1
}

printf '%-8s %9s %10s %8s %12s %9s %9s %9s %9s %10s %9s %9s %9s\n' size sessions deadlines \
    actors "materialise" "start-up" "start-up" "peak RSS" "export" "snapshot" "reload:" \
    "reload:" "reload:"
printf '%-8s %9s %10s %8s %12s %9s %9s %9s %9s %10s %9s %9s %9s\n' "" "" "" "" "all (s)" \
    "(ms)" "feed (ms)" "(MiB)" "1 actor" "1 actor" "1 day off" "yearly" "1 rule"
for f in $fractions; do
	rm -rf "$dir/state" "$dir/ikond.log"
	write_config ""
	start
	stop
	python3 "$here/gen_data.py" "$dir/state/ikond.db" "$f" >"$dir/gen.out"
	# The generator's pages go to disk before the clock starts: otherwise
	# the daemon's first fsync waits for the kernel to write the whole
	# generated file, which is the generator's cost, not the deadlines'.
	sync "$dir/state/ikond.db"
	# No basis: this start derives every deadline.
	start
	materialise=$(python3 -c "print('%.1f' % ($up / 1000))")
	derive=$(sed -n 's/.*deadlines all recomputed: [0-9]* session(s) in \([0-9]*\) ms.*/\1/p' \
	    "$dir/ikond.log" | tail -n 1)
	derive=$(python3 -c "print('%.1f' % (${derive:-0} / 1000))")
	stop
	start
	bare=$up
	c feed add --actor person-1 >/dev/null
	stop
	start
	# export: the median of three, in ms
	export_ms=$(for _ in 1 2 3; do
		t0=$(now); c export --actor person-1 >"$dir/feed.ics"; ms "$t0" "$(now)"
	done | sort -n | sed -n 2p)
	events=$(grep -c '^BEGIN:VEVENT' "$dir/feed.ics" || true)
	snapshot=$(sed -n 's/.*feeds: built actor [0-9]*: [0-9]* bytes.* in \([0-9.]*\) ms.*/\1/p' \
	    "$dir/ikond.log" | tail -n 1)
	# A local day off on 15 May of the middle year, then on every 15 May,
	# then a longer Antragsfrist.
	year=$(python3 -c 'import datetime; print(datetime.date.today().year)')
	write_config "{ date = \"$year-05-15\"; name = \"Brückentag\"; }"
	set -- $(reload)
	one_ms=$1 one_s=$2 one_m=$3
	write_config '{ date = "05-15"; name = "Brückentag"; }'
	set -- $(reload)
	yearly_ms=$1 yearly_s=$2 yearly_m=$3
	write_config '{ date = "05-15"; name = "Brückentag"; }' 'antragsfrist = "-12d earlier";'
	set -- $(reload)
	rule_ms=$1 rule_s=$2 rule_m=$3
	rss=$(hwm)
	sessions=$(sqlite3 "$dir/state/ikond.db" 'SELECT count(*) FROM session')
	deadlines=$(sqlite3 "$dir/state/ikond.db" 'SELECT count(*) FROM deadline')
	actors=$(sqlite3 "$dir/state/ikond.db" 'SELECT count(*) FROM actor')
	stop
	printf '%-8s %9s %10s %8s %12s %9s %9s %9s %6s ms %7s ms %6s ms %6s ms %6s ms\n' "$f" \
	    "$sessions" "$deadlines" "$actors" "$materialise ($derive)" "$bare" "$up" "$rss" \
	    "$export_ms" "${snapshot:-?}" "$one_ms" "$yearly_ms" "$rule_ms"
	echo "         (actor feed: $events events; reloads recomputed $one_s / $yearly_s / $rule_s" \
	    "sessions and moved $one_m / $yearly_m / $rule_m deadlines)"
done
