#include "localsend_messages.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include <nlohmann/json.hpp>

namespace ferry::localsend {

namespace {

using Json = nlohmann::json;

// Parses `body` within the limits; null and *error set on failure. Depth
// and value count are checked while parsing (a callback that keeps nothing
// once over), so a hostile body never builds a large tree.
std::optional<Json> parseBounded(std::string_view body, const Limits& limits, std::string* error) {
  if (body.size() > limits.maxBody) {
    *error = "the body is larger than " + std::to_string(limits.maxBody) + " bytes";
    return std::nullopt;
  }
  bool tooDeep = false;
  bool tooMany = false;
  std::size_t values = 0;
  auto keep = [&](int depth, Json::parse_event_t event, Json&) {
    if (tooDeep || tooMany) return false;
    if (depth < 0 || static_cast<std::size_t>(depth) > limits.maxDepth) {
      tooDeep = true;
      return false;
    }
    if (event != Json::parse_event_t::key && event != Json::parse_event_t::object_end &&
        event != Json::parse_event_t::array_end && ++values > limits.maxValues) {
      tooMany = true;
      return false;
    }
    return true;
  };
  Json doc = Json::parse(body.begin(), body.end(), keep, /*allow_exceptions=*/false);
  if (tooDeep) {
    *error = "the JSON is nested deeper than " + std::to_string(limits.maxDepth) + " levels";
    return std::nullopt;
  }
  if (tooMany) {
    *error = "the JSON holds more than " + std::to_string(limits.maxValues) + " values";
    return std::nullopt;
  }
  if (doc.is_discarded()) {
    *error = "the body is not JSON";
    return std::nullopt;
  }
  if (!doc.is_object()) {
    *error = "the body is not a JSON object";
    return std::nullopt;
  }
  return doc;
}

// Field readers: each returns false and sets *error naming `where.name`.
struct Reader {
  const Limits& limits;
  std::string* error;

  bool fail(std::string_view where, std::string_view what) {
    *error = std::string(where) + " " + std::string(what);
    return false;
  }

  // A required string of at most maxBytes.
  bool string(const Json& obj, const char* key, std::string_view where, std::size_t maxBytes, std::string& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fail(where, "is missing");
    return stringValue(*it, where, maxBytes, out);
  }
  bool stringValue(const Json& v, std::string_view where, std::size_t maxBytes, std::string& out) {
    if (!v.is_string()) return fail(where, "is not a string");
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > maxBytes) return fail(where, "is longer than " + std::to_string(maxBytes) + " bytes");
    out = s;
    return true;
  }
  // An optional string: absent or null is nothing.
  bool optString(const Json& obj, const char* key, std::string_view where, std::size_t maxBytes,
                 std::optional<std::string>& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return true;
    std::string s;
    if (!stringValue(*it, where, maxBytes, s)) return false;
    out = std::move(s);
    return true;
  }
  // A required unsigned integer no larger than max.
  bool unsignedInt(const Json& obj, const char* key, std::string_view where, std::uint64_t max, std::uint64_t& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fail(where, "is missing");
    if (!it->is_number_integer()) return fail(where, "is not a whole number");
    if (!it->is_number_unsigned()) return fail(where, "is negative");
    std::uint64_t v = it->get<std::uint64_t>();
    if (v > max) return fail(where, "is larger than " + std::to_string(max));
    out = v;
    return true;
  }
  bool optBool(const Json& obj, const char* key, std::string_view where, bool& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return true;
    if (!it->is_boolean()) return fail(where, "is not true or false");
    out = it->get<bool>();
    return true;
  }
};

std::optional<DeviceType> deviceTypeFrom(std::string_view s) {
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "mobile") return DeviceType::kMobile;
  if (lower == "desktop") return DeviceType::kDesktop;
  if (lower == "web") return DeviceType::kWeb;
  if (lower == "headless") return DeviceType::kHeadless;
  if (lower == "server") return DeviceType::kServer;
  return DeviceType::kDesktop;  // the protocol's rule for a type it does not know
}

enum class AddressFields { kRequired, kOptional };

bool readDevice(Reader& r, const Json& obj, std::string_view prefix, AddressFields address, bool fingerprintRequired,
                DeviceInfo& out) {
  auto where = [&](const char* name) { return std::string(prefix) + name; };
  const std::size_t maxShort = r.limits.maxAliasBytes;
  if (!r.string(obj, "alias", where("alias"), maxShort, out.alias)) return false;
  if (!r.string(obj, "version", where("version"), maxShort, out.version)) return false;
  if (!r.optString(obj, "deviceModel", where("deviceModel"), maxShort, out.deviceModel)) return false;
  std::optional<std::string> type;
  if (!r.optString(obj, "deviceType", where("deviceType"), maxShort, type)) return false;
  if (type) out.deviceType = deviceTypeFrom(*type);
  if (fingerprintRequired) {
    if (!r.string(obj, "fingerprint", where("fingerprint"), maxShort, out.fingerprint)) return false;
  } else {
    std::optional<std::string> fp;
    if (!r.optString(obj, "fingerprint", where("fingerprint"), maxShort, fp)) return false;
    out.fingerprint = fp.value_or("");
  }
  bool present = obj.contains("port") && !obj["port"].is_null();
  if (address == AddressFields::kRequired || present) {
    std::uint64_t port = 0;
    if (!r.unsignedInt(obj, "port", where("port"), 65535, port)) return false;
    out.port = static_cast<std::uint16_t>(port);
    std::string protocol;
    if (!r.string(obj, "protocol", where("protocol"), maxShort, protocol)) return false;
    if (protocol == "http")
      out.protocol = Protocol::kHttp;
    else if (protocol == "https")
      out.protocol = Protocol::kHttps;
    else
      return r.fail(where("protocol"), "is neither \"http\" nor \"https\"");
    out.hasAddress = true;
  } else {
    out.hasAddress = false;
  }
  return r.optBool(obj, "download", where("download"), out.download);
}

bool readFile(Reader& r, const std::string& key, const Json& obj, FileInfo& out) {
  const std::string where = "files[\"" + key.substr(0, 64) + "\"].";
  if (!obj.is_object()) return r.fail(where.substr(0, where.size() - 1), "is not an object");
  out.id = key;
  std::string id;
  if (!r.string(obj, "id", where + "id", r.limits.maxIdBytes, id)) return false;
  if (!r.string(obj, "fileName", where + "fileName", r.limits.maxNameBytes, out.fileName)) return false;
  // 2^50 bytes (1 PiB): above any real file, and a sum of maxFiles sizes
  // cannot overflow.
  if (!r.unsignedInt(obj, "size", where + "size", std::uint64_t{1} << 50, out.size)) return false;
  if (!r.string(obj, "fileType", where + "fileType", r.limits.maxAliasBytes, out.fileType)) return false;
  if (!r.optString(obj, "sha256", where + "sha256", 128, out.sha256)) return false;
  if (!r.optString(obj, "preview", where + "preview", r.limits.maxPreviewBytes, out.preview)) return false;
  auto meta = obj.find("metadata");
  if (meta != obj.end() && !meta->is_null()) {
    if (!meta->is_object()) return r.fail(where + "metadata", "is not an object");
    if (!r.optString(*meta, "modified", where + "metadata.modified", 64, out.modified)) return false;
    if (!r.optString(*meta, "accessed", where + "metadata.accessed", 64, out.accessed)) return false;
  }
  return true;
}

Json deviceJson(const DeviceInfo& info, bool withAddress) {
  Json j = Json::object();
  j["alias"] = info.alias;
  j["version"] = info.version;
  if (info.deviceModel) j["deviceModel"] = *info.deviceModel;
  if (info.deviceType) j["deviceType"] = std::string(toString(*info.deviceType));
  j["fingerprint"] = info.fingerprint;
  if (withAddress) {
    j["port"] = info.port;
    j["protocol"] = std::string(toString(info.protocol));
  }
  j["download"] = info.download;
  return j;
}

// Invalid UTF-8 in a string we send (a file name from a foreign disk)
// becomes U+FFFD rather than an exception.
std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace

std::string_view toString(DeviceType type) {
  switch (type) {
    case DeviceType::kMobile: return "mobile";
    case DeviceType::kDesktop: return "desktop";
    case DeviceType::kWeb: return "web";
    case DeviceType::kHeadless: return "headless";
    case DeviceType::kServer: return "server";
  }
  return "desktop";
}

std::string_view toString(Protocol protocol) { return protocol == Protocol::kHttp ? "http" : "https"; }

namespace {

// A body that is one device's fields: a register or info request
// (address fields required) or its answer (optional).
std::optional<DeviceInfo> decodeDevice(std::string_view body, std::string* error, const Limits& limits,
                                       AddressFields address, bool request) {
  std::string ignored;
  if (!error) error = &ignored;
  auto doc = parseBounded(body, limits, error);
  if (!doc) return std::nullopt;
  Reader r{limits, error};
  DeviceInfo info;
  if (!readDevice(r, *doc, "", address, request, info)) return std::nullopt;
  return info;
}

}  // namespace

std::optional<DeviceInfo> decodeDeviceInfo(std::string_view body, std::string* error, const Limits& limits) {
  return decodeDevice(body, error, limits, AddressFields::kRequired, true);
}

std::optional<DeviceInfo> decodeDeviceAnswer(std::string_view body, std::string* error, const Limits& limits) {
  return decodeDevice(body, error, limits, AddressFields::kOptional, false);
}

std::optional<Announcement> decodeAnnouncement(std::string_view body, std::string* error, const Limits& limits) {
  std::string ignored;
  if (!error) error = &ignored;
  auto doc = parseBounded(body, limits, error);
  if (!doc) return std::nullopt;
  Reader r{limits, error};
  Announcement out;
  if (!readDevice(r, *doc, "", AddressFields::kRequired, true, out.info)) return std::nullopt;
  // 1.18 sends "announce", 1.17 both; a datagram with neither is taken as
  // an announcement, as 1.18 does.
  bool announce = true, announcement = true;
  if (!r.optBool(*doc, "announce", "announce", announce)) return std::nullopt;
  if (!r.optBool(*doc, "announcement", "announcement", announcement)) return std::nullopt;
  out.announce = announce && announcement;
  return out;
}

std::optional<PrepareUpload> decodePrepareUpload(std::string_view body, std::string* error, const Limits& limits) {
  std::string ignored;
  if (!error) error = &ignored;
  auto doc = parseBounded(body, limits, error);
  if (!doc) return std::nullopt;
  Reader r{limits, error};
  PrepareUpload out;
  auto info = doc->find("info");
  if (info == doc->end() || info->is_null()) return r.fail("info", "is missing"), std::nullopt;
  if (!info->is_object()) return r.fail("info", "is not an object"), std::nullopt;
  if (!readDevice(r, *info, "info.", AddressFields::kRequired, true, out.info)) return std::nullopt;
  auto files = doc->find("files");
  if (files == doc->end() || files->is_null()) return r.fail("files", "is missing"), std::nullopt;
  if (!files->is_object()) return r.fail("files", "is not an object"), std::nullopt;
  if (files->empty()) return r.fail("files", "is empty"), std::nullopt;
  if (files->size() > limits.maxFiles)
    return r.fail("files", "lists more than " + std::to_string(limits.maxFiles) + " files"), std::nullopt;
  out.files.reserve(files->size());
  for (auto it = files->begin(); it != files->end(); ++it) {
    if (it.key().empty() || it.key().size() > limits.maxIdBytes)
      return r.fail("a file id", "is empty or longer than " + std::to_string(limits.maxIdBytes) + " bytes"),
             std::nullopt;
    FileInfo file;
    if (!readFile(r, it.key(), it.value(), file)) return std::nullopt;
    out.files.push_back(std::move(file));
  }
  return out;
}

std::optional<PrepareUploadAnswer> decodePrepareUploadAnswer(std::string_view body, std::string* error,
                                                             const Limits& limits) {
  std::string ignored;
  if (!error) error = &ignored;
  auto doc = parseBounded(body, limits, error);
  if (!doc) return std::nullopt;
  Reader r{limits, error};
  PrepareUploadAnswer out;
  if (!r.string(*doc, "sessionId", "sessionId", limits.maxIdBytes, out.sessionId)) return std::nullopt;
  auto files = doc->find("files");
  if (files == doc->end() || files->is_null()) return r.fail("files", "is missing"), std::nullopt;
  if (!files->is_object()) return r.fail("files", "is not an object"), std::nullopt;
  if (files->size() > limits.maxFiles)
    return r.fail("files", "lists more than " + std::to_string(limits.maxFiles) + " files"), std::nullopt;
  for (auto it = files->begin(); it != files->end(); ++it) {
    std::string token;
    if (!r.stringValue(it.value(), "files[\"" + it.key().substr(0, 64) + "\"]", limits.maxIdBytes, token))
      return std::nullopt;
    out.tokens.emplace_back(it.key(), std::move(token));
  }
  return out;
}

std::optional<std::string> decodeErrorMessage(std::string_view body) {
  std::string error;
  Limits limits;
  limits.maxBody = 64 * 1024;
  auto doc = parseBounded(body, limits, &error);
  if (!doc) return std::nullopt;
  auto it = doc->find("message");
  if (it == doc->end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string encodeDeviceInfo(const DeviceInfo& info) { return dump(deviceJson(info, true)); }

std::string encodeDeviceAnswer(const DeviceInfo& info) { return dump(deviceJson(info, false)); }

std::string encodeAnnouncement(const DeviceInfo& info, bool announce) {
  Json j = deviceJson(info, true);
  j["announce"] = announce;
  j["announcement"] = announce;
  return dump(j);
}

std::string encodePrepareUpload(const PrepareUpload& request) {
  Json files = Json::object();
  for (const FileInfo& f : request.files) {
    Json file = Json::object();
    file["id"] = f.id;
    file["fileName"] = f.fileName;
    file["size"] = f.size;
    file["fileType"] = f.fileType;
    if (f.sha256) file["sha256"] = *f.sha256;
    if (f.preview) file["preview"] = *f.preview;
    if (f.modified || f.accessed) {
      Json meta = Json::object();
      if (f.modified) meta["modified"] = *f.modified;
      if (f.accessed) meta["accessed"] = *f.accessed;
      file["metadata"] = std::move(meta);
    }
    files[f.id] = std::move(file);
  }
  Json j = Json::object();
  j["info"] = deviceJson(request.info, true);
  j["files"] = std::move(files);
  return dump(j);
}

std::string encodePrepareUploadAnswer(const PrepareUploadAnswer& answer) {
  Json files = Json::object();
  for (const auto& [id, token] : answer.tokens) files[id] = token;
  Json j = Json::object();
  j["sessionId"] = answer.sessionId;
  j["files"] = std::move(files);
  return dump(j);
}

std::string encodeError(std::string_view message) {
  Json j = Json::object();
  j["message"] = std::string(message);
  return dump(j);
}

}  // namespace ferry::localsend
