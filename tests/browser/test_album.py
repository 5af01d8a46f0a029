"""A shared folder of photos and a clip as an album in a real browser at a
phone's size: a grid of pictures that load, a list one tap away that stays
chosen, a viewer that opens, goes on by arrow key and by swipe and closes
with Escape, a WebM clip that plays in the page, picked files as one zip
that unzip accepts and curl resumes; pages say who shares; a single file's link gives
a browser its page and curl, wget and aria2c the same bytes as ever, and the
page's picture does not use up a one-download link."""

import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.request

import ferry_browser as fb

SHOTS_FOR_DOCS = os.environ.get("FERRY_DOC_SCREENSHOTS")  # docs/ when refreshing them
FFMPEG = shutil.which("ffmpeg")


def ffmpeg(*args):
    subprocess.run([FFMPEG, "-loglevel", "error", "-y"] + list(args), check=True, timeout=60)


def make_album():
    """Real pictures and a real clip, made here: four JPEG photos (one
    portrait), a VP9 WebM clip, a text file and a sub-folder with a photo
    that cannot be decoded and one that can."""
    if not FFMPEG:
        fb.skip("ffmpeg is not installed (scripts/setup.sh installs it)")
    root = tempfile.mkdtemp(prefix="ferry-album-")
    top = os.path.join(root, "Holiday Photos")
    os.makedirs(os.path.join(top, "Day 2 \u2013 Old Town"))
    for i, (size, seed) in enumerate([("1600x1200", 3), ("900x1400", 7), ("1600x1000", 11), ("1200x1200", 19)]):
        ffmpeg("-f", "lavfi", "-i", "gradients=s=%s:seed=%d:n=4" % (size, seed), "-frames:v", "1", "-q:v", "3",
               os.path.join(top, "IMG_%04d.jpg" % (i + 1)))
    ffmpeg("-f", "lavfi", "-i", "gradients=s=1400x1000:seed=23:n=3", "-frames:v", "1", "-q:v", "3",
           os.path.join(top, "Day 2 \u2013 Old Town", "IMG_0104.jpg"))
    # The sub-folder's first photo by name cannot be decoded (a JPEG that is
    # garbage after its first bytes): its cover must be the next one.
    with open(os.path.join(top, "Day 2 \u2013 Old Town", "IMG_0104.jpg"), "rb") as f:
        head = f.read(200)
    with open(os.path.join(top, "Day 2 \u2013 Old Town", "IMG_0100.jpg"), "wb") as f:
        f.write(head + os.urandom(20000))
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15", "-t", "2", "-c:v", "libvpx-vp9", "-b:v", "150k",
           os.path.join(top, "Beach clip.webm"))
    with open(os.path.join(top, "notes.txt"), "w") as f:
        f.write("Ferry times: 9:10, 13:40\n")
    return root, top


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def shoot(b, name):
    fb.screenshot(b, name)
    if SHOTS_FOR_DOCS:
        b.save_screenshot(os.path.join(SHOTS_FOR_DOCS, name + ".png"))


def dark(b):
    b.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})


def decoded(b, img):
    return b.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", img)


def viewer_name(b):
    return b.execute_script("return document.getElementById('viewer').hidden ? null : "
                            "document.getElementById('viewer-name').textContent")


def swipe(b, from_x, to_x, y):
    """One finger across the screen, as a phone's touch screen sends it."""
    b.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": from_x, "y": y}]})
    for step in range(1, 6):
        x = from_x + (to_x - from_x) * step / 5
        b.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
    b.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


def test_grid_viewer_and_clip_on_a_phone():
    root, top = make_album()
    ferry = fb.Ferry([top], lines_expected=1)
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as b:
            b.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
            b.get(link)
            # A grid of square tiles that fits the phone, every photo and the
            # clip a decoded picture with its name as alt text, sized before
            # it arrives (nothing jumps).
            assert "grid" in b.find_element("id", "entries").get_attribute("class")
            # Download all says what it carries (once the folder is counted):
            # six photos, a clip and a text file, everything below included.
            all_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(top) for f in fs)
            fb.wait_for(lambda: b.find_elements("css selector", ".zip-all .carries") or b.refresh(),
                        what="Download all to say what it carries")
            carries = b.find_element("css selector", ".zip-all .carries").text
            assert carries == "8 files \u00b7 %.0f KB" % (all_bytes / 1000), (carries, all_bytes)
            # Who shares: this computer's name, when --name does not say.
            assert b.find_element("css selector", ".sharer").text == "Shared by " + socket.gethostname()
            assert b.execute_script("return document.documentElement.scrollWidth") <= fb.PHONE[0]
            tiles = b.find_elements("css selector", "#entries li[data-kind=image] img, #entries li[data-kind=video] img")
            assert len(tiles) == 5, len(tiles)
            for img in tiles:
                # A first screen's worth loads at once (tst_album_pages: the rest lazily).
                assert img.get_dom_attribute("loading") is None
                assert img.get_dom_attribute("width") == "400" and img.get_dom_attribute("height") == "400"
                assert img.get_attribute("alt") in ("IMG_0001.jpg", "IMG_0002.jpg", "IMG_0003.jpg", "IMG_0004.jpg",
                                                    "Beach clip.webm")
                fb.wait_for(lambda: decoded(b, img), what=lambda: "the picture of " + img.get_attribute("alt"))
            per_row = {t.location["y"] for t in tiles}
            assert len(per_row) < len(tiles), "tiles side by side, not one per row"
            # The sub-folder's tile shows its first photo that has a picture:
            # once the folder's thumbnails are made ahead, not the damaged
            # IMG_0100.jpg but IMG_0104.jpg, a JPEG thumbnail (400 px wide),
            # not a type icon.
            cover_src = lambda: b.find_element(  # noqa: E731
                "css selector", "#entries li[data-kind=folder] img").get_attribute("src")
            fb.wait_for(lambda: cover_src().endswith("/IMG_0104.jpg?thumb") or b.refresh(), timeout=60,
                        what=lambda: "the sub-folder's cover to pass over the damaged photo: " + cover_src())
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(cover_src(), timeout=30) as r:
                assert r.headers.get("Content-Type") == "image/jpeg", r.headers
            cover = b.find_element("css selector", "#entries li[data-kind=folder] img")
            fb.wait_for(lambda: decoded(b, cover), what="the sub-folder's cover")
            assert b.execute_script("return arguments[0].naturalWidth", cover) == 400
            shoot(b, "album-phone")

            # The list, one tap away, stays chosen on this device.
            b.find_element("css selector", ".views button[data-view=list]").click()
            assert "list" in b.find_element("id", "entries").get_attribute("class")
            b.refresh()
            assert "list" in b.find_element("id", "entries").get_attribute("class")
            assert b.find_element("css selector", ".views button[data-view=list]").get_attribute("aria-pressed") == "true"
            b.find_element("css selector", ".views button[data-view=grid]").click()

            # The viewer: a tap opens the original, full screen.
            b.find_element("css selector", "#entries li[data-kind=image] a").click()
            fb.wait_for(lambda: viewer_name(b) == "IMG_0001.jpg", what="the viewer")
            shown = b.find_element("css selector", "#viewer-stage img")
            assert shown.get_attribute("src").endswith("/IMG_0001.jpg?inline")
            fb.wait_for(lambda: decoded(b, shown), what="the photo in the viewer")
            assert b.execute_script("return arguments[0].naturalWidth", shown) == 1600
            download = b.find_element("id", "viewer-download")
            assert download.get_attribute("href").endswith("/IMG_0001.jpg?download")
            meta = b.find_element("id", "viewer-meta").text.replace("\u00a0", " ")
            assert "KB" in meta and "2 of 5" in meta, meta  # the clip sorts first
            # Each part of the line stays whole at a phone's width: "2 of 5"
            # on one line, not "2" at the end of one and "of 5" on the next.
            lines = b.execute_script("""
                const t = document.getElementById('viewer-meta').firstChild, r = document.createRange();
                const at = t.data.search(/2[ \\u00a0]of/);
                if (at < 0) return -1;
                r.setStart(t, at); r.setEnd(t, t.data.length);
                return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size""")
            assert lines == 1, lines
            assert b.switch_to.active_element == b.find_element("id", "viewer-close")
            shoot(b, "album-viewer-phone")
            # The portrait one stays a portrait.
            b.find_element("tag name", "body").send_keys("\ue014")  # arrow right
            fb.wait_for(lambda: viewer_name(b) == "IMG_0002.jpg", what="the next photo by arrow key")
            shown = b.find_element("css selector", "#viewer-stage img")
            fb.wait_for(lambda: decoded(b, shown), what="the portrait photo")
            box = shown.size
            assert box["height"] > box["width"], box
            b.find_element("tag name", "body").send_keys("\ue012")  # arrow left
            fb.wait_for(lambda: viewer_name(b) == "IMG_0001.jpg", what="the previous photo by arrow key")
            # A swipe to the left is the next one, to the right the one before.
            swipe(b, 320, 60, 400)
            fb.wait_for(lambda: viewer_name(b) == "IMG_0002.jpg", what="the next photo by swipe")
            swipe(b, 60, 320, 400)
            fb.wait_for(lambda: viewer_name(b) == "IMG_0001.jpg", what=lambda: "the previous photo by swipe, not " + str(viewer_name(b)))
            # Escape closes it and gives the focus back to the tile.
            b.find_element("tag name", "body").send_keys("\ue00c")
            fb.wait_for(lambda: viewer_name(b) is None, what="the viewer to close")
            assert b.switch_to.active_element.get_attribute("href").endswith("IMG_0001.jpg?inline")

            # The clip plays in the page, over Range requests, inline.
            b.find_element("css selector", "#entries li[data-kind=video] a").click()
            fb.wait_for(lambda: viewer_name(b) == "Beach clip.webm", what="the clip in the viewer")
            fb.wait_for(lambda: b.execute_script(
                "const v = document.querySelector('#viewer-stage video'); return v && v.readyState >= 1"),
                what="the clip's metadata")
            assert b.execute_script("return document.querySelector('#viewer-stage video').duration") > 1.5
            b.find_element("tag name", "body").send_keys("\ue00c")

        with fb.browser(fb.DESKTOP) as b:
            dark(b)
            b.get(link)
            tiles = b.find_elements("css selector", "#entries li[data-kind=image] img")
            for img in tiles:
                fb.wait_for(lambda: decoded(b, img), what="a picture on the desktop")
            shoot(b, "album-desktop-dark")
            b.find_element("css selector", "#entries li[data-kind=image] a").click()
            fb.wait_for(lambda: viewer_name(b) == "IMG_0001.jpg", what="the viewer on the desktop")
            fb.wait_for(lambda: decoded(b, b.find_element("css selector", "#viewer-stage img")), what="the photo")
            shoot(b, "album-viewer-desktop-dark")
        with fb.browser(fb.PHONE) as b:
            dark(b)
            b.get(link)
            for img in b.find_elements("css selector", "#entries li[data-kind=image] img"):
                fb.wait_for(lambda: decoded(b, img), what="a picture in the dark")
            shoot(b, "album-phone-dark")
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)


def wait_download(folder, name):
    def done():
        path = os.path.join(folder, name)
        if not os.path.exists(path) or any(f.endswith(".crdownload") for f in os.listdir(folder)):
            return None
        return path
    return fb.wait_for(done, timeout=60, what="the download of " + name)


def test_select_and_download_a_zip():
    root, top = make_album()
    ferry = fb.Ferry([top], lines_expected=1)
    downloads = tempfile.mkdtemp(prefix="ferry-picked-")
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as b:
            b.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
            b.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
            b.get(link)
            # A long press on a tile starts picking, with that tile picked.
            tile = b.find_element("css selector", "#entries li[data-kind=image] a")
            r = b.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.x + r.width / 2, "
                                 "r.y + r.height / 2]", tile)
            b.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": r[0], "y": r[1]}]})
            fb.wait_for(lambda: "selecting" in b.find_element("id", "entries").get_attribute("class"),
                        what="a long press to start picking")
            b.execute_cdp_cmd("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
            assert viewer_name(b) is None, "a long press is no tap"
            zip_button = b.find_element("id", "picked-zip")
            first = b.find_element("css selector", "#entries li[data-kind=image]")
            size = b.execute_script("return arguments[0].querySelector('.size').textContent", first)
            # What is picked, and how much it is, as the tile says it.
            assert zip_button.text == "Download 1 file (.zip)\n" + size, zip_button.text
            # Taps pick more: the portrait photo and the clip.
            for name in ("IMG_0002.jpg", "Beach clip.webm"):
                b.find_element("css selector", "#entries img[alt='%s']" % name).click()
            fb.wait_for(lambda: zip_button.text.startswith("Download 3 files (.zip)\n"), what=lambda: zip_button.text)
            picked_bytes = b.execute_script(
                "return Array.from(document.querySelectorAll('#entries li')).filter(function (li) {"
                " return li.querySelector('.pick:checked'); }).reduce(function (s, li) {"
                " return s + Number(li.dataset.bytes); }, 0)")
            want = "%.0f KB" % (picked_bytes / 1000) if picked_bytes >= 10000 else "%.1f KB" % (picked_bytes / 1000)
            assert zip_button.text.endswith("\n" + want), (zip_button.text, picked_bytes)
            assert viewer_name(b) is None
            shoot(b, "album-select-phone")
            href = zip_button.get_attribute("href")
            assert "?zip&f=" in href, href
            zip_button.click()
            got = wait_download(downloads, "Holiday Photos (selection).zip")
            subprocess.run(["unzip", "-tq", got], check=True, timeout=30)
            names = sorted(subprocess.run(["unzip", "-Z1", got], check=True, capture_output=True, text=True,
                                          timeout=30).stdout.split("\n")[:-1])
            assert names == ["Holiday Photos/", "Holiday Photos/Beach clip.webm", "Holiday Photos/IMG_0001.jpg",
                             "Holiday Photos/IMG_0002.jpg"], names
            # Done: the boxes go, a tap opens the viewer again.
            b.find_element("id", "picked-cancel").click()
            assert "selecting" not in b.find_element("id", "entries").get_attribute("class")
        # curl resumes the same link to the same bytes.
        whole = os.path.join(downloads, "whole.zip")
        part = os.path.join(downloads, "part.zip")
        subprocess.run(["curl", "-sSf", "-o", whole, href], check=True, timeout=60)
        assert sha256(whole) == sha256(got)
        with open(whole, "rb") as f, open(part, "wb") as g:
            g.write(f.read(os.path.getsize(whole) // 2))
        subprocess.run(["curl", "-sSf", "-C", "-", "-o", part, href], check=True, timeout=60)
        assert sha256(part) == sha256(whole)
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)


def fetch_with_tools(url, folder, name):
    """The file by curl, wget and aria2c, as each saves it: their sha256s."""
    got = []
    for tool, cmd in [
        ("curl", ["curl", "-sSfL", "-o", os.path.join(folder, "curl-" + name), url]),
        ("wget", ["wget", "-q", "-O", os.path.join(folder, "wget-" + name), url]),
        ("aria2c", ["aria2c", "-q", "--allow-overwrite=true", "-d", folder, "-o", "aria2c-" + name, url]),
    ]:
        if not shutil.which(cmd[0]):
            fb.skip(tool + " is not installed")
        subprocess.run(cmd, check=True, timeout=60)
        got.append(sha256(os.path.join(folder, tool + "-" + name)))
    return got


def test_single_file_page_and_bytes():
    root, top = make_album()
    photo = os.path.join(top, "IMG_0002.jpg")
    clip = os.path.join(top, "Beach clip.webm")
    ferry = fb.Ferry(["--name", "Anna's <laptop>", photo, clip], lines_expected=2)
    saved = tempfile.mkdtemp(prefix="ferry-tools-")
    try:
        photo_link, clip_link = ferry.lines
        with fb.browser(fb.PHONE) as b:
            b.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
            b.get(photo_link)
            caption = b.find_element("css selector", ".preview figcaption").text
            assert caption == "Tap the picture to see it full size.", caption
            assert b.find_element("tag name", "h1").text == "IMG_0002.jpg"
            assert b.find_element("css selector", ".sharer").text == "Shared by Anna's <laptop>"
            assert "Photo" in b.find_element("css selector", ".facts").text
            button = b.find_element("css selector", ".actions a.button")
            assert button.text.startswith("Download"), button.text
            assert button.get_attribute("href").endswith("/IMG_0002.jpg?download")
            assert button.size["height"] >= 48
            picture = b.find_element("css selector", ".preview img")
            assert picture.get_attribute("alt") == "IMG_0002.jpg"
            fb.wait_for(lambda: decoded(b, picture), what="the page's picture")
            assert b.execute_script("return document.documentElement.scrollWidth") <= fb.PHONE[0]
            shoot(b, "landing-phone")
            b.get(clip_link)
            video = b.find_element("css selector", ".preview video")
            assert video.get_attribute("playsinline") is not None
            fb.wait_for(lambda: b.execute_script("return arguments[0].readyState >= 1", video),
                        what="the clip on its page")
            dark(b)
            shoot(b, "landing-phone-clip-dark")
        # On a desktop, light and dark: the picture beside nothing it hides.
        with fb.browser(fb.DESKTOP) as b:
            b.get(photo_link)
            picture = b.find_element("css selector", ".preview img")
            fb.wait_for(lambda: decoded(b, picture), what="the page's picture on a desktop")
            caption = b.find_element("css selector", ".preview figcaption").text
            assert caption == "Click the picture to see it full size.", caption
            assert b.execute_script("return document.documentElement.scrollWidth") <= fb.DESKTOP[0]
            box = b.find_element("css selector", ".actions a.button").rect
            assert box["y"] + box["height"] <= fb.DESKTOP[1], ("the Download button is below the fold", box)
            shoot(b, "landing-desktop")
            dark(b)
            shoot(b, "landing-desktop-dark")
        # Download tools get the bytes, exactly.
        want = sha256(photo)
        assert fetch_with_tools(photo_link, saved, "photo.jpg") == [want] * 3
        assert fetch_with_tools(clip_link, saved, "clip.webm") == [sha256(clip)] * 3
        # A browser's own navigation asking for the download gets the bytes too.
        req = urllib.request.Request(photo_link + "?download", headers={
            "Accept": "text/html,*/*", "Sec-Fetch-Dest": "document", "User-Agent": "Mozilla/5.0"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.headers["Content-Disposition"].startswith("attachment")
            assert hashlib.sha256(r.read()).hexdigest() == want
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(saved, ignore_errors=True)


def test_page_does_not_use_up_a_one_download_link():
    root, top = make_album()
    photo = os.path.join(top, "IMG_0001.jpg")
    ferry = fb.Ferry(["--downloads", "1", photo], lines_expected=1)
    saved = tempfile.mkdtemp(prefix="ferry-once-")
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as b:
            b.get(link)
            picture = b.find_element("css selector", ".preview img")
            fb.wait_for(lambda: decoded(b, picture), what="the page's picture")
            b.refresh()
            fb.wait_for(lambda: decoded(b, b.find_element("css selector", ".preview img")), what="it again")
        # The page and its picture were no download: the one download is still there...
        out = os.path.join(saved, "once.jpg")
        subprocess.run(["curl", "-sSf", "-o", out, link], check=True, timeout=30)
        assert sha256(out) == sha256(photo)
        # ...and now it is used.
        code = subprocess.run(["curl", "-s", "-o", os.devnull, "-w", "%{http_code}", link],
                              capture_output=True, text=True, timeout=30).stdout
        assert code == "410", code
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(saved, ignore_errors=True)


fb.run(test_grid_viewer_and_clip_on_a_phone, test_select_and_download_a_zip, test_single_file_page_and_bytes,
       test_page_does_not_use_up_a_one_download_link)
