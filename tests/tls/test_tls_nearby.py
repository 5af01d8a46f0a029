#!/usr/bin/env python3
"""This computer's page's device cookie over HTTPS and plain HTTP on one
port (--https --http-too --receive), over real sockets.

Opens the page's event stream (`GET <receive link>?events`) by hand, over
Python's ssl trusting Ferry's CA and over plain TCP, and reads the
Set-Cookie lines and the `hello` event's device id: over https the cookie is
`__Secure-ferry_device` and Secure, over http `ferry_device` and not; a
device that used the page over http and comes over https is the same device
under a new key, its plain cookie is cleared, its http stream ends, and the
old key opens nothing after; neither scheme reads the other's cookie, for
the stream and for text posted from the page.

Exit status 77 (skipped) when the build has no TLS.
"""

import os
import re
import socket
import ssl
import sys
import time

import tls_testlib
from tls_testlib import check, env_for, head_and_body, run, set_cookies, start_events, start_ferry, stop, verdict


class Page:
    """One `GET <path>?events` stream on its own connection."""

    def __init__(self, port, path, ctx=None, cookie=None):
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1") if ctx else raw
        req = "GET %s?events HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n" % (path, port)
        if cookie:
            req += "Cookie: %s\r\n" % cookie
        self.sock.sendall((req + "\r\n").encode())
        self.data = b""
        self.ended = False
        self.read_until(lambda: b"\r\n\r\n" in self.data)
        head, _ = head_and_body(self.data)
        self.status = head.split(" ", 2)[1] if " " in head else ""
        self.cookies = set_cookies(head)
        m = self.read_until(lambda: re.search(rb'event: hello\ndata: \{"device":(\d+)', self.data))
        self.device = int(m.group(1)) if m else None

    def read_until(self, pred, seconds=10):
        """pred()'s value once what has come makes it true, the stream's
        end or `seconds` coming first (then pred()'s value as it is)."""
        deadline = time.monotonic() + seconds
        while True:
            v = pred()
            if v or self.ended or time.monotonic() >= deadline:
                return v
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:  # a reset, or TLS ended without close_notify
                chunk = b""
            if not chunk:
                self.ended = True
            self.data += chunk

    def closed_by_server(self):
        self.read_until(lambda: False)
        return self.ended

    def cookie(self, name):
        for c in self.cookies:
            if c.startswith(name + "="):
                return c.split(";")[0].split("=", 1)[1]
        return None

    def close(self):
        self.sock.close()


def post_text(port, path, ctx, cookie):
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock = ctx.wrap_socket(raw, server_hostname="127.0.0.1") if ctx else raw
    body = b"hello from the page"
    sock.sendall(("POST %s?text HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: text/plain; charset=utf-8\r\n"
                  "Content-Length: %d\r\nConnection: close\r\nCookie: %s\r\n\r\n"
                  % (path, port, len(body), cookie)).encode() + body)
    with sock.makefile("rb") as f:
        data = f.read()
    sock.close()
    return data.split(b" ", 2)[1].decode() if data else ""


def test_all(d):
    home = os.path.join(d, "home")
    inbox = os.path.join(d, "inbox")
    os.makedirs(home)
    os.makedirs(inbox)
    p, link = start_ferry("--json", "--https", "--http-too", "--receive", inbox, env=env_for(home))
    try:
        events = start_events(p, "https-ca")
        m = re.match(r"https://127\.0\.0\.1:(\d+)(/.*)", link)
        check(m is not None and "https-ca" in events, "an https receive link and the CA's page (%s)" % link)
        if m is None or "https-ca" not in events:
            return verdict()
        port, path = int(m.group(1)), m.group(2)
        crt = os.path.join(d, "ca.crt")
        run(["curl", "-sS", "--max-time", "10", "-o", crt, events["https-ca"]["page"] + ".crt"])
        ca = os.path.join(d, "ca.pem")
        run(["openssl", "x509", "-inform", "DER", "-in", crt, "-out", ca])
        tls = ssl.create_default_context(cafile=ca)

        # --- a device new over https -------------------------------------------------------
        a = Page(port, path, tls)
        key_a = a.cookie("__Secure-ferry_device")
        check(a.status == "200" and len(a.cookies) == 1 and key_a and "; Secure" in a.cookies[0]
              and "HttpOnly" in a.cookies[0], "over https: __Secure-ferry_device, Secure, HttpOnly (%s)" % a.cookies)
        check(a.device is not None, "over https: the stream says hello with the device's id")
        again = Page(port, path, tls, "__Secure-ferry_device=%s" % key_a)
        check(again.device == a.device and again.cookie("__Secure-ferry_device") == key_a,
              "its cookie back over https: the same device, the same key")
        check(post_text(port, path, tls, "__Secure-ferry_device=%s" % key_a) == "200",
              "text posted over https with it: 200")
        for s in (a, again):
            s.close()

        # --- a device new over http ----------------------------------------------------------
        b = Page(port, path)
        key_b = b.cookie("ferry_device")
        check(b.status == "200" and len(b.cookies) == 1 and key_b and "Secure" not in b.cookies[0],
              "over http: ferry_device, not Secure (%s)" % b.cookies)
        other = Page(port, path, None, "__Secure-ferry_device=%s" % key_a)
        check(other.device not in (None, a.device), "an https cookie sent over http names no device")
        other.close()
        check(post_text(port, path, None, "__Secure-ferry_device=%s" % key_a) == "409",
              "nor for text posted over http (409)")
        check(post_text(port, path, tls, "ferry_device=%s" % key_b) == "409",
              "a plain cookie is not read for text over https (409)")

        # --- the http device comes over https: one device, a new key -----------------------------
        moved = Page(port, path, tls, "ferry_device=%s" % key_b)
        key_moved = moved.cookie("__Secure-ferry_device")
        check(moved.device == b.device, "the http device over https is the same device (%s, %s)"
              % (b.device, moved.device))
        check(key_moved and key_moved != key_b and "; Secure" in moved.cookies[0],
              "under a new key, in a Secure cookie (%s)" % moved.cookies)
        check(any(c.startswith("ferry_device=;") and "Max-Age=0" in c for c in moved.cookies),
              "and its plain cookie is cleared (%s)" % moved.cookies)
        check(b.closed_by_server(), "its stream over http ends")
        b.close()
        back = Page(port, path, tls, "__Secure-ferry_device=%s" % key_moved)
        check(back.device == b.device and len(back.cookies) == 1, "the new key opens it over https")
        old = Page(port, path, None, "ferry_device=%s" % key_b)
        check(old.device not in (None, b.device), "the old key, seen in the clear, opens it no more")
        for s in (moved, back, old):
            s.close()
        check(p.poll() is None, "the server is still running")
    finally:
        stop(p)
    return verdict()


if __name__ == "__main__":
    sys.exit(tls_testlib.main(test_all, "ferry-tls-nearby-", probe_args=("--https",)))
