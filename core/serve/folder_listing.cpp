#include "folder_listing.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "calendar.h"
#include "folder_path.h"
#include "listing_rows.h"
#include "page_kind.h"
#include "page_template.h"
#include "request_target.h"
#include "web_assets.h"

namespace ferry {
namespace {

const PageTemplate& listingTemplate() {
  static const PageTemplate t(webAsset("listing.html"));
  return t;
}

void appendCount(std::string& out, std::size_t n, const char* one, const char* many) {
  out += std::to_string(n);
  out += ' ';
  out += n == 1 ? one : many;
}

}  // namespace

// A file's time both ways: for machines (the datetime attribute) and for
// people ("2 Dec 2026, 14:03"), in the sharer's local time — the recipient
// is nearby, in the same zone. One conversion for both.
void appendDates(std::string& out, std::time_t t) {
  const std::tm tm = localTime(t);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M", &tm);
  out += "<time class=\"date\" datetime=\"";
  out.append(buf, n);
  out += "\">";
  n = std::strftime(buf, sizeof buf, "%d %b %Y, %H:%M", &tm);
  std::string_view s(buf, n);
  if (s.size() > 1 && s[0] == '0') s.remove_prefix(1);  // "2 Dec", not "02 Dec"
  out += s;
  out += "</time>";
}

std::string describeTotals(const FolderTotals& t) {
  std::string out;
  if (t.files > 0 && t.photos == t.files) appendCount(out, t.files, "photo", "photos");
  else if (t.files > 0 && t.clips == t.files) appendCount(out, t.files, "video", "videos");
  else if (t.files > 0 && t.photos + t.clips == t.files) appendCount(out, t.files, "photo and video", "photos and videos");
  else appendCount(out, t.files, "file", "files");
  out += " \u00b7 ";
  out += humanSize(t.bytes);
  return out;
}

void appendSharedBy(std::string_view name, std::string& out) {
  if (name.empty()) return;
  out += "<p class=\"sharer small muted\">Shared by <span class=\"who\">";
  htmlEscape(name, out);
  out += "</span></p>";
}

ListingSort parseListingSort(std::string_view query) {
  ListingSort s;
  std::string_view key, order;
  findQueryParam(query, "sort", key);
  if (key == "size") s.key = ListingSort::kSize;
  else if (key == "date") s.key = ListingSort::kDate;
  findQueryParam(query, "order", order);
  s.descending = order.empty() ? s.key != ListingSort::kName : order == "desc";
  return s;
}

bool parseListingPart(std::string_view query, ListingPart& part) {
  part = ListingPart();
  std::string_view value;
  if (findQueryParam(query, "rows", value)) {
    // A count of rows, as the page's own link has it: digits only, and no
    // more of them than a row count can have.
    if (value.empty() || value.size() > 9 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    part.kind = ListingPart::kRowsAfter;
    std::from_chars(value.data(), value.data() + value.size(), part.from);
  } else if (findQueryParam(query, "all", value)) {
    part.kind = ListingPart::kEveryRow;
  }
  return true;
}

void appendSortQuery(ListingSort sort, std::string& out) {
  out += "?sort=";
  out += sort.key == ListingSort::kSize ? "size" : sort.key == ListingSort::kDate ? "date" : "name";
  out += "&order=";
  out += sort.descending ? "desc" : "asc";
}

bool naturalLess(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[j]);
    if (std::isdigit(x) && std::isdigit(y)) {
      // Compare digit runs by value: leading zeros aside, longer is larger.
      std::size_t i0 = i, j0 = j;
      while (i0 < a.size() && a[i0] == '0') ++i0;
      while (j0 < b.size() && b[j0] == '0') ++j0;
      std::size_t i1 = i0, j1 = j0;
      while (i1 < a.size() && std::isdigit(static_cast<unsigned char>(a[i1]))) ++i1;
      while (j1 < b.size() && std::isdigit(static_cast<unsigned char>(b[j1]))) ++j1;
      if (i1 - i0 != j1 - j0) return i1 - i0 < j1 - j0;
      int c = a.substr(i0, i1 - i0).compare(b.substr(j0, j1 - j0));
      if (c != 0) return c < 0;
      i = i1;
      j = j1;
      continue;
    }
    int lx = std::tolower(x), ly = std::tolower(y);
    if (lx != ly) return lx < ly;
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return a.size() - i < b.size() - j;
  return a < b;  // equal but for case or zeros: still a fixed order
}

void sortEntries(std::vector<FolderEntry>& entries, ListingSort sort) {
  auto less = [sort](const FolderEntry& x, const FolderEntry& y) {
    if (x.info.folder != y.info.folder) return x.info.folder;
    bool byName = sort.key == ListingSort::kName;
    if (!byName) {
      std::uint64_t a = sort.key == ListingSort::kSize ? x.info.size : x.info.mtimeNs;
      std::uint64_t b = sort.key == ListingSort::kSize ? y.info.size : y.info.mtimeNs;
      if (a != b) return sort.descending ? a > b : a < b;
      return naturalLess(x.name, y.name);
    }
    return sort.descending ? naturalLess(y.name, x.name) : naturalLess(x.name, y.name);
  };
  std::sort(entries.begin(), entries.end(), less);
}

std::string humanSize(std::uint64_t bytes) {
  if (bytes < 1000) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  const char* units[] = {"KB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes) / 1000;
  int u = 0;
  while (v >= 999.95 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
  return buf;
}

std::string firstPicture(const std::vector<FolderEntry>& entries, bool showHidden,
                         const std::function<bool(const FolderEntry&)>& knownBad) {
  const FolderEntry* best = nullptr;
  for (const FolderEntry& e : entries) {
    if (e.info.folder || (!showHidden && isHiddenName(e.name))) continue;
    const PageKind kind = pageKindOf(e.name);
    if (kind != PageKind::kPicture && kind != PageKind::kPictureByView) continue;
    if (best && !naturalLess(e.name, best->name)) continue;
    if (knownBad && knownBad(e)) continue;
    best = &e;
  }
  return best ? best->name : std::string();
}

void renderListing(const ListingInput& in, const std::vector<FolderEntry>& entries, std::string& out) {
  std::string_view here = in.rel.empty() ? in.shareName : in.rel.substr(in.rel.rfind('/') + 1);
  // The link of the shared folder's top: every other link is made from it.
  std::string top = "/";
  top += in.token;
  top += '/';
  appendPercentEncoded(top, in.shareName);
  top += '/';

  std::size_t folders = 0, files = 0, pictures = 0;
  std::uint64_t bytes = 0;
  for (const FolderEntry& e : entries) {
    if (e.info.folder) ++folders;
    else {
      ++files;
      bytes += e.info.size;
      if (hasThumbnailWorthShowing(pageKindOf(e.name))) ++pictures;
    }
  }
  // A folder of pictures or clips opens as a grid; the script remembers a
  // visitor's choice.
  const bool album = pictures > 0;
  // Rows on the page: a long folder's first ones, unless it asks for all.
  const std::size_t listed = std::min(entries.size(), kMaxListedEntries);
  const std::size_t shown = in.everyRow ? listed : std::min(listed, kFirstRows);

  listingTemplate().render(out, [&](std::string_view hole, std::string& o) {
    if (hole == "title" || hole == "heading") {
      htmlEscape(here, o);
    } else if (hole == "style") {
      o += webAsset("ferry.css");
    } else if (hole == "sharedBy") {
      appendSharedBy(in.sharerName, o);
    } else if (hole == "nonce") {
      o += in.nonce;  // base64url: nothing to escape
    } else if (hole == "script") {
      o += webAsset("album.js");
    } else if (hole == "view") {
      o += album ? "grid" : "list";
    } else if (hole == "zipName") {
      htmlEscape(here, o);
      o += ".zip";
    } else if (hole == "zipAll") {
      // What the zip carries, when the folder scanner has counted it.
      if (!in.totals) {
        o += "Download all (.zip)";
        return;
      }
      o += "<span>Download all (.zip)</span><span class=\"carries\">";
      o += describeTotals(*in.totals);
      o += "</span>";
    } else if (hole == "crumbs") {
      // Shared folder / sub / dir: each level a link but the last. At the
      // top the heading says it all.
      if (in.rel.empty()) return;
      std::string link = top;
      std::string_view rest = in.rel;
      std::string_view name = in.shareName;
      for (;;) {
        bool last = rest.empty();
        o += "<li>";
        if (last) {
          o += "<span aria-current=\"page\">";
          htmlEscape(name, o);
          o += "</span>";
        } else {
          o += "<a href=\"";
          htmlEscape(link, o);
          o += "\">";
          htmlEscape(name, o);
          o += "</a>";
        }
        o += "</li>";
        if (last) break;
        name = rest.substr(0, rest.find('/'));
        rest.remove_prefix(std::min(rest.size(), name.size() + 1));
        appendPercentEncoded(link, name);
        link += '/';
      }
    } else if (hole == "summary") {
      if (entries.empty()) {
        o += "Empty folder";
        return;
      }
      if (folders) appendCount(o, folders, "folder", "folders");
      if (folders && files) o += " &middot; ";
      if (files) {
        appendCount(o, files, "file", "files");
        o += ", ";
        o += humanSize(bytes);
      }
    } else if (hole == "sort") {
      struct Choice {
        ListingSort::Key key;
        const char* name;
        const char* label;
      } choices[] = {{ListingSort::kName, "name", "Name"}, {ListingSort::kSize, "size", "Size"},
                     {ListingSort::kDate, "date", "Date"}};
      for (const Choice& c : choices) {
        bool current = in.sort.key == c.key;
        // The current key's link turns its order round.
        bool descending = current ? !in.sort.descending : c.key != ListingSort::kName;
        o += "<a href=\"?sort=";
        o += c.name;
        o += "&amp;order=";
        o += descending ? "desc" : "asc";
        if (in.everyRow) o += "&amp;all";  // the page with every row stays so
        o += '"';
        if (current) o += " aria-current=\"true\"";
        o += '>';
        o += c.label;
        if (current) o += in.sort.descending ? " &#x2193;" : " &#x2191;";
        o += "</a>";
      }
    } else if (hole == "notice") {
      std::size_t more = entries.size() > kMaxListedEntries ? entries.size() - kMaxListedEntries : 0;
      if (!more && !in.unknownMore) return;
      o += "<p class=\"notice\">This folder holds more entries than one page shows: ";
      if (in.unknownMore) {
        o += "some are not listed here.";
      } else {
        o += std::to_string(more);
        o += " more are not listed here.";
      }
      o += " Download all (.zip) has every one of them.</p>";
    } else if (hole == "entries") {
      if (entries.empty()) {
        o += "<li class=\"empty\">This folder is empty.</li>";
        return;
      }
      appendListingRows(in, entries, 0, shown, kEagerPictures, o);
    } else if (hole == "more") {
      // A long folder's page stops after its first rows: a link to the page
      // with all of them, whose script fetches the rest instead.
      if (shown >= listed) return;
      std::string query;
      appendSortQuery(in.sort, query);
      o += "<p class=\"more\" id=\"more\"><a class=\"button secondary\" href=\"";
      htmlEscape(query + "&all", o);
      o += "\" data-rows=\"";
      htmlEscape(query + "&rows=" + std::to_string(shown), o);
      o += "\">Show all ";
      o += std::to_string(listed);
      o += " <span class=\"muted\">(";
      o += std::to_string(listed - shown);
      o += " more)</span></a></p>";
    }
  });
}

}  // namespace ferry
