"""Drive the real `ferry --headless` and Debian's chromium from a test script.

A browser test is one python3 script beside this module, registered as one
ctest (label "browser") by tests/CMakeLists.txt. It starts Ferry on 127.0.0.1
with a free port, reads the links Ferry prints, opens pages at a phone's and a
desktop's size, and may save screenshots into FERRY_SCREENSHOTS.

Chromium only ever talks to 127.0.0.1: its background services (updates,
sync, safe browsing, metrics, suggestions) are switched off, host names do not
resolve, and anything that is not loopback goes to a proxy that is not there.

Exit status: 0 passed, 1 failed, 77 skipped (no chromium, chromedriver or
selenium on this machine: scripts/setup.sh installs them).
"""

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

SKIP = 77

PHONE = (390, 844)
DESKTOP = (1280, 800)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def skip(why):
    print("SKIP: " + why, flush=True)
    sys.exit(SKIP)


def ferry_binary():
    path = os.environ.get("FERRY_BINARY", "")
    if not path or not os.access(path, os.X_OK):
        skip("FERRY_BINARY does not name the ferry executable")
    return path


def screenshot_dir():
    """Where screenshots go (FERRY_SCREENSHOTS, else a temporary folder)."""
    d = os.environ.get("FERRY_SCREENSHOTS") or tempfile.mkdtemp(prefix="ferry-shots-")
    os.makedirs(d, exist_ok=True)
    return d


class Ferry:
    """`ferry --headless --bind 127.0.0.1 --port 0 ARGS...`, running.

    `lines` is what it printed on stdout: one link per shared file, then any
    further link its options add (`lines_expected` of them are waited for).
    stderr goes to a file, read with stderr(). With `answers`, its stdin is
    a pipe that answer() writes lines to (how --ask is answered).
    """

    def __init__(self, args, lines_expected, env=None, timeout=15, answers=False):
        self._err = tempfile.NamedTemporaryFile(prefix="ferry-stderr-", delete=False)
        full_env = dict(os.environ)
        # Ferry's cache (the CRC-32s of shared folders) goes to a folder of
        # the test's, not the user's.
        self._cache = tempfile.mkdtemp(prefix="ferry-cache-")
        full_env["XDG_CACHE_HOME"] = self._cache
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [ferry_binary(), "--headless", "--bind", "127.0.0.1", "--port", "0"] + list(args),
            stdin=subprocess.PIPE if answers else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=self._err, env=full_env, text=True)
        self.lines = []
        deadline = time.monotonic() + timeout
        while len(self.lines) < lines_expected:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise AssertionError("ferry printed %r, then %s; stderr: %s" % (
                    self.lines, "exited" if self.proc.poll() is not None else "nothing", self.stderr()))
            line = self.proc.stdout.readline()
            if line:
                self.lines.append(line.rstrip("\n"))

    def stderr(self):
        with open(self._err.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def answer(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.unlink(self._err.name)
        shutil.rmtree(self._cache, ignore_errors=True)


def chromium_options(size):
    from selenium.webdriver.chrome.options import Options
    o = Options()
    o.binary_location = CHROMIUM
    for flag in [
        "--headless=new",
        "--window-size=%d,%d" % size,
        "--hide-scrollbars",
        "--no-sandbox",  # CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        # Nothing but 127.0.0.1: no background traffic, no name lookups, and
        # a proxy that does not exist for whatever is not loopback.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-client-side-phishing-detection",
        "--disable-domain-reliability",
        "--disable-breakpad",
        "--safebrowsing-disable-auto-update",
        "--metrics-recording-only",
        "--no-first-run",
        "--no-default-browser-check",
        "--no-pings",
        "--password-store=basic",
        "--use-mock-keychain",
        "--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,"
        "CertificateTransparencyComponentUpdater,InterestFeedContentSuggestions,NetworkTimeServiceQuerying",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
    ]:
        o.add_argument(flag)
    return o


@contextlib.contextmanager
def browser(size=PHONE):
    """A headless chromium at `size` (width, height in CSS pixels)."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        skip("python3-selenium is not installed")
    if not os.access(CHROMIUM, os.X_OK) or not os.access(CHROMEDRIVER, os.X_OK):
        skip("chromium or chromium-driver is not installed")
    profile = tempfile.mkdtemp(prefix="ferry-chromium-")
    options = chromium_options(size)
    options.add_argument("--user-data-dir=" + profile)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        # --window-size sets the outer window; make the page itself this size.
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "screenWidth": size[0], "screenHeight": size[1],
            "deviceScaleFactor": 1, "mobile": size[0] < 600})
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def nss_home(ca_pem=None):
    """A throwaway HOME whose NSS database (~/.pki/nssdb), where Chromium on
    Linux looks for the user's trusted certificates, trusts the CA in
    `ca_pem`, or holds nothing when it is None."""
    home = tempfile.mkdtemp(prefix="ferry-nss-")
    db = os.path.join(home, ".pki", "nssdb")
    os.makedirs(db)
    subprocess.run(["certutil", "-N", "-d", "sql:" + db, "--empty-password"], check=True, capture_output=True)
    if ca_pem:
        subprocess.run(["certutil", "-A", "-d", "sql:" + db, "-n", "Ferry CA", "-t", "C,,", "-i", ca_pem],
                       check=True, capture_output=True)
    return home


def fetch_ferry_ca(ferry, work):
    """For a `ferry --https` run: its https link, its CA install page, the
    CA's SHA-256 fingerprint as the run printed it, and the CA written as
    PEM under `work` (fetched from the page's .crt, checked against that
    fingerprint). Skips where the build has no TLS."""
    link = ferry.lines[0]
    if not link.startswith("https://"):
        if "not available in this build" in ferry.stderr():
            skip("this build has no TLS")
        raise AssertionError("not an https link: %r" % link)
    # The run says where the CA is installed from, and its fingerprint.
    said = wait_for(lambda: re.search(r"trusts it once from (\S+) \(SHA-256 ([0-9A-F:]+)\)", ferry.stderr()),
                    what="the line naming the install page")
    page, fingerprint = said.group(1), said.group(2)
    der = urllib.request.urlopen(page + ".crt", timeout=20).read()
    got = ":".join("%02X" % b for b in hashlib.sha256(der).digest())
    assert got == fingerprint, "the CA fetched is not the one the run announced"
    ca_pem = os.path.join(work, "ca.pem")
    subprocess.run(["openssl", "x509", "-inform", "DER", "-out", ca_pem], input=der, check=True)
    return link, page, fingerprint, ca_pem


def wait_for(condition, timeout=20, what="the condition"):
    """Polls `condition` until it returns something true; returns that.
    `what` (a string, or a function giving one) says what timed out."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %g s waiting for %s" % (timeout, what() if callable(what) else what))
        time.sleep(0.05)


def screenshot(driver, name):
    """Saves the page as <FERRY_SCREENSHOTS>/<name>.png; returns the path."""
    path = os.path.join(screenshot_dir(), name + ".png")
    driver.save_screenshot(path)
    return path


def run(*tests):
    """Runs each test function in order; prints a line per test and exits
    with 0 when all passed, 1 otherwise."""
    failed = 0
    for t in tests:
        start = time.monotonic()
        try:
            t()
            print("PASS   %s (%.1f s)" % (t.__name__, time.monotonic() - start), flush=True)
        except SystemExit:
            raise
        except Exception:
            failed += 1
            print("FAIL!  %s" % t.__name__, flush=True)
            traceback.print_exc()
    sys.exit(1 if failed else 0)
