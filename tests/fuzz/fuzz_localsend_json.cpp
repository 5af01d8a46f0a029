// libFuzzer harness: LocalSend's JSON decoders over any bytes. The first
// byte picks the decoder ('0'-'5', or any byte modulo 6), the rest is the
// body: one parse per input rather than six, so a campaign runs about five
// times as many bodies per second. Checks what the handler relies on: a
// refusal always says why; a body it accepts obeys the limits (files, name
// and preview bytes); every file name it accepts places the file inside
// the receive folder (no "..", no empty or absolute part); and what Ferry
// encodes from a decoded message decodes back to the same message.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "localsend_messages.h"
#include "localsend_names.h"

namespace ls = ferry::localsend;

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool sameDevice(const ls::DeviceInfo& a, const ls::DeviceInfo& b) {
  return a.alias == b.alias && a.version == b.version && a.deviceModel == b.deviceModel &&
         a.deviceType == b.deviceType && a.fingerprint == b.fingerprint && a.download == b.download;
}

// A file name the receiver accepts must stay inside the receive folder.
void checkPlacement(const std::string& fileName) {
  ls::PlacedName placed;
  if (!ls::placeFileName(fileName, placed).empty()) return;
  const std::string whole = placed.subfolder.empty() ? placed.name : placed.subfolder + "/" + placed.name;
  check(whole == fileName && !placed.name.empty() && whole.front() != '/');
  std::size_t from = 0;
  while (from <= whole.size()) {
    std::size_t to = whole.find('/', from);
    if (to == std::string::npos) to = whole.size();
    std::string_view part(whole.data() + from, to - from);
    check(!part.empty() && part != "." && part != ".." && part.find('\\') == std::string_view::npos &&
          part.find('\0') == std::string_view::npos && part.find(':') == std::string_view::npos);
    from = to + 1;
  }
}

void prepareUpload(std::string_view in) {
  ls::Limits limits;
  std::string error;
  auto offer = ls::decodePrepareUpload(in, &error);
  if (!offer) return check(!error.empty());
  check(!offer->files.empty() && offer->files.size() <= limits.maxFiles);
  for (const auto& f : offer->files) {
    check(f.fileName.size() <= limits.maxNameBytes);
    check(!f.preview || f.preview->size() <= limits.maxPreviewBytes);
    checkPlacement(f.fileName);
  }
  auto again = ls::decodePrepareUpload(ls::encodePrepareUpload(*offer), &error);
  check(again && again->files.size() == offer->files.size() && sameDevice(again->info, offer->info));
  for (std::size_t i = 0; i < offer->files.size(); ++i)
    check(again->files[i].id == offer->files[i].id && again->files[i].fileName == offer->files[i].fileName &&
          again->files[i].size == offer->files[i].size && again->files[i].preview == offer->files[i].preview);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string error;
  switch (data[0] % 6) {
    case 0:
      if (auto info = ls::decodeDeviceInfo(in, &error)) {
        auto again = ls::decodeDeviceInfo(ls::encodeDeviceInfo(*info), &error);
        check(again && sameDevice(*again, *info) && again->port == info->port && again->protocol == info->protocol);
      } else {
        check(!error.empty());
      }
      break;
    case 1:
      if (auto info = ls::decodeDeviceAnswer(in, &error)) {
        auto again = ls::decodeDeviceAnswer(ls::encodeDeviceAnswer(*info), &error);
        check(again && sameDevice(*again, *info));
      } else {
        check(!error.empty());
      }
      break;
    case 2:
      if (auto a = ls::decodeAnnouncement(in, &error)) {
        auto again = ls::decodeAnnouncement(ls::encodeAnnouncement(a->info, a->announce), &error);
        check(again && sameDevice(again->info, a->info) && again->announce == a->announce);
      } else {
        check(!error.empty());
      }
      break;
    case 3:
      if (auto answer = ls::decodePrepareUploadAnswer(in, &error)) {
        auto again = ls::decodePrepareUploadAnswer(ls::encodePrepareUploadAnswer(*answer), &error);
        check(again && again->sessionId == answer->sessionId && again->tokens.size() == answer->tokens.size());
      } else {
        check(!error.empty());
      }
      break;
    case 4:
      if (auto message = ls::decodeErrorMessage(in)) check(ls::decodeErrorMessage(ls::encodeError(*message)) == message);
      break;
    default:
      prepareUpload(in);
  }
  return 0;
}
