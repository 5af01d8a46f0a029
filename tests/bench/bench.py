#!/usr/bin/python3
"""Ferry side by side with nginx, Tornado and python3 -m http.server.

Run through scripts/bench.sh, which installs the tools and builds Ferry; this
is the driver it ends in:

    bench.py --ferry build/release/app/ferry [--quick] [--out docs/BENCHMARKS.md]
             [--no-pin] [--servers ferry,nginx,...] [WHAT...]

WHAT: workload numbers 1..7 and/or iperf, alloc, profile, zip (default: all).
zip: shared folders' zips and listing beside HFS 3 (tests/bench/zip_bench.py),
written to its own part of the document.
Selecting 7 adds `ferry --poller poll` to workloads 3 and 6 (it runs them if
neither is selected).

Every server serves the same three files from one temp dir (1 GiB, 100 MB,
4 KiB, read into the page cache first), listens on 127.0.0.1, and is started
fresh for each workload (so each workload's memory figures are its own). With
two or more CPUs, servers run pinned to the last CPU and clients to CPU 0: one
core each, like nginx's one worker. Results go to stdout (markdown), to
build/bench/results-*.json, and to docs/BENCHMARKS.md between the markers
<!-- bench.sh:begin --> and <!-- bench.sh:end --> (the rest of the file is
kept), with the chart docs/BENCHMARKS.svg.
"""
import argparse
import datetime
import html
import json
import math
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import zip_bench

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")

BEGIN = "<!-- bench.sh:begin -->"
END = "<!-- bench.sh:end -->"

# Workload 5 reads memory this long after each round: Ferry gives a burst's memory
# back once its finished transfers have left the statistics (5 s, then 1 s).
SETTLE_S = 8.0

FILES = {"big": ("big.bin", 1 << 30), "mid": ("mid.bin", 100_000_000), "small": ("small.bin", 4096)}

FULL = dict(reps1=5, reps1_slow=3, reps2=3, reps2_slow=1, reps3=3, wrk_d=6, reps4=3, wrk4_d=6, warm_d=1, w5_clients=2000, w6_conns=10000,
            probes=100, iperf_t=4, iperf_reps=3, alloc_batches=(2000, 20000, 20000), perf_d=8,
            callgrind_batches=(2000, 10000), strace_batches=(2000, 10000))
QUICK = dict(reps1=3, reps1_slow=1, reps2=1, reps2_slow=1, reps3=1, wrk_d=3, reps4=1, wrk4_d=3, warm_d=1, w5_clients=2000, w6_conns=10000,
             probes=40, iperf_t=3, iperf_reps=1, alloc_batches=(2000, 10000, 10000), perf_d=4,
             callgrind_batches=(1000, 4000), strace_batches=(1000, 4000))

FAST = {"ferry", "ferry-before", "ferry-poll", "ferry-pread", "nginx"}  # the close race: more repeats in 1 and 2
PEERS = ["nginx", "tornado-static", "tornado-chunked", "http.server"]
LABEL = {"ferry": "Ferry", "ferry-before": "Ferry before", "ferry-poll": "Ferry (poll)", "ferry-pread": "Ferry (pread, FERRY_SENDFILE=0)", "nginx": "nginx", "tornado-static": "Tornado static",
         "tornado-chunked": "Tornado chunked", "http.server": "http.server"}


def log(*a):
    print("bench:", *a, file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True, **kw)


# --------------------------------------------------------------------------
# processes: memory and CPU of a server's whole process tree


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                s = f.read()
            ppid = int(s[s.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError):
            pass
    return kids


def tree(pid):
    kids = children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def status_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pids):
    return sum(status_kb(p, "VmRSS") for p in pids) / 1024


def anon_mb(pids):
    return sum(status_kb(p, "RssAnon") for p in pids) / 1024


def hwm_mb(pids):
    return sum(status_kb(p, "VmHWM") for p in pids) / 1024


def reset_hwm(pids):
    for p in pids:
        try:
            with open("/proc/%d/clear_refs" % p, "w") as f:
                f.write("5")
        except OSError:
            pass


def cpu_s(pids):
    t = 0
    for p in pids:
        try:
            with open("/proc/%d/stat" % p) as f:
                s = f.read()
            fields = s[s.rindex(")") + 2:].split()
            t += int(fields[11]) + int(fields[12])
        except (OSError, ValueError):
            pass
    return t / CLK_TCK


def cpu_busy_s(cpu):
    """Busy seconds of one CPU so far (/proc/stat), all processes."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu%s " % cpu):
                v = [int(x) for x in line.split()[1:]]
                return (sum(v[:8]) - v[3] - v[4]) / CLK_TCK
    return 0.0


class RssSampler:
    """Polls the summed VmRSS of a process tree (20 Hz) and keeps the peak;
    also resets and reads VmHWM, and reports the larger of the two."""

    def __init__(self, pids):
        self.pids, self.peak, self.stop_ = pids, 0.0, threading.Event()
        reset_hwm(pids)
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop_.is_set():
            self.peak = max(self.peak, rss_mb(self.pids))
            self.stop_.wait(0.05)

    def finish(self):
        self.stop_.set()
        self.t.join()
        return max(self.peak, hwm_mb(self.pids))


# --------------------------------------------------------------------------
# servers


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, timeout=30, proc=None):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.02)
    return False


class Server:
    def __init__(self, name, ctx):
        self.name, self.ctx, self.proc, self.port, self.paths = name, ctx, None, None, {}
        self.wrapped = False
        self.logdir = os.path.join(ctx.tmp, "logs")
        os.makedirs(self.logdir, exist_ok=True)

    def start(self, env_extra=None, wrap=None):
        ctx = self.ctx
        files = ctx.files
        env = dict(os.environ)
        env.update(env_extra or {})
        errlog = open(os.path.join(self.logdir, "%s.%d.log" % (self.name, ctx.next_log())), "w")
        pin = ctx.server_pin()
        wrap = wrap or []
        self.wrapped = bool(wrap)
        if self.name.startswith("ferry"):
            # ferry-before: an earlier revision (bench.sh --baseline), measured
            # beside this one in the same run: the before/after of a change.
            binary = ctx.baseline if self.name == "ferry-before" else ctx.ferry
            cmd = [binary, "--headless", "--port", "0", "--bind", "127.0.0.1", "--max-connections", "20000"]
            if self.name == "ferry-poll":
                cmd += ["--poller", "poll"]
            if self.name == "ferry-pread":
                env["FERRY_SENDFILE"] = "0"  # Ferry's pread() + send() path instead of sendfile()
            elif ctx.epoll_flag:
                cmd += ["--poller", "epoll"]
            if getattr(self, "extra_args", None):
                cmd += self.extra_args
            cmd += [files[k] for k in ("big", "mid", "small")]
            self.proc = subprocess.Popen(pin + wrap + cmd, stdout=subprocess.PIPE, stderr=errlog, env=env, text=True)
            ctx.live.add(self)
            urls = []
            t0 = time.time()
            while len(urls) < 3 and time.time() - t0 < 120:
                line = self.proc.stdout.readline()
                if not line:
                    break
                if line.startswith("http://"):  # wrappers (heaptrack) chatter on stdout too
                    urls.append(line.strip())
            if len(urls) < 3:
                self.stop()
                raise RuntimeError("ferry did not print its links; see %s" % errlog.name)
            m = re.match(r"http://[^/]+:(\d+)(/.*)", urls[0])
            self.port = int(m.group(1))
            for k, u in zip(("big", "mid", "small"), urls):
                self.paths[k] = re.match(r"http://[^/]+(/.*)", u).group(1)
        else:
            self.port = free_port()
            if self.name == "nginx":
                d = os.path.join(ctx.tmp, "nginx-%d" % self.port)
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(HERE, "nginx.conf.in")) as f:
                    conf = f.read().replace("@DIR@", d).replace("@PORT@", str(self.port)).replace("@ROOT@", ctx.filedir)
                with open(os.path.join(d, "nginx.conf"), "w") as f:
                    f.write(conf)
                cmd = [ctx.nginx, "-p", d, "-c", os.path.join(d, "nginx.conf"), "-e", os.path.join(d, "error.log")]
                prefix = "/"
            elif self.name in ("tornado-static", "tornado-chunked"):
                mode = self.name.split("-")[1]
                cmd = [PY, os.path.join(HERE, "tornado_server.py"), mode, str(self.port), ctx.filedir]
                prefix = "/%s/" % mode
            elif self.name == "http.server":
                cmd = [PY, "-m", "http.server", str(self.port), "--bind", "127.0.0.1", "--directory", ctx.filedir]
                prefix = "/"
            else:
                raise ValueError(self.name)
            self.proc = subprocess.Popen(pin + wrap + cmd, stdout=errlog, stderr=errlog, env=env,
                                         stdin=subprocess.DEVNULL)
            ctx.live.add(self)
            if not wait_port(self.port, 60, self.proc):
                self.stop()
                raise RuntimeError("%s did not start; see %s" % (self.name, errlog.name))
            for k in FILES:
                self.paths[k] = prefix + FILES[k][0]
        self.warm()
        return self

    def url(self, key):
        return "http://127.0.0.1:%d%s" % (self.port, self.paths[key])

    def warm(self):
        # Tornado's StaticFileHandler hashes the whole file for its ETag on the
        # first request for it: pay that here, not in a measurement.
        for k in ("big", "mid", "small"):
            sh(["curl", "-s", "-I", "-o", "/dev/null", "--max-time", "60", self.url(k)])
        sh(["curl", "-s", "-o", "/dev/null", "--max-time", "10", self.url("small")])

    def pids(self):
        return tree(self.proc.pid) if self.proc else []

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ok(self):
        r = sh(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", self.url("small")])
        return r.stdout.strip() == "200"

    def stop(self):
        if not self.proc:
            return
        if self.proc.poll() is None:
            target = self.proc.pid
            if self.wrapped:
                # heaptrack is a shell script around the real process: stop that one.
                for p in self.pids():
                    try:
                        if os.path.realpath("/proc/%d/exe" % p) == self.ctx.ferry:
                            target = p
                    except OSError:
                        pass
            os.kill(target, signal.SIGTERM)
            try:
                self.proc.wait(120 if self.wrapped else 10)
            except subprocess.TimeoutExpired:
                for p in reversed(self.pids()):
                    try:
                        os.kill(p, signal.SIGKILL)
                    except OSError:
                        pass
                self.proc.wait(10)
        else:
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None
        self.ctx.live.discard(self)


# --------------------------------------------------------------------------
# clients


def parse_dur(v, unit):
    return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(out):
    r = {"raw": out}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    r["rps"] = float(m.group(1)) if m else None
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\b", out, re.M)
    r["p99_ms"] = parse_dur(*m.groups()) if m else None
    m = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\b", out, re.M)
    r["p50_ms"] = parse_dur(*m.groups()) if m else None
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+)", out)
    r["requests"] = int(m.group(1)) if m else None
    err = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        r["socket_errors"] = dict(zip(("connect", "read", "write", "timeout"), map(int, m.groups())))
        err += sum(map(int, m.groups()))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    r["non2xx"] = int(m.group(1)) if m else 0
    err += r["non2xx"]
    r["errors"] = err
    return r


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# --------------------------------------------------------------------------


class Ctx:
    pass


def machine_info():
    cpu = ""
    try:
        for line in sh(["lscpu"]).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except OSError:
        pass
    if not cpu:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    mem = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 1024 / 1024
    os_name = ""
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    os_name = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass

    def ver(cmd, pat=None):
        try:
            r = sh(cmd)
            s = (r.stdout + r.stderr).strip().splitlines()[0]
            return s
        except (OSError, IndexError):
            return "?"

    git = sh(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"]).stdout.strip()
    dirty = sh(["git", "-C", ROOT, "status", "--porcelain", "--", "core", "app"]).stdout.strip()
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "os": os_name, "mem_gib": round(mem, 1),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "ferry_commit": git + (" + uncommitted changes in core/ or app/" if dirty else ""),
        "versions": {
            "nginx": ver(["nginx", "-v"]), "tornado": sh([PY, "-c", "import tornado;print(tornado.version)"]).stdout.strip(),
            "python": sh([PY, "--version"]).stdout.strip(), "wrk": ver(["wrk", "--version"]).split(" [")[0],
            "curl": ver(["curl", "--version"]).split(" (")[0], "iperf3": ver(["iperf3", "--version"]).split(" (")[0],
        },
    }


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def make_files(ctx):
    d = os.path.join(ctx.tmp, "files")
    os.makedirs(d, exist_ok=True)
    os.chmod(ctx.tmp, 0o755)
    os.chmod(d, 0o755)
    ctx.filedir = d
    ctx.files = {}
    block = os.urandom(1 << 20)
    for k, (name, size) in FILES.items():
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            left = size
            while left:
                n = min(left, len(block))
                f.write(block[:n])
                left -= n
        os.chmod(path, 0o644)
        ctx.files[k] = path
    # Into the page cache, and check it stayed there.
    for path in ctx.files.values():
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass
    if shutil.which("fincore"):
        r = sh(["fincore", "-b", "-n", "-o", "RES,SIZE,FILE"] + list(ctx.files.values()))
        log("page cache (resident bytes, size):", " | ".join(" ".join(l.split()[:2]) for l in r.stdout.splitlines()))


class Bench:
    def __init__(self, args):
        self.a = args
        self.cfg = QUICK if args.quick else FULL
        self.res = {"workloads": {}, "notes": [], "loadavg": {}}
        ctx = Ctx()
        self.ctx = ctx
        ctx.ferry = os.path.abspath(args.ferry)
        ctx.nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        ctx.tmp = tempfile.mkdtemp(prefix="ferry-bench-")
        ctx.epoll_flag = False
        ctx.live = set()
        self._log_n = 0
        ctx.next_log = self.next_log
        ncpu = os.cpu_count() or 1
        self.pin = (not args.no_pin) and ncpu >= 2
        self.server_cpu, self.client_cpu = str(ncpu - 1), "0"
        ctx.server_pin = lambda: ["taskset", "-c", self.server_cpu] if self.pin else []
        self.servers = args.servers.split(",") if args.servers else ["ferry"] + PEERS
        ctx.baseline = os.path.abspath(args.baseline) if args.baseline else None
        if ctx.baseline and "ferry" in self.servers:
            self.servers.insert(self.servers.index("ferry") + 1, "ferry-before")

    def next_log(self):
        self._log_n += 1
        return self._log_n

    def variants(self, names):
        """Ferry variants measured beside the peers (only when Ferry is)."""
        return names if "ferry" in self.servers and not self.a.no_variants else []

    def cpin(self):
        return ["taskset", "-c", self.client_cpu] if self.pin else []

    def start(self, names, **kw):
        out = {}
        for n in names:
            try:
                out[n] = Server(n, self.ctx).start(**kw)
            except Exception as e:  # noqa: BLE001
                log("cannot start", n, "-", e)
                self.res["notes"].append("%s did not start: %s" % (n, e))
        return out

    @staticmethod
    def stop(servers):
        for s in servers.values():
            s.stop()

    def record(self, w, name, **kv):
        self.res["workloads"].setdefault(w, {}).setdefault(name, {}).update(kv)

    # ----------------------------------------------------------------------

    def iperf(self):
        c = self.cfg
        port = free_port()
        srv = subprocess.Popen(self.ctx.server_pin() + ["iperf3", "-s", "-p", str(port), "-B", "127.0.0.1"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # (no connect probe: iperf3 would take it for a test)
        vals = []
        try:
            for _ in range(c["iperf_reps"]):
                for attempt in range(5):
                    r = sh(self.cpin() + ["iperf3", "-c", "127.0.0.1", "-p", str(port), "-t", str(c["iperf_t"]), "-J"])
                    try:
                        d = json.loads(r.stdout)
                        vals.append(d["end"]["sum_received"]["bits_per_second"] / 8e6)
                        break
                    except (ValueError, KeyError):
                        log("iperf3 failed:", r.stdout[-200:].replace("\n", " "))
                        time.sleep(0.5)
        finally:
            srv.terminate()
            srv.wait()
        self.res["iperf"] = {"mb_s": median(vals), "reps": vals}
        log("iperf3 loopback: %s MB/s" % (vals,))

    def w1(self):
        c = self.cfg
        srv = self.start(self.servers + self.variants(["ferry-pread"]))
        rows = {n: [] for n in srv}
        rows_mg = {n: [] for n in srv}
        cpu = {n: [] for n in srv}
        for rep in range(c["reps1"]):
            for n, s in srv.items():
                if n not in FAST and rep >= c["reps1_slow"]:
                    continue
                pids = s.pids()
                c0 = cpu_s(pids)
                r = sh(self.cpin() + ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}",
                                      "--max-time", "120", s.url("big")])
                c1 = cpu_s(pids)
                try:
                    code, size, t = r.stdout.split()
                    ok = code == "200" and int(size) == FILES["big"][1]
                    rows[n].append(int(size) / float(t) / 1e6 if ok else None)
                    if ok:
                        cpu[n].append((c1 - c0) / (int(size) / 1e9))
                except ValueError:
                    rows[n].append(None)
                r = sh(self.cpin() + [self.ctx.multiget, "127.0.0.1", str(s.port), s.paths["big"], "1", "120"])
                try:
                    rows_mg[n].append(json.loads(r.stdout)["mb_per_s"] if r.returncode == 0 else None)
                except ValueError:
                    rows_mg[n].append(None)
                log("w1 rep %d %s: curl %s MB/s, multiget %s MB/s" % (rep, n, rows[n][-1], rows_mg[n][-1]))
        for n in srv:
            self.record(1, n, mb_s=median(rows[n]), reps=rows[n], mb_s_multiget=median(rows_mg[n]),
                        reps_multiget=rows_mg[n], cpu_s_per_gb=median(cpu[n]))
        self.stop(srv)

    def w2(self):
        c = self.cfg
        srv = self.start(self.servers + self.variants(["ferry-pread"]))
        vals = {n: [] for n in srv}
        peaks = {n: [] for n in srv}
        fails = {n: 0 for n in srv}
        probes = {n: [] for n in srv}
        for rep in range(c["reps2"]):
            for n, s in srv.items():
                if n not in FAST and rep >= c["reps2_slow"]:
                    continue
                sampler = RssSampler(s.pids())
                # Meanwhile a 4 KiB GET every 20 ms: does a server busy streaming keep answering?
                probe = subprocess.Popen(self.cpin() + [PY, os.path.join(HERE, "clients", "probe.py"), "127.0.0.1",
                                                        str(s.port), s.paths["small"]],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                r = sh(self.cpin() + [self.ctx.multiget, "127.0.0.1", str(s.port), s.paths["mid"], "64", "120"])
                peaks[n].append(sampler.finish())
                try:
                    out, _ = probe.communicate("\n", timeout=30)
                    probes[n].append(json.loads(out))
                except (subprocess.TimeoutExpired, ValueError):
                    probe.kill()
                    probes[n].append({})
                try:
                    d = json.loads(r.stdout)
                    fails[n] += d["failed"]
                    vals[n].append(d["mb_per_s"] if d["failed"] == 0 else None)
                except ValueError:
                    vals[n].append(None)
                    fails[n] += 64
                log("w2 rep %d %s: %s MB/s aggregate, peak RSS %.1f MB, probes %s" % (
                    rep, n, vals[n][-1], peaks[n][-1], probes[n][-1]))
        for n in srv:
            self.record(2, n, mb_s=median(vals[n]), reps=vals[n], peak_rss_mb=max(peaks[n]) if peaks[n] else None,
                        failed=fails[n], probes=probes[n],
                        probe_p50_ms=median([p.get("p50_ms") for p in probes[n]]),
                        probe_p99_ms=median([p.get("p99_ms") for p in probes[n]]),
                        probe_failed=sum(p.get("failed", 0) for p in probes[n]))
        self.stop(srv)

    def wrk(self, s, conns, dur, spread=False):
        env = dict(os.environ)
        if spread:
            env["LD_PRELOAD"] = self.ctx.srcspread
            env["SRCSPREAD_N"] = "64"
        pids = s.pids()
        c0, t0, b0 = cpu_s(pids), time.time(), cpu_busy_s(self.server_cpu)
        r = subprocess.run(self.cpin() + ["wrk", "-t1", "-c%d" % conns, "-d%ds" % dur, "--latency", "--timeout", "5s",
                                          s.url("small")], capture_output=True, text=True, env=env)
        wall = max(time.time() - t0, 1e-9)
        util = (cpu_s(pids) - c0) / wall
        d = parse_wrk(r.stdout + r.stderr)
        d["server_cpu"] = util
        # Everything else that ran on the server's core meanwhile (other
        # people's builds; also softirq work not charged to the server).
        d["other_cpu"] = max(0.0, (cpu_busy_s(self.server_cpu) - b0) / wall - util) if self.pin else None
        return d

    def w3(self, names):
        c = self.cfg
        srv = self.start(names)
        runs = {n: [] for n in srv}
        for n, s in srv.items():
            self.wrk(s, 64, c["warm_d"])
        for rep in range(c["reps3"]):
            for n, s in srv.items():
                d = self.wrk(s, 64, c["wrk_d"])
                runs[n].append(d)
                log("w3 rep %d %s: %s req/s, p99 %s ms, errors %s, server CPU %.0f%%, other %s" %
                    (rep, n, d["rps"], d["p99_ms"], d["errors"], 100 * d["server_cpu"], d["other_cpu"]))
        for n in srv:
            rs = runs[n]
            self.record(3, n, rps=median([d["rps"] for d in rs]), p99_ms=median([d["p99_ms"] for d in rs]),
                        p50_ms=median([d["p50_ms"] for d in rs]), errors=sum(d["errors"] for d in rs),
                        server_cpu=median([d["server_cpu"] for d in rs]), reps=[d["rps"] for d in rs],
                        other_cpu=median([d["other_cpu"] for d in rs]))
        self.stop(srv)

    def w4(self):
        c = self.cfg
        srv = self.start(self.servers)
        runs = {n: [] for n in srv}
        for rep in range(c["reps4"]):
            for n, s in srv.items():
                d = self.wrk(s, 1000, c["wrk4_d"], spread=True)
                runs[n].append(d)
                log("w4 rep %d %s: %s req/s, p99 %s ms, errors %s %s, server CPU %.0f%%" %
                    (rep, n, d["rps"], d["p99_ms"], d["errors"], d.get("socket_errors"), 100 * d["server_cpu"]))
        for n in srv:
            rs = runs[n]
            self.record(4, n, rps=median([d["rps"] for d in rs]), p99_ms=median([d["p99_ms"] for d in rs]),
                        errors=sum(d["errors"] for d in rs), server_cpu=median([d["server_cpu"] for d in rs]),
                        other_cpu=median([d["other_cpu"] for d in rs]),
                        reps=[d["rps"] for d in rs], socket_errors=[d.get("socket_errors") for d in rs],
                        non2xx=sum(d["non2xx"] for d in rs))
        # The same from one source address: what Ferry's default per-IP cap
        # (256) does to a single load generator.
        if "ferry" in srv:
            d = self.wrk(srv["ferry"], 1000, c["wrk4_d"], spread=False)
            log("w4 ferry, one source IP: %s req/s, errors %s" % (d["rps"], d["errors"]))
            self.record(4, "ferry", one_ip_rps=d["rps"], one_ip_errors=d["errors"], one_ip_non2xx=d["non2xx"])
        self.stop(srv)

    def w5(self):
        """Two rounds of the abuse on one server, each measured 1 s after and
        once settled (8 s after: Ferry keeps finished transfers in its
        statistics for 5 s and gives a burst's memory back after that).
        Growth after round 1 that does not repeat in round 2 is a high-water
        mark, not a leak. Every server answers one request first, so what any
        of them allocates once on its first request is not counted."""
        c = self.cfg
        for n in self.servers:
            srv = self.start([n])
            if n not in srv:
                continue
            s = srv[n]
            s.ok()
            time.sleep(0.5)
            pids = s.pids()
            before = rss_mb(pids)
            before_anon = anon_mb(pids)
            sampler = RssSampler(pids)
            rounds = []
            for rnd in range(2):
                r = sh(self.cpin() + [PY, os.path.join(HERE, "clients", "hangup.py"), "127.0.0.1", str(s.port),
                                      s.paths["mid"], "--clients", str(c["w5_clients"]), "--timeout", "30"])
                try:
                    d = json.loads(r.stdout)
                except ValueError:
                    d = {"seconds": None, "error": (r.stdout + r.stderr)[-300:]}
                time.sleep(1.0)
                d["rss_after_1s_mb"] = rss_mb(s.pids())
                d["anon_after_1s_mb"] = anon_mb(s.pids())
                time.sleep(SETTLE_S - 1.0)
                d["rss_settled_mb"] = rss_mb(s.pids())
                d["anon_settled_mb"] = anon_mb(s.pids())
                rounds.append(d)
            peak = sampler.finish()
            healthy = s.ok()
            d, d2 = rounds
            log("w5 %s: %s; RSS before %.1f, peak %.1f, round 1: 1 s %.1f, settled %.1f; round 2: 1 s %.1f, "
                "settled %.1f MB; healthy %s" % (n, rounds, before, peak, d["rss_after_1s_mb"], d["rss_settled_mb"],
                                                 d2["rss_after_1s_mb"], d2["rss_settled_mb"], healthy))
            self.record(5, n, seconds=d.get("seconds") if not d.get("timed_out") else None,
                        rss_before_mb=before, rss_peak_mb=peak,
                        rss_after_mb=d["rss_after_1s_mb"], rss_settled_mb=d["rss_settled_mb"],
                        rss_after2_mb=d2["rss_after_1s_mb"], rss_settled2_mb=d2["rss_settled_mb"],
                        growth_mb=d["rss_settled_mb"] - before,
                        growth2_mb=d2["rss_settled_mb"] - d["rss_settled_mb"], client=d,
                        client2=d2, healthy=healthy, anon_before_mb=before_anon,
                        anon_settled_mb=d["anon_settled_mb"], anon_settled2_mb=d2["anon_settled_mb"],
                        anon_growth_mb=d["anon_settled_mb"] - before_anon)
            self.stop(srv)

    def w6(self, names):
        c = self.cfg
        for n in names:
            srv = self.start([n])
            if n not in srv:
                continue
            s = srv[n]
            time.sleep(0.3)
            pids = s.pids()
            base = rss_mb(pids)
            base_anon = anon_mb(pids)
            p = subprocess.Popen(self.cpin() + [PY, os.path.join(HERE, "clients", "idle_hold.py"), "127.0.0.1",
                                                str(s.port), s.paths["small"], "--conns", str(c["w6_conns"]),
                                                "--probes", str(c["probes"])],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            out = {"rss_idle_mb": base}
            try:
                for _ in range(3):
                    line = p.stdout.readline()
                    if not line:
                        break
                    d = json.loads(line)
                    time.sleep(0.5)
                    out["rss_%s_mb" % d["phase"]] = rss_mb(s.pids())
                    out["anon_%s_mb" % d["phase"]] = anon_mb(s.pids())
                    if d["phase"] == "requested":
                        out["by_process"] = [(p_, open("/proc/%d/comm" % p_).read().strip(), rss_mb([p_]))
                                             for p_ in s.pids()]
                    out[d["phase"]] = d
                    p.stdin.write("\n")
                    p.stdin.flush()
                p.wait(60)
            except (ValueError, subprocess.TimeoutExpired, BrokenPipeError) as e:
                out["error"] = repr(e)
                p.kill()
                p.wait()
            log("w6 %s: %s" % (n, out))
            pr = out.get("probes", {})
            self.record(6, n, rss_mb=out.get("rss_requested_mb"), rss_connected_mb=out.get("rss_connected_mb"),
                        rss_idle_mb=base, probe_p50_ms=pr.get("p50_ms"), probe_p99_ms=pr.get("p99_ms"),
                        probe_max_ms=pr.get("max_ms"), probe_failed=pr.get("failed"), still_open=pr.get("still_open"),
                        held=pr.get("held"), connected=out.get("connected", {}).get("open"),
                        requested_ok=out.get("requested", {}).get("ok"), by_process=out.get("by_process"),
                        anon_idle_mb=base_anon, anon_mb=out.get("anon_requested_mb"),
                        detail=out)
            self.stop(srv)

    # ----------------------------------------------------------------------
    # Ferry alone: allocations, syscalls, profile

    def keepalive(self, s, batches, between):
        """Runs keepalive_count.py; calls between(i, requests) after each batch."""
        p = subprocess.Popen(self.cpin() + [PY, os.path.join(HERE, "clients", "keepalive_count.py"), "127.0.0.1",
                                            str(s.port), s.paths["small"], "--conns", "64", "--batches",
                                            ",".join(map(str, batches))],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for i in range(len(batches)):
            line = p.stdout.readline()
            if not line:
                raise RuntimeError("keepalive client failed")
            d = json.loads(line)
            between(i, d)
            p.stdin.write("\n")
            p.stdin.flush()
        p.wait(60)

    def alloc(self):
        c = self.cfg
        cf = os.path.join(self.ctx.tmp, "malloc-counts")
        env = {"LD_PRELOAD": self.ctx.malloc_count, "MALLOC_COUNT_FILE": cf}
        s = Server("ferry", self.ctx).start(env_extra=env)

        def read_counts():
            old = open(cf).read() if os.path.exists(cf) else ""
            os.kill(s.proc.pid, signal.SIGUSR2)
            for _ in range(200):
                time.sleep(0.01)
                if os.path.exists(cf):
                    new = open(cf).read()
                    if new != old and new.endswith("\n"):
                        seq, a, f, b = map(int, new.split())
                        return a, f, b
            raise RuntimeError("no counts from the malloc shim")

        marks, times = [], []
        time.sleep(0.3)
        marks.append(read_counts())
        times.append(time.time())

        def between(i, d):
            marks.append(read_counts())
            times.append(time.time())

        batches = c["alloc_batches"]
        self.keepalive(s, batches, between)
        per = []
        for i in range(1, len(batches)):
            da = marks[i + 1][0] - marks[i][0]
            per.append({"requests": batches[i], "allocs": da, "frees": marks[i + 1][1] - marks[i][1],
                        "seconds": times[i + 1] - times[i],
                        "allocs_per_request": da / batches[i], "bytes_per_request": (marks[i + 1][2] - marks[i][2]) / batches[i]})
        # Time-based background: the stats ticker keeps publishing snapshots
        # while finished transfers are retained (5 s).
        t0 = read_counts()
        time.sleep(2.0)
        t1 = read_counts()
        idle_rate = (t1[0] - t0[0]) / 2.0
        # Per new connection (with its one request): 500 fresh connections.
        c0 = read_counts()
        for _ in range(5):
            sh(self.cpin() + [PY, os.path.join(HERE, "clients", "keepalive_count.py"), "127.0.0.1", str(s.port),
                              s.paths["small"], "--conns", "100", "--batches", "100"], input="\n")
        time.sleep(0.5)
        c1 = read_counts()
        per_conn = (c1[0] - c0[0]) / 500
        s.stop()
        self.res["alloc"] = {"windows": per, "allocs_per_request": median([w["allocs_per_request"] for w in per]),
                             "idle_allocs_per_s_after": idle_rate, "allocs_per_new_connection_with_1_request": per_conn}
        log("alloc:", self.res["alloc"])
        # Where they come from: heaptrack, when installed.
        if shutil.which("heaptrack") and shutil.which("heaptrack_print"):
            try:
                self.heaptrack()
            except Exception as e:  # noqa: BLE001
                log("heaptrack failed:", e)

    def heaptrack(self):
        out = os.path.join(self.ctx.tmp, "heaptrack")
        s = Server("ferry", self.ctx).start(wrap=["heaptrack", "-o", out])
        time.sleep(1.0)
        self.keepalive(s, (2000, 10000), lambda i, d: None)  # 12,000 requests in all
        time.sleep(0.2)
        s.stop()
        files = [f for f in os.listdir(self.ctx.tmp) if f.startswith("heaptrack.")]
        if not files:
            return
        r = sh(["heaptrack_print", "-f", os.path.join(self.ctx.tmp, files[0]), "-a", "1", "-p", "0", "-T", "0",
                "-l", "0", "-n", "300", "-s", "100"])
        text, cats = summarize_heaptrack(r.stdout)
        self.res["heaptrack"] = text
        self.res["heaptrack_categories"] = cats
        self.res["heaptrack_requests"] = 12000
        lines = text.splitlines()
        log("heaptrack: %d lines" % len(lines))

    def syscalls(self):
        if not shutil.which("strace"):
            return
        out = {}
        for name in ("ferry", "nginx"):
            if name in self.servers:
                try:
                    out[name] = self.syscalls_of(name)
                except Exception as e:  # noqa: BLE001
                    log("strace of", name, "failed:", e)
        self.res["syscalls"] = out

    def syscalls_of(self, name):
        c = self.cfg
        s = Server(name, self.ctx).start()
        # nginx: the worker does the work (the master's pid is the root).
        pid = s.pids()[-1] if name == "nginx" else s.proc.pid
        outf = os.path.join(self.ctx.tmp, "strace-%s.txt" % name)
        holder = {}

        def between(i, d):
            if i == 0:
                holder["p"] = subprocess.Popen(["strace", "-c", "-f", "-o", outf, "-p", str(pid)],
                                               stderr=subprocess.DEVNULL)
                time.sleep(1.0)  # attached to every thread before the batch starts
            elif i == 1:
                holder["p"].send_signal(signal.SIGINT)
                holder["p"].wait(30)

        batches = c["strace_batches"]
        self.keepalive(s, batches, between)
        s.stop()
        rows = []
        for line in open(outf):
            f = line.split()
            if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
                # columns: % time, seconds, usecs/call, calls, [errors,] syscall
                rows.append((f[-1], int(f[3]) / batches[1]))
        rows.sort(key=lambda x: -x[1])
        log("syscalls per request, %s: %s" % (name, rows[:10]))
        return {"per_request": rows, "total_per_request": sum(x[1] for x in rows)}

    def profile(self):
        c = self.cfg
        r = sh(["perf", "stat", "-e", "instructions", "true"]) if shutil.which("perf") else None
        hw = r is not None and r.returncode == 0 and "not supported" not in r.stderr and "instructions" in r.stderr
        prof = {"hw_counters": hw}
        if shutil.which("perf"):
            s = Server("ferry", self.ctx).start()
            data = os.path.join(self.ctx.tmp, "perf.data")
            ev = "cycles" if hw else "cpu-clock"
            w = subprocess.Popen(self.cpin() + ["wrk", "-t1", "-c64", "-d%ds" % (c["perf_d"] + 2), s.url("small")],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            time.sleep(1.0)
            rec = sh(["perf", "record", "-g", "-e", ev, "-F", "2000", "-o", data, "-p", str(s.proc.pid), "--",
                      "sleep", str(c["perf_d"])])
            out = w.communicate()[0]
            s.stop()
            rep = sh(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "sym", "-g", "none",
                      "--percent-limit", "0.7"])
            top = [l for l in rep.stdout.splitlines() if l.strip() and not l.startswith("#")]
            dso = sh(["perf", "report", "-i", data, "--stdio", "--no-children", "--sort", "dso", "-g", "none"])
            ch = sh(["perf", "report", "-i", data, "--stdio", "--children", "--sort", "sym", "-g", "none",
                     "--percent-limit", "0.3"])
            sysc = []
            for l in ch.stdout.splitlines():
                m = re.match(r"^\s*([\d.]+)%\s+([\d.]+)%\s+\[k\]\s+__x64_sys_(\w+)", l)
                if m:
                    sysc.append((m.group(3), float(m.group(1))))
            prof.update(event=ev, top=top[:30], dso=[l for l in dso.stdout.splitlines()
                                                      if l.strip() and not l.startswith("#")][:8],
                        syscalls=sysc, wrk_rps=parse_wrk(out)["rps"], record_err=rec.stderr[-300:])
            log("perf top:\n" + "\n".join(top[:15]))
        if shutil.which("valgrind") and shutil.which("callgrind_control"):
            try:
                prof["callgrind"] = self.callgrind()
            except Exception as e:  # noqa: BLE001
                log("callgrind failed:", e)
        self.res["profile"] = prof

    def callgrind(self):
        c = self.cfg
        out = os.path.join(self.ctx.tmp, "callgrind.out")
        # Uncompressed names: each dump file must stand on its own.
        s = Server("ferry", self.ctx).start(wrap=["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
                                                  "--compress-strings=no", "--compress-pos=no"])
        pid = s.proc.pid
        stamps = {}

        def between(i, d):
            # A dump also zeroes the counters: the second dump holds exactly
            # the second batch.
            sh(["callgrind_control", "-d", "batch%d" % i, str(pid)])
            stamps[i] = time.time()

        batches = c["callgrind_batches"]
        self.keepalive(s, batches, between)
        time.sleep(0.5)
        s.stop()
        target = None
        for f in sorted(os.listdir(self.ctx.tmp)):
            if f.startswith("callgrind.out."):
                with open(os.path.join(self.ctx.tmp, f), errors="replace") as fh:
                    if "Trigger: dump batch1" in fh.read(4000):
                        target = os.path.join(self.ctx.tmp, f)
        if not target:
            raise RuntimeError("no callgrind dump for the measured batch")
        total, self_cost, incl = parse_callgrind(target)
        n = batches[1]
        secs = stamps[1] - stamps[0]
        skip = ("clone", "start_thread", "std::thread::_State_impl", "0x", "ferry::EventLoop::run()",
                "std::_Function_handler")
        top_self = [(v / n, name) for name, v in self_cost.most_common(20)]
        top_incl = [(v / n, name) for name, v in incl.most_common(60) if not name.startswith(skip)][:22]
        parts = {}
        for key, fn in (("I/O dispatch (requests)", "ferry::EventLoop::dispatch()"),
                        ("timers (stats ticker: snapshots + headless log)", "ferry::EventLoop::runTimers()"),
                        ("posted functions", "ferry::EventLoop::runPosted()")):
            if fn in incl:
                parts[key] = incl[fn] / n
        log("callgrind: %.0f instructions per request (%s)" % (total / n, parts))
        return {"requests": n, "seconds": secs, "total_ir": total, "ir_per_request": total / n, "parts": parts,
                "top_self": top_self, "top_incl": top_incl}

    # ----------------------------------------------------------------------

    def build_tools(self):
        bindir = os.path.join(self.ctx.tmp, "bin")
        os.makedirs(bindir, exist_ok=True)

        def cc(src, out, *extra):
            r = sh(["gcc", "-O2", "-Wall", "-o", out, src] + list(extra))
            if r.returncode:
                raise RuntimeError("gcc %s: %s" % (src, r.stderr))
            return out

        self.ctx.multiget = cc(os.path.join(HERE, "clients", "multiget.c"), os.path.join(bindir, "multiget"))
        self.ctx.srcspread = cc(os.path.join(HERE, "srcspread.c"), os.path.join(bindir, "srcspread.so"), "-shared",
                                "-fPIC", "-ldl")
        self.ctx.malloc_count = cc(os.path.join(HERE, "malloc_count.c"), os.path.join(bindir, "malloc_count.so"),
                                   "-shared", "-fPIC")

    def run(self, what):
        t_start = time.time()
        self.res["machine"] = machine_info()
        if self.a.rev:
            self.res["machine"]["ferry_commit"] = self.a.rev
        self.res["command"] = self.a.command or "scripts/bench.sh"
        self.res["quick"] = self.a.quick
        self.res["pinning"] = ("servers on CPU %s, clients on CPU %s" % (self.server_cpu, self.client_cpu)
                               if self.pin else "none")
        self.res["selected"] = sorted(what, key=str)
        log("temp dir", self.ctx.tmp)
        self.build_tools()
        # Run a private copy: the build directory may be reconfigured or
        # rebuilt by someone else while the benchmark runs.
        copy = os.path.join(self.ctx.tmp, "bin", "ferry")
        shutil.copy2(self.ctx.ferry, copy)
        self.res["ferry_binary"] = self.ctx.ferry
        self.ctx.ferry = copy
        make_files(self.ctx)
        poll = 7 in what
        steps = [("iperf", self.iperf), (1, self.w1), (2, self.w2),
                 (3, lambda: self.w3(self.servers + self.variants(["ferry-pread"] + (["ferry-poll"] if poll else [])))),
                 (4, self.w4), (5, self.w5),
                 (6, lambda: self.w6(self.servers + self.variants(["ferry-poll"] if poll else []))),
                 ("alloc", self.alloc), ("alloc", self.syscalls), ("profile", self.profile),
                 ("zip", lambda: zip_bench.run(self, sys.modules[__name__]))]
        if poll and 3 not in what:
            steps.append((7, lambda: self.w3(["ferry", "ferry-poll"])))
        if poll and 6 not in what:
            steps.append((7, lambda: self.w6(["ferry", "ferry-poll"])))
        for key, fn in steps:
            if key not in what:
                continue
            t0 = time.time()
            la = loadavg()
            log("== %s (load average %s)" % (key, la))
            try:
                fn()
            except Exception as e:  # noqa: BLE001
                import traceback
                traceback.print_exc()
                self.res["notes"].append("step %s failed: %r" % (key, e))
            self.res["loadavg"][str(key)] = [la, loadavg(), round(time.time() - t0, 1)]
        self.res["seconds"] = round(time.time() - t_start)
        return self.res


def parse_callgrind(path):
    """Self and inclusive instruction counts per function from one
    uncompressed callgrind dump (callgrind_annotate mislabels later parts)."""
    import collections
    self_cost, callee = collections.Counter(), collections.Counter()
    fn, after_calls, total = None, False, 0
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("fn="):
                fn = line[3:].strip()
                continue
            if line.startswith("calls="):
                after_calls = True
                continue
            if line.startswith("summary:"):
                total = int(line.split()[1])
                continue
            if line[:1].isdigit() or line[:1] in "+-*":
                parts = line.split()
                if len(parts) >= 2 and fn:
                    if after_calls:
                        callee[fn] += int(parts[1])
                    else:
                        self_cost[fn] += int(parts[1])
                after_calls = False
    incl = collections.Counter({k: self_cost[k] + callee[k] for k in set(self_cost) | set(callee)})
    return total or sum(self_cost.values()), self_cost, incl


def short_fn(name):
    name = name.strip().replace("(anonymous namespace)", "{anon}").replace("std::__cxx11::", "std::")
    depth, out = 0, []
    for ch in name:  # drop argument lists and template arguments
        if ch in "(<":
            depth += 1
        elif ch in ")>":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out).replace(" [clone .isra.0]", "").replace(" const", "").strip()


def summarize_heaptrack(text):
    """heaptrack_print -a output -> "calls  site <- caller <- caller" lines,
    by number of calls, skipping the allocator's own frames."""
    entries, frames = [], None
    lines = text.splitlines()
    start = next((k for k, l in enumerate(lines) if l.startswith("MOST CALLS TO ALLOCATION")), None)
    if start is None:
        return ""
    for line in lines[start + 1:]:
        if line.startswith("MOST ") or line.startswith("PEAK ") or line.startswith("total runtime"):
            break
        m = re.match(r"^(\d+) calls to allocation functions", line)
        if m:
            frames = None  # a new allocation function: no entry open
            continue
        m = re.match(r"^(\d+) calls with .* from:$", line)
        if m:
            frames = []
            entries.append((int(m.group(1)), frames))
            continue
        if frames is not None and re.match(r"^    \S", line) and not re.match(r"^    (at|in) ", line):
            f = short_fn(line)
            if f and not f.startswith("0x") and len(frames) < 6:
                frames.append(f)
    merged = {}
    for n, fr in entries:
        if fr:
            k = " <- ".join(fr)
            merged[k] = merged.get(k, 0) + n
    cats = {"stats snapshots (time-driven)": 0, "per connection (accept, watch)": 0, "startup": 0,
            "request path and other": 0}
    for k, n in merged.items():
        if "publish" in k or "TransferStats::tick" in k:
            cats["stats snapshots (time-driven)"] += n
        elif any(w in k for w in ("runHeadless", "addShare", "ShareRegistry::add", "EventLoop::EventLoop",
                                  "EventLoop::create", "Listener::start", "Server::start", "_dl_init", "call_init",
                                  "main", "absolutePath", "checkShareablePath", "pathFromUtf8")):
            cats["startup"] += n
        elif "accept" in k or "Connection::start" in k or "EventLoop::watch" in k:
            cats["per connection (accept, watch)"] += n
        else:
            cats["request path and other"] += n
    top = sorted(merged.items(), key=lambda e: -e[1])[:16]
    return "\n".join("%8d  %s" % (n, k) for k, n in top), cats


# --------------------------------------------------------------------------
# report

ROWS = [
    # (workload, key, label, chart label, unit, higher_is_better, has_ratio)
    (1, "mb_s", "1 · one client downloads 1 GiB (curl, median)", "1 · 1 GiB, 1 client: MB/s", "MB/s", True, True),
    (2, "mb_s", "2 · 64 clients download 100 MB at once", "2 · 64 × 100 MB: aggregate MB/s", "aggregate MB/s", True,
     True),
    (2, "peak_rss_mb", "2 · same: server peak RSS", "2 · 64 × 100 MB: peak RSS", "MB", False, True),
    (2, "probe_p50_ms", "2 · same: meanwhile a 4 KiB GET (fresh connection), latency p50", "", "ms", False, True),
    (2, "probe_p99_ms", "2 · same: that GET's p99", "", "ms", False, True),
    (3, "rps", "3 · wrk, 64 keep-alive connections, 4 KiB", "3 · 64 conns, 4 KiB: req/s", "req/s", True, True),
    (3, "p99_ms", "3 · same: p99 latency", "3 · 64 conns: p99 latency", "ms", False, True),
    (4, "rps", "4 · wrk, 1,000 connections, 4 KiB", "4 · 1,000 conns: req/s", "req/s", True, True),
    (4, "errors", "4 · same: errors (socket + non-2xx)", "", "count", False, False),
    (5, "seconds", "5 · 2,000 clients read 1 byte of 100 MB, hang up", "5 · 2,000 hang-ups: seconds", "s", False,
     True),
    (5, "rss_after_mb", "5 · same: server RSS 1 s after", "5 · 2,000 hang-ups: RSS after", "MB", False, True),
    (5, "growth_mb", "5 · same: RSS growth once settled (8 s after − before)", "", "MB", False, False),
    (5, "anon_growth_mb", "5 · same: RssAnon growth once settled (heap and stacks)", "", "MB", False, False),
    (5, "growth2_mb", "5 · same, second round: further RSS growth once settled", "", "MB", False, False),
    (6, "rss_mb", "6 · 10,000 idle keep-alive conns (1 request each): server RSS", "6 · 10,000 idle: RSS", "MB",
     False, True),
    (6, "anon_mb", "6 · same: server anonymous memory (RssAnon: heap and stacks, no shared libraries)",
     "6 · 10,000 idle: RssAnon", "MB", False, True),
    (6, "probe_p50_ms", "6 · same: probe request latency p50", "6 · 10,000 idle: probe p50", "ms", False, True),
    (6, "probe_p99_ms", "6 · same: probe request latency p99", "6 · 10,000 idle: probe p99", "ms", False, True),
]


def fmt(v, unit=""):
    if v is None:
        return "fail"
    if isinstance(v, str):
        return v
    if unit == "count":
        return "%d" % v
    a = abs(v)
    if a >= 1000:
        return "{:,.0f}".format(v)
    if a >= 100:
        return "%.0f" % v
    if a >= 10:
        return "%.1f" % v
    if a >= 1:
        return "%.2f" % v
    return "%.3f" % v


def advantage(f, p, higher):
    if not isinstance(f, (int, float)) or not isinstance(p, (int, float)) or f <= 0 or p <= 0:
        return None
    return f / p if higher else p / f


def table(res, servers):
    peers = [s for s in servers if s != "ferry"]
    head = "| Workload | Metric | Ferry | " + " | ".join(LABEL[p] for p in peers) + " |"
    sep = "|---|---|---:|" + "---:|" * len(peers)
    lines = [head, sep]
    W = res["workloads"]
    for w, key, label, _, unit, higher, has_ratio in ROWS:
        if w not in W:
            continue
        f = W[w].get("ferry", {}).get(key)
        cells = []
        if not any(p in W[w] for p in peers) and "ferry" not in W[w]:
            continue
        for p in peers:
            v = W[w].get(p, {}).get(key)
            cell = fmt(v, unit) if p in W[w] else "—"
            cl = W[w].get(p, {}).get("client") or {}
            if v is None and key == "seconds" and cl.get("timed_out"):
                cell = "> %s (%d of %d clients unserved)" % (fmt(cl.get("seconds")), cl["timed_out"], cl["clients"])
            r = advantage(f, v, higher) if has_ratio else None
            if r is not None:
                cell += " (%.2f×)" % r
            cells.append(cell)
        lines.append("| %s | %s | **%s** | %s |" % (label, unit, fmt(f, unit) if "ferry" in W[w] else "—",
                                                   " | ".join(cells)))
    return "\n".join(lines)


def ratios_for_chart(res, servers):
    peers = [s for s in servers if s != "ferry"]
    W = res["workloads"]
    groups = []
    for w, key, _, short, unit, higher, has_ratio in ROWS:
        if not has_ratio or w not in W:
            continue
        f = W[w].get("ferry", {}).get(key)
        groups.append((short, [(p, advantage(f, W[w].get(p, {}).get(key), higher)) for p in peers]))
    return groups


def svg_chart(res, servers):
    """Grouped bars, log scale: Ferry's advantage over each peer per metric
    (> 1× = Ferry better)."""
    groups = ratios_for_chart(res, servers)
    if not groups:
        return None
    peers = [s for s in servers if s != "ferry"]
    colors = {"nginx": "#2b8a3e", "tornado-static": "#1c7ed6", "tornado-chunked": "#74c0fc", "http.server": "#f08c00",
              "ferry-poll": "#868e96"}
    vals = [r for _, rs in groups for _, r in rs if r]
    lo = min([0.1] + [v for v in vals]) if vals else 0.1
    hi = max([100.0] + vals) if vals else 100.0
    lo = 10 ** math.floor(math.log10(lo))
    hi = 10 ** math.ceil(math.log10(hi))
    left, right, top, bottom = 360, 30, 50, 40
    bar_h, gap = 9, 12
    gh = len(peers) * bar_h + gap
    height = top + bottom + gh * len(groups) + 30
    width = 1000
    pw = width - left - right

    def x(v):
        return left + pw * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">'
         % (width, height), '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="22" font-size="15" font-weight="bold">Ferry\'s advantage over each peer '
         '(log scale; &gt; 1× = Ferry better)</text>' % left]
    d = lo
    while d <= hi * 1.0001:
        for m in (1, 2, 5):
            v = d * m
            if lo <= v <= hi:
                xx = x(v)
                o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>' %
                         (xx, top - 5, xx, height - bottom, "#888" if m == 1 else "#e5e5e5"))
                if m == 1 or (hi / lo) < 1e4:
                    o.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#444">%s×</text>' %
                             (xx, height - bottom + 15, ("%g" % v)))
        d *= 10
    x1 = x(1.0)
    o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="black" stroke-width="2"/>' %
             (x1, top - 5, x1, height - bottom))
    for gi, (label, rs) in enumerate(groups):
        y0 = top + gi * gh
        o.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' %
                 (left - 8, y0 + len(peers) * bar_h / 2 + 4, html.escape(label)))
        for pi, (p, r) in enumerate(rs):
            y = y0 + pi * bar_h
            if not r:
                continue
            xa, xb = sorted((x1, x(min(max(r, lo), hi))))
            o.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s: %.2f×</title></rect>' %
                     (xa, y, max(xb - xa, 1), bar_h - 1, colors.get(p, "#999"), LABEL[p], r))
            if r >= 1:
                o.append('<text x="%.1f" y="%.1f" font-size="9" fill="#333">%.2f×</text>' % (xb + 3, y + 8, r))
            else:
                o.append('<text x="%.1f" y="%.1f" font-size="9" fill="#333" text-anchor="end">%.2f×</text>' %
                         (xa - 3, y + 8, r))
    ly = height - 12
    lx = left
    for p in peers:
        o.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>' % (lx, ly - 9, colors.get(p, "#999")))
        o.append('<text x="%d" y="%d">vs %s</text>' % (lx + 14, ly, LABEL[p]))
        lx += 150
    o.append("</svg>")
    return "\n".join(o)


def targets(res):
    W = res["workloads"]
    out = []

    def g(w, s, k):
        return W.get(w, {}).get(s, {}).get(k)

    def row(name, val, ok):
        out.append("| %s | %s | %s |" % (name, val, "—" if ok is None else ("met" if ok else "**not met**")))

    for w, k, what in ((1, "mb_s", "1 GiB MB/s"), (2, "mb_s", "64×100 MB aggregate"), (3, "rps", "req/s"),
                       (4, "rps", "req/s")):
        r = advantage(g(w, "ferry", k), g(w, "nginx", k), True)
        if r is not None:
            row("vs nginx ≥ 1.0× on %d (%s)" % (w, what), "%.2f×" % r, r >= 1.0)
    r = advantage(g(6, "ferry", "rss_mb"), g(6, "nginx", "rss_mb"), False)
    if r is not None:
        row("RSS on 6 no worse than nginx", "Ferry %s MB vs nginx %s MB" % (fmt(g(6, "ferry", "rss_mb")),
                                                                          fmt(g(6, "nginx", "rss_mb"))), r >= 1.0)
    for w in (3, 4):
        for p in ("tornado-static", "tornado-chunked"):
            r = advantage(g(w, "ferry", "rps"), g(w, p, "rps"), True)
            if r is not None:
                row("vs %s ≥ 10× on %d" % (LABEL[p], w), "%.1f×" % r, r >= 10)
    if 5 in W:
        f = g(5, "ferry", "growth_mb")
        t = [g(5, p, "growth_mb") for p in ("tornado-static", "tornado-chunked")]
        f2 = g(5, "ferry", "growth2_mb")
        if f is not None:
            row("5: no RSS growth (Ferry) where Tornado grows",
                "Ferry %+.2f MB once settled (then %+.2f MB in a second round); Tornado %s" % (
                    f, f2 if f2 is not None else float("nan"),
                    ", ".join("%+.1f MB" % v for v in t if v is not None)),
                f <= 0.5 and (f2 is None or f2 <= 0.5))
    ip = res.get("iperf", {}).get("mb_s")
    f1 = g(1, "ferry", "mb_s")
    if ip and f1:
        row("1 at ≥ 70% of iperf3 loopback", "%.0f%% (%s of %s MB/s)" % (100 * f1 / ip, fmt(f1), fmt(ip)),
            f1 / ip >= 0.7)
    a = res.get("alloc", {}).get("allocs_per_request")
    if a is not None:
        row("no heap allocation per request (small file, keep-alive)", "%.2f allocations/request" % a, a < 0.01)
    if not out:
        return ""
    return "| Target (issue 5) | Measured | |\n|---|---|---|\n" + "\n".join(out)


def details(res, servers):
    W = res["workloads"]
    L = []
    names = [s for s in ["ferry", "ferry-before", "ferry-pread", "ferry-poll"] + PEERS if any(s in W.get(w, {}) for w in W)]
    if 1 in W or 2 in W:
        L.append("| Server | 1: curl MB/s, each run | 1: multiget MB/s (256 KiB reads), median | 1: server CPU s per GB "
                 "| 2: aggregate MB/s, each run | 2: failed downloads |")
        L.append("|---|---|---:|---:|---|---:|")
        for n in names:
            a, b = W.get(1, {}).get(n, {}), W.get(2, {}).get(n, {})
            if not a and not b:
                continue
            L.append("| %s | %s | %s | %s | %s | %s |" % (
                LABEL[n], ", ".join(fmt(v) for v in a.get("reps", [])), fmt(a.get("mb_s_multiget")) if a else "",
                fmt(a.get("cpu_s_per_gb")) if a else "", ", ".join(fmt(v) for v in b.get("reps", [])),
                b.get("failed", "")))
        L.append("")
    if 3 in W or 4 in W:
        L.append("| Server | 3: req/s, each run | 3: p50 ms | 3: CPU: server / rest of its core | 4: req/s, each run "
                 "| 4: p99 ms | 4: CPU: server / rest of its core | 4: socket errors (connect/read/write/timeout), "
                 "non-2xx |")
        L.append("|---|---|---:|---:|---|---:|---:|---|")
        for n in names:
            a, b = W.get(3, {}).get(n, {}), W.get(4, {}).get(n, {})
            if not a and not b:
                continue
            se = "; ".join("%(connect)d/%(read)d/%(write)d/%(timeout)d" % e for e in b.get("socket_errors", []) if e)
            se = se or "none"
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                LABEL[n], ", ".join(fmt(v) for v in a.get("reps", [])), fmt(a.get("p50_ms")) if a else "",
                pct2(a), ", ".join(fmt(v) for v in b.get("reps", [])), fmt(b.get("p99_ms")) if b else "", pct2(b),
                ("%s; non-2xx %d" % (se, b.get("non2xx", 0))) if b else ""))
        f4 = W.get(4, {}).get("ferry", {})
        if "one_ip_rps" in f4:
            L.append("")
            L.append("Workload 4 from a single source address (stock wrk, no spreading): Ferry %s req/s with %s "
                     "non-2xx responses — its per-IP cap (256) answers the rest with 503." %
                     (fmt(f4["one_ip_rps"]), f4.get("one_ip_non2xx")))
        L.append("")
        L.append("CPU: the server's own CPU time ÷ wall time, and the rest of the busy time of the core it is pinned "
                 "to: other processes (people's builds on this shared machine) and kernel network work done in "
                 "ksoftirqd rather than in the server's own system calls. Where the two add up to well under 100%, "
                 "the client (one wrk thread on the other core) was the limit.")
        L.append("")
    if 5 in W:
        L.append("| Server | 5: seconds (round 1, round 2) | clients that got a body byte | failed / timed out "
                 "| RSS before MB | peak MB | round 1: 1 s after → settled MB | round 2: 1 s after → settled MB "
                 "| RssAnon before → settled 1 → settled 2 MB | still serving |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for n in names:
            a = W[5].get(n)
            if not a:
                continue
            c, c2 = a.get("client", {}), a.get("client2", {})
            L.append("| %s | %s, %s | %s | %s / %s | %s | %s | %s | %s | %s | %s |" % (
                LABEL[n], fmt(c.get("seconds")), fmt(c2.get("seconds")), c.get("got_byte", "?"),
                c.get("failed", "?"), c.get("timed_out", "?"),
                fmt(a.get("rss_before_mb")), fmt(a.get("rss_peak_mb")),
                "%s → %s" % (fmt(a.get("rss_after_mb")), fmt(a.get("rss_settled_mb"))),
                "%s → %s" % (fmt(a.get("rss_after2_mb")), fmt(a.get("rss_settled2_mb"))),
                "%s → %s → %s" % (fmt(a.get("anon_before_mb")), fmt(a.get("anon_settled_mb")),
                                  fmt(a.get("anon_settled2_mb"))),
                "yes" if a.get("healthy") else "no"))
        L.append("")
    if 6 in W:
        L.append("| Server | 6: RSS idle MB | just connected MB | after 1 request each MB | anonymous memory (RssAnon) "
                 "idle → after MB | connected | answered | still open after probes | probe p50 / p99 / max ms "
                 "| probes failed |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
        for n in names:
            a = W[6].get(n)
            if not a:
                continue
            L.append("| %s | %s | %s | %s | %s → %s | %s | %s | %s | %s / %s / %s | %s |" % (
                LABEL[n], fmt(a.get("rss_idle_mb")), fmt(a.get("rss_connected_mb")), fmt(a.get("rss_mb")),
                fmt(a.get("anon_idle_mb")), fmt(a.get("anon_mb")), a.get("connected"), a.get("requested_ok"), a.get("still_open"), fmt(a.get("probe_p50_ms")),
                fmt(a.get("probe_p99_ms")), fmt(a.get("probe_max_ms")), a.get("probe_failed")))
        bp = W[6].get("nginx", {}).get("by_process")
        if bp and len(bp) > 1:
            L.append("")
            L.append("nginx's figure is master + worker: %s." % ", ".join("%s %s MB" % (c, fmt(r)) for _, c, r in bp))
        L.append("")
    return "\n".join(L)


def pct2(a):
    if not a or a.get("server_cpu") is None:
        return ""
    o = a.get("other_cpu")
    return "%.0f%% / %s" % (100 * a["server_cpu"], ("%.0f%%" % (100 * o)) if o is not None else "?")


def variants_table(res):
    W = res["workloads"]
    rows = []
    for w, key, label, higher in ((1, "mb_s", "1 · 1 GiB, MB/s (curl)", True),
                                  (1, "mb_s_multiget", "1 · 1 GiB, MB/s (multiget)", True),
                                  (2, "mb_s", "2 · 64 × 100 MB, aggregate MB/s", True),
                                  (2, "peak_rss_mb", "2 · peak RSS MB", False),
                                  (3, "rps", "3 · req/s", True), (3, "p99_ms", "3 · p99 ms", False),
                                  (6, "rss_mb", "6 · RSS MB, 10,000 idle", False),
                                  (6, "probe_p50_ms", "6 · probe p50 ms", False),
                                  (6, "probe_p99_ms", "6 · probe p99 ms", False)):
        e = W.get(w, {}).get("ferry", {}).get(key)
        v = {n: W.get(w, {}).get(n, {}).get(key) for n in ("ferry-pread", "ferry-poll")}
        if all(x is None for x in v.values()):
            continue
        cells = []
        for n, x in v.items():
            if n not in W.get(w, {}):
                cells.append("—")
                continue
            r = advantage(x, e, higher)
            cells.append("%s (%s)" % (fmt(x), ("%.2f×" % r) if r else "?"))
        rows.append("| %s | %s | %s |" % (label, fmt(e), " | ".join(cells)))
    if not rows:
        return ""
    return ("| Ferry variants (7 and a lever) | default: epoll + sendfile | `FERRY_SENDFILE=0`: pread + send "
            "| `--poller poll` (workload 7) |\n|---|---:|---:|---:|\n" + "\n".join(rows) +
            "\n\nIn parentheses: the variant against the default, > 1.00× = the variant is better "
            "(so for workload 7, epoll's advantage is the inverse).")


def report(res, servers, chart_rel):
    m = res["machine"]
    L = []
    L.append("## Ferry vs nginx, Tornado and http.server")
    L.append("")
    L.append("Generated by `%s` on %s (%s run, %d s). Regenerate with the same command; only the part "
             "between the `bench.sh` markers is rewritten." % (res["command"], m["date"],
                                                                 "quick" if res["quick"] else "full", res["seconds"]))
    L.append("")
    L.append("**Machine:** %s CPUs, %s, %s GiB RAM, Linux %s, %s. Ferry %s (Release). %s." % (
        m["nproc"], m["cpu"], m["mem_gib"], m["kernel"], m["os"], m["ferry_commit"],
        ", ".join("%s %s" % (k, v) for k, v in m["versions"].items())))
    L.append("")
    la = res.get("loadavg", {})
    if la:
        L.append("**Noise:** this machine is shared with other people's builds, so single runs swing by up to 2× "
                 "(see the raw runs under Details); servers are measured in turn within each repeat, and the "
                 "figures are medians. Load average (1/5/15 min) when each step started: %s." %
                 "; ".join("%s: %s" % (k, v[0]) for k, v in la.items()))
        L.append("")
    L.append(table(res, servers))
    L.append("")
    L.append("Ratios in parentheses are **Ferry's advantage** over that peer: Ferry ÷ peer for higher-is-better "
             "figures, peer ÷ Ferry for lower-is-better ones (time, memory, latency) — above 1.00× Ferry is ahead.")
    if res.get("baseline"):
        L.append("")
        L.append("The column **%s** is Ferry built from that earlier revision, measured in the same run as the "
                 "other servers: its ratio is this revision's advantage over it — the before/after of the changes "
                 "between the two." % LABEL["ferry-before"])
    ip = res.get("iperf", {}).get("mb_s")
    f1 = res["workloads"].get(1, {}).get("ferry", {}).get("mb_s")
    if ip:
        L.append("")
        L.append("**Physical limit:** iperf3 over loopback, one stream, same CPU pinning: **%s MB/s** (runs: %s)%s." % (
            fmt(ip), ", ".join(fmt(v) for v in res["iperf"]["reps"]),
            ("; Ferry's workload 1 is **%.0f%%** of it" % (100 * f1 / ip)) if f1 else ""))
        above = [LABEL[n] for n, d in res["workloads"].get(1, {}).items() if (d.get("mb_s") or 0) > ip]
        if above:
            L.append("It is not a ceiling on this machine: %s went faster over the same loopback (iperf3 copies "
                     "128 KiB per write and read; see the variants table for what copying instead of sendfile does "
                     "here)." % ", ".join(above))
    pt = variants_table(res)
    if pt:
        L.append("")
        L.append(pt)
    tg = targets(res)
    if tg:
        L.append("")
        L.append("### Against the issue's targets")
        L.append("")
        L.append(tg)
    if chart_rel:
        L.append("")
        L.append("![Ferry's advantage over each peer](%s)" % chart_rel)
    a = res.get("alloc")
    if a:
        L.append("")
        L.append("### Heap allocations on the small-file path")
        L.append("")
        L.append("Counted by `tests/bench/malloc_count.c` (LD_PRELOAD; every malloc/calloc/realloc/memalign, which "
                 "operator new goes through), read between batches of keep-alive GETs of the 4 KiB file on 64 "
                 "connections that stay open (`tests/bench/clients/keepalive_count.py`): allocations per request = "
                 "(count after N requests − count after M requests) / (N − M).")
        L.append("")
        L.append("| Window | Requests | Seconds | Allocations | Frees | Allocations/request | Bytes allocated/request |")
        L.append("|---|---:|---:|---:|---:|---:|---:|")
        for i, wdw in enumerate(a["windows"]):
            L.append("| %d | %d | %.2f | %d | %d | **%.2f** | %.0f |" % (
                i + 1, wdw["requests"], wdw.get("seconds", float("nan")), wdw["allocs"], wdw["frees"],
                wdw["allocs_per_request"], wdw["bytes_per_request"]))
        L.append("")
        L.append("Also: %.0f allocations/s while idle in the 2 s after the batches (the stats ticker republishing "
                 "retained finished transfers); %.1f allocations per new connection including its one request." %
                 (a["idle_allocs_per_s_after"], a["allocs_per_new_connection_with_1_request"]))
        if res.get("heaptrack"):
            L.append("")
            L.append("Where they come from (heaptrack over 2,000 + 10,000 requests, call stacks by number of "
                     "allocations; frames: allocating function <- its callers):")
            L.append("")
            L.append("```")
            L.append(res["heaptrack"])
            L.append("```")
            cats = res.get("heaptrack_categories")
            if cats:
                nreq = res.get("heaptrack_requests", 12000)
                L.append("")
                L.append("heaptrack's allocations over those %s requests (64 connections), by kind: %s." % (
                    "{:,}".format(nreq), "; ".join("%s %d (%.3f per request)" % (k, v, v / nreq)
                                                   for k, v in cats.items())))
    sc = res.get("syscalls")
    if sc:
        L.append("")
        L.append("System calls per request on the same client (64 keep-alive connections, 4 KiB file; "
                 "`strace -c -f` over one batch; nginx: its worker):")
        L.append("")
        L.append("| Server | Total | Per call |")
        L.append("|---|---:|---|")
        for n, d in sc.items():
            L.append("| %s | **%.2f** | %s |" % (LABEL[n], d["total_per_request"], ", ".join(
                "%s %.2f" % (k, v) for k, v in d["per_request"] if v >= 0.01)))
    pr = res.get("profile")
    if pr:
        L.append("")
        L.append("### Profile: Ferry on workload 3")
        L.append("")
        if pr.get("top"):
            L.append("`perf record -e %s` (%s) on the server during `wrk -t1 -c64` on the 4 KiB file (%s req/s while "
                     "profiled); self time by symbol, kernel included:" % (
                         pr.get("event"), "hardware counters" if pr.get("hw_counters") else
                         "no hardware counters in this VM: timer sampling", fmt(pr.get("wrk_rps"))))
            L.append("")
            L.append("```")
            L.extend(pr["top"][:25])
            L.append("```")
            if any("pvm_irq_enable" in l for l in pr["top"]):
                L.append("")
                L.append("`pvm_irq_enable`: this VM is a PVM guest without hardware counters; timer samples that "
                         "fire while the kernel has interrupts off land where it turns them back on. That time "
                         "belongs to the kernel code around it (mostly the socket send and loopback receive paths), "
                         "which the by-system-call split below accounts for.")
            L.append("")
            L.append("By object: " + "; ".join(" ".join(l.split()) for l in pr.get("dso", [])[:6]) + ".")
            if pr.get("syscalls"):
                L.append("")
                L.append("By system call (kernel time inclusive of everything under it, e.g. the TCP send path "
                         "and the loopback receive it triggers): " + ", ".join(
                             "%s %.1f%%" % (k, v) for k, v in pr["syscalls"]) + ".")
        cg = pr.get("callgrind")
        if cg:
            L.append("")
            L.append("callgrind (user space only: no kernel), %d keep-alive requests after a warm-up, %.1f s under "
                     "valgrind: **%s instructions per request** in all, of which %s. Time-driven work (the 10 Hz "
                     "stats ticker) is charged to these requests too, and valgrind makes requests ~50× slower, so "
                     "that part is overstated here against a real run." % (
                         cg["requests"], cg["seconds"], fmt(cg["ir_per_request"]),
                         "; ".join("%s %s" % (k, fmt(v)) for k, v in cg["parts"].items())))
            L.append("")
            L.append("Inclusive, instructions per request:")
            L.append("")
            L.append("```")
            for v, name in cg["top_incl"]:
                L.append("%9.0f  %s" % (v, short_fn(name)[:110]))
            L.append("```")
            L.append("")
            L.append("Self, instructions per request:")
            L.append("")
            L.append("```")
            for v, name in cg["top_self"]:
                L.append("%9.0f  %s" % (v, short_fn(name)[:110]))
            L.append("```")
    L.append("")
    L.append("### Details")
    L.append("")
    L.append(details(res, servers))
    L.append("### How it is measured")
    L.append("")
    L.append(METHOD.replace("%(pin)s", res["pinning"]))
    notes = res.get("notes")
    if notes:
        L.append("")
        L.append("**Problems in this run:** " + "; ".join(notes))
    return "\n".join(L).rstrip() + "\n"


METHOD = """\
- **Files:** 1 GiB, 100 MB and 4 KiB, in one temp dir, read into the page cache before the first server starts; every
  server serves these same files. MB = 10^6 bytes.
- **Servers**, each started fresh for each workload, on 127.0.0.1, pinning: %(pin)s:
  Ferry `--headless --bind 127.0.0.1 --port 0 --max-connections 20000` (Release build, stderr to a file);
  nginx 1 worker, `sendfile on`, `tcp_nopush on`, `access_log off`, worker_connections 20000, listen backlog 4096
  (`tests/bench/nginx.conf.in`, its own prefix); Tornado `StaticFileHandler` and the seed's chunked handler
  (read 512 KB, write, await flush, repeat; `tests/bench/tornado_server.py`), backlog 4096;
  `python3 -m http.server` as shipped (HTTP/1.0: it closes every connection after one response; listen backlog 5).
- **1:** `curl -o /dev/null` of the 1 GiB file, median of the runs; cross-checked with `multiget` (a C client that
  reads 256 KiB at a time) because curl's 16 KiB reads can be the bottleneck on loopback.
- **2:** `tests/bench/clients/multiget.c`: 64 connections opened at once, each downloads the 100 MB file;
  aggregate = bytes ÷ (first connect → last byte). Peak RSS: the server's process tree (nginx: master + worker),
  VmHWM reset through /proc/PID/clear_refs before each run, and VmRSS polled at 20 Hz; the larger.
  Meanwhile `tests/bench/clients/probe.py` GETs the 4 KiB file on a fresh connection every 20 ms (connect → last
  byte): whether a server busy streaming still answers a newcomer.
- **3:** `wrk -t1 -c64 --latency --timeout 5s` on the 4 KiB file after a warm-up run; median req/s and p99.
- **4:** `wrk -t1 -c1000` likewise, its connections spread over source addresses 127.0.0.2–65
  (`tests/bench/srcspread.c`, LD_PRELOAD) for every server, because Ferry caps connections per client address at
  256 by default (a LAN's clients each have their own); the single-address run, which meets that cap, is reported
  under Details.
- **5:** `tests/bench/clients/hangup.py`: 2,000 clients (sources spread the same way, at most 1,000 connects
  pending) ask for the 100 MB file, read the head and one body byte, and close; seconds until all are done; RSS
  before (after one request, so that buffers a server allocates on its first request are not counted), polled
  peak, 1 s after and settled (8 s after) each of two rounds; growth = settled − before; then a check that the
  server still answers.
- **6:** `tests/bench/clients/idle_hold.py`: 10,000 connections (spread sources) are opened, each sends **one GET of
  the 4 KiB file and reads the whole response, then stays open and idle** (keep-alive); server RSS is read then
  (also right after connecting, before any request). Meanwhile probe GETs on fresh connections from 127.0.0.1,
  one every 20 ms: latency connect → last byte. Ferry closes keep-alive connections idle for 15 s, so each server's
  run is kept under that; the table says how many were still open after the probes.
- **7:** Ferry with `--poller poll` in workloads 3 and 6.
- **Allocations, syscalls, profile:** Ferry alone, see above. Server CPU in the details is the server's CPU time ÷
  wall time (100% = its one core busy)."""


def write_doc(path, block, begin=BEGIN, end=END):
    """Puts `block` between the markers `begin` and `end` in the document at
    `path` (added at its end the first time), leaving the rest as it is."""
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
    if begin in text and end in text:
        a, rest = text.split(begin, 1)
        _, b = rest.split(end, 1)
        text = a + begin + "\n" + block + end + b
    else:
        text = text.rstrip("\n") + "\n\n" + begin + "\n" + block + end + "\n"
    with open(path, "w") as f:
        f.write(text)


def emit(a, res, servers):
    # Shared folders have a part of their own, so that `bench.sh zip` leaves
    # the workloads' tables as they are (and the other way round).
    zblock = zip_bench.report(res, res.get("command", "scripts/bench.sh"), res["machine"])
    if zblock:
        print(zblock)
        if not a.no_doc:
            write_doc(a.out, zblock, zip_bench.BEGIN, zip_bench.END)
    if res.get("selected") == ["zip"]:
        return
    chart_rel = None
    svg = svg_chart(res, servers)
    if svg and not a.no_doc:
        svg_path = os.path.splitext(a.out)[0] + ".svg"
        with open(svg_path, "w") as f:
            f.write(svg + "\n")
        chart_rel = os.path.basename(svg_path)
    block = report(res, servers, chart_rel)
    print(block)
    if not a.no_doc:
        write_doc(a.out, block)
        log("wrote", a.out, "and", chart_rel or "(no chart)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", nargs="*")
    ap.add_argument("--ferry", default=os.path.join(ROOT, "build", "release", "app", "ferry"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "BENCHMARKS.md"))
    ap.add_argument("--no-doc", action="store_true", help="print only; leave docs/ alone")
    ap.add_argument("--no-pin", action="store_true")
    ap.add_argument("--servers", help="comma-separated subset of: ferry," + ",".join(PEERS))
    ap.add_argument("--keep", action="store_true", help="keep the temp dir")
    ap.add_argument("--no-variants", action="store_true", help="skip Ferry's pread/poll variants")
    ap.add_argument("--command", help="the command line to quote in the report")
    ap.add_argument("--rev", help="the git revision measured (set by bench.sh --rev)")
    ap.add_argument("--render", metavar="RESULTS_JSON", help="only rewrite the report from saved results")
    ap.add_argument("--baseline", metavar="FERRY_BINARY", help="an earlier Ferry, measured beside this one")
    ap.add_argument("--baseline-label", default="an earlier revision", help="what --baseline is (its revision)")
    a = ap.parse_args()
    if a.render:
        with open(a.render) as f:
            res = json.load(f)
        if res.get("baseline"):
            LABEL["ferry-before"] = "Ferry at %s" % res["baseline"]
        res["workloads"] = {int(k): v for k, v in res["workloads"].items()}
        servers = res.get("servers") or (["ferry"] + PEERS)
        emit(a, res, servers)
        return
    what = set()
    for w in a.what or ["1", "2", "3", "4", "5", "6", "7", "iperf", "alloc", "profile", "zip"]:
        what.add(int(w) if w.isdigit() else w)
    bad = [w for w in what if w not in {1, 2, 3, 4, 5, 6, 7, "iperf", "alloc", "profile", "zip"}]
    if bad:
        ap.error("unknown workload(s): %s" % bad)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 10500 and (6 in what or 7 in what):
        log("note: open-file limit %d; workload 6 needs about 10,100 per process (server and client)" % hard)
    if a.baseline:
        LABEL["ferry-before"] = "Ferry at %s" % a.baseline_label
    b = Bench(a)
    try:
        res = b.run(what)
    finally:
        for s in list(b.ctx.live):
            s.stop()
    servers = b.servers
    res["servers"] = servers
    if a.baseline:
        res["baseline"] = a.baseline_label
    os.makedirs(os.path.join(ROOT, "build", "bench"), exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    jpath = os.path.join(ROOT, "build", "bench", "results-%s.json" % stamp)
    with open(jpath, "w") as f:
        json.dump(res, f, indent=1, default=str)
    emit(a, res, servers)
    log("raw results:", jpath)
    if not a.keep:
        shutil.rmtree(b.ctx.tmp, ignore_errors=True)
    else:
        log("kept", b.ctx.tmp)


if __name__ == "__main__":
    main()
