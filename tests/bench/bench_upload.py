"""Receiving files: Ferry's receive link beside nginx's WebDAV PUT, in one run.

    /usr/bin/python3 tests/bench/bench_upload.py --ferry build/release/app/ferry [--doc docs/BENCHMARKS-upload.md]
    (or: scripts/bench.sh uploads)

Workloads, each against both servers, alternating, on 127.0.0.1:
  A. one 1 GiB PUT with curl -T (the file read from the page cache), three
     rounds: median seconds and MB/s; the server's peak resident memory.
  B. 64 concurrent 16 MiB PUTs: seconds until all are stored; peak memory.
  C. a 4 KiB download's latency (wrk, 4 connections, 5 s: p50 / p99) while 16
     uploads stream in.
nginx: one worker, nginx-light's dav module (`dav_methods PUT`), its body
spooled to a temp file in the same folder and renamed, as the issue asks.
Ferry: `ferry --headless --receive DIR`, which also fsyncs every file before
it gets its name (nginx does not): part of its time is that wait for the disk.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench import free_port, tree  # the suite's own, beside this script
from nginx_peer import DAV_PUT, NginxPeer

GIB = 1 << 30
def log(*a):
    print("bench-upload:", *a, file=sys.stderr, flush=True)


def rss_kb(pids):
    total = 0
    for p in pids:
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


class Peak:
    """Samples a process tree's resident memory every 10 ms."""

    def __init__(self, pids):
        self.pids, self.peak, self.stop = pids, rss_kb(pids), False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_kb(self.pids))
            time.sleep(0.01)

    def done(self):
        self.stop = True
        self.t.join()
        return self.peak


class Server:
    def __init__(self, name, ferry, work):
        self.name = name
        self.root = os.path.join(work, name + "-inbox")
        os.makedirs(self.root)
        self.port = free_port()
        if name == "ferry":
            self.proc = subprocess.Popen([ferry, "--headless", "--bind", "127.0.0.1", "--port", str(self.port),
                                          "--receive", self.root], stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, text=True)
            self.base = self.proc.stdout.readline().strip()
        else:
            d = os.path.join(work, "nginx")
            os.makedirs(d)
            os.makedirs(os.path.join(self.root, ".nginx-body"))
            # Started as root, nginx's worker runs as nobody: let it write here.
            for p in (work, self.root, os.path.join(self.root, ".nginx-body")):
                os.chmod(p, 0o777 if p != work else 0o755)
            self.peer = NginxPeer(d, self.port, listen=" backlog=4096",
                                  body_temp=os.path.join(self.root, ".nginx-body"),
                                  server="root %s;\n%s" % (self.root, DAV_PUT))
            self.proc = self.peer.proc
            self.base = "http://127.0.0.1:%d/" % self.port
        time.sleep(0.3)
        self.pids = tree(self.proc.pid)

    def clear(self):
        for n in os.listdir(self.root):
            if not n.startswith(".nginx-body"):
                os.unlink(os.path.join(self.root, n))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def put(url, path):
    r = subprocess.run(["curl", "-sS", "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                        "-T", path, url], capture_output=True, text=True)
    code, secs = r.stdout.split()
    if code not in ("200", "201", "204"):
        raise RuntimeError("%s: %s %s" % (url, code, r.stderr))
    return float(secs)


def make_file(path, size):
    with open(path, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size >> 20):
            f.write(block)


def workload_a(servers, src, rounds):
    rows = {}
    for s in servers:
        rows[s.name] = {"secs": [], "before": rss_kb(s.pids), "peak": 0}
    for i in range(rounds):
        for s in servers:
            s.clear()
            subprocess.run(["sync"])
            peak = Peak(s.pids)
            secs = put(s.base + "big-%d.bin" % i, src)
            rows[s.name]["peak"] = max(rows[s.name]["peak"], peak.done())
            rows[s.name]["secs"].append(secs)
            log("A", s.name, "round", i, "%.2f s" % secs)
    return rows


def workload_b(servers, srcs):
    rows = {}
    for s in servers:
        s.clear()
        subprocess.run(["sync"])
        peak = Peak(s.pids)
        t0 = time.monotonic()
        procs = [subprocess.Popen(["curl", "-sS", "--noproxy", "*", "-o", "/dev/null", "-T", p, s.base])
                 for p in srcs]
        for p in procs:
            p.wait()
        secs = time.monotonic() - t0
        stored = len([n for n in os.listdir(s.root) if not n.startswith(".")])
        rows[s.name] = {"secs": secs, "peak": peak.done(), "stored": stored}
        log("B", s.name, "%.2f s, %d stored" % (secs, stored))
    return rows


def workload_c(servers, small_name, duration=5):
    rows = {}
    for s in servers:
        s.clear()
        with open(os.path.join(s.root, small_name), "wb") as f:
            f.write(os.urandom(4096))
        url = s.extra_download
        uploads = [subprocess.Popen(["sh", "-c", "head -c %d /dev/zero | curl -sS --noproxy '*' -o /dev/null -T - '%s'"
                                     % (256 << 20, s.base + "stream-%d.bin" % i)]) for i in range(16)]
        time.sleep(0.5)
        r = subprocess.run(["wrk", "-t1", "-c4", "-d%ds" % duration, "--latency", url], capture_output=True, text=True)
        for p in uploads:
            p.wait()
        lat = {}
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] in ("50%", "99%"):
                lat[parts[0]] = parts[1]
        rows[s.name] = lat
        log("C", s.name, lat)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--doc")
    args = ap.parse_args()
    load0 = open("/proc/loadavg").read().split()[0]
    work = tempfile.mkdtemp(prefix="ferry-bench-upload-", dir=os.environ.get("FERRY_BENCH_DIR", "/var/tmp"))
    servers = []
    try:
        src = os.path.join(work, "source-1GiB.bin")
        make_file(src, GIB)
        smalls = []
        for i in range(64):
            p = os.path.join(work, "src16-%02d.bin" % i)
            make_file(p, 16 << 20)
            smalls.append(p)
        servers = [Server("ferry", args.ferry, work), Server("nginx", None, work)]
        a = workload_a(servers, src, args.rounds)
        b = workload_b(servers, smalls)
        # C's download: Ferry is restarted on its port sharing the 4 KiB file
        # beside its receive link; nginx serves it from its root.
        small = os.path.join(work, "small-4k.bin")
        with open(small, "wb") as f:
            f.write(os.urandom(4096))
        servers[1].extra_download = servers[1].base + "small-4k.bin"
        servers[0].stop()
        ferry = subprocess.Popen([args.ferry, "--headless", "--bind", "127.0.0.1", "--port", str(servers[0].port),
                                  "--receive", servers[0].root, small], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
        servers[0].proc = ferry
        servers[0].extra_download = ferry.stdout.readline().strip()
        servers[0].base = ferry.stdout.readline().strip()
        servers[0].pids = [ferry.pid]
        c = workload_c(servers, "small-4k.bin")
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception:
                pass
        shutil.rmtree(work, ignore_errors=True)

    def mb(kb):
        return "%.1f MB" % (kb / 1024)
    lines = ["| | Ferry | nginx (WebDAV PUT) |", "|---|---|---|"]
    med = {n: statistics.median(a[n]["secs"]) for n in a}
    lines.append("| A. 1 GiB PUT, median of %d (s) | %.2f | %.2f |" % (args.rounds, med["ferry"], med["nginx"]))
    lines.append("| A. throughput (MB/s) | %.0f | %.0f |" % (GIB / 1e6 / med["ferry"], GIB / 1e6 / med["nginx"]))
    lines.append("| A. Ferry / nginx throughput | %.2fx | |" % (med["nginx"] / med["ferry"]))
    lines.append("| A. resident memory before / peak | %s / %s | %s / %s |" % (
        mb(a["ferry"]["before"]), mb(a["ferry"]["peak"]), mb(a["nginx"]["before"]), mb(a["nginx"]["peak"])))
    lines.append("| B. 64 x 16 MiB concurrent PUTs (s) | %.2f (%d stored) | %.2f (%d stored) |" % (
        b["ferry"]["secs"], b["ferry"]["stored"], b["nginx"]["secs"], b["nginx"]["stored"]))
    lines.append("| B. peak resident memory | %s | %s |" % (mb(b["ferry"]["peak"]), mb(b["nginx"]["peak"])))
    lines.append("| C. 4 KiB download p50 / p99 during 16 uploads | %s / %s | %s / %s |" % (
        c["ferry"].get("50%", "?"), c["ferry"].get("99%", "?"), c["nginx"].get("50%", "?"), c["nginx"].get("99%", "?")))
    table = "\n".join(lines)
    print(table)
    if args.doc:
        with open(args.doc, "w") as f:
            f.write("# Receiving files: Ferry beside nginx's WebDAV PUT\n\n")
            f.write("Measured with `%s` on %s (%d CPUs, load average %s, shared with other work), "
                    "all on 127.0.0.1, files in %s; Ferry binary `%s`. Run to run, on a busy machine, "
                    "the figures move by a factor of two: read them side by side, not alone.\n\n" % (
                        " ".join(["tests/bench/bench_upload.py"] + sys.argv[1:]), os.uname().nodename,
                        os.cpu_count(), load0, os.environ.get("FERRY_BENCH_DIR", "/var/tmp"), args.ferry))
            f.write(table + "\n\n")
            f.write(__doc__.split("\n", 2)[2].strip() + "\n")


if __name__ == "__main__":
    main()
