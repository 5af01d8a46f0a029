#!/usr/bin/env python3
"""HTTPS with Ferry's own CA (--https), over real sockets with real clients.

Runs `ferry --headless --https --json` on 127.0.0.1 with a data folder of its
own, and checks what a device would: the install page, the certificate and
the iOS profile over plain HTTP on the same port (the certificate's SHA-256
is the fingerprint the run announces), curl trusting that certificate alone
downloading over https, the CA's name constraint and key file mode, the
server certificate's names, plain HTTP elsewhere redirected, the CA kept
across runs, and the sentences for what cannot serve.

Exit status 77 (skipped) when the build has no TLS.
"""

import hashlib
import json
import os
import plistlib
import re
import shutil
import stat
import sys

import tls_testlib
from tls_testlib import FERRY, check, env_for, run, sha256_file, stop, verdict


def start_ferry(home, *args):
    """Starts a headless run; returns it, its link and its https-ca event."""
    p, link = tls_testlib.start_ferry("--json", *args, env=env_for(home))
    event = None
    # The events of the start come in one go, right after the links.
    while event is None:
        line = p.stderr.readline().decode()
        if not line:
            break
        e = json.loads(line)
        if e["event"] == "https-ca":
            event = e
        elif e["event"] == "serving" and "--https" not in args:
            break
    return p, link, event


def test_all(d):
    home = os.path.join(d, "home")
    os.makedirs(home)
    data = os.path.join(home, "data", "ferry", "https")
    shared = os.path.join(d, "report.bin")
    with open(shared, "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024 + 77))
    want = sha256_file(shared)

    server, link, event = start_ferry(home, "--https", shared)
    try:
        check(link.startswith("https://127.0.0.1:"), "the link is https (%s)" % link)
        check(event is not None, "--json announces the CA (https-ca event)")
        port = int(re.match(r"https://127\.0\.0\.1:(\d+)/", link).group(1))
        page = event["page"] if event else ""
        check(page == "http://127.0.0.1:%d/ferry-ca" % port, "the install page is plain http on the same port (%s)" % page)

        # --- the install page, certificate and profile over plain HTTP --------------
        r = run(["curl", "-sS", "-i", "--max-time", "10", page])
        text = r.stdout.decode(errors="replace")
        check(text.startswith("HTTP/1.1 200") and "text/html" in text, "GET /ferry-ca over http: 200 html")
        fingerprint = event["fingerprint"] if event else "?"
        check(fingerprint in text, "the page shows the fingerprint the run announced")
        check(re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", fingerprint) is not None,
              "the fingerprint is 32 bytes in hex pairs (%s)" % fingerprint)
        crt = os.path.join(d, "ferry-ca.crt")
        r = run(["curl", "-sS", "--max-time", "10", "-D", "-", "-o", crt, page + ".crt"])
        head = r.stdout.decode(errors="replace")
        check("application/x-x509-ca-cert" in head, "the certificate is served as application/x-x509-ca-cert")
        der = open(crt, "rb").read()
        got = ":".join("%02X" % b for b in hashlib.sha256(der).digest())
        check(got == fingerprint, "the certificate's SHA-256 is the fingerprint announced")
        pem = os.path.join(d, "ca.pem")
        r = run(["openssl", "x509", "-inform", "DER", "-in", crt, "-out", pem])
        check(r.returncode == 0, "the certificate is DER that openssl reads")
        text = run(["openssl", "x509", "-in", pem, "-noout", "-text"]).stdout.decode()
        check("CA:TRUE" in text and "prime256v1" in text, "the CA is an ECDSA P-256 CA")
        check(re.search(r"X509v3 Name Constraints: critical\s+Permitted:", text) is not None
              and "IP:192.168.0.0/255.255.0.0" in text and "DNS:local" in text,
              "the CA carries a critical name constraint (private addresses, .local)")
        r = run(["curl", "-sS", "--max-time", "10", page + ".mobileconfig"])
        try:
            profile = plistlib.loads(r.stdout)
            payload = profile["PayloadContent"][0]
            check(payload["PayloadType"] == "com.apple.security.root" and payload["PayloadContent"] == der,
                  "the iOS profile is a plist carrying the same certificate as a root payload")
        except Exception as e:  # noqa: BLE001 - any parse failure is the finding
            check(False, "the iOS profile parses as a plist (%s)" % e)
        r = run(["curl", "-sS", "-i", "--max-time", "10", link.replace("https://", "http://", 1)])
        check(r.stdout.startswith(b"HTTP/1.1 302"), "plain HTTP to a link (not the CA page) is redirected to https")

        # --- trusting the CA, a client downloads over https -------------------------------
        out = os.path.join(d, "got.bin")
        r = run(["curl", "-sS", "--cacert", pem, "-o", out, link])
        check(r.returncode == 0 and sha256_file(out) == want, "curl trusting only Ferry's CA: the file over https")
        r = run(["curl", "-sS", "-o", "/dev/null", link])
        check(r.returncode == 60, "curl without it refuses the certificate (exit %d)" % r.returncode)
        r = run(["curl", "-sS", "--cacert", pem, "-o", "/dev/null", "--resolve", "localhost:%d:127.0.0.1" % port,
                 link.replace("127.0.0.1", "localhost", 1)])
        check(r.returncode == 0, "the certificate names localhost too")
        r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-showcerts"], input=b"")
        served = r.stdout.decode(errors="replace")
        leaf = served[served.find("-----BEGIN CERTIFICATE-----"):served.find("-----END CERTIFICATE-----") + 25]
        leaf_text = run(["openssl", "x509", "-noout", "-text"], input=leaf.encode()).stdout.decode()
        check("IP Address:127.0.0.1" in leaf_text and "TLS Web Server Authentication" in leaf_text,
              "the server's certificate names 127.0.0.1, for server authentication")
        days = re.search(r"Not After : (.*)", leaf_text)
        check(days is not None, "the server's certificate has an end (%s)" % (days.group(1) if days else "?"))
        r = run(["openssl", "verify", "-CAfile", pem, "-x509_strict"], input=leaf.encode())
        check(r.returncode == 0, "openssl verify (name constraints checked): the chain holds (%s)"
              % r.stdout.decode().strip())

        mode = stat.S_IMODE(os.stat(os.path.join(data, "local-ca-key.pem")).st_mode)
        check(mode == 0o600, "the CA's key is readable by its owner only (%o)" % mode)
        check(server.poll() is None, "the server is still running")
    finally:
        stop(server)

    # --- the same CA next time ------------------------------------------------------------
    server, link, event = start_ferry(home, "--https", shared)
    try:
        check(event is not None and event["fingerprint"] == fingerprint, "a second run keeps the same CA")
        r = run(["curl", "-sS", "--cacert", pem, "-o", out, link])
        check(r.returncode == 0 and sha256_file(out) == want, "the device that trusted it once downloads again")
    finally:
        stop(server)

    # --- what cannot serve ---------------------------------------------------------------------
    def refused(*args, env_home=home):
        r = run([FERRY, "--headless", "--bind", "127.0.0.1", "--port", "0", *args, shared], env=env_for(env_home))
        return r.returncode, r.stderr.decode().strip()

    code, say = refused("--https", "--tls-cert", pem, "--tls-key", pem)
    check(code == 2 and "choose one" in say, "--https with --tls-cert: exit 2, one sentence (%s)" % say)
    other = os.path.join(d, "other")
    os.makedirs(os.path.join(other, "data", "ferry", "https"))
    shutil.copy(pem, os.path.join(other, "data", "ferry", "https", "local-ca-cert.pem"))
    code, say = refused("--https", env_home=other)
    check(code == 2 and "local-ca-cert.pem has no key beside it" in say,
          "a CA certificate without its key: exit 2, naming the file (%s)" % say)
    shutil.copy(os.path.join(data, "local-server-key.pem"), os.path.join(other, "data", "ferry", "https",
                                                                       "local-ca-key.pem"))
    code, say = refused("--https", env_home=other)
    check(code == 2 and "does not belong to Ferry's CA certificate" in say,
          "a CA key that is not the certificate's: exit 2, naming both files (%s)" % say)

    return verdict()


if __name__ == "__main__":
    sys.exit(tls_testlib.main(test_all, "ferry-localca-", probe_args=("--https",)))
