#pragma once

// FolderTotals: what one level of a shared folder holds, everything below
// it included — what its "Download all" carries. Counted by the folder
// scanner's walk, shown by the listing.
//
// A plain value; any thread.

#include <cstddef>
#include <cstdint>

namespace ferry {

struct FolderTotals {
  std::size_t files = 0;
  std::size_t photos = 0;  // pictures (what the page shows as one)
  std::size_t clips = 0;   // videos
  std::uint64_t bytes = 0;
  // Of the level itself, sub-folders left out: a page compares them with
  // what it reads to tell totals that are out of date.
  std::size_t ownFiles = 0;
  std::uint64_t ownBytes = 0;
};

}  // namespace ferry
