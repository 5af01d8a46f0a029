#!/usr/bin/env python3
"""HTTPS and plain HTTP on one port (--https --http-too), with real curl.

Runs `ferry --headless --json --https --http-too` on 127.0.0.1 and checks
what a phone with Ferry's CA (https) and one without it (http) would see on
the same port: both get the file's bytes; plain HTTP is answered, not
redirected; the password gate keeps one session per scheme: the https
cookie is `__Secure-` and Secure (never sent in the clear), the http one is
another name (browsers refuse an http page's cookie that would replace a
Secure one of the same name, so one name would make a login over http
after one over https never stick), and neither scheme's cookie opens the
other; the password page over http points to the same link over https.
Also the option's refusals on the command line.

Exit status 77 (skipped) when the build has no TLS.
"""

import os
import re
import sys

import tls_testlib
from tls_testlib import (FERRY, check, env_for, head_and_body, run, set_cookies, sha256_file, start_events,
                         start_ferry, stop, verdict)


def test_all(d):
    home = os.path.join(d, "home")
    os.makedirs(home)
    env = env_for(home)

    # --- what the command line refuses -------------------------------------------------------
    r = run([FERRY, "--headless", "--http-too", "--port", "0", "x"], env=env)
    check(r.returncode == 2 and b"--http-too is about HTTPS" in r.stderr,
          "--http-too without HTTPS: exit 2 and a sentence (%r)" % r.stderr[-120:])
    r = run([FERRY, "--headless", "--https", "--http-too", "--hsts", "--port", "0", "x"], env=env)
    check(r.returncode == 2 and b"choose one" in r.stderr, "--http-too with --hsts: exit 2 and a sentence")

    shared = os.path.join(d, "report.bin")
    with open(shared, "wb") as f:
        f.write(os.urandom(2 * 1024 * 1024 + 5))
    want = sha256_file(shared)
    pw = os.path.join(d, "pw")
    with open(pw, "w") as f:
        f.write("right\n")

    p, link = start_ferry("--json", "--https", "--http-too", "--password-file", pw, shared, env=env)
    try:
        events = start_events(p, "plain-link")
        check(link.startswith("https://127.0.0.1:"), "stdout's link is https (%s)" % link)
        plain = events.get("plain-link", {}).get("url", "")
        check(plain == link.replace("https://", "http://", 1), "--json gives the same link over http (%s)" % plain)
        check("https-ca" in events, "the CA's page is announced as before")
        token = re.match(r"https://[^/]+/([^/]+)/", link).group(1)

        crt = os.path.join(d, "ca.crt")
        run(["curl", "-sS", "--max-time", "10", "-o", crt, events["https-ca"]["page"] + ".crt"])
        ca = os.path.join(d, "ca.pem")
        run(["openssl", "x509", "-inform", "DER", "-in", crt, "-out", ca])

        # --- both schemes on one port, no redirect --------------------------------------------
        out = os.path.join(d, "got.bin")
        r = run(["curl", "-sS", "--max-time", "30", "-u", ":right", "-o", out, "-w", "%{http_code}", plain])
        check(r.stdout == b"200" and sha256_file(out) == want, "curl over http: 200 and the file's bytes")
        r = run(["curl", "-sS", "--max-time", "30", "--cacert", ca, "-u", ":right", "-o", out, "-w",
                 "%{http_code}", link])
        check(r.stdout == b"200" and sha256_file(out) == want, "curl over https, same port: 200 and the bytes")
        r = run(["curl", "-sS", "-i", "--max-time", "10", "-r", "0-99", "-u", ":right", plain])
        check(r.stdout.startswith(b"HTTP/1.1 206") and b"Location:" not in r.stdout,
              "a Range over http is answered (206), not redirected")

        # --- the password gate: a session per scheme ------------------------------------------
        jar = os.path.join(d, "jar")
        r = run(["curl", "-sS", "-i", "--cacert", ca, "-c", jar, "-b", jar, "-d", "password=right", link])
        head, _ = head_and_body(r.stdout)
        cookies = set_cookies(head)
        check(head.startswith("HTTP/1.1 303") and len(cookies) == 1
              and cookies[0].startswith("__Secure-ferry-%s=" % token) and "; Secure" in cookies[0],
              "the password over https: a __Secure- cookie, Secure (%s)" % cookies)
        secure_value = cookies[0].split(";")[0].split("=", 1)[1] if cookies else ""
        r = run(["curl", "-sS", "-o", out, "-w", "%{http_code}", "--cacert", ca, "-b", jar, link])
        check(r.stdout == b"200" and sha256_file(out) == want, "its session opens the link over https")
        r = run(["curl", "-sS", "-o", os.devnull, "-w", "%{http_code}", "-b", jar, plain])
        check(r.stdout == b"401", "the https session is not sent over http: the password is asked (%s)" % r.stdout)
        r = run(["curl", "-sS", "-o", os.devnull, "-w", "%{http_code}", "-H",
                 "Cookie: __Secure-ferry-%s=%s" % (token, secure_value), plain])
        check(r.stdout == b"401", "an https session sent over http anyway does not open it (%s)" % r.stdout)

        r = run(["curl", "-sS", "-i", "-c", jar, "-b", jar, "-d", "password=right", plain])
        head, _ = head_and_body(r.stdout)
        cookies = set_cookies(head)
        check(head.startswith("HTTP/1.1 303") and len(cookies) == 1
              and cookies[0].startswith("ferry-%s=" % token) and "Secure" not in cookies[0],
              "the password over http: its own cookie, not Secure (%s)" % cookies)
        plain_value = cookies[0].split(";")[0].split("=", 1)[1] if cookies else ""
        r = run(["curl", "-sS", "-o", out, "-w", "%{http_code}", "-b", jar, plain])
        check(r.stdout == b"200" and sha256_file(out) == want,
              "the jar (holding the https one too) keeps it: the link opens over http (%s)" % r.stdout)
        r = run(["curl", "-sS", "-o", os.devnull, "-w", "%{http_code}", "--cacert", ca, "-b", jar, link])
        check(r.stdout == b"200", "and still over https")
        r = run(["curl", "-sS", "-o", os.devnull, "-w", "%{http_code}", "--cacert", ca, "-H",
                 "Cookie: ferry-%s=%s" % (token, plain_value), link])
        check(r.stdout == b"401", "a session opened in the clear does not open the link over https (%s)" % r.stdout)
        r = run(["curl", "-sS", "-H", "Accept: text/html", plain])
        check(b"The password travels encrypted" not in r.stdout,
              "the password page over http does not claim encryption")
        offered = re.search(rb'<a class="https" href="([^"]+)">', r.stdout)
        check(offered is not None and offered.group(1).decode() == link,
              "it points to the same link over https (%s)" % (offered.group(1) if offered else None))
        r = run(["curl", "-sS", "-H", "Accept: text/html", "-H", "Host: elsewhere.example:1", plain])
        check(b'class="https"' not in r.stdout, "never to a Host this server does not answer for")
        r = run(["curl", "-sS", "--cacert", ca, "-H", "Accept: text/html", link])
        check(b"The password travels encrypted" in r.stdout and b'class="https"' not in r.stdout,
              "over https the page says it is encrypted and offers no other link")
        check(p.poll() is None, "the server is still running")
    finally:
        stop(p)

    return verdict()


if __name__ == "__main__":
    sys.exit(tls_testlib.main(test_all, "ferry-both-", probe_args=("--https",)))
