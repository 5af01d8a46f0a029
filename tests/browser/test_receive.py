"""The receive page in a real browser: a phone picks two files and they land
byte-identical; an upload whose connection is cut mid-file resumes from the
server's byte and completes; an upload the computer cancels says so on the
page ("Cancelled on the computer.") and leaves nothing behind; while this
computer asks before accepting a new device, the page says it waits, then
sends once accepted or says it was declined, and a file over the size limit
is refused before it is sent; screenshots for docs/ at phone and desktop
size, light and dark."""

import hashlib
import json
import os
import re
import tempfile
import time
import urllib.parse

import ferry_browser as fb
from cut_proxy import CutProxy


def random_file(folder, name, size, seed):
    path = os.path.join(folder, name)
    block = hashlib.sha256(str(seed).encode()).digest() * 2048  # 64 KiB
    with open(path, "wb") as f:
        left = size
        while left > 0:
            f.write(block[:min(left, len(block))])
            block = hashlib.sha256(block[:64]).digest() * 2048
            left -= min(left, 65536)
    return path


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def rows(b):
    return b.execute_script(
        "return Array.from(document.querySelectorAll('#uploads li')).map("
        "li => [li.dataset.state, li.querySelector('.state').textContent])")


def shown_bytes(text):
    """The bytes a row's "5.7 MB of 6.3 MB · ..." says have arrived (or
    what "1.5 MB/s" says of a second)."""
    m = re.match(r"([\d.]+) (B|KB|MB|GB)", text)
    assert m, text
    return float(m.group(1)) * {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9}[m.group(2)]


def pick(b, paths):
    b.find_element("id", "files").send_keys("\n".join(paths))


def dark(b):
    b.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})


def test_phone_sends_two_files():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    photo = random_file(src, "IMG_2041.HEIC", 3 * 1024 * 1024 + 11, 1)
    video = random_file(src, "Birthday video <2024>.mov", 9 * 1024 * 1024, 2)
    ferry = fb.Ferry(["--receive", inbox], lines_expected=1)
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            assert b.title == "Send files to this computer"
            fb.screenshot(b, "receive-phone-empty")
            pick(b, [photo, video])
            fb.wait_for(lambda: [s for s, _ in rows(b)] == ["done", "done"], 60, lambda: "both files to be saved: %r" % rows(b))
            assert rows(b)[0][1] == "Saved", rows(b)
            fb.screenshot(b, "receive-phone")
            dark(b)
            fb.screenshot(b, "receive-phone-dark")
        for path in (photo, video):
            stored = os.path.join(inbox, os.path.basename(path))
            assert digest(stored) == digest(path), path
        assert sorted(os.listdir(inbox)) == sorted(os.path.basename(p) for p in (photo, video))

        # The same name again: saved under a new one, and the page says so.
        with fb.browser(fb.DESKTOP) as b:
            b.get(link)
            pick(b, [photo])
            fb.wait_for(lambda: [s for s, _ in rows(b)] == ["done"], 60, "the file to be saved")
            assert rows(b)[0][1] == "Saved as IMG_2041 (1).HEIC", rows(b)
            fb.screenshot(b, "receive-desktop")
        assert digest(os.path.join(inbox, "IMG_2041 (1).HEIC")) == digest(photo)
    finally:
        ferry.stop()


def test_cut_connection_resumes():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    size = 6 * 1024 * 1024
    big = random_file(src, "holiday.mp4", size, 3)
    ferry = fb.Ferry(["--receive", inbox], lines_expected=1)
    # Paced at 750 kB/s (8 s for the file), so the cut lands mid-file however
    # slowly a busy browser answers the checks before it.
    pace = 750_000
    proxy = CutProxy(urllib.parse.urlsplit(ferry.lines[0]).port, bytes_per_second=pace)
    try:
        link = "http://127.0.0.1:%d%s" % (proxy.port, urllib.parse.urlsplit(ferry.lines[0]).path)
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            pick(b, [big])

            def part_size():
                parts = [n for n in os.listdir(inbox) if n.endswith(".ferry-part")]
                return os.path.getsize(os.path.join(inbox, parts[0])) if parts else 0
            fb.wait_for(lambda: part_size() >= 1024 * 1024, 30, "a megabyte on the disk")
            fb.wait_for(lambda: "/s" in rows(b)[0][1], 10, "the page to show a speed")
            fb.screenshot(b, "receive-phone-sending")
            # What the row counts has come through the proxy, at the proxy's
            # pace: the computer's count, not the browser's, whose socket
            # buffers took megabytes the proxy had not let through.
            for i in range(4):
                if i:
                    time.sleep(0.3)
                text = rows(b)[0][1]
                assert shown_bytes(text) <= proxy.forwarded + 60_000, (text, proxy.forwarded)
                speed = re.search(r"([\d.]+) (B|KB|MB)/s", text)
                assert speed and shown_bytes(speed.group(0)) <= 2 * pace, text
            assert proxy.forwarded < size  # the cut still lands mid-file
            proxy.cut()
            fb.wait_for(lambda: rows(b)[0][0] == "waiting", 20, "the page to notice the cut")
            fb.screenshot(b, "receive-phone-resuming")
            fb.wait_for(lambda: rows(b)[0][0] == "done", 60, "the upload to finish after the cut")
        assert digest(os.path.join(inbox, "holiday.mp4")) == digest(big)
        assert os.listdir(inbox) == ["holiday.mp4"]
        # The second request went on from a byte the server had, not from 0.
        starts = [int(n) for n in re.findall(r"started receiving holiday\.mp4 \(.*? from byte (\d+)\)", ferry.stderr())]
        assert len(starts) >= 2 and starts[0] == 0 and starts[-1] > 0, ferry.stderr()
    finally:
        proxy.close()
        ferry.stop()


def test_cancelled_on_the_computer():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    big = random_file(src, "long-video.mp4", 8 * 1024 * 1024, 4)
    ferry = fb.Ferry(["--receive", inbox, "--json"], lines_expected=1, answers=True)
    try:
        with fb.browser(fb.PHONE) as b:
            # The phone's own uplink is slow (Chromium's throttling), so the
            # file is still on its way when the computer cancels it.
            b.execute_cdp_cmd("Network.enable", {})
            b.execute_cdp_cmd("Network.emulateNetworkConditions", {
                "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1_000_000})
            b.get(ferry.lines[0])
            pick(b, [big])

            def upload():
                for line in ferry.stderr().splitlines():
                    e = json.loads(line) if line.startswith("{") else {}
                    if e.get("event") == "transfer-started" and e.get("direction") == "upload":
                        return e
                return None
            started = fb.wait_for(upload, 20, "the upload to start")
            ferry.answer("cancel %d" % started["id"])
            fb.wait_for(lambda: rows(b) == [["failed", "Cancelled on the computer."]], 30,
                        lambda: "the page to say so, not %r" % rows(b))
            fb.screenshot(b, "receive-phone-cancelled")
            # Nothing is sent again, and nothing of it is kept.
            assert not b.execute_script("return Object.keys(localStorage).some(k => k.indexOf('ferry-upload ') === 0)")
        fb.wait_for(lambda: os.listdir(inbox) == [], 10, lambda: "an empty inbox, not %r" % os.listdir(inbox))
    finally:
        ferry.stop()


def light(b):
    b.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "light"}]})


def notice(b):
    return b.execute_script("var n = document.getElementById('notice'); return n.hidden ? '' : n.textContent")


def open_asks(ferry):
    """The asks ferry --ask printed on stderr so far: [(number, sentence)]."""
    return re.findall(r"ferry: ask (\d+): (.*?); answer ", ferry.stderr())


def test_ask_accept_decline_and_limit():
    src = tempfile.mkdtemp(prefix="ferry-src-")
    inbox = tempfile.mkdtemp(prefix="ferry-inbox-")
    photo = random_file(src, "IMG_3001.HEIC", 3_100_000, 4)
    note = random_file(src, "notes.txt", 5000, 5)
    huge = random_file(src, "film.mov", 6_000_000, 6)
    ferry = fb.Ferry(["--receive", inbox, "--ask", "--max-file-size", "5M"], lines_expected=1, answers=True)
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            limit = b.find_element("id", "limit")
            assert limit.is_displayed() and limit.text == "Files up to 5 MB are accepted.", limit.text
            pick(b, [photo, note])
            fb.wait_for(lambda: rows(b)[0][0] == "asking", 10, lambda: "the page to say it waits: %r" % rows(b))
            assert rows(b)[0][1] == "Waiting for this computer to accept…", rows(b)
            assert notice(b).startswith("Waiting for this computer to accept…"), notice(b)
            fb.screenshot(b, "receive-phone-asking")
            dark(b)
            fb.screenshot(b, "receive-phone-asking-dark")
            light(b)
            # Nothing is sent before the answer.
            assert os.listdir(inbox) == [], os.listdir(inbox)
            asks = fb.wait_for(lambda: open_asks(ferry), 10, "ferry to print the ask")
            assert len(asks) == 1 and asks[0][1].endswith("wants to send IMG_3001.HEIC (3.1 MB) and 1 more file"), asks
            ferry.answer("accept " + asks[0][0])
            fb.wait_for(lambda: [s for s, _ in rows(b)] == ["done", "done"], 60, lambda: "both files saved: %r" % rows(b))
            assert notice(b) == "", notice(b)
            # Accepted: the next file from this browser is not asked about.
            # Too large: refused before a byte is sent, in words.
            pick(b, [huge])
            fb.wait_for(lambda: rows(b)[2][0] == "failed", 20, lambda: "the large file to be refused: %r" % rows(b))
            assert rows(b)[2][1] == "This computer accepts files up to 5 MB: this one is larger.", rows(b)
            fb.screenshot(b, "receive-phone-too-large")
            assert len(open_asks(ferry)) == 1, ferry.stderr()
        for path in (photo, note):
            assert digest(os.path.join(inbox, os.path.basename(path))) == digest(path), path
        assert sorted(os.listdir(inbox)) == ["IMG_3001.HEIC", "notes.txt"], os.listdir(inbox)

        # Another phone (a browser of its own), declined.
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            dark(b)
            other = random_file(src, "other.jpg", 200_000, 7)
            pick(b, [other, note])
            fb.wait_for(lambda: rows(b) and rows(b)[0][0] == "asking", 10, lambda: "the page to wait: %r" % rows(b))
            asks = fb.wait_for(lambda: open_asks(ferry)[1:], 10, "ferry to print the second ask")
            ferry.answer("decline " + asks[0][0])
            fb.wait_for(lambda: [s for s, _ in rows(b)] == ["failed", "failed"], 20, lambda: "both refused: %r" % rows(b))
            assert rows(b)[0][1] == "This computer declined the files.", rows(b)
            assert rows(b)[1][1] == "Not sent: This computer declined the files.", rows(b)
            assert notice(b) == "This computer declined the files.", notice(b)
            fb.screenshot(b, "receive-phone-declined-dark")
            light(b)
            fb.screenshot(b, "receive-phone-declined")
        assert sorted(os.listdir(inbox)) == ["IMG_3001.HEIC", "notes.txt"], os.listdir(inbox)
        assert len(open_asks(ferry)) == 2, ferry.stderr()
    finally:
        ferry.stop()


fb.run(test_phone_sends_two_files, test_cut_connection_resumes, test_cancelled_on_the_computer,
       test_ask_accept_decline_and_limit)
