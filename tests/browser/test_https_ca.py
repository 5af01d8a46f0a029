#!/usr/bin/env python3
"""Chromium trusting Ferry's own CA through NSS, as a computer would.

`ferry --headless --https` shares a folder on 127.0.0.1. The CA is fetched
from the install page's path over plain HTTP (its SHA-256 must be the
fingerprint the run printed) and added with `certutil` (libnss3-tools) to a
throwaway NSS database under a temporary HOME, where Chromium on Linux looks
for the user's trusted certificates. Chromium then loads the folder's https
page with no certificate warning; with an empty NSS database the same page
is Chromium's privacy error (so the check can fail). The install page itself
is loaded over http and shows the fingerprint.

Exit status 77 (skipped) without chromium, chromedriver, selenium, certutil,
or TLS in this build.
"""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ferry_browser as fb  # noqa: E402

STATE = {}


def load(home, url, shot=None):
    """Loads `url` in a Chromium whose HOME is `home`; returns (title, text).
    With `shot`, saves a screenshot of it under that name."""
    old = os.environ.get("HOME")
    os.environ["HOME"] = home  # chromedriver and chromium inherit it
    try:
        with fb.browser(fb.PHONE) as driver:
            driver.get(url)
            fb.wait_for(lambda: driver.execute_script("return document.readyState") == "complete",
                        what="the page to load")
            title = driver.title
            text = driver.find_element("tag name", "body").text
            if shot:
                fb.screenshot(driver, shot)
            return title, text
    finally:
        if old is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old


def test_trusted_ca_loads_the_folder_page_without_warning():
    title, text = load(STATE["home_with_ca"], STATE["link"])
    assert "Privacy error" not in title and "not private" not in text, "a certificate warning: %r" % title
    assert "Photos" in title or "Photos" in text, "the folder page did not load: %r / %r" % (title, text[:200])
    assert "holiday.txt" in text, "the folder's file is not listed: %r" % text[:300]


def test_without_the_ca_chromium_warns():
    title, text = load(STATE["home_without_ca"], STATE["link"])
    assert "Privacy error" in title or "not private" in text, "no warning without the CA: %r" % title


def test_install_page_shows_the_fingerprint():
    title, text = load(STATE["home_without_ca"], STATE["page"], shot="https-ca-phone")
    assert STATE["fingerprint"] in text, "the install page does not show the fingerprint"
    assert "Certificate" in text and "Profile" in text, "the install page lacks its buttons: %r" % text[:300]


def main():
    if not shutil.which("certutil"):
        fb.skip("certutil is not installed (Debian: libnss3-tools)")
    work = tempfile.mkdtemp(prefix="ferry-https-ca-")
    folder = os.path.join(work, "Photos")
    os.makedirs(folder)
    with open(os.path.join(folder, "holiday.txt"), "w") as f:
        f.write("sun\n")
    data = os.path.join(work, "data")
    ferry = fb.Ferry(["--https", folder], 1, env={"XDG_DATA_HOME": data, "HOME": work})
    homes = []
    try:
        link, page, fingerprint, ca_pem = fb.fetch_ferry_ca(ferry, work)
        STATE.update(link=link, page=page, fingerprint=fingerprint, ca_pem=ca_pem)
        STATE["home_with_ca"] = fb.nss_home(STATE["ca_pem"])
        STATE["home_without_ca"] = fb.nss_home()
        homes = [STATE["home_with_ca"], STATE["home_without_ca"]]
        fb.run(test_trusted_ca_loads_the_folder_page_without_warning, test_without_the_ca_chromium_warns,
               test_install_page_shows_the_fingerprint)
    finally:
        ferry.stop()
        for h in homes:
            shutil.rmtree(h, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
