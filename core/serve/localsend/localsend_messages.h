#pragma once

// The JSON of LocalSend's HTTP protocol (v2, as the apps 1.15-1.18 speak it):
// a device's identity (announce, register, info), the files a sender offers
// (prepare-upload), the receiver's answer, and error bodies. Decoding reads
// nlohmann::json and copies what it needs into plain structs; nothing else
// in Ferry sees JSON.
//
// How strict decoding is (the same on every path):
// - Required fields must be present with their JSON type: strings are
//   strings, `port` and `size` are non-negative integers in range (no
//   floats, no numeric strings). A required field that is null or missing
//   is an error naming it, as LocalSend 1.18's serde does.
// - Optional fields (deviceModel, deviceType, sha256, preview, metadata and
//   its dates, download) may be absent or null: LocalSend 1.17 (Dart)
//   writes absent optionals as null, and 1.18 reads null as absent. Where
//   1.18 is stricter (`download: null` fails there) Ferry takes the 1.17
//   reading (false).
// - deviceType is read case-insensitively; an unknown value is "desktop"
//   (the protocol's rule, section 7.1, and what 1.18 does). protocol must be
//   "http" or "https".
// - Unknown fields are ignored (1.17 sends "announcement", 1.18 "announce").
// - Bounds (Limits): body bytes, nesting depth, values in the document,
//   files per offer, bytes of a name, a preview, an id. A body past any of
//   them is refused whole: nothing of it is used.
//
// Pure functions: any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::localsend {

inline constexpr std::uint16_t kDefaultPort = 53317;
// What Ferry announces. 1.18 says "2.2", 1.15-1.17 "2.1"; peers only test
// for "1.0", and Ferry implements what 2.1 documents plus 2.2's 422.
inline constexpr std::string_view kProtocolVersion = "2.1";
inline constexpr std::string_view kMulticastGroup = "224.0.0.167";

enum class DeviceType { kMobile, kDesktop, kWeb, kHeadless, kServer };
enum class Protocol { kHttp, kHttps };

std::string_view toString(DeviceType type);
std::string_view toString(Protocol protocol);

// Who a device is: the body of announce and register, the answer of info
// and register. `port` and `protocol` are absent from info/register
// answers (hasAddress false then).
struct DeviceInfo {
  std::string alias;
  std::string version;
  std::optional<std::string> deviceModel;
  std::optional<DeviceType> deviceType;
  std::string fingerprint;
  bool hasAddress = true;  // port and protocol present
  std::uint16_t port = kDefaultPort;
  Protocol protocol = Protocol::kHttps;
  bool download = false;
};

// A multicast datagram: a DeviceInfo, and whether it is an announcement
// (`announce` or 1.17's `announcement` true) or an answer to one. 1.18
// sends only announcements and reads every datagram as one.
struct Announcement {
  DeviceInfo info;
  bool announce = true;
};

struct FileInfo {
  std::string id;
  std::string fileName;  // as sent: may hold a folder path ("a/b.jpg"), checked by the receiver
  std::uint64_t size = 0;
  std::string fileType;  // a MIME type, as sent
  std::optional<std::string> sha256;
  std::optional<std::string> preview;
  std::optional<std::string> modified;  // metadata.modified, RFC 3339, as sent
  std::optional<std::string> accessed;  // metadata.accessed
};

// POST /api/localsend/v2/prepare-upload: who sends, and what. Files keep
// the order of the body.
struct PrepareUpload {
  DeviceInfo info;
  std::vector<FileInfo> files;
};

// Its 200 answer: the session, and a token for each accepted file id.
struct PrepareUploadAnswer {
  std::string sessionId;
  std::vector<std::pair<std::string, std::string>> tokens;  // file id -> token
};

struct Limits {
  std::size_t maxBody = 4 * 1024 * 1024;
  std::size_t maxDepth = 6;         // prepare-upload needs 4
  std::size_t maxValues = 200'000;  // JSON values in one document
  std::size_t maxFiles = 10'000;
  std::size_t maxIdBytes = 256;
  std::size_t maxNameBytes = 4096;      // a file name with its folders
  std::size_t maxAliasBytes = 256;      // alias, version, model, fingerprint
  std::size_t maxPreviewBytes = 64 * 1024;  // the text of a text message
};

// Each returns nothing and sets *error to one sentence (naming the field)
// when `body` is not what it should be.
std::optional<DeviceInfo> decodeDeviceInfo(std::string_view body, std::string* error, const Limits& limits = {});
// An info/register answer: port and protocol are optional, fingerprint too.
std::optional<DeviceInfo> decodeDeviceAnswer(std::string_view body, std::string* error, const Limits& limits = {});
std::optional<Announcement> decodeAnnouncement(std::string_view body, std::string* error, const Limits& limits = {});
std::optional<PrepareUpload> decodePrepareUpload(std::string_view body, std::string* error,
                                                 const Limits& limits = {});
std::optional<PrepareUploadAnswer> decodePrepareUploadAnswer(std::string_view body, std::string* error,
                                                             const Limits& limits = {});
// The message of an error body ({"message":"..."}), or nothing.
std::optional<std::string> decodeErrorMessage(std::string_view body);

// register / announce bodies: every field, port and protocol included.
std::string encodeDeviceInfo(const DeviceInfo& info);
// info / register answers: without port and protocol.
std::string encodeDeviceAnswer(const DeviceInfo& info);
// A multicast datagram: encodeDeviceInfo plus "announce" (and 1.17's
// "announcement", which 1.17 peers look for).
std::string encodeAnnouncement(const DeviceInfo& info, bool announce);
std::string encodePrepareUpload(const PrepareUpload& request);
std::string encodePrepareUploadAnswer(const PrepareUploadAnswer& answer);
std::string encodeError(std::string_view message);

}  // namespace ferry::localsend
