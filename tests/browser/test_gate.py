"""A share's gate in a real browser: the password page at a phone's and a
desktop's size, light and dark, where a wrong password says so and the right
one opens the folder's listing or the file's page, whose button downloads it; and the page
of a link that has ended, saying why. Screenshots of each."""

import hashlib
import os
import shutil
import tempfile
import time
import urllib.request

import ferry_browser as fb

PASSWORD = "open sesame & <friends>"


def serve(paths, *rules):
    return fb.Ferry(list(rules) + list(paths), lines_expected=len(paths))


def password_file(folder):
    path = os.path.join(folder, "password")
    with open(path, "w", encoding="utf-8") as f:
        f.write(PASSWORD + "\n")
    return path


def make_files():
    src = tempfile.mkdtemp(prefix="ferry-gate-")
    folder = os.path.join(src, "Contract <draft> & notes")
    os.makedirs(folder)
    with open(os.path.join(folder, "offer.pdf"), "wb") as f:
        f.write(os.urandom(30_000))
    single = os.path.join(src, "build-2024-11-30.apk")
    with open(single, "wb") as f:
        f.write(os.urandom(200_000))
    return src, folder, single


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def dark(b):
    b.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})


def fits(b, size):
    width = b.execute_script("return document.documentElement.scrollWidth")
    assert width <= size[0], "the page is %d px wide on a %d px screen" % (width, size[0])


def submit(b, password):
    field = b.find_element("id", "password")
    field.clear()
    field.send_keys(password)
    b.find_element("css selector", "button[type=submit]").click()


def error_text(b):
    found = b.find_elements("css selector", "#message")
    return found[0].text if found else ""


def test_password_opens_the_listing():
    src, folder, _ = make_files()
    ferry = serve([folder], "--password-file", password_file(src))
    try:
        link = ferry.lines[0]
        for size, label in ((fb.PHONE, "phone"), (fb.DESKTOP, "desktop")):
            for scheme in ("light", "dark"):
                name = "gate-password-%s%s" % (label, "-dark" if scheme == "dark" else "")
                with fb.browser(size) as b:
                    if scheme == "dark":
                        dark(b)
                    b.get(link)
                    assert b.title == "Password needed", b.title
                    heading = b.find_element("tag name", "h1").text
                    assert heading == "This link needs a password", heading
                    # The folder's name, escaped, not markup.
                    assert b.find_element("css selector", ".item").text == "Contract <draft> & notes"
                    assert error_text(b) == ""
                    # Over plain HTTP the page promises nothing it cannot keep.
                    footer = b.find_element("tag name", "footer").text
                    assert "the password is not encrypted" in footer, footer
                    assert "encrypted (HTTPS)" not in footer and "only to" not in footer, footer
                    fits(b, size)
                    fb.screenshot(b, name)
                    submit(b, "not it")
                    fb.wait_for(lambda: error_text(b), 10, "the wrong password's message")
                    assert error_text(b) == "That password is not right.", error_text(b)
                    assert b.find_element("id", "password").get_attribute("aria-invalid") == "true"
                    fits(b, size)
                    fb.screenshot(b, name + "-wrong")
                    submit(b, PASSWORD)
                    fb.wait_for(lambda: b.find_elements("css selector", ".entries"), 10, "the folder's listing")
                    assert b.find_element("tag name", "h1").text == "Contract <draft> & notes"
                    assert "offer.pdf" in b.find_element("css selector", ".entries").text
                    # The session holds for the next page of the share.
                    b.get(link)
                    assert b.find_elements("css selector", ".entries")
                    fb.screenshot(b, name + "-listing")
    finally:
        ferry.stop()
        shutil.rmtree(src, ignore_errors=True)


def test_password_opens_the_file_page():
    src, _, single = make_files()
    ferry = serve([single], "--password-file", password_file(src))
    downloads = tempfile.mkdtemp(prefix="ferry-downloads-")
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as b:
            b.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
            b.get(link)
            assert b.find_element("css selector", ".item").text == os.path.basename(single)
            submit(b, PASSWORD)
            # The file's page, not the form again; its button downloads.
            fb.wait_for(lambda: b.find_elements("css selector", "h1") and
                        b.find_element("css selector", "h1").text == os.path.basename(single), what="the file's page")
            b.find_element("css selector", ".actions a.button").click()
            target = os.path.join(downloads, os.path.basename(single))

            def done():
                if not os.path.exists(target) or any(f.endswith(".crdownload") for f in os.listdir(downloads)):
                    return None
                return os.path.getsize(target) == os.path.getsize(single)
            fb.wait_for(done, 30, "the download to finish")
            assert digest(target) == digest(single)
    finally:
        ferry.stop()
        shutil.rmtree(src, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


def test_ended_links_say_why():
    src, folder, single = make_files()
    expired = serve([folder], "--expires", "1s")
    used = serve([single], "--downloads", "1")
    try:
        time.sleep(1.2)
        # One download uses up the limit of one.
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(used.lines[0]) as r:
            assert r.read() == open(single, "rb").read()
        for size, label in ((fb.PHONE, "phone"), (fb.DESKTOP, "desktop")):
            for scheme in ("light", "dark"):
                suffix = "-%s%s" % (label, "-dark" if scheme == "dark" else "")
                with fb.browser(size) as b:
                    if scheme == "dark":
                        dark(b)
                    b.get(expired.lines[0])
                    assert b.title == "This link has ended", b.title
                    why = b.find_element("id", "why").text
                    assert why.startswith("This link expired at "), why
                    fits(b, size)
                    fb.screenshot(b, "gate-expired" + suffix)
                    b.get(used.lines[0])
                    why = fb.wait_for(lambda: b.find_elements("id", "why"), 10, "the used-up page")[0].text
                    assert why == "This link was used once.", why
                    fits(b, size)
                    fb.screenshot(b, "gate-used" + suffix)
    finally:
        expired.stop()
        used.stop()
        shutil.rmtree(src, ignore_errors=True)


fb.run(test_password_opens_the_listing, test_password_opens_the_file_page, test_ended_links_say_why)
