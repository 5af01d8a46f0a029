#pragma once

// The rows of a folder's listing: one <li> per entry (its link, its
// thumbnail or type icon, name, size and date), for the page itself and
// for the rows a long folder's page adds after it is shown ("?rows=N"),
// made alike so the page's script and styles cannot tell them apart.
//
// Any thread (the work pool renders them).

#include <cstddef>
#include <string>
#include <vector>

#include "folder_listing.h"

namespace ferry {

// Appends rows [begin, end) of `entries` (sorted and filtered already) to
// `out`. The first `eager` pictures among them are fetched as soon as the
// page names them; the others wait until they near the screen.
void appendListingRows(const ListingInput& in, const std::vector<FolderEntry>& entries, std::size_t begin,
                       std::size_t end, std::size_t eager, std::string& out);

// The answer to "?rows=N": the rows after the first `from` (up to the
// page's kMaxListedEntries), list items only, every picture lazy.
void renderListingRows(const ListingInput& in, const std::vector<FolderEntry>& entries, std::size_t from,
                       std::string& out);

}  // namespace ferry
