"""Receiving from LocalSend: Ferry's LocalSend uploads beside its own receive link, in one run.

    /usr/bin/python3 tests/bench/bench_localsend.py --ferry build/release/app/ferry [--rounds 3] [--doc docs/BENCHMARKS-localsend.md]
    (or: scripts/bench.sh localsend)

One `ferry --headless --receive DIR --localsend` with HTTPS on both ports
(its receive link with a self-signed certificate made for the run, LocalSend
with its own identity), inside a network namespace with only loopback
(`unshare -rn`), since LocalSend multicasts. The client speaks the real
protocol: `POST /api/localsend/v2/prepare-upload` (the sender's info and
each file's id, name, size and type), then each file with
`POST /api/localsend/v2/upload?sessionId&fileId&token`. The 1 GiB uploads go
out with curl (one process, one request), as does the PUT to the receive
link (`curl -T`). B's offer goes out from this script (Python's http.client
over TLS), and its files from one curl process (`curl --config`, one entry a
file), which keeps its TLS connections open from one file to the next as the
apps do (the npm `localsend` CLI sends one file per session): one
connection for one upload at a time, two for two at a time (`--parallel
--parallel-max 2`); the run fails if curl opens more. So B's client costs
what a native sender costs, not an interpreter's per-request work. No
certificate is verified, none shown. Rounds alternate between the ways
(A's each first in turn, after one untimed upload, each upload after a
sync, so that none waits for what was written before it), and every figure
is the wall time of the whole exchange (offer included), the received files
deleted between rounds (on the disk, B's moved aside instead, see
set_aside()), and a sync before each way of B. Beside each way of B, the
CPU time Ferry used (user + system, from /proc, all its threads) and the client's
(curl's, and this script's for the offer), so that what the client costs is
not read as Ferry's.

  A. one 1 GiB file (read from the page cache): a LocalSend upload with
     Content-Length (as LocalSend 1.17 sends), a chunked one (as 1.18 sends),
     and a PUT to the receive link; the goal is LocalSend >= 0.9x the PUT.
  B. 1,000 files of 64 KiB in one LocalSend session (one offer, then the
     uploads one after another on one kept-alive connection, and again two at
     a time on two, as Ferry's own sender sends) beside the same bytes as one
     file in one session sent by the same client; the goal is >= 0.8x.
Ferry syncs each file's bytes before it gets its name, in groups: the files
that finish while one group waits for the disk gather into the next (a file
answered before its name waits up to 20 ms for company, up to 32 files),
a group syncs its files several at once, so they share the disk's cache
flushes, and its folder once. A file is answered as soon as its bytes are
written while more files of the session are to come (the last one once
every file has its name), so B does not pay one wait for the disk per file
in turn. B is measured again with the receive folder on tmpfs (/dev/shm),
where a sync does not wait, to show what is left: each file's own request
and its part file's create, write and rename, on Ferry's side and the
client's (the CPU columns).

Beside B, the same 1,000 files as one kept-alive connection's 1,000 PUTs
from the same curl process, the same way: to Ferry's receive link (what
LocalSend's protocol adds to Ferry's own way in), and to nginx (one worker,
nginx-light's WebDAV `dav_methods PUT`, TLS with the same certificate, its
bodies spooled to a temp file in the receive folder and renamed) as the peer
receiving the same session. nginx syncs nothing: on the disk, part of
Ferry's time is the wait for its files to be on it; on tmpfs neither waits.
"""

import argparse
import http.client
import json
import os
import pwd
import resource
import shutil
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench import cpu_s, free_port  # the suite's own, beside this script
from nginx_peer import DAV_PUT, NginxPeer

GIB = 1 << 30
SMALL = 64 << 10
SMALL_COUNT = 1000
LS_PORT = 53317


def log(*a):
    print("bench-localsend:", *a, file=sys.stderr, flush=True)


def enter_namespace():
    """Re-runs this script in a private network namespace with only loopback."""
    env = dict(os.environ, FERRY_BENCH_NETNS="1")
    for cmd in (["unshare", "-rn"], ["unshare", "-n"]):
        if shutil.which(cmd[0]) and subprocess.run(cmd + ["true"], capture_output=True).returncode == 0:
            return subprocess.run(cmd + [sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env=env).returncode
    log("cannot make a network namespace here (unshare -n is not allowed); LocalSend multicasts, so it is not run")
    return 2


def make_file(path, size):
    with open(path, "wb") as f:
        block = os.urandom(min(size, 1 << 20))
        left = size
        while left > 0:
            f.write(block[:left])
            left -= len(block)


class Ferry:
    def __init__(self, ferry, work, inbox=None):
        self.inbox = inbox or os.path.join(work, "inbox")
        os.makedirs(self.inbox)
        cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"))  # LocalSend's identity: the run's own
        self.proc = subprocess.Popen([ferry, "--headless", "--json", "--bind", "127.0.0.1", "--port", "0",
                                      "--tls-cert", cert, "--tls-key", key, "--receive", self.inbox,
                                      "--localsend", "--localsend-port", str(LS_PORT)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.link = self.proc.stdout.readline().strip()  # the receive link
        for line in self.proc.stderr:
            e = json.loads(line)
            if e.get("event") == "localsend":
                break
            if e.get("event") == "error" and "LocalSend" in e.get("message", ""):
                raise RuntimeError(e["message"])
        # Its transfer lines, read so that they never wait on a full pipe.
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()
        if not self.link.startswith("https://"):
            raise RuntimeError("no receive link from Ferry: " + self.link)

    def clear(self):
        for n in os.listdir(self.inbox):
            p = os.path.join(self.inbox, n)
            shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)

    def set_aside(self):
        set_aside(self.inbox)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


class Nginx:
    """nginx taking WebDAV PUTs over TLS into `inbox`, with Ferry's certificate."""

    def __init__(self, work, inbox):
        self.inbox = inbox
        self.dir = tempfile.mkdtemp(dir=work, prefix="nginx-")
        body = os.path.join(inbox, ".nginx-body")  # beside what it becomes: a PUT is a rename
        os.makedirs(body)
        self.port = free_port()
        self.peer = NginxPeer(self.dir, self.port, listen=" ssl", connections=1024, body_temp=body,
                              user=pwd.getpwuid(os.getuid()).pw_name,
                              server="ssl_certificate %s;\nssl_certificate_key %s;\nroot %s;\n%s"
                              % (os.path.join(work, "cert.pem"), os.path.join(work, "key.pem"), inbox, DAV_PUT))
        self.base = "https://127.0.0.1:%d/" % self.port

    def pids(self):
        return self.peer.pids()

    def clear(self):
        for n in os.listdir(self.inbox):
            if n != ".nginx-body":
                os.unlink(os.path.join(self.inbox, n))

    def set_aside(self):
        set_aside(self.inbox)

    def stop(self):
        self.peer.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def set_aside(inbox):
    """Moves what arrived in `inbox` into a folder beside it, kept until the
    run ends. Deleted instead, 1,000 files a round, their inodes would be
    "recently deleted" to ext4 when the next round's files are created, and
    it searches past every one of them for each new file: a cost that grows
    round after round (0.3 s, then 0.7, then 1.1 for the same session here),
    the file system's, not the server's."""
    aside = tempfile.mkdtemp(dir=os.path.dirname(inbox), prefix="aside-")
    for n in os.listdir(inbox):
        if n != ".nginx-body":
            os.rename(os.path.join(inbox, n), os.path.join(aside, n))


def prepare(files):
    """The offer: {fileId: (name, size)} -> (sessionId, {fileId: token})."""
    info = {"alias": "Bench Phone", "version": "2.1", "deviceModel": "Bench", "deviceType": "mobile",
            "fingerprint": os.urandom(32).hex().upper(), "port": 53399, "protocol": "https", "download": False}
    offer = {"info": info, "files": {fid: {"id": fid, "fileName": name, "size": size,
                                           "fileType": "application/octet-stream"}
                                     for fid, (name, size) in files.items()}}
    c = http.client.HTTPSConnection("127.0.0.1", LS_PORT, context=ssl._create_unverified_context(), timeout=60)
    c.request("POST", "/api/localsend/v2/prepare-upload", json.dumps(offer), {"Content-Type": "application/json"})
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError("prepare-upload: %d %s" % (r.status, body[:200]))
    answer = json.loads(body)
    return answer["sessionId"], answer["files"]


def upload_url(session, fid, token):
    return "https://127.0.0.1:%d/api/localsend/v2/upload?sessionId=%s&fileId=%s&token=%s" % (LS_PORT, session, fid,
                                                                                          token)


def curl(args, stdin=None):
    r = subprocess.run(["curl", "-sS", "-k", "--noproxy", "*", "-w", "%{http_code}\n"] + args, stdin=stdin,
                       capture_output=True, text=True)
    codes = r.stdout.split()
    if r.returncode != 0 or not codes or any(c not in ("200", "201", "204") for c in codes):
        raise RuntimeError("curl %s: %s %s" % (" ".join(args[:4]), codes[:5], r.stderr[-300:]))
    return len(codes)


def localsend_one(path, chunked):
    t0 = time.monotonic()
    session, tokens = prepare({"f": (os.path.basename(path), os.path.getsize(path))})
    url = upload_url(session, "f", tokens["f"])
    if chunked:
        with open(path, "rb") as f:
            curl(["-o", "/dev/null", "-X", "POST", "-T", "-", "-H", "Transfer-Encoding: chunked", url], stdin=f)
    else:
        curl(["-o", "/dev/null", "-X", "POST", "-T", path, url])
    return time.monotonic() - t0


def put(link, path):
    t0 = time.monotonic()
    curl(["-o", "/dev/null", "-T", path, link + os.path.basename(path)])
    return time.monotonic() - t0


def curl_uploads(session, tokens, paths, lanes, work):
    """Every upload of `paths` ({fileId: path}, in order) from one curl process, a native
    sender's cost, on kept-alive connections, `lanes` at a time; the CPU it used (user +
    system)."""
    return curl_sends([(upload_url(session, fid, tokens[fid]), path) for fid, path in paths.items()],
                      "POST", lanes, work)


def curl_puts(base, paths, work):
    """Every one of `paths` PUT to `base` + its name, one after another on one
    kept-alive connection, from one curl process; the CPU it used."""
    return curl_sends([(base + os.path.basename(p), p) for p in paths], "PUT", 1, work)


def curl_sends(targets, method, lanes, work):
    """Each (url, path) of `targets` sent as `method` from one curl process on
    kept-alive connections, `lanes` at a time; the CPU it used (user + system)."""
    conf = os.path.join(work, "uploads.curl")
    with open(conf, "w") as f:
        # No "Expect: 100-continue" (curl's habit for uploads, not the apps'):
        # each body follows its head at once, as LocalSend's apps send it.
        f.write('silent\nshow-error\ninsecure\nnoproxy = "*"\nrequest = "%s"\nheader = "Expect:"\n'
                'header = "Content-Type: application/octet-stream"\n'
                'write-out = "%%{http_code} %%{num_connects}\\n"\n' % method)
        if lanes > 1:
            f.write("parallel\nparallel-max = %d\n" % lanes)
        for url, path in targets:
            f.write('url = "%s"\nupload-file = "%s"\noutput = "/dev/null"\n' % (url, path))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(["curl", "--config", conf], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    answers = [line.split() for line in r.stdout.splitlines()]
    if r.returncode != 0 or len(answers) != len(targets) or any(a[0] not in ("200", "201") for a in answers):
        raise RuntimeError("curl uploads: exit %d, %d answers, %s %s" % (
            r.returncode, len(answers), [a[0] for a in answers if a[0] not in ("200", "201")][:5],
            r.stderr[-300:]))
    # Kept alive: no more connections than lanes, however many files.
    connects = sum(int(a[1]) for a in answers)
    if connects > lanes:
        raise RuntimeError("curl opened %d connections for %d at a time: it did not keep them open" % (
            connects, lanes))
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def localsend_session(paths, work, lanes=1):
    """One offer for `paths`, then their uploads in order, `lanes` at a time: (wall time,
    the client's CPU time: curl's, and this thread's for the offer)."""
    t0, self0 = time.monotonic(), time.thread_time()
    files = {"f%04d" % i: (os.path.basename(p), os.path.getsize(p)) for i, p in enumerate(paths)}
    session, tokens = prepare(files)
    sender = curl_uploads(session, tokens, {fid: paths[i] for i, fid in enumerate(files)}, lanes, work)
    return time.monotonic() - t0, sender + time.thread_time() - self0


def puts(base, paths, work):
    """curl_puts() timed: (wall time, the client's CPU time)."""
    t0 = time.monotonic()
    client = curl_puts(base, paths, work)
    return time.monotonic() - t0, client


def run_b(ferry, nginx, b, cpu, smalls, joined, r, where, work):
    for way in b:
        # What the way before left for the disk to write (nginx syncs
        # nothing) is written out first, not during this one.
        os.sync()
        server = nginx if way == "nginx" else ferry
        pids = nginx.pids() if way == "nginx" else [ferry.proc.pid]
        server0 = cpu_s(pids)
        if way == "one":
            secs, client = localsend_session([joined], work)
        elif way == "puts":
            secs, client = puts(ferry.link, smalls, work)
        elif way == "nginx":
            secs, client = puts(nginx.base, smalls, work)
        else:
            secs, client = localsend_session(smalls, work, 2 if way == "many2" else 1)
        cpu[way].append((cpu_s(pids) - server0, client))
        n = len([f for f in os.listdir(server.inbox) if not f.startswith(".nginx-body")])
        if n != (1 if way == "one" else SMALL_COUNT):
            raise RuntimeError("%s: %d files arrived" % (way, n))
        b[way].append(secs)
        # On tmpfs there is no such search: deleted, they give the memory back.
        server.clear() if where else server.set_aside()
        log("round %d: B%s %s %.2f s (CPU: server %.2f s, client %.2f s)" % (r + 1, where, way, secs,
                                                                             *cpu[way][-1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--doc")
    ap.add_argument("--only", choices=["A", "B"], help="one workload (no document then)")
    args = ap.parse_args()
    if args.only:
        args.doc = None
    if os.environ.get("FERRY_BENCH_NETNS") != "1":
        sys.exit(enter_namespace())
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    load0 = open("/proc/loadavg").read().split()[0]
    work = tempfile.mkdtemp(prefix="ferry-bench-localsend-", dir=os.environ.get("FERRY_BENCH_DIR", "/var/tmp"))
    ferry = nginx = None
    b_shm = {}
    shm = None
    cpu = {w: [] for w in ("many", "many2", "one", "puts", "nginx")}
    cpu_shm = {w: [] for w in ("many", "one", "puts", "nginx")}
    try:
        big = os.path.join(work, "source-1GiB.bin")
        make_file(big, GIB if args.only != "B" else 1)
        small_dir = os.path.join(work, "small")
        os.makedirs(small_dir)
        smalls = []
        for i in range(SMALL_COUNT):
            p = os.path.join(small_dir, "photo-%04d.bin" % i)
            make_file(p, SMALL)
            smalls.append(p)
        joined = os.path.join(work, "all-in-one.bin")
        make_file(joined, SMALL * SMALL_COUNT)
        ferry = Ferry(args.ferry, work)
        a = {"ls": [], "chunked": [], "put": []} if args.only != "B" else {}
        b = {"many": [], "many2": [], "one": [], "puts": [], "nginx": []} if args.only != "A" else {}
        if b:
            nginx = Nginx(work, os.path.join(work, "nginx-inbox"))
        for r in range(args.rounds):
            ways = list(a)
            if ways:
                # Untimed: the first 1 GiB written after other work takes a
                # second more here whichever way it comes (the disk's blocks
                # new to it), which would be charged to the way that is first.
                put(ferry.link, big)
                ferry.clear()
            first = r % len(ways) if ways else 0  # each way first in turn
            for way in ways[first:] + ways[:first]:
                # The disk's backlog (the source file's writing, B's files)
                # written out first: each upload waits only for its own bytes.
                os.sync()
                secs = put(ferry.link, big) if way == "put" else localsend_one(big, way == "chunked")
                got = os.path.join(ferry.inbox, os.path.basename(big))
                if os.path.getsize(got) != GIB:
                    raise RuntimeError("%s: the file arrived with %d bytes" % (way, os.path.getsize(got)))
                a[way].append(secs)
                ferry.clear()
                log("round %d: A %s %.2f s" % (r + 1, way, secs))
            run_b(ferry, nginx, b, cpu, smalls, joined, r, "", work)
        # B again with the receive folder in memory: what is left once no
        # file waits for the disk.
        if b and os.path.isdir("/dev/shm"):
            ferry.stop()
            ferry = None
            shm = tempfile.mkdtemp(prefix="ferry-bench-localsend-", dir="/dev/shm")
            ferry = Ferry(args.ferry, work, os.path.join(shm, "inbox"))
            nginx.stop()
            nginx = None
            nginx = Nginx(work, os.path.join(shm, "nginx-inbox"))
            b_shm = {"many": [], "one": [], "puts": [], "nginx": []}
            for r in range(args.rounds):
                run_b(ferry, nginx, b_shm, cpu_shm, smalls, joined, r, " (tmpfs)", work)
    finally:
        if ferry:
            ferry.stop()
        if nginx:
            nginx.stop()
        shutil.rmtree(work, ignore_errors=True)
        if shm:
            shutil.rmtree(shm, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in list(a.items()) + list(b.items())}
    if args.only:
        print({k: ["%.2f" % x for x in v] for k, v in list(a.items()) + list(b.items())})
        return

    def mbs(secs, size):
        return "%.0f" % (size / 1e6 / secs)

    def runs(v):
        return ", ".join("%.2f" % x for x in v)

    def cpus(c):
        return "%.2f | %.2f" % (statistics.median(x[0] for x in c), statistics.median(x[1] for x in c))
    lines = ["| | median (s) | MB/s | runs (s) | ratio | goal | Ferry CPU (s) | client CPU (s) |",
             "|---|---|---|---|---|---|---|---|"]
    lines.append("| A. 1 GiB PUT to the receive link (https) | %.2f | %s | %s | 1.00x | | | |" % (
        med["put"], mbs(med["put"], GIB), runs(a["put"])))
    lines.append("| A. 1 GiB LocalSend upload, Content-Length (https) | %.2f | %s | %s | %.2fx | >= 0.9x | | |" % (
        med["ls"], mbs(med["ls"], GIB), runs(a["ls"]), med["put"] / med["ls"]))
    lines.append("| A. 1 GiB LocalSend upload, chunked (https) | %.2f | %s | %s | %.2fx | >= 0.9x | | |" % (
        med["chunked"], mbs(med["chunked"], GIB), runs(a["chunked"]), med["put"] / med["chunked"]))
    total = SMALL * SMALL_COUNT
    lines.append("| B. the same %.1f MB as one file, one LocalSend session | %.2f | %s | %s | 1.00x | | %s |" % (
        total / 1e6, med["one"], mbs(med["one"], total), runs(b["one"]), cpus(cpu["one"])))
    lines.append("| B. 1,000 files of 64 KiB, one LocalSend session | %.2f | %s | %s | %.2fx | >= 0.8x | %s |" % (
        med["many"], mbs(med["many"], total), runs(b["many"]), med["one"] / med["many"], cpus(cpu["many"])))
    med2 = statistics.median(b["many2"])
    lines.append("| B. the same 1,000 files, two uploads at a time | %.2f | %s | %s | %.2fx | >= 0.8x | %s |" % (
        med2, mbs(med2, total), runs(b["many2"]), med["one"] / med2, cpus(cpu["many2"])))
    if b_shm:
        one, many = statistics.median(b_shm["one"]), statistics.median(b_shm["many"])
        lines.append("| B, receive folder on tmpfs: the %.1f MB as one file | %.2f | %s | %s | 1.00x | | %s |" % (
            total / 1e6, one, mbs(one, total), runs(b_shm["one"]), cpus(cpu_shm["one"])))
        lines.append("| B, receive folder on tmpfs: 1,000 files of 64 KiB | %.2f | %s | %s | %.2fx | | %s |" % (
            many, mbs(many, total), runs(b_shm["many"]), one / many, cpus(cpu_shm["many"])))
    if b:
        def cell(d, c, way):
            if way not in d:
                return " | "
            return "%.2f | %.2f" % (statistics.median(d[way]), statistics.median(x[0] for x in c[way]))
        lines += ["", "| 1,000 files of 64 KiB on one kept-alive connection (https) | receive folder on disk: "
                  "median (s) | server CPU (s) | on tmpfs: median (s) | server CPU (s) |", "|---|---|---|---|---|"]
        for way, what in (("many", "Ferry: one LocalSend session (offer, then 1,000 uploads)"),
                          ("puts", "Ferry: 1,000 PUTs to its receive link"),
                          ("nginx", "nginx: 1,000 WebDAV PUTs (it syncs nothing)")):
            lines.append("| %s | %s | %s |" % (what, cell(b, cpu, way), cell(b_shm, cpu_shm, way)))

        def ratio(d):
            return "%.2fx" % (statistics.median(d["nginx"]) / statistics.median(d["many"])) if d else ""
        lines.append("| Ferry's LocalSend session's speed relative to nginx's | %s | | %s | |" % (
            ratio(b), ratio(b_shm)))
    table = "\n".join(lines)
    print(table)
    if args.doc:
        with open(args.doc, "w") as f:
            f.write("# Receiving from LocalSend: Ferry's LocalSend uploads beside its receive link\n\n")
            f.write("Measured with `%s` on %s (%d CPUs, load average %s at the start, shared with other work), "
                    "on 127.0.0.1 in a network namespace, files in %s; Ferry binary `%s`; medians of %d runs. "
                    "A ratio is the other way's time over this one's (above 1.00x: this way is faster). On a busy "
                    "machine the figures move from run to run: read them side by side, not alone.\n\n" % (
                        " ".join(["tests/bench/bench_localsend.py"] + sys.argv[1:]), os.uname().nodename,
                        os.cpu_count(), load0, os.environ.get("FERRY_BENCH_DIR", "/var/tmp"), args.ferry,
                        args.rounds))
            f.write(table + "\n\n")
            f.write(__doc__.split("\n", 2)[2].strip() + "\n")


if __name__ == "__main__":
    main()
