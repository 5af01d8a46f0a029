#!/usr/bin/env python3
"""HTTPS with the user's certificate, over real sockets with real clients.

Makes a CA and a leaf certificate with `openssl`, runs `ferry --headless
--tls-cert --tls-key` on 127.0.0.1, and checks what curl, wget, Python's ssl
and `openssl s_client` see: the bytes (sha256, a range, a resumed download),
the protocols accepted and refused, ALPN, plain HTTP sent to the TLS port, a
handshake that stalls, 2,500 clients that vanish mid-handshake (memory
flat), a garbage ClientHello, and the sentences (exit status 2) for a key
that cannot be read, a key that is not the certificate's, and an expired
certificate.

Exit status 77 (skipped) when the build has no TLS.
"""

import hashlib
import os
import random
import re
import shutil
import socket
import ssl
import sys
import threading
import time
import urllib.request

import tls_testlib
from tls_testlib import (FERRY, check, head_on, issue, make_ca, poll, run, sha256_file as sha256, start_ferry, stop,
                         verdict)

HEADER_TIMEOUT = 10.0  # HttpLimits::headerTimeout: what a stalled handshake gets


def make_certificates(d):
    make_ca(d)
    for name, days in (("leaf", "1"), ("expired", "-1")):
        issue(d, name, "127.0.0.1", days, san="IP:127.0.0.1,DNS:localhost")
    # A chain file (leaf then CA), as Let's Encrypt's fullchain.pem is.
    with open(os.path.join(d, "chain.crt"), "w") as f:
        f.write(open(os.path.join(d, "leaf.crt")).read() + open(os.path.join(d, "ca.crt")).read())


def client_hello_bytes():
    """The first flight of a real TLS client, without sending it anywhere."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(incoming, outgoing, server_side=False)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return outgoing.read()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def sanitized(pid):
    """Whether the process runs under ASan or TSan (their runtimes are mapped)."""
    with open("/proc/%d/maps" % pid) as f:
        return any("libasan" in l or "libtsan" in l for l in f)


def closed_within(sock, seconds):
    """Seconds until the server closed `sock` (EOF or reset), or None."""
    sock.settimeout(seconds)
    start = time.monotonic()
    try:
        while True:
            if not sock.recv(4096):
                return time.monotonic() - start
    except (ConnectionResetError, BrokenPipeError):
        return time.monotonic() - start
    except socket.timeout:
        return None


def test_all(d):
    make_certificates(d)
    ca = os.path.join(d, "ca.crt")
    big = os.path.join(d, "big.bin")
    with open(big, "wb") as f:
        f.write(random.randbytes(5 * 1024 * 1024 + 12345))
    want = sha256(big)

    # --- the sentences for certificates that cannot serve --------------------
    def refused(cert, key):
        r = run([FERRY, "--headless", "--bind", "127.0.0.1", "--port", "0", "--tls-cert", cert, "--tls-key", key, big],
                cwd=d)
        return r.returncode, r.stderr.decode().strip()

    code, say = refused("chain.crt", "no-such.key")
    check(code == 2 and "cannot read the key file no-such.key" in say, "a missing key: exit 2, one sentence (%s)" % say)
    code, say = refused("chain.crt", d)
    check(code == 2 and "cannot read the key file" in say, "a folder for a key: exit 2 (%s)" % say)
    code, say = refused("chain.crt", "expired.key")
    check(code == 2 and "does not belong to the certificate" in say, "a mismatched pair: exit 2 (%s)" % say)
    code, say = refused("expired.crt", "expired.key")
    check(code == 2 and "expired on" in say, "an expired certificate: exit 2 (%s)" % say)
    code, say = refused("leaf.key", "leaf.key")
    check(code == 2 and "no usable PEM certificate" in say, "a key given as certificate: exit 2 (%s)" % say)

    server, url = start_ferry("--tls-cert", "chain.crt", "--tls-key", "leaf.key", big, cwd=d)
    try:
        check(url.startswith("https://127.0.0.1:"), "the printed link is https (%s)" % url)
        port = int(re.match(r"https://127\.0\.0\.1:(\d+)/", url).group(1))

        # Stalled handshakes, started first: they end at the header deadline
        # while everything below runs.
        stalled = []
        for first in (b"", client_hello_bytes()[:20]):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(first)
            stalled.append((s, time.monotonic()))
        stall_results = [None, None]

        def wait_stalled(i, s, t0):
            stall_results[i] = (closed_within(s, HEADER_TIMEOUT + 10), t0)

        waiters = [threading.Thread(target=wait_stalled, args=(i, s, t0)) for i, (s, t0) in enumerate(stalled)]
        for w in waiters:
            w.start()

        # --- curl --------------------------------------------------------------
        out = os.path.join(d, "curl.bin")
        r = run(["curl", "-sS", "--cacert", ca, "-o", out, url])
        check(r.returncode == 0 and sha256(out) == want, "curl --cacert: the file's bytes (sha256)")
        r = run(["curl", "-sS", "--cacert", ca, "-r", "1000000-1999999", url])
        with open(big, "rb") as f:
            f.seek(1000000)
            check(r.returncode == 0 and r.stdout == f.read(1000000), "curl --cacert -r: a range's bytes")
        with open(big, "rb") as f, open(out, "wb") as part:
            part.write(f.read(1234567))
        r = run(["curl", "-sS", "--cacert", ca, "-C", "-", "-o", out, url])
        check(r.returncode == 0 and sha256(out) == want, "curl -C -: a resumed download completes the file")
        r = run(["curl", "-sS", "-o", "/dev/null", url])
        check(r.returncode == 60, "curl without the CA refuses the certificate (exit %d)" % r.returncode)
        r = run(["curl", "-sS", "-I", "--cacert", ca, "--http1.1", url])
        check(b"strict-transport-security" not in r.stdout.lower(), "no HSTS unless asked")

        # --- wget --------------------------------------------------------------
        if shutil.which("wget"):
            out = os.path.join(d, "wget.bin")
            r = run(["wget", "-q", "--ca-certificate", ca, "-O", out, url])
            check(r.returncode == 0 and sha256(out) == want, "wget --ca-certificate: the file's bytes (sha256)")

        # --- Python's ssl --------------------------------------------------------
        ctx = ssl.create_default_context(cafile=ca)
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        with urllib.request.urlopen(url, context=ctx, timeout=30) as resp:
            check(hashlib.sha256(resp.read()).hexdigest() == want, "Python urllib over ssl: the file's bytes")
        with socket.create_connection(("127.0.0.1", port)) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                check(tls.selected_alpn_protocol() == "http/1.1",
                      "ALPN: http/1.1 chosen over h2 (%s)" % tls.selected_alpn_protocol())
                check(tls.version() == "TLSv1.3", "Python's ssl gets TLS 1.3 (%s)" % tls.version())
                path = url.split(str(port), 1)[1]
                # Two requests on one connection: keep-alive works over TLS.
                for _ in range(2):
                    check(head_on(tls, path).startswith(b"HTTP/1.1 200"), "keep-alive HEAD over TLS: 200")

        # --- openssl s_client: protocols -------------------------------------------
        def s_client(*args):
            return run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", ca, *args],
                       input=b"")

        for proto in ("-tls1", "-tls1_1"):
            r = s_client(proto, "-cipher", "DEFAULT:@SECLEVEL=0")
            text = (r.stdout + r.stderr).decode(errors="replace")
            check(r.returncode != 0 and "alert protocol version" in text, "openssl s_client %s is refused by the server" % proto)
        for proto, name in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
            r = s_client(proto, "-alpn", "http/1.1")
            text = r.stdout.decode(errors="replace")
            check("Protocol  : " + name in text or ("New, " + name) in text, "openssl s_client %s is accepted" % proto)
            check("ALPN protocol: http/1.1" in text, "openssl s_client %s: ALPN http/1.1" % proto)
            check("Verify return code: 0 (ok)" in text, "openssl s_client %s: the chain verifies" % proto)
        r = s_client("-tls1_2", "-cipher", "AES128-SHA")
        check(r.returncode != 0, "TLS 1.2 without ECDHE (AES128-SHA) is refused")
        r = s_client("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA")
        check(r.returncode != 0, "TLS 1.2 CBC (ECDHE-ECDSA-AES128-SHA) is refused")
        # A resumed session: the ticket from one connection opens the next.
        sess = os.path.join(d, "sess.pem")
        s_client("-tls1_2", "-sess_out", sess)
        r = s_client("-tls1_2", "-sess_in", sess)
        check(b"Reused, TLSv1.2" in r.stdout, "TLS 1.2 sessions resume")
        # Without a ticket, by session ID from the server's cache (a client
        # that hung up first leaves its session there).
        s_client("-tls1_2", "-no_ticket", "-sess_out", sess)
        r = s_client("-tls1_2", "-no_ticket", "-sess_in", sess)
        check(b"Reused, TLSv1.2" in r.stdout, "TLS 1.2 sessions resume by session ID (-no_ticket)")

        # --- plain HTTP to the TLS port ------------------------------------------------
        plain = url.replace("https://", "http://", 1) + "?x=1"
        r = run(["curl", "-sS", "-i", "--max-time", "10", plain])
        text = r.stdout.decode(errors="replace")
        check(text.startswith("HTTP/1.1 302") and ("Location: " + url + "?x=1\r\n") in text,
              "plain HTTP to the TLS port: 302 to the https URL, path and query kept")
        r = run(["curl", "-sS", "-i", "--max-time", "10", "-H", "Host: evil.example", plain])
        text = r.stdout.decode(errors="replace")
        check(text.startswith("HTTP/1.1 400") and "Location" not in text,
              "plain HTTP with a Host we do not answer for: 400, no redirect")
        r = run(["curl", "-sS", "-L", "--cacert", ca, "-o", os.path.join(d, "follow.bin"), "--max-time", "30",
                 url.replace("https://", "http://", 1)])
        check(r.returncode == 0 and sha256(os.path.join(d, "follow.bin")) == want,
              "curl -L from the http:// link ends with the file over https")

        # --- clients that vanish, garbage ------------------------------------------------
        hello = client_hello_bytes()
        fds = lambda: len(os.listdir("/proc/%d/fd" % server.pid))
        idle_fds = fds()

        def vanish(n):
            # Waits until the server has closed each of them (its descriptors
            # back to what they were), so what it holds after is measured.
            vanished = []
            for i in range(n):
                s = socket.create_connection(("127.0.0.1", port))
                s.sendall(hello[: random.randint(1, len(hello))] if i % 2 else hello)
                if i % 3 == 0:  # a reset instead of a FIN
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                vanished.append(s)
            for s in vanished:
                s.close()
            return poll(lambda: fds() <= idle_fds, 20)

        # Clients that open TLS and vanish: a first 500 bring the allocator
        # to its working size, the next 2,000 must not grow it. malloc's
        # heap moves in steps of about 2 MiB either way; a connection kept
        # would hold at least its SSL object (7 KiB or more), so 6 MiB over
        # 2,000 (3 KiB each) stays well below what any leak per client adds.
        check(vanish(500), "500 clients that vanish mid-handshake are all closed")
        before = rss_kib(server.pid)
        check(all(vanish(500) for _ in range(4)), "2,000 more are all closed")
        grown = rss_kib(server.pid) - before
        if sanitized(server.pid):
            print("(memory not compared: a sanitizer's quarantine keeps freed memory)")
        else:
            check(grown < 6144, "memory stays flat over 2,000 more vanished clients (%+d KiB)" % grown)
        for garbage in (b"\x16\x03\x01\x00\x20" + os.urandom(32), b"\x16" + os.urandom(3000),
                        b"\x16\x03\x03\xff\xff" + b"\x01" * 64):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(garbage)
            t = closed_within(s, 5)
            check(t is not None and t < 2, "a garbage ClientHello (%r...) is closed at once" % garbage[:5])
            s.close()
        r = run(["curl", "-sS", "--cacert", ca, "-o", out, url])
        check(r.returncode == 0 and sha256(out) == want, "after 2,500 vanished clients and garbage, downloads still work")

        # --- the stalled handshakes -----------------------------------------------------
        for w in waiters:
            w.join()
        for (took, t0), what in zip(stall_results, ("no byte at all", "half a ClientHello")):
            # closed_within started right after the connect: `took` is the time to the close.
            check(took is not None and HEADER_TIMEOUT - 0.5 <= took <= HEADER_TIMEOUT + 3,
                  "a handshake that stalls (%s) is closed at its deadline (after %.1f s)" % (what, took or -1))
        check(server.poll() is None, "the server is still running")
    finally:
        stop(server)

    # --- the password gate's cookie is Secure over TLS, HSTS when asked ---------------------
    pw = os.path.join(d, "pw")
    with open(pw, "w") as f:
        f.write("right\n")
    server, link = start_ferry("--tls-cert", "chain.crt", "--tls-key", "leaf.key", "--hsts",
                               "--password-file", pw, big, cwd=d)
    try:
        r = run(["curl", "-sS", "-i", "--cacert", ca, "-d", "password=right", link])
        text = r.stdout.decode(errors="replace")
        cookie = [l for l in text.split("\r\n") if l.lower().startswith("set-cookie:")]
        check(len(cookie) == 1 and "; Secure" in cookie[0], "the session cookie is Secure over TLS (%s)" % cookie)
        check("Strict-Transport-Security: max-age=31536000" in text, "--hsts: Strict-Transport-Security is sent")
        r = run(["curl", "-sS", "--cacert", ca, "-H", "Accept: text/html", link])
        check(b"The password travels encrypted" in r.stdout, "the password page says the password travels encrypted")
    finally:
        stop(server)

    return verdict()


if __name__ == "__main__":
    sys.exit(tls_testlib.main(test_all, "ferry-tls-"))
