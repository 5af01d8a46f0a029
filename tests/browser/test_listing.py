"""A shared folder's listing in a real browser: at a phone's size it fits the
screen with thumb-sized rows, its sub-folders show their first photo, it
goes into a sub-folder and back by its breadcrumbs, it sorts, names with
markup stay text, a file and the whole folder as a zip download, and it
reads in light and dark."""

import os
import shutil
import subprocess
import tempfile
import urllib.request
import zipfile

import ferry_browser as fb

SHOTS_FOR_DOCS = os.environ.get("FERRY_DOC_SCREENSHOTS")  # docs/ when refreshing them


def photo(path, size, seed):
    """A real JPEG (ffmpeg's gradients): the sub-folders' covers are photos."""
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "gradients=s=%s:seed=%d:n=4" % (size, seed),
                    "-frames:v", "1", "-q:v", "2", path], check=True, timeout=60)


def make_tree():
    if not shutil.which("ffmpeg"):
        fb.skip("ffmpeg is not installed (scripts/setup.sh installs it)")
    root = tempfile.mkdtemp(prefix="ferry-listing-")
    top = os.path.join(root, "Holiday Photos")
    os.makedirs(os.path.join(top, "Day 1 \u2013 Beach"))
    os.makedirs(os.path.join(top, "Day 2 \u2013 Old Town"))
    # Sizes in the order the size sort below expects: 2, 1, 3.
    for i, (size, seed) in enumerate([("1600x1200", 3), ("2400x1800", 7), ("800x600", 11)]):
        photo(os.path.join(top, "Day 1 \u2013 Beach", "IMG_%04d.jpg" % (i + 1)), size, seed)
    photo(os.path.join(top, "Day 2 \u2013 Old Town", "IMG_0104.jpg"), "1400x1000", 23)
    with open(os.path.join(top, "itinerary.pdf"), "wb") as f:
        f.write(os.urandom(150_000))
    with open(os.path.join(top, "tickets.zip"), "wb") as f:
        f.write(os.urandom(120_000))
    with open(os.path.join(top, "<b>not bold</b>.txt".replace("/", "_")), "w") as f:
        f.write("names are text\n")
    with open(os.path.join(top, "a rather long file name that has to wrap on a phone screen.mov"), "wb") as f:
        f.write(os.urandom(40_000))
    with open(os.path.join(top, ".DS_Store"), "w") as f:
        f.write("hidden\n")
    return root, top


def shoot(b, name):
    fb.screenshot(b, name)
    if SHOTS_FOR_DOCS:
        b.save_screenshot(os.path.join(SHOTS_FOR_DOCS, name + ".png"))


def downloads_to(b, folder):
    b.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": folder})


def wait_download(folder, name, size=None):
    def done():
        path = os.path.join(folder, name)
        if not os.path.exists(path) or any(f.endswith(".crdownload") for f in os.listdir(folder)):
            return None
        return path if size is None or os.path.getsize(path) == size else None
    return fb.wait_for(done, timeout=60, what="the download of " + name)


def test_phone_browse_and_download():
    root, top = make_tree()
    ferry = fb.Ferry([top], lines_expected=1)
    downloads = tempfile.mkdtemp(prefix="ferry-downloads-")
    try:
        link = ferry.lines[0]
        assert link.endswith("/Holiday%20Photos/"), link
        with fb.browser(fb.PHONE) as b:
            downloads_to(b, downloads)
            b.get(link)
            assert b.title == "Holiday Photos"
            body = b.find_element("tag name", "body").text
            assert "itinerary.pdf" in body and ".DS_Store" not in body
            assert "<b>not bold<_b>.txt" in body  # shown as text, not made bold
            assert not b.find_elements("css selector", ".entries b")
            # It fits a phone: nothing wider than the screen, rows a thumb can hit.
            assert b.execute_script("return document.documentElement.scrollWidth") <= fb.PHONE[0]
            rows = b.find_elements("css selector", ".entries a")
            assert len(rows) == 6
            for r in rows:
                assert r.size["height"] >= 48, (r.text, r.size)
            zip_button = b.find_element("partial link text", "Download all (.zip)")
            assert zip_button.size["height"] >= 48
            # A clip's tile says which clip it is: its long name on one line, cut to the tile.
            clip = b.find_element("css selector", ".entries.grid li[data-kind=video]")
            caption = clip.find_element("css selector", ".name")
            assert caption.is_displayed() and caption.text.startswith("a rather long"), caption.text
            box = b.execute_script("const t = arguments[0].getBoundingClientRect(), n = arguments[1]"
                                   ".getBoundingClientRect(); return [t.left, t.right, t.bottom, n.left, n.right,"
                                   " n.top, n.height]", clip.find_element("css selector", ".thumb"), caption)
            assert box[3] >= box[0] - 1 and box[4] <= box[1] + 1 and box[5] >= box[2] - 1, box
            assert 10 <= box[6] <= 30, box  # one line
            # Each sub-folder's tile shows its first photo: a picture made of
            # it (a JPEG), not a type icon.
            covers = b.find_elements("css selector", ".entries.grid li[data-kind=folder] img")
            assert [c.get_attribute("src").rsplit("/", 1)[-1] for c in covers] == \
                ["IMG_0001.jpg?thumb", "IMG_0104.jpg?thumb"], [c.get_attribute("src") for c in covers]
            for c in covers:
                with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(c.get_attribute("src"), timeout=30) as r:
                    assert r.headers.get("Content-Type") == "image/jpeg", (c.get_attribute("src"), r.headers)
                fb.wait_for(lambda: b.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", c),
                            what="a sub-folder's cover")
            shoot(b, "listing-phone")

            # Into a sub-folder, and back by the breadcrumb.
            b.find_element("partial link text", "Day 1").click()
            fb.wait_for(lambda: "IMG_0002.jpg" in b.find_element("tag name", "body").text, what="the sub-folder")
            assert b.current_url == link + "Day%201%20%E2%80%93%20Beach/"
            crumbs = [c.text for c in b.find_elements("css selector", ".crumbs li")]
            assert crumbs == ["Holiday Photos", "Day 1 \u2013 Beach"], crumbs
            shoot(b, "listing-phone-subfolder")
            # Sorting, without JavaScript: by size, largest first.
            b.find_element("link text", "Size").click()
            names = [e.text for e in b.find_elements("css selector", ".entries .name")]
            assert names == ["IMG_0002.jpg", "IMG_0001.jpg", "IMG_0003.jpg"], names
            b.find_element("link text", "Holiday Photos").click()
            fb.wait_for(lambda: b.current_url == link, what="the way back up")

            # A file (one the browser does not show), then the whole folder as one zip.
            b.find_element("partial link text", "tickets.zip").click()
            got = wait_download(downloads, "tickets.zip", 120_000)
            with open(got, "rb") as f, open(os.path.join(top, "tickets.zip"), "rb") as g:
                assert f.read() == g.read()
            b.find_element("partial link text", "Download all (.zip)").click()
            z = wait_download(downloads, "Holiday Photos.zip")
            with zipfile.ZipFile(z) as archive:
                assert archive.testzip() is None
                names = archive.namelist()
            assert "Holiday Photos/Day 1 \u2013 Beach/IMG_0002.jpg" in names, names
            assert not any(n.endswith(".DS_Store") for n in names)
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


def test_desktop_and_dark():
    root, top = make_tree()
    ferry = fb.Ferry([top], lines_expected=1)
    try:
        link = ferry.lines[0]
        with fb.browser(fb.DESKTOP) as b:
            b.get(link)
            # A clip makes the folder a grid; the list is one tap away.
            b.find_element("css selector", ".views button[data-view=list]").click()
            # Columns on a wide screen: size and date beside each name.
            row = b.find_element("css selector", ".entries a")
            size = row.find_element("css selector", ".size")
            name = row.find_element("css selector", ".name")
            shoot(b, "listing-desktop")
            assert abs(size.location["y"] - name.location["y"]) < 8, (size.location, name.location)
            light = b.execute_script("return getComputedStyle(document.body).backgroundColor")
            b.execute_cdp_cmd("Emulation.setEmulatedMedia",
                              {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            dark = b.execute_script("return getComputedStyle(document.body).backgroundColor")
            assert light != dark, (light, dark)
            shoot(b, "listing-desktop-dark")
        with fb.browser(fb.PHONE) as b:
            b.execute_cdp_cmd("Emulation.setEmulatedMedia",
                              {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
            b.get(link)
            shoot(b, "listing-phone-dark")
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)


fb.run(test_phone_browse_and_download, test_desktop_and_dark)
