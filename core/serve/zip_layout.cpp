#include "zip_layout.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "calendar.h"

namespace ferry {
namespace {

constexpr std::uint32_t kMax32 = 0xFFFFFFFFu;
constexpr std::uint16_t kUtf8Names = 0x0800;
constexpr std::uint16_t kMadeByUnix = (3 << 8) | 63;  // Unix, spec 6.3
constexpr std::size_t kTimeExtra = 4 + 1 + 4;          // 0x5455: flags, mtime

void put16(std::string& o, std::uint32_t v) {
  o += static_cast<char>(v & 0xFF);
  o += static_cast<char>((v >> 8) & 0xFF);
}
void put32(std::string& o, std::uint32_t v) {
  put16(o, v & 0xFFFF);
  put16(o, v >> 16);
}
void put64(std::string& o, std::uint64_t v) {
  put32(o, static_cast<std::uint32_t>(v));
  put32(o, static_cast<std::uint32_t>(v >> 32));
}

// MS-DOS date and time, in local time as unzip tools read it, within the
// years the format can hold.
void dosTime(std::time_t t, std::uint16_t& time, std::uint16_t& date) {
  const std::tm tm = localTime(t);
  int year = tm.tm_year + 1900;
  if (year < 1980) {
    time = 0;
    date = (1 << 5) | 1;  // 1980-01-01
    return;
  }
  if (year > 2107) {
    time = (23 << 11) | (59 << 5) | 29;
    date = static_cast<std::uint16_t>((127 << 9) | (12 << 5) | 31);
    return;
  }
  time = static_cast<std::uint16_t>((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
  date = static_cast<std::uint16_t>(((year - 1980) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
}

std::uint32_t unixTime(std::time_t t) {
  if (t < 0) return 0;
  return static_cast<std::uint64_t>(t) > kMax32 ? kMax32 : static_cast<std::uint32_t>(t);
}

}  // namespace

void ZipLayout::add(std::string_view name, const FileInfo& info) {
  ZipEntry e;
  e.nameAt = static_cast<std::uint32_t>(names_.size());
  e.nameLength = static_cast<std::uint32_t>(name.size());
  e.folder = !name.empty() && name.back() == '/';
  e.mode = info.mode & 0777;
  e.file = info;
  if (e.folder) e.file.size = 0;
  names_.append(name);
  entries_.push_back(e);
}

std::size_t ZipLayout::localHeaderSize(std::size_t i) const {
  return 30 + entries_[i].nameLength + (zip64Local(i) ? 20 : 0) + kTimeExtra;
}

std::size_t ZipLayout::centralHeaderSize(std::size_t i) const {
  return 46 + entries_[i].nameLength + (zip64Central(i) ? 28 : 0) + kTimeExtra;
}

void ZipLayout::finish() {
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    entries_[i].offset = at;
    at += localHeaderSize(i) + entries_[i].file.size;
  }
  centralOffset_ = at;
  std::uint64_t cd = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) cd += centralHeaderSize(i);
  centralSize_ = cd;
  zip64End_ = entries_.size() >= 0xFFFF || centralOffset_ >= kMax32 || centralSize_ >= kMax32;
  total_ = centralOffset_ + centralSize_ + endSize();

  // FNV-1a over everything the bytes depend on but the CRCs, which follow
  // from the contents, which follow from (device, inode, size, mtime, ctime).
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&h](const void* p, std::size_t n) {
    auto b = static_cast<const unsigned char*>(p);
    for (std::size_t k = 0; k < n; ++k) h = (h ^ b[k]) * 0x100000001b3ull;
  };
  mix(names_.data(), names_.size());
  for (const ZipEntry& e : entries_) {
    std::uint64_t v[] = {e.file.size, e.file.mtimeNs, e.file.ctimeNs, e.file.inode, e.file.device, e.mode, e.nameLength};
    mix(v, sizeof v);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "\"z%016llx-%llx\"", static_cast<unsigned long long>(h),
                static_cast<unsigned long long>(total_));
  etag_ = buf;
}

std::size_t ZipLayout::entryAt(std::uint64_t at) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), at,
                             [](std::uint64_t a, const ZipEntry& e) { return a < e.offset; });
  return static_cast<std::size_t>(it - entries_.begin()) - 1;
}

void ZipLayout::appendLocalHeader(std::size_t i, std::uint32_t crc, std::string& o) const {
  const ZipEntry& e = entries_[i];
  const bool z64 = zip64Local(i);
  std::uint16_t time, date;
  dosTime(e.file.mtime, time, date);
  put32(o, 0x04034b50);
  put16(o, zip64Central(i) ? 45 : 20);  // version needed, as in the central header
  put16(o, kUtf8Names);
  put16(o, 0);  // stored
  put16(o, time);
  put16(o, date);
  put32(o, crc);
  put32(o, z64 ? kMax32 : static_cast<std::uint32_t>(e.file.size));  // compressed
  put32(o, z64 ? kMax32 : static_cast<std::uint32_t>(e.file.size));  // uncompressed
  put16(o, e.nameLength);
  put16(o, static_cast<std::uint32_t>((z64 ? 20 : 0) + kTimeExtra));
  o.append(name(i));
  if (z64) {
    put16(o, 0x0001);
    put16(o, 16);
    put64(o, e.file.size);  // uncompressed
    put64(o, e.file.size);  // compressed
  }
  put16(o, 0x5455);
  put16(o, 5);
  o += '\x01';  // mtime present
  put32(o, unixTime(e.file.mtime));
}

void ZipLayout::appendCentralHeader(std::size_t i, std::uint32_t crc, std::string& o) const {
  const ZipEntry& e = entries_[i];
  const bool z64 = zip64Central(i);
  std::uint16_t time, date;
  dosTime(e.file.mtime, time, date);
  put32(o, 0x02014b50);
  put16(o, kMadeByUnix);
  put16(o, z64 ? 45 : 20);
  put16(o, kUtf8Names);
  put16(o, 0);
  put16(o, time);
  put16(o, date);
  put32(o, crc);
  // All three fields go to the ZIP64 extra together when one needs it:
  // what Info-ZIP reads right after an entry of exactly 0xFFFFFFFF bytes.
  put32(o, z64 ? kMax32 : static_cast<std::uint32_t>(e.file.size));
  put32(o, z64 ? kMax32 : static_cast<std::uint32_t>(e.file.size));
  put16(o, e.nameLength);
  put16(o, static_cast<std::uint32_t>((z64 ? 28 : 0) + kTimeExtra));
  put16(o, 0);  // comment
  put16(o, 0);  // disk
  put16(o, 0);  // internal attributes
  const std::uint32_t type = e.folder ? 0040000 : 0100000;
  put32(o, ((type | e.mode) << 16) | (e.folder ? 0x10 : 0));
  put32(o, z64 ? kMax32 : static_cast<std::uint32_t>(e.offset));
  o.append(name(i));
  if (z64) {
    put16(o, 0x0001);
    put16(o, 24);
    put64(o, e.file.size);
    put64(o, e.file.size);
    put64(o, e.offset);
  }
  put16(o, 0x5455);
  put16(o, 5);
  o += '\x01';
  put32(o, unixTime(e.file.mtime));
}

void ZipLayout::appendEnd(std::string& o) const {
  const std::uint64_t n = entries_.size();
  if (zip64End_) {
    const std::uint64_t at = endOffset();
    put32(o, 0x06064b50);
    put64(o, 44);  // the record's size after this field
    put16(o, kMadeByUnix);
    put16(o, 45);
    put32(o, 0);  // this disk
    put32(o, 0);  // the directory's disk
    put64(o, n);
    put64(o, n);
    put64(o, centralSize_);
    put64(o, centralOffset_);
    put32(o, 0x07064b50);  // locator
    put32(o, 0);
    put64(o, at);
    put32(o, 1);  // disks
  }
  put32(o, 0x06054b50);
  put16(o, 0);
  put16(o, 0);
  put16(o, n >= 0xFFFF ? 0xFFFF : static_cast<std::uint32_t>(n));
  put16(o, n >= 0xFFFF ? 0xFFFF : static_cast<std::uint32_t>(n));
  put32(o, centralSize_ >= kMax32 ? kMax32 : static_cast<std::uint32_t>(centralSize_));
  put32(o, centralOffset_ >= kMax32 ? kMax32 : static_cast<std::uint32_t>(centralOffset_));
  put16(o, 0);  // comment
}

}  // namespace ferry
