"""A 1,000-photo folder's page, and 200 HEIC photos' thumbnails, side by side.

Run as `scripts/bench.sh album-page [RUNS]` (default 3). The photos are the
album suites' own, made by tests/media/make_media.sh: its 1600 x 1200 JPEG
(photo.jpg) copied 1,000 times and its iPhone-style HEIC (photo.heic, the
same size) copied 200 times into build/bench/album-page. Copies, not links:
every file has its own inode, so every contender makes every thumbnail.

Per run, in this order:

  page     `ferry --headless` sharing the 1,000-photo folder with a fresh,
           empty picture cache, the page opened at once (the folder scanner
           making thumbnails ahead meanwhile, as when a link is opened right
           after it was shared):
           - the page's HTML: curl's time to its last byte (Accept: text/html),
             median of 9 after one untimed request (the page a browser
             gets: its first 120 rows; and the page with every row,
             `?all`, as a browser without JavaScript follows its link); HFS 3 (npm "hfs", via
             /work/shared/tools/hfs-peer.sh) answering its own listing of the
             same folder (`/~/api/get_file_list?uri=/`, JSON of 1,000 entries,
             the data its page draws from) beside it
           - headless Chromium at 390 x 844: from navigation start, when the
             first thumbnail and when every thumbnail on the first screen
             had arrived (each <img>'s load event, from a script added
             before the page's own), cold (fresh picture cache, fresh
             browser); then warm: a fresh browser (empty HTTP cache) once the
             server has all 1,000 thumbnails, and that browser, running
             already, opening the page 5 more times, each from about:blank
             with its HTTP cache emptied (the median); then, as this browser's floor
             on this machine, a fresh browser's first paint of a static page
             of 120 lines from Python's http.server
           - Ferry's CPU time (user + system) over the cold page load, and
             until all 1,000 thumbnails were made
  thumbs   all 1,000 thumbnails: Ferry (fresh cache, ?thumb with 4 parallel
           connections, as album_bench.py) beside `vipsthumbnail -s 400` as
           2 processes
  heic     200 HEIC photos the same way, and ImageMagick's `convert
           -thumbnail 400x400`, 2 at a time, beside them

Prints Markdown with medians and ratios; with --doc writes it there.
With --page-only, only the page part runs (each run's figures and their
medians, printed; no doc written), for comparing two ferry binaries.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))
import album_bench  # noqa: E402  (time_ferry, time_vips, time_magick, ferry_cpu)

HFS_PEER = "/work/shared/tools/hfs-peer.sh"
SECTION = "\n## A 1,000-photo folder, and HEIC"
PAGE_PHOTOS = 1000
HEIC_PHOTOS = 200
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# Added before the page's own scripts: when each picture arrived, from
# navigation start (performance.now()). CDP's scripts are not held to the
# page's Content-Security-Policy.
RECORD_LOADS = """
window.__loads = [];
document.addEventListener('load', e => {
  if (e.target.tagName === 'IMG') window.__loads.push([e.target.currentSrc, performance.now()]);
}, true);
"""

# The first screen's thumbnails, and how many of them have arrived.
FIRST_SCREEN = """
const imgs = [...document.querySelectorAll('#entries img')].filter(i => {
  const r = i.getBoundingClientRect();
  return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
});
const done = imgs.filter(i => i.complete && i.naturalWidth > 0);
return [imgs.map(i => i.currentSrc || i.src), done.length];
"""


def make_folders(work):
    media = os.path.join(work, "media")
    subprocess.run([os.path.join(ROOT, "tests", "media", "make_media.sh"), media], check=True)
    page = os.path.join(work, "1000 photos")
    heic = os.path.join(work, "200 heic")
    for folder, source, n, ext in ((page, "photo.jpg", PAGE_PHOTOS, "jpg"), (heic, "photo.heic", HEIC_PHOTOS, "heic")):
        os.makedirs(folder, exist_ok=True)
        for i in range(n):
            out = os.path.join(folder, "IMG_%04d.%s" % (i + 1, ext))
            if not os.path.exists(out):
                shutil.copyfile(os.path.join(media, source), out)
        for f in os.listdir(folder):  # into the page cache: every contender reads from memory
            with open(os.path.join(folder, f), "rb") as fh:
                fh.read()
    files = lambda d: sorted(os.path.join(d, f) for f in os.listdir(d))  # noqa: E731
    return page, files(page), files(heic)


def curl_total(url, accept="text/html"):
    out = subprocess.run(["curl", "-sS", "--noproxy", "*", "-o", "/dev/null", "-H", "Accept: " + accept,
                          "-w", "%{http_code} %{time_total}", url], check=True, stdout=subprocess.PIPE, text=True)
    code, total = out.stdout.split()
    if code != "200":
        sys.exit("album page bench: %s answered %s" % (url, code))
    return float(total)


def median_of(url, n=9, accept="text/html"):
    curl_total(url, accept)
    return statistics.median(curl_total(url, accept) for _ in range(n))


def start_ferry(ferry, folder, cache):
    env = dict(os.environ, XDG_CACHE_HOME=cache, HOME=cache)
    proc = subprocess.Popen([ferry, "--headless", "--bind", "127.0.0.1", "--port", "0", folder],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    return proc, proc.stdout.readline().strip()


def thumbnails_made(cache):
    pictures = os.path.join(cache, "ferry", "pictures")
    try:
        return sum(1 for f in os.listdir(pictures) if f.endswith(".t"))
    except FileNotFoundError:
        return 0


def first_screen(b, link):
    """Navigates `b` to `link`: when the first and the last of the first
    screen's thumbnails arrived (ms after navigation start), and how many
    the first screen holds."""
    b.get(link)
    deadline = time.monotonic() + 120
    while True:
        srcs, done = b.execute_script(FIRST_SCREEN)
        if srcs and done == len(srcs):
            break
        if time.monotonic() > deadline:
            sys.exit("album page bench: the first screen's thumbnails did not all arrive")
        time.sleep(0.02)
    loads = dict((src, t) for src, t in b.execute_script("return window.__loads"))
    times = [loads[s] for s in srcs if s in loads]
    if len(times) != len(srcs):
        sys.exit("album page bench: a thumbnail arrived unseen")
    # Every one a picture made of the photo, not a type icon.
    for s in srcs[:3]:
        with NO_PROXY.open(s, timeout=30) as r:
            if r.headers.get("Content-Type") != "image/jpeg":
                sys.exit("album page bench: %s is not a JPEG thumbnail" % s)
    return min(times), max(times), len(srcs)


# Visits of the page in a browser already running, each after its HTTP
# cache was emptied.
REVISITS = 5


def open_page(fb, link, revisits=0):
    """Opens `link` in a fresh headless Chromium at a phone's size:
    first_screen()'s figures. With `revisits`, the same browser then leaves
    the page (about:blank), empties its HTTP cache and opens it again that
    many times: the median of those visits' first screens (ms) is added,
    what someone with the browser open already waits for."""
    with fb.browser(fb.PHONE) as b:
        b.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_LOADS})
        first, screen, shown = first_screen(b, link)
        if not revisits:
            return first, screen, shown
        again = []
        for _ in range(revisits):
            b.get("about:blank")
            b.execute_cdp_cmd("Network.clearBrowserCache", {})
            again.append(first_screen(b, link)[1])
        return first, screen, shown, statistics.median(again)


# A static page as long as the folder page's first screen (a title and
# 120 lines, no picture, no script), from Python's own http.server.
STATIC_PAGE = (b"<!doctype html><meta name=viewport content='width=device-width'><title>floor</title>"
               + b"".join(b"<p>line %d</p>" % i for i in range(120)))


def browser_floor(fb):
    """A fresh headless Chromium's first paint of STATIC_PAGE (ms after
    navigation start): what this browser on this machine needs for any
    page, which no server can take away from the page's own figures."""
    import http.server
    import threading

    class Static(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(STATIC_PAGE)))
            self.end_headers()
            self.wfile.write(STATIC_PAGE)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Static)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with fb.browser(fb.PHONE) as b:
            b.get("http://127.0.0.1:%d/" % server.server_port)
            deadline = time.monotonic() + 30
            while True:
                paint = b.execute_script(
                    "const p = performance.getEntriesByName('first-paint'); return p.length ? p[0].startTime : null")
                if paint is not None:
                    return paint
                if time.monotonic() > deadline:
                    sys.exit("album page bench: the static page was never painted")
                time.sleep(0.02)
    finally:
        server.shutdown()
        server.server_close()


def page_run(ferry, fb, folder, tmp):
    cache = tempfile.mkdtemp(dir=tmp, prefix="cache-")
    proc, link = start_ferry(ferry, folder, cache)
    try:
        cpu0 = album_bench.ferry_cpu(proc.pid)
        t0 = time.monotonic()
        first, screen, shown = open_page(fb, link)
        cpu_page = album_bench.ferry_cpu(proc.pid) - cpu0
        # All 1,000 made ahead by the folder scanner.
        while thumbnails_made(cache) < PAGE_PHOTOS:
            if time.monotonic() - t0 > 900:
                sys.exit("album page bench: the folder's thumbnails were not all made")
            time.sleep(0.2)
        made = time.monotonic() - t0
        cpu_all = album_bench.ferry_cpu(proc.pid) - cpu0
        html = median_of(link)
        html_all = median_of(link + "?all")
        warm_first, warm_screen, _, warm_open = open_page(fb, link, REVISITS)
        return dict(html=html, html_all=html_all, first=first, screen=screen, shown=shown, cpu_page=cpu_page,
                    made=made, cpu_all=cpu_all, warm_first=warm_first, warm_screen=warm_screen,
                    warm_open=warm_open, floor=browser_floor(fb))
    finally:
        # Its cache stays until the run ends (album_bench.stop_ferry() says why).
        proc.terminate()
        proc.wait()


def hfs_listing(folder):
    env = dict(os.environ, HFS_PEER_DIR=os.path.join(ROOT, "build", "hfs-peer"))
    with socket_port() as port:
        pass
    pid = subprocess.run([HFS_PEER, "start", str(port), folder], check=True, stdout=subprocess.PIPE, text=True,
                         env=env).stdout.split()[-1]
    try:
        return median_of("http://127.0.0.1:%d/~/api/get_file_list?uri=%%2F" % port, accept="application/json")
    finally:
        subprocess.run([HFS_PEER, "stop", pid], check=True, env=env)


class socket_port:
    def __enter__(self):
        import socket
        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        return self.s.getsockname()[1]

    def __exit__(self, *a):
        self.s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--doc")
    ap.add_argument("--command", default="scripts/bench.sh album-page")
    ap.add_argument("--page-only", action="store_true",
                    help="only the page in Chromium (cold and warm), each run's figures and their medians; "
                         "writes no doc")
    a = ap.parse_args()
    os.environ["FERRY_BINARY"] = a.ferry
    import ferry_browser as fb
    work = os.path.join(ROOT, "build", "bench", "album-page")
    os.makedirs(work, exist_ok=True)
    folder, page_files, heic_files = make_folders(work)
    tmp = tempfile.mkdtemp(dir=work, prefix="run-")
    pages, hfs, thumbs, heic = [], [], {"ferry": [], "vips": []}, {"ferry": [], "vips": [], "magick": []}
    if a.page_only:
        for r in range(a.runs):
            pages.append(page_run(a.ferry, fb, folder, tmp))
            print("run %d: %s" % (r + 1, {k: round(v, 3) for k, v in pages[-1].items()}), file=sys.stderr)
        shutil.rmtree(tmp)
        for k in ("html", "html_all", "first", "screen", "warm_first", "warm_screen", "warm_open", "floor",
                  "cpu_page"):
            print("%s: median %.3f (runs %s)" % (k, statistics.median(p[k] for p in pages),
                                                ", ".join("%.3f" % p[k] for p in pages)))
        return
    for r in range(a.runs):
        pages.append(page_run(a.ferry, fb, folder, tmp))
        hfs.append(hfs_listing(folder))
        e, _ = album_bench.time_ferry(a.ferry, page_files, tmp)
        thumbs["ferry"].append(e)
        thumbs["vips"].append(album_bench.time_vips(page_files, tmp))
        e, _ = album_bench.time_ferry(a.ferry, heic_files, tmp)
        heic["ferry"].append(e)
        heic["vips"].append(album_bench.time_vips(heic_files, tmp))
        heic["magick"].append(album_bench.time_magick(heic_files, tmp))
        print("run %d: page %s; HFS listing %.1f ms; 1,000 thumbs ferry %.2f s vips %.2f s; "
              "200 HEIC ferry %.2f s vips %.2f s convert %.2f s" %
              (r + 1, {k: round(v, 3) for k, v in pages[-1].items()}, hfs[-1] * 1000, thumbs["ferry"][-1],
               thumbs["vips"][-1], heic["ferry"][-1], heic["vips"][-1], heic["magick"][-1]), file=sys.stderr)
    shutil.rmtree(tmp)
    med = lambda k: statistics.median(p[k] for p in pages)  # noqa: E731
    mt = {k: statistics.median(v) for k, v in thumbs.items()}
    mh = {k: statistics.median(v) for k, v in heic.items()}
    hfs_ms = statistics.median(hfs) * 1000
    html_ms = med("html") * 1000
    page = "\n".join([
        "| the 1,000-photo folder's page | median | goal |",
        "|---|---|---|",
        "| Ferry: the page's HTML, to its last byte (curl) | %.1f ms | < 50 ms |" % html_ms,
        "| Ferry: the page with all 1,000 rows (`?all`), to its last byte (curl) | %.1f ms | < 50 ms |" %
        (med("html_all") * 1000),
        "| HFS 3: its listing of the same folder (`get_file_list`, JSON), to its last byte | %.1f ms "
        "(Ferry %.2fx its speed) | |" % (hfs_ms, hfs_ms / html_ms),
        "| Chromium 390 x 844, cold: first thumbnail arrived | %.0f ms | |" % med("first"),
        "| Chromium 390 x 844, cold: the first screen's %d thumbnails all arrived | %.0f ms | < 2,000 ms |" %
        (pages[0]["shown"], med("screen")),
        "| Chromium 390 x 844, warm (server has them), a fresh browser (empty cache): first screen | %.0f ms "
        "| < 150 ms |" % med("warm_screen"),
        "| Chromium 390 x 844, warm, the page opened again in that browser, already running, its HTTP cache "
        "emptied first (median of %d visits): first screen | %.0f ms | < 150 ms |" % (REVISITS, med("warm_open")),
        "| Chromium 390 x 844, a fresh browser: first paint of a static page of 120 lines (no picture, "
        "no script) from Python's http.server, this browser's floor here | %.0f ms | |" % med("floor"),
        "| Ferry's CPU time over the cold page load | %.2f s | |" % med("cpu_page"),
        "| all 1,000 thumbnails made ahead by the folder scanner after the page opened | %.1f s, %.1f s of CPU | |" %
        (med("made"), med("cpu_all")),
    ])
    table = lambda title, m, n: "\n".join(  # noqa: E731
        ["| %s | median wall time | thumbnails/s | Ferry's speed relative to it |" % title, "|---|---|---|---|",
         "| Ferry `?thumb`, 4 parallel connections, cold cache | %.2f s | %.1f | 1.00x |" % (m["ferry"], n / m["ferry"]),
         "| `vipsthumbnail -s 400`, 2 processes | %.2f s | %.1f | %.2fx |" % (m["vips"], n / m["vips"],
                                                                           m["vips"] / m["ferry"])]
        + (["| ImageMagick `convert -thumbnail 400x400`, 2 at a time | %.2f s | %.1f | %.2fx |" %
            (m["magick"], n / m["magick"], m["magick"] / m["ferry"])] if "magick" in m else []))
    runs = lambda d: "; ".join("%s %s s" % (k, ", ".join("%.2f" % t for t in v)) for k, v in d.items())  # noqa: E731
    text = "\n\n".join([
        page,
        "Each run's figures: " + "; ".join(
            "run %d: HTML %.1f ms, first %.0f ms, first screen %.0f ms, warm %.0f ms, warm in a running browser "
            "%.0f ms, static page painted %.0f ms, all made %.1f s" %
            (i + 1, p["html"] * 1000, p["first"], p["screen"], p["warm_screen"], p["warm_open"], p["floor"],
             p["made"])
            for i, p in enumerate(pages)) + "; HFS listing " + ", ".join("%.1f ms" % (h * 1000) for h in hfs) + ".",
        table("all 1,000 photos (1600 x 1200 JPEG)", mt, PAGE_PHOTOS),
        "Each run: " + runs(thumbs) + ".",
        table("200 HEIC photos (1600 x 1200)", mh, HEIC_PHOTOS),
        "Each run: " + runs(heic) + ". vipsthumbnail's own speed relative to ImageMagick on these HEIC photos: "
        "%.2fx (both decode every pixel with libheif)." % (mh["magick"] / mh["vips"]),
    ])
    print(text)
    if a.doc:
        # This run's section replaces its last one; album_bench.py's part stays.
        kept = open(a.doc).read() if os.path.exists(a.doc) else ""
        kept = kept.split(SECTION)[0].rstrip("\n") + "\n"
        with open(a.doc, "w") as f:
            f.write(kept)
            f.write(SECTION + "\n\n")
            f.write("Command: `%s` (%d runs, medians; this machine has %d CPUs, and its other work was not "
                    "stopped). The ferry binary measured: `%s`.\n\n" % (a.command, a.runs, os.cpu_count(), a.ferry))
            f.write(text + "\n\n")
            f.write("The photos are tests/media/make_media.sh's: its 1600 x 1200 JPEG copied 1,000 times and its "
                    "HEIC (made by heif-enc from the same picture) copied 200 times, each copy its own file, so "
                    "every contender makes every thumbnail. Cold: Ferry just started with an empty picture cache, "
                    "the page opened at once while the folder scanner makes the folder's thumbnails ahead at the "
                    "lowest priority; a thumbnail the page asks for is made first, on the work pool's media lane. "
                    "A thumbnail counts as arrived at its `<img>`'s load event; the first screen is every tile "
                    "inside the 390 x 844 viewport. Warm: once all thumbnails "
                    "are in Ferry's picture cache, a new browser with an empty cache, then the same browser "
                    "left on about:blank, its HTTP cache emptied, and the page opened again (a phone's browser "
                    "is running already when a link is opened; the fresh browser's figure includes starting "
                    "its renderer, which the static page's row shows on its own). The page a browser gets carries the folder's first 120 rows "
                    "and a link to all of them; its script fetches the other 880 (`?rows=120`) and adds them "
                    "once the first screen's pictures are in, so they are not part of the first screen's time. HFS 3 makes no thumbnails without a plugin: it is beside Ferry "
                    "for the listing only. tests/bench/album_page_bench.py describes each figure.\n")


if __name__ == "__main__":
    main()
