#!/usr/bin/env python3
"""Hostile-client attacks against a real `ferry --headless`, with figures.

Starts Ferry on loopback sharing one file (with a secret file next to it that
must never be served), runs each attack, checks the server's answers, that it
is still alive and serving a probe download at normal speed, and how much its
memory grew. Prints a markdown table; `--write FILE` also stores it.

    python3 tests/attack/attack.py --ferry build/release/app/ferry [--write docs/SECURITY.md]
"""

import argparse
import asyncio
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time

SECRET = b"TOP-SECRET-NOT-SHARED-" * 8


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Ferry:
    def __init__(self, binary, files, extra=(), nofile=None):
        cmd = [binary, "--headless", "--port", "0", "--bind", "127.0.0.1", *extra, *files]
        pre = None
        if nofile:
            def pre():
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, preexec_fn=pre)
        self.urls = [self.proc.stdout.readline().decode().strip() for _ in files]
        m = re.match(r"http://[^/]+:(\d+)(/.*)", self.urls[0])
        self.port = int(m.group(1))
        self.paths = [re.match(r"http://[^/]+(/.*)", u).group(1) for u in self.urls]
        self.pid = self.proc.pid
        self.peak = rss_kb(self.pid)
        self.base = self.peak

    def sample(self):
        self.peak = max(self.peak, rss_kb(self.pid))

    def watch(self):
        """Samples RSS every 20 ms until unwatch(): the ceiling an attack
        reached, not just where it ended."""
        async def loop():
            while True:
                self.sample()
                await asyncio.sleep(0.02)
        self._watcher = asyncio.get_running_loop().create_task(loop())

    def unwatch(self):
        self._watcher.cancel()
        self.sample()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return -9


# Attackers connect from other loopback addresses than the probe, as they
# would from other machines: Ferry caps connections per IP (256 by default),
# and the probe stands for an honest user elsewhere on the network.
ATTACKER_IPS = [f"127.0.0.{i}" for i in range(3, 11)]
PROBE_IP = "127.0.0.2"
_next_ip = [0]


def attacker_ip():
    _next_ip[0] += 1
    return ATTACKER_IPS[_next_ip[0] % len(ATTACKER_IPS)]


async def connect(port, src=None):
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(src or attacker_ip(), 0))


async def request(port, raw, read_limit=1 << 20, timeout=10.0, src=None):
    """Sends raw bytes, returns (status or None, body bytes, all bytes). Reads
    until the server closes, read_limit bytes arrive, or the timeout (a
    keep-alive answer simply stays open)."""
    data = b""
    try:
        r, w = await asyncio.wait_for(connect(port, src), timeout)
        w.write(raw)
        await w.drain()
        t_end = time.monotonic() + timeout
        while len(data) < read_limit and time.monotonic() < t_end:
            try:
                chunk = await asyncio.wait_for(r.read(65536), max(0.01, t_end - time.monotonic()))
            except asyncio.TimeoutError:
                break
            if not chunk:
                break
            data += chunk
            if data.startswith(b"HTTP/1.1 4") and b"\r\n\r\n" in data and b"Content-Length" in data:
                head, _, body = data.partition(b"\r\n\r\n")
                m = re.search(rb"Content-Length: (\d+)", head)
                if m and len(body) >= int(m.group(1)):
                    break
        w.close()
    except (ConnectionError, asyncio.TimeoutError, OSError):
        if not data:
            return None, b"", b""
    m = re.match(rb"HTTP/1\.1 (\d{3})", data)
    head, _, body = data.partition(b"\r\n\r\n")
    return (int(m.group(1)) if m else None), body, data


async def probe(f, size):
    """A normal full download while an attack runs: seconds and bytes."""
    t0 = time.monotonic()
    status, body, _ = await request(f.port, f"GET {f.paths[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode(),
                                    read_limit=size + 4096, timeout=60, src=PROBE_IP)
    return status, len(body), time.monotonic() - t0


async def slowloris(f, size, n=1000):
    conns = []
    for _ in range(n):
        try:
            r, w = await connect(f.port)
            w.write(b"GET " + f.paths[0].encode() + b" HTTP/1.1\r\n")
            conns.append((r, w))
        except OSError:
            break
    held = len(conns)
    t0 = time.monotonic()
    ends = []

    async def watch(r):
        # When does the server give up on this connection (408 or close)?
        try:
            while await r.read(4096):
                pass
        except (ConnectionError, OSError):
            pass
        ends.append(time.monotonic() - t0)

    watchers = [asyncio.ensure_future(watch(r)) for r, _ in conns]
    pstatus, pbytes, psecs = await probe(f, size)
    # Dribble a header byte a second; the server must cut them at its header
    # deadline (10 s from the first byte).
    while time.monotonic() - t0 < 14 and len(ends) < held:
        for r, w in conns:
            if not w.is_closing():
                try:
                    w.write(b"X")
                except Exception:
                    pass
        await asyncio.sleep(1)
        f.sample()
    for _, w in conns:
        w.close()
    await asyncio.gather(*watchers, return_exceptions=True)
    cut = [e for e in ends if e <= 14]
    ok = pstatus == 200 and pbytes == size and len(cut) == held
    first = min(cut) if cut else 0
    return dict(attack="Slowloris: headers dribbled 1 byte/s", conns=held,
                answer=f"{len(cut)} cut at the header deadline ({first:.1f}-{max(cut) if cut else 0:.1f} s); "
                       f"a probe meanwhile: {pbytes/psecs/1e6:.0f} MB/s",
                ok=ok)


async def slow_readers(f, size, n=200):
    """Clients that ask for the file and never read: the server must not
    buffer for them (memory stays flat) and must cut them once their writes
    stall for 60 s."""
    conns = []
    for _ in range(n):
        r, w = await connect(f.port)
        w.transport.set_write_buffer_limits(0)
        # A tiny receive window so the server's writes stall quickly.
        sock = w.get_extra_info("socket")
        w.write(f"GET {f.paths[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        conns.append((r, w, sock))
    r0 = rss_kb(f.pid)
    t0 = time.monotonic()
    for r, w, sock in conns:
        r._transport.pause_reading()
    peak = r0
    closed_at = None
    while time.monotonic() - t0 < 75:
        await asyncio.sleep(1)
        peak = max(peak, rss_kb(f.pid))
        if fd_count(f.pid) < 20 and closed_at is None:
            closed_at = time.monotonic() - t0
            break
    f.sample()
    for r, w, _ in conns:
        w.close()
    pstatus, pbytes, psecs = await probe(f, size)
    ok = closed_at is not None and pstatus == 200 and (peak - r0) < 16 * 1024
    return dict(attack="Slow readers: never read a 20 MB response", conns=n,
                answer=(f"all cut after {closed_at:.0f} s of stalled writes" if closed_at else "not cut within 75 s") +
                       f"; server memory during: +{(peak - r0) / 1024:.1f} MB",
                ok=ok, mem=(peak - r0) / 1024)


async def big_headers(f, n=1000):
    async def one():
        head = b"GET " + f.paths[0].encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        filler = b"".join(b"X-Fill-%d: %s\r\n" % (i, b"a" * 60) for i in range(1000))[:64 * 1024]
        status, _, _ = await request(f.port, head + filler + b"\r\n", timeout=10)
        f.sample()
        return status
    statuses = await asyncio.gather(*[one() for _ in range(n)])
    good = sum(1 for s in statuses if s in (400, 431))
    return dict(attack="64 KiB of headers", conns=n, answer=f"{good}/{n} answered 431/400",
                ok=good == n)


async def range_bomb(f, size, n=50):
    ranges = ",".join(f"{i}-{size - 1}" for i in range(0, 400))
    raw = f"GET {f.paths[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: bytes={ranges}\r\nConnection: close\r\n\r\n".encode()
    results = await asyncio.gather(*[request(f.port, raw, read_limit=2 * size + 65536, timeout=30) for _ in range(n)])
    worst = max(len(b) for _, b, _ in results)
    statuses = {s for s, _, _ in results}
    return dict(attack="Range bomb: 400 overlapping ranges", conns=n,
                answer=f"statuses {sorted(statuses)}; largest body {worst} of {size} bytes",
                ok=statuses <= {200, 416} and worst <= size)


async def flood(binary, files, size):
    f = Ferry(binary, files, extra=["--max-connections", "100"])
    f.watch()
    conns = []
    for _ in range(100):
        conns.append(await connect(f.port))
    await asyncio.sleep(0.2)
    cpu0 = cpu_seconds(f.pid)
    statuses = await asyncio.gather(*[request(f.port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", timeout=5) for _ in range(500)])
    await asyncio.sleep(3)
    cpu = cpu_seconds(f.pid) - cpu0
    n503 = sum(1 for s, _, _ in statuses if s == 503)
    for r, w in conns:
        w.close()
    await asyncio.sleep(0.3)
    status, nbytes, _ = await probe(f, size)
    f.unwatch()
    result = dict(attack="Flood past --max-connections 100", conns=600,
                  answer=f"{n503}/500 got 503; server CPU {cpu:.2f} s over ~3.5 s at the cap; serves after",
                  ok=n503 == 500 and cpu < 1.5 and status == 200 and nbytes == size,
                  mem=(f.peak - f.base) / 1024, peak=f.peak / 1024, crashed=not f.alive())
    f.stop()
    return result


async def emfile(binary, files, size):
    f = Ferry(binary, files, nofile=64)
    f.watch()
    # A download that is under way when the descriptors run out.
    r, w = await connect(f.port, PROBE_IP)
    w.write(f"GET {f.paths[0]} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    await w.drain()
    first = await r.read(65536)
    extra = []
    for _ in range(120):
        try:
            extra.append(await connect(f.port))
        except OSError:
            break
    cpu0 = cpu_seconds(f.pid)
    got = len(first)
    while True:
        chunk = await r.read(1 << 20)
        if not chunk:
            break
        got += len(chunk)
    await asyncio.sleep(2)
    cpu = cpu_seconds(f.pid) - cpu0
    for _, w2 in extra:
        w2.close()
    await asyncio.sleep(0.5)
    status, nbytes, _ = await probe(f, size)
    f.unwatch()
    head_len = first.find(b"\r\n\r\n") + 4
    result = dict(attack="EMFILE: ulimit -n 64, 120 extra clients", conns=121,
                  answer=f"running download finished ({got - head_len} of {size} bytes); CPU {cpu:.2f} s while full; recovers: {status}",
                  ok=got - head_len == size and cpu < 1.5 and status == 200 and nbytes == size,
                  mem=(f.peak - f.base) / 1024, peak=f.peak / 1024, crashed=not f.alive())
    f.stop()
    return result


MALFORMED = [
    (b"GET /\x00 HTTP/1.1\r\nHost: a\r\n\r\n", "NUL in target"),
    (b"GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "bad percent-encoding"),
    (b"GET /../../../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "dot-dot"),
    (b"GET /..%2f..%2fsecret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "encoded slash"),
    (b"GET /\\..\\secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "backslashes"),
    (b"GET http://127.0.0.1/secret.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "absolute URI"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", "duplicate Content-Length"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "CL + TE"),
    (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX: a\r\n b\r\n\r\n", "obs-fold"),
    (b"GET / HTTP/1.1\nHost: 127.0.0.1\n\n", "bare LF"),
    (b"GET /secret.txt HTTP/1.1\r\nHost: evil.example\r\n\r\n", "foreign Host (rebinding)"),
]


async def malformed(f):
    rows = []
    leaked = 0
    for raw, name in MALFORMED:
        status, body, data = await request(f.port, raw, timeout=5)
        leaked += data.count(SECRET[:22])
        rows.append(f"{name}: {status}")
    ok = leaked == 0 and all(not r.endswith(": 200") and not r.endswith(": None") for r in rows)
    return dict(attack="Malformed and smuggling requests", conns=len(MALFORMED),
                answer="; ".join(rows), ok=ok, leaked=leaked)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--write")
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    tmp = tempfile.mkdtemp(prefix="ferry-attack-")
    shared = os.path.join(tmp, "shared.bin")
    size = 20 * 1000 * 1000
    with open(shared, "wb") as fh:
        fh.write(os.urandom(size))
    with open(os.path.join(tmp, "secret.txt"), "wb") as fh:
        fh.write(SECRET)
    files = [shared]

    rows = []
    f = Ferry(args.ferry, files)
    idle = rss_kb(f.pid) / 1024
    for name, coro in [("malformed", malformed(f)), ("headers", big_headers(f)),
                       ("ranges", range_bomb(f, size)), ("slowloris", slowloris(f, size)),
                       ("slow readers", slow_readers(f, size))]:
        base = rss_kb(f.pid)
        f.peak = base
        f.watch()
        res = await coro
        f.unwatch()
        res.setdefault("mem", (f.peak - base) / 1024)
        res["peak"] = f.peak / 1024
        res.setdefault("crashed", not f.alive())
        rows.append(res)
        print(f"{res['attack']}: {'ok' if res['ok'] else 'FAIL'} — {res['answer']}", file=sys.stderr)
    code = f.stop()
    rows.append(await flood(args.ferry, files, size))
    print(f"{rows[-1]['attack']}: {'ok' if rows[-1]['ok'] else 'FAIL'} — {rows[-1]['answer']}", file=sys.stderr)
    rows.append(await emfile(args.ferry, files, size))
    print(f"{rows[-1]['attack']}: {'ok' if rows[-1]['ok'] else 'FAIL'} — {rows[-1]['answer']}", file=sys.stderr)

    lines = ["| attack | connections | what Ferry answered | bytes leaked from outside the shares | crashes "
             "| memory ceiling: peak RSS (MB) | RSS growth (MB) | result |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['attack']} | {r['conns']} | {r['answer']} | {r.get('leaked', 0)} | "
                     f"{1 if r['crashed'] else 0} | {r['peak']:.1f} | {r['mem']:.1f} | {'pass' if r['ok'] else 'FAIL'} |")
    table = "\n".join(lines)
    machine = f"{os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}, {time.strftime('%Y-%m-%d')}"
    print(table)
    if args.write:
        begin, end = "<!-- attack.py:begin -->", "<!-- attack.py:end -->"
        block = (f"{begin}\nMeasured by `scripts/attack.sh` (`python3 tests/attack/attack.py --ferry {args.ferry} "
                 f"--write {args.write}`) on {machine}; SIGTERM exit status after the first five attacks: {code}. "
                 f"Ferry's RSS when idle: {idle:.1f} MB; the peak is sampled every 20 ms during each attack.\n\n{table}\n{end}")
        text = open(args.write).read() if os.path.exists(args.write) else ""
        if begin in text:
            text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
        else:
            text += ("\n" if text else "") + block + "\n"
        with open(args.write, "w") as fh:
            fh.write(text)
    sys.exit(0 if all(r["ok"] and not r["crashed"] for r in rows) else 1)


if __name__ == "__main__":
    asyncio.run(main())
