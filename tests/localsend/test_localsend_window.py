#!/usr/bin/env python3
"""Runs the window's LocalSend suite (tests/ui/tst_localsend_window.cpp) where
LocalSend may multicast: inside a network namespace made here (`unshare -n`,
loopback and a veth pair 10.77.0.1 <-> 10.77.0.2 with a route for
224.0.0.0/4 on it, as tests/localsend/test_localsend_peer.py makes), with the
npm `localsend` peer receiving there behind a PIN for the window to send to.

Usage: test_localsend_window.py TST_LOCALSEND_WINDOW [test function...]

Exit status 77 (skipped) where namespaces or veth are not available; without
the npm peer the suite still runs, and its PIN test skips saying why.
"""

import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_localsend_peer as lp  # noqa: E402  (the namespace, the veth pair, the npm peer)

ALIAS = "Locked Peer"
PIN = "4711"


def enter_namespace():
    """Re-runs this script in a private network namespace; returns its exit status."""
    env = dict(os.environ, FERRY_LOCALSEND_NETNS="1")
    for cmd in (["unshare", "-rn"], ["unshare", "-n"]):
        if not shutil.which(cmd[0]):
            break
        if subprocess.run(cmd + ["true"], capture_output=True).returncode == 0:
            return subprocess.run(cmd + [sys.executable, os.path.abspath(__file__)] + sys.argv[1:], env=env).returncode
    lp.skip("cannot make a network namespace here (unshare -n is not allowed), and multicast must not reach a real network")


def start_peer(work):
    """The npm peer, receiving behind a PIN; None (and why) when it cannot run."""
    npm = os.environ.get("FERRY_LOCALSEND_NPM", "")
    cli = os.path.join(npm, "node_modules", "localsend", "dist", "cli.js")
    local = os.path.join(npm, "node_modules", ".bin", "node")
    lp.NODE = local if os.path.isfile(local) else (shutil.which("node") or "node")
    if not npm or not os.path.isfile(cli):
        return None, "the npm localsend peer is not installed"
    if subprocess.run([lp.NODE, cli, "receive", "--help"], capture_output=True).returncode != 0:
        return None, "the npm localsend peer does not run on this Node"
    peer = lp.Peer(cli, ALIAS, 53320, os.path.join(work, "locked"), ["--autoAccept", "--pin", PIN])
    if peer.out.wait(lambda l: "Device discovery started" in l, 30) is None:
        peer.stop()
        return None, "the npm peer did not start: " + peer.out.text()[-2000:]
    return peer, ""


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: test_localsend_window.py TST_LOCALSEND_WINDOW [test function...]")
    if os.environ.get("FERRY_LOCALSEND_NETNS") != "1":
        sys.exit(enter_namespace())
    lp.setup_network()
    work = tempfile.mkdtemp(prefix="ferry-ls-window-")
    peer, why = start_peer(work)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    if peer:
        env.update(FERRY_LS_PEER_ALIAS=ALIAS, FERRY_LS_PEER_SAVE=peer.save, FERRY_LS_PEER_PIN=PIN)
    else:
        print("the PIN test will skip: " + why, flush=True)
    try:
        code = subprocess.run(sys.argv[1:], env=env).returncode
        if code != 0 and peer:
            print("--- peer ---\n" + peer.out.text()[-4000:])
    finally:
        if peer:
            peer.stop()
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
