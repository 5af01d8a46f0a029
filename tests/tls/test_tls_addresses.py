#!/usr/bin/env python3
"""Ferry's own certificate follows the machine's addresses (--https).

Runs inside a network namespace the test makes itself (`unshare -n`, a veth
pair whose addresses the test adds and removes), so the machine's own
interfaces are never touched. `ferry --headless --json --https` starts with
10.78.0.1 on the pair; the test adds 192.168.77.1, and the certificate Ferry
serves is issued again with that address among its IP names (the run says
so, and curl trusting Ferry's CA alone fetches the file from the new
address); it then removes 10.78.0.1, and the next certificate leaves it out.
Addresses are looked at every second here (FERRY_TLS_ADDRESS_CHECK; every
30 seconds by default).

Exit status 77 (skipped) when the build has no TLS or namespaces are not
allowed here.
"""

import os
import re
import shutil
import subprocess
import sys

import tls_testlib
from tls_testlib import FERRY, Events, check, env_for, poll, run, stop, verdict

IP = shutil.which("ip") or "/usr/sbin/ip"


def enter_namespace():
    """Re-runs this script in a private network namespace; its exit status."""
    env = dict(os.environ, FERRY_TLS_NETNS="1")
    for cmd in (["unshare", "-rn"], ["unshare", "-n"]):
        if not shutil.which(cmd[0]):
            break
        if subprocess.run(cmd + ["true"], capture_output=True).returncode == 0:
            return subprocess.run(cmd + [sys.executable, os.path.abspath(__file__)], env=env).returncode
    print("cannot make a network namespace here (unshare -n is not allowed): the test must not change this "
          "machine's own addresses")
    return 77


def ip(*args):
    r = subprocess.run([IP, *args], capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()



def served_names(d, port):
    """The IP names in the certificate served on 127.0.0.1:port."""
    r = run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-showcerts"], input=b"", cwd=d)
    pem = re.search(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", r.stdout, re.S)
    if not pem:
        return set()
    r = run(["openssl", "x509", "-noout", "-ext", "subjectAltName"], input=pem.group(0))
    return set(re.findall(r"IP Address:([0-9.]+)", r.stdout.decode()))


def test_all(d):
    for step in (["link", "set", "lo", "up"], ["link", "add", "f0", "type", "veth", "peer", "name", "f1"],
                 ["addr", "add", "10.78.0.1/24", "dev", "f0"], ["link", "set", "f0", "up"],
                 ["link", "set", "f1", "up"]):
        ok, why = ip(*step)
        if not ok:
            print("cannot set up a veth pair in the namespace (%s: %s)" % (" ".join(step), why))
            return 77

    home = os.path.join(d, "home")
    os.makedirs(home)
    env = env_for(home)
    env["FERRY_TLS_ADDRESS_CHECK"] = "1"
    shared = os.path.join(d, "note.txt")
    with open(shared, "w") as f:
        f.write("moved\n")
    # All of the namespace's addresses (nothing outside it can reach them),
    # so curl can come to the new address itself.
    p = subprocess.Popen([FERRY, "--headless", "--json", "--https", "--bind", "0.0.0.0", "--port", "0", shared],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    link = p.stdout.readline().decode().strip()
    events = Events(p.stderr)
    try:
        check(link.startswith("https://"), "an https link (%s)" % link)
        port = int(re.match(r"https://[^/]+:(\d+)/", link).group(1))
        path = link.split(":%d" % port, 1)[1]
        first = served_names(d, port)
        check("10.78.0.1" in first and "192.168.77.1" not in first,
              "the first certificate names the pair's address (%s)" % sorted(first))

        ca_event = events.wait(lambda e: e["event"] == "https-ca", 10)
        ca = os.path.join(d, "ca.pem")
        crt = os.path.join(d, "ca.crt")
        if ca_event:
            run(["curl", "-sS", "--max-time", "10", "-o", crt, "http://127.0.0.1:%d/ferry-ca.crt" % port])
            run(["openssl", "x509", "-inform", "DER", "-in", crt, "-out", ca])
        check(os.path.exists(ca), "Ferry's CA fetched from its page")

        ok, why = ip("addr", "add", "192.168.77.1/24", "dev", "f0")
        check(ok, "192.168.77.1 added (%s)" % why)
        said = events.wait(lambda e: e["event"] == "certificate" and "192.168.77.1" in e["message"], 20)
        check(bool(said), "the run says a new certificate serves the new address (%s)" % (said or {}).get("message"))
        second = poll(lambda: (lambda n: n if "192.168.77.1" in n else None)(served_names(d, port)), 10) or set()
        check("192.168.77.1" in second and "10.78.0.1" in second,
              "the served certificate names both addresses now (%s)" % sorted(second))
        r = run(["curl", "-sS", "--max-time", "10", "--cacert", ca, "https://192.168.77.1:%d%s" % (port, path)])
        check(r.returncode == 0 and r.stdout == b"moved\n",
              "curl trusting Ferry's CA alone fetches the file from the new address (%s)" % r.stderr.decode()[-200:])

        ok, why = ip("addr", "del", "10.78.0.1/24", "dev", "f0")
        check(ok, "10.78.0.1 removed (%s)" % why)
        third = poll(lambda: (lambda n: n if n and "10.78.0.1" not in n else None)(served_names(d, port)), 20) or set()
        check("10.78.0.1" not in third and "192.168.77.1" in third,
              "the next certificate leaves the old address out (%s)" % sorted(third))
        check(p.poll() is None, "the server is still running")
    finally:
        stop(p)
    return verdict()


if __name__ == "__main__":
    if os.environ.get("FERRY_TLS_NETNS") != "1":
        if not shutil.which("unshare") or not os.path.exists(IP):
            print("no unshare or ip command here (util-linux, iproute2)")
            sys.exit(77)
        sys.exit(enter_namespace())
    sys.exit(tls_testlib.main(test_all, "ferry-tls-addresses-", probe_args=("--https",)))
