#!/usr/bin/python3
"""Workload 6: hold N idle keep-alive connections open and probe the server.

    idle_hold.py HOST PORT PATH [--conns 10000] [--spread 64] [--probes 100]
                 [--control FIFO_DIR]

Phases, each reported in one JSON line on stdout:
  1. connect N connections (from 127.0.0.2.., at most --inflight connects
     pending) and send nothing: "connected";
  2. one GET of PATH on every connection, response read in full, connection
     left open and idle: "requested";
  3. --probes probe GETs of PATH, each on a fresh connection from 127.0.0.1,
     one after another, 20 ms apart, timed from connect to the last byte:
     "probes" (p50/p99/max in ms), then how many of the N are still open.
Between phases the client prints {"phase": ..., "ready": true} and waits for a
line on stdin, so the harness can sample the server's memory at that moment.
"""
import argparse
import asyncio
import json
import socket
import sys
import time

from probe import parse_head, probe_once, summary

IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)


def say(obj):
    print(json.dumps(obj), flush=True)


async def wait_go():
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.readline)


async def read_response(loop, s):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = await loop.sock_recv(s, 65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        data += chunk
    status, start, length = parse_head(data)
    got = len(data) - start
    while got < length:
        chunk = await loop.sock_recv(s, 65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        got += len(chunk)
    return status


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("path")
    p.add_argument("--conns", type=int, default=10000)
    p.add_argument("--spread", type=int, default=64)
    p.add_argument("--inflight", type=int, default=500)
    p.add_argument("--probes", type=int, default=100)
    p.add_argument("--phase-timeout", type=float, default=30)
    a = p.parse_args()
    loop = asyncio.get_running_loop()
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: idle-hold\r\n\r\n" % (a.path, a.host, a.port)).encode()
    gate = asyncio.Semaphore(a.inflight)
    socks = []
    errors = {"connect": 0, "request": 0}

    async def connect(i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        if a.spread:
            s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            s.bind(("127.0.0.%d" % (2 + i % a.spread), 0))
        try:
            async with gate:
                await loop.sock_connect(s, (a.host, a.port))
            socks.append(s)
        except OSError:
            errors["connect"] += 1
            s.close()

    t0 = time.perf_counter()
    tasks = [asyncio.ensure_future(connect(i)) for i in range(a.conns)]
    _, pending = await asyncio.wait(tasks, timeout=a.phase_timeout)
    for t in pending:
        t.cancel()
    say({"phase": "connected", "open": len(socks), "errors": errors["connect"] + len(pending),
         "seconds": round(time.perf_counter() - t0, 3), "ready": True})
    await wait_go()

    ok = []

    async def request(s):
        try:
            await loop.sock_sendall(s, req)
            async with gate:
                status = await read_response(loop, s)
            if status == b"200":
                ok.append(s)
            else:
                errors["request"] += 1
        except OSError:
            errors["request"] += 1

    t0 = time.perf_counter()
    tasks = [asyncio.ensure_future(request(s)) for s in socks]
    _, pending = await asyncio.wait(tasks, timeout=a.phase_timeout) if tasks else (None, [])
    for t in pending:
        t.cancel()
    say({"phase": "requested", "ok": len(ok), "errors": errors["request"] + len(pending),
         "seconds": round(time.perf_counter() - t0, 3), "ready": True})
    await wait_go()

    lat, failed = [], 0
    for _ in range(a.probes):
        try:
            lat.append(probe_once(a.host, a.port, req))
        except OSError:
            failed += 1
        await asyncio.sleep(0.02)
    # Still open? A socket the server closed reads EOF (or a reset) at once.
    still = 0
    for s in ok:
        try:
            data = s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT)
            if data:
                still += 1
        except BlockingIOError:
            still += 1
        except OSError:
            pass
    say(dict(summary(lat, failed), phase="probes", still_open=still, held=len(ok), ready=True))
    await wait_go()
    for s in socks:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
