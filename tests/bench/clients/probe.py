#!/usr/bin/python3
"""Probe requests: how long one small GET takes while a server is busy.

    probe.py HOST PORT PATH [--interval 0.02]

GETs PATH on a fresh connection (from 127.0.0.1), one after another,
--interval seconds apart, each timed from connect to the last body byte,
until a line (or EOF) arrives on stdin; then prints one JSON line: probes,
failed, p50_ms, p99_ms, max_ms. Workload 2 runs it beside the 64 downloads
(does a single-threaded server keep answering while it streams?); workload 6
(idle_hold.py) uses probe_once() beside 10,000 idle connections, and
keepalive_count.py its parse_head().
"""
import argparse
import json
import select
import socket
import statistics
import sys
import time


def parse_head(head):
    end = head.index(b"\r\n\r\n")
    length = 0
    for line in head[:end].split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    return head[9:12], end + 4, length


def probe_once(host, port, req):
    t0 = time.perf_counter()
    s = socket.create_connection((host, port), timeout=10)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(req)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        status, start, length = parse_head(data)
        got = len(data) - start
        while got < length:
            chunk = s.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            got += len(chunk)
        if status != b"200":
            raise ConnectionError(status)
    finally:
        s.close()
    return (time.perf_counter() - t0) * 1000


def summary(lat, failed):
    lat = sorted(lat)

    def pct(q):
        return round(lat[min(len(lat) - 1, int(q * len(lat)))], 3) if lat else None

    return {"probes": len(lat), "failed": failed, "p50_ms": round(statistics.median(lat), 3) if lat else None,
            "p99_ms": pct(0.99), "max_ms": round(lat[-1], 3) if lat else None}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("path")
    p.add_argument("--interval", type=float, default=0.02)
    a = p.parse_args()
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: probe\r\n\r\n" % (a.path, a.host, a.port)).encode()
    lat, failed = [], 0
    while not select.select([sys.stdin], [], [], a.interval)[0]:
        try:
            lat.append(probe_once(a.host, a.port, req))
        except OSError:
            failed += 1
    print(json.dumps(summary(lat, failed)), flush=True)


if __name__ == "__main__":
    main()
