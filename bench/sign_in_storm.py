#!/usr/bin/env python3
"""Sign-in storm against a running `durchwahl demo` (issue: sign-in, speed).

600 staff sign in with argon2id passwords as fast as the server accepts them (64 at a
time) while a probe requests /healthz every 20 ms. Prints sign-ins per second, /healthz
latency idle and during the storm, the server's peak memory, and the anchor: the
reference argon2 implementation (argon2-cffi, the PHC winner's C code) verifying the
same parameters on every core, i.e. the most sign-ins per second the hashing allows.
"""
import concurrent.futures as cf
import http.client
import json
import multiprocessing
import os
import sys
import threading
import time

HOST, PORT = sys.argv[1].split(":")
PID = int(sys.argv[2])
LOGINS = [l for l in sys.argv[3].split(",") if l]
PASSWORD = "Musterstadt-2020"


def request(method, path, body=None):
    conn = http.client.HTTPConnection(HOST, int(PORT), timeout=60)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    t0 = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    res = conn.getresponse()
    res.read()
    conn.close()
    return res.status, time.perf_counter() - t0


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def probe(stop, out):
    while not stop.is_set():
        out.append(request("GET", "/healthz")[1])
        time.sleep(0.02)


def peak_rss_mib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def anchor_worker(n):
    from argon2 import PasswordHasher
    ph = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
    h = ph.hash(PASSWORD)
    t0 = time.perf_counter()
    for _ in range(n):
        ph.verify(h, PASSWORD)
    return time.perf_counter() - t0


def main():
    idle = [request("GET", "/healthz")[1] for _ in range(100)]
    rss_before = peak_rss_mib()
    stop, during = threading.Event(), []
    prober = threading.Thread(target=probe, args=(stop, during))
    prober.start()
    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(max_workers=64) as pool:
        results = list(pool.map(lambda l: request("POST", "/api/v1/auth/login", {"login": l, "password": PASSWORD}), LOGINS))
    elapsed = time.perf_counter() - t0
    stop.set()
    prober.join()
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    ok = statuses.get(200, 0)
    rate = ok / elapsed
    login_lat = [lat for _, lat in results]

    cores = os.cpu_count() or 1
    per_core = 40
    with multiprocessing.Pool(cores) as pool:
        times = pool.map(anchor_worker, [per_core] * cores)
    anchor_rate = cores * per_core / max(times)

    print(f"sign-ins: {len(LOGINS)} attempted, answers {statuses}, {elapsed:.1f} s")
    print(f"{'metric':44} {'durchwahl':>12} {'anchor':>12} {'ratio':>8}")
    print(f"{'sign-ins per second (argon2id m=19MiB t=2)':44} {rate:12.1f} {anchor_rate:12.1f} {rate / anchor_rate:8.2f}")
    print(f"{'sign-in latency p50 / p99 (s)':44} {percentile(login_lat, 50):5.2f} / {percentile(login_lat, 99):4.2f}")
    print(f"{'/healthz p99 idle vs during storm (ms)':44} {percentile(idle, 99) * 1000:12.1f} {percentile(during, 99) * 1000:12.1f} {percentile(during, 99) / max(percentile(idle, 99), 1e-6):8.1f}")
    print(f"{'/healthz answers during the storm':44} {len(during):12d}")
    print(f"{'server peak memory (MiB), before / after':44} {rss_before:12.1f} {peak_rss_mib():12.1f}")
    print(f"600 sign-ins in one minute need 10/s: {'met' if rate >= 10 and ok == len(LOGINS) else 'NOT MET'} ({rate / 10:.1f}x)")
    if ok != len(LOGINS) or rate < 10 or percentile(during, 99) > 1.0:
        sys.exit(1)


if __name__ == "__main__":
    main()
