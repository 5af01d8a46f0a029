// libFuzzer harness: what the album code parses — a query string choosing a
// picture, or a folder page's order and rows (the order a page's links
// write is read back as the same order), a file name read back from the picture cache's folder, a cache
// file's bytes, an If-None-Match header. Checks that a name that parses is
// exactly the name of its key (one name per key: the cache cannot hold two
// files for one picture), and that an entry that unpacks is exactly the
// entry its picture packs to (no damaged bytes are ever served).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "folder_listing.h"
#include "picture_key.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)ferry::pictureAskOf(in);
  const ferry::ListingSort sort = ferry::parseListingSort(in);
  std::string query;
  ferry::appendSortQuery(sort, query);
  const ferry::ListingSort again = ferry::parseListingSort(std::string_view(query).substr(1));
  if (again.key != sort.key || again.descending != sort.descending) __builtin_trap();
  ferry::ListingPart part;
  if (ferry::parseListingPart(in, part) && part.kind == ferry::ListingPart::kRowsAfter &&
      part.from > 999'999'999)
    __builtin_trap();
  (void)ferry::etagMatches(in, "\"p1t-0123456789abcdef\"");
  if (auto key = ferry::parseCacheFileName(in)) {
    if (ferry::cacheFileName(*key) != in) __builtin_trap();
    if (ferry::pictureEtag(*key).size() != 22) __builtin_trap();
  }
  if (auto jpeg = ferry::unpackCacheEntry(in)) {
    if (jpeg->size() + ferry::kCacheTrailer != in.size()) __builtin_trap();
    if (ferry::packCacheEntry(*jpeg) != in) __builtin_trap();
  }
  return 0;
}
