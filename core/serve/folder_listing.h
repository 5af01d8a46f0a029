#pragma once

// The listing page of one level of a shared folder, as a pure function of
// its entries: breadcrumbs back to the shared folder, a zip button, sorting
// by name, size or date (links, so it works without JavaScript), one entry
// per row, or per tile of a grid of thumbnails when the folder holds
// pictures or clips, each one large link (a thumb on a phone), every name
// escaped. The page is resources/web/listing.html with ferry.css and
// album.js (the grid/list switch, the viewer, the rest of a long folder's
// rows) inlined. A long folder's page carries its first rows and a link to
// all of them; listing_rows.h makes the rows.
//
// Any thread (the work pool renders it).

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "folder_io.h"
#include "folder_totals.h"

namespace ferry {

struct ListingSort {
  enum Key { kName, kSize, kDate } key = kName;
  bool descending = false;
};

// "sort=size&order=asc" → its sort; unknown values fall back to by name.
// Without an order, sizes and dates sort largest and newest first.
ListingSort parseListingSort(std::string_view query);

struct ListingInput {
  std::string_view token;      // of the share
  std::string_view shareName;  // the shared folder's name
  std::string_view rel;        // this level below it, "" for the top
  ListingSort sort;
  bool everyRow = false;       // the page carries every row ("?all"), not the first ones
  bool unknownMore = false;    // the folder holds more than could be read
  std::string_view nonce;      // of the page's script (its Content-Security-Policy names it)
  std::string_view sharerName; // "Shared by …"; "" says nothing
  // Per entry, a sub-folder's cover: the name of the first picture inside
  // it, or "" for a folder icon. May be shorter than the entries.
  const std::vector<std::string>* covers = nullptr;
  // What this level holds all the way down (its "Download all" says so),
  // and per entry what a sub-folder holds; null or shorter when not known.
  const FolderTotals* totals = nullptr;
  const std::vector<std::optional<FolderTotals>>* folderTotals = nullptr;
};

// Which of a level's rows an answer carries. A folder of more than
// kFirstRows entries gets a page with its first rows (a screen's worth
// arrives and is laid out at once, however long the folder) and a link to
// the page with every row ("?all"), which works without JavaScript; the
// page's script fetches the rest ("?rows=N": the rows after the first N,
// in the same order, as list items only) and adds them.
struct ListingPart {
  enum Kind { kFirstRows, kEveryRow, kRowsAfter } kind = kFirstRows;
  std::size_t from = 0;  // kRowsAfter: rows before it are left out
};

// "all" → every row; "rows=120" → the rows after the first 120; neither →
// the first rows. False for a "rows" that is not a number.
bool parseListingPart(std::string_view query, ListingPart& part);

// Rows on a long folder's first page: more than a desktop's screen of the
// grid (about five tiles across and seven down) or of the list holds.
constexpr std::size_t kFirstRows = 120;

// "212 photos · 1.4 GB", "3 videos · 40 MB", "12 photos and videos · …",
// "7 files · …": what a download of this much carries, for people.
std::string describeTotals(const FolderTotals& t);

// Sub-folders given a cover on one page, and the entries read from each to
// find it: a look, not a walk.
constexpr std::size_t kMaxCovers = 48;
constexpr std::size_t kMaxCoverScan = 1000;

// The first picture (by name, as the folder's page sorts it) among a
// folder's entries, or "". Pictures `known_bad` says have none (they failed
// to decode) are passed over: a damaged first photo does not make its
// folder's cover a type icon.
std::string firstPicture(const std::vector<FolderEntry>& entries, bool showHidden,
                         const std::function<bool(const FolderEntry&)>& knownBad = {});

// Pictures at the top of a page loaded at once, not lazily: a phone's
// first screen of the grid (three across, six down) and a row more; the
// rest load as they come near the screen.
constexpr std::size_t kEagerPictures = 21;

// Rows shown on one page: enough for any folder a person browses; the zip
// has everything.
constexpr std::size_t kMaxListedEntries = 20000;

// Folders first, then by `sort`; names compare as people expect
// ("IMG_2" before "IMG_10", case aside).
void sortEntries(std::vector<FolderEntry>& entries, ListingSort sort);
bool naturalLess(std::string_view a, std::string_view b);

// Appends the page to `out`. `entries` must be sorted and filtered already.
void renderListing(const ListingInput& in, const std::vector<FolderEntry>& entries, std::string& out);

// "?sort=size&order=desc": the query of a link to this level in `sort`.
void appendSortQuery(ListingSort sort, std::string& out);

// "3.4 MB", "512 bytes": sizes as the page and the zip's name show them.
std::string humanSize(std::uint64_t bytes);

// <p class="sharer">Shared by NAME</p>, escaped; nothing for "".
void appendSharedBy(std::string_view name, std::string& out);

// A <time class="date"> element for a file's time: the datetime attribute
// for machines, "2 Dec 2026, 14:03" for people, in the sharer's local time.
void appendDates(std::string& out, std::time_t t);

}  // namespace ferry
