"""HTTPS: Ferry's TLS beside nginx's, same certificate and protocol, in one run.

    /usr/bin/python3 tests/bench/bench_tls.py --ferry build/release/app/ferry [--doc docs/BENCHMARKS-tls.md]
    (or: scripts/bench.sh tls)

Workloads, each against both servers, alternating, on 127.0.0.1, with one
ECDSA P-256 certificate made here by `openssl`:
  A. one 1 GiB download (curl --cacert -o /dev/null, the file in the page
     cache), three rounds: median seconds and MB/s, and the CPU time the
     server and curl spent on it. On a machine of two CPUs or more the
     server (every thread) runs on CPU 0 and curl on CPU 1 for this one:
     curl decrypting is the slowest of the two, and left to the scheduler a
     server that sleeps while its socket is full is woken on curl's CPU (a
     socket's wake-up is a "sync" one), so a server that needs less CPU than
     its client got 0.8x to 1.05x of the same other server from one run to
     the next, by where it was woken rather than by what it did.
  B. 4 KiB keep-alive requests per second (wrk -c64 -t2 -d5s), when wrk is
     installed: median of three.
  C. new full handshakes per second and resumed ones (`openssl s_time -new`
     and `-reuse`, 5 s each, TLS 1.3 and TLS 1.2): the connections it made
     over the wall time of its run, median of three.
  D. resident memory per idle TLS connection: 1,000 clients finish the
     handshake and stay; the server's RSS growth divided by 1,000.
nginx: one worker, `ssl` on, `sendfile on`, kTLS asked for
(`ssl_conf_command Options KTLS`), a shared session cache, Ferry's ciphers.
Ferry: `ferry --headless --tls-cert --tls-key`. Whether the kernel can do kTLS
(its `tls` module: /proc/sys/net/ipv4/tcp_available_ulp) is printed with the
figures; where it cannot, both servers encrypt in user space.
"""

import argparse
import os
import re
import resource
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

from bench import cpu_s, free_port, status_kb, wait_port  # the suite's own, beside this script
from nginx_peer import NginxPeer

GIB = 1 << 30
CIPHERS = ("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
           "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305")
def run(args, **kw):
    return subprocess.run(args, capture_output=True, **kw)


def kernel_tls():
    try:
        return "tls" in open("/proc/sys/net/ipv4/tcp_available_ulp").read().split()
    except OSError:
        return False


class Server:
    def __init__(self, name, proc, url, pid):
        self.name, self.proc, self.url, self.pid = name, proc, url, pid


def start_ferry(binary, d):
    port = free_port()
    # No per-address cap: every client here comes from 127.0.0.1 (nginx has none).
    p = subprocess.Popen([binary, "--headless", "--bind", "127.0.0.1", "--port", str(port),
                          "--max-connections", "4096", "--max-connections-per-ip", "0", "--tls-cert",
                          d + "/leaf.crt", "--tls-key", d + "/leaf.key", d + "/www/big.bin", d + "/www/small.bin"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    links = [p.stdout.readline().decode().strip() for _ in range(2)]
    if not wait_port(port, 30, p):
        raise RuntimeError("Ferry did not start")
    return Server("Ferry", p, {"big": links[0], "small": links[1]}, p.pid)


def start_nginx(d):
    port = free_port()
    peer = NginxPeer(os.path.join(d, "nginx"), port, listen=" ssl", http="types { application/octet-stream bin; }",
                     server="""ssl_certificate {d}/leaf.crt;
ssl_certificate_key {d}/leaf.key;
ssl_protocols TLSv1.2 TLSv1.3;
ssl_ciphers {ciphers};
ssl_prefer_server_ciphers on;
ssl_session_cache shared:SSL:10m;
ssl_conf_command Options KTLS;
root {d}/www;""".format(d=d, ciphers=CIPHERS))
    time.sleep(0.3)
    base = "https://127.0.0.1:%d/" % port
    return Server("nginx", peer.proc, {"big": base + "big.bin", "small": base + "small.bin"}, peer.worker)


def pin(pid, cpus):
    """Every thread of process `pid` onto `cpus`."""
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except OSError:
            pass  # a thread that just ended


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


CPU_SPENT = {}  # (server name) -> [(server CPU s, curl CPU s)] per download


def download(server, ca):
    everywhere = os.sched_getaffinity(0)
    apart = len(everywhere) >= 2 and {0, 1} <= everywhere
    if apart:
        pin(server.pid, {0})
    server0, client0 = cpu_s([server.pid]), children_cpu()
    t0 = time.monotonic()
    try:
        r = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{size_download}", server.url["big"]],
                preexec_fn=(lambda: os.sched_setaffinity(0, {1})) if apart else None)
    finally:
        if apart:
            pin(server.pid, everywhere)
    took = time.monotonic() - t0
    CPU_SPENT.setdefault(server.name, []).append((cpu_s([server.pid]) - server0, children_cpu() - client0))
    if r.returncode != 0 or int(r.stdout or 0) != GIB:
        raise RuntimeError("%s: the 1 GiB download failed (%s bytes): %s" % (server.name, r.stdout.decode(),
                                                                              r.stderr.decode()))
    return took


def keepalive(server):
    r = run(["wrk", "-c64", "-t2", "-d5s", server.url["small"]])
    m = re.search(rb"Requests/sec:\s+([\d.]+)", r.stdout)
    return float(m.group(1)) if m else 0.0


def handshakes(server, mode, proto):
    # The rate is the connections s_time counts over the wall time of its run,
    # taken here: s_time's own "real seconds" is whole seconds, and its run
    # ends at the first whole second past 5 s, so it lasts 5 to 6 s but says
    # 6 (or 5), an error of up to 20 % that changes from round to round.
    port = server.url["big"].split(":")[2].split("/")[0]
    t0 = time.monotonic()
    r = run(["openssl", "s_time", "-connect", "127.0.0.1:" + port, mode, proto, "-time", "5"], timeout=60)
    elapsed = time.monotonic() - t0
    m = re.search(rb"(\d+) connections in [\d.]+ real seconds", r.stdout)
    return float(m.group(1)) / elapsed if m else 0.0


def idle_rss_per_connection(server, ca, n=1000):
    port = int(server.url["big"].split(":")[2].split("/")[0])
    ctx = ssl.create_default_context(cafile=ca)
    time.sleep(0.5)
    before = status_kb(server.pid, "VmRSS")
    held = []
    for _ in range(n):
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="127.0.0.1")
        held.append(s)
    time.sleep(1.0)
    after = status_kb(server.pid, "VmRSS")
    for s in held:
        s.close()
    return (after - before) * 1024 / n


def main():
    # Stopped early (Ctrl+C, SIGTERM): the servers and the 1 GiB file go too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--doc")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    load_at_start = os.getloadavg()[0]
    d = tempfile.mkdtemp(prefix="ferry-bench-tls-")
    try:
        os.chmod(d, 0o755)  # nginx's worker runs as another user when started by root
        os.makedirs(d + "/www")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        run(["openssl", "req", "-x509", *ec, "-keyout", d + "/ca.key", "-out", d + "/ca.crt", "-days", "2",
             "-subj", "/CN=bench CA"], check=True)
        with open(d + "/leaf.ext", "w") as f:
            f.write("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
        run(["openssl", "req", *ec, "-keyout", d + "/leaf.key", "-out", d + "/leaf.csr", "-subj", "/CN=127.0.0.1"],
            check=True)
        run(["openssl", "x509", "-req", "-in", d + "/leaf.csr", "-CA", d + "/ca.crt", "-CAkey", d + "/ca.key",
             "-CAcreateserial", "-out", d + "/leaf.crt", "-days", "1", "-extfile", d + "/leaf.ext"], check=True)
        with open(d + "/www/big.bin", "wb") as f:
            block = os.urandom(1 << 20)
            for _ in range(GIB >> 20):
                f.write(block)
        with open(d + "/www/small.bin", "wb") as f:
            f.write(os.urandom(4096))
        subprocess.run(["cat", d + "/www/big.bin"], stdout=subprocess.DEVNULL, check=True)  # into the page cache
        ca = d + "/ca.crt"
        results = {}
        servers = [start_ferry(args.ferry, d), start_nginx(d)]
        try:
            for s in servers:
                download(s, ca)  # warm up
            CPU_SPENT.clear()
            for name, fn in [("download", lambda s: download(s, ca))] + \
                    ([("keepalive", keepalive)] if shutil.which("wrk") else []) + \
                    [("full13", lambda s: handshakes(s, "-new", "-tls1_3")),
                     ("resumed13", lambda s: handshakes(s, "-reuse", "-tls1_3")),
                     ("full12", lambda s: handshakes(s, "-new", "-tls1_2")),
                     ("resumed12", lambda s: handshakes(s, "-reuse", "-tls1_2"))]:
                for _ in range(args.rounds):
                    for s in servers:
                        results.setdefault((name, s.name), []).append(fn(s))
                        print("%s %s: %.3f" % (name, s.name, results[(name, s.name)][-1]), file=sys.stderr, flush=True)
            for s in servers:
                results[("idle", s.name)] = [idle_rss_per_connection(s, ca)]
                for i, side in enumerate(("cpu_server", "cpu_client")):
                    if CPU_SPENT.get(s.name):
                        results[(side, s.name)] = [spent[i] for spent in CPU_SPENT[s.name]]
        finally:
            for s in servers:
                s.proc.terminate()
                s.proc.wait(10)
        render(results, args, kernel_tls(), load_at_start, os.getloadavg()[0])
    finally:
        shutil.rmtree(d, ignore_errors=True)


def render(results, args, ktls, load_start, load_end):
    med = {k: statistics.median(v) for k, v in results.items()}
    rows = []

    def row(label, key, fmt, higher_better=True):
        f, n = med.get((key, "Ferry")), med.get((key, "nginx"))
        if f is None or n is None:
            return
        ratio = (f / n if higher_better else n / f) if f and n else 0
        # Each round's ratio (the servers take turns within a round): a
        # median of three moves with a shared machine, these show how far.
        each = ", ".join("%.2f" % ((a / b if higher_better else b / a) if a and b else 0)
                         for a, b in zip(results[(key, "Ferry")], results[(key, "nginx")]))
        rows.append("| %s | %s | %s | %.2f× | %s |" % (label, fmt(f), fmt(n), ratio, each))

    row("1 GiB download, one client (MB/s)", "download", lambda s: "%.0f MB/s (%.2f s)" % (GIB / s / 1e6, s),
        higher_better=False)
    row("1 GiB download: the server's CPU time (s)", "cpu_server", lambda s: "%.2f s" % s, higher_better=False)
    row("1 GiB download: curl's CPU time (s)", "cpu_client", lambda s: "%.2f s" % s, higher_better=False)
    row("4 KiB keep-alive, wrk -c64 (req/s)", "keepalive", lambda v: "%.0f" % v)
    row("new full handshakes/s, TLS 1.3", "full13", lambda v: "%.0f" % v)
    row("resumed handshakes/s, TLS 1.3", "resumed13", lambda v: "%.0f" % v)
    row("new full handshakes/s, TLS 1.2", "full12", lambda v: "%.0f" % v)
    row("resumed handshakes/s, TLS 1.2", "resumed12", lambda v: "%.0f" % v)
    row("RSS per idle TLS connection (1,000 open)", "idle", lambda v: "%.1f KiB" % (v / 1024), higher_better=False)
    cpu = ""
    try:
        cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read()).group(1)
    except (OSError, AttributeError):
        pass
    text = ["# HTTPS beside nginx", "",
            "Ferry's TLS (OpenSSL 3 on its own loop) and nginx %s (one worker, `ssl`, `sendfile on`), "
            "with one ECDSA P-256 certificate and the same protocols and ciphers, on 127.0.0.1. "
            "Medians of %d alternating rounds; the ratio is Ferry's over nginx's (above 1: Ferry does "
            "better). Measured by `%s`." % (nginx_version(), args.rounds, command_line()),
            "",
            "Machine: %s, %d CPUs, Linux %s, %s. kTLS: %s." % (
                cpu or "unknown CPU", os.cpu_count() or 0, os.uname().release, openssl_version(),
                "the kernel offers it (tls module), and both servers ask for it" if ktls else
                "not available (the kernel has no `tls` module), so both servers encrypt in user space and "
                "neither can use sendfile for TLS"),
            "", "Load average (1 min) when the run started: %.1f; when it ended: %.1f%s." % (
                load_start, load_end, " — other work shared the CPUs, so treat the absolute figures as "
                "low and only the ratios as meaningful" if max(load_start, load_end) > (os.cpu_count() or 1) else ""),
            "", "| | Ferry | nginx | ratio | each round's ratio |", "|---|---|---|---|---|"] + rows + [
            "", "For the 1 GiB download the server runs on CPU 0 and curl on CPU 1. curl, decrypting, is the "
            "slower of the two; left to the scheduler, a server that sleeps whenever the socket is full is "
            "woken onto curl's CPU, and the same two servers came out 0.8x to 1.05x apart from one run to the "
            "next. The CPU rows say what each side spent on it.",
            "", "How each figure is taken is in the script's opening comment. `openssl s_time` is one client "
            "process doing one handshake at a time, so the handshake rows measure client and server together; "
            "the figures are for comparing the two servers on this machine, not absolute capacity.", ""]
    out = "\n".join(text)
    print(out)
    if args.doc:
        with open(args.doc, "w") as f:
            f.write(out)


def command_line():
    """This run's command, with paths inside the source tree relative to it."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    words = ["tests/bench/bench_tls.py"]
    for a in sys.argv[1:]:
        full = os.path.abspath(a)
        words.append(os.path.relpath(full, root) if full.startswith(root + os.sep) else a)
    return " ".join(words)


def nginx_version():
    r = run(["nginx", "-v"])
    m = re.search(rb"nginx/([\d.]+)", r.stderr)
    return m.group(1).decode() if m else "?"


def openssl_version():
    return run(["openssl", "version"]).stdout.decode().strip().split(" (")[0]


if __name__ == "__main__":
    sys.exit(main())
