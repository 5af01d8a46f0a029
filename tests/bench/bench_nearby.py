"""This computer's page, live: how fast what is sent reaches it, and what
open pages cost while nothing moves (beside nginx holding the same number of
idle connections).

    /usr/bin/python3 tests/bench/bench_nearby.py --ferry build/release/app/ferry \
        [--only push|idle] [--pushes 100] [--pages 1000,10000] [--idle 60] [--rounds 3] \
        [--doc docs/BENCHMARKS-nearby.md]
    (or: scripts/bench.sh nearby [push|idle])

Push latency (headless Chromium, Debian's chromium and chromium-driver, with
python3-selenium): `ferry --headless --receive DIR --json`, one phone-sized
page on the receive link (a nearby device), then `--pushes` texts and as
many files, one at a time, each sent with the `text ID TEXT` / `send ID PATH`
command on Ferry's stdin. A push's latency runs from Python's time.time()
just before the command is written to the page's clock
(performance.timeOrigin + performance.now(), the same wall clock) when a
MutationObserver sees its card added to the page. The next push goes once
the card is there. The two clocks are compared first (the page's clock read
between two of Python's readings): the benchmark stops if they disagree by
more than a millisecond. p50 and p99 of each round; their medians over
`--rounds` rounds, a fresh Ferry and browser each.

Idle pages, for each N, against each server in turn, on loopback:
  - N clients open a connection each from many loopback addresses (4 per
    address: Ferry allows 16 streams per address). Ferry: the page's event
    stream, `GET <receive link>?events` with `Accept: text/event-stream`, as
    the page's EventSource opens it; each is a nearby device (counted from
    `--json`'s `device` events). nginx (one worker, keep-alive 1 h): one 4 KiB
    GET each, then the connection stays open and idle: the least any HTTP
    server can hold an open page with, since nginx has no event stream.
  - resident memory (VmRSS) before and after, settled: growth per page;
  - the server's CPU time (utime + stime from /proc) over `--idle` seconds with
    all N open and the clients reading whatever comes (Ferry's heartbeat);
  - a 4 KiB download's latency (a new connection each, 200 in a row) before
    the pages open and while they are open: p50 / p99.
Medians over `--rounds` rounds; each round starts a fresh server.
"""

import argparse
import os
import resource
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from bench import cpu_s, free_port, status_kb, wait_port  # the suite's own, beside this script
from nginx_peer import NginxPeer

SOURCE_PORT = 2000

def log(*a):
    print("bench-nearby:", *a, file=sys.stderr, flush=True)


def source(i):
    """Where page i comes from: 4 pages per loopback address, each from one of
    four fixed ports below the ephemeral range, so that 10,000 pages take no
    port another program on this machine may be given to listen on."""
    a = i // 4
    return ("127.%d.%d.%d" % (1 + a // 62500, (a // 250) % 250, a % 250 + 1), SOURCE_PORT + i % 4)


def latency_ms(port, path, n=200):
    """n GETs of `path`, a new connection each: p50 and p99 in ms."""
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: close\r\n\r\n" % (path, port)).encode()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(req)
        got = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        s.close()
        times.append((time.perf_counter() - t0) * 1000)
        if not got.startswith(b"HTTP/1.1 200"):
            raise RuntimeError("the 4 KiB download failed: %r" % got[:200])
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1]


class Pages:
    """N idle connections held open by one selector loop."""

    def __init__(self, port, path, accept, n, done):
        self.sel = selectors.DefaultSelector()
        self.socks = []
        self.got = {}
        self.ready = 0
        req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: %s\r\n"
               "User-Agent: Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
               "Chrome/120.0 Mobile Safari/537.36\r\n\r\n" % (path, port, accept)).encode()
        for i in range(n):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT from the last round
            s.bind(source(i))
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            self.socks.append(s)
            self.got[s.fileno()] = b""
            self.sel.register(s, selectors.EVENT_WRITE, req)
            if i % 200 == 199:
                self.pump(0.05, done)
        deadline = time.time() + 120
        while self.ready < n and time.time() < deadline:
            self.pump(0.2, done)
        if self.ready < n:
            raise RuntimeError("only %d of %d pages opened" % (self.ready, n))

    def pump(self, timeout, done=None):
        for key, ev in self.sel.select(timeout):
            s = key.fileobj
            if ev & selectors.EVENT_WRITE:
                s.send(key.data)
                self.sel.modify(s, selectors.EVENT_READ)
                continue
            try:
                b = s.recv(65536)
            except BlockingIOError:
                continue
            if not b:
                raise RuntimeError("the server closed a page")
            if done is not None and self.got[s.fileno()] is not None:
                self.got[s.fileno()] += b
                if done(self.got[s.fileno()]):
                    self.got[s.fileno()] = None  # opened: later bytes are only read
                    self.ready += 1

    def idle(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            self.pump(min(1.0, end - time.time()))

    def close(self):
        for s in self.socks:
            self.sel.unregister(s)
            s.close()


def ferry_server(ferry, d, port):
    inbox = os.path.join(d, "inbox")
    os.makedirs(inbox, exist_ok=True)
    err = open(os.path.join(d, "ferry.err"), "w")
    p = subprocess.Popen([ferry, "--headless", "--json", "--bind", "127.0.0.1", "--port", str(port),
                          "--max-connections", "30000", "--receive", inbox, os.path.join(d, "www", "4k.bin")],
                         stdout=subprocess.PIPE, stderr=err, text=True)
    links = [p.stdout.readline().strip(), p.stdout.readline().strip()]
    if not wait_port(port, 30, p):
        raise RuntimeError("Ferry did not start; see " + err.name)
    strip = "http://127.0.0.1:%d" % port
    return p, links[0][len(strip):], links[1][len(strip):] + "?events"


def nginx_server(d, port):
    peer = NginxPeer(os.path.join(d, "nginx"), port, listen=" backlog=4096", connections=25000,
                     http="keepalive_timeout 3600s;\ntypes { application/octet-stream bin; }",
                     server="root %s;" % os.path.join(d, "www"))
    return peer.proc, peer.worker  # the worker holds the connections


def round_(server, args, n, d):
    port = free_port()
    if server == "ferry":
        proc, file_path, events = ferry_server(args.ferry, d, port)
        pid = proc.pid
        path, accept = events, "text/event-stream"
        done = lambda b: b.startswith(b"HTTP/1.1 200") and b"\r\n\r\n" in b and b"event: hello" in b
    else:
        proc, pid = nginx_server(d, port)
        file_path = path = "/4k.bin"
        accept = "*/*"
        done = lambda b: b.startswith(b"HTTP/1.1 200") and len(b) >= b.find(b"\r\n\r\n") + 4 + 4096
    try:
        latency_ms(port, file_path, 50)  # warm
        before = latency_ms(port, file_path)
        time.sleep(1)
        rss0 = status_kb(pid, "VmRSS")
        pages = Pages(port, path, accept, n, done)
        pages.idle(3)  # settle
        rss1 = status_kb(pid, "VmRSS")
        if server == "ferry":
            with open(os.path.join(d, "ferry.err")) as f:
                devices = sum('"event":"device"' in line for line in f)
            if devices < n:
                raise RuntimeError("Ferry listed %d devices for %d pages" % (devices, n))
        c0 = cpu_s([pid])
        pages.idle(args.idle)
        cpu = cpu_s([pid]) - c0
        during = latency_ms(port, file_path)
        pages.close()
        return {"rss_per_page_kib": (rss1 - rss0) / n, "rss_kib": rss1, "cpu_ms": cpu * 1000,
                "lat_before": before, "lat_during": during}
    finally:
        proc.terminate()
        proc.wait(20)


# Records, for each card added to the page, when (the page's clock, in ms
# since the epoch) and, for a waiting caller, answers at once.
OBSERVE = """
window.seenAt = {}; window.waiters = {};
new MutationObserver(function (records) {
  var t = performance.timeOrigin + performance.now();
  records.forEach(function (r) { r.addedNodes.forEach(function (n) {
    var k = n.querySelector && n.querySelector('.body, .name');
    if (!k || k.textContent in seenAt) return;
    seenAt[k.textContent] = t;
    if (waiters[k.textContent]) waiters[k.textContent](t);
  }); });
}).observe(document.getElementById('inbox'), {childList: true});
"""
WAIT = """
var k = arguments[0], done = arguments[arguments.length - 1];
if (k in seenAt) done(seenAt[k]); else waiters[k] = done;
"""


def clock_gap_ms(b):
    """How far the page's clock can be from Python's: the page's reading must
    fall between two of Python's; the worst miss over 20 readings."""
    worst = 0.0
    for _ in range(20):
        before = time.time() * 1000
        page = b.execute_script("return performance.timeOrigin + performance.now()")
        after = time.time() * 1000
        worst = max(worst, before - page, page - after)
    return worst


def percentile(sorted_ms, p):
    """Nearest rank: the value at or under which p % of them are."""
    return sorted_ms[max(0, -(-len(sorted_ms) * p // 100) - 1)]


def push_latency(args, d):
    """`args.pushes` texts and files sent to one headless Chromium page:
    their latencies in ms, sorted, by kind."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "browser"))
    os.environ["FERRY_BINARY"] = os.path.abspath(args.ferry)
    import ferry_browser as fb
    inbox = os.path.join(d, "inbox")
    files = os.path.join(d, "send")
    os.makedirs(inbox)
    os.makedirs(files)
    warm = 5
    names = ["photo-%03d.jpg" % i for i in range(args.pushes + warm)]
    for name in names:
        with open(os.path.join(files, name), "wb") as f:
            f.write(os.urandom(1024 * 1024))
    ferry = fb.Ferry(["--receive", inbox, "--json"], lines_expected=1, answers=True)
    try:
        with fb.browser(fb.PHONE) as b:
            b.get(ferry.lines[0])
            device = int(fb.wait_for(lambda: b.execute_script("return document.body.dataset.device"), 10,
                                     "the page to be a device"))
            b.execute_script(OBSERVE)
            b.set_script_timeout(10)
            gap = clock_gap_ms(b)
            log("the page's clock and this script's agree within %.2f ms" % gap)
            if gap > 1:
                raise RuntimeError("the page's clock is %.1f ms off this script's: latencies would be wrong" % gap)
            out = {}
            for kind in ("text", "file"):
                lat = []
                for i in range(args.pushes + warm):
                    if kind == "text":
                        key = "push %03d: see you at the station at 6" % i
                        line = "text %d %s" % (device, key)
                    else:
                        key = names[i]
                        line = "send %d %s" % (device, os.path.join(files, key))
                    t0 = time.time() * 1000
                    ferry.answer(line)
                    seen = b.execute_async_script(WAIT, key)
                    if seen - t0 < 0:
                        raise RuntimeError("a card seen before its command was sent: the clocks disagree")
                    if i >= warm:
                        lat.append(seen - t0)
                out[kind] = sorted(lat)
                log("%s: p50 %.2f ms, p99 %.2f ms" % (kind, statistics.median(lat), percentile(out[kind], 99)))
            return out, gap
    finally:
        ferry.stop()


def idle_pages(args):
    """The idle-pages measurement; its section of the document."""
    servers = ["ferry"] + (["nginx"] if shutil.which("nginx") else [])
    if "nginx" not in servers:
        log("nginx is not installed: Ferry alone")
    pages = [int(x) for x in args.pages.split(",")]
    results = {}
    for n in pages:
        for r in range(args.rounds):
            for server in servers:  # alternating, so drift hits both
                with tempfile.TemporaryDirectory() as d:
                    os.chmod(d, 0o755)  # nginx's worker runs as another user
                    os.makedirs(os.path.join(d, "www"))
                    with open(os.path.join(d, "www", "4k.bin"), "wb") as f:
                        f.write(os.urandom(4096))
                    log("%s, %d pages, round %d" % (server, n, r + 1))
                    results.setdefault((server, n), []).append(round_(server, args, n, d))
    med = lambda rs, f: statistics.median(f(x) for x in rs)
    rows = []
    for n in pages:
        for server in servers:
            rs = results[(server, n)]
            rows.append((server, n, med(rs, lambda x: x["rss_per_page_kib"]), med(rs, lambda x: x["cpu_ms"]),
                         med(rs, lambda x: x["lat_before"][0]), med(rs, lambda x: x["lat_during"][0]),
                         med(rs, lambda x: x["lat_during"][1])))
    head = ("| Server | idle pages | RSS growth per page | CPU over %g s idle | 4 KiB p50 before | 4 KiB p50 / p99 while open |\n"
            "|---|---:|---:|---:|---:|---:|\n" % args.idle)
    body = ""
    for s, n, rss, cpu, b50, d50, d99 in rows:
        body += "| %s | %s | %.1f KiB | %.0f ms | %.2f ms | %.2f / %.2f ms |\n" % (
            "Ferry (event stream)" if s == "ferry" else "nginx (idle keep-alive)", format(n, ","), rss, cpu, b50, d50, d99)
    ratios = ""
    for s_, n, rss, cpu, *_ in rows:
        if s_ == "ferry":
            ratios += ("- %s pages: Ferry takes %.1f KiB per page (the goal: at most 16 KiB) and %.0f ms of CPU over "
                       "%g idle seconds, %.2f %% of one CPU (the goal: about none).\n" % (
                           format(n, ","), rss, cpu, args.idle, cpu / (args.idle * 10)))
    if "nginx" in servers:
        for n in pages:
            f = [r for r in rows if r[0] == "ferry" and r[1] == n][0]
            g = [r for r in rows if r[0] == "nginx" and r[1] == n][0]
            ratios += "- %s pages: memory per page Ferry / nginx **%.2f×**; 4 KiB p50 while open Ferry / nginx %.2f×.\n" % (
                format(n, ","), f[2] / g[2] if g[2] else float("inf"), f[5] / g[5] if g[5] else float("inf"))
    print(head + body + ratios)
    return IDLE_DOC.format(command=args.command, rounds=args.rounds, idle=args.idle, table=head + body,
                           ratios=ratios, build=args.build_type, cpus=os.cpu_count(), load=os.getloadavg()[0])


def pushes(args):
    """The push-latency measurement; its section of the document."""
    rounds = []
    for r in range(args.rounds):
        log("push latency, round %d" % (r + 1))
        with tempfile.TemporaryDirectory() as d:
            try:
                rounds.append(push_latency(args, d))
            except SystemExit:  # ferry_browser's "skipped": no chromium, chromedriver or selenium
                log("push latency needs chromium, chromium-driver and python3-selenium (scripts/setup.sh installs them)")
                return None
    gap = max(g for _, g in rounds)
    head = "| Push | p50 | p99 | p99, best and worst round | slowest push |\n|---|---:|---:|---:|---:|\n"
    body = ""
    goals = ""
    for kind, what in (("text", "Text (`text ID TEXT`)"), ("file", "File, 1 MB (`send ID PATH`)")):
        p50 = statistics.median(statistics.median(lat[kind]) for lat, _ in rounds)
        p99s = sorted(percentile(lat[kind], 99) for lat, _ in rounds)
        p99 = statistics.median(p99s)
        body += "| %s | %.2f ms | %.2f ms | %.2f / %.2f ms | %.2f ms |\n" % (
            what, p50, p99, p99s[0], p99s[-1], max(lat[kind][-1] for lat, _ in rounds))
        goals += "- %s: p99 %.2f ms against the goal of under 50 ms on loopback: %s.\n" % (
            "Texts" if kind == "text" else "Files", p99, "met" if p99 < 50 else "missed")
    table = head + body
    print(table + goals)
    clocks = ("the page's reading fell between Python's two around it every time" if gap <= 0 else
              "the page's reading fell at most %.2f ms outside Python's two around it" % gap)
    return PUSH_DOC.format(command=args.command, pushes=args.pushes, rounds=args.rounds, table=table, goals=goals,
                           clocks=clocks, build=args.build_type, cpus=os.cpu_count(), load=os.getloadavg()[0])


def section(doc, heading):
    """The part of `doc` from `heading` to the next heading of its level."""
    at = doc.find(heading + "\n")
    if at < 0:
        return None
    end = doc.find("\n## ", at + len(heading))
    return doc[at:] if end < 0 else doc[at:end + 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--only", choices=["push", "idle"])
    ap.add_argument("--pushes", type=int, default=100)
    ap.add_argument("--pages", default="1000,10000")
    ap.add_argument("--idle", type=float, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--doc")
    ap.add_argument("--command", default="scripts/bench.sh nearby")
    ap.add_argument("--build-type", default="Release")
    args = ap.parse_args()
    # 10,000 pages take 10,000 descriptors here and in the server.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    push = pushes(args) if args.only != "idle" else None
    idle = idle_pages(args) if args.only != "push" else None
    if args.doc:
        # A part not measured this time keeps what the document said.
        old = open(args.doc).read() if os.path.exists(args.doc) else ""
        push = push or section(old, PUSH_HEADING)
        idle = idle or section(old, IDLE_HEADING)
        with open(args.doc, "w") as f:
            f.write(DOC + "".join("\n" + part.rstrip("\n") + "\n" for part in (push, idle) if part))
        log("wrote", args.doc)


DOC = """# Nearby devices: how fast a push arrives, and what an open page costs

A phone with this computer's page open keeps one event stream (Server-Sent
Events) open to Ferry, and nothing else: no polling. What the computer sends
goes down that stream.
"""

PUSH_HEADING = "## Push latency"

PUSH_DOC = PUSH_HEADING + """

From the moment the computer sends to the moment the card is on the phone's
page: {pushes} texts, then {pushes} files, one page in headless Chromium (a
phone-sized window), one push at a time.

`{command}` (tests/bench/bench_nearby.py), {build} build, loopback, {cpus}
CPUs shared with other work (load average {load:.1f} at the end); medians of
{rounds} rounds, a fresh Ferry and browser each round.

{table}
{goals}
How each figure is taken: `ferry --headless --receive DIR --json`, the page
on the receive link, and each push sent as a command on Ferry's stdin (`text
ID TEXT`, or `send ID PATH` naming a 1 MB file of its own). The time starts
just before the command is written (Python's `time.time()`) and ends when a
MutationObserver on the page sees the card added (`performance.timeOrigin +
performance.now()`, the same wall clock: read 20 times before the pushes,
{clocks}). That is the whole way: reading the
command, making the private link (for a file), the event stream, the page's
EventSource and the card it builds. The next push goes once the card is
there; 5 pushes of each kind before them are not counted. No peer is
measured beside it: the programs that push to an open page (PairDrop) send
from one browser to another, not from a command.
"""

IDLE_HEADING = "## Idle pages"

IDLE_DOC = IDLE_HEADING + """

What open pages cost Ferry while nothing is sent, measured beside nginx
holding the same number of idle keep-alive connections (nginx has no event
stream; an idle connection is the least any HTTP server can keep a page
with).

`{command}` (tests/bench/bench_nearby.py), {build} build, loopback, {cpus}
CPUs shared with other work (load average {load:.1f} at the end); medians of
{rounds} rounds, a fresh server each round, the two servers alternating.

{table}
{ratios}
How each figure is taken:
- **Pages**: raw clients, 4 from each of many loopback addresses (Ferry takes
  16 streams per address), from four fixed ports below the ephemeral range. Ferry's are `GET <receive link>?events` with
  `Accept: text/event-stream`, as the page's EventSource opens it, each
  listed as a nearby device (counted from `--json`'s `device` events before
  measuring); nginx's fetch 4 KiB once and stay open (keep-alive 1 h, one
  worker).
- **RSS growth per page**: the server's VmRSS once all pages are open and 3 s
  have passed, minus before, divided by the number of pages. nginx sets up its
  connection slots (`worker_connections`, 25,000 here) when it starts, so its
  growth leaves those out; Ferry's includes everything a page takes (its
  connection, its stream, its device and message queue).
- **CPU**: the server's user + system time over {idle:g} s with every page
  open, the clients reading what comes (Ferry sends each stream a comment
  every 15 s, so a page that vanished is noticed).
- **4 KiB**: 200 downloads in a row, a new connection each, before the pages
  open and while they are open.
"""

if __name__ == "__main__":
    main()
