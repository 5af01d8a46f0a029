#!/usr/bin/env python3
"""Ferry as a LocalSend receiver, over real sockets on 127.0.0.1.

The sender is the npm LocalSend peer (localsend 0.1.2) for the plain case,
over https and http; a protocol client written here from the spec drives what
that peer cannot: chunked bodies, a 50 MB file, checksums (422), tokens bound
to an address and a session (403), one session at a time (409), cancel,
hostile offers (400, nothing written), folders in names, PINs (401/429),
decline through the ask, text messages, and a client certificate (mTLS).

`--localsend` also announces Ferry by multicast, which must never reach a
real network: the test runs in a network namespace of its own that has only
loopback (`unshare -n`), where Ferry finds no interface to announce on and
says so. Exit status 77 (skipped) where namespaces are not allowed.
"""

import hashlib
import http.client
import json
import os
import queue
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

FERRY = os.environ.get("FERRY_BINARY")
PEER = os.environ.get("FERRY_LOCALSEND_PEER")
API = "/api/localsend/v2"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Ferry:
    """`ferry --headless --json --localsend` with its own receive folder and cache."""

    def __init__(self, root, *extra, https=False, env=None):
        self.root = root
        self.recv = os.path.join(root, "recv")
        os.makedirs(self.recv, exist_ok=True)
        self.port = free_port()
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(root, "cache"), **(env or {}))
        args = [FERRY, "--headless", "--json", "--bind", "127.0.0.1", "--port", "0", "--receive", self.recv,
                "--localsend-port", str(self.port)]
        if not https:
            args.append("--localsend-http")
        self.proc = subprocess.Popen(args + list(extra), env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.events = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.info = self.wait_event("localsend")
        self.https = https

    def _read(self):
        for line in self.proc.stderr:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                pass

    def wait_event(self, kind, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                e = self.events.get(timeout=max(0.05, deadline - time.time()))
            except queue.Empty:
                break
            if e.get("event") == kind:
                return e
        raise AssertionError("no %s event from ferry" % kind)

    def say(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def conn(self, cert=None):
        if self.https:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            if cert:
                ctx.load_cert_chain(*cert)
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def call(self, method, path, body=None, headers=None, conn=None):
        c = conn or self.conn()
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):  # as the apps send JSON
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        raw = r.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = raw
        if not conn:
            c.close()
        return r.status, payload

    def files(self):
        out = []
        for d, _, names in os.walk(self.recv):
            out += [os.path.relpath(os.path.join(d, n), self.recv) for n in names]
        return sorted(out)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


SENDER = {"alias": "Pixel 8", "version": "2.1", "deviceModel": "Google", "deviceType": "mobile",
          "fingerprint": "ABCDEF", "port": 53317, "protocol": "http", "download": False}


def offer(files, info=SENDER):
    return {"info": info, "files": {f["id"]: f for f in files}}


def file_entry(fid, name, data, sha=True, ftype="application/octet-stream"):
    f = {"id": fid, "fileName": name, "size": len(data), "fileType": ftype, "preview": None}
    f["sha256"] = hashlib.sha256(data).hexdigest() if sha else None
    return f


def expect(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok -", what)


def upload(f, session, fid, token, data, chunked=False):
    c = f.conn()
    path = "%s/upload?sessionId=%s&fileId=%s&token=%s" % (API, session, fid, token)
    if chunked:
        c.putrequest("POST", path)
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        step = 1 << 20
        for i in range(0, len(data), step):
            piece = data[i:i + step]
            c.send(b"%x\r\n" % len(piece) + piece + b"\r\n")
        c.send(b"0\r\n\r\n")
    else:
        c.request("POST", path, body=data)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def npm_peer(f, path, protocol):
    node = os.path.join(PEER, "node_modules", ".bin", "node")
    if not os.path.exists(node):
        node = shutil.which("node")
    cli = os.path.join(PEER, "node_modules", "localsend", "dist", "cli.js")
    return subprocess.run([node, cli, "send", "127.0.0.1", path, "--port", str(f.port), "--protocol", protocol],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ, NO_COLOR="1"))


def wait_for(cond, what, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError("timed out: " + what)


def test_npm_peer(root):
    for protocol in ("https", "http"):
        f = Ferry(os.path.join(root, "npm-" + protocol), https=protocol == "https")
        try:
            expect(f.info["protocol"] == protocol and len(f.info["fingerprint"]) == 64,
                   "the localsend event says %s and a 64-digit fingerprint" % protocol)
            status, info = f.call("GET", API + "/info")
            expect(status == 200 and info["fingerprint"] == f.info["fingerprint"] and info["deviceType"] == "desktop",
                   "/v2/info is Ferry's DeviceInfo over " + protocol)
            data = os.urandom(3 * 1000 * 1000 + 17)
            src = os.path.join(root, "photo %s.bin" % protocol)
            with open(src, "wb") as out:
                out.write(data)
            r = npm_peer(f, src, protocol)
            wait_for(lambda: f.files() == [os.path.basename(src)], "the npm peer's file to arrive")
            with open(os.path.join(f.recv, os.path.basename(src)), "rb") as got:
                expect(hashlib.sha256(got.read()).digest() == hashlib.sha256(data).digest(),
                       "the npm peer's file arrives whole over %s (sha256 equal; peer said: %s)"
                       % (protocol, r.stdout.strip().splitlines()[-1:] if r.stdout else r.returncode))
            # Again: the name is taken, the new file gets " (1)".
            npm_peer(f, src, protocol)
            wait_for(lambda: len(f.files()) == 2, "the second copy")
            expect("photo %s (1).bin" % protocol in f.files(), "a second file of the same name is kept as ' (1)'")
        finally:
            f.stop()


def test_protocol_client(root):
    f = Ferry(os.path.join(root, "client"))
    try:
        big = os.urandom(50 * 1000 * 1000)
        small = b"hello LocalSend\n"
        files = [file_entry("big", "big.bin", big), file_entry("pic", "Trip/day 1/a.jpg", small, ftype="image/jpeg"),
                 file_entry("bad", "bad.bin", small)]
        files[2]["sha256"] = hashlib.sha256(b"something else").hexdigest()
        status, ans = f.call("POST", API + "/prepare-upload", offer(files))
        expect(status == 200 and set(ans["files"]) == {"big", "pic", "bad"}, "prepare-upload is accepted: 200 with tokens")
        sid, tok = ans["sessionId"], ans["files"]

        status, _ = f.call("POST", API + "/prepare-upload", offer([file_entry("x", "x.bin", small)]))
        expect(status == 409, "a second offer while a session runs is 409")
        expect(upload(f, sid, "pic", "wrong", small)[0] == 403, "a wrong token is 403")
        expect(upload(f, "nosuch", "pic", tok["pic"], small)[0] == 403, "a wrong session is 403")
        status, body = upload(f, sid, "bad", tok["bad"], small)
        expect(status == 422 and b"SHA-256" in body, "a body whose sha256 differs is 422")
        expect("bad.bin" not in f.files() and not any("part" in n for n in f.files()),
               "and leaves neither the file nor a part file")
        expect(upload(f, sid, "pic", tok["pic"], small[:-1])[0] == 400, "a body shorter than the size is 400")
        expect(upload(f, sid, "pic", tok["pic"], small)[0] == 200, "a file with folders in its name is saved (200)")
        # More files of the session are to come: it was answered as its
        # bytes were written, and gets its name once they are on the disk.
        pic = os.path.join(f.recv, "Trip", "day 1", "a.jpg")
        wait_for(lambda: os.path.exists(pic), "a.jpg to get its name")
        expect(open(pic, "rb").read() == small, "into sub-folders of the receive folder")
        ended = f.wait_event("transfer-ended")
        while ended.get("outcome") != "done":
            ended = f.wait_event("transfer-ended")
        expect(ended["direction"] == "upload" and "Pixel 8" in json.dumps(ended) and ended["bytes"] == len(small),
               "the transfer is logged under the device's alias: %s" % json.dumps(ended))
        expect(upload(f, sid, "big", tok["big"], big, chunked=True)[0] == 200, "a chunked 50 MB body is saved")
        wait_for(lambda: "big.bin" in f.files(), "big.bin to get its name")
        with open(os.path.join(f.recv, "big.bin"), "rb") as got:
            expect(hashlib.sha256(got.read()).digest() == hashlib.sha256(big).digest(), "whole (sha256 equal)")
        # The failed file may be sent again with its token (LocalSend retries after 422).
        files[2]["sha256"] = hashlib.sha256(small).hexdigest()
        expect(upload(f, sid, "bad", tok["bad"], b"x" * len(small))[0] == 422, "a retry with other bytes is 422 again")
        status, _ = f.call("POST", API + "/cancel?sessionId=" + sid)
        expect(status == 200, "the sender's cancel ends the session (200)")
        expect(upload(f, sid, "bad", tok["bad"], small)[0] == 403, "and its tokens are no good after it")
        status, _ = f.call("POST", API + "/prepare-upload", offer([file_entry("n", "next.bin", small)]))
        expect(status == 200, "a new session can start after a cancel")
        f.call("POST", API + "/cancel")

        # Cancel while an upload is under way removes its part file.
        status, ans = f.call("POST", API + "/prepare-upload", offer([file_entry("c", "cut.bin", big)]))
        c = f.conn()
        c.putrequest("POST", "%s/upload?sessionId=%s&fileId=c&token=%s" % (API, ans["sessionId"], ans["files"]["c"]))
        c.putheader("Content-Length", str(len(big)))
        c.endheaders()
        c.send(big[:5 * 1000 * 1000])
        wait_for(lambda: any(n.startswith(".cut.bin") for n in f.files()), "the part file of the cut upload")
        expect(f.call("POST", API + "/cancel?sessionId=" + ans["sessionId"])[0] == 200, "cancel during an upload: 200")
        wait_for(lambda: not any("cut.bin" in n for n in f.files()), "the part file to go")
        expect(True, "cancel removes the part file of an upload under way")
        c.close()

        # Hostile offers: 400 with a message, and nothing written.
        before = f.files()
        hostile = {
            "null alias": offer([file_entry("a", "a", small)], dict(SENDER, alias=None)),
            "port as string": offer([file_entry("a", "a", small)], dict(SENDER, port="53317")),
            "size negative": offer([dict(file_entry("a", "a", small), size=-1)]),
            "size float": offer([dict(file_entry("a", "a", small), size=1.5)]),
            "files null": {"info": SENDER, "files": None},
            "files list": {"info": SENDER, "files": [file_entry("a", "a", small)]},
            "10,001 files": offer([file_entry("f%d" % i, "f%d" % i, small) for i in range(10001)]),
            "deep": json.loads("[" * 50 + "]" * 50),
        }
        for name in ["../up.txt", "/etc/passwd", "a/../../up.txt", "a\\b.txt", "C:evil.txt", "c:/x.txt", "a//b",
                     "nul\u0000.txt", "..", "./a", "a/./b", ""]:
            hostile["name %r" % name] = offer([file_entry("a", name, small)])
        for what, body in hostile.items():
            status, payload = f.call("POST", API + "/prepare-upload", body)
            expect(status == 400 and isinstance(payload, dict) and payload.get("message"),
                   "hostile offer (%s): 400 with a message" % what)
        status, _ = f.call("POST", API + "/prepare-upload", b"{not json", {"Content-Type": "application/json"})
        expect(status == 400, "a body that is not JSON: 400")
        expect(f.files() == before, "hostile offers write nothing")
        status, ans = f.call("POST", API + "/prepare-upload",
                             offer([file_entry("f%d" % i, "f%d" % i, small) for i in range(10000)]))
        expect(status == 200 and len(ans["files"]) == 10000, "10,000 files in one offer are within the limits")
        f.call("POST", API + "/cancel?sessionId=" + ans["sessionId"])

        # A text message: delivered like a browser's text, answered 204.
        text = {"id": "t", "fileName": "message.txt", "size": 5, "fileType": "text/plain", "preview": "hi 👋"}
        status, _ = f.call("POST", API + "/prepare-upload", offer([text]))
        e = f.wait_event("text")
        expect(status == 204 and e["text"] == "hi 👋" and e["name"] == "Pixel 8", "a text message is shown, 204")
        status, _ = f.call("POST", API + "/register", SENDER)
        expect(status == 200, "register answers 200")

        # What a web page in a browser could post (CSRF) is refused: it
        # says its Origin, or it is not JSON (no CORS preflight needed).
        before = f.files()
        one = offer([file_entry("w", "web.bin", small)])
        for origin in ("http://evil.example", "null", "http://127.0.0.1:%d" % f.port):
            for path in ("/prepare-upload", "/register"):
                status, payload = f.call("POST", API + path, one if path == "/prepare-upload" else SENDER,
                                         {"Origin": origin})
                expect(status == 403 and payload.get("message"), "%s with Origin %s: 403" % (path, origin))
            for path in ("/api/localsend/v1/info", API + "/info"):
                status, payload = f.call("GET", path, headers={"Origin": origin})
                expect(status == 403 and payload.get("message") and "fingerprint" not in payload,
                       "GET %s with Origin %s: 403, nothing about this computer" % (path, origin))
        for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
            headers = {"Content-Type": ctype} if ctype else {}
            c = f.conn()
            c.request("POST", API + "/prepare-upload", body=json.dumps(one).encode(), headers=headers)
            r = c.getresponse()
            r.read()
            c.close()
            expect(r.status == 415, "an offer sent as %s: 415" % ctype)
        status, ans = f.call("POST", API + "/prepare-upload", one, {"Content-Type": "Application/JSON; charset=utf-8"})
        expect(status == 200, "application/json with a charset is JSON")
        f.call("POST", API + "/cancel?sessionId=" + ans["sessionId"])
        expect(f.files() == before, "refused offers write nothing")
    finally:
        f.stop()


def test_ask_and_pin(root):
    f = Ferry(os.path.join(root, "ask"), "--ask", "--localsend-pin", "4711")
    try:
        small = b"x" * 10
        body = offer([file_entry("a", "a.jpg", small, ftype="image/jpeg"), file_entry("b", "b.jpg", small, ftype="image/jpeg")])
        expect(f.call("POST", API + "/prepare-upload", body)[0] == 401, "without the PIN: 401")
        result = {}

        def ask():
            result["status"], result["body"] = f.call("POST", API + "/prepare-upload?pin=4711", body)

        t = threading.Thread(target=ask)
        t.start()
        e = f.wait_event("ask")
        expect("Pixel 8 (LocalSend)" in e["message"] and "2 photos" in e["message"],
               "the ask names the device and the offer: " + e["message"])
        f.say("decline %d" % e["id"])
        t.join(20)
        expect(result.get("status") == 403, "declined: 403")
        expect(f.files() == [], "a declined offer writes nothing")
        for _ in range(3):
            expect(f.call("POST", API + "/prepare-upload?pin=1", body)[0] == 401, "a wrong PIN: 401")
        expect(f.call("POST", API + "/prepare-upload?pin=4711", body)[0] == 429,
               "after 3 wrong PINs from an address: 429, even with the right one")
    finally:
        f.stop()


def test_client_certificate(root):
    f = Ferry(os.path.join(root, "mtls"), https=True)
    try:
        key, cert = os.path.join(root, "client.key"), os.path.join(root, "client.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=LocalSend User"], check=True, capture_output=True)
        der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                             capture_output=True).stdout
        fp = hashlib.sha256(der).hexdigest().upper()
        c = f.conn(cert=(cert, key))
        status, info = f.call("POST", API + "/register", dict(SENDER, fingerprint=fp, protocol="https"), conn=c)
        expect(status == 200 and info["fingerprint"] == f.info["fingerprint"],
               "a client with its own certificate (mTLS) is answered")
        data = os.urandom(100000)
        status, ans = f.call("POST", API + "/prepare-upload", offer([file_entry("m", "m.bin", data)]), conn=c)
        c.close()
        expect(status == 200, "and may send")
        expect(upload(f, ans["sessionId"], "m", ans["files"]["m"], data)[0] == 200, "its file arrives")
    finally:
        f.stop()


def test_always_needs_proof(root):
    # "Always accept" a device that showed no certificate holds for its
    # fingerprint from its address only: another address that says the
    # same (public) fingerprint is asked again.
    f = Ferry(os.path.join(root, "always"), "--ask")
    try:
        body = offer([file_entry("a", "a.jpg", b"x" * 10, ftype="image/jpeg")])
        result = {}

        def ask(source):
            c = http.client.HTTPConnection("127.0.0.1", f.port, timeout=30, source_address=(source, 0))
            result["status"], result["body"] = f.call("POST", API + "/prepare-upload", body, conn=c)
            c.close()

        t = threading.Thread(target=ask, args=("127.0.0.1",))
        t.start()
        f.say("always %d" % f.wait_event("ask")["id"])
        t.join(20)
        expect(result.get("status") == 200, "accepted always: 200")
        f.call("POST", API + "/cancel?sessionId=" + result["body"]["sessionId"])
        status, ans = f.call("POST", API + "/prepare-upload", body)
        expect(status == 200, "the same device from the same address is not asked again")
        f.call("POST", API + "/cancel?sessionId=" + ans["sessionId"])
        result.clear()
        t = threading.Thread(target=ask, args=("127.0.0.2",))
        t.start()
        e = f.wait_event("ask")
        while e["state"] != "open":  # the first ask's answer comes first
            e = f.wait_event("ask")
        expect(e["address"] == "127.0.0.2", "the offer from another address is asked about")
        f.say("decline %d" % e["id"])
        t.join(20)
        expect(result.get("status") == 403, "and declined there: 403")
    finally:
        f.stop()


def test_http_keeps_its_fingerprint(root):
    # Encryption off, Ferry is still the same device after a restart: it
    # announces its certificate's fingerprint, as the apps do.
    where = os.path.join(root, "same")
    seen = []
    for https in (False, True):
        f = Ferry(where, https=https)
        try:
            status, info = f.call("GET", API + "/info")
            expect(status == 200 and info["fingerprint"] == f.info["fingerprint"], "/info says the fingerprint")
            seen.append(f.info["fingerprint"])
        finally:
            f.stop()
    # The https one is the certificate kept in the cache (localsend_identity
    # proves it the same across restarts): over http, after a restart, the
    # same fingerprint.
    expect(len(seen[0]) == 64 and seen[0] == seen[1],
           "over http Ferry announces its kept certificate's fingerprint, the same after a restart")


def test_dropped_offer_withdraws_its_ask(root):
    # A sender that closes its connection while its offer is asked about
    # takes the ask with it: the ask ends "withdrawn", and stale asks do not
    # fill the places others need (ReceiveAsks::kMaxOpen is 8).
    f = Ferry(os.path.join(root, "dropped"), "--ask")
    try:
        for i in range(10):
            body = json.dumps(offer([file_entry("a", "a.jpg", b"x" * 10, ftype="image/jpeg")],
                                    dict(SENDER, fingerprint="DROP%02d" % i))).encode()
            c = f.conn()
            c.request("POST", API + "/prepare-upload", body=body, headers={"Content-Type": "application/json"})
            opened = f.wait_event("ask")
            expect(opened["state"] == "open", "offer %d is asked about" % (i + 1))
            c.close()
            e = f.wait_event("ask")
            expect(e["state"] == "withdrawn" and e["id"] == opened["id"],
                   "its sender leaves: the ask is withdrawn (%s)" % e["state"])
        result = {}

        def ask():
            result["status"], result["body"] = f.call("POST", API + "/prepare-upload", offer(
                [file_entry("b", "b.jpg", b"y" * 10, ftype="image/jpeg")]))

        t = threading.Thread(target=ask)
        t.start()
        e = f.wait_event("ask")
        expect(e["state"] == "open", "an offer after ten dropped ones is asked about, not refused")
        f.say("accept %d" % e["id"])
        t.join(20)
        expect(result.get("status") == 200, "and accepted: 200")
    finally:
        f.stop()


def test_cancel_here_tells_the_sender(root):
    # The user cancels a file a device is sending: the whole session ends,
    # and the sender is told as the apps' receivers tell it (POST
    # /cancel?sessionId to the port it offered with).
    import http.server
    told = queue.Queue()

    class SenderServer(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            told.put((self.path, self.client_address[0]))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SenderServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    f = Ferry(os.path.join(root, "cancel-here"))
    c = None
    try:
        big = os.urandom(20 * 1000 * 1000)
        sender = dict(SENDER, port=server.server_address[1])
        status, ans = f.call("POST", API + "/prepare-upload", offer([file_entry("c", "cut.bin", big)], sender))
        expect(status == 200, "an offer is accepted")
        sid = ans["sessionId"]
        c = f.conn()
        c.putrequest("POST", "%s/upload?sessionId=%s&fileId=c&token=%s" % (API, sid, ans["files"]["c"]))
        c.putheader("Content-Length", str(len(big)))
        c.endheaders()
        c.send(big[:2 * 1000 * 1000])
        started = f.wait_event("transfer-started")
        while started.get("name") != "cut.bin":
            started = f.wait_event("transfer-started")
        wait_for(lambda: any(n.startswith(".cut.bin") for n in f.files()), "the part file of the upload")
        f.say("cancel %d" % started["id"])
        try:
            path, address = told.get(timeout=10)
        except queue.Empty:
            path, address = None, None
        expect(path == API + "/cancel?sessionId=" + sid and address == "127.0.0.1",
               "the sender is told with POST /cancel?sessionId: %s" % path)
        ended = f.wait_event("transfer-ended")
        while ended.get("id") != started["id"]:
            ended = f.wait_event("transfer-ended")
        expect(ended["outcome"] == "cancelled", "the file's transfer ends cancelled: %s" % ended)
        wait_for(lambda: not any("cut.bin" in n for n in f.files()), "the part file to go")
        expect(upload(f, sid, "c", ans["files"]["c"], big)[0] == 403, "the session is over: its token is no good")
    finally:
        if c:
            c.close()
        f.stop()
        server.shutdown()


def test_known_size_is_a_cap(root):
    # A file offered as 0 bytes cannot take an endless chunked body.
    f = Ferry(os.path.join(root, "zero"))
    try:
        status, ans = f.call("POST", API + "/prepare-upload", offer([file_entry("z", "z.bin", b"", sha=False)]))
        expect(status == 200, "a 0-byte file is offered")
        c = f.conn()
        c.putrequest("POST", "%s/upload?sessionId=%s&fileId=z&token=%s" % (API, ans["sessionId"], ans["files"]["z"]))
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        try:  # 4 MiB and no last chunk: the body has not ended
            for _ in range(64):
                c.send(b"10000\r\n" + b"z" * 0x10000 + b"\r\n")
        except OSError:
            pass  # refused and closed while the body was still going out
        c.sock.settimeout(10)
        status = c.getresponse().status
        c.close()
        expect(status == 400, "bytes past a 0-byte file's size are refused before the body ends")
        wait_for(lambda: f.files() == [], "and nothing is left in the Receive folder")
    finally:
        f.stop()


def test_many_small_files(root):
    # A session of many small files, sent as the apps send them: one after
    # another on one connection, then two at a time. Each is answered before
    # it has its name while more are to come; none ever shows under its name
    # before it is whole, and the session's last answer comes only once every
    # file has its name.
    f = Ferry(os.path.join(root, "many"))
    seen_short = []
    watching = threading.Event()
    sizes = {}

    def watch():
        while not watching.is_set():
            for d, _, names in os.walk(f.recv):
                for n in names:
                    rel = os.path.relpath(os.path.join(d, n), f.recv)
                    try:
                        size = os.stat(os.path.join(d, n)).st_size
                    except FileNotFoundError:
                        continue  # a part file renamed or removed meanwhile
                    if not n.startswith(".") and sizes.get(rel) != size:
                        seen_short.append((rel, size))
            watching.wait(0.002)  # a look every few ms, leaving the CPU to the transfer

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        for parallel, count in ((1, 300), (2, 120)):
            data = {"f%03d" % i: os.urandom(1000 + (i * 7919) % 60000) for i in range(count)}
            names = {fid: ("Batch %d/%s.bin" % (parallel, fid) if i % 2 else "%s-%d.bin" % (fid, parallel))
                     for i, fid in enumerate(data)}
            # Two files of one name: the second is numbered, never replaces.
            data["same2"] = data["same1"] = os.urandom(5000)
            names["same1"] = names["same2"] = "same %d.bin" % parallel
            want = {names[fid]: d for fid, d in data.items() if not fid.startswith("same")}
            want["same %d.bin" % parallel] = want["same %d (1).bin" % parallel] = data["same1"]
            sizes.update({n: len(d) for n, d in want.items()})
            if not watcher.is_alive():
                watcher.start()
            status, ans = f.call("POST", API + "/prepare-upload",
                                 offer([file_entry(fid, names[fid], d, sha=fid.endswith("0")) for fid, d in data.items()]))
            expect(status == 200 and len(ans["files"]) == len(data), "an offer of %d small files: 200" % len(data))
            order = list(data)
            lanes = [order[i::parallel] for i in range(parallel)]
            codes = []

            def send(fids):
                c = f.conn()  # one kept-alive connection per lane, as the apps keep
                for fid in fids:
                    path = "%s/upload?sessionId=%s&fileId=%s&token=%s" % (API, ans["sessionId"], fid, ans["files"][fid])
                    c.request("POST", path, body=data[fid])
                    r = c.getresponse()
                    r.read()
                    codes.append(r.status)
                c.close()

            threads = [threading.Thread(target=send, args=(lane,)) for lane in lanes]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            # No waiting here: the last answer came once every file had its name.
            got = {}
            for d, _, ns in os.walk(f.recv):
                for n in ns:
                    rel = os.path.relpath(os.path.join(d, n), f.recv)
                    if rel in want:
                        with open(os.path.join(d, n), "rb") as fh:
                            got[rel] = fh.read()
            expect(codes == [200] * len(data), "%d files, %d at a time: every one answered 200" % (len(data), parallel))
            expect(got == want, "when the last answer comes, every file is there under its name, whole (%d of %d)"
                   % (sum(got.get(n) == d for n, d in want.items()), len(want)))
        watching.set()
        watcher.join()
        expect(not seen_short, "no file ever showed under its name before it was whole: %s" % seen_short[:3])
        expect(not [n for n in f.files() if os.path.basename(n).startswith(".")], "and no part file is left")
    finally:
        watching.set()
        f.stop()


def test_stop_names_answered_files(root):
    # Files a sender was told are saved while they still waited for the
    # disk: when Ferry stops, they get their names before it ends, never
    # stay behind as hidden part files. The disk is made slow to sync (the
    # faulty disk, preloaded into this ferry only), so they are still
    # waiting when the stop comes.
    shim = os.environ.get("FERRY_FAULTY_DISK")
    if not shim or not os.path.exists(shim):
        print("skip - FERRY_FAULTY_DISK is not set (ctest sets it on Linux): no stop with files waiting for the disk")
        return
    base = os.path.join(root, "stop")
    os.makedirs(base)
    control = os.path.join(base, "fault")
    with open(control, "w") as fh:
        fh.write("slowsync 300")  # each sync in the Receive folder waits 300 ms first
    f = Ferry(base, env={"LD_PRELOAD": shim, "FERRY_FAULT_MATCH": os.path.join(base, "recv"),
                         "FERRY_FAULT_CONTROL": control})
    try:
        data = {"s%02d" % i: os.urandom(20000 + i) for i in range(12)}
        status, ans = f.call("POST", API + "/prepare-upload",
                             offer([file_entry(fid, fid + ".bin", d) for fid, d in data.items()]))
        expect(status == 200, "an offer of 12 files: 200")
        sent = list(data)[:8]
        c = f.conn()
        codes = []
        for fid in sent:
            c.request("POST", "%s/upload?sessionId=%s&fileId=%s&token=%s" % (API, ans["sessionId"], fid,
                                                                             ans["files"][fid]), body=data[fid])
            r = c.getresponse()
            r.read()
            codes.append(r.status)
        c.close()
        waiting = 8 - len([n for n in f.files() if not n.startswith(".")])
        expect(codes == [200] * 8, "8 of them sent, each answered 200 while more are to come")
        expect(waiting > 0, "when Ferry is told to stop, %d of the 8 still wait for their names" % waiting)
        f.proc.terminate()
        expect(f.proc.wait(30) == 0, "Ferry ends")
        got = {}
        for n in f.files():
            with open(os.path.join(f.recv, n), "rb") as fh:
                got[n] = fh.read()
        expect(got == {fid + ".bin": data[fid] for fid in sent},
               "before it ended, every answered file got its name, whole, and no part file is left (%s)"
               % sorted(got))
    finally:
        f.stop()


def enter_namespace():
    """Re-runs this script in a private network namespace with only loopback up."""
    env = dict(os.environ, FERRY_LOCALSEND_NETNS="1")
    ip = shutil.which("ip") or "/usr/sbin/ip"
    # Outgoing connections' local ports are moved below LocalSend's (53317 and
    # up), so none can take a port a peer in this test is about to listen on.
    script = ('%s link set lo up && echo "20000 29999" > /proc/sys/net/ipv4/ip_local_port_range'
              ' && exec "$0" "$1"' % ip)
    for cmd in (["unshare", "-rn"], ["unshare", "-n"]):
        if not shutil.which(cmd[0]):
            break
        if subprocess.run(cmd + ["true"], capture_output=True).returncode == 0:
            return subprocess.run(cmd + ["sh", "-c", script, sys.executable, os.path.abspath(__file__)],
                                  env=env).returncode
    print("skip - cannot make a network namespace here (unshare -n is not allowed), and LocalSend's "
          "multicast must not reach a real network")
    return 77


def main():
    if os.environ.get("FERRY_LOCALSEND_NETNS") != "1":
        return enter_namespace()
    if not FERRY or not os.path.exists(FERRY):
        print("FERRY_BINARY is not set", file=sys.stderr)
        return 1
    root = tempfile.mkdtemp(prefix="ferry-localsend-")
    try:
        if PEER and os.path.exists(os.path.join(PEER, "node_modules", "localsend")):
            test_npm_peer(root)
        else:
            print("skip - the npm LocalSend peer is not installed")
        test_protocol_client(root)
        test_ask_and_pin(root)
        test_always_needs_proof(root)
        test_dropped_offer_withdraws_its_ask(root)
        test_http_keeps_its_fingerprint(root)
        test_cancel_here_tells_the_sender(root)
        test_known_size_is_a_cap(root)
        test_many_small_files(root)
        test_stop_names_answered_files(root)
        test_client_certificate(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
