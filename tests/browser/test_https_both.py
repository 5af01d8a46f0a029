#!/usr/bin/env python3
"""One Chromium, one password link, https and http on one port (--http-too).

`ferry --headless --https --http-too --password-file` shares a folder on
127.0.0.1; Chromium trusts Ferry's CA through an NSS database (as in
test_https_ca.py). In one browser session: the password given on the https
page opens the folder; the same link over http asks again, and the password
given there opens it too; then neither asks again. On 127.0.0.1 Chromium
sends even Secure cookies to http (loopback counts as a secure origin), so
this also shows that the gate does not take the https session over http:
with one cookie name for both schemes, the http link opened with the https
session. (On a LAN address the browser never sends it, and strict secure
cookies would refuse the http page's cookie of the same name: the reason for
the two names, which loopback cannot show.)

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


def open_with_password(driver, url):
    """Loads `url`; answers its password page if it asks. Returns whether it asked."""
    driver.get(url)
    fb.wait_for(lambda: driver.find_elements("id", "password") or "holiday.txt" in driver.page_source,
                what="the password page or the folder at " + url)
    asked = bool(driver.find_elements("id", "password"))
    if asked:
        driver.find_element("id", "password").send_keys("right")
        driver.find_element("css selector", "button[type=submit]").click()
    fb.wait_for(lambda: "holiday.txt" in driver.page_source and not driver.find_elements("id", "password"),
                what="the folder to open at " + url)
    return asked


def test_a_login_on_each_scheme_sticks():
    old = os.environ.get("HOME")
    os.environ["HOME"] = STATE["home"]  # chromedriver and chromium inherit it
    try:
        with fb.browser(fb.PHONE) as driver:
            assert open_with_password(driver, STATE["https"]), "https did not ask for the password"
            assert "Privacy error" not in driver.title, "a certificate warning over https"
            assert open_with_password(driver, STATE["http"]), "the https session opened the http link"
            # Both sessions are kept: neither scheme asks again.
            assert not open_with_password(driver, STATE["http"]), "the http login did not stick"
            assert not open_with_password(driver, STATE["https"]), "the https session was lost"
    finally:
        if old is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = old


def main():
    if not shutil.which("certutil"):
        fb.skip("certutil is not installed (Debian: libnss3-tools)")
    work = tempfile.mkdtemp(prefix="ferry-https-both-")
    folder = os.path.join(work, "Photos")
    os.makedirs(folder)
    with open(os.path.join(folder, "holiday.txt"), "w") as f:
        f.write("sun\n")
    pw = os.path.join(work, "pw")
    with open(pw, "w") as f:
        f.write("right\n")
    ferry = fb.Ferry(["--https", "--http-too", "--password-file", pw, folder], 1,
                     env={"XDG_DATA_HOME": os.path.join(work, "data"), "HOME": work})
    home = None
    try:
        link, _, _, ca_pem = fb.fetch_ferry_ca(ferry, work)
        home = fb.nss_home(ca_pem)
        STATE.update(https=link, http=link.replace("https://", "http://", 1), home=home)
        fb.run(test_a_login_on_each_scheme_sticks)
    finally:
        ferry.stop()
        if home:
            shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
