#!/usr/bin/env python3
"""10,000 concurrent gateway sessions (bench/gateway.sh, part 2).

Each session (cookie dw_session=PREFIX<id> for the ids in the file) gets its own
keep-alive connection to the server and asks for PATH through the gateway; once every
connection has had its answer, all of them ask again at the same moment, with every
connection still open. The server's VmRSS (/proc/PID/status) is read before, with all
sessions open and answered, and after the connections are closed.

Usage: sessions.py HOST:PORT PATH SERVER_PID COOKIE_FILE
Prints "key value" lines: rss_before_kb, rss_open_kb, rss_peak_kb, rss_closed_kb,
fds_open, fds_peak (the server's open files: the clients' connections and its own to the
upstream), sessions, ok, errors, first_error, seconds.
"""
import asyncio, os, resource, sys, time

address, path, pid, cookie_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
host, port = address.rsplit(":", 1)
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
cookies = open(cookie_file).read().split()
TIMEOUT = 60


def rss_kb():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def fds():
    return len(os.listdir(f"/proc/{pid}/fd"))


async def ask(reader, writer, cookie):
    """One GET on the open connection; the status (the body is read and dropped)."""
    writer.write((f"GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: */*\r\n"
                  f"Cookie: dw_session={cookie}\r\n\r\n").encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    if headers.get("connection", "").lower() == "close":
        raise ConnectionError(f"status {status}, connection: close")
    return status


async def main():
    errors = []
    ok = 0
    opened = []
    gate = asyncio.Semaphore(200)  # connects in flight: stay under the listen backlog

    async def first(cookie):
        nonlocal ok
        async with gate:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, int(port)), TIMEOUT)
                status = await asyncio.wait_for(ask(reader, writer, cookie), TIMEOUT)
                if status == 200:
                    ok += 1
                    opened.append((reader, writer, cookie))
                else:
                    errors.append(f"status {status}")
                    writer.close()
            except Exception as e:  # noqa: BLE001 - every failure counts
                errors.append(f"{type(e).__name__}: {e}")

    async def again(reader, writer, cookie):
        nonlocal ok
        try:
            status = await asyncio.wait_for(ask(reader, writer, cookie), TIMEOUT)
            if status == 200:
                ok += 1
            else:
                errors.append(f"status {status} (second request)")
        except Exception as e:  # noqa: BLE001
            errors.append(f"{type(e).__name__}: {e} (second request)")

    began = time.monotonic()
    before = rss_kb()
    await asyncio.gather(*(first(c) for c in cookies))
    open_rss, open_fds = rss_kb(), fds()
    await asyncio.gather(*(again(r, w, c) for r, w, c in opened))
    peak, peak_fds = rss_kb(), fds()
    took = time.monotonic() - began
    for _, w, _ in opened:
        w.close()
    await asyncio.sleep(3)
    closed = rss_kb()
    print(f"rss_before_kb {before}")
    print(f"rss_open_kb {open_rss}")
    print(f"rss_peak_kb {peak}")
    print(f"rss_closed_kb {closed}")
    print(f"fds_open {open_fds}")
    print(f"fds_peak {peak_fds}")
    print(f"sessions {len(cookies)}")
    print(f"connections_open {len(opened)}")
    print(f"ok {ok}")
    print(f"errors {len(errors)}")
    print(f"first_error {errors[0] if errors else '-'}")
    print(f"seconds {took:.1f}")


asyncio.run(main())
