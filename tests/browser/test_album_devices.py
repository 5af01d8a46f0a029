"""A shared folder with one download is for one device, in real browsers at
a phone's size: the phone that takes its first photo (in the viewer) then
takes every photo, the clip and the whole folder as a zip that unzip
accepts, and still browses it; a second phone, and curl on its own, get the
page (or the sentence) saying the link has ended. The photos and the clip
are the album_media fixture's."""

import hashlib
import os
import shutil
import subprocess
import tempfile

import ferry_browser as fb

SHOTS_FOR_DOCS = os.environ.get("FERRY_DOC_SCREENSHOTS")  # docs/ when refreshing them


def shoot(b, name):
    fb.screenshot(b, name)
    if SHOTS_FOR_DOCS:
        b.save_screenshot(os.path.join(SHOTS_FOR_DOCS, name + ".png"))


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def wait_download(folder, name):
    def done():
        path = os.path.join(folder, name)
        if not os.path.exists(path) or any(f.endswith(".crdownload") for f in os.listdir(folder)):
            return None
        return path
    return fb.wait_for(done, timeout=60, what="the download of " + name)


def media_folder():
    """A folder of the album_media fixture's photos and clip (copied: a
    shared folder's links to files elsewhere are not shown), or a skip."""
    media = os.environ.get("FERRY_TEST_MEDIA", "")
    names = ["photo.jpg", "rotated.jpg", "other.jpg", "clip.webm"]
    if not media or not all(os.path.exists(os.path.join(media, n)) for n in names):
        fb.skip("no album_media fixture (FERRY_TEST_MEDIA)")
    root = tempfile.mkdtemp(prefix="ferry-devices-")
    top = os.path.join(root, "Weekend")
    os.makedirs(top)
    for n in names:
        shutil.copyfile(os.path.join(media, n), os.path.join(top, n))
    return root, top


def test_a_one_download_folder_is_for_one_device():
    root, top = media_folder()
    ferry = fb.Ferry(["--downloads", "1", top], lines_expected=1)
    downloads = tempfile.mkdtemp(prefix="ferry-device-")
    try:
        link = ferry.lines[0]
        with fb.browser(fb.PHONE) as phone:
            phone.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
            phone.get(link)
            tiles = phone.find_elements("css selector", "#entries li[data-kind=image] img")
            assert len(tiles) == 3, len(tiles)
            # The first photo in the viewer makes this phone the link's one device...
            phone.find_element("css selector", "#entries li[data-kind=image] a").click()
            fb.wait_for(lambda: phone.execute_script(
                "const i = document.querySelector('#viewer img.shown'); return i && i.complete && i.naturalWidth > 0"),
                what="the photo in the viewer")
            # ...which then takes every photo and the clip (the browser's own
            # downloads, with its cookie) and the whole folder.
            for n in ("photo.jpg", "rotated.jpg", "other.jpg", "clip.webm"):
                phone.get(link + n + "?download")
                got = wait_download(downloads, n)
                assert sha256(got) == sha256(os.path.join(top, n)), n
            phone.get(link)
            phone.find_element("partial link text", "Download all (.zip)").click()
            got = wait_download(downloads, "Weekend.zip")
            subprocess.run(["unzip", "-tq", got], check=True, timeout=30)
            names = sorted(subprocess.run(["unzip", "-Z1", got], check=True, capture_output=True, text=True,
                                          timeout=30).stdout.split("\n")[:-1])
            assert names == ["Weekend/", "Weekend/clip.webm", "Weekend/other.jpg", "Weekend/photo.jpg",
                             "Weekend/rotated.jpg"], names

            # A second device opens the link: the page that says it has ended.
            with fb.browser(fb.PHONE) as second:
                second.get(link)
                assert second.find_element("tag name", "h1").text == "This link has ended"
                body = second.find_element("tag name", "body").text
                assert "This link was for one device, and another device has used it." in body, body
                shoot(second, "album-second-device-phone")
            # So does a download tool on its own (no cookie: another client).
            code = subprocess.run(["curl", "-s", "-o", os.devnull, "-w", "%{http_code}", link + "photo.jpg"],
                                  capture_output=True, text=True, timeout=30).stdout
            assert code == "410", code
            # The first phone still browses and takes what it likes.
            phone.refresh()
            assert len(phone.find_elements("css selector", "#entries li[data-kind=image] img")) == 3
            phone.find_elements("css selector", "#entries li[data-kind=image] a")[2].click()
            fb.wait_for(lambda: phone.execute_script(
                "const i = document.querySelector('#viewer img.shown'); return i && i.complete && i.naturalWidth > 0"),
                what="another photo in the viewer")
    finally:
        ferry.stop()
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(downloads, ignore_errors=True)



fb.run(test_a_one_download_folder_is_for_one_device)
