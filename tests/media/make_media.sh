#!/usr/bin/env bash
# Makes the real media files the album suites look at, once per build
# folder: photos in every format Ferry makes thumbnails of, an iPhone-style
# HEIC and a photo that only its EXIF Orientation (6) turns upright, short
# H.264 MP4 and VP9 WebM clips, and the broken ones (a corrupt JPEG, a
# truncated HEIC, a 20,000 x 20,000 PNG, an empty MP4).
#
#   tests/media/make_media.sh OUT_DIR
#
# Tools (Debian): libvips-tools, imagemagick, libheif-examples, ffmpeg,
# libimage-exiftool-perl, python3 (all in scripts/setup.sh). Files already
# made by this version of the script are kept. Without a tool it says which
# and makes nothing: the suites that need the files then skip, saying so.
set -euo pipefail
out="${1:?usage: make_media.sh OUT_DIR}"
mkdir -p "$out"
out=$(cd "$out" && pwd)  # the making happens in a folder of its own
stamp="$out/.made-by-$(sha1sum "$0" | cut -c1-12)"
[ -f "$stamp" ] && exit 0
for tool in vips convert heif-enc ffmpeg exiftool python3; do
  command -v "$tool" >/dev/null || { echo "make_media.sh: $tool is not installed; no test media" >&2; exit 0; }
done
tmp=$(mktemp -d "$out/.making.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

# A 1600 x 1200 landscape photo with detail (plasma), and its formats.
convert -size 1600x1200 -seed 7 plasma:fractal -quality 90 photo.jpg
convert photo.jpg photo.png
vips copy photo.jpg photo.webp
vips tiffsave photo.jpg scan.tiff --compression jpeg
convert -size 320x240 -seed 3 plasma:fractal -seed 4 plasma:fractal -delay 50 anim.gif
# x265's fastest preset: seconds less per test run, the same HEIC to a decoder.
heif-enc -q 60 -p preset=ultrafast -o photo.heic photo.jpg >/dev/null 2>&1 ||
  heif-enc -q 60 -o photo.heic photo.jpg >/dev/null
# AVIF needs libheif's AV1 encoder; some builds lack it.
heif-enc -A -q 60 -o photo.avif photo.jpg >/dev/null 2>&1 || rm -f photo.avif
# A second, different photo of the same size (an "edited" version).
convert -size 1600x1200 -seed 99 plasma:fractal -quality 90 other.jpg

# Stored landscape (1200 x 800); EXIF Orientation 6 says "turn it a
# quarter clockwise": upright, it is portrait.
convert -size 1200x800 -seed 11 plasma:fractal -quality 90 rotated.jpg
exiftool -q -overwrite_original -n -Orientation=6 "-DateTimeOriginal=2019:07:14 10:31:02" rotated.jpg
# When photo.jpg was taken (its other formats say nothing): two dates for
# the page's date order.
exiftool -q -overwrite_original "-DateTimeOriginal=2021:03:02 08:15:00" photo.jpg

# Clips: 3 s of test pattern, H.264 in MP4 and VP9 in WebM.
# The MP4 says when it was recorded, as phones' clips do (creation_time, UTC).
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=25 -t 3 -c:v libx264 -preset veryfast \
  -pix_fmt yuv420p -metadata creation_time=2020-05-01T12:00:00Z clip.mp4
ffmpeg -v error -f lavfi -i testsrc=size=640x360:rate=25 -t 2 -c:v libvpx-vp9 -b:v 300k \
  -deadline realtime -cpu-used 8 clip.webm

# Broken: a JPEG that is garbage from its Huffman tables on, a HEIC cut in
# half, a PNG bomb (20,000 x 20,000 pixels in a small file), an empty MP4.
head -c 200 photo.jpg > corrupt.jpg
head -c 20000 /dev/urandom >> corrupt.jpg
head -c $(( $(stat -c %s photo.heic) / 2 )) photo.heic > truncated.heic
python3 - <<'PY'
import struct, zlib
w = h = 20000
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
row = b'\0' + b'\0' * (w // 8)  # 1-bit grey, filter 0
z = zlib.compressobj(9)
data = b''.join(z.compress(row) for _ in range(h)) + z.flush()
open('huge.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 1, 0, 0, 0, 0))
                             + chunk(b'IDAT', data) + chunk(b'IEND', b''))
PY
: > empty.mp4
printf 'Not a picture.\n' > notes.txt

mv -f ./* "$out/"
rm -f "$out"/.made-by-*
touch "$stamp"
