"""This computer's page as a nearby device, in real browsers: two Chromium
pages are two devices of `ferry --headless --receive DIR --json`; a file
sent to one shows as a card on that page only and downloads intact; text
goes both ways (markup shown as text, 100 KB refused in words); a reload is
the same device; a page whose stream was cut reconnects by itself and shows
what was sent while it was away, once; a closed page is reported gone; a
page left mid-upload says on its return which file stopped where, and the
file picked again resumes. Screenshots at phone width, light and dark. (How
fast a push arrives is measured by tests/bench/bench_nearby.py, not here.)"""

import hashlib
import json
import os
import re
import tempfile
import time
import urllib.parse
import urllib.request

import ferry_browser as fb
from cut_proxy import CutProxy


def json_events(ferry, kind):
    out = []
    for line in ferry.stderr().splitlines():
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if e.get("event") == kind:
            out.append(e)
    return out


def cards(b):
    return b.execute_script(
        "return Array.from(document.querySelectorAll('#inbox .card')).map(c => ({"
        "kind: c.classList.contains('file') ? 'file' : 'text',"
        "text: (c.querySelector('.body') || c.querySelector('.name')).textContent,"
        "html: c.querySelector('.what').innerHTML,"
        "link: c.querySelector('a.download') ? c.querySelector('a.download').href : null,"
        "taken: c.classList.contains('taken-back'),"
        "note: c.querySelector('.gone-note') ? c.querySelector('.gone-note').textContent : null,"
        "img: c.querySelector('img') !== null}))")


def device_of(b):
    return int(fb.wait_for(lambda: b.execute_script("return document.body.dataset.device"), 10, "the hello event"))


def dark(b, on):
    b.execute_cdp_cmd("Emulation.setEmulatedMedia",
                      {"features": [{"name": "prefers-color-scheme", "value": "dark" if on else "light"}]})


def send_text(b, text):
    b.execute_script("document.getElementById('text').value = arguments[0]", text)
    b.find_element("css selector", "#text-form button[type=submit]").click()


def text_state(b):
    return b.execute_script("return document.getElementById('text-state').textContent")


def test_two_devices():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    photo = os.path.join(src, "IMG_2207.jpg")
    with open(photo, "wb") as f:
        f.write(os.urandom(2_500_000))
    ferry = fb.Ferry(["--receive", inbox, "--json"], lines_expected=1, answers=True)
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as one, fb.browser(fb.PHONE) as two:
            one.get(link)
            two.get(link)
            d1, d2 = device_of(one), device_of(two)
            assert d1 != d2
            fb.wait_for(lambda: {e["id"] for e in json_events(ferry, "device")} == {d1, d2}, 10, "two device events")
            for e in json_events(ferry, "device"):
                assert e["kind"] == "browser" and e["address"] == "127.0.0.1" and "Chrome" in e["name"], e

            # A file to the first only; its card downloads the very bytes.
            ferry.answer("send %d %s" % (d1, photo))
            got = fb.wait_for(lambda: cards(one), 10, "the file card")
            assert got[0]["kind"] == "file" and got[0]["text"] == "IMG_2207.jpg", got
            body = urllib.request.urlopen(got[0]["link"]).read()
            assert hashlib.sha256(body).hexdigest() == hashlib.sha256(open(photo, "rb").read()).hexdigest()
            # The thumbnail falls back to the plain icon where there is none.
            fb.wait_for(lambda: one.execute_script(
                "return document.querySelector('#inbox .card.file .thumb, #inbox .card.file .file-icon') !== null"), 5,
                "a picture or an icon on the card")

            # Text to the second only: markup stays text, the link is a link.
            ferry.answer("text %d <b>hi</b> see https://example.org/a" % d2)
            got = fb.wait_for(lambda: cards(two), 10, "the text card")
            assert got[0]["text"] == "<b>hi</b> see https://example.org/a", got
            assert "<b>" not in got[0]["html"] and "&lt;b&gt;" in got[0]["html"], got[0]["html"]
            assert two.execute_script("return document.querySelector('#inbox .body a').href") == "https://example.org/a"
            time.sleep(0.5)
            assert len(cards(one)) == 1 and len(cards(two)) == 1, (cards(one), cards(two))

            # Text from a page reaches the computer as it was typed.
            send_text(two, "<b>hi</b> from the phone")
            fb.wait_for(lambda: text_state(two) == "Sent to this computer.", 10, "the page to say it was sent")
            fb.wait_for(lambda: json_events(ferry, "text"), 5, "the text event")
            t = json_events(ferry, "text")[0]
            assert t["device"] == d2 and t["text"] == "<b>hi</b> from the phone", t
            send_text(two, "x" * (100 * 1024))
            fb.wait_for(lambda: "64 KB" in text_state(two), 5, "the refusal")
            assert text_state(two) == "Text up to 64 KB can be sent at once: this is longer."
            assert len(json_events(ferry, "text")) == 1

            # A reload is the same device, and shows what was sent to it.
            one.refresh()
            assert device_of(one) == d1
            fb.wait_for(lambda: len(cards(one)) == 1, 10, "the card after the reload")
            assert not json_events(ferry, "device-gone")
            ferry.answer("text %d Meet at the station at 6. The tickets: https://example.org/tickets/4411" % d1)
            fb.wait_for(lambda: len(cards(one)) == 2, 10, "the second card")
            time.sleep(4.5)  # the new card's highlight fades
            fb.screenshot(one, "nearby-phone")
            dark(one, True)
            fb.screenshot(one, "nearby-phone-dark")
            dark(one, False)

        # Both pages closed: both devices gone within the grace.
        fb.wait_for(lambda: {e["id"] for e in json_events(ferry, "device-gone")} == {d1, d2}, 20,
                    lambda: "both devices gone: %s" % ferry.stderr()[-500:])
    finally:
        ferry.stop()


def test_cut_stream_reconnects_and_gets_what_was_sent_meanwhile():
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    ferry = fb.Ferry(["--receive", inbox, "--json"], lines_expected=1, answers=True)
    proxy = CutProxy(urllib.parse.urlsplit(ferry.lines[0]).port)
    try:
        link = "http://127.0.0.1:%d%s" % (proxy.port, urllib.parse.urlsplit(ferry.lines[0]).path)
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            d = device_of(b)
            b.execute_script("window.sameLoad = true")  # gone if the page were reloaded
            ferry.answer("text %d before the tunnel" % d)
            fb.wait_for(lambda: len(cards(b)) == 1, 10, "the first card")

            def link_state():
                return b.execute_script("return document.getElementById('link-state').textContent")
            # Out of range: the stream is cut and reconnecting fails for now.
            proxy.hold(True)
            proxy.cut()
            fb.wait_for(lambda: link_state() == "Reconnecting…", 10, lambda: "Reconnecting…, not %r" % link_state())
            ferry.answer("text %d sent while the phone was away" % d)
            # Back in range: the page's own reconnect brings it, and the
            # first card only once.
            proxy.hold(False)
            fb.wait_for(lambda: len(cards(b)) == 2, 20, lambda: "the second card: %r" % cards(b))
            assert [c["text"] for c in cards(b)] == ["sent while the phone was away", "before the tunnel"], cards(b)
            fb.wait_for(lambda: link_state() == "Connected", 10, "Connected")
            assert b.execute_script("return window.sameLoad === true")
            assert device_of(b) == d
            assert not json_events(ferry, "device-gone") and not json_events(ferry, "error"), ferry.stderr()
    finally:
        proxy.close()
        ferry.stop()


def test_page_left_mid_upload_says_where_and_resumes():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    big = os.path.join(src, "big-video.mp4")
    with open(big, "wb") as f:
        f.write(os.urandom(8 * 1024 * 1024))
    ferry = fb.Ferry(["--receive", inbox], lines_expected=1)
    proxy = CutProxy(urllib.parse.urlsplit(ferry.lines[0]).port, bytes_per_second=2_000_000)
    try:
        link = "http://127.0.0.1:%d%s" % (proxy.port, urllib.parse.urlsplit(ferry.lines[0]).path)

        def part_size():
            parts = [n for n in os.listdir(inbox) if n.endswith(".ferry-part")]
            return os.path.getsize(os.path.join(inbox, parts[0])) if parts else 0
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            b.find_element("id", "files").send_keys(big)
            fb.wait_for(lambda: part_size() >= 1024 * 1024, 30, "a megabyte on the disk")
            # The page notes its progress (at most once a second) where it
            # finds it on its return: wait until it has noted some.
            fb.wait_for(lambda: b.execute_script(
                "for (var i = 0; i < localStorage.length; i++) {"
                "  var k = localStorage.key(i);"
                "  if (k.indexOf('ferry-unfinished ') !== 0) continue;"
                "  var all = JSON.parse(localStorage.getItem(k));"
                "  for (var f in all) if (all[f].sent > 0) return true;"
                "} return false;"), 10, "the page to note its progress")
            # The page is gone mid-file (a phone that killed the tab), and
            # with it the connection (bytes the proxy holds never arrive).
            proxy.cut()
            b.refresh()
            said = fb.wait_for(lambda: b.execute_script(
                "var n = document.getElementById('notice'); return n.hidden ? '' : n.textContent"), 10, "the notice")
            assert re.fullmatch(r"big-video\.mp4 stopped at \d+ %: choose it again to continue\.", said), said
            fb.screenshot(b, "nearby-phone-stopped")
            b.find_element("id", "files").send_keys(big)
            fb.wait_for(lambda: b.execute_script(
                "var li = document.querySelector('#uploads li'); return li && li.dataset.state === 'done'"), 60,
                "the upload to finish")
            assert b.execute_script("return document.getElementById('notice').hidden")
        assert hashlib.sha256(open(os.path.join(inbox, "big-video.mp4"), "rb").read()).digest() == \
            hashlib.sha256(open(big, "rb").read()).digest()
        starts = [int(n) for n in re.findall(r"started receiving big-video\.mp4 \(.*? from byte (\d+)\)", ferry.stderr())]
        assert len(starts) >= 2 and starts[-1] > 0, ferry.stderr()
    finally:
        proxy.close()
        ferry.stop()


if __name__ == "__main__":
    fb.run(test_two_devices, test_cut_stream_reconnects_and_gets_what_was_sent_meanwhile,
           test_page_left_mid_upload_says_where_and_resumes)
