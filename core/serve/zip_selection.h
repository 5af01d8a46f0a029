#pragma once

// The files a recipient picked on a folder's page, as the zip's link names
// them: "?zip&f=IMG_0001.jpg&f=Day%202" (entries of that one level, files
// or folders, percent-encoded). Carried in the link itself, so a resume
// (curl -C -, aria2c, a browser's) asks for the very same zip; the
// request line's limit (8 KiB) bounds it, and the page says so before it
// gets there. Pure functions.
//
// Any thread.

#include <string>
#include <string_view>
#include <vector>

namespace ferry {

struct ZipSelection {
  enum Status { kAll, kSome, kBad } status = kAll;
  std::vector<std::string> names;  // kSome: sorted, each once
  std::string why;                 // kBad: a sentence for the recipient
};

// Reads the "f" parameters of a zip's query. None: the whole folder. A name
// that is empty, ".", "..", holds a '/' or '\\', or is badly encoded: kBad.
ZipSelection parseZipSelection(std::string_view query);

// Whether `name` (an entry directly in the zipped folder) was picked.
bool selects(const ZipSelection& s, std::string_view name);

}  // namespace ferry
