#!/bin/sh
# Reminders per second that ikond delivers to Postfix's smtp-sink, beside
# the rate of smtp-source against the same kind of sink, in one run.
# Target (issue: mail at the relay's pace): at the sink at least 1.0x
# smtp-source over one connection (-d), committed as sent at least 0.8x.
#
#   bench/reminders.sh BUILD_DIR [N [CONNECTIONS]]
#
# Needs smtp-sink and smtp-source (Debian package postfix; the postfix
# service itself is not started).  N reminders (default 2000): N actors in
# one committee whose session is a day ahead, so every reminder is due at once.
# CONNECTIONS sets smtp.connections (default: ikond's own default); the
# bench prints how many sessions ikond held with the sink at once, from
# the daemon's debug log, and how many it opened in all.
#
# Like with like: smtp-source sends the very message ikond sent (one of the
# N, taken with "mail preview" after ikond's run: headers, text part and
# the .ics attachment), N times, over one connection (-d) and over one
# connection per message.  Every clock stops when the sink has received
# the Nth message, reported by smtp-sink's own counter and read by one
# process that blocks on it: no polling, nothing that asks the daemon
# while it works.  ikond's clock runs from the moment the session is added
# (plan, compose, send) to that point, and on to the moment all N rows are
# committed as sent (read from the database file, which does not disturb
# the daemon's writes: WAL).
#
# It prints the daemon's CPU time for the run (from /proc, per 2,000
# reminders: all threads, and the main thread that plans, composes and
# records alone).  IKOND_BENCH_HOOK, if set, is run with the daemon's pid
# just before the session is added (to attach perf or callgrind_control).
set -eu
build=${1:?usage: reminders.sh BUILD_DIR [N [CONNECTIONS]]}
n=${2:-2000}
connections=${3:+connections = $3;}
ikond=$build/daemon/ikond
ctl=$build/cli/ikond-ctl
PATH=$PATH:/usr/sbin
for tool in smtp-sink smtp-source; do
	command -v $tool >/dev/null || { echo "$tool not found (apt-get install postfix)" >&2; exit 1; }
done

dir=$(mktemp -d)
sink_pid=; watch_pid=; ikond_pid=
stop_sink() {
	[ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
	[ -n "$watch_pid" ] && wait "$watch_pid" 2>/dev/null || true
	sink_pid=; watch_pid=
}
cleanup() {
	[ -n "$ikond_pid" ] && kill "$ikond_pid" 2>/dev/null && wait "$ikond_pid" 2>/dev/null || true
	stop_sink
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
freeport() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
port=$(freeport)
sinkuser=
[ "$(id -u)" = 0 ] && sinkuser="-u nobody"	# smtp-sink refuses to run as root
now() { date +%s.%N; }
rate() { python3 -c "import sys; print('%.0f' % ($1 / ($3 - $2)))"; }

# The watcher reads smtp-sink's counters ("... mesg=K\r" after every
# message) as they come and notes the time the Nth arrived; given a
# database, it then reads the count of rows sent every 2 ms and notes the
# time that reached N too.  It writes the times in one line to the FIFO
# $dir/done, or why it gave up (after 300 s).
cat >"$dir/watch.py" <<'PY'
import os, re, select, sqlite3, sys, time
n, done = int(sys.argv[1]), sys.argv[2]
db = sys.argv[3] if len(sys.argv) > 3 else None
fd, tail, deadline = 0, b"", time.time() + 300
def report(what):
    with open(done, "w") as f:
        f.write(what + "\n")
count = 0
while count < n:
    if not select.select([fd], [], [], max(deadline - time.time(), 0))[0]:
        report("timeout"); sys.exit(1)
    data = os.read(fd, 65536)
    if not data:
        report("sink ended"); sys.exit(1)
    tail = (tail + data)[-256:]
    last = re.findall(rb"mesg=(\d+)\r", tail)
    if last:
        count = int(last[-1])
times = [repr(time.time())]
if db is not None:
    con = sqlite3.connect(db, timeout=10)
    while con.execute("SELECT count(*) FROM reminder WHERE state = 'sent'").fetchone()[0] < n:
        if time.time() > deadline:
            report("timeout"); sys.exit(1)
        time.sleep(0.002)
    times.append(repr(time.time()))
report(" ".join(times))
while os.read(fd, 65536):
    pass
PY
# start_sink [DB]: a sink on $port with a fresh watcher expecting N messages.
start_sink() {
	rm -f "$dir/done" "$dir/counter"
	mkfifo "$dir/done" "$dir/counter"
	smtp-sink -c $sinkuser 127.0.0.1:$port 256 >"$dir/counter" 2>"$dir/sink.err" &
	sink_pid=$!
	python3 "$dir/watch.py" "$n" "$dir/done" "$@" <"$dir/counter" &
	watch_pid=$!
	sleep 0.5
}
# What the watcher reports, or exit if it reports trouble.
reported() {
	read -r t <"$dir/done"
	case $t in
	[0-9]*) echo "$t" ;;
	*) echo "the sink: $t" >&2; cat "$dir/sink.err" >&2; exit 1 ;;
	esac
}

cat >"$dir/ikond.conf" <<CONF
state_dir = "$dir/state";
control_socket = "$dir/ctl.sock";
http = { listen = "127.0.0.1"; port = $(freeport); };
smtp = { host = "127.0.0.1"; port = $port; starttls = "off"; from = "Bench <ikond@example.org>"; $connections };
reminders = { send_time = "00:00"; session = [ "P2D" ]; deadline = [ ]; };
CONF
"$ikond" -vv -f "$dir/ikond.conf" >"$dir/ikond.log" 2>&1 &
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

# The daemon's CPU time in clock ticks: all its threads (those that ended
# included), and the main thread alone.
cpu() {
	awk '{ print $14 + $15 }' /proc/$ikond_pid/stat
	awk '{ print $14 + $15 }' /proc/$ikond_pid/task/$ikond_pid/stat
}
start_sink "$dir/state/ikond.db"
${IKOND_BENCH_HOOK:-:} "$ikond_pid"
cpu0=$(cpu)
t0=$(now)
c session add --committee bench --start "$tomorrow 18:00"
times=$(reported)
t_sink=${times% *}
t_sent=${times#* }
cpu1=$(cpu)
stop_sink
ours_sink=$(rate "$n" "$t0" "$t_sink")
ours=$(rate "$n" "$t0" "$t_sent")

# One of the messages ikond sent, as smtp-source -F wants it (LF endings).
id=$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT min(id) FROM reminder WHERE state = '"'sent'"'").fetchone()[0])' \
    "$dir/state/ikond.db")
"$ctl" --socket "$dir/ctl.sock" mail preview "$id" | tr -d '\r' >"$dir/message"
size=$(wc -c <"$dir/message")

# smtp-source with that message: over one connection per message, and
# over one connection for all (-d).
src() {
	start_sink
	t0=$(now)
	smtp-source "$@" -s 1 -m "$n" -F "$dir/message" -f ikond@example.org -t a1@example.org \
	    127.0.0.1:$port
	t1=$(reported)
	stop_sink
	rate "$n" "$t0" "$t1"
}
ref=$(src)
ref_d=$(src -d)

echo "message: $size bytes (one of ikond's, as smtp-source sends it)"
echo "smtp-source, new connection per message:    $ref msg/s"
echo "smtp-source, one connection (-d):           $ref_d msg/s"
# Every delivery job (up to 200 messages) logs its sessions and the most at once.
used=$(awk '/mailer: [0-9]+ message\(s\) in/ { s += $(NF-6); if ($(NF-2) > p) p = $(NF-2) }
    END { if (s) printf "%d connection(s) at once, %d session(s)", p, s }' "$dir/ikond.log")
echo "ikond, due to received by the sink:         $ours_sink msg/s ($n reminders, ${used:-connections not logged})"
echo "ikond, due to committed as sent:            $ours msg/s ($n reminders)"
python3 -c "import os, sys
a, b = [int(x) for x in sys.argv[1].split()], [int(x) for x in sys.argv[2].split()]
hz, n = os.sysconf('SC_CLK_TCK'), int(sys.argv[3])
total, main = (b[0] - a[0]) / hz, (b[1] - a[1]) / hz
print('ikond CPU per 2,000 reminders: %.2f s (main thread %.2f s, delivery %.2f s)' %
    (total * 2000 / n, main * 2000 / n, (total - main) * 2000 / n))" "$cpu0" "$cpu1" "$n"
python3 -c "print('ikond / smtp-source -d: at the sink %.2fx, committed as sent %.2fx' % ($ours_sink / $ref_d, $ours / $ref_d))"
