"""This computer's page keeps the phone's screen on while it sends files,
and lets it sleep again once they are sent: in Chromium, through a relay
that paces the upload (cut_proxy.py) so it lasts a few seconds. Where the
browser offers the Screen Wake Lock the page holds one exactly while the
upload runs (the lock is Chromium's own API, watched from outside: a
headless browser has no screen to keep on, so its request is recorded and
answered with a lock that records its release); where it does not (plain
HTTP on a LAN address), a silent looping video plays exactly while the
upload runs."""

import os
import tempfile
import urllib.parse

import ferry_browser as fb
from cut_proxy import CutProxy

# Runs before the page's own scripts: counts lock requests and releases.
WATCH_LOCK = """
window.locks = {requested: 0, released: 0};
Object.defineProperty(navigator, 'wakeLock', {configurable: true, value: {
  request: function (kind) {
    window.locks.requested++;
    window.locks.kind = kind;
    return Promise.resolve({release: function () { window.locks.released++; return Promise.resolve(); }});
  }}});
"""
# Runs before the page's own scripts: a browser without the Wake Lock API.
NO_LOCK = "delete Navigator.prototype.wakeLock;"


def upload(b, path):
    b.find_element("id", "files").send_keys(path)


def state(b):
    return b.execute_script("var li = document.querySelector('#uploads li'); return li ? li.dataset.state : ''")


def test_wake_lock_and_video_while_sending():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    clip = os.path.join(src, "clip.mov")
    with open(clip, "wb") as f:
        f.write(os.urandom(3 * 1024 * 1024))
    ferry = fb.Ferry(["--receive", inbox], lines_expected=1)
    proxy = CutProxy(urllib.parse.urlsplit(ferry.lines[0]).port, bytes_per_second=1_000_000)
    try:
        link = "http://127.0.0.1:%d%s" % (proxy.port, urllib.parse.urlsplit(ferry.lines[0]).path)
        with fb.browser(fb.PHONE) as b:
            b.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_LOCK})
            b.get(link)
            assert b.execute_script("return window.locks.requested") == 0  # nothing asked while idle
            upload(b, clip)
            fb.wait_for(lambda: state(b) not in ("", "done") and b.execute_script("return window.locks.requested"),
                        10, "a wake lock while the upload runs")
            assert b.execute_script("return window.locks.kind") == "screen"
            assert b.execute_script("return window.locks.released") == 0
            fb.wait_for(lambda: state(b) == "done", 60, "the upload to finish")
            fb.wait_for(lambda: b.execute_script("return window.locks.released") == 1, 10, "the lock let go")
            assert b.execute_script("return document.querySelector('video.awake')") is None

        os.rename(os.path.join(inbox, "clip.mov"), os.path.join(src, "first.mov"))
        with fb.browser(fb.PHONE) as b:
            b.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": NO_LOCK})
            b.get(link)
            assert b.execute_script("return 'wakeLock' in navigator") is False
            upload(b, clip)
            fb.wait_for(lambda: state(b) not in ("", "done") and b.execute_script(
                "var v = document.querySelector('video.awake'); return v && !v.paused && v.muted && v.loop"), 10,
                "the silent video playing while the upload runs")
            fb.wait_for(lambda: state(b) == "done", 60, "the upload to finish")
            fb.wait_for(lambda: b.execute_script("return document.querySelector('video.awake').paused"), 10,
                        "the video paused once idle")
        assert os.path.getsize(os.path.join(inbox, "clip.mov")) == 3 * 1024 * 1024
    finally:
        proxy.close()
        ferry.stop()


if __name__ == "__main__":
    fb.run(test_wake_lock_and_video_while_sending)
