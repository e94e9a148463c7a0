#!/bin/sh
# Load benchmark: feed latency with 200 and with 2,000 concurrent keep-alive
# clients while a large reminder batch is being delivered to a slow SMTP
# server, beside nginx serving the same bytes as a static file in the same
# run; then 100
# concurrent ikond-ctl clients (status, session list) beside the floor of
# `ikond-ctl --help`, which starts the program but never contacts the daemon.
#
#   bench/load.sh BUILD_DIR [SECONDS] [REMINDERS]   (defaults: 20, 1000)
#
# Data: the Musterland example plus REMINDERS actors in one committee whose
# session is tomorrow, so that all their reminders are due at once.  The
# SMTP server is Postfix's smtp-sink answering DATA after a delay of one
# second (the postfix service itself is not started).  Loopback only.
# Needs wrk, nginx, smtp-sink (postfix), curl and python3.
set -eu
# 2,000 connections need as many descriptors in wrk, nginx and ikond.
ulimit -n 16384 2>/dev/null || ulimit -n "$(ulimit -Hn)"
build=${1:?usage: load.sh BUILD_DIR [SECONDS] [REMINDERS]}
seconds=${2:-20}
nrem=${3:-1000}
src=$(cd "$(dirname "$0")/.." && pwd)
ikond=$build/daemon/ikond
ctl=$build/cli/ikond-ctl
PATH=$PATH:/usr/sbin
missing=
for tool in wrk nginx smtp-sink curl python3; do
	command -v $tool >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	echo "load.sh: missing:$missing" >&2
	echo "apt-get install wrk nginx postfix curl python3" >&2
	exit 2
fi
[ -x "$ikond" ] && [ -x "$ctl" ] || { echo "load.sh: no ikond in $build" >&2; exit 2; }

dir=$(mktemp -d)
chmod 755 "$dir"
pid=; npid=; spid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	[ -n "$npid" ] && kill "$npid" 2>/dev/null || true
	[ -n "$spid" ] && kill "$spid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); nport=$(free_port); sport=$(free_port)

sinkuser=
[ "$(id -u)" = 0 ] && sinkuser="-u nobody"	# smtp-sink refuses to run as root
smtp-sink $sinkuser -w 1 127.0.0.1:$sport 1024 >"$dir/sink.out" 2>&1 &
spid=$!

cat >"$dir/ikond.conf" <<CONF
state_dir = "$dir/state";
control_socket = "$dir/ctl.sock";
control = { max_clients = 256; };
http = { listen = "127.0.0.1"; port = $port; base_url = "http://127.0.0.1:$port"; };
smtp = { host = "127.0.0.1"; port = $sport; starttls = "off"; from = "Bench <ikond@example.org>";
	 timeout = 30; };
reminders = { send_time = "00:00"; session = [ "P2D" ]; deadline = [ ]; };
CONF
"$ikond" -f "$dir/ikond.conf" >"$dir/ikond.log" 2>&1 &
pid=$!
until [ -S "$dir/ctl.sock" ] && "$ctl" --socket "$dir/ctl.sock" status >/dev/null 2>&1; do
	kill -0 "$pid" 2>/dev/null || { cat "$dir/ikond.log" >&2; exit 1; }
	sleep 0.05
done
export IKOND_SOCKET="$dir/ctl.sock" IKOND_CTL="$ctl"
c() { "$ctl" "$@" >/dev/null; }
sh "$src/tests/data/musterland.sh" >/dev/null
url=$("$ctl" --json feed add --all | sed -n 's/^ *"url": "\(.*\)",*$/\1/p')

echo "queueing $nrem reminders (one committee, session tomorrow) ..."
c committee add lastprobe --name Lastprobe --kind arbeitsgruppe
i=0
while [ $i -lt "$nrem" ]; do
	c actor add "last$i" --name "Person $i" --email "last$i@example.org"
	c actor join "last$i" --committee lastprobe
	i=$((i + 1))
done
c session add --committee lastprobe --start "$(date -d tomorrow +%F) 18:00"
sent() { "$ctl" --json mail queue --state sent | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
queued() { "$ctl" --json mail queue --state queued | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
sleep 2

# The same bytes as a static file behind nginx.
curl -sf -o "$dir/feed.ics" "$url"
mkdir -p "$dir/www" "$dir/nginx"
cp "$dir/feed.ics" "$dir/www/feed.ics"
cat >"$dir/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx/error.log;
daemon off;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $dir/nginx; proxy_temp_path $dir/nginx;
	fastcgi_temp_path $dir/nginx; uwsgi_temp_path $dir/nginx; scgi_temp_path $dir/nginx;
	types { text/calendar ics; }
	server { listen 127.0.0.1:$nport; root $dir/www; }
}
CONF
nginx -p "$dir/nginx" -c "$dir/nginx/nginx.conf" &
npid=$!
nurl="http://127.0.0.1:$nport/feed.ics"
until curl -sf -o /dev/null "$nurl"; do sleep 0.1; done

latency() {	# latency URL CONNECTIONS -> "req/s p50 p90 p99 max errors"
	wrk -t2 -c"$2" -d"${seconds}s" --latency "$1" | awk '
		/^Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = $2 } /^ +90%/ { p90 = $2 } /^ +99%/ { p99 = $2 }
		/^ +Latency +[0-9]/ { max = $4 }
		/Non-2xx|Socket errors/ { err = err $0 }
		END { printf "%10.0f %9s %9s %9s %9s  %s\n", rps, p50, p90, p99, max, err }'
}
before=$(sent)
echo "feed: $(grep -c '^BEGIN:VEVENT' "$dir/feed.ics") events, $(wc -c <"$dir/feed.ics") bytes;" \
    "wrk -t2 -d${seconds}s on loopback; $(queued) reminders queued, SMTP answers after 1 s"
printf '%-14s %10s %9s %9s %9s %9s\n' "" "req/s" p50 p90 p99 max
printf '%-14s %s\n' "ikond   200" "$(latency "$url" 200)"
printf '%-14s %s\n' "ikond   2000" "$(latency "$url" 2000)"
during=$(sent)
printf '%-14s %s\n' "nginx   200" "$(latency "$nurl" 200)"
printf '%-14s %s\n' "nginx   2000" "$(latency "$nurl" 2000)"
echo "reminders delivered while wrk ran against ikond: $((during - before))"
echo "peak RSS of ikond: $(awk '/^VmHWM/ { print $2 " " $3 }' /proc/$pid/status)"

echo
echo "100 concurrent ikond-ctl clients, 10 calls each (reminder batch still running):"
python3 "$src/bench/ctl_clients.py" 100 10 "ikond-ctl --help (no daemon, floor)" "$ctl" --help
python3 "$src/bench/ctl_clients.py" 100 10 "ikond-ctl status" "$ctl" status
python3 "$src/bench/ctl_clients.py" 100 10 "ikond-ctl session list" "$ctl" session list
echo "reminders delivered so far: $(sent) of $nrem"
