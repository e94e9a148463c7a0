#!/usr/bin/python3
"""Runs CLIENTS concurrent loops of COMMAND (ikond-ctl and its arguments)
for ROUNDS rounds each and prints the per-call latency distribution.

    ctl_clients.py CLIENTS ROUNDS LABEL COMMAND...
"""

import subprocess
import sys
import threading
import time


def main():
    clients, rounds, label, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    times, failures = [], []
    lock = threading.Lock()

    def loop():
        for _ in range(rounds):
            t0 = time.monotonic()
            r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            dt = time.monotonic() - t0
            with lock:
                times.append(dt)
                if r.returncode != 0:
                    failures.append(r.stderr.decode(errors="replace").strip())

    t0 = time.monotonic()
    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    times.sort()

    def pct(p):
        return 1000 * times[min(len(times) - 1, int(p / 100 * len(times)))]

    print("%-34s %6d calls %7.0f/s  p50 %7.1f  p90 %7.1f  p99 %7.1f  max %7.1f ms  failed %d"
          % (label, len(times), len(times) / wall, pct(50), pct(90), pct(99), 1000 * times[-1],
             len(failures)))
    if failures:
        print("  first failure: %s" % failures[0])


if __name__ == "__main__":
    main()
