#pragma once

// UploadHandler: answers the receive link. GET shows the receive page; a
// `PUT /<token>/<name>` (curl -T) stores one file; the page's resumable
// protocol is a handshake (`POST /<token>/?name=N&size=S`, answered with an
// id before any byte is sent, or refused with 400/507), a `PUT
// /<token>/?upload=ID&offset=O` of the rest of the file, and `HEAD
// /<token>/?upload=ID`, whose Upload-Offset says how much is on the disk.
//
// Owns every Upload it made until it is released (and its job is back),
// and the table of page uploads that may resume (each with its part file,
// kept until the upload completes, Receive goes off, or a day passes).
// Borrows the transfer statistics and the work pool.
//
// Loop thread only. Must outlive the work pool's last job (see Server).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "body_sink.h"
#include "receive_target.h"
#include "responder.h"
#include "upload.h"

namespace ferry {

class TransferStats;
class WorkPool;

class UploadHandler final {
 public:
  // A page upload left idle this long is forgotten and its part file removed.
  static constexpr auto kKeepPartial = std::chrono::hours(24);

  UploadHandler(TransferStats& stats, WorkPool& pool);
  ~UploadHandler();
  UploadHandler(const UploadHandler&) = delete;
  UploadHandler& operator=(const UploadHandler&) = delete;

  // GET / HEAD on the receive link.
  void serve(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder);
  // PUT / POST on the receive link.
  SinkPtr accept(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder);

  // Receive went off (or moved): uploads in flight end, and the page
  // uploads waiting to resume are forgotten, their part files removed.
  void stopReceiving(std::string_view reason);

  // For Upload.
  TransferStats& stats() { return stats_; }
  WorkPool& pool() { return pool_; }
  void forget(Upload* u);
  void dropResumable(const std::string& id);

 private:
  // Whether a file of `size` more bytes fits, keeping a margin and the room
  // that uploads in flight will need; else answers 507.
  bool roomFor(Responder& out, const ReceiveFolder& folder, std::uint64_t size, bool sizeKnown);
  void handshake(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder);
  SinkPtr resume(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder,
                 std::string_view id);
  SinkPtr start(Responder& out, Upload::Params params);
  void offset(Responder& out, std::string_view id);
  void page(Responder& out);
  void expireIdle();
  // Removes part files in the pool, off the loop.
  void removeParts(std::vector<std::string> paths);

  TransferStats& stats_;
  WorkPool& pool_;
  std::vector<Upload*> live_;
  std::unordered_map<std::string, std::shared_ptr<ResumableUpload>> resumable_;
};

}  // namespace ferry
