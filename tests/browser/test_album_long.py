"""A long shared folder of photos in a real browser at a phone's size: its
page comes with its first rows and adds the rest once the first screen is
shown, in the page's order (either way round); the viewer goes on from the
last of the first rows to the first of the rest and back; a photo picked
from the rest is in the selection's zip and its size; without JavaScript the
page's link gives every row; and the rest is behind the link's password like
the page. The photos are the album_media fixture's, under many names (hard
links where the file system allows, so one thumbnail serves each)."""

import os
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request

import ferry_browser as fb

PHOTOS = 130
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
WANT = ["IMG_%04d.jpg" % (i + 1) for i in range(PHOTOS)]


def long_folder():
    """A folder of PHOTOS photos, IMG_0001.jpg on, made of the fixture's
    three, beside the fixture (the same file system: links, not copies)."""
    media = os.environ.get("FERRY_TEST_MEDIA", "")
    sources = ["photo.jpg", "other.jpg", "rotated.jpg"]
    if not media or not all(os.path.exists(os.path.join(media, n)) for n in sources):
        fb.skip("no album_media fixture (FERRY_TEST_MEDIA)")
    root = tempfile.mkdtemp(prefix="ferry-long-", dir=os.path.dirname(os.path.abspath(media)))
    top = os.path.join(root, "Long Weekend")
    os.makedirs(top)
    for i, name in enumerate(WANT):
        src = os.path.join(media, sources[i % len(sources)])
        try:
            os.link(src, os.path.join(top, name))
        except OSError:
            shutil.copyfile(src, os.path.join(top, name))
    return root, top


def human_size(n):
    """"1.2 MB", "340 KB": as the page says sizes."""
    v, unit = n / 1000, "KB"
    for next_unit in ("MB", "GB"):
        if v < 999.95:
            break
        v, unit = v / 1000, next_unit
    return ("%.1f %s" if v < 10 else "%.0f %s") % (v, unit)


def names(b):
    return b.execute_script("return Array.from(document.querySelectorAll('#entries li[data-kind] .name'))"
                            ".map(function (n) { return n.textContent; })")


def decoded(b, img):
    return b.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)


def viewer_name(b):
    return b.execute_script("return document.getElementById('viewer').hidden ? null : "
                            "document.getElementById('viewer-name').textContent")


def tap(b, i):
    """Clicks the i-th photo's tile, in the middle of the screen (clear of
    the sticky bar of picked files)."""
    tile = b.find_elements("css selector", "#entries li[data-kind=image] a")[i]
    b.execute_script("arguments[0].scrollIntoView({block: 'center'})", tile)
    tile.click()


def first_rows(link):
    """How many rows the page itself carries, as any client gets it."""
    with NO_PROXY.open(link, timeout=30) as r:
        page = r.read().decode()
    return len(re.findall(r'<li data-kind="image"', page)), page


def test_the_rest_arrives_and_everything_sees_it():
    root, top = long_folder()
    ferry = fb.Ferry([top], lines_expected=1)
    try:
        link = ferry.lines[0]
        first, page = first_rows(link)
        assert 0 < first < PHOTOS, first
        assert ">Show all %d " % PHOTOS in page
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            # Every row, in order, and no link to them any more.
            fb.wait_for(lambda: names(b) == WANT, what=lambda: "every row in order: %r" % names(b)[-3:])
            assert not b.find_elements("id", "more")
            assert b.execute_script("return document.documentElement.scrollWidth") <= fb.PHONE[0]
            fb.screenshot(b, "album-long-phone")
            boundary = b.find_elements("css selector", "#entries li[data-kind=image] img")[first]
            b.execute_script("arguments[0].scrollIntoView({block: 'center'})", boundary)
            fb.wait_for(lambda: decoded(b, boundary), what="the first added row's picture")
            fb.screenshot(b, "album-long-phone-boundary")
            # The last one's picture comes as it nears the screen.
            last = b.find_elements("css selector", "#entries li[data-kind=image] img")[-1]
            b.execute_script("arguments[0].scrollIntoView()", last)
            fb.wait_for(lambda: decoded(b, last), what="the last row's picture")
            fb.screenshot(b, "album-long-phone-end")

            # The viewer goes from the last of the first rows to the first of
            # the rest, by arrow key, and back.
            tap(b, first - 1)
            fb.wait_for(lambda: viewer_name(b) == WANT[first - 1], what="the viewer")
            b.find_element("tag name", "body").send_keys("\ue014")  # arrow right
            fb.wait_for(lambda: viewer_name(b) == WANT[first], what=lambda: "the next photo: %s" % viewer_name(b))
            meta = b.find_element("id", "viewer-meta").text
            assert meta.endswith("%d of %d" % (first + 1, PHOTOS)), meta
            b.find_element("tag name", "body").send_keys("\ue012")  # arrow left
            fb.wait_for(lambda: viewer_name(b) == WANT[first - 1], what="the previous photo")
            b.find_element("tag name", "body").send_keys("\ue00c")  # Escape
            fb.wait_for(lambda: viewer_name(b) is None, what="the viewer to close")

            # Picking: one of the first rows and one of the rest, in one zip.
            b.find_element("id", "select-toggle").click()
            late = first + 4
            for i in (0, late):
                tap(b, i)
            zip_button = b.find_element("id", "picked-zip")
            fb.wait_for(lambda: zip_button.text.startswith("Download 2 files (.zip)\n"), what=lambda: zip_button.text)
            picked = sum(os.path.getsize(os.path.join(top, WANT[i])) for i in (0, late))
            assert zip_button.text.endswith("\n" + human_size(picked)), (zip_button.text, picked)
            href = zip_button.get_attribute("href")
            work = tempfile.mkdtemp(prefix="ferry-long-zip-")
            try:
                got = os.path.join(work, "picked.zip")
                with NO_PROXY.open(href, timeout=60) as r, open(got, "wb") as f:
                    f.write(r.read())
                subprocess.run(["unzip", "-tq", got], check=True, timeout=30)
                listed = sorted(subprocess.run(["unzip", "-Z1", got], check=True, capture_output=True, text=True,
                                               timeout=30).stdout.split("\n")[:-1])
                assert listed == ["Long Weekend/", "Long Weekend/" + WANT[0], "Long Weekend/" + WANT[late]], listed
            finally:
                shutil.rmtree(work, ignore_errors=True)

            # The other way round: the rest comes in the page's order too.
            b.get(link + "?sort=name&order=desc")
            fb.wait_for(lambda: names(b) == WANT[::-1], what=lambda: "every row, last first: %r" % names(b)[-3:])
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_without_javascript_the_link_gives_every_row():
    root, top = long_folder()
    ferry = fb.Ferry([top], lines_expected=1)
    try:
        link = ferry.lines[0]
        first, _ = first_rows(link)
        with fb.browser(fb.PHONE) as b:
            b.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
            b.get(link)
            assert names(b) == WANT[:first]
            # The page's script did not run (it shows the Select button).
            assert not b.find_element("id", "select-toggle").is_displayed()
            more = b.find_element("css selector", "#more a")
            assert more.text.startswith("Show all %d" % PHOTOS), more.text
            b.execute_script("arguments[0].scrollIntoView({block: 'end'})", more)
            fb.screenshot(b, "album-long-phone-no-script")
            more.click()
            fb.wait_for(lambda: names(b) == WANT, what=lambda: "the page with every row: %d rows" % len(names(b)))
            assert not b.find_elements("id", "more")
            assert b.current_url.endswith("&all"), b.current_url
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_the_rest_is_behind_the_password():
    root, top = long_folder()
    password = os.path.join(root, "password")
    with open(password, "w") as f:
        f.write("long weekend\n")
    ferry = fb.Ferry(["--password-file", password, top], lines_expected=1)
    try:
        link = ferry.lines[0]
        # Without the password: neither the page nor its rows.
        for url in (link, link + "?sort=name&order=asc&rows=100"):
            try:
                NO_PROXY.open(url, timeout=30)
                raise AssertionError("%s answered without the password" % url)
            except urllib.error.HTTPError as e:
                assert e.code == 401, (url, e.code)
                assert b"IMG_0" not in e.read()
        # With it, a browser's page fetches the rest with its cookie.
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            field = b.find_element("id", "password")
            field.send_keys("long weekend")
            b.find_element("css selector", "button[type=submit]").click()
            fb.wait_for(lambda: names(b) == WANT, what=lambda: "every row after the password: %d" % len(names(b)))
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)


fb.run(test_the_rest_arrives_and_everything_sees_it, test_without_javascript_the_link_gives_every_row,
       test_the_rest_is_behind_the_password)
