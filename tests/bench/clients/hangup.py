#!/usr/bin/python3
"""Workload 5, the seed's abuse: N clients ask for a big file at once, read
one byte of its body, and hang up. Prints one JSON line: wall seconds until
every client is done, how many saw the first body byte, failures.

    hangup.py HOST PORT PATH [--clients 2000] [--spread 64] [--timeout 60]

Clients connect from 127.0.0.2 .. 127.0.0.(1+spread) (see srcspread.c for
why); at most --inflight connects are pending at once so that no server's
listen backlog decides the result.
"""
import argparse
import asyncio
import json
import socket
import time

IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


def make_socket(i, spread):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    if spread:
        s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
        s.bind(("127.0.0.%d" % (2 + i % spread), 0))
    return s


async def one(i, a, req, gate, stats):
    loop = asyncio.get_running_loop()
    s = make_socket(i, a.spread)
    try:
        async with gate:
            await loop.sock_connect(s, (a.host, a.port))
        await loop.sock_sendall(s, req)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = await loop.sock_recv(s, 4096)
            if not chunk:
                raise ConnectionError("closed before the headers")
            head += chunk
        if not head.startswith(b"HTTP/1.") or head[9:12] != b"200":
            raise ConnectionError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        # The first read may already hold body bytes; otherwise wait for one.
        if len(head) == head.index(b"\r\n\r\n") + 4:
            if not await loop.sock_recv(s, 1):
                raise ConnectionError("closed before the body")
        stats["got_byte"] += 1
    except Exception as e:  # noqa: BLE001 - any failure is a counted failure
        stats["failed"] += 1
        stats.setdefault("first_error", repr(e))
    finally:
        s.close()  # unread data pending: the kernel sends a reset


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("path")
    p.add_argument("--clients", type=int, default=2000)
    p.add_argument("--spread", type=int, default=64)
    p.add_argument("--inflight", type=int, default=1000)
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: hangup\r\n\r\n" % (a.path, a.host, a.port)).encode()
    stats = {"clients": a.clients, "got_byte": 0, "failed": 0}
    gate = asyncio.Semaphore(a.inflight)
    t0 = time.perf_counter()
    tasks = [asyncio.ensure_future(one(i, a, req, gate, stats)) for i in range(a.clients)]
    done, pending = await asyncio.wait(tasks, timeout=a.timeout)
    for t in pending:
        t.cancel()
    stats["seconds"] = round(time.perf_counter() - t0, 4)
    stats["timed_out"] = len(pending)
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
