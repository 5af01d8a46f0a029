"""Shared folders: the zip and the listing, beside HFS 3 (the "zip" step of bench.py).

bench.py runs this as `scripts/bench.sh zip`, with its own machinery (pinning,
curl and multiget as clients, the RSS sampler, /proc CPU times); what is here
is what folders need on top:

  Z1  the zip of a folder holding one 1 GiB file vs that file's own download
      from the same share (target: the zip at >= 0.9x the file)
  Z2  the zip of 2,000 x 64 KiB files in 20 folders, Ferry vs HFS 3: a cold
      first download (fresh server, nothing cached) and warm ones after it
  Z3  16 concurrent zip downloads of a 1 GiB folder (16 x 64 MiB): aggregate
      rate and the server's resident memory growth (target: under 2 MB)
  Z4  the listing page of a 10,000-entry folder: time per request over one
      keep-alive connection (median, p99) and the server's CPU per request

Ferry is the real `ferry --headless` with the folders as PATHs, its CRC cache
in the run's temp dir (never the user's). HFS 3 (npm package `hfs`) is started
only through /work/shared/tools/hfs-peer.sh (or $HFS_PEER), which installs it
with npm into build/hfs-peer and keeps all its traffic on loopback; it is
pinned to the servers' CPU after it starts.
"""
import json
import os
import re
import subprocess
import time

HFS_PEER = os.environ.get("HFS_PEER", "/work/shared/tools/hfs-peer.sh")
Z2_FOLDERS, Z2_FILES, Z2_SIZE = 20, 2000, 64 * 1024
Z3_FILES, Z3_SIZE, Z3_CLIENTS = 16, 64 << 20, 16
Z4_ENTRIES = 10_000
BEGIN = "<!-- bench.sh:zip:begin -->"
END = "<!-- bench.sh:zip:end -->"


def _write(path, size, block):
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, len(block))
            f.write(block[:n])
            left -= n


def make_trees(b, h):
    """The folders, under the run's temp dir, read into the page cache."""
    ctx = b.ctx
    root = os.path.join(ctx.tmp, "folders")
    t = {k: os.path.join(root, k) for k in ("one", "many", "gig", "list")}
    for d in t.values():
        os.makedirs(d, exist_ok=True)
    # Z1: the workloads' 1 GiB file itself (a hard link: one copy in the page cache).
    os.link(ctx.files["big"], os.path.join(t["one"], "big.bin"))
    block = os.urandom(1 << 20)
    for i in range(Z2_FILES):
        sub = os.path.join(t["many"], "dir%02d" % (i % Z2_FOLDERS))
        os.makedirs(sub, exist_ok=True)
        _write(os.path.join(sub, "file%04d.bin" % i), Z2_SIZE, block[(i * 4096) % (1 << 19):])
    for i in range(Z3_FILES):
        _write(os.path.join(t["gig"], "part%02d.bin" % i), Z3_SIZE, block)
    for i in range(Z4_ENTRIES):
        open(os.path.join(t["list"], "photo_%05d.jpg" % i), "wb").close()
    for d in (t["many"], t["gig"]):
        for dirpath, _, names in os.walk(d):
            for n in names:
                with open(os.path.join(dirpath, n), "rb") as f:
                    while f.read(1 << 24):
                        pass
    return t


class Ferry:
    """`ferry --headless` sharing some folders; its CRC cache in `cache`."""

    def __init__(self, b, h, folders, cache):
        self.h = h
        env = dict(os.environ, XDG_CACHE_HOME=cache)
        logdir = os.path.join(b.ctx.tmp, "logs")
        os.makedirs(logdir, exist_ok=True)
        log = open(os.path.join(logdir, "ferry-zip.%d.log" % b.ctx.next_log()), "w")
        cmd = b.ctx.server_pin() + [b.ctx.ferry, "--headless", "--port", "0", "--bind", "127.0.0.1"] + folders
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, env=env, text=True)
        self.urls = [self.proc.stdout.readline().strip() for _ in folders]
        if not all(u.startswith("http://") for u in self.urls):
            self.stop()
            raise RuntimeError("ferry did not print its links; see %s" % log.name)
        self.port = int(re.match(r"http://[^/]+:(\d+)/", self.urls[0]).group(1))

    def path(self, i, suffix=""):
        return re.match(r"http://[^/]+(/.*)", self.urls[i]).group(1) + suffix

    def pids(self):
        return self.h.tree(self.proc.pid)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        self.proc.stdout.close()


class Hfs:
    """HFS 3 through hfs-peer.sh, pinned like the other servers."""

    def __init__(self, b, h, folder):
        self.h = h
        self.port = h.free_port()
        env = dict(os.environ, HFS_PEER_DIR=os.path.join(h.ROOT, "build", "hfs-peer"))
        self.env = env
        r = subprocess.run([HFS_PEER, "start", str(self.port), folder], capture_output=True, text=True, env=env,
                           timeout=600)
        if r.returncode:
            raise RuntimeError("hfs-peer.sh start: %s" % r.stderr.strip()[-300:])
        self.pid = int(r.stdout.split()[-1])
        if b.pin:
            h.sh(["taskset", "-a", "-p", "-c", b.server_cpu, str(self.pid)])
        pkg = os.path.join(env["HFS_PEER_DIR"], "node_modules", "hfs", "package.json")
        self.version = json.load(open(pkg)).get("version", "?") if os.path.exists(pkg) else "?"

    def pids(self):
        return self.h.tree(self.pid)

    def stop(self):
        subprocess.run([HFS_PEER, "stop", str(self.pid)], env=self.env, capture_output=True, timeout=60)


def curl_rate(b, h, port, path, expect_size=None):
    """MB/s of one GET with curl (None if it failed), and the bytes it got."""
    r = h.sh(b.cpin() + ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_total}",
                         "--max-time", "300", "http://127.0.0.1:%d%s" % (port, path)])
    try:
        code, size, t = r.stdout.split()
    except ValueError:
        return None, 0
    ok = code == "200" and (expect_size is None or int(size) == expect_size)
    return (int(size) / float(t) / 1e6 if ok and float(t) > 0 else None), int(size)


def z1(b, h, t, res):
    reps = b.cfg["reps1"]
    f = Ferry(b, h, [t["one"]], os.path.join(b.ctx.tmp, "cache-z1"))
    try:
        size = os.path.getsize(os.path.join(t["one"], "big.bin"))
        first, zsize = curl_rate(b, h, f.port, f.path(0, "?zip"))  # may wait for the 1 GiB file's CRC
        files, zips = [], []
        for rep in range(reps):
            files.append(curl_rate(b, h, f.port, f.path(0, "big.bin"), size)[0])
            zips.append(curl_rate(b, h, f.port, f.path(0, "?zip"), zsize)[0])
            h.log("zip Z1 rep %d: file %s MB/s, zip %s MB/s" % (rep, files[-1], zips[-1]))
    finally:
        f.stop()
    mf, mz = h.median(files), h.median(zips)
    res["z1"] = {"file_mb_s": mf, "zip_mb_s": mz, "ratio": mz / mf if mf and mz else None, "first_zip_mb_s": first,
                 "zip_bytes": zsize, "file_bytes": size, "reps_file": files, "reps_zip": zips}


def z2(b, h, t, res):
    reps = b.cfg["reps3"] + 2
    total = Z2_FILES * Z2_SIZE
    out = {}
    for name in ("ferry", "hfs"):
        cold, warm = [], []
        for rep in range(2):  # a fresh server each time: the first zip is a cold one
            try:
                s = (Ferry(b, h, [t["many"]], os.path.join(b.ctx.tmp, "cache-z2-%d" % rep)) if name == "ferry"
                     else Hfs(b, h, t["many"]))
            except Exception as e:  # noqa: BLE001
                res.setdefault("notes", []).append("%s did not start for Z2: %s" % (name, e))
                break
            try:
                path = s.path(0, "?zip") if name == "ferry" else "/?get=zip"
                rate, got = curl_rate(b, h, s.port, path)
                cold.append(rate)
                for _ in range(reps):
                    warm.append(curl_rate(b, h, s.port, path, got)[0])
                if name == "hfs":
                    out["hfs_version"] = s.version
                out.setdefault(name + "_zip_bytes", got)
            finally:
                s.stop()
            h.log("zip Z2 %s rep %d: cold %s MB/s, warm %s MB/s" % (name, rep, cold[-1], warm[-reps:]))
        out[name] = {"cold_mb_s": h.median(cold), "warm_mb_s": h.median(warm), "reps_cold": cold, "reps_warm": warm}
    out["payload_bytes"] = total
    res["z2"] = out


def z3(b, h, t, res):
    f = Ferry(b, h, [t["gig"]], os.path.join(b.ctx.tmp, "cache-z3"))
    try:
        curl_rate(b, h, f.port, f.path(0, "?zip"))  # CRCs ready, everything touched once
        time.sleep(1)
        pids = f.pids()
        before = h.rss_mb(pids)
        sampler = h.RssSampler(pids)
        r = h.sh(b.cpin() + [b.ctx.multiget, "127.0.0.1", str(f.port), f.path(0, "?zip"), str(Z3_CLIENTS), "600"])
        peak = sampler.finish()
        after = h.rss_mb(pids)
    finally:
        f.stop()
    try:
        d = json.loads(r.stdout)
    except ValueError:
        d = {}
    res["z3"] = {"clients": Z3_CLIENTS, "mb_s": d.get("mb_per_s") if d.get("failed") == 0 else None,
                 "failed": d.get("failed"), "rss_before_mb": before, "rss_peak_mb": peak, "rss_after_mb": after,
                 "growth_mb": peak - before}
    h.log("zip Z3: %s" % res["z3"])


def z4(b, h, t, res):
    n = 60 if b.a.quick else 300
    f = Ferry(b, h, [t["list"]], os.path.join(b.ctx.tmp, "cache-z4"))
    try:
        # The client runs pinned like the others: a subprocess with the timing loop.
        code = (
            "import http.client,json,sys,time\n"
            "c=http.client.HTTPConnection('127.0.0.1',%d);ts=[];size=0\n"
            "for i in range(%d):\n"
            "  t0=time.perf_counter();c.request('GET',%r);r=c.getresponse();body=r.read()\n"
            "  ts.append((time.perf_counter()-t0)*1000)\n"
            "  if r.status!=200: sys.exit('status %%d'%%r.status)\n"
            "  size=len(body)\n"
            "print(json.dumps({'ms':ts,'bytes':size}))\n" % (f.port, n + 10, f.path(0)))
        pids = f.pids()
        c0 = h.cpu_s(pids)
        r = h.sh(b.cpin() + [h.PY, "-c", code])
        c1 = h.cpu_s(pids)
    finally:
        f.stop()
    d = json.loads(r.stdout)
    ms = sorted(d["ms"][10:])  # the first ten warm the listing's caches
    res["z4"] = {"entries": Z4_ENTRIES, "requests": n, "page_bytes": d["bytes"], "median_ms": h.median(ms),
                 "p99_ms": ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))],
                 "cpu_ms_per_request": (c1 - c0) * 1000 / (n + 10)}
    h.log("zip Z4: %s" % res["z4"])


def run(b, h):
    res = {}
    t = make_trees(b, h)
    for step in (z1, z2, z3, z4):
        try:
            step(b, h, t, res)
        except Exception as e:  # noqa: BLE001
            import traceback
            traceback.print_exc()
            res.setdefault("notes", []).append("%s failed: %r" % (step.__name__, e))
    b.res["zip"] = res


def _f(v, fmt="%.0f"):
    return "—" if v is None else fmt % v


def report(res, command, machine):
    z = res.get("zip")
    la = (res.get("loadavg", {}).get("zip") or [None])[0]
    if not z:
        return ""
    L = ["## Shared folders: the zip and the listing", "",
         "Generated by `%s` on %s (Ferry %s, %s CPUs). Ferry is `ferry --headless` sharing the folders; "
         "servers pinned like the workloads above; curl or multiget as clients; medians of the repeats."
         % (command, machine["date"], machine["ferry_commit"], machine["nproc"]), ""]
    if la:
        L += ["**Noise:** the machine is shared with other people's builds (load average %s when this step "
              "started, on %s CPUs): single runs swing; the raw repeats are in build/bench/results-*.json." % (
                  la, machine["nproc"]), ""]
    if "z1" in z:
        d = z["z1"]
        ok = d["ratio"] is not None and d["ratio"] >= 0.9
        L += ["**Z1 — zip of a folder holding one 1 GiB file vs that file's own download** (curl, same share):", "",
              "| | MB/s |", "|---|---:|",
              "| the file (`…/big.bin`) | %s |" % _f(d["file_mb_s"]),
              "| the folder's zip (`…/?zip`, {:,} bytes) | {} |".format(d["zip_bytes"], _f(d["zip_mb_s"])),
              "| zip ÷ file | **%s** (target ≥ 0.90: %s) |" % (_f(d["ratio"], "%.2f×"), "met" if ok else "NOT met"),
              "| the first zip after start (its CRC-32 not yet cached) | %s |" % _f(d["first_zip_mb_s"]), ""]
    if "z2" in z:
        d = z["z2"]
        fe, hf = d.get("ferry", {}), d.get("hfs", {})
        def adv(a, b):
            return "(%.2f×)" % (a / b) if a and b else ""
        L += ["**Z2 — zip of {:,} × 64 KiB files in {} folders** ({:,} bytes of files; a fresh server for each "
              "cold download, nothing cached, then warm ones):".format(Z2_FILES, Z2_FOLDERS, d["payload_bytes"]), "",
              "| | Ferry | HFS %s |" % d.get("hfs_version", "3"), "|---|---:|---:|",
              "| cold first download, MB/s | %s %s | %s |" % (_f(fe.get("cold_mb_s")), adv(fe.get("cold_mb_s"),
                                                              hf.get("cold_mb_s")), _f(hf.get("cold_mb_s"))),
              "| warm, MB/s | %s %s | %s |" % (_f(fe.get("warm_mb_s")), adv(fe.get("warm_mb_s"), hf.get("warm_mb_s")),
                                              _f(hf.get("warm_mb_s"))),
              "| zip size, bytes | {:,} | {:,} |".format(d.get("ferry_zip_bytes", 0), d.get("hfs_zip_bytes", 0)), "",
              "Ratios are Ferry ÷ HFS (above 1.00× Ferry is ahead). HFS walks the tree and computes CRCs as it "
              "sends (data descriptors); Ferry sends CRCs ahead, from its cache or computed in the pool.", ""]
    if "z3" in z:
        d = z["z3"]
        ok = d["growth_mb"] is not None and d["growth_mb"] < 2
        L += ["**Z3 — %d concurrent zip downloads of a 1 GiB folder** (%d × 64 MiB; multiget):" % (
              d["clients"], Z3_FILES), "",
              "| aggregate MB/s | failed | RSS before | peak | growth |", "|---:|---:|---:|---:|---:|",
              "| %s | %s | %.1f MB | %.1f MB | **%.2f MB** (target < 2 MB: %s) |" % (
                  _f(d["mb_s"]), d["failed"], d["rss_before_mb"], d["rss_peak_mb"], d["growth_mb"],
                  "met" if ok else "NOT met"), ""]
    if "z4" in z:
        d = z["z4"]
        L += ["**Z4 — the listing of a {:,}-entry folder** ({} sequential GETs on one keep-alive connection, "
              "a {:,}-byte page; the time is the client's, request to last byte, on loopback):".format(
                  d["entries"], d["requests"], d["page_bytes"]), "",
              "| median | p99 | server CPU per request |", "|---:|---:|---:|",
              "| %.1f ms | %.1f ms | %.1f ms |" % (d["median_ms"], d["p99_ms"], d["cpu_ms_per_request"]), ""]
    for n in z.get("notes", []):
        L.append("- note: %s" % n)
    return "\n".join(L).rstrip("\n") + "\n"
