"""The browser harness itself: Ferry starts and prints its link, chromium
opens pages at phone and desktop size, and reaches nothing but 127.0.0.1."""

import os
import tempfile
import urllib.parse

import ferry_browser as fb


def shared_file():
    f = tempfile.NamedTemporaryFile(prefix="ferry-harness-", suffix=".txt", delete=False)
    f.write(b"hello from ferry\n")
    f.close()
    return f.name


def test_pages_at_both_sizes():
    path = shared_file()
    ferry = fb.Ferry([path], lines_expected=1)
    try:
        link = urllib.parse.urlsplit(ferry.lines[0])
        assert link.hostname == "127.0.0.1", ferry.lines
        root = "http://127.0.0.1:%d/" % link.port
        for size in (fb.PHONE, fb.DESKTOP):
            with fb.browser(size) as b:
                b.get(root)  # nothing at / lists shares
                assert "404" in b.find_element("tag name", "body").text
                assert b.execute_script("return screen.width") == size[0], b.execute_script("return [screen.width, innerWidth]")
                assert b.execute_script("return screen.height") == size[1]
                shot = fb.screenshot(b, "harness-%dx%d" % size)
                assert os.path.getsize(shot) > 0
    finally:
        ferry.stop()
        os.unlink(path)


def test_nothing_but_loopback():
    with fb.browser() as b:
        b.set_page_load_timeout(20)
        try:
            b.get("http://example.com/")
        except Exception:
            pass  # a load error is what we want
        # Chromium's own error page, not example.com's.
        assert "Example Domain" not in b.page_source


fb.run(test_pages_at_both_sizes, test_nothing_but_loopback)
