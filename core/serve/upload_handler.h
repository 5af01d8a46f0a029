#pragma once

// UploadHandler: answers the receive link. GET shows the receive page; a
// `PUT /<token>/<name>` (curl -T) stores one file; the page's resumable
// protocol is a handshake (`POST /<token>/?name=N&size=S[&more=M]`, answered
// with an id before any byte is sent, or refused with 400/403/413/507), a `PUT
// /<token>/?upload=ID&offset=O` of the rest of the file, and `HEAD
// /<token>/?upload=ID`, whose Upload-Offset says how much is on the disk
// (while a PUT writes it: 409, and Upload-Received, how much has arrived;
// either is 410 once the user cancelled that upload).
//
// Before its first byte is stored, every upload (and handshake) passes its
// admission: the size cap at once; room on the disk, checked in the work
// pool (statvfs on a hung network disk must not stall the loop); and, when
// Receive asks about new devices, the user's answer (ReceiveAsks). Until
// then a curl upload gets no `100 Continue` and its body is not read.
//
// Owns every Upload it made until it is released (and its job is back),
// the table of page uploads that may resume (each with its part file,
// kept until the upload completes, Receive goes off, or a day passes;
// capped per link and per client address; read back from the records
// beside the part files when Ferry starts, so a page resumes across a
// restart), and
// the open asks. Says who listens when the list of unfinished page uploads
// (those waiting for their sender, not being written) changes. Borrows the loop, the receive target, the transfer
// statistics and the work pool.
//
// Loop thread only. Must outlive the work pool's last job (see Server).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "body_sink.h"
#include "event_loop.h"
#include "receive_asks.h"
#include "receive_target.h"
#include "responder.h"
#include "unfinished_upload.h"
#include "upload.h"
#include "upload_commits.h"

namespace ferry {

class TransferStats;
class WorkPool;
struct DiskSpace;

// "This computer accepts files up to 2 GB: this one is larger."
std::string tooLargeSentence(std::uint64_t cap);
// "2 GB", "700 MB", "1.5 GB": a cap as a person would say it.
std::string capForPeople(std::uint64_t cap);

class UploadHandler final {
 public:
  // A page upload left idle this long is forgotten and its part file removed.
  static constexpr auto kKeepPartial = std::chrono::hours(24);
  // How many page uploads the user cancelled are remembered (answered 410).
  static constexpr std::size_t kRememberCancelled = 1024;

  UploadHandler(EventLoop& loop, ReceiveTarget& target, TransferStats& stats, WorkPool& pool);
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
  // Receive is on (Ferry started, or a folder was chosen): the page uploads
  // an earlier run left unfinished in the receive folder come back into
  // the table (read in the pool), and part files idle for kKeepPartial go.
  // Until that is done, a resume of an id not known yet is asked to retry.
  void restoreUnfinished();
  // The user cancels the upload shown as transfer `id` (none: nothing).
  void cancelTransfer(std::uint64_t id, std::string_view reason);
  // The server is stopping and has closed its connections: `then` runs
  // once every upload has ended (a file whose bytes all arrived has its
  // name, a LocalSend file answered before it had one among them; the
  // others' part files are gone), or once `deadline` has passed on a disk
  // that does not answer. At once when no upload is left.
  void drain(std::chrono::milliseconds deadline, std::function<void()> then);

  // The page uploads that stopped part-way and wait for their sender (not
  // those being written right now), oldest first.
  std::vector<UnfinishedUpload> unfinished() const;
  // Hears the list change (an upload stopped, resumed, ended, was
  // discarded or expired); called with the list as it is now.
  void setUnfinishedListener(std::function<void(std::vector<UnfinishedUpload>)> listener);
  // Forgets an unfinished upload and removes its part file; the page gets
  // 404 when it tries to resume. False when `id` is not waiting (unknown,
  // or being written right now).
  bool discard(const std::string& id);

  ReceiveAsks& asks() { return asks_; }
  // An upload admitted elsewhere (a LocalSend session the user accepted):
  // only room on the disk is checked before its first byte is stored.
  SinkPtr receiveAdmitted(Responder& out, Upload::Params params);

  // For Upload.
  TransferStats& stats() { return stats_; }
  WorkPool& pool() { return pool_; }
  UploadCommits& commits() { return commits_; }
  void forget(Upload* u);
  void dropResumable(const std::string& id);
  // A page upload the user cancelled: forgotten, and its id answered 410
  // from then on, so the page stops instead of sending the file again.
  void cancelledResumable(const std::string& id);
  // Runs `fn` on the loop's next turn, unless `alive` has expired by then.
  void later(std::weak_ptr<void> alive, std::function<void()> fn);

 private:
  struct Admission {
    std::shared_ptr<const ReceiveFolder> folder;
    std::uint64_t size = 0;  // more bytes the disk must hold
    bool sizeKnown = false;
    bool ask = false;  // the device is new and Receive asks about new devices
    ReceiveAsk who;
  };
  // 0 and "" to go on, or the refusal's status and sentence.
  using Admitted = std::function<void(int status, std::string_view sentence)>;
  // Checks room on the disk (in the pool), then asks if due; `then` runs on
  // the loop, never before this returns, and not at all once `alive` expired.
  void admit(Admission a, std::weak_ptr<void> alive, Admitted then);
  void askIfDue(Admission a, std::weak_ptr<void> alive, Admitted then);
  // What is asked about `req`'s device, or an empty device when no one asks.
  ReceiveAsk whoAsks(const HttpRequest& req, const Responder& out, const std::string& name, std::uint64_t size,
                     bool sizeKnown) const;
  // Whether a file of `size` more bytes fits in `space`, keeping a margin
  // and the room that uploads in flight will need.
  bool roomFor(const ReceiveFolder& folder, const DiskSpace& space, std::uint64_t size, bool sizeKnown) const;
  // Whether `a` fits in the free space read for its folder less than
  // kSpaceFresh ago, less what was admitted since (then it counts too).
  // False says only "read it again", never "no room".
  bool roomKnown(const Admission& a);
  SinkPtr handshake(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder);
  SinkPtr resume(const HttpRequest& req, Responder& out, std::shared_ptr<const ReceiveFolder> folder,
                 std::string_view id);
  SinkPtr start(Responder& out, Upload::Params params);
  // Starts an upload that stores nothing until `a` is admitted (room on the
  // disk, the user's answer); refused, it is turned away with the reason.
  SinkPtr startGated(Responder& out, Upload::Params params, Admission a);
  void offset(Responder& out, std::string_view id);
  void page(Responder& out);
  // Forgets page uploads idle for kKeepPartial (removing their part
  // files), oldest first: O(log n) each. Runs on a timer, every hour.
  void expireIdle();
  // The table of page uploads and its two indexes, kept together.
  void addResumable(const std::shared_ptr<ResumableUpload>& r,
                    std::chrono::steady_clock::time_point lastUsed = std::chrono::steady_clock::now());
  void touchResumable(ResumableUpload& r);
  void eraseResumable(const std::string& id);
  // Removes part files in the pool, off the loop.
  void removeParts(std::vector<std::shared_ptr<ResumableUpload>> parts);
  // Tells the unfinished-uploads listener the list as it is now.
  void unfinishedChanged();

  EventLoop& loop_;
  ReceiveTarget& target_;
  TransferStats& stats_;
  WorkPool& pool_;
  ReceiveAsks asks_;
  UploadCommits commits_{pool_};
  std::vector<Upload*> live_;
  std::unordered_map<std::string, std::shared_ptr<ResumableUpload>> resumable_;
  std::set<std::pair<std::chrono::steady_clock::time_point, std::string>> byAge_;  // (lastUsed, id)
  std::unordered_map<std::string, std::size_t> perAddress_;  // unfinished page uploads per client address
  std::unordered_set<std::string> cancelled_;  // page uploads the user cancelled
  std::deque<std::string> cancelledOrder_;     // the same, oldest first
  // The free space last read (admit()), for uploads that follow within
  // kSpaceFresh: a phone's hundreds of photos cost one read, not one trip
  // through the pool each before their first byte is stored.
  static constexpr auto kSpaceFresh = std::chrono::seconds(1);
  struct SpaceReading;
  std::unique_ptr<SpaceReading> lastSpace_;
  EventLoop::TimerId expiryTimer_ = 0;
  int restoring_ = 0;  // reads of the records in flight
  std::shared_ptr<const ReceiveFolder> restored_;  // the folder last read
  std::function<void(std::vector<UnfinishedUpload>)> unfinishedListener_;
  std::function<void()> drained_;  // drain()'s `then`, until it runs
  EventLoop::TimerId drainTimer_ = 0;
};

}  // namespace ferry
