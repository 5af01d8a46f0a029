"""This computer's page's event stream on the wire, with raw sockets (no
browser): `ferry --headless --receive DIR --json` and its stdin commands.
The Server-Sent Events framing (retry, hello, id + event + data), the device
cookie, Last-Event-ID replay after a reconnect, the bounded queue, the caps
on streams per device and per address, the heartbeat, text sent by a page
(and refused over 64 KB, or from another site), a file sent to one device
and to no other, and a device reported gone once its page closed. Each
stream is one TCP connection read by hand."""

import hashlib
import json
import os
import re
import socket
import tempfile
import time
import urllib.parse
import urllib.request

import ferry_browser as fb


class Stream:
    """One GET <link>?events on a raw socket, read event by event."""

    def __init__(self, port, path, cookie=None, last_id=None, extra=""):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        head = "GET %s?events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n" % (path, port)
        if cookie:
            head += "Cookie: ferry_device=%s\r\n" % cookie
        if last_id is not None:
            head += "Last-Event-ID: %d\r\n" % last_id
        head += extra + "\r\n"
        self.sock.sendall(head.encode())
        self.raw = b""
        self.body = b""  # de-chunked
        self.status, self.headers = self._head()
        self.ended = False

    def _more(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            self.ended = True
            return False
        self.raw += data
        return True

    def _head(self):
        while b"\r\n\r\n" not in self.raw:
            assert self._more(10), "no response head"
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers.setdefault(k.strip().lower(), []).append(v.strip())
        return status, headers

    def _dechunk(self):
        while True:
            nl = self.raw.find(b"\r\n")
            if nl < 0:
                return
            size = int(self.raw[:nl], 16)
            if len(self.raw) < nl + 2 + size + 2:
                return
            assert size > 0, "the stream ended its body"
            assert self.raw[nl + 2 + size:nl + 4 + size] == b"\r\n"
            self.body += self.raw[nl + 2:nl + 2 + size]
            self.raw = self.raw[nl + 4 + size:]

    def frames(self, n, timeout=10):
        """The next n frames ("...\\n\\n" each, comments included) as text."""
        deadline = time.monotonic() + timeout
        self._dechunk()
        while self.body.count(b"\n\n") < n:
            left = deadline - time.monotonic()
            if left <= 0 or self.ended:
                raise AssertionError("waited for %d frames, have %r" % (n, self.body))
            self._more(left)
            self._dechunk()
        out = []
        for _ in range(n):
            frame, self.body = self.body.split(b"\n\n", 1)
            out.append(frame.decode())
        return out

    def events(self, n, timeout=10):
        """The next n events (comments skipped) as (id, type, data)."""
        got = []
        while len(got) < n:
            frame = self.frames(1, timeout)[0]
            fields = {}
            for line in frame.split("\n"):
                if line.startswith(":"):
                    continue
                k, _, v = line.partition(": ")
                fields[k] = v
            if "event" in fields:
                got.append((int(fields["id"]) if "id" in fields else None, fields["event"], json.loads(fields["data"])))
        return got

    def closed_by_server(self, timeout=10):
        deadline = time.monotonic() + timeout
        while not self.ended and time.monotonic() < deadline:
            self._more(deadline - time.monotonic())
        return self.ended

    def cookie(self):
        for c in self.headers.get("set-cookie", []):
            m = re.match(r"ferry_device=([A-Za-z0-9_-]+);", c)
            if m:
                return m.group(1)
        return None

    def close(self):
        self.sock.close()


def json_events(ferry, kind):
    out = []
    for line in ferry.stderr().splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") == kind:
            out.append(e)
    return out


def post_text(port, path, body, cookie=None, origin=None):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = "POST %s?text HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: text/plain; charset=utf-8\r\n" \
           "Content-Length: %d\r\nConnection: close\r\n" % (path, port, len(body))
    if cookie:
        head += "Cookie: ferry_device=%s\r\n" % cookie
    if origin:
        head += "Origin: %s\r\n" % origin
    s.sendall(head.encode() + b"\r\n" + body)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    head, _, text = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), text.decode()


def start():
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    ferry = fb.Ferry(["--receive", inbox, "--json"], lines_expected=1, answers=True)
    link = urllib.parse.urlsplit(ferry.lines[0])
    return ferry, link.port, link.path


def test_framing_cookie_and_replay():
    ferry, port, path = start()
    try:
        s = Stream(port, path)
        assert s.status == 200, s.status
        assert s.headers["content-type"] == ["text/event-stream; charset=utf-8"], s.headers
        assert s.headers["transfer-encoding"] == ["chunked"], s.headers
        assert s.headers["cache-control"] == ["no-store"], s.headers
        cookie_line = s.headers["set-cookie"][0]
        for part in ("Path=%s;" % path, "HttpOnly", "SameSite=Lax"):
            assert part in cookie_line, cookie_line
        cookie = s.cookie()
        assert s.frames(1)[0] == "retry: 2000"
        hello = s.events(1)[0]
        assert hello[0] is None and hello[1] == "hello" and hello[2]["live"] is True, hello
        device = hello[2]["device"]
        fb.wait_for(lambda: json_events(ferry, "device"), 5, "the device event")
        d = json_events(ferry, "device")[0]
        assert d["id"] == device and d["kind"] == "browser" and d["address"] == "127.0.0.1" and d["name"], d

        ferry.answer("text %d hello <b>there</b>" % device)
        ev = s.events(1)[0]
        assert ev == (1, "text", {"text": "hello <b>there</b>"}), ev
        # The page's bytes escape markup too: no raw "<" in the stream.
        s.close()

        # Sent while the page was away (within its grace): a reconnect with
        # Last-Event-ID gets exactly what it missed, as the same device.
        ferry.answer("text %d second" % device)
        ferry.answer("text %d third" % device)
        # Both queued before the page comes back: a look without
        # Last-Event-ID shows them (waiting for them, with a deadline).
        probe = Stream(port, path, cookie=cookie)
        assert [i for i, _, _ in probe.events(4)] == [None, 1, 2, 3]
        probe.close()
        r = Stream(port, path, cookie=cookie, last_id=1)
        assert r.cookie() == cookie
        evs = r.events(3)
        assert evs[0][2]["device"] == device, evs
        assert [(i, d["text"]) for i, _, d in evs[1:]] == [(2, "second"), (3, "third")], evs
        # A fresh page (no Last-Event-ID) sees everything still queued.
        f = Stream(port, path, cookie=cookie)
        assert [i for i, _, _ in f.events(4)] == [None, 1, 2, 3]
        assert len(json_events(ferry, "device")) == 1 and not json_events(ferry, "device-gone"), ferry.stderr()
        # The queue is bounded: of 70 more, a fresh page gets the last 64.
        for n in range(70):
            ferry.answer("text %d n%d" % (device, n))
        r.events(70, 20)
        g = Stream(port, path, cookie=cookie)
        evs = g.events(65)
        assert [i for i, _, _ in evs[1:]] == list(range(10, 74)), [i for i, _, _ in evs]
        # Streams are not downloads.
        assert not json_events(ferry, "transfer-started"), ferry.stderr()
        for x in (r, f, g):
            x.close()
    finally:
        ferry.stop()


def test_caps_per_device_and_address():
    ferry, port, path = start()
    try:
        first = Stream(port, path)
        cookie = first.cookie()
        same = [first] + [Stream(port, path, cookie=cookie) for _ in range(3)]
        for s in same:
            s.events(1)
        # A fifth stream of one device ends its oldest.
        fifth = Stream(port, path, cookie=cookie)
        fifth.events(1)
        assert first.closed_by_server(5), "the oldest stream of the device stayed open"
        assert not same[1].closed_by_server(0.3)
        others = [Stream(port, path) for _ in range(12)]  # 4 + 12 = 16 from 127.0.0.1
        for s in others:
            assert s.status == 200
        refused = Stream(port, path)
        assert refused.status == 429, refused.status
        fb.wait_for(lambda: len({e["id"] for e in json_events(ferry, "device")}) == 13, 5,
                    lambda: "13 devices: %s" % ferry.stderr())
        for s in same[1:] + [fifth] + others + [refused]:
            s.close()
    finally:
        ferry.stop()


def test_text_from_a_page():
    ferry, port, path = start()
    try:
        s = Stream(port, path)
        device = s.events(1)[0][2]["device"]
        status, text = post_text(port, path, "Hi <b>laptop</b>\nhttps://example.org/x".encode(), cookie=s.cookie())
        assert status == 200, (status, text)
        fb.wait_for(lambda: json_events(ferry, "text"), 5, "the text event")
        t = json_events(ferry, "text")[0]
        assert t["device"] == device and t["text"] == "Hi <b>laptop</b>\nhttps://example.org/x", t
        status, text = post_text(port, path, b"x" * (100 * 1024), cookie=s.cookie())
        assert status == 413 and text == "Text up to 64 KB can be sent at once: this is longer.\n", (status, text)
        status, text = post_text(port, path, b"y" * (64 * 1024), cookie=s.cookie())
        assert status == 200, (status, text)
        status, text = post_text(port, path, b"no cookie")
        assert status == 409 and "reload" in text, (status, text)
        status, _ = post_text(port, path, b"csrf", cookie=s.cookie(), origin="http://evil.example")
        assert status == 403
        # The 64 KB text reached the log too (written after its answer).
        fb.wait_for(lambda: len(json_events(ferry, "text")) == 2, 5, "the second text event")
        s.close()
    finally:
        ferry.stop()


def test_file_to_one_device_then_gone():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    path_file = os.path.join(src, "report.pdf")
    with open(path_file, "wb") as f:
        f.write(os.urandom(300_000))
    ferry, port, path = start()
    try:
        a = Stream(port, path)
        b = Stream(port, path)
        da = a.events(1)[0][2]["device"]
        db = b.events(1)[0][2]["device"]
        assert da != db
        ferry.answer("send %d %s" % (da, path_file))
        _, kind, card = a.events(1)[0]
        assert kind == "file" and card["name"] == "report.pdf" and card["size"] == 300_000 and not card["folder"], card
        body = urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, card["link"])).read()
        assert hashlib.sha256(body).digest() == hashlib.sha256(open(path_file, "rb").read()).digest()
        # Nothing reached the other device: only its heartbeat could come.
        b.sock.settimeout(1)
        try:
            extra = b.sock.recv(65536)
        except socket.timeout:
            extra = b""
        assert b"report" not in extra, extra
        ferry.answer("send 99 %s" % path_file)
        fb.wait_for(lambda: any("No device 99" in e["message"] for e in json_events(ferry, "error")), 5,
                    "the refusal of an unknown device")
        # A page that closes is gone within the grace (10 s), not at once.
        a.close()
        time.sleep(2)
        assert not json_events(ferry, "device-gone")
        fb.wait_for(lambda: json_events(ferry, "device-gone"), 15, "the device-gone event")
        assert [e["id"] for e in json_events(ferry, "device-gone")] == [da]
        b.close()
    finally:
        ferry.stop()


def test_heartbeat():
    ferry, port, path = start()
    try:
        s = Stream(port, path)
        s.events(1)
        start_t = time.monotonic()
        frame = s.frames(1, 20)[0]
        waited = time.monotonic() - start_t
        assert frame == ":", frame
        assert waited < 25, waited  # "at most every 25 s"
        s.close()
    finally:
        ferry.stop()


if __name__ == "__main__":
    fb.run(test_framing_cookie_and_replay, test_caps_per_device_and_address, test_text_from_a_page,
           test_file_to_one_device_then_gone, test_heartbeat)
