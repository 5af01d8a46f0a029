#!/usr/bin/env python3
"""Ferry as a LocalSend peer: discovery both ways and sending to LocalSend devices.

The peer is the npm `localsend` CLI (0.1.2), an implementation nobody here
wrote. Everything multicasts, so the test runs inside a network namespace it
makes itself (`unshare -n`, a veth pair 10.77.0.1 <-> 10.77.0.2, a route for
224.0.0.0/4 on it): nothing reaches the machine's own networks.

Proves, with `ferry --headless --json --localsend --localsend-http`:
- Ferry lists the peer as a `device` event of kind "localsend" (alias,
  fingerprint, port, protocol), learned from its multicast announcement;
- the peer hears Ferry's announcement (its log names Ferry's alias);
- `send ID FILE` delivers a file (sha256 equal), `send ID FOLDER` a folder
  with its sub-folders, `text ID TEXT` a text message;
- a peer that declines: the transfer ends "cancelled", "declined by ...";
- `cancel ID` while the device's user decides ends the send, and nothing
  is uploaded after;
- a peer with a PIN: a `pin` event, a wrong PIN asked again, the right one
  delivers;
- over https (a receiver written here from the protocol, since the npm peer
  receives over HTTP only): Ferry registers and sends with the device's
  certificate pinned to its announced fingerprint, and sends nothing to a
  device that shows another certificate.

Exit status 77 (skipped) where namespaces, veth or the npm peer are not
available, with the reason.
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
NPM_DIR = os.environ.get("FERRY_LOCALSEND_NPM", "")
ALIAS = "Ferry Test Sender"
NODE = "node"
SKIP = 77
FERRY_PORT = 53323  # Ferry's LocalSend TCP port here; not the apps' 53317

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def skip(why):
    print("SKIP " + why, flush=True)
    sys.exit(SKIP)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def enter_namespace():
    """Re-runs this script in a private network namespace; returns its exit status."""
    env = dict(os.environ, FERRY_LOCALSEND_NETNS="1")
    for cmd in (["unshare", "-rn"], ["unshare", "-n"]):
        if not shutil.which(cmd[0]):
            break
        probe = subprocess.run(cmd + ["true"], capture_output=True)
        if probe.returncode == 0:
            return subprocess.run(cmd + [sys.executable, os.path.abspath(__file__)], env=env).returncode
    skip("cannot make a network namespace here (unshare -n is not allowed), and multicast must not reach a real network")


def setup_network():
    ip = shutil.which("ip") or "/usr/sbin/ip"
    steps = [
        ["link", "set", "lo", "up"],
        ["link", "add", "v0", "type", "veth", "peer", "name", "v1"],
        ["addr", "add", "10.77.0.1/24", "dev", "v0"],
        ["addr", "add", "10.77.0.2/24", "dev", "v1"],
        ["link", "set", "v0", "up"],
        ["link", "set", "v1", "up"],
        ["route", "add", "224.0.0.0/4", "dev", "v0"],
    ]
    for s in steps:
        r = subprocess.run([ip] + s, capture_output=True, text=True)
        if r.returncode != 0:
            skip("cannot set up a veth pair in the namespace (%s: %s)" % (" ".join(s), r.stderr.strip()))
    keep_ephemeral_ports_below_localsend()


def keep_ephemeral_ports_below_localsend():
    """Outgoing connections take local ports from the namespace's own range; by
    default (32768-60999) one can land on a port a peer is about to listen on
    (53317-53324), so the range is moved below them."""
    with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as f:
        f.write("20000 29999\n")


class Output:
    """Lines of a process's stream, collected on a thread; waited for with a deadline."""

    def __init__(self, stream):
        self.lines = []
        self.partial = False  # the last line has no newline yet
        self.cond = threading.Condition()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        # Chunks, not lines: a prompt ("Accept transfer? (y/N): ") ends without one.
        pending = ""
        while True:
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                break
            pending += chunk.decode("utf-8", "replace")
            *done, pending = pending.split("\n")
            with self.cond:
                self.lines[len(self.lines) - (1 if self.partial else 0):] = [l + "\n" for l in done] + [pending]
                self.partial = True
                self.cond.notify_all()

    def wait(self, pred, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    v = pred(line)
                    if v:
                        return v
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def text(self):
        with self.cond:
            return "".join(self.lines)


class Ferry:
    def __init__(self, args):
        self.p = subprocess.Popen([FERRY, "--headless", "--json", "--localsend", "--localsend-http", "--name", ALIAS,
                                   "--port", "0"] + args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        self.out = Output(self.p.stderr)

    def say(self, line):
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()

    def event(self, pred, timeout=20.0):
        def match(line):
            try:
                e = json.loads(line)
            except ValueError:
                return None
            return e if pred(e) else None

        return self.out.wait(match, timeout)

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()


class Peer:
    def __init__(self, cli, alias, port, save, extra=()):
        os.makedirs(save, exist_ok=True)
        self.save = save
        self.p = subprocess.Popen([NODE, cli, "receive", "--alias", alias, "--port", str(port), "--saveDir", save,
                                   "--verbose", "--discoveryInterval", "3600"] + list(extra), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        self.out = Output(self.p.stdout)

    def stop(self):
        self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()


class SpecReceiver:
    """A LocalSend receiver written from the protocol (v2) for what the npm
    peer cannot do: https. Serves prepare-upload (accepting everything) and
    upload over TLS with a self-signed certificate, and announces itself by
    multicast with `fingerprint` (its certificate's, or a wrong one)."""

    def __init__(self, work, alias, port, wrong_fingerprint=False):
        import http.server
        import socket
        import ssl
        self.alias, self.port, self.files, self.registers = alias, port, {}, []
        cert, key = os.path.join(work, alias + ".crt"), os.path.join(work, alias + ".key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=LocalSend User"], check=True, capture_output=True)
        der = ssl.PEM_cert_to_DER_cert(open(cert).read())
        self.fingerprint = hashlib.sha256(der).hexdigest().upper()
        self.announced = ("00" * 32) if wrong_fingerprint else self.fingerprint
        me = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def answer(self, code, body=b"{}"):
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                from urllib.parse import parse_qs, urlsplit
                u = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                info = {"alias": me.alias, "version": "2.1", "deviceModel": "Spec", "deviceType": "desktop",
                        "fingerprint": me.fingerprint, "download": False}
                if u.path == "/api/localsend/v2/register":
                    me.registers.append(json.loads(body))
                    return self.answer(200, json.dumps(info).encode())
                if u.path == "/api/localsend/v2/prepare-upload":
                    offer = json.loads(body)
                    me.offer = offer
                    tokens = {fid: "t-" + fid for fid in offer["files"]}
                    return self.answer(200, json.dumps({"sessionId": "s1", "files": tokens}).encode())
                if u.path == "/api/localsend/v2/upload":
                    name = me.offer["files"][q["fileId"]]["fileName"]
                    if q.get("token") != "t-" + q["fileId"] or q.get("sessionId") != "s1":
                        return self.answer(403, b'{"message":"bad token"}')
                    me.files[name] = body
                    return self.answer(200)
                self.answer(404, b'{"message":"not found"}')

        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        ctx.set_alpn_protocols(["http/1.1"])
        self.server = http.server.ThreadingHTTPServer(("0.0.0.0", port), Handler)
        self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.socket = socket

    def announce(self):
        msg = {"alias": self.alias, "version": "2.1", "deviceModel": "Spec", "deviceType": "desktop",
               "fingerprint": self.announced, "port": self.port, "protocol": "https", "download": False,
               "announce": True}
        s = self.socket.socket(self.socket.AF_INET, self.socket.SOCK_DGRAM)
        s.setsockopt(self.socket.IPPROTO_IP, self.socket.IP_MULTICAST_TTL, 1)
        s.setsockopt(self.socket.IPPROTO_IP, self.socket.IP_MULTICAST_IF, self.socket.inet_aton("10.77.0.2"))
        s.sendto(json.dumps(msg).encode(), ("224.0.0.167", 53317))
        s.close()

    def stop(self):
        self.server.shutdown()


class TricklingPeer:
    """A device that announces itself and then answers Ferry's register one
    byte a second, never finishing: it records how long Ferry held on."""

    def __init__(self, port):
        import socket
        self.socket = socket
        self.port, self.held = port, None
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("10.77.0.2", port))
        self.srv.listen(4)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        # The npm peers register with it too: each connection is served,
        # Ferry's (its User-Agent) is the one timed.
        while True:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        import select
        start = time.monotonic()
        head = b""
        try:
            conn.settimeout(10)
            while b"\r\n\r\n" not in head:
                got = conn.recv(4096)
                if not got:
                    break
                head += got
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n")
            while time.monotonic() - start < 30:
                conn.sendall(b" ")
                ready, _, _ = select.select([conn], [], [], 1.0)  # the pace of the trickle
                if ready and not conn.recv(65536):
                    break  # Ferry closed its end
        except OSError:
            pass  # Ferry reset the connection
        if b"User-Agent: Ferry" in head:
            self.held = time.monotonic() - start
        conn.close()

    def announce(self):
        msg = {"alias": "Trickling Peer", "version": "2.1", "deviceModel": "Spec", "deviceType": "desktop",
               "fingerprint": "7R1CK" * 8, "port": self.port, "protocol": "http", "download": False,
               "announce": True}
        s = self.socket.socket(self.socket.AF_INET, self.socket.SOCK_DGRAM)
        s.setsockopt(self.socket.IPPROTO_IP, self.socket.IP_MULTICAST_TTL, 1)
        s.setsockopt(self.socket.IPPROTO_IP, self.socket.IP_MULTICAST_IF, self.socket.inet_aton("10.77.0.2"))
        s.sendto(json.dumps(msg).encode(), ("224.0.0.167", 53317))
        s.close()

    def stop(self):
        self.srv.close()


def wait_file(path, size, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.isfile(path) and os.path.getsize(path) == size:
            return True
        time.sleep(0.05)
    return False


def main():
    if os.environ.get("FERRY_LOCALSEND_NETNS") != "1":
        sys.exit(enter_namespace())
    cli = os.path.join(NPM_DIR, "node_modules", "localsend", "dist", "cli.js")
    global NODE
    local = os.path.join(NPM_DIR, "node_modules", ".bin", "node")  # the fixture's own Node where the system's is old
    NODE = local if os.path.isfile(local) else (shutil.which("node") or "node")
    if not NPM_DIR or not os.path.isfile(cli):
        skip("the npm localsend peer is not installed (the localsend_peer fixture needs npm)")
    if subprocess.run([NODE, cli, "receive", "--help"], capture_output=True).returncode != 0:
        skip("the npm localsend peer does not run on this Node")
    # Only loopback so far: nothing can multicast, Ferry serves and says why
    # no LocalSend device will be found.
    lone = Ferry([])
    e = lone.event(lambda e: e.get("event") == "error")
    check(e is not None and "cannot be found" in e.get("message", "") and "multicast" in e.get("message", ""),
          "with no interface that can multicast, Ferry says so: %s" % e)
    check(lone.event(lambda e: e.get("event") == "serving") is not None, "and serves all the same")
    lone.stop()
    setup_network()

    work = tempfile.mkdtemp(prefix="ferry-ls-peer-")
    src = os.path.join(work, "src")
    os.makedirs(os.path.join(src, "Album", "2024", "june"))
    with open(os.path.join(src, "report.bin"), "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 + 17))  # several chunks of the streamed body
    album = {
        "Album/cover.jpg": os.urandom(200_000),
        "Album/2024/a.txt": b"first\n",
        "Album/2024/june/b.bin": os.urandom(70_000),
    }
    for rel, data in album.items():
        with open(os.path.join(src, rel), "wb") as f:
            f.write(data)

    peers = []
    peers_spec = []
    ferry = None
    try:
        auto = Peer(cli, "Auto Peer", 53318, os.path.join(work, "auto"), ["--autoAccept"])
        asker = Peer(cli, "Asking Peer", 53319, os.path.join(work, "asker"))
        locked = Peer(cli, "Locked Peer", 53320, os.path.join(work, "locked"), ["--autoAccept", "--pin", "4711"])
        peers = [auto, asker, locked]
        # Ferry starts once the peers listen for announcements, so they hear
        # its own (it announces only at start), and their announcements,
        # repeated while Ferry starts, reach it too.
        for p in peers:
            if p.out.wait(lambda l: "Device discovery started" in l, 30) is None:
                raise RuntimeError("the npm peer did not start: " + p.out.text()[-2000:])
        # Ferry serves LocalSend on another TCP port; its multicast stays on
        # 53317, where the apps announce and listen whatever their port.
        ferry = Ferry(["--localsend-port", str(FERRY_PORT)])
        check(ferry.event(lambda e: e.get("event") == "serving") is not None, "ferry serves with --localsend")
        e = ferry.event(lambda e: e.get("event") == "localsend")
        check(e is not None and e.get("port") == FERRY_PORT, "ferry's LocalSend port is the one asked for: %s" % e)

        ids = {}
        for peer, alias, port in ((auto, "Auto Peer", 53318), (asker, "Asking Peer", 53319),
                                  (locked, "Locked Peer", 53320)):
            d = ferry.event(lambda e: e.get("event") == "device" and e.get("alias") == alias)
            check(d is not None, "ferry lists %s as a device" % alias)
            if d is None:
                continue
            ids[alias] = d["id"]
            check(d.get("kind") == "localsend" and d.get("port") == port and d.get("protocol") == "http"
                  and len(d.get("fingerprint", "")) > 0 and d.get("name") == alias,
                  "%s is a localsend device with its port, protocol and fingerprint: %s" % (alias, d))
        check(auto.out.wait(lambda l: "Device discovered" in l and ALIAS in l) is not None,
              "the npm peer hears Ferry's announcement")
        if len(ids) != 3:
            raise RuntimeError("not every peer was found")

        # A file, streamed from disk.
        ferry.say("send %d %s" % (ids["Auto Peer"], os.path.join(src, "report.bin")))
        got = os.path.join(auto.save, "report.bin")
        size = os.path.getsize(os.path.join(src, "report.bin"))
        # Generous: the npm peer scans its /24 by HTTP when it starts, and its
        # event loop is slow to read bodies meanwhile (seen: 20 s for 3 MB).
        end = ferry.event(lambda e: e.get("event") == "transfer-ended" and e.get("name") == "report.bin", 90)
        check(end is not None and end.get("outcome") == "done" and end.get("bytes") == size
              and end.get("client") == "Auto Peer", "the file's transfer ends done, named by the device: %s" % end)
        check(wait_file(got, size) and sha256(got) == sha256(os.path.join(src, "report.bin")),
              "the peer has the file, sha256 equal")

        # A folder: its files keep their paths.
        ferry.say('send %d "%s"' % (ids["Auto Peer"], os.path.join(src, "Album")))
        for rel, data in album.items():
            e = ferry.event(lambda e: e.get("event") == "transfer-ended" and e.get("name") == rel)
            check(e is not None and e.get("outcome") == "done", "folder file %s sent" % rel)
            path = os.path.join(auto.save, rel)
            check(wait_file(path, len(data)) and sha256(path) == hashlib.sha256(data).hexdigest(),
                  "the peer has %s, sha256 equal" % rel)

        # Text: a text message (the npm peer keeps it as a .txt file).
        before = set(os.listdir(auto.save))
        ferry.say("text %d see you at 6, by the station" % ids["Auto Peer"])
        e = ferry.event(lambda e: e.get("event") == "transfer-ended" and e.get("name", "").endswith(".txt")
                        and e.get("client") == "Auto Peer")
        check(e is not None and e.get("outcome") == "done", "the text's transfer ends done")
        deadline = time.monotonic() + 10
        text = None
        while time.monotonic() < deadline and text is None:
            for n in set(os.listdir(auto.save)) - before:
                p = os.path.join(auto.save, n)
                if os.path.isfile(p) and os.path.getsize(p) > 0:
                    text = open(p, "rb").read().decode()
            time.sleep(0.05)
        check(text == "see you at 6, by the station", "the peer has the text: %r" % text)

        # Declined: the asking peer's user says no.
        ferry.say("send %d %s" % (ids["Asking Peer"], os.path.join(src, "Album", "cover.jpg")))
        check(asker.out.wait(lambda l: "Accept transfer?" in l) is not None, "the asking peer asks its user")
        asker.p.stdin.write(b"n\n")
        asker.p.stdin.flush()
        e = ferry.event(lambda e: e.get("event") == "transfer-ended" and e.get("client") == "Asking Peer")
        check(e is not None and e.get("outcome") == "cancelled" and "declined by Asking Peer" in e.get("reason", ""),
              "a declined offer ends cancelled, declined by the device: %s" % e)
        check(not os.path.exists(os.path.join(asker.save, "cover.jpg")), "nothing reaches a peer that declined")

        # Cancelled here while the device's user decides: the send ends
        # cancelled, and nothing arrives when the user then accepts.
        prompts = asker.out.text().count("Accept transfer?")
        ferry.say("send %d %s" % (ids["Asking Peer"], os.path.join(src, "report.bin")))
        started = ferry.event(lambda e: e.get("event") == "transfer-started" and e.get("client") == "Asking Peer"
                              and e.get("name") == "report.bin")
        check(asker.out.wait(lambda l: asker.out.text().count("Accept transfer?") > prompts) is not None,
              "the asking peer asks about a second offer")
        if started:
            ferry.say("cancel %d" % started["id"])
            e = ferry.event(lambda e: e.get("event") == "transfer-ended" and e.get("id") == started["id"])
            check(e is not None and e.get("outcome") == "cancelled" and e.get("reason") == "cancelled by the user",
                  "cancelling here ends the send as cancelled by the user: %s" % e)
        asker.p.stdin.write(b"y\n")
        asker.p.stdin.flush()
        time.sleep(0.5)  # no event to wait for: a file must not appear
        check(not os.path.exists(os.path.join(asker.save, "report.bin")), "nothing is uploaded after a cancel")

        # A PIN: asked for, a wrong one asked again, the right one delivers.
        ferry.say("send %d %s" % (ids["Locked Peer"], os.path.join(src, "Album", "2024", "a.txt")))
        ask = ferry.event(lambda e: e.get("event") == "pin" and e.get("name") == "Locked Peer")
        check(ask is not None and ask.get("wrong") is False, "a peer with a PIN makes Ferry ask for it: %s" % ask)
        if ask:
            ferry.say("pin %d 0000" % ask["id"])
            again = ferry.event(lambda e: e.get("event") == "pin" and e.get("id") == ask["id"] and e.get("wrong"))
            check(again is not None, "a wrong PIN is asked for again")
            ferry.say("pin %d 4711" % ask["id"])
            e = ferry.event(lambda e: e.get("event") == "transfer-ended" and e.get("client") == "Locked Peer")
            check(e is not None and e.get("outcome") == "done", "the right PIN delivers: %s" % e)
            check(wait_file(os.path.join(locked.save, "a.txt"), 6), "the locked peer has the file")
        # https: Ferry registers with and sends to a device whose certificate
        # is the one it announced, and refuses one that shows another.
        secure = SpecReceiver(work, "Secure Peer", 53321)
        forged = SpecReceiver(work, "Forged Peer", 53322, wrong_fingerprint=True)
        peers_spec.extend([secure, forged])
        secure.announce()
        forged.announce()
        d = ferry.event(lambda e: e.get("event") == "device" and e.get("alias") == "Secure Peer")
        check(d is not None and d.get("protocol") == "https" and d.get("fingerprint") == secure.fingerprint,
              "an https device is listed with its fingerprint: %s" % d)
        deadline = time.monotonic() + 10
        # (the npm peers register with it too: Ferry's register is the one with its alias)
        ours = lambda r: [x for x in r.registers if x.get("alias") == ALIAS]
        while time.monotonic() < deadline and not ours(secure):
            time.sleep(0.05)
        check(len(ours(secure)) > 0 and ours(secure)[0].get("fingerprint"), "Ferry registers with it over https, pinned")
        if d:
            ferry.say("send %d %s" % (d["id"], os.path.join(src, "report.bin")))
            e = ferry.event(lambda e: e.get("event") == "transfer-ended" and e.get("client") == "Secure Peer")
            check(e is not None and e.get("outcome") == "done", "a file goes over https: %s" % e)
            data = open(os.path.join(src, "report.bin"), "rb").read()
            check(secure.files.get("report.bin") == data, "the https device has it, bytes equal")
        f = ferry.event(lambda e: e.get("event") == "device" and e.get("alias") == "Forged Peer")
        check(f is not None, "a device announcing another fingerprint is listed (from its announcement)")
        if f:
            ferry.say("send %d %s" % (f["id"], os.path.join(src, "Album", "2024", "a.txt")))
            e = ferry.event(lambda e: e.get("event") == "transfer-ended" and e.get("client") == "Forged Peer")
            check(e is not None and e.get("outcome") == "failed" and "certificate" in e.get("reason", ""),
                  "nothing goes to a device whose certificate is not the announced one: %s" % e)
            check(not forged.files and not ours(forged), "the forged device got nothing from Ferry")

        # A device that answers a register a byte at a time holds it no
        # longer than the register's deadline (5 s).
        slow = TricklingPeer(53324)
        peers_spec.append(slow)
        slow.announce()
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and slow.held is None:
            time.sleep(0.05)
        check(slow.held is not None and slow.held < 10,
              "a register answered a byte a second is given up within its deadline (held %s s)" % slow.held)
    except RuntimeError as e:
        check(False, str(e))
    finally:
        for p in peers + peers_spec:
            p.stop()
        if ferry:
            ferry.stop()
        if failures:
            print("--- ferry ---\n" + (ferry.out.text() if ferry else ""))
            for p in peers:
                print("--- peer ---\n" + p.out.text()[-4000:])
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
