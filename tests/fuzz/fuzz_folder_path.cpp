// libFuzzer harness: a request-target, through the token parser, to a place
// inside a shared folder. Checks what the folder handler relies on: a path it
// accepts is plain names joined by '/' — never "..", ".", an empty name, a
// backslash, a NUL or control character, a drive prefix, or a name longer
// than a file system allows — and never deeper than the limit.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "folder_path.h"
#include "request_target.h"

namespace {

// The rules a name inside a share obeys, written out here on their own (not
// by calling isPlainName(), the function under test).
bool nameObeysTheRules(std::string_view name) {
  if (name.size() == 0 || name.size() > 255) return false;
  if (name == "." || name == "..") return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c <= 0x1f || c == 0x7f || c == '/' || c == '\\') return false;
  }
  const bool letter = (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z');
  if (name.size() >= 2 && letter && name[1] == ':') return false;  // a drive
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ferry::RequestTarget t = ferry::parseRequestTarget(in);
  std::string_view path = t.status == ferry::RequestTarget::kOk ? t.path : in;
  for (bool hidden : {false, true}) {
    ferry::FolderPath p = ferry::parseFolderPath(path, hidden);
    if (p.status != ferry::FolderPath::kOk) {
      if (!p.rel.empty() && p.status != ferry::FolderPath::kBadRequest && p.status != ferry::FolderPath::kNotFound)
        __builtin_trap();
      continue;
    }
    if (p.rel.size() > ferry::kMaxPathBytes) __builtin_trap();
    std::size_t depth = 0;
    std::string_view rest = p.rel;
    while (!p.rel.empty()) {
      std::string_view name = rest.substr(0, rest.find('/'));
      if (!nameObeysTheRules(name)) __builtin_trap();
      if (ferry::isPlainName(name) != nameObeysTheRules(name)) __builtin_trap();
      if (!hidden && ferry::isHiddenName(name)) __builtin_trap();
      if (name.find('\0') != std::string_view::npos || name.find('\\') != std::string_view::npos) __builtin_trap();
      if (++depth > ferry::kMaxDepth) __builtin_trap();
      if (name.size() == rest.size()) break;
      rest.remove_prefix(name.size() + 1);
    }
  }
  return 0;
}
