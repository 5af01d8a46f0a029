#pragma once

// What Ferry offers a LocalSend device for the files and folders a user
// chose: one item per file, a folder's files named by their path inside it
// ("Photos/2024/a.jpg": the device recreates the folders), the way the
// walk of a shared folder sees it (folder_walk.h: links that leave the
// folder, hidden files and special files are left out). A text message is
// one text/plain item carrying the text.
//
// Blocks on the disk (stat, directory walks): the caller's thread, not the
// loop's. Any thread.

#include <optional>
#include <string>
#include <vector>

#include "localsend_sender.h"

namespace ferry::localsend {

// At most this many files in one offer (LocalSend receivers refuse more).
inline constexpr std::size_t kMaxOfferFiles = 10'000;

// Nothing, with a sentence, when a path cannot be read or the offer would
// be empty or too large.
std::optional<std::vector<Sender::Item>> itemsFor(const std::vector<std::string>& paths, std::string* error);
Sender::Item textItem(const std::string& text);

}  // namespace ferry::localsend
