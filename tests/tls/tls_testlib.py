"""What the TLS test scripts share: their checks and verdict, the commands
they run, test certificates made with `openssl`, a headless Ferry started on
127.0.0.1 with its link read, and the skip (exit status 77) for a build or a
machine without TLS.

Each script imports it from its own folder (tests/tls is the script's
directory, so it is on sys.path).
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

FERRY = os.environ.get("FERRY_BINARY", "ferry")

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def verdict():
    """Prints the count of failed checks; the script's exit status."""
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


def run(args, **kw):
    return subprocess.run(args, capture_output=True, timeout=60, **kw)


def poll(pred, seconds, step=0.1):
    """pred()'s first true value within `seconds`, or None."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return None


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def env_for(home):
    """The environment of a run whose data and cache folders are under `home`."""
    env = dict(os.environ)
    env["HOME"] = home
    env["XDG_DATA_HOME"] = os.path.join(home, "data")
    env["XDG_CACHE_HOME"] = os.path.join(home, "cache")
    return env


def head_and_body(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    return head.decode(errors="replace"), body


def set_cookies(head):
    """The values of a response head's Set-Cookie lines."""
    return [l.split(":", 1)[1].strip() for l in head.split("\r\n") if l.lower().startswith("set-cookie:")]


def head_on(tls, path):
    """Sends a HEAD for `path` on an open (TLS) connection; the response head."""
    tls.sendall(b"HEAD " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = tls.recv(4096)
        if not chunk:
            break
        head += chunk
    return head


# --- certificates --------------------------------------------------------------------------

def openssl(d, *args):
    r = run(["openssl", *args], cwd=d)
    if r.returncode != 0:
        sys.exit("openssl %s failed: %s" % (args[0], r.stderr.decode()))


_EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]


def make_ca(d):
    """ca.key and ca.crt in `d`: a P-256 CA valid two days."""
    openssl(d, "req", "-x509", *_EC, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Ferry test CA")


def issue(d, name, cn, days="1", san="IP:127.0.0.1", extra=""):
    """name.key and name.crt in `d`: a server certificate signed by make_ca's
    CA; `extra`: more extension lines (openssl x509 -extfile syntax)."""
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n%s" % (san, extra))
    openssl(d, "req", *_EC, "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn)
    openssl(d, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", name + ".crt", "-days", days, "-extfile", name + ".ext")


# --- Ferry ------------------------------------------------------------------------------------

def start_ferry(*args, cwd=None, env=None, stderr=subprocess.PIPE):
    """`ferry --headless` on 127.0.0.1 (a free port) with `args`; returns
    the process and the first link it printed. Exits the script when none comes."""
    p = subprocess.Popen([FERRY, "--headless", "--bind", "127.0.0.1", "--port", "0", *args],
                         stdout=subprocess.PIPE, stderr=stderr, cwd=cwd, env=env)
    link = p.stdout.readline().decode().strip()
    if not link:
        p.kill()
        sys.exit("ferry printed no link: " + (p.stderr.read().decode() if p.stderr else ""))
    return p, link


def start_events(p, until):
    """A --json run's events on stderr, by name, read up to the one named
    `until` (or the end of stderr)."""
    events = {}
    while until not in events:
        line = p.stderr.readline().decode()
        if not line:
            break
        e = json.loads(line)
        events[e["event"]] = e
    return events


class Events:
    """A --json run's lines on stderr, read on a thread as they come."""

    def __init__(self, stream):
        self.lines = []
        self.lock = threading.Lock()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            with self.lock:
                self.lines.append(e)

    def wait(self, pred, seconds):
        """The first event for which pred(e) is true, within `seconds`; or None."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                for e in self.lines:
                    if pred(e):
                        return e
            time.sleep(0.05)
        return None


def stop(p):
    p.terminate()
    p.wait(10)


def main(test_all, prefix, probe_args=("--tls-cert", "x", "--tls-key", "y"), needs="openssl"):
    """Skips (77) without the `needs` command or a build with TLS, else runs
    test_all(d) in a fresh temporary folder `d` and returns its status."""
    if not shutil.which(needs):
        print("no %s command here" % needs)
        return 77
    probe = run([FERRY, "--headless", *probe_args, "--port", "0", "nothing"])
    if b"not available in this build" in probe.stderr:
        print("this build has no TLS")
        return 77
    d = tempfile.mkdtemp(prefix=prefix)
    try:
        return test_all(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
