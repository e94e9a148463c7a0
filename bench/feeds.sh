#!/bin/sh
# Feed benchmark: requests per second for a feed of about 300 events served
# by ikond and by nginx serving the same bytes as a static file (same run,
# wrk on loopback), for full answers and for 304 answers; the time to build
# a 30,000-event feed; and the daemon's peak RSS while serving.
#
#   bench/feeds.sh [BUILD_DIR]        (default: build)
#
# Needs wrk, nginx, sqlite3 and curl (Debian: apt-get install wrk
# nginx-light sqlite3 curl).  Targets: ikond at least half of nginx's rate,
# more than that for 304 answers; the 30,000-event build under 150 ms.
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
ikond=$build/daemon/ikond
ctl=$build/cli/ikond-ctl
duration=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}

for tool in wrk nginx sqlite3 curl; do
	if ! command -v $tool >/dev/null 2>&1 && ! [ -x /usr/sbin/$tool ]; then
		echo "feeds.sh: $tool is missing (apt-get install wrk nginx-light sqlite3 curl)" >&2
		exit 1
	fi
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d)
port=$((20000 + $$ % 20000))
nport=$((port + 1))
pid=
npid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	[ -n "$npid" ] && kill "$npid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

cat >"$tmp/ikond.conf" <<EOF
state_dir = "$tmp/state";
control_socket = "$tmp/ctl.sock";
http = { listen = "127.0.0.1"; port = $port; base_url = "http://127.0.0.1:$port";
	 max_connections = 1024; };
EOF

start_ikond() {
	"$ikond" -f "$tmp/ikond.conf" -vv >>"$tmp/ikond.log" 2>&1 &
	pid=$!
	i=0
	while ! "$ctl" --socket "$tmp/ctl.sock" status >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 100 ] && { cat "$tmp/ikond.log" >&2; exit 1; }
		sleep 0.1
	done
}
stop_ikond() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

start_ikond
export IKOND_SOCKET="$tmp/ctl.sock" IKOND_CTL="$ctl"
sh "$src/tests/data/musterland.sh" >/dev/null
# More sessions until the overview holds about 300 events.
n=0
while [ "$("$ctl" export --all | grep -c '^BEGIN:VEVENT')" -lt 300 ] && [ $n -lt 200 ]; do
	for k in 1 2 3 4 5 6 7 8 9 10; do
		d=$(date -d "2028-01-03 + $((n * 10 + k)) days" +%F)
		"$ctl" session add --committee kernteam --start "$d 10:00" --end "$d 12:00" \
		    --title "Kernteam-Treffen $d" >/dev/null
	done
	n=$((n + 1))
done
url=$("$ctl" --json feed add --all | sed -n 's/^ *"url": "\(.*\)",*$/\1/p')
curl -s -o "$tmp/feed.ics" "$url"
events=$(grep -c '^BEGIN:VEVENT' "$tmp/feed.ics")
bytes=$(wc -c <"$tmp/feed.ics")
etag=$(curl -sI "$url" | sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p')

mkdir -p "$tmp/www/feeds" "$tmp/nginx"
cp "$tmp/feed.ics" "$tmp/www/feeds/feed.ics"
# Started as root, nginx serves as an unprivileged user: mktemp's 0700
# directory would turn every answer into a fast 403.
chmod a+rx "$tmp" "$tmp/www" "$tmp/www/feeds"
chmod a+r "$tmp/www/feeds/feed.ics"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx; proxy_temp_path $tmp/nginx;
	fastcgi_temp_path $tmp/nginx; uwsgi_temp_path $tmp/nginx; scgi_temp_path $tmp/nginx;
	types { text/calendar ics; }
	# As Debian ships it: the file goes out with sendfile().
	sendfile on;
	tcp_nopush on;
	server {
		listen 127.0.0.1:$nport;
		root $tmp/www;
	}
}
EOF
"$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" &
npid=$!
sleep 0.5
nurl="http://127.0.0.1:$nport/feeds/feed.ics"
netag=$(curl -sI "$nurl" | sed -n 's/^[Ee][Tt][Aa][Gg]: *\(.*\)\r$/\1/p')
# Both servers must answer 200 with the same bytes and send an ETag.
curl -s -o "$tmp/nginx.ics" "$nurl"
if ! cmp -s "$tmp/feed.ics" "$tmp/nginx.ics" || [ -z "$etag" ] || [ -z "$netag" ]; then
	echo "feeds.sh: ikond and nginx do not serve the same feed" >&2
	exit 1
fi

rate() {	# rate URL [HEADER] -> requests/s; keep-alive, same wrk settings for both
	if [ $# -gt 1 ]; then
		wrk -t"$threads" -c"$conns" -d"${duration}s" -H "$2" "$1"
	else
		wrk -t"$threads" -c"$conns" -d"${duration}s" "$1"
	fi >"$tmp/wrk.out"
	# An error answer is fast: a rate of anything but the expected status is no rate.
	if grep -q 'Non-2xx or 3xx responses' "$tmp/wrk.out"; then
		echo "feeds.sh: error answers from $1:" >&2
		cat "$tmp/wrk.out" >&2
		exit 1
	fi
	awk '/^Requests\/sec:/ { printf "%d", $2 }' "$tmp/wrk.out"
}
median() {	# median of three numbers
	printf '%s\n' "$@" | sort -n | sed -n 2p
}

echo "feed: $events events, $bytes bytes; wrk -t$threads -c$conns -d${duration}s on loopback"
echo "(each figure the median of 3 rounds; ikond and nginx alternate within a round)"
a=; b=; c=; d=; e=
for round in 1 2 3; do
	a="$a $(rate "$url")"
	b="$b $(rate "$nurl")"
	c="$c $(rate "$url" "If-None-Match: $etag")"
	d="$d $(rate "$nurl" "If-None-Match: $netag")"
	e="$e $(rate "$url" "Accept-Encoding: gzip")"
done
i200=$(median $a); n200=$(median $b); i304=$(median $c); n304=$(median $d); igz=$(median $e)
printf '%-28s %10s %10s %8s\n' "" ikond nginx ratio
printf '%-28s %10d %10d %8.2f\n' "200 req/s" "$i200" "$n200" \
    "$(echo "$i200 $n200" | awk '{ print $1 / $2 }')"
printf '%-28s %10d %10d %8.2f\n' "304 req/s" "$i304" "$n304" \
    "$(echo "$i304 $n304" | awk '{ print $1 / $2 }')"
printf '%-28s %10d %10s\n' "200 gzip req/s" "$igz" "-"
echo "peak RSS of ikond while serving: $(awk '/^VmHWM/ { print $2 " " $3 }' /proc/$pid/status)"

# Build time of a 30,000-event feed: sessions written straight into the
# database (the deadline engine is not what is measured here).
stop_ikond
sqlite3 "$tmp/state/ikond.db" <<'EOF'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
INSERT INTO session (committee_id, title, start_utc, end_utc, location, state, uid,
    sequence, created_at, updated_at)
SELECT (SELECT id FROM committee WHERE slug = 'kernteam'),
    'Arbeitstreffen Nr. ' || i || ': Sprache, Bildung; Teilhabe – Übersicht',
    1893456000 + i * 3600, 1893456000 + i * 3600 + 1800, 'Raum ' || (i % 40),
    'planned', 'bench-' || i || '@ikond', 0, 1700000000, 1700000000 FROM n;
EOF
: >"$tmp/ikond.log"
start_ikond
big=$("$ctl" --json feed add --all | sed -n 's/^ *"url": "\(.*\)",*$/\1/p')
sleep 0.5
echo "build of the overview (daemon log: agenda, descriptions, iCalendar text):"
grep 'feeds: built all' "$tmp/ikond.log" | sed 's/^<[0-9]>/  /' | tail -1
curl -s -o "$tmp/big.ics" -w "fetched the big feed: %{size_download} bytes in %{time_total} s\n" "$big"
echo "events in it: $(grep -c '^BEGIN:VEVENT' "$tmp/big.ics")"
echo "peak RSS of ikond after the big build: $(awk '/^VmHWM/ { print $2 " " $3 }' /proc/$pid/status)"
