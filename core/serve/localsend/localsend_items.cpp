#include "localsend_items.h"

#include <filesystem>

#include "folder_io.h"
#include "folder_walk.h"
#include "mime_types.h"
#include "random_token.h"

namespace ferry::localsend {
namespace {

std::string utf8(const std::filesystem::path& p) {
  const std::u8string s = p.u8string();
  return std::string(s.begin(), s.end());
}

std::filesystem::path fromUtf8(const std::string& s) { return std::filesystem::path(std::u8string(s.begin(), s.end())); }

}  // namespace

std::optional<std::vector<Sender::Item>> itemsFor(const std::vector<std::string>& paths, std::string* error) {
  std::vector<Sender::Item> items;
  bool tooMany = false;  // one file more than kMaxOfferFiles was found
  auto fail = [&](std::string sentence) -> std::optional<std::vector<Sender::Item>> {
    if (error) *error = std::move(sentence);
    return std::nullopt;
  };
  for (const std::string& given : paths) {
    std::error_code ec;
    const std::filesystem::path p = std::filesystem::canonical(fromUtf8(given), ec);
    if (ec) return fail("Cannot send " + given + ": " + ec.message() + ".");
    const std::string path = utf8(p);
    const std::string name = utf8(p.filename());
    if (std::filesystem::is_regular_file(p, ec)) {
      if (items.size() >= kMaxOfferFiles) {
        tooMany = true;
        break;
      }
      Sender::Item it;
      it.path = path;
      it.fileName = name;
      it.size = std::filesystem::file_size(p, ec);
      if (ec) return fail("Cannot send " + given + ": " + ec.message() + ".");
      it.fileType = std::string(mimeTypeForName(name));
      items.push_back(std::move(it));
    } else if (std::filesystem::is_directory(p, ec)) {
      FolderRoot root;
      int err = 0;
      if (!root.open(path, fileIdOf(path), err))
        return fail("Cannot send " + given + ": " + std::generic_category().message(err) + ".");
      FolderWalk walk = walkFolder(root, "", name, false, [&](const std::string& rel, const ferry::FileInfo& info) {
        if (!info.regular) return true;  // folders come with their files
        if (items.size() >= kMaxOfferFiles) {
          tooMany = true;
          return false;
        }
        Sender::Item it;
        it.path = utf8(p.parent_path() / fromUtf8(rel));
        it.fileName = rel;
        it.size = info.size;
        it.fileType = std::string(mimeTypeForName(rel));
        items.push_back(std::move(it));
        return true;
      });
      if (walk.status != FolderWalk::kDone) return fail("Cannot send " + given + ": " + describeWalk(walk));
      if (tooMany) break;
    } else {
      return fail("Cannot send " + given + ": it is neither a file nor a folder.");
    }
  }
  if (tooMany)
    return fail("A LocalSend device takes at most " + std::to_string(kMaxOfferFiles) + " files at once: send fewer.");
  if (items.empty()) return fail("There are no files to send in what was chosen.");
  return items;
}

Sender::Item textItem(const std::string& text) {
  Sender::Item it;
  it.fileName = newShareToken().substr(0, 16) + ".txt";
  it.fileType = "text/plain";
  it.size = text.size();
  it.text = text;
  it.isText = true;
  return it;
}

}  // namespace ferry::localsend
