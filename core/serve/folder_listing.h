#pragma once

// The listing page of one level of a shared folder, as a pure function of
// its entries: breadcrumbs back to the shared folder, a zip button, sorting
// by name, size or date (links, so it works without JavaScript), one row per
// entry as one large link (a thumb on a phone), every name escaped. The page
// is resources/web/listing.html with resources/web/ferry.css inlined.
//
// Any thread (the work pool renders it).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "folder_io.h"

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
  bool unknownMore = false;    // the folder holds more than could be read
};

// Rows shown on one page: enough for any folder a person browses; the zip
// has everything.
constexpr std::size_t kMaxListedEntries = 20000;

// Folders first, then by `sort`; names compare as people expect
// ("IMG_2" before "IMG_10", case aside).
void sortEntries(std::vector<FolderEntry>& entries, ListingSort sort);
bool naturalLess(std::string_view a, std::string_view b);

// Appends the page to `out`. `entries` must be sorted and filtered already.
void renderListing(const ListingInput& in, const std::vector<FolderEntry>& entries, std::string& out);

// "3.4 MB", "512 bytes": sizes as the page and the zip's name show them.
std::string humanSize(std::uint64_t bytes);

}  // namespace ferry
