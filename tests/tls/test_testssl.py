#!/usr/bin/env python3
"""testssl.sh against Ferry's HTTPS, on 127.0.0.1.

Runs `ferry --headless --https` with a data folder of its own and points
testssl.sh (Debian package `testssl.sh`, command `testssl`) at it, reading its
JSON findings. By default only the quick checks: the protocols offered (no
SSL 2/3, no TLS 1.0/1.1; TLS 1.2 and 1.3 offered) and the cipher categories
(no NULL, anonymous, export, LOW, 3DES/IDEA or CBC ciphers; AEAD offered).
With --full (scripts/bench.sh testssl) also the server's defaults and cipher
order, the HTTP headers and the known vulnerabilities, which take minutes.
Either way no finding about the server's configuration may be HIGH or
CRITICAL. testssl is given Ferry's CA (--add-ca), as a device that installed
it has it; what it says of the certificate's design (valid 14 days, no CRL or
OCSP address: a local CA has neither) is printed, not counted.

Exit status 77 (skipped) when testssl is not installed or the build has no TLS.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from tls_testlib import FERRY, check, env_for, start_ferry, stop, verdict

# Findings about the certificate Ferry's CA issues by design, not about the
# server's configuration: it lives 14 days (issued again after 7), and a CA
# on one computer publishes no revocation list or OCSP responder.
BY_DESIGN = {"cert_expirationStatus", "cert_notAfter", "cert_revocation"}


def main():
    full = "--full" in sys.argv[1:]
    testssl = shutil.which("testssl") or shutil.which("testssl.sh")
    if not testssl:
        print("testssl is not installed (Debian: apt-get install testssl.sh): skipped")
        return 77
    probe = subprocess.run([FERRY, "--headless", "--https", "--port", "0", "nothing"], capture_output=True, timeout=30)
    if b"not available in this build" in probe.stderr:
        print("this build has no TLS: skipped")
        return 77
    d = tempfile.mkdtemp(prefix="ferry-testssl-")
    try:
        return run_against_ferry(d, testssl, full)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run_against_ferry(d, testssl, full):
    env = env_for(d)
    shared = os.path.join(d, "index.html")
    with open(shared, "w") as f:
        f.write("<!doctype html><title>x</title>\n")
    server, link = start_ferry("--https", shared, env=env, stderr=subprocess.DEVNULL)
    try:
        m = re.match(r"https://127\.0\.0\.1:(\d+)/", link)
        if not m:
            check(False, "ferry printed an https link (%r)" % link)
            return 1
        report = os.path.join(d, "testssl.json")
        checks = ["--protocols", "--std", "--fast"]
        if full:
            checks = ["--protocols", "--std", "--server-defaults", "--server-preference", "--headers", "--vulnerable"]
        # The link's URL, so that --headers asks for a page that exists.
        ca = os.path.join(d, "data", "ferry", "https", "local-ca-cert.pem")
        r = subprocess.run([testssl, "--quiet", "--color", "0", "--warnings", "off", "--ip", "one",
                            "--add-ca", ca, "--jsonfile", report, *checks, link],
                           capture_output=True, timeout=1800, env=env)
        print(r.stdout.decode(errors="replace"))
        try:
            findings = json.load(open(report))
        except (OSError, ValueError) as e:
            check(False, "testssl wrote its findings (%s; exit %d)" % (e, r.returncode))
            return 1
        by_id = {f["id"]: f["finding"] for f in findings}

        for proto in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
            check(by_id.get(proto, "").startswith("not offered"), "%s not offered (%s)" % (proto, by_id.get(proto)))
        for proto in ("TLS1_2", "TLS1_3"):
            check(by_id.get(proto, "").startswith("offered"), "%s offered (%s)" % (proto, by_id.get(proto)))
        # CBC ciphers are "AVERAGE" in testssl 3.0, "OBSOLETED" in 3.2.
        cbc = "cipherlist_OBSOLETED" if "cipherlist_OBSOLETED" in by_id else "cipherlist_AVERAGE"
        for cat in ("cipherlist_NULL", "cipherlist_aNULL", "cipherlist_EXPORT", "cipherlist_LOW",
                    "cipherlist_3DES_IDEA", cbc):
            check(by_id.get(cat, "").startswith("not offered"), "%s: not offered (%s)" % (cat, by_id.get(cat)))
        check(by_id.get("cipherlist_STRONG", "").startswith("offered"),
              "strong (AEAD) ciphers offered (%s)" % by_id.get("cipherlist_STRONG"))
        for f in findings:
            if f["id"] in BY_DESIGN and f.get("severity") in ("HIGH", "CRITICAL"):
                print("note %s (%s): %s, by design of Ferry's own CA" % (f["id"], f["severity"], f["finding"]))
        bad = [f for f in findings if f.get("severity") in ("HIGH", "CRITICAL") and f["id"] not in BY_DESIGN]
        check(not bad, "no HIGH or CRITICAL finding (%s)" % "; ".join("%s: %s" % (f["id"], f["finding"]) for f in bad))
        check(server.poll() is None, "the server is still running")
    finally:
        stop(server)
    return verdict()


if __name__ == "__main__":
    sys.exit(main())
