#!/bin/sh
# Reminders per second that ikond delivers to Postfix's smtp-sink, beside
# the rate of smtp-source (one session) against the same sink, in one run.
# Target (issue: mail at the relay's pace): at the sink at least 1.0x
# smtp-source over one connection (-d), committed as sent at least 0.8x.
#
#   bench/reminders.sh BUILD_DIR [N]
#
# Needs smtp-sink and smtp-source (Debian package postfix; the postfix
# service itself is not started).  N reminders (default 2000): N actors in
# one committee whose session is a day ahead, so every reminder is due at once.
# ikond's clock runs from the moment the session is added (plan, compose,
# send, commit) to two points: the sink has received N messages (counted by
# smtp-sink itself, so the daemon is not disturbed while it works), and all N
# rows are committed as sent.
set -eu
build=${1:?usage: reminders.sh BUILD_DIR [N]}
n=${2:-2000}
ikond=$build/daemon/ikond
ctl=$build/cli/ikond-ctl
PATH=$PATH:/usr/sbin
for tool in smtp-sink smtp-source; do
	command -v $tool >/dev/null || { echo "$tool not found (apt-get install postfix)" >&2; exit 1; }
done

dir=$(mktemp -d)
sink_pid=; ikond_pid=
cleanup() {
	[ -n "$ikond_pid" ] && kill "$ikond_pid" 2>/dev/null || true
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sinkuser=
[ "$(id -u)" = 0 ] && sinkuser="-u nobody"	# smtp-sink refuses to run as root
smtp-sink -c $sinkuser 127.0.0.1:$port 256 >"$dir/sink.out" 2>&1 &
sink_pid=$!
sleep 0.5

now() { date +%s.%N; }
# Messages the sink has received so far (its -c counters end in "mesg=N").
received() {
	tr '\r' '\n' <"$dir/sink.out" | sed -n 's/.*mesg=\([0-9]*\).*/\1/p' |
	    awk '{ n = $1 } END { print n + 0 }'
}
rate() { python3 -c "import sys; print('%.0f' % ($1 / ($3 - $2)))"; }

# Reference: smtp-source, one session, one message per connection as ikond's
# single mail test would, and with -d several messages per connection.
t0=$(now); smtp-source -s 1 -m "$n" -f a@example.org -t b@example.org 127.0.0.1:$port; t1=$(now)
ref=$(rate "$n" "$t0" "$t1")
t0=$(now); smtp-source -d -s 1 -m "$n" -f a@example.org -t b@example.org 127.0.0.1:$port; t1=$(now)
ref_d=$(rate "$n" "$t0" "$t1")

cat >"$dir/ikond.conf" <<CONF
state_dir = "$dir/state";
control_socket = "$dir/ctl.sock";
http = { listen = "127.0.0.1"; port = $(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'); };
smtp = { host = "127.0.0.1"; port = $port; starttls = "off"; from = "Bench <ikond@example.org>"; };
reminders = { send_time = "00:00"; session = [ "P2D" ]; deadline = [ ]; };
CONF
"$ikond" -f "$dir/ikond.conf" >"$dir/ikond.log" 2>&1 &
ikond_pid=$!
for _ in $(seq 50); do [ -S "$dir/ctl.sock" ] && break; sleep 0.1; done
c() { "$ctl" --socket "$dir/ctl.sock" "$@" >/dev/null; }
c committee add bench --name Bench --kind arbeitsgruppe
i=0
while [ $i -lt "$n" ]; do
	c actor add "a$i" --name "Person $i" --email "a$i@example.org"
	c actor join "a$i" --committee bench
	i=$((i + 1))
done
tomorrow=$(date -d tomorrow +%F)
base=$(received)
t0=$(now)
c session add --committee bench --start "$tomorrow 18:00"
while [ "$(received)" -lt $((base + n)) ]; do
	sleep 0.01
done
t_sink=$(now)
# Rows still queued or sending: short lists by now, so asking costs little.
count() {
	"$ctl" --socket "$dir/ctl.sock" --json mail queue --state "$1" |
	    python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
while [ "$(count sending)" -gt 0 ] || [ "$(count queued)" -gt 0 ]; do
	sleep 0.01
done
t1=$(now)
sent=$(count sent)
[ "$sent" -eq "$n" ] || { echo "only $sent of $n reminders were sent" >&2; exit 1; }
ours_sink=$(rate "$n" "$t0" "$t_sink")
ours=$(rate "$n" "$t0" "$t1")
echo "smtp-source, 1 session, new connection per message: $ref msg/s"
echo "smtp-source, 1 session, one connection (-d):        $ref_d msg/s"
echo "ikond, due to received by the sink:                 $ours_sink msg/s ($n reminders)"
echo "ikond, due to committed as sent:                    $ours msg/s ($n reminders)"
python3 -c "print('ikond / smtp-source -d: at the sink %.2fx, committed as sent %.2fx' % ($ours_sink / $ref_d, $ours / $ref_d))"
