#!/usr/bin/env python3
"""OCSP stapling for the user's certificate.

A test CA issues a certificate whose Authority Information Access names an
OCSP responder on 127.0.0.1; the responder is a small HTTP server here whose
every answer is made by `openssl ocsp` from the CA's index (valid one
minute). `ferry --headless --json --tls-cert` asks the responder on its own,
says so, and `openssl s_client -status` then sees a verified "good" answer
stapled to the handshake. The CA then revokes the certificate: Ferry asks
again before the answer's nextUpdate, says the certificate is revoked and
staples nothing from then on. A certificate without a responder never gets a
staple.

Exit status 77 (skipped) when the build has no TLS.
"""

import http.server
import os
import sys
import threading

import tls_testlib
from tls_testlib import Events, check, issue, make_ca, run, start_ferry, stop, verdict

VALID_MINUTES = "1"  # each answer's nextUpdate: Ferry asks again within half of it


class Responder:
    """An OCSP responder on 127.0.0.1: each POSTed request is answered by
    `openssl ocsp -index` (the CA's own responder), one process per request."""

    def __init__(self, d):
        self.d = d
        self.asked = 0
        self.lock = threading.Lock()
        responder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with responder.lock:
                    responder.asked += 1
                    n = responder.asked
                req = os.path.join(d, "req%d.der" % n)
                resp = os.path.join(d, "resp%d.der" % n)
                with open(req, "wb") as f:
                    f.write(body)
                r = run(["openssl", "ocsp", "-index", "index.txt", "-CA", "ca.crt", "-rsigner", "ca.crt",
                         "-rkey", "ca.key", "-reqin", req, "-respout", resp, "-nmin", VALID_MINUTES], cwd=d)
                if r.returncode != 0:
                    self.send_error(500)
                    return
                with open(resp, "rb") as f:
                    answer = f.read()
                self.send_response(200)
                self.send_header("Content-Type", "application/ocsp-response")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self):
        with self.lock:
            return self.asked

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def serial_and_end(d, crt):
    r = run(["openssl", "x509", "-in", crt, "-noout", "-serial", "-enddate"], cwd=d)
    lines = dict(l.split("=", 1) for l in r.stdout.decode().split("\n") if "=" in l)
    return lines["serial"].strip(), lines["notAfter"].strip()


def write_index(d, serial, revoked):
    """The CA's index as `openssl ca` keeps it: V (valid) or R (revoked)."""
    expiry = "301231000000Z"
    with open(os.path.join(d, "index.txt"), "w") as f:
        if revoked:
            f.write("R\t%s\t261201000000Z\t%s\tunknown\t/CN=ocsp\n" % (expiry, serial))
        else:
            f.write("V\t%s\t\t%s\tunknown\t/CN=ocsp\n" % (expiry, serial))



def status_of(d, port):
    """What `openssl s_client -status` shows of the stapled answer."""
    r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-servername", "localhost", "-status",
             "-CAfile", "ca.crt", "-verify_return_error"], cwd=d, input=b"")
    return r.stdout.decode(errors="replace")


def env_without_proxy():
    # The responder is on 127.0.0.1; a proxy in the environment would be used for it.
    env = dict(os.environ)
    for k in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        env.pop(k, None)
    return env


def test_all(d):
    make_ca(d)
    responder = Responder(d)
    try:
        issue(d, "ocsp", "ocsp", extra="authorityInfoAccess=OCSP;URI:http://127.0.0.1:%d/\n" % responder.port)
        issue(d, "plain", "plain")
        with open(os.path.join(d, "chain.crt"), "w") as out:
            for name in ("ocsp.crt", "ca.crt"):
                out.write(open(os.path.join(d, name)).read())
        serial, _ = serial_and_end(d, "ocsp.crt")
        write_index(d, serial, revoked=False)
        with open(os.path.join(d, "f.txt"), "w") as f:
            f.write("stapled\n")

        p, link = start_ferry("--json", "--tls-cert", "chain.crt", "--tls-key", "ocsp.key", "f.txt", cwd=d,
                              env=env_without_proxy())
        events = Events(p.stderr)
        port = int(link.split(":")[2].split("/")[0])
        try:
            good = events.wait(lambda e: e["event"] == "certificate" and "certificate is good" in e["message"], 30)
            check(bool(good), "Ferry asked the certificate's responder and said so")
            check(responder.count() >= 1, "the responder was asked (%d time(s))" % responder.count())
            out = status_of(d, port)
            check("OCSP Response Status: successful" in out, "s_client -status gets a stapled OCSP response")
            check("Cert Status: good" in out, "the stapled answer says the certificate is good")
            check("Verify return code: 0 (ok)" in out, "the chain verifies against the test CA")
            asked = responder.count()

            # The CA revokes the certificate: the next answer (due within
            # half a minute) says so, and nothing is stapled after it.
            write_index(d, serial, revoked=True)
            revoked = events.wait(lambda e: e["event"] == "certificate" and "is revoked" in e["message"], 60)
            check(bool(revoked), "Ferry asked again before nextUpdate and said the certificate is revoked")
            check(responder.count() > asked, "the responder was asked again (%d time(s))" % responder.count())
            check(bool(revoked) and revoked.get("failed") is True, "the revoked sentence is marked as a failure")
            out = status_of(d, port)
            check("OCSP response: no response sent" in out, "a revoked certificate gets no staple")
            check("Cert Status: revoked" not in out and "Cert Status: good" not in out,
                  "no answer at all is stapled after the revocation")
        finally:
            stop(p)

        # A certificate without a responder: nothing asked, nothing stapled.
        asked = responder.count()
        p, link = start_ferry("--tls-cert", "plain.crt", "--tls-key", "plain.key", "f.txt", cwd=d,
                              env=env_without_proxy())
        port = int(link.split(":")[2].split("/")[0])
        try:
            out = status_of(d, port)
            check("OCSP response: no response sent" in out, "a certificate naming no responder gets no staple")
            check("Verify return code: 0 (ok)" in out, "and serves as before")
            check(responder.count() == asked, "and no responder was asked")
        finally:
            stop(p)
    finally:
        responder.close()
    return verdict()


if __name__ == "__main__":
    sys.exit(tls_testlib.main(test_all, "ferry-tls-ocsp-"))
