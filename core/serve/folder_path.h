#pragma once

// Where a request points inside a shared folder, as a pure function: the
// part of a link after its token ("/Photos/2024/IMG_0001.jpg") becomes a
// relative path of plain names, or a refusal. The first segment is the
// folder's name, for people (the token decides, as for a file); each later
// segment is percent-decoded on its own and must be a plain name:
// "", ".", "..", names with a backslash, NUL, control characters or a drive
// prefix ("C:") are a 400, hidden names a 404 unless the share shows them.
// The path is then opened below the shared folder (FolderRoot), which keeps
// it inside whatever this check let through.

#include <string>
#include <string_view>

namespace ferry {

struct FolderPath {
  enum Status {
    kOk,
    kBadRequest,
    kNotFound,
    kAddSlash,  // a folder's own link without its '/': redirect to it
  } status = kBadRequest;
  std::string rel;     // "sub/dir/file"; "" is the shared folder itself
  bool folder = false; // the link ends in '/': a folder's listing (or its zip)
};

// Limits: a name is at most 255 bytes (what every file system allows), a
// path at most 4,096 bytes and 64 names deep.
constexpr std::size_t kMaxNameBytes = 255;
constexpr std::size_t kMaxPathBytes = 4096;
constexpr std::size_t kMaxDepth = 64;

// `path` is RequestTarget::path of a folder share ("", "/", "/Photos/..").
FolderPath parseFolderPath(std::string_view path, bool showHidden);

// Left out of listings and zips unless the share says otherwise: dot-files
// and the files operating systems leave behind.
bool isHiddenName(std::string_view name);

// Whether `name` can be one file name on any system a recipient may use
// (and so a decoded link segment may name an entry).
bool isPlainName(std::string_view name);

}  // namespace ferry
