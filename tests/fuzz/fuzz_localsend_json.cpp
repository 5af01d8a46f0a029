// libFuzzer harness: LocalSend's JSON decoders over any bytes. Checks what
// the handler relies on: a body it accepts obeys the limits (files, name
// and preview bytes, a port in range), every file name it accepts places
// the file inside the receive folder (no "..", no empty or absolute part),
// and what Ferry encodes decodes back to the same offer.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "localsend_messages.h"
#include "localsend_names.h"

namespace ls = ferry::localsend;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  ls::Limits limits;
  std::string error;
  ls::decodeDeviceInfo(in, &error);
  ls::decodeDeviceAnswer(in, &error);
  ls::decodeAnnouncement(in, &error);
  ls::decodePrepareUploadAnswer(in, &error);
  ls::decodeErrorMessage(in);
  auto offer = ls::decodePrepareUpload(in, &error);
  if (!offer) {
    if (error.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  if (offer->files.empty() || offer->files.size() > limits.maxFiles) __builtin_trap();
  for (const auto& f : offer->files) {
    if (f.fileName.size() > limits.maxNameBytes) __builtin_trap();
    if (f.preview && f.preview->size() > limits.maxPreviewBytes) __builtin_trap();
    ls::PlacedName placed;
    if (ls::placeFileName(f.fileName, placed).empty()) {
      const std::string whole = placed.subfolder.empty() ? placed.name : placed.subfolder + "/" + placed.name;
      if (whole != f.fileName || placed.name.empty() || whole.front() == '/') __builtin_trap();
      std::size_t from = 0;
      while (from <= whole.size()) {
        std::size_t to = whole.find('/', from);
        if (to == std::string::npos) to = whole.size();
        std::string_view part(whole.data() + from, to - from);
        if (part.empty() || part == "." || part == ".." || part.find('\\') != std::string_view::npos ||
            part.find('\0') != std::string_view::npos || part.find(':') != std::string_view::npos)
          __builtin_trap();
        from = to + 1;
      }
    }
  }
  auto again = ls::decodePrepareUpload(ls::encodePrepareUpload(*offer), &error);
  if (!again || again->files.size() != offer->files.size() || again->info.alias != offer->info.alias)
    __builtin_trap();
  return 0;
}
