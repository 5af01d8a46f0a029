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

// A message `decode` accepts comes back the same through Ferry's `encode`;
// one it refuses says why.
template <typename Decode, typename Encode, typename Same>
void roundTrip(std::string_view in, Decode decode, Encode encode, Same same) {
  std::string error;
  auto got = decode(in, &error);
  if (!got) return check(!error.empty());
  auto again = decode(encode(*got), &error);
  check(again && same(*again, *got));
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
  switch (data[0] % 6) {
    case 0:
      roundTrip(
          in, [](std::string_view b, std::string* e) { return ls::decodeDeviceInfo(b, e); }, ls::encodeDeviceInfo,
          [](const ls::DeviceInfo& a, const ls::DeviceInfo& b) {
            return sameDevice(a, b) && a.port == b.port && a.protocol == b.protocol;
          });
      break;
    case 1:
      roundTrip(
          in, [](std::string_view b, std::string* e) { return ls::decodeDeviceAnswer(b, e); }, ls::encodeDeviceAnswer,
          sameDevice);
      break;
    case 2:
      roundTrip(
          in, [](std::string_view b, std::string* e) { return ls::decodeAnnouncement(b, e); },
          [](const ls::Announcement& a) { return ls::encodeAnnouncement(a.info, a.announce); },
          [](const ls::Announcement& a, const ls::Announcement& b) {
            return sameDevice(a.info, b.info) && a.announce == b.announce;
          });
      break;
    case 3:
      roundTrip(
          in, [](std::string_view b, std::string* e) { return ls::decodePrepareUploadAnswer(b, e); },
          ls::encodePrepareUploadAnswer,
          [](const ls::PrepareUploadAnswer& a, const ls::PrepareUploadAnswer& b) {
            return a.sessionId == b.sessionId && a.tokens.size() == b.tokens.size();
          });
      break;
    case 4:
      if (auto message = ls::decodeErrorMessage(in)) check(ls::decodeErrorMessage(ls::encodeError(*message)) == message);
      break;
    default:
      prepareUpload(in);
  }
  return 0;
}
