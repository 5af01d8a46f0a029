#!/usr/bin/env python3
"""A renewed certificate while serving, and session ticket keys that rotate.

Runs `ferry --headless --json --tls-cert --tls-key` on 127.0.0.1 and replaces
the two files as a renewal does (new files renamed over the old): new
connections get the new certificate within a few seconds, a keep-alive
connection opened before goes on answering, and the run says so. A key that
does not belong to the certificate leaves the one before serving, with a
sentence naming the key file. Then, with ticket keys that rotate every 3
seconds (FERRY_TLS_TICKET_ROTATION), `openssl s_client` shows a ticket made
with the current key resuming, one made with the previous key still
resuming, and one two rotations old refused (a full handshake).

Exit status 77 (skipped) when the build has no TLS.
"""

import os
import re
import shutil
import socket
import ssl
import sys
import time

import tls_testlib
from tls_testlib import Events, check, head_on, issue, make_ca, poll, run, start_ferry, stop, verdict

ROTATION = 3  # seconds, through FERRY_TLS_TICKET_ROTATION


def make_certificates(d):
    make_ca(d)
    for name in ("first", "second", "stray"):
        issue(d, name, name)


def replace(d, src, dst):
    """As a renewal writes a file: a new file renamed over the old one."""
    shutil.copy(os.path.join(d, src), os.path.join(d, dst + ".tmp"))
    os.replace(os.path.join(d, dst + ".tmp"), os.path.join(d, dst))



def served_cn(port, ca):
    ctx = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return dict(x[0] for x in tls.getpeercert()["subject"])["commonName"]


def test_all(d):
    make_certificates(d)
    ca = os.path.join(d, "ca.crt")
    replace(d, "first.key", "key.pem")
    replace(d, "first.crt", "cert.pem")
    shared = os.path.join(d, "file.bin")
    with open(shared, "wb") as f:
        f.write(os.urandom(100000))
    env = dict(os.environ, FERRY_TLS_TICKET_ROTATION=str(ROTATION))
    server, link = start_ferry("--json", "--tls-cert", "cert.pem", "--tls-key", "key.pem", shared, cwd=d, env=env)
    try:
        events = Events(server.stderr)
        m = re.match(r"https://127\.0\.0\.1:(\d+)(/.*)", link)
        if not m:
            check(False, "ferry printed an https link (%r)" % link)
            return 1
        port, path = int(m.group(1)), m.group(2)
        check(served_cn(port, ca) == "first", "the first certificate serves")

        # A keep-alive connection opened before the renewal.
        ctx = ssl.create_default_context(cafile=ca)
        before = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                                 server_hostname="127.0.0.1")
        check(head_on(before, path).startswith(b"HTTP/1.1 200"), "a keep-alive connection: 200")

        # --- a renewal: key, then certificate ----------------------------------------
        replace(d, "second.key", "key.pem")
        replace(d, "second.crt", "cert.pem")
        got = poll(lambda: served_cn(port, ca) == "second", 10)
        check(got, "new connections get the renewed certificate, without a restart")
        e = events.wait(lambda e: e["event"] == "certificate" and not e["failed"], 5)
        check(e is not None and "loaded again from cert.pem" in e["message"],
              "the run says the certificate was loaded again (%s)" % (e and e["message"]))
        check(head_on(before, path).startswith(b"HTTP/1.1 200"),
              "the connection opened before the renewal still answers")
        before.close()

        # --- a key that does not belong: the one before keeps serving ------------------
        replace(d, "stray.key", "key.pem")
        e = events.wait(lambda e: e["event"] == "certificate" and e["failed"], 10)
        check(e is not None and "the one before still serves" in e["message"] and "key.pem" in e["message"],
              "a mismatched key: a sentence naming the key file (%s)" % (e and e["message"]))
        check(served_cn(port, ca) == "second", "and the certificate before still serves")
        r = run(["curl", "-sS", "--cacert", ca, "-o", "/dev/null", "-w", "%{http_code}", link])
        check(r.stdout == b"200", "downloads go on")
        replace(d, "second.key", "key.pem")
        reloads = lambda: sum(1 for e in list(events.lines) if e["event"] == "certificate" and not e["failed"])
        check(poll(lambda: reloads() >= 2, 10), "the matching key back: loaded again")

        # --- ticket keys rotate ---------------------------------------------------------------
        def s_client(*args):
            r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-tls1_2", "-CAfile", ca, *args],
                    input=b"")
            return r.stdout.decode(errors="replace")

        def ticket_key_name(sess):
            text = run(["openssl", "sess_id", "-in", sess, "-noout", "-text"]).stdout.decode()
            m = re.search(r"TLS session ticket:\s*\n\s*0000 - ([0-9a-f -]+?)\s{2}", text)
            return m.group(1).replace(" ", "").replace("-", "")[:32] if m else None

        a, b = os.path.join(d, "a.pem"), os.path.join(d, "b.pem")
        s_client("-sess_out", a)
        name_a = ticket_key_name(a)
        check(name_a is not None, "a TLS 1.2 session carries a ticket")
        check("Reused, TLSv1.2" in s_client("-sess_in", a), "a ticket sealed with the current key resumes")
        # Until the key moves on: new tickets carry another key's name.
        rotated = poll(lambda: s_client("-sess_out", b) and ticket_key_name(b) not in (None, name_a), 3 * ROTATION)
        check(rotated, "after %d s new tickets are sealed with a new key" % ROTATION)
        check("Reused, TLSv1.2" in s_client("-sess_in", a), "a ticket sealed with the previous key still resumes")
        t0 = time.monotonic()
        gone = poll(lambda: "New, TLSv1.2" in s_client("-sess_in", a), 3 * ROTATION)
        check(gone, "a ticket two rotations old gets a full handshake (after %.1f s more)" % (time.monotonic() - t0))
        check(server.poll() is None, "the server is still running")
    finally:
        stop(server)

    return verdict()


if __name__ == "__main__":
    sys.exit(tls_testlib.main(test_all, "ferry-reload-"))
