#include "file_response.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "byte_range.h"
#include "file_handler.h"
#include "folder_io.h"
#include "header_values.h"
#include "http_date.h"
#include "mime_types.h"
#include "page_negotiation.h"
#include "request_target.h"

namespace ferry {
namespace {

constexpr std::string_view kDiskErrorBody = "This file cannot be read right now (a disk error).\n";

void assign(std::string& to, std::string_view from) { to.assign(from.data(), from.size()); }

}  // namespace

FileResponse::FileResponse(FileHandler& handler) : handler_(handler) {}

FileResponse::~FileResponse() { closeFile(file_.fd); }

void FileResponse::start(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share,
                         std::string_view rel, RecipientClaim claim) {
  out_ = &out;
  share_ = std::move(share);
  claim_ = std::move(claim);
  rel_.assign(rel.data(), rel.size());
  item_.clear();
  link_.clear();
  if (!rel_.empty()) {
    item_.append(share_->name).append("/").append(rel_);
    // Where to send a browser if `rel` turns out to be a folder: the same
    // path with its '/', and the same query ("?zip" still asks for the zip).
    std::string_view path = req.target.substr(0, req.target.find_first_of("?#"));
    link_.assign(path.data(), path.size());
    link_ += '/';
    link_ += queryOf(req.target);
  }
  released_ = false;
  gaveUp_ = false;
  headOnly_ = req.isHead;
  {
    const std::string_view t = req.target;
    const std::size_t q = t.find('?');
    showInline_ = asksInline(req, q == std::string_view::npos ? std::string_view() : t.substr(q + 1));
  }
  // Copied into strings that keep their capacity from request to request.
  assign(ifNoneMatch_, req.header("if-none-match"));
  assign(ifModifiedSince_, trimOws(req.header("if-modified-since")));
  assign(range_, req.header("range"));
  assign(ifRange_, trimOws(req.header("if-range")));
  assign(userAgent_, req.header("user-agent"));
  inline_.clear();
  inlineFailed_ = false;
  // Where the kernel has the path and the bytes cached (a file served a
  // moment ago, a folder just browsed), the answer needs no disk and comes
  // at once; anything else waits for the disk in the pool, not on the loop.
  bool wouldBlock = false;
  file_ = openCached(wouldBlock);
  if (!wouldBlock && !(file_.fd >= 0 && inlined() && !readInline(readCachedAt))) return answer();
  phase_ = Phase::kOpening;
  submitTimed(openJob_);
}

void FileResponse::submitTimed(WorkPool::Job& job) {
  jobInFlight_ = true;
  deadline_ = handler_.pool().loop().runAfter(handler_.diskDeadline(), [this] {
    deadline_ = 0;
    diskTooSlow();
  });
  handler_.pool().submit(job, WorkPool::Lane::kDisk, share_->pin.device);
}

void FileResponse::diskTooSlow() {
  if (!out_ || !jobInFlight_) return;
  // The job stays in the pool until the disk answers (its memory with it);
  // whatever it brings back then is dropped.
  gaveUp_ = true;
  Responder* out = out_;
  if (phase_ == Phase::kOpening) {
    phase_ = Phase::kDone;
    out->respond(503, "Retry-After: 30\r\n", "The disk holding this file is not answering: try again later.\n");
    out->resume();
    return;
  }
  const auto ms = handler_.diskDeadline().count();
  out->abort("the disk did not answer for " +
                 (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms"),
             true);
}

OpenedFile openInShare(const Share& share, const std::string& rel) {
  if (rel.empty()) return openSharedFile(share.path, share.pin);
  FolderRoot root;
  OpenedFile f;
  if (!root.open(share.path, share.pin, f.error)) return f;
  return root.openFile(rel);
}

OpenedFile FileResponse::open() const { return openInShare(*share_, rel_); }

OpenedFile FileResponse::openCached(bool& wouldBlock) const {
  // The folder (a shared file's, or the shared folder) as checked against
  // the pin within the last second, then the file below it.
  const std::string& path = share_->path;
  std::string_view folder = path;
  if (rel_.empty()) {
    const std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return openSharedFileCached(path, share_->pin, wouldBlock);
    folder = std::string_view(path).substr(0, slash == 0 ? 1 : slash);
  }
  OpenedFile f;
  const int dir = handler_.folders().lend(folder, share_->pin, f.error, wouldBlock);
  if (dir < 0) return f;
  if (rel_.empty()) return openSharedFileCachedIn(dir, path.c_str() + path.rfind('/') + 1, wouldBlock);
  return FolderRoot::openFileCachedBelow(dir, rel_, wouldBlock);
}

void FileResponse::redirectToFolder() {
  std::string extra = "Location: ";
  extra += link_;
  extra += "\r\n";
  out_->respond(301, extra, "This is a folder; its listing is at the same link with a '/' at the end.\n");
}

std::string_view FileResponse::name() const {
  if (rel_.empty()) return share_->name;
  return std::string_view(rel_).substr(rel_.rfind('/') + 1);
}

// A HEAD gets the head alone: no need to read the bytes.
bool FileResponse::inlined() const { return file_.info.size <= kInlineBody && !headOnly_; }

bool FileResponse::readInline(long long (*read)(int, char*, std::size_t, std::uint64_t)) {
  // A small file's bytes go out with the head.
  const std::size_t size = static_cast<std::size_t>(file_.info.size);
  inline_.resize(size);
  for (std::size_t got = 0; got < size;) {
    long long n = read(file_.fd, inline_.data() + got, size - got, got);
    if (n < 0 && errno == EAGAIN) return false;  // not cached: the pool reads it
    if (n <= 0) {
      inlineFailed_ = true;
      inlineErrno_ = n == 0 ? 0 : errno;
      return true;
    }
    got += static_cast<std::size_t>(n);
  }
  return true;
}

void FileResponse::OpenJob::run() {
  FileResponse& r = self;
  if (r.file_.fd < 0) r.file_ = r.open();
  if (r.file_.fd >= 0 && r.inlined()) r.readInline(readAt);
}

// Runs a job's done() body, then lets a response that its connection gave
// back meanwhile go — also when the body throws.
template <typename Fn>
void FileResponse::afterJob(Fn fn) {
  jobInFlight_ = false;
  if (deadline_) handler_.pool().loop().cancel(std::exchange(deadline_, 0));
  inCallback_ = true;
  struct Returned {
    FileResponse& r;
    ~Returned() {
      r.inCallback_ = false;
      if (r.released_ && !r.jobInFlight_) r.recycle();
    }
  } returned{*this};
  if (out_ && !gaveUp_) fn();
}

void FileResponse::OpenJob::done(bool ran) {
  self.afterJob([&] {
    if (!ran) return;
    self.answer();
    self.out_->resume();
  });
}

void FileResponse::answer() {
  if (file_.fd < 0) return refuse();
  answerOpened();
}

void FileResponse::refuse() {
  // The link is valid but its file cannot be served. The person sharing it
  // sees why, as a failed transfer; the client gets the status nginx would
  // give: gone 404, not permitted 403, anything else (a disk error) 500.
  int status = 500;
  std::string why;
  const int err = file_.error;
  if (file_.notRegular && file_.info.folder && !rel_.empty()) {
    // A folder inside a shared folder, asked for without its '/'.
    phase_ = Phase::kDone;
    return redirectToFolder();
  }
  if (file_.notRegular) {
    status = 404;
    why = rel_.empty() ? "the file is no longer a regular file" : "it is not a regular file";
  } else {
    if (err == ENOENT || err == ENOTDIR) status = 404;
    else if (err == EACCES || err == EPERM) status = 403;
    why = std::string("cannot open the file: ") + std::strerror(err);
  }
  if (!headOnly_) {
    TransferHandle h = handler_.stats().begin(out_->client(), share_, 0, 0, 0, item_);
    handler_.stats().finish(h, TransferState::kFailed, std::move(why));
  }
  std::string_view body = status == 404   ? "This file is no longer available.\n"
                          : status == 403 ? "This file cannot be read right now.\n"
                                          : kDiskErrorBody;
  out_->respond(status, {}, body);
  phase_ = Phase::kDone;
}

void FileResponse::answerOpened() {
  const FileInfo& st = file_.info;
  const std::uint64_t size = st.size;

  // Strong validator from size, mtime, ctime and inode: editors that save by
  // rename change the inode even when size and mtime collide, and an edit in
  // place that puts the mtime back still changes the ctime. Built on the
  // stack, like everything on this path: serving a request allocates nothing.
  char etagBuf[96];
  int etagLen = std::snprintf(etagBuf, sizeof etagBuf, "\"%llx-%llx-%llx-%llx\"", static_cast<unsigned long long>(size),
                              static_cast<unsigned long long>(st.mtimeNs), static_cast<unsigned long long>(st.ctimeNs),
                              static_cast<unsigned long long>(st.inode));
  const std::string_view etag(etagBuf, static_cast<std::size_t>(etagLen));
  const std::string_view lastModified = handler_.httpDate(st.mtime);

  auto appendValidators = [&](std::string& h, bool partial = false) {
    h += "ETag: ";
    h += etag;
    h += "\r\nLast-Modified: ";
    h += lastModified;
    h += "\r\n";
    handler_.cachePolicy().appendContentHeaders(h, *share_, partial);
  };

  // Conditional requests (RFC 9110 §13.2.2): If-None-Match wins over
  // If-Modified-Since.
  bool notModified = false;
  if (!ifNoneMatch_.empty()) {
    notModified = noneMatchHits(ifNoneMatch_, etag);
  } else if (!ifModifiedSince_.empty()) {
    std::time_t t = parseHttpDate(ifModifiedSince_);
    notModified = t >= 0 && st.mtime <= t;
  }

  RangeResult range;
  if (!notModified && !range_.empty()) {
    bool rangeApplies = true;
    if (!ifRange_.empty()) {
      // An entity-tag must match strongly; a date must equal Last-Modified.
      rangeApplies = (ifRange_.front() == '"') ? ifRange_ == etag : ifRange_ == lastModified;
    }
    if (rangeApplies) range = parseRange(range_, size);
  }

  phase_ = Phase::kDone;
  if (notModified || range.kind == RangeResult::kUnsatisfiable) {
    std::string extra;
    if (!notModified) {
      extra += "Content-Range: bytes */";
      appendNumber(extra, size);
      extra += "\r\n";
    }
    appendValidators(extra);
    if (notModified) return out_->respond(304, extra);
    return out_->respond(416, extra, "The requested range is not inside the file.\n");
  }

  const bool partial = range.kind == RangeResult::kSingle;
  const std::uint64_t first = partial ? range.range.first : 0;
  const std::uint64_t length = partial ? range.range.length() : size;

  if (!headOnly_ && inlineFailed_) {
    // Nothing has been sent yet: say so with a status, not a cut.
    std::string why = inlineErrno_ == 0 ? "the file shrank during the download"
                                        : std::string("cannot read the file: ") + std::strerror(inlineErrno_);
    TransferHandle h = handler_.stats().begin(out_->client(), share_, size, first, length, item_);
    handler_.stats().finish(h, TransferState::kFailed, std::move(why));
    return out_->respond(500, {}, inlineErrno_ == 0 ? "This file changed while it was being read; try again.\n"
                                                    : kDiskErrorBody);
  }

  // The bytes go now: a limited folder's new device takes its place here.
  if (!claim_.take(*out_, *share_)) return;

  const std::string_view type = mimeTypeForName(name());
  std::string& head = out_->beginHead(partial ? 206 : 200);
  head += "Content-Type: ";
  head += type;
  head += "\r\nContent-Length: ";
  appendNumber(head, length);
  head += "\r\nAccept-Ranges: bytes\r\n";
  if (partial) {
    head += "Content-Range: bytes ";
    appendNumber(head, first);
    head += '-';
    appendNumber(head, range.range.last);
    head += '/';
    appendNumber(head, size);
    head += "\r\n";
  }
  appendValidators(head, partial);
  // Saved, as downloads always were; shown where a page's <img>, <video> or
  // "?inline" link asks and the type cannot run script in the share's origin.
  appendContentDisposition(head, name(), showInline_ && showableInline(type));
  head += "X-Content-Type-Options: nosniff\r\n";
  out_->endHead();
  if (headOnly_) return;

  const Delivering delivering{userAgent_, deliveryVersion(etag)};
  transfer_ = handler_.stats().begin(out_->client(), share_, size, first, length, item_,
                                     TransferDirection::kDownload, &delivering);
  if (size <= kInlineBody) {
    // A small body goes out with the head in one send(): cheaper than a
    // sendfile() call of its own, and within the one-chunk memory bound.
    head.append(inline_, static_cast<std::size_t>(first), static_cast<std::size_t>(length));
    inlineSent_ = length;  // counted once it has left (next() at the end)
    return;
  }
  offset_ = first;
  left_ = length;
  phase_ = Phase::kStreaming;
}

BodySource::Next FileResponse::next(BodyPiece& piece) {
  switch (phase_) {
    case Phase::kOpening:
    case Phase::kReading:
      return Next::kWait;
    case Phase::kDone:
      if (inlineSent_) {
        handler_.stats().addBytes(transfer_, inlineSent_);
        inlineSent_ = 0;
      }
      return Next::kEnd;
    case Phase::kStreaming:
      break;
  }
  if (left_ == 0) {
    phase_ = Phase::kDone;
    return Next::kEnd;
  }
  if (blockPos_ < blockLen_) {
    piece.bytes = std::string_view(block_.get() + blockPos_, blockLen_ - blockPos_);
    return Next::kPiece;
  }
  if (!readNext_) {
    // Whether these bytes are cached is the Connection's to find out, right
    // before each send: if not, it ends the region and says so
    // (regionNotCached()).
    piece.fd = file_.fd;
    piece.offset = offset_;
    piece.length = left_;
    return Next::kPiece;
  }
  // The disk has to be waited for: read the next block in the pool, and
  // let the loop serve everyone else meanwhile.
  readNext_ = false;
  if (!block_) block_.reset(new char[kColdBlock]);
  blockWant_ = static_cast<std::size_t>(std::min<std::uint64_t>(left_, kColdBlock));
  phase_ = Phase::kReading;
  submitTimed(readJob_);
  return Next::kWait;
}

void FileResponse::ReadJob::run() {
  FileResponse& r = self;
  std::size_t got = 0;
  r.blockErrno_ = 0;
  while (got < r.blockWant_) {
    long long n = readAt(r.file_.fd, r.block_.get() + got, r.blockWant_ - got, r.offset_ + got);
    if (n < 0) r.blockErrno_ = errno;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  r.blockResult_ = static_cast<long long>(got);
}

void FileResponse::ReadJob::done(bool ran) {
  self.afterJob([&] {
    if (ran) self.readDone();
  });
}

void FileResponse::readDone() {
  if (blockResult_ == 0) {
    if (blockErrno_) return out_->abort("cannot read the file: " + std::string(std::strerror(blockErrno_)), true);
    return out_->abort("the file shrank during the download", true);
  }
  blockPos_ = 0;
  blockLen_ = static_cast<std::size_t>(blockResult_);
  phase_ = Phase::kStreaming;
  out_->resume();
}

void FileResponse::sent(std::uint64_t n) {
  offset_ += n;
  left_ -= std::min(left_, n);
  if (blockPos_ < blockLen_) blockPos_ += static_cast<std::size_t>(std::min<std::uint64_t>(n, blockLen_ - blockPos_));
  handler_.stats().addBytes(transfer_, n);
}

void FileResponse::abort(std::string_view reason) {
  if (out_) out_->abort(reason, false);
}

void FileResponse::ended(BodyEnd how, std::string_view reason) {
  out_ = nullptr;
  if (!transfer_) return;
  switch (how) {
    case BodyEnd::kComplete:
      handler_.stats().finish(transfer_, TransferState::kDone);
      break;
    case BodyEnd::kCancelled:
      handler_.stats().finish(transfer_, TransferState::kCancelled, std::string(reason));
      break;
    case BodyEnd::kFailed:
      handler_.stats().finish(transfer_, TransferState::kFailed, std::string(reason));
      break;
  }
  transfer_ = {};
}

void FileResponse::release() {
  released_ = true;
  out_ = nullptr;
  // A job in the pool still uses this memory, or its done() is running:
  // recycled when it returns.
  if (jobInFlight_ || inCallback_) return;
  recycle();
}

void FileResponse::recycle() {
  if (deadline_) handler_.pool().loop().cancel(std::exchange(deadline_, 0));
  closeFile(file_.fd);
  file_ = {};
  share_.reset();
  rel_.clear();
  item_.clear();
  link_.clear();
  phase_ = Phase::kDone;
  offset_ = left_ = 0;
  inlineSent_ = 0;
  blockPos_ = blockLen_ = 0;
  readNext_ = false;
  block_.reset();  // only slow disks need one; spare responses stay small
  if (inline_.capacity() > kInlineBody) std::string().swap(inline_);
  handler_.recycle(this);
}

}  // namespace ferry
