#!/bin/sh
# N bodies on one machine: N ikond instances (ikond --instance NAME), each
# with the Musterland example (tests/data/musterland.sh: six committees, a
# year of sessions, the actors of an Integrationskonzept) and a feed of
# everything, serving on a Unix socket behind nginx with the README's
# server block.  Prints the instances' summed PSS (/proc/PID/smaps_rollup),
# the time from starting all of them until all answer, and the latency of
# each instance's feed fetched once through nginx, beside nginx serving
# the same bytes as a static file in the same run.
#
#   bench/instances.sh BUILD_DIR N
#
# Needs nginx and curl.  The data is loaded once and the state directory
# copied N times, so every instance holds the same data (and feed token).
set -eu
build=${1:?usage: instances.sh BUILD_DIR N}
n=${2:?usage: instances.sh BUILD_DIR N}
ikond=$(realpath "$build/daemon/ikond")
ctl=$(realpath "$build/cli/ikond-ctl")
src=$(cd "$(dirname "$0")/.." && pwd)
PATH=$PATH:/usr/sbin
for tool in nginx curl; do
	command -v $tool >/dev/null || { echo "$tool not found (apt-get install $tool)" >&2; exit 1; }
done

dir=$(mktemp -d)
chmod 0755 "$dir"
pids=
nginx_pid=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	[ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null || true
	for p in $pids; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
now() { date +%s.%N; }
name() { printf 'gemeinde-%04d' "$1"; }

# ikond.conf of instance $1; the instance's own paths are below $dir.
conf() {
	mkdir -p "$dir/run/$1"
	chmod 0755 "$dir/run" "$dir/run/$1"
	cat >"$dir/$1.conf" <<CONF
state_dir = "$dir/state/$1";
control_socket = "$dir/run/$1/control.sock";
http = { socket = "$dir/run/$1/http.sock"; base_url = "http://127.0.0.1:$port/$1"; };
reminders = { session = [ ]; deadline = [ ]; window = [ ]; measure = [ ]; evaluation = [ ]; event = [ ]; };
CONF
}

# The data, once.
conf vorlage
"$ikond" --instance vorlage -f "$dir/vorlage.conf" >"$dir/vorlage.log" 2>&1 &
p=$!
for _ in $(seq 100); do [ -S "$dir/run/vorlage/control.sock" ] && break; sleep 0.1; done
IKOND_CTL=$ctl IKOND_SOCKET=$dir/run/vorlage/control.sock sh "$src/tests/data/musterland.sh"
token=$("$ctl" --socket "$dir/run/vorlage/control.sock" --json feed add --all |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
sleep 1
curl -sf --unix-socket "$dir/run/vorlage/http.sock" -o "$dir/feed.ics" \
    "http://x/feeds/$token.ics"
kill $p
wait $p || true

i=1
while [ $i -le "$n" ]; do
	conf "$(name $i)"
	mkdir -p "$dir/state"
	cp -a "$dir/state/vorlage" "$dir/state/$(name $i)"
	rm -f "$dir/state/$(name $i)/ikond.lock"
	i=$((i + 1))
done

# nginx with the README's block, plus the same feed as a static file.
mkdir -p "$dir/static/feeds"
cp "$dir/feed.ics" "$dir/static/feeds/$token.ics"
{
	printf 'daemon off;\nworker_processes 1;\npid %s/nginx.pid;\nerror_log %s/nginx.err;\n' \
	    "$dir" "$dir"
	printf 'events { worker_connections 4096; }\nhttp {\naccess_log off;\n'
	for t in client_body proxy fastcgi uwsgi scgi; do
		printf '%s_temp_path %s/nginx-%s;\n' $t "$dir" $t
	done
	printf 'server { listen 127.0.0.1:%s; location /static/ { alias %s/static/; } }\n' \
	    "$((port + 1))" "$dir"
	sed -n '/^```nginx$/,/^```$/p' "$src/README.md" | sed -e '1d;$d' \
	    -e "s|listen 443 ssl;|listen 127.0.0.1:$port;|" -e '/ssl_/d' \
	    -e "s|/run/ikond/|$dir/run/|"
	printf '}\n'
} >"$dir/nginx.conf"
nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/nginx.stderr" &
nginx_pid=$!

# All instances at once, until each answers.
t0=$(now)
i=1
while [ $i -le "$n" ]; do
	"$ikond" --instance "$(name $i)" -f "$dir/$(name $i).conf" >"$dir/$(name $i).log" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
i=1
while [ $i -le "$n" ]; do
	until "$ctl" --socket "$dir/run/$(name $i)/control.sock" status >/dev/null 2>&1; do
		sleep 0.05
	done
	i=$((i + 1))
done
t_all=$(now)
sleep 2

pss=0
for p in $pids; do
	kb=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup")
	pss=$((pss + kb))
done

# One fetch per instance through nginx, and as many of the static copy.
fetch() {	# fetch URL -> seconds
	curl -sf -o /dev/null -w '%{time_total}\n' "$1"
}
: >"$dir/lat.ikond"
: >"$dir/lat.static"
i=1
while [ $i -le "$n" ]; do
	fetch "http://127.0.0.1:$port/$(name $i)/feeds/$token.ics" >>"$dir/lat.ikond"
	fetch "http://127.0.0.1:$((port + 1))/static/feeds/$token.ics" >>"$dir/lat.static"
	i=$((i + 1))
done
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 * 1000 } END {
	    printf "p50 %.1f ms, p90 %.1f ms, max %.1f ms", v[int((NR + 1) / 2)],
	    v[int(NR * 0.9 + 0.999)], v[NR] }'
}
bytes=$(wc -c <"$dir/feed.ics")
echo "instances:                    $n (Musterland example each, feed of $bytes bytes)"
python3 -c "print('time until all answer:        %.1f s' % ($t_all - $t0))"
python3 -c "print('summed PSS:                   %.1f MiB (%.2f MiB per instance)' % ($pss / 1024, $pss / 1024 / $n))"
echo "feed through nginx, ikond:    $(stats "$dir/lat.ikond")"
echo "same bytes, nginx static:     $(stats "$dir/lat.static")"
