"""Thumbnails: Ferry's `?thumb` beside vipsthumbnail and ImageMagick, same run.

Run as `scripts/bench.sh album [FILES]` (default 200). Makes FILES distinct
12 MP camera-sized JPEGs (4000 x 3000: one ImageMagick plasma, plus fresh
vips gaussnoise per file, so no two files share their bytes), reads them
into the page cache, then times, RUNS times each, in this order per run:

  ferry    the real `ferry --headless` sharing every file as its own link (so
           nothing is made ahead by a folder scan), a fresh empty picture
           cache per run (cold), all `?thumb` fetched by curl with 4 parallel
           connections; every answer checked to be a JPEG of <= 400 px
  vips     `vipsthumbnail -s 400` as 2 processes, each given half the files
  magick   ImageMagick `convert -thumbnail 400x400` one file per process,
           2 at a time (xargs -P 2); in the first MAGICK_RUNS runs only
           (default 1: it takes ten minutes for 200 photos, and is compared
           with a goal of 5x where it measures over 20x)

and, in one more Ferry run before those, not timed (sampling costs CPU
time and holds the processes' memory maps' lock), the memory Ferry and its
picture helpers take (summed PSS) before, at its peak while making them
(sampled every 20 ms), 2 s after, and once the helpers have ended (30 s
without work). Then, with one `ferry --headless`
sharing the photos and a 1 GiB file (sparse: its pages come from memory, so
the figure is the server's, not the disk's), the 1 GiB download's speed
(curl to /dev/null) alone and while the thumbnails of all the photos are
being made (a cold cache, 4 parallel connections, as above), alternating,
DOWNLOADS times each; a download counts only if the thumbnails were still
being made when it ended. Prints a Markdown table of medians and ratios;
with --doc, writes it to that file.
"""
import argparse
import concurrent.futures
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

from bench import children_map  # the suite's own, beside this script

SIDE = 400


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def make_photos(folder, n):
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, "..", "base.v")
    if not os.path.exists(base):
        run(["convert", "-size", "4000x3000", "-seed", "5", "plasma:fractal", os.path.join(folder, "..", "base.png")])
        run(["vips", "copy", os.path.join(folder, "..", "base.png"), base])

    def one(i):
        out = os.path.join(folder, "IMG_%04d.jpg" % i)
        if os.path.exists(out):
            return
        noise = os.path.join(folder, "..", "noise%d.v" % i)
        run(["vips", "gaussnoise", noise, "4000", "3000", "--sigma", "12"])
        summed = os.path.join(folder, "..", "sum%d.v" % i)
        run(["vips", "add", base, noise, summed])
        run(["vips", "jpegsave", summed, out, "--Q", "88"])
        os.remove(noise)
        os.remove(summed)

    with concurrent.futures.ThreadPoolExecutor(2) as ex:
        list(ex.map(one, range(n)))
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".jpg"))[:n]
    for f in files:  # into the page cache: every contender reads from memory
        with open(f, "rb") as fh:
            while fh.read(1 << 20):
                pass
    return files


def pss_kb(pid):
    """A process's proportional set size: its own pages, and its share of
    pages it maps with others (the picture helpers map the same libraries,
    which their summed VmRSS would count once per helper)."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:  # a helper that ended meanwhile
        pass
    return 0


def children(pid):
    """Ferry's live child processes: its ferry-pictures helpers."""
    return children_map().get(pid, [])


def own_cpu(pid, waited_for=True):
    """utime + stime (+ cutime + cstime: children already waited for), in clock ticks."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(x) for x in fields[11:15 if waited_for else 13])


def ferry_cpu(pid):
    """CPU seconds of Ferry and its helper processes: its own, that of the
    helpers it has waited for (cutime/cstime), and that of those still
    running (a child's time reaches cutime only once it is waited for)."""
    ticks = own_cpu(pid) + sum(own_cpu(k) for k in children(pid))
    return ticks / os.sysconf("SC_CLK_TCK")


def ferry_memory_kb(pid):
    """The memory Ferry and its helper processes take (summed PSS)."""
    return pss_kb(pid) + sum(pss_kb(k) for k in children(pid))


def start_ferry(ferry, paths, tmp):
    """`ferry --headless` sharing each of `paths` as its own link, with a
    fresh, empty picture cache: the process, the links in order, the cache."""
    cache = tempfile.mkdtemp(dir=tmp, prefix="cache-")
    env = dict(os.environ, XDG_CACHE_HOME=cache, HOME=cache)
    proc = subprocess.Popen([ferry, "--headless", "--bind", "127.0.0.1", "--port", "0"] + paths,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    links = [proc.stdout.readline().strip() for _ in paths]
    time.sleep(0.5)
    return proc, links, cache


# curl fetching every link's ?thumb, 4 at a time, from a --config file
# (thumbs_config()).
THUMBS_CURL = ["curl", "-sS", "--fail", "--noproxy", "*", "--parallel", "--parallel-max", "4", "--config"]


def thumbs_config(links, outdir):
    """A curl config fetching each link's ?thumb into outdir/<index>.jpg."""
    config = os.path.join(outdir, "curl.conf")
    with open(config, "w") as f:
        for i, link in enumerate(links):
            f.write('url = "%s?thumb"\noutput = "%s/%d.jpg"\n' % (link, outdir, i))
    return config


def fetch_thumbs(pid, links, tmp):
    """Every link's ?thumb fetched by curl from Ferry (process `pid`), each
    answer checked to be a JPEG of at most 400 px (a type icon would be
    SVG): curl's wall time and Ferry's CPU time meanwhile."""
    outdir = tempfile.mkdtemp(dir=tmp, prefix="ferry-out-")
    config = thumbs_config(links, outdir)
    cpu0 = ferry_cpu(pid)
    t0 = time.monotonic()
    run(THUMBS_CURL + [config])
    elapsed = time.monotonic() - t0
    cpu = ferry_cpu(pid) - cpu0
    sizes = run(["vipsheader", "-f", "width"] + [os.path.join(outdir, "%d.jpg" % i) for i in range(len(links))])
    widths = [int(w) for w in sizes.stdout.split()]
    if len(widths) != len(links) or max(widths) > SIDE:
        sys.exit("album bench: ferry's answers are not all 400 px JPEGs")
    return elapsed, cpu


# What a contender wrote (thumbnails, Ferry's picture cache) stays in the
# run's folder until the run ends (main() removes it), not deleted after
# each: files deleted by the thousand are "recently deleted" inodes to ext4
# for a while, and it searches past each of them for every file created
# next, up to a millisecond of kernel time per file here, a cost that would
# land on whichever contender comes next, not on the one that deleted them.
def stop_ferry(proc):
    proc.terminate()
    proc.wait()


def time_ferry(ferry, files, tmp):
    """One timed run, with nothing watching Ferry meanwhile: the wall time
    and Ferry's CPU time."""
    proc, links, _ = start_ferry(ferry, files, tmp)
    elapsed, cpu = fetch_thumbs(proc.pid, links, tmp)
    stop_ferry(proc)
    return elapsed, cpu


class PeakMemory:
    """The memory Ferry and its helpers take (KiB): `before` on entering
    the with-block, `peak` over it, sampled every 20 ms."""

    def __init__(self, pid):
        self.pid = pid

    def __enter__(self):
        self.before = self.peak = ferry_memory_kb(self.pid)
        self.stop = threading.Event()
        self.sampler = threading.Thread(target=self.sample)
        self.sampler.start()
        return self

    def sample(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, ferry_memory_kb(self.pid))
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.stop.set()
        self.sampler.join()


def ferry_memory(ferry, files, tmp):
    """The memory Ferry and its helpers take while making the thumbnails,
    in a run of its own that is not timed: sampling the processes' PSS
    every 20 ms costs CPU time and holds their memory maps' lock, which a
    timed run would pay for. Before, peak, 2 s after, and once the helpers
    have ended, in KiB."""
    proc, links, _ = start_ferry(ferry, files, tmp)
    with PeakMemory(proc.pid) as memory:
        fetch_thumbs(proc.pid, links, tmp)
    time.sleep(2)
    after = ferry_memory_kb(proc.pid)
    # The helpers end after 30 s without work, and hand their memory back.
    deadline = time.monotonic() + 60
    while children(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    ended = ferry_memory_kb(proc.pid)
    stop_ferry(proc)
    return memory.before, memory.peak, after, ended


def download_speed(url):
    """One download of url to /dev/null by curl: bytes per second."""
    out = run(["curl", "-sS", "--fail", "--noproxy", "*", "-o", "/dev/null", "-w", "%{size_download} %{time_total}", url])
    size, secs = out.stdout.split()
    return int(size) / float(secs)


def time_download_meanwhile(ferry, files, tmp, downloads):
    """The 1 GiB download's speed alone and while thumbnails are made: two
    lists of bytes/s, alternating alone / meanwhile; each meanwhile download
    started 1 s into the thumbnails and ended before they did."""
    big = os.path.join(tmp, "big.bin")
    with open(big, "wb") as f:
        f.truncate(1 << 30)
    alone, meanwhile = [], []
    for _ in range(downloads):
        proc, links, _ = start_ferry(ferry, [big] + files, tmp)
        big_link, links = links[0], links[1:]
        download_speed(big_link)  # the file's pages into the cache, the connection path warm
        alone.append(download_speed(big_link))
        outdir = tempfile.mkdtemp(dir=tmp, prefix="ferry-out-")
        thumbs = subprocess.Popen(THUMBS_CURL + [thumbs_config(links, outdir)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        time.sleep(1)
        speed = download_speed(big_link)
        if thumbs.poll() is None:
            meanwhile.append(speed)
        else:
            print("album bench: the thumbnails were done before the download; not counted", file=sys.stderr)
        _, err = thumbs.communicate()
        if thumbs.returncode != 0:
            sys.exit("album bench: fetching the thumbnails failed: %s" % err.decode(errors="replace"))
        stop_ferry(proc)
    os.remove(big)
    if not meanwhile:
        sys.exit("album bench: no download ended while thumbnails were being made (too few photos?)")
    return alone, meanwhile


def time_vips(files, tmp):
    outdir = tempfile.mkdtemp(dir=tmp, prefix="vips-out-")
    half = len(files) // 2
    t0 = time.monotonic()
    procs = [subprocess.Popen(["vipsthumbnail", "-s", str(SIDE), "-o", outdir + "/%s.jpg"] + part)
             for part in (files[:half], files[half:])]
    for p in procs:
        if p.wait() != 0:
            sys.exit("album bench: vipsthumbnail failed")
    elapsed = time.monotonic() - t0
    return elapsed


def time_magick(files, tmp):
    outdir = tempfile.mkdtemp(dir=tmp, prefix="magick-out-")
    script = 'convert "$1" -thumbnail %dx%d "%s/$(basename "$1")"' % (SIDE, SIDE, outdir)
    t0 = time.monotonic()
    subprocess.run(["xargs", "-0", "-P", "2", "-n", "1", "sh", "-c", script, "sh"],
                   input="\0".join(files).encode(), check=True)
    elapsed = time.monotonic() - t0
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ferry", required=True)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--downloads", type=int, default=5)
    ap.add_argument("--magick-runs", type=int, default=1)
    ap.add_argument("--doc")
    ap.add_argument("--command", default="scripts/bench.sh album")
    a = ap.parse_args()
    work = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "bench", "album")
    work = os.path.abspath(work)
    photos = make_photos(os.path.join(work, "photos"), a.files)
    tmp = tempfile.mkdtemp(dir=work, prefix="run-")
    n = len(photos)
    mb = sum(os.path.getsize(f) for f in photos) / 1e6
    times = {"ferry": [], "vips": [], "magick": []}
    cpus = []
    rss = ferry_memory(a.ferry, photos, tmp)
    for r in range(a.runs):
        e, c = time_ferry(a.ferry, photos, tmp)
        times["ferry"].append(e)
        cpus.append(c)
        times["vips"].append(time_vips(photos, tmp))
        if r < a.magick_runs:
            times["magick"].append(time_magick(photos, tmp))
        print("run %d: ferry %.2f s (%.2f s CPU), vipsthumbnail %.2f s%s" %
              (r + 1, times["ferry"][-1], cpus[-1], times["vips"][-1],
               ", convert %.2f s" % times["magick"][-1] if r < a.magick_runs else ""), file=sys.stderr)
    alone, meanwhile = time_download_meanwhile(a.ferry, photos, tmp, a.downloads)
    print("1 GiB download alone: %s MB/s; while thumbnails are made: %s MB/s" % (
        ", ".join("%.0f" % (s / 1e6) for s in alone), ", ".join("%.0f" % (s / 1e6) for s in meanwhile)),
        file=sys.stderr)
    shutil.rmtree(tmp)
    med = {k: statistics.median(v) for k, v in times.items() if v}
    peak, back, ended = ((m - rss[0]) / 1024 for m in rss[1:])
    cpu = os.cpu_count()
    lines = [
        "| contender | median wall time | thumbnails/s | Ferry's speed relative to it |",
        "|---|---|---|---|",
        "| Ferry `?thumb`, 4 parallel connections, cold cache | %.2f s | %.1f | 1.00x |" % (med["ferry"], n / med["ferry"]),
        "| `vipsthumbnail -s 400`, 2 processes | %.2f s | %.1f | %.2fx |" % (med["vips"], n / med["vips"], med["vips"] / med["ferry"]),
    ]
    if "magick" in med:
        lines.append("| ImageMagick `convert -thumbnail 400x400`, 2 at a time | %.2f s | %.1f | %.2fx |" %
                     (med["magick"], n / med["magick"], med["magick"] / med["ferry"]))
    table = "\n".join(lines)
    detail = ("%d distinct 4000 x 3000 JPEGs (%.0f MB in all, in the page cache), %d runs each (ImageMagick: "
              "%d, for it takes minutes), medians; "
              "this machine has %d CPUs. Ferry used %.1f ms of CPU time per thumbnail (median; its picture "
              "helper processes included). The memory Ferry and its picture helpers take (their summed PSS: "
              "the helpers map the same libraries, which summed VmRSS would count once per helper), measured in "
              "one more run that is not timed (sampling it slows it), grew by %.0f MB at its peak while making "
              "them (goal < 150 MB); 2 s after the last, with the helpers still "
              "waiting for more work, it was %.0f MB above where it started (mostly the decoders' libraries); "
              "once the helpers had ended (30 s without work), within %.0f MB (goal: back within 40 MB)." %
              (n, mb, a.runs, len(times["magick"]), cpu, 1000 * statistics.median(cpus) / n, peak, back, ended))
    runs = "Each run's wall time, in order: Ferry %s s; vipsthumbnail %s s; convert %s s." % tuple(
        ", ".join("%.2f" % t for t in times[k]) or "not run" for k in ("ferry", "vips", "magick"))
    d_alone, d_meanwhile = statistics.median(alone), statistics.median(meanwhile)
    download = "\n".join([
        "| a 1 GiB download from the same `ferry --headless` (curl) | median speed | relative to alone | goal |",
        "|---|---|---|---|",
        "| alone | %.0f MB/s | 1.00x | |" % (d_alone / 1e6),
        "| while the %d thumbnails are being made (cold cache, 4 parallel connections) | %.0f MB/s | %.2fx | >= 0.7x |"
        % (n, d_meanwhile / 1e6, d_meanwhile / d_alone),
    ])
    download_detail = ("%d downloads each, alternating, a fresh Ferry and an empty picture cache for each pair; "
                       "each download during the thumbnails started 1 s after them and ended before they did "
                       "(%d of %d did). Each: alone %s MB/s; meanwhile %s MB/s. The file is sparse, so its "
                       "pages come from memory and the figure is the server's, not the disk's." % (
                           a.downloads, len(meanwhile), a.downloads,
                           ", ".join("%.0f" % (s / 1e6) for s in alone),
                           ", ".join("%.0f" % (s / 1e6) for s in meanwhile)))
    print(table)
    print(detail)
    print(runs)
    print(download)
    print(download_detail)
    if a.doc:
        # album_page_bench.py's section, after this one, stays.
        old = open(a.doc).read() if os.path.exists(a.doc) else ""
        tail = old[old.index("\n## "):] if "\n## " in old else ""
        with open(a.doc, "w") as f:
            f.write("# Benchmarks: thumbnails\n\n")
            f.write("How fast Ferry makes the thumbnails of a folder of camera photos, beside the two tools "
                    "people use for the same job, measured in one run on the same files.\n\n")
            f.write("Command: `%s`\n\n" % a.command)
            f.write(table + "\n\n" + detail + " " + runs + "\n\n")
            f.write("The ferry binary measured: `%s`. The machine's other work was not stopped, so single "
                    "runs vary; the three contenders take turns within each run.\n\n" % a.ferry)
            f.write("Ferry's figure is end to end: HTTP requests from curl (`--parallel --parallel-max 4`) "
                    "to the real `ferry --headless` serving each file as its own link (a shared folder would "
                    "make them ahead in the background), a cold picture cache, each JPEG decoded with "
                    "shrink-on-load by libvips in a ferry-pictures helper process (one per thread of the "
                    "work pool's media lane: 2), encoded, written to the cache and sent. The tools write their thumbnails to a temporary folder. "
                    "Every run's Ferry answers are checked to be JPEGs of at most 400 px. "
                    "tests/bench/album_bench.py describes each contender.\n\n")
            f.write("Downloads go on while thumbnails are made:\n\n")
            f.write(download + "\n\n" + download_detail + "\n")
            f.write(tail)


if __name__ == "__main__":
    main()
