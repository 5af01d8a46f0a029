#include "upload.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "file_io.h"
#include "file_write.h"
#include "json_text.h"
#include "upload_commits.h"
#include "upload_handler.h"
#include "upload_names.h"

#if defined(FERRY_HAVE_TLS)
#include <openssl/evp.h>
#endif

namespace ferry {
namespace {

// How many taken names ("x (1).txt"...) or part names are tried.
constexpr unsigned kMaxTries = 1000;

// How much is written between two requests to start writeback.
constexpr std::uint64_t kWritebackEvery = 8ull << 20;

// At most this many files are answered before they have their names: what
// a power cut could still take from a sender already told "saved" (their
// part files stay, the bytes mostly written), and the descriptors held open.
constexpr std::size_t kMaxAnsweredEarly = 64;

std::string joinPath(const std::string& dir, const std::string& name) {
  if (!dir.empty() && (dir.back() == '/' || dir.back() == '\\')) return dir + name;
  return dir + "/" + name;
}

bool diskFull(int error) {
#ifdef EDQUOT  // a quota counts as full; Windows' C runtime has no such errno
  if (error == EDQUOT) return true;
#endif
  return error == ENOSPC || error == EFBIG;
}

constexpr std::string_view kRecordMagic = "ferry-upload 1";

}  // namespace

std::string resumeRecord(const ResumableUpload& r) {
  std::string out(kRecordMagic);
  for (const std::string& line : {r.id, std::to_string(r.size), r.address, r.name}) {
    out += '\n';
    out += line;
  }
  out += '\n';
  return out;
}

bool readResumeRecord(std::string_view text, ResumableUpload& r) {
  std::string_view lines[5];
  for (auto& line : lines) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) return false;
    line = text.substr(0, end);
    text.remove_prefix(end + 1);
  }
  if (lines[0] != kRecordMagic || !text.empty() || lines[1].empty() || lines[1].size() > 64) return false;
  for (char c : lines[1])
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  std::uint64_t size = 0;
  auto [end, ec] = std::from_chars(lines[2].data(), lines[2].data() + lines[2].size(), size);
  if (ec != std::errc() || end != lines[2].data() + lines[2].size() || lines[2].empty()) return false;
  if (!whyBadUploadName(lines[4]).empty()) return false;
  r.id = lines[1];
  r.size = size;
  r.address = lines[3];
  r.name = lines[4];
  return true;
}

// The SHA-256 of the bytes written so far (pool thread only, one job at a
// time, in order). Without OpenSSL nothing is hashed and nothing checked.
struct Upload::Hash {
#if defined(FERRY_HAVE_TLS)
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  Hash() { EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr); }
  ~Hash() { EVP_MD_CTX_free(ctx); }
  void update(const char* buf, std::size_t n) { EVP_DigestUpdate(ctx, buf, n); }
  // True when the digest is `hex` (either case).
  bool matches(const std::string& hex) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    static const char kDigits[] = "0123456789abcdef";
    if (hex.size() != len * 2) return false;
    for (unsigned i = 0; i < len; ++i) {
      auto lower = [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c - 'A' + 'a') : c; };
      if (lower(hex[2 * i]) != kDigits[md[i] >> 4] || lower(hex[2 * i + 1]) != kDigits[md[i] & 15]) return false;
    }
    return true;
  }
#else
  void update(const char*, std::size_t) {}
  bool matches(const std::string&) { return true; }
#endif
};

Upload::Upload(UploadHandler& handler, Responder& out, Params params)
    : handler_(handler), out_(&out), params_(std::move(params)), gated_(params_.gated) {
  if (params_.resumable) {
    partName_ = params_.resumable->partName;
    start_ = params_.resumable->offset;
    params_.resumable->busy = true;
  }
  // A small file (a phone's photo among hundreds) takes a buffer of its own
  // size: the allocator has those at hand, where each of kBuffer would be
  // memory mapped afresh, and faulted in, for every file. One byte more, so
  // that the file's bytes never fill it: the body's end (a chunked body's
  // last chunk) is still read, and complete() sends the bytes and the
  // commit to the pool as one job.
  if (params_.sizeKnown && params_.size >= start_ && params_.size - start_ < kBuffer)
    capacity_ = static_cast<std::size_t>(params_.size - start_) + 1;
  fill_.reset(new char[capacity_]);
  if (!params_.sha256.empty()) hash_ = std::make_unique<Hash>();
  // A gated upload shows (in the window, in the log) once it is let in or
  // turned away: "started receiving" before the user answered would say
  // that something is being received that may never be.
  if (!gated_) beginTransfer();
}

void Upload::beginTransfer() {
  if (begun_) return;
  begun_ = true;
  auto file = std::make_shared<Share>();
  file->token = params_.folder->token;
  file->name = params_.name;
  file->path = joinPath(params_.folder->dir, params_.subfolder.empty() ? params_.name
                                                                        : params_.subfolder + "/" + params_.name);
  const std::uint64_t total = params_.sizeKnown ? params_.size : 0;
  const std::uint64_t rest = total > start_ ? total - start_ : 0;
  transfer_ = handler_.stats().begin(out_->client(), std::move(file), total, start_, rest, {}, TransferDirection::kUpload);
  if (received_) handler_.stats().addBytes(transfer_, received_);
  handler_.stats().setClientName(transfer_, params_.clientName);
}

Upload::~Upload() {
  // Only reached with no job in flight; the job closed or handed back fd_.
  if (fd_ >= 0) closeFile(fd_);
}

std::uint64_t Upload::reserved() const {
  // A gated upload may yet be turned away: it reserves room once admitted.
  if (!params_.sizeKnown || gated_) return 0;
  const std::uint64_t done = start_ + written_;
  return params_.size > done ? params_.size - done : 0;
}

std::size_t Upload::room() const {
  if (answered_ || !out_ || gated_ || tooLarge_ || !fill_) return 0;
  return capacity_ - fillLen_;
}

template <class F>
void Upload::fromLoop(F&& fn) {
  ++callbacks_;
  fn();
  if (--callbacks_ == 0 && released_ && !jobInFlight_) handler_.forget(this);
}

void Upload::admitted() {
  fromLoop([this] {
    gated_ = false;
    if (!out_ || answered_) return;
    beginTransfer();
    if (complete_) return step();  // an empty body: nothing more will come
    out_->resume();
  });
}

void Upload::turnedAway(int status, std::string_view sentence) {
  fromLoop([&] {
    gated_ = false;
    if (answered_) return;
    if (out_) beginTransfer();
    if (params_.resumable) {
      // Refused before this try stored a byte (the disk full for a moment,
      // statvfs failing): the part file and its offset stay for the next.
      cleaned_ = true;
      params_.resumable->busy = false;
    }
    refuse(status, sentence, std::string(sentence.substr(0, sentence.find_last_not_of("\n.") + 1)));
  });
}

void Upload::take(std::string_view bytes) {
  if (tooLarge_ || !fill_) return;
  const std::uint64_t after = start_ + received_ + bytes.size();
  // A known size is a cap of its own: maxSize 0 means "no cap", and a
  // file announced as 0 bytes must not take an endless chunked body.
  if ((params_.maxSize && after > params_.maxSize) || (params_.sizeKnown && after > params_.size)) {
    // Answering here would end the request inside the decoder's feed():
    // the 413 goes out from the loop's next turn.
    tooLarge_ = true;
    handler_.later(alive(), [this] { fromLoop([this] { refuseTooLarge(); }); });
    return;
  }
  std::memcpy(fill_.get() + fillLen_, bytes.data(), bytes.size());
  fillLen_ += bytes.size();
  received_ += bytes.size();
  handler_.stats().addBytes(transfer_, bytes.size());
  if (fillLen_ == capacity_) step();
}

void Upload::complete() {
  complete_ = true;
  if (tooLarge_) return;
  if (params_.sizeKnown && start_ + received_ != params_.size) {
    // The page's body must end where the file does (its Content-Length
    // was checked against the size, so this is a client that lied).
    return refuse(EINVAL);
  }
  step();
}

void Upload::step() {
  if (jobInFlight_ || answered_ || gated_ || tooLarge_) return;
  if (complete_ && fillLen_ > 0) {
    // The body's last bytes and the check of the whole file are one job:
    // a small file costs one trip through the pool, not two. Nothing more
    // arrives, so the job writes from the buffer they are in.
    const std::size_t len = fillLen_;
    fillLen_ = 0;
    return submit(fill_.get(), len, Then::kCommit);
  }
  if (fillLen_ == capacity_) {
    if (!spare_) spare_.reset(new char[capacity_]);
    std::swap(fill_, spare_);
    const std::size_t len = fillLen_;
    fillLen_ = 0;
    return submit(spare_.get(), len, Then::kNothing);
  }
  if (complete_) submit(nullptr, 0, Then::kCommit);
}

void Upload::submit(const char* buf, std::size_t len, Then then) {
  job_.buf = buf;
  job_.len = len;
  job_.at = start_ + written_;
  job_.then = then;
  job_.error = 0;
  jobInFlight_ = true;
  handler_.pool().submit(job_, WorkPool::Lane::kDisk, params_.folder->pin.device);
}

// ---- on a pool thread ----------------------------------------------------------

int Upload::openFolder(WriteFolder& dir, bool create) {
  if (int e = dir.open(params_.folder->dir, params_.folder->pin)) return e;
  return params_.subfolder.empty() ? 0 : dir.enter(params_.subfolder, create);
}

void Upload::open() {
  WriteFolder dir;
  if (int e = openFolder(dir, true)) {
    job_.error = e;
    return;
  }
  if (params_.resumable && !partName_.empty()) {
    fd_ = dir.openExisting(partName_);
    if (fd_ < 0) job_.error = errno;
    return;
  }
  // A part name already there (another upload of this name, or something
  // planted, a symlink even) is never opened: the next one is tried.
  for (unsigned n = 0; n < kMaxTries; ++n) {
    std::string name = partFileName(params_.name, n);
    fd_ = dir.create(name);
    if (fd_ >= 0) {
      partName_ = std::move(name);
      // A page upload keeps what it needs to resume after a restart beside
      // its part file. Without it (a name taken, a read-only record) the
      // upload goes on; only a restart would forget it.
      if (params_.resumable) dir.writeNew(partRecordName(partName_), resumeRecord(*params_.resumable));
      return;
    }
    if (errno != EEXIST) break;
  }
  job_.error = errno;
}

void Upload::check() {
  if (hash_ && fd_ >= 0 && !hash_->matches(params_.sha256)) {
    job_.checksumBad = true;
    job_.error = EINVAL;
    discard();
  }
}

void Upload::startFlush() {
  // Length 0 is "to the end of the file".
  if (fd_ >= 0 && job_.at > writebackFrom_) startWriteback(fd_, writebackFrom_, 0);
}

void Upload::syncData() {
  if (int e = syncFileData(fd_)) {
    job_.error = e;
    discard();
  }
}

void Upload::giveName() {
  if (job_.error) return;  // its sync failed: discarded
  closeFile(fd_);
  fd_ = -1;
  WriteFolder dir;
  if (int e = openFolder(dir, false)) {
    job_.error = e;
    return;
  }
  for (unsigned n = 0; n < kMaxTries; ++n) {
    std::string name = numberedName(params_.name, n);
    int e = dir.rename(partName_, name);
    if (e == 0) {
      if (params_.resumable) dir.remove(partRecordName(partName_));
      job_.savedName = std::move(name);
      return;  // its group syncs the folder
    }
    // ENAMETOOLONG: "name (1).ext" may not fit where "name.ext" did.
    if (e != EEXIST && e != ENAMETOOLONG) {
      job_.error = e;
      return discard();
    }
  }
  job_.error = EEXIST;
  discard();
}

void Upload::syncFolder() {
  WriteFolder dir;
  if (openFolder(dir, false) == 0) dir.sync();
}

void Upload::discard() {
  closeFd();
  if (partName_.empty()) return;
  WriteFolder dir;
  if (openFolder(dir, false) != 0) return;
  dir.remove(partName_);
  if (params_.resumable) dir.remove(partRecordName(partName_));
}

void Upload::closeFd() {
  if (fd_ >= 0) closeFile(fd_);
  fd_ = -1;
}

void Upload::Job::run() {
  Upload& u = self;
  // The part file is made with the first bytes (or, for an empty file, the
  // commit); a body cut short before any byte leaves none.
  if (u.fd_ < 0 && (len > 0 || then == Then::kCommit)) u.open();
  if (!error && len > 0 && u.fd_ >= 0) {
    error = writeAllAt(u.fd_, buf, len, at);
    if (!error && u.hash_) u.hash_->update(buf, len);
    // Every few MiB, the disk starts on what arrived: writing overlaps
    // receiving, and the fsync before the commit has little left to wait for.
    if (!error && at + len - u.writebackFrom_ >= kWritebackEvery) {
      startWriteback(u.fd_, u.writebackFrom_, at + len - u.writebackFrom_);
      u.writebackFrom_ = at + len;
    }
  }
  if (error) {
    // A write that failed (a full disk) leaves no part file behind.
    u.discard();
    return;
  }
  switch (then) {
    case Then::kNothing: break;
    case Then::kCommit: u.check(); break;
    case Then::kName: break;  // its group's work, not this job's
    case Then::kDiscard: u.discard(); break;
    case Then::kClose: u.closeFd(); break;
  }
}

// ---- back on the loop --------------------------------------------------------------

void Upload::Job::done(bool ran) {
  Upload& u = self;
  u.jobInFlight_ = false;
  u.fromLoop([&] {
    if (ran) u.jobDone();  // else the pool stopped first: the server is going away
  });
}

void Upload::jobDone() {
  const bool failed = job_.error != 0;
  if (!failed) written_ += job_.len;
  if (params_.resumable) {
    ResumableUpload& r = *params_.resumable;
    r.partName = failed ? std::string() : partName_;
    r.offset = failed ? 0 : start_ + written_;
  }
  if (job_.then == Then::kClose && params_.resumable && params_.resumable->discarded && !failed)
    return submit(nullptr, 0, Then::kDiscard);  // Receive went off meanwhile
  if (job_.then == Then::kDiscard || job_.then == Then::kClose) {
    if (params_.resumable) {
      params_.resumable->busy = false;
      if (job_.then == Then::kDiscard || failed) handler_.dropResumable(params_.resumable->id);
    }
    return;
  }
  if (failed) {
    if (params_.resumable) {
      params_.resumable->busy = false;
      handler_.dropResumable(params_.resumable->id);
    }
    cleaned_ = true;  // the job removed the part file
    cleanUpDue_ = false;
    // Answered already (the sender went on): only the window hears of it.
    if (answeredEarly_)
      return finishTransfer(TransferState::kFailed,
                            std::string("cannot give the file its name: ") + std::strerror(job_.error));
    if (out_ && job_.checksumBad)
      return refuse(422, "The file's SHA-256 differs from the one announced: it was not saved.\n",
                    "its SHA-256 differed from the one announced");
    if (out_) refuse(job_.error);
    return;
  }
  if (job_.then == Then::kCommit) return joinGroup();
  if (job_.then == Then::kName) return answerSaved();
  if (cleanUpDue_) return cleanUp();
  if (!out_) return;
  step();
  out_->resume();  // room again
}

void Upload::joinGroup() {
  // The buffers are done with: a file waiting for its name holds only its
  // descriptor.
  fill_.reset();
  spare_.reset();
  job_.buf = nullptr;
  job_.len = 0;
  job_.at = start_ + written_;
  job_.then = Then::kName;
  job_.error = 0;
  jobInFlight_ = true;
  UploadCommits& commits = handler_.commits();
  // LocalSend's sender waits for each answer before its next file: with
  // more to come it hears now, and the disk catches up in groups while the
  // next files arrive. The last file's answer waits for its own group,
  // which comes after every earlier one: "done" on the phone means every
  // file has its name on the disk.
  const bool early = out_ && params_.localsend && params_.moreToCome && commits.pending() < kMaxAnsweredEarly &&
                     params_.moreToCome();
  commits.add(*this, !early);
  if (early) {
    answered_ = answeredEarly_ = true;
    out_->respond(200, {}, {});
    out_->resume();
  }
}

void Upload::answerSaved() {
  answered_ = true;
  std::string saved = std::move(job_.savedName);
  if (params_.resumable) {
    params_.resumable->busy = false;
    handler_.dropResumable(params_.resumable->id);
  }
  finishTransfer(TransferState::kDone, "saved as " + saved);
  if (!out_ || answeredEarly_) return;
  if (params_.localsend) {
    out_->respond(200, {}, {});
    return out_->resume();
  }
  std::string body;
  if (params_.json) {
    body = "{\"name\":";
    appendJsonString(body, saved);
    body += "}\n";
  } else {
    body = "Saved as " + saved + "\n";
  }
  out_->respond(201, params_.json ? "Content-Type: application/json\r\n" : std::string_view(), body);
  out_->resume();
}

void Upload::refuse(int error) {
  if (diskFull(error))
    return refuse(507, "The disk on this computer is full: the file was not saved.\n", "the disk is full");
  if (error == EINVAL)
    return refuse(400, "The body does not end where the file does.\n", "the body did not end where the file does");
  std::string why = std::string("cannot save the file: ") + std::strerror(error);
  if (error == EACCES || error == EPERM || error == EROFS)
    return refuse(403, "This computer may not write into its receive folder.\n", std::move(why));
  refuse(500, "This computer could not save the file.\n", std::move(why));
}

void Upload::refuseTooLarge() {
  if (answered_) return;
  if (params_.localsend)
    return refuse(400, "The body is longer than the file's size.\n", "the body was longer than the file");
  refuse(413, tooLargeSentence(params_.maxSize), "the file is larger than this computer accepts");
}

void Upload::refuse(int status, std::string_view body, std::string why) {
  answered_ = true;
  finishTransfer(TransferState::kFailed, std::move(why));
  if (!cleaned_) {
    if (params_.resumable) params_.resumable->discarded = true;  // nothing to resume from
    if (jobInFlight_)
      cleanUpDue_ = true;
    else
      cleanUp();
  }
  // Last: answering may end the request and release this upload.
  if (out_) {
    if (params_.localsend) {
      std::string json = "{\"message\":";
      appendJsonString(json, body.substr(0, body.find_last_not_of('\n') + 1));
      json += "}";
      respondJson(*out_, status, json);
    } else {
      out_->respond(status, {}, body);
    }
    out_->resume();
  }
}

void Upload::finishTransfer(TransferState state, std::string reason) {
  if (!ended_ && params_.onEnd) {
    ended_ = true;
    params_.onEnd(state == TransferState::kDone);
  }
  if (!transfer_) return;
  handler_.stats().finish(transfer_, state, std::move(reason));
  transfer_ = {};
}

void Upload::abort(std::string_view reason) {
  // One already answered (turned away) closes once its answer is out.
  if (out_ && !answered_) out_->abort(reason, false);
}

void Upload::cancel(std::string_view reason) {
  if (!out_ || answered_) return;
  if (params_.resumable) {
    params_.resumable->discarded = true;  // cleanUp() removes the part file
    handler_.cancelledResumable(params_.resumable->id);
  }
  out_->abort(reason, false);
}

void Upload::ended(BodyEnd how, std::string_view reason) {
  if (!begun_ && !answered_ && out_) beginTransfer();  // the client left while it waited: it shows as ended
  out_ = nullptr;
  if (answered_ && how == BodyEnd::kComplete) return;
  if (!answered_) {
    // A commit in flight still gives the file its name: every byte is there.
    if (jobInFlight_ && (job_.then == Then::kCommit || job_.then == Then::kName)) return;
    finishTransfer(how == BodyEnd::kFailed ? TransferState::kFailed : TransferState::kCancelled,
                   std::string(reason));
    cleanUpDue_ = true;
    if (!jobInFlight_) cleanUp();
  }
}

void Upload::cleanUp() {
  cleanUpDue_ = false;
  if (cleaned_) return;
  cleaned_ = true;
  // A page upload keeps what arrived (the buffer too) for the page to
  // resume from, unless Receive went off; anything else leaves nothing.
  const bool keep = params_.resumable && !params_.resumable->discarded;
  if (keep && fillLen_ > 0) {
    if (!spare_) spare_.reset(new char[capacity_]);
    std::swap(fill_, spare_);
    const std::size_t len = fillLen_;
    fillLen_ = 0;
    return submit(spare_.get(), len, Then::kClose);
  }
  if (fd_ < 0 && partName_.empty()) {
    if (params_.resumable) params_.resumable->busy = false;
    return;
  }
  submit(nullptr, 0, keep ? Then::kClose : Then::kDiscard);
}

void Upload::release() {
  released_ = true;
  out_ = nullptr;
  if (!jobInFlight_ && callbacks_ == 0) handler_.forget(this);
}

}  // namespace ferry
