#include "zip_response.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "byte_range.h"
#include "cache_policy.h"
#include "crc_cache.h"
#include "folder_handler.h"
#include "header_values.h"

namespace ferry {

ZipResponse::ZipResponse(FolderHandler& handler, const HttpRequest& req, Responder& out,
                         std::shared_ptr<const Share> share, std::string rel, ZipSelection selection)
    : handler_(handler),
      out_(&out),
      share_(std::move(share)),
      rel_(std::move(rel)),
      selection_(std::move(selection)),
      headOnly_(req.isHead) {
  top_ = rel_.empty() ? share_->name : rel_.substr(rel_.rfind('/') + 1);
  item_ = rel_.empty() ? share_->name : share_->name + "/" + rel_;
  // Picked files make a zip of their own name: it never overwrites the
  // whole folder's in a Downloads folder.
  item_ += selection_.status == ZipSelection::kSome ? " (selection).zip" : ".zip";
  ifNoneMatch_ = req.header("if-none-match");
  range_ = req.header("range");
  ifRange_ = trimOws(req.header("if-range"));
  userAgent_ = req.header("user-agent");
  // What makes two requests the same zip: the link, the level, whether
  // hidden files are in, the folder itself (as shared), the names picked.
  manifestKey_ = share_->token + '\n' + rel_ + '\n' + (share_->showHidden ? "hidden" : "") + '\n' +
                 std::to_string(share_->pin.device) + ':' + std::to_string(share_->pin.inode) + '\n';
  if (selection_.status == ZipSelection::kSome)
    for (const std::string& name : selection_.names) {
      manifestKey_ += name;
      manifestKey_ += '\0';
    }
  else
    manifestKey_ += '*';
}

ZipResponse::~ZipResponse() {
  cancelDeadline();
  ferry::closeFile(fd_);
}

void ZipResponse::start() {
  root_.setProgress(&progress_);
  submit(Task::kWalk);
}

void ZipResponse::submit(Task task) {
  task_ = task;
  jobInFlight_ = true;
  progress_.mark();
  if (!deadline_) armDeadline(handler_.diskDeadline());
  handler_.pool().submit(job_, WorkPool::Lane::kDisk, share_->pin.device);
}

void ZipResponse::armDeadline(std::chrono::nanoseconds in) {
  deadline_ = handler_.pool().loop().runAfter(std::chrono::ceil<std::chrono::milliseconds>(in), [this] {
    deadline_ = 0;
    deadlinePassed();
  });
}

void ZipResponse::deadlinePassed() {
  if (!jobInFlight_ || !out_ || gaveUp_) return;
  const std::chrono::nanoseconds limit = handler_.diskDeadline();
  const std::chrono::nanoseconds silent = progress_.silentFor();
  // The disk answered within the deadline: the job is slow, not stuck.
  if (silent < limit) return armDeadline(limit - silent);
  gaveUp_ = true;
  ++busy_;  // answering may end the response and release it
  if (task_ == Task::kWalk) {
    out_->respond(503, "Retry-After: 30\r\n", "The disk holding this folder is not answering: try again later.\n");
    out_->resume();
  } else {
    const auto ms = handler_.diskDeadline().count();
    fail("the disk did not answer for " +
         (ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms"));
  }
  --busy_;  // the job is still out: it frees the response when it returns
}

void ZipResponse::cancelDeadline() {
  if (deadline_) handler_.pool().loop().cancel(std::exchange(deadline_, 0));
}

void ZipResponse::Job::run() {
  ZipResponse& r = self;
  switch (r.task_) {
    case Task::kWalk:
      r.walk();
      break;
    case Task::kCrcs:
      r.computeCrcs();
      break;
    case Task::kOpen:
      r.opened_ = r.root_.openFile(r.relOf(r.openIndex_));
      break;
    case Task::kRead: {
      std::size_t got = 0;
      const std::uint64_t fileAt = r.blockAt_ - r.layout().dataOffset(r.fileIndex_);
      r.blockErrno_ = 0;
      while (got < r.blockWant_) {
        long long n = readAt(r.fd_, r.block_.get() + got, r.blockWant_ - got, fileAt + got);
        if (n < 0) r.blockErrno_ = errno;
        if (n <= 0) break;
        r.progress_.mark();
        got += static_cast<std::size_t>(n);
      }
      r.blockLen_ = got;
      break;
    }
  }
}

void ZipResponse::Job::done(bool ran) {
  ZipResponse& r = self;
  // Busy while answering: resume() may end the response and release it,
  // and the memory must outlive this call.
  r.jobInFlight_ = false;
  r.cancelDeadline();
  ++r.busy_;
  if (ran && r.out_ && !r.gaveUp_) {
    switch (r.task_) {
      case Task::kWalk:
        r.answer();
        break;
      case Task::kCrcs:
        if (!r.changed_.empty()) r.fail(r.changed_ + " changed while it was being zipped");
        break;
      case Task::kOpen:
        if (r.opened_.fd < 0 || !r.sameFile(r.openIndex_, r.opened_.info)) {
          ferry::closeFile(r.opened_.fd);
          r.fail(std::string(r.layout().name(r.openIndex_)) + " changed while it was being zipped");
        } else {
          r.fd_ = r.opened_.fd;
          r.fileIndex_ = r.openIndex_;
        }
        r.opened_ = {};
        break;
      case Task::kRead:
        if (r.blockLen_ == 0)
          r.fail(r.blockErrno_ ? std::string("cannot read ") + std::string(r.layout().name(r.fileIndex_)) + ": " +
                                     std::strerror(r.blockErrno_)
                               : std::string(r.layout().name(r.fileIndex_)) + " shrank while it was being zipped");
        break;
    }
    if (r.out_) r.out_->resume();
  }
  if (--r.busy_ == 0 && r.released_) delete &r;
}

void ZipResponse::walk() {
  int error = 0;
  if (!root_.open(share_->path, share_->pin, error)) {
    walk_.status = FolderWalk::kUnreadable;
    walk_.error = error;
    return;
  }
  // The same zip asked for lately (another segment, a resume), its folders
  // listed again and found unchanged: the manifest as it was.
  if (auto kept = handler_.manifests().find(manifestKey_, root_, share_->showHidden)) {
    manifest_ = std::move(kept);
    walk_ = manifest_->walk;
    found_ = manifest_->found;
    crc_ = manifest_->crc;
    crcKnown_ = manifest_->crcKnown;
    for (std::size_t i = 0; i < crc_.size(); ++i) {
      if (crcKnown_[i]) continue;
      if (auto c = handler_.crcs().find(layout().entry(i).file)) {  // computed since
        crc_[i] = *c;
        crcKnown_[i] = true;
      }
    }
    return;
  }
  auto made = std::make_shared<ZipManifest>();
  ZipManifest& m = *made;
  found_.assign(selection_.names.size(), false);
  auto visit = [&](const std::string& path, const FileInfo& info) {
    // "Top/", "Top/name", "Top/name/...": with a selection, the top and
    // what lies in or under the picked names.
    if (selection_.status == ZipSelection::kSome && path.size() > top_.size() + 1) {
      std::string_view below = std::string_view(path).substr(top_.size() + 1);
      std::string_view name = below.substr(0, below.find('/'));
      auto it = std::lower_bound(selection_.names.begin(), selection_.names.end(), name);
      if (it == selection_.names.end() || *it != name) return true;
      found_[static_cast<std::size_t>(it - selection_.names.begin())] = true;
    }
    m.layout.add(path, info);
    return true;
  };
  auto listed = [&](const std::string& rel, const std::vector<FolderEntry>& entries) {
    m.folders.push_back({rel, entries});
    std::sort(m.folders.back().entries.begin(), m.folders.back().entries.end(),
              [](const FolderEntry& a, const FolderEntry& b) { return a.name < b.name; });
  };
  walk_ = walkFolder(root_, rel_, top_, share_->showHidden, visit, listed);
  if (walk_.status != FolderWalk::kDone) return;
  m.layout.finish();
  const std::size_t n = m.layout.count();
  crc_.assign(n, 0);
  crcKnown_.assign(n, false);
  for (std::size_t i = 0; i < n; ++i) {
    const ZipEntry& e = m.layout.entry(i);
    if (e.folder || e.file.size == 0) {
      crcKnown_[i] = true;  // CRC-32 of nothing is 0
    } else if (auto c = handler_.crcs().find(e.file)) {
      crc_[i] = *c;
      crcKnown_[i] = true;
    }
  }
  m.walk = walk_;
  m.found = found_;
  m.crc = crc_;
  m.crcKnown = crcKnown_;
  manifest_ = made;
  // A sub-folder that could not be listed might be listable next time: a
  // later look would not notice, so such a manifest is not kept.
  if (walk_.unreadable == 0) handler_.manifests().keep(manifestKey_, std::move(made));
}

std::string ZipResponse::relOf(std::size_t i) const {
  std::string_view name = layout().name(i).substr(top_.size() + 1);  // below "Photos/"
  if (rel_.empty()) return std::string(name);
  std::string r = rel_;
  r += '/';
  r += name;
  return r;
}

bool ZipResponse::sameFile(std::size_t i, const FileInfo& now) const {
  const FileInfo& then = layout().entry(i).file;
  return now.size == then.size && now.mtimeNs == then.mtimeNs && now.ctimeNs == then.ctimeNs &&
         now.inode == then.inode;
}

void ZipResponse::computeCrcs() {
  for (std::size_t i = crcFrom_; i < crcTo_; ++i) {
    if (crcKnown_[i]) continue;
    // Once for the file, also when the folder scanner is at it meanwhile.
    std::optional<std::uint32_t> crc = handler_.crcs().crcOf(layout().entry(i).file, [&]() -> std::optional<std::uint32_t> {
      OpenedFile f = root_.openFile(relOf(i));
      std::uint32_t c = 0;
      bool ok = f.fd >= 0 && sameFile(i, f.info) && computeCrc32(f.fd, f.info.size, c, nullptr, &progress_);
      // Written to while it was read: the CRC may be of neither version.
      FileInfo after;
      ok = ok && statFile(f.fd, after) && sameFile(i, after);
      ferry::closeFile(f.fd);
      return ok ? std::optional<std::uint32_t>(c) : std::nullopt;
    }, &progress_);
    if (!crc) {
      changed_ = std::string(layout().name(i));
      return;
    }
    crc_[i] = *crc;
    crcKnown_[i] = true;
  }
}

void ZipResponse::answer() {
  if (walk_.status == FolderWalk::kUnreadable) return refuseUnreadableFolder(*out_, walk_.error);
  if (walk_.status != FolderWalk::kDone) {
    std::string why = "This folder is too large to download as one zip: " + describeWalk(walk_) +
                      ". Open it and download its folders one by one.\n";
    return out_->respond(413, {}, why);
  }
  for (std::size_t i = 0; i < found_.size(); ++i) {
    if (found_[i]) continue;
    // Gone since the page was shown, renamed, or never there.
    std::string why = "\"" + selection_.names[i] + "\" is not in this folder (any more): go back to the folder's "
                      "page and pick again.\n";
    return out_->respond(404, {}, why);
  }
  const std::uint64_t total = layout().total();
  const std::string& etag = layout().etag();
  auto validators = [&](std::string& h, bool partial = false) {
    h += "ETag: ";
    h += etag;
    h += "\r\n";
    handler_.cachePolicy().appendContentHeaders(h, *share_, partial);
  };
  if (!ifNoneMatch_.empty() && noneMatchHits(ifNoneMatch_, etag)) {
    std::string extra;
    validators(extra);
    return out_->respond(304, extra);
  }
  RangeResult range;
  // If-Range names this zip by its ETag (a zip has no one modification time).
  if (!range_.empty() && (ifRange_.empty() || ifRange_ == etag)) range = parseRange(range_, total);
  if (range.kind == RangeResult::kUnsatisfiable) {
    std::string extra = "Content-Range: bytes */";
    appendNumber(extra, total);
    extra += "\r\n";
    validators(extra);
    return out_->respond(416, extra, "The requested range is not inside the zip.\n");
  }
  const bool partial = range.kind == RangeResult::kSingle;
  pos_ = partial ? range.range.first : 0;
  end_ = partial ? range.range.last + 1 : total;
  // The bytes go now: a limited folder's new device takes its place here.
  if (!claim_.take(*out_, *share_)) return;

  std::string& head = out_->beginHead(partial ? 206 : 200);
  head += "Content-Type: application/zip\r\nContent-Length: ";
  appendNumber(head, end_ - pos_);
  head += "\r\nAccept-Ranges: bytes\r\n";
  if (partial) {
    head += "Content-Range: bytes ";
    appendNumber(head, pos_);
    head += '-';
    appendNumber(head, end_ - 1);
    head += '/';
    appendNumber(head, total);
    head += "\r\n";
  }
  validators(head, partial);
  appendContentDisposition(head, selection_.status == ZipSelection::kSome ? top_ + " (selection).zip" : top_ + ".zip");
  head += "X-Content-Type-Options: nosniff\r\n";
  out_->endHead();
  if (headOnly_) return;
  const Delivering delivering{userAgent_, deliveryVersion(layout().etag())};
  transfer_ = handler_.stats().begin(out_->client(), share_, total, pos_, end_ - pos_, item_,
                                     TransferDirection::kDownload, &delivering);
  streaming_ = true;
}

void ZipResponse::fail(std::string why) {
  // A file changed, or the disk failed: the next request walks anew.
  handler_.manifests().drop(manifestKey_);
  if (out_) out_->abort(why, true);
}

void ZipResponse::abort(std::string_view reason) {
  if (out_) out_->abort(reason, false);
}

bool ZipResponse::closeFile() {
  if (fd_ < 0) return true;
  FileInfo now;
  bool same = statFile(fd_, now) && sameFile(fileIndex_, now);
  ferry::closeFile(fd_);
  fd_ = -1;
  if (!same) fail(std::string(layout().name(fileIndex_)) + " changed while it was being zipped");
  return same;
}

bool ZipResponse::openEntry(std::size_t i, bool cachedOnly) {
  bool wouldBlock = false;
  OpenedFile f = cachedOnly ? root_.openFileCached(relOf(i), wouldBlock) : root_.openFile(relOf(i));
  if (wouldBlock) return false;
  if (f.fd < 0 || !sameFile(i, f.info)) {
    ferry::closeFile(f.fd);
    fail(std::string(layout().name(i)) + " changed while it was being zipped");
    return true;
  }
  fd_ = f.fd;
  fileIndex_ = i;
  return true;
}

BodySource::Next ZipResponse::next(BodyPiece& piece) {
  // A file found changed ends the connection from in here, and with it
  // this response's last use: freed once next() has returned.
  ++busy_;
  Next n = nextPiece(piece);
  if (--busy_ == 0 && released_ && !jobInFlight_) delete this;
  return n;
}

BodySource::Next ZipResponse::nextPiece(BodyPiece& piece) {
  if (jobInFlight_ || !out_) return Next::kWait;
  if (!streaming_) return Next::kEnd;
  for (;;) {
    if (pos_ >= end_) {
      // The last file's bytes have gone: were they what the headers said?
      if (!closeFile()) return Next::kWait;
      streaming_ = false;
      return Next::kEnd;
    }
    // Bytes made already: generated headers, or a block read in the pool.
    if (pos_ >= bufAt_ && pos_ < bufAt_ + buf_.size()) {
      std::size_t from = static_cast<std::size_t>(pos_ - bufAt_);
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf_.size() - from, end_ - pos_));
      piece.bytes = std::string_view(buf_).substr(from, n);
      return Next::kPiece;
    }
    if (blockLen_ && pos_ >= blockAt_ && pos_ < blockAt_ + blockLen_) {
      std::size_t from = static_cast<std::size_t>(pos_ - blockAt_);
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(blockLen_ - from, end_ - pos_));
      piece.bytes = std::string_view(block_.get() + from, n);
      return Next::kPiece;
    }
    buf_.clear();
    if (pos_ >= layout().centralOffset()) {
      if (!closeFile()) return Next::kWait;
      if (pos_ >= layout().endOffset()) {
        bufAt_ = layout().endOffset();
        layout().appendEnd(buf_);
        continue;
      }
      // The directory holds every CRC: all are needed before any of it goes.
      auto missing = std::find(crcKnown_.begin(), crcKnown_.end(), false);
      if (missing != crcKnown_.end()) {
        crcFrom_ = static_cast<std::size_t>(missing - crcKnown_.begin());
        crcTo_ = layout().count();
        submit(Task::kCrcs);
        return Next::kWait;
      }
      if (cdAt_ < layout().centralOffset() || pos_ < cdAt_ || cdIndex_ >= layout().count()) {
        cdIndex_ = 0;
        cdAt_ = layout().centralOffset();
      }
      while (cdIndex_ + 1 < layout().count() && cdAt_ + layout().centralHeaderSize(cdIndex_) <= pos_)
        cdAt_ += layout().centralHeaderSize(cdIndex_++);
      bufAt_ = cdAt_;
      for (std::size_t i = cdIndex_; i < layout().count() && buf_.size() < kHeaderBatch; ++i)
        layout().appendCentralHeader(i, crc_[i], buf_);
      continue;
    }
    const std::size_t i = layout().entryAt(pos_);
    if (pos_ < layout().dataOffset(i)) {
      if (fd_ >= 0 && fileIndex_ != i && !closeFile()) return Next::kWait;
      if (!crcKnown_[i]) {
        // Ahead of the sender: this file and the next few, in one job.
        crcFrom_ = i;
        crcTo_ = i;
        std::uint64_t bytes = 0;
        while (crcTo_ < layout().count() && crcTo_ - i < kCrcBatchFiles && bytes < kCrcBatchBytes)
          bytes += layout().entry(crcTo_++).file.size;
        submit(Task::kCrcs);
        return Next::kWait;
      }
      bufAt_ = layout().entry(i).offset;
      layout().appendLocalHeader(i, crc_[i], buf_);
      continue;
    }
    // Inside entry i's data.
    if (fd_ < 0 || fileIndex_ != i) {
      if (!closeFile()) return Next::kWait;
      if (!openEntry(i, true)) {
        openIndex_ = i;
        submit(Task::kOpen);
        return Next::kWait;
      }
      if (!out_) return Next::kWait;  // it changed: the connection has ended
    }
    const std::uint64_t dataAt = layout().dataOffset(i);
    const std::uint64_t dataEnd = std::min(end_, dataAt + layout().entry(i).file.size);
    if (readNext_) {
      // The disk has to be waited for: the next block comes from the pool.
      readNext_ = false;
      if (!block_) block_.reset(new char[kColdBlock]);
      blockAt_ = pos_;
      blockLen_ = 0;
      blockWant_ = static_cast<std::size_t>(std::min<std::uint64_t>(kColdBlock, dataEnd - pos_));
      submit(Task::kRead);
      return Next::kWait;
    }
    piece.fd = fd_;
    piece.offset = pos_ - dataAt;
    piece.length = dataEnd - pos_;
    return Next::kPiece;
  }
}

void ZipResponse::sent(std::uint64_t n) {
  pos_ += n;
  handler_.stats().addBytes(transfer_, n);
}

void ZipResponse::ended(BodyEnd how, std::string_view reason) {
  out_ = nullptr;
  if (!transfer_) return;
  TransferState state = how == BodyEnd::kComplete    ? TransferState::kDone
                        : how == BodyEnd::kCancelled ? TransferState::kCancelled
                                                     : TransferState::kFailed;
  handler_.stats().finish(transfer_, state, std::string(reason));
  transfer_ = {};
}

void ZipResponse::release() {
  out_ = nullptr;
  released_ = true;
  handler_.forget(this);
  if (!jobInFlight_ && !busy_) delete this;
}

}  // namespace ferry
