#!/usr/bin/python3
"""Drives an exact number of keep-alive GETs for allocation counting,
syscall counting and callgrind (scripts/bench.sh, workload 3's small-file
path).

    keepalive_count.py HOST PORT PATH --conns 64 --batches 2000,20000,20000

Opens --conns keep-alive connections once, then for each batch size issues
exactly that many GETs spread over the connections (one outstanding request
per connection), prints {"batch": i, "requests": n, "ready": true} and waits
for a line on stdin before the next batch, so the harness can read the
server's counters between batches with the connections still open.
"""
import argparse
import asyncio
import json
import socket
import sys

from probe import parse_head


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("path")
    p.add_argument("--conns", type=int, default=64)
    p.add_argument("--batches", default="2000,20000")
    a = p.parse_args()
    loop = asyncio.get_running_loop()
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: keepalive-count\r\n\r\n" % (a.path, a.host, a.port)).encode()
    socks = []
    for _ in range(a.conns):
        s = socket.socket()
        s.setblocking(False)
        await loop.sock_connect(s, (a.host, a.port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        socks.append(s)

    async def worker(s, n, bad):
        buf = b""
        for _ in range(n):
            await loop.sock_sendall(s, req)
            while b"\r\n\r\n" not in buf:
                chunk = await loop.sock_recv(s, 65536)
                if not chunk:
                    raise ConnectionError("server closed")
                buf += chunk
            status, start, length = parse_head(buf)
            if status != b"200":
                bad.append(buf[:12])
            need = start + length
            while len(buf) < need:
                chunk = await loop.sock_recv(s, 65536)
                if not chunk:
                    raise ConnectionError("server closed")
                buf += chunk
            buf = buf[need:]

    for i, n in enumerate(int(x) for x in a.batches.split(",")):
        per = [n // a.conns + (1 if k < n % a.conns else 0) for k in range(a.conns)]
        bad = []
        await asyncio.gather(*(worker(s, m, bad) for s, m in zip(socks, per)))
        print(json.dumps({"batch": i, "requests": n, "non_200": len(bad), "ready": True}), flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)
    for s in socks:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
