#pragma once

// Upload: one request body on its way into the receive folder, from its
// first byte to its final name. Owns the part file's descriptor, two
// buffers (one the connection fills, one a job of the work pool writes:
// memory per upload is at most 2 x kBuffer whatever the file's size; a file
// smaller than that, or its last part, needs only one), the transfer it
// records in TransferStats, and its one job, which opens, writes and checks
// — each may block on the disk, so none runs on the loop.
//
// A file gets its name only once every byte is on the disk: once written
// and checked, it joins the UploadCommits' next group, which syncs its
// bytes, then renames it without ever replacing anything ("name (1).ext"
// when the name is taken, also when two uploads of one name race), then
// syncs its folder. It answers once named, except a LocalSend upload with
// more files of its session still to come: that one answers as it joins
// the group (the sender goes on with the next file while the disk catches
// up), and the session's last file answers only once named, after every
// file before it. A curl upload that is cut short leaves nothing behind; a
// page upload (`resumable`) keeps its part file and the offset reached, for
// the page to resume from.
//
// A gated upload takes no byte (and gets no 100 Continue) until its
// admission is through: admitted() opens it, turnedAway() answers instead.
//
// Made by an UploadHandler, which outlives it; kept alive past its
// connection while its job is in the pool. Loop thread only (the job's
// run() touches only the job's own fields).

#include <chrono>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "body_sink.h"
#include "file_write.h"
#include "receive_target.h"
#include "responder.h"
#include "transfer_stats.h"
#include "work_pool.h"

namespace ferry {

class UploadHandler;

// A page upload that may resume: its part file, its size, and how much of
// it is on the disk. Shared by the handler's table and the Upload writing it.
struct ResumableUpload {
  std::string id;
  std::string name;
  std::shared_ptr<const ReceiveFolder> folder;  // where its part file is
  std::string address;  // of the client that began it: what its cap counts
  std::string clientName;  // for people: clientName() of the handshake's User-Agent
  std::string partName;  // in `folder`; empty until the first body created it
  std::uint64_t size = 0;
  std::uint64_t offset = 0;  // bytes on the disk
  bool busy = false;         // an Upload is writing it
  bool discarded = false;    // Receive went off: the part file goes too
  std::chrono::steady_clock::time_point lastUsed;
};

// The record kept beside a page upload's part file (partRecordName()), so
// that the page resumes after Ferry restarts: its id, size, client address
// and name, one a line. Read back into those fields of `r`; false when
// `text` is no such record (or names a file no upload could have).
std::string resumeRecord(const ResumableUpload& r);
bool readResumeRecord(std::string_view text, ResumableUpload& r);

class Upload final : public BodySink {
 public:
  static constexpr std::size_t kBuffer = 256 * 1024;

  struct Params {
    std::shared_ptr<const ReceiveFolder> folder;
    std::string name;  // checked by whyBadUploadName()
    std::uint64_t size = 0;  // the whole file's, when known
    bool sizeKnown = false;
    std::shared_ptr<ResumableUpload> resumable;  // a page upload, or null (curl)
    bool json = false;  // answer as the page expects
    bool gated = false;  // waits for admitted() or turnedAway()
    std::uint64_t maxSize = 0;  // a body growing past it is refused (413); 0 = no cap
    std::string clientName;  // for people: clientName() of the User-Agent
    // LocalSend's uploads: the folders inside the receive folder the file
    // goes into ("a/b", each name checked), the SHA-256 the sender gave
    // (hex; checked before the file gets its name: 422 when it differs, in
    // builds with OpenSSL), answers as the protocol has them (200 with no
    // body; errors as {"message": ...}), and who hears how it ended (once).
    std::string subfolder;
    std::string sha256;
    bool localsend = false;
    std::function<void(bool saved)> onEnd;
    // LocalSend: whether the session has files still to be sent besides
    // this one, so that its answer need not wait for the disk.
    std::function<bool()> moreToCome;
  };

  Upload(UploadHandler& handler, Responder& out, Params params);
  ~Upload();
  Upload(const Upload&) = delete;
  Upload& operator=(const Upload&) = delete;

  // Bytes still to arrive that the disk must have room for.
  std::uint64_t reserved() const;
  const std::string& receiveToken() const { return params_.folder->token; }
  // A page upload, which may resume (curl's may not).
  bool resumable() const { return params_.resumable != nullptr; }
  // Whether this is the try writing `r` now.
  bool writes(const ResumableUpload& r) const { return params_.resumable.get() == &r; }
  // How much of the file has arrived: where this try started, and what of
  // its body has come in so far.
  std::uint64_t arrived() const { return start_ + received_; }
  // Ends it at once (Receive turned off).
  void abort(std::string_view reason);
  // The admission passed: the body may come.
  void admitted();
  // The admission failed: answer `status` with `sentence`, store nothing.
  void turnedAway(int status, std::string_view sentence);
  // The user cancelled it: the connection closes and nothing is kept (a
  // page upload's part file goes too, and its id is not resumed).
  void cancel(std::string_view reason);
  // Expires when this upload is freed (for callbacks that may outlive it).
  std::weak_ptr<void> alive() const { return alive_; }
  // The transfer the window shows for it (0 before it has begun).
  std::uint64_t transferId() const { return transfer_.id; }
  // Its job is in the pool (or was left there by a pool that stopped), or
  // its group is: a group still gathering when the server stops is not.
  bool jobOut() const { return jobInFlight_ && !gathering_; }

  // BodySink
  std::size_t room() const override;
  bool ready() const override { return !gated_; }
  void take(std::string_view bytes) override;
  void complete() override;
  void ended(BodyEnd how, std::string_view reason) override;
  void release() override;
  // Waiting for its admission (the user's answer): its client may not
  // half-close and still be asked about.
  bool heldOpen() const override { return gated_ && !answered_; }

  std::size_t liveIndex = 0;  // in the handler's list

 private:
  friend class UploadCommits;

  // What the job does after writing its buffer (if any). kCommit checks the
  // file whole (its SHA-256) before it joins a group; kName is its group's.
  enum class Then { kNothing, kCommit, kName, kDiscard, kClose };

  struct Job final : WorkPool::Job {
    explicit Job(Upload& u) : self(u) {}
    void run() override;
    void done(bool ran) override;
    Upload& self;
    // Set by the loop before submit(), read back in done().
    const char* buf = nullptr;
    std::size_t len = 0;
    std::uint64_t at = 0;
    Then then = Then::kNothing;
    int error = 0;
    bool checksumBad = false;
    std::string savedName;
  };

  int openFolder(WriteFolder& dir, bool create);  // on the pool thread
  void open();  // on the pool thread
  void check();  // on the pool thread
  // On a pool thread, in the UploadCommits' group: the writeback of the
  // whole file started, its bytes synced (on a thread of the group's own),
  // the file named, its folder synced.
  void startFlush();
  void syncData();
  void giveName();
  void syncFolder();
  void discard();  // on the pool thread
  void closeFd();  // on the pool thread

  // Writes the full buffer, or the last one, or commits: whatever is due.
  void step();
  void submit(const char* buf, std::size_t len, Then then);
  void jobDone();
  void refuse(int error);
  void refuse(int status, std::string_view body, std::string why);
  void refuseTooLarge();
  void joinGroup();
  void answerSaved();
  // Runs `fn` as a callback from the loop (the job's end, the admission's
  // answer, a deferred refusal). Answering may end the request, and the
  // connection then releases this upload at once: it is freed here, once
  // `fn` has returned, never under it.
  template <class F>
  void fromLoop(F&& fn);
  void beginTransfer();  // the transfer the window and the log show
  void finishTransfer(TransferState state, std::string reason);
  void cleanUp();  // the body did not complete: discard or keep for resuming

  UploadHandler& handler_;
  Responder* out_;  // null once the request has ended
  Params params_;
  std::string partName_;
  int fd_ = -1;
  std::uint64_t writebackFrom_ = 0;  // the job's: where the next writeback starts
  Job job_{*this};
  bool jobInFlight_ = false;
  bool released_ = false;
  int callbacks_ = 0;  // fromLoop() calls running: release() leaves freeing to them
  bool complete_ = false;   // the body has arrived whole
  bool answered_ = false;   // saved (or refused): the response is written
  bool answeredEarly_ = false;  // answered as it joined its group, not yet named
  bool gathering_ = false;  // in the UploadCommits' next group, not yet in the pool
  bool cleanUpDue_ = false;  // ended early: discard/keep once the job is back
  bool cleaned_ = false;
  bool gated_ = false;
  bool begun_ = false;  // beginTransfer() ran
  bool tooLarge_ = false;  // past maxSize: answered 413 once the decoder has returned
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::unique_ptr<char[]> fill_;   // filled from the connection
  std::unique_ptr<char[]> spare_;  // being written by the job
  std::size_t capacity_ = kBuffer;  // of each: less for a file known to be smaller
  std::size_t fillLen_ = 0;
  std::uint64_t start_ = 0;     // the offset this body starts at
  std::uint64_t received_ = 0;  // of this body
  std::uint64_t written_ = 0;   // of this body, on the disk
  TransferHandle transfer_;
  struct Hash;
  std::unique_ptr<Hash> hash_;  // the bytes' SHA-256 so far, when one was given
  bool ended_ = false;  // onEnd has been told
};

}  // namespace ferry
