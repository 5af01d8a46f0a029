#include "folder_scanner.h"

#include <vector>

#include "folder_walk.h"
#include "media_kind.h"
#include "page_kind.h"
#include "picture.h"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ferry {
namespace {

// The scanner yields to everything else: nice 19, and on Linux the idle I/O
// class (it reads a disk only when nobody else does).
void lowerPriority() {
#if defined(__linux__)
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  ::setpriority(PRIO_PROCESS, tid, 19);
#ifdef SYS_ioprio_set
  constexpr int kWhoProcess = 1, kClassIdle = 3, kClassShift = 13;
  ::syscall(SYS_ioprio_set, kWhoProcess, static_cast<int>(tid), kClassIdle << kClassShift);
#endif
#endif
}

// Adds one entry of a walk ("2024/Day 1/IMG_1.jpg", or "2024/" for a
// folder) to the totals of every level above it.
void countIn(std::unordered_map<std::string, FolderTotals>& levels, std::string_view rel, const FileInfo& info) {
  if (info.folder || rel.empty()) {  // the top ("") or "2024/": an empty folder holds nothing
    levels.try_emplace(std::string(rel.empty() ? rel : rel.substr(0, rel.size() - 1)));
    return;
  }
  const PageKind kind = pageKindOf(rel);
  const bool photo = kind == PageKind::kPicture || kind == PageKind::kPictureByView;
  const bool clip = kind == PageKind::kClip;
  std::size_t slash = rel.rfind('/');
  const std::string_view own = slash == std::string_view::npos ? std::string_view() : rel.substr(0, slash);
  for (std::size_t end = 0;;) {
    const std::string_view level = rel.substr(0, end);
    FolderTotals& t = levels[std::string(level)];
    ++t.files;
    t.photos += photo;
    t.clips += clip;
    t.bytes += info.size;
    if (level.size() == own.size()) {
      ++t.ownFiles;
      t.ownBytes += info.size;
      break;
    }
    end = rel.find('/', end + (end ? 1 : 0));
  }
}

}  // namespace

FolderScanner::FolderScanner(CrcCache& crcs, PictureCache& pictures) : crcs_(crcs), pictures_(pictures) {}

FolderScanner::~FolderScanner() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cancel_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FolderScanner::scan(std::shared_ptr<const Share> share) {
  if (!share || !share->folder) return;
  {
    std::lock_guard lock(mutex_);
    summaries_[share->token] = FolderSummary{};
    totals_.erase(share->token);
    std::erase_if(queue_, [&](const auto& s) { return s->token == share->token; });
    if (current_ == share->token) cancel_ = true;  // scanned again from the start
    enqueueLocked(std::move(share));
  }
  wake_.notify_all();
}

void FolderScanner::enqueueLocked(std::shared_ptr<const Share> share) {
  queue_.push_back(std::move(share));
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void FolderScanner::refresh(std::shared_ptr<const Share> share) {
  if (!share || !share->folder) return;
  {
    std::lock_guard lock(mutex_);
    if (current_ == share->token || !summaries_.count(share->token)) return;
    for (const auto& q : queue_)
      if (q->token == share->token) return;
    auto it = totals_.find(share->token);
    if (it != totals_.end() && std::chrono::steady_clock::now() - it->second.at < kRefreshAfter) return;
    enqueueLocked(std::move(share));
  }
  wake_.notify_all();
}

std::optional<FolderTotals> FolderScanner::totals(const std::string& token, const std::string& rel) const {
  std::lock_guard lock(mutex_);
  auto it = totals_.find(token);
  if (it == totals_.end() || !it->second.levels) return std::nullopt;
  auto level = it->second.levels->find(rel);
  if (level == it->second.levels->end()) return std::nullopt;
  return level->second;
}

void FolderScanner::forget(const std::string& token) {
  std::lock_guard lock(mutex_);
  summaries_.erase(token);
  totals_.erase(token);
  std::erase_if(queue_, [&](const auto& s) { return s->token == token; });
  if (current_ == token) cancel_ = true;
}

std::optional<FolderSummary> FolderScanner::summary(const std::string& token) const {
  std::lock_guard lock(mutex_);
  auto it = summaries_.find(token);
  if (it == summaries_.end()) return std::nullopt;
  return it->second;
}

void FolderScanner::setListener(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void FolderScanner::waitIdle() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return queue_.empty() && current_.empty(); });
}

void FolderScanner::run() {
  lowerPriority();
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    auto share = std::move(queue_.front());
    queue_.pop_front();
    current_ = share->token;
    cancel_ = false;
    lock.unlock();
    scanOne(share);
    crcs_.save();
    lock.lock();
    current_.clear();
    if (queue_.empty()) idle_.notify_all();
  }
  current_.clear();
  idle_.notify_all();
}

void FolderScanner::publish(const std::string& token, const FolderSummary& s, TotalsMap* totals) {
  Listener l;
  {
    std::lock_guard lock(mutex_);
    auto it = summaries_.find(token);
    if (it == summaries_.end() || cancel_) return;  // forgotten meanwhile
    it->second = s;
    // A walk cut short counted only some: no totals rather than wrong ones.
    if (totals)
      totals_[token] = Counted{s.state == FolderSummary::kDone ? std::make_shared<const TotalsMap>(std::move(*totals))
                                                               : nullptr,
                               std::chrono::steady_clock::now()};
    l = listener_;
  }
  if (l) l(token);
}

void FolderScanner::scanOne(const std::shared_ptr<const Share>& share) {
  FolderRoot root;
  FolderSummary s;
  int error = 0;
  struct File {
    std::string rel;
    FileInfo info;
  };
  std::vector<File> needCrc;
  std::vector<File> media;  // photos and videos, for their thumbnails
  TotalsMap levels;
  const bool pictures = pictures_.enabled();
  FolderWalk walk;
  if (!root.open(share->path, share->pin, error)) {
    walk.status = FolderWalk::kUnreadable;
    walk.error = error;
  } else {
    const std::size_t prefix = share->name.size() + 1;  // "Photos/"
    walk = walkFolder(root, {}, share->name, share->showHidden, [&](const std::string& path, const FileInfo& info) {
      if (cancel_) return false;
      countIn(levels, std::string_view(path).substr(prefix), info);
      if (info.regular && !crcs_.find(info)) needCrc.push_back({path.substr(prefix), info});
      if (pictures && info.regular && media.size() < kMaxPictures && canPicture(mediaKindOf(path)))
        media.push_back({path.substr(prefix), info});
      return true;
    });
  }
  if (cancel_) return;
  s.files = walk.files;
  s.folders = walk.folders;
  s.bytes = walk.bytes;
  s.problem = describeWalk(walk);
  s.state = walk.status == FolderWalk::kDone            ? FolderSummary::kDone
            : walk.status == FolderWalk::kUnreadable    ? FolderSummary::kUnreadable
                                                        : FolderSummary::kTooLarge;
  s.crcsReady = needCrc.empty() && s.state == FolderSummary::kDone;
  publish(share->token, s, &levels);
  if (s.state != FolderSummary::kDone) return;
  // Marked as the files are read: a zip waiting for one of these CRCs
  // hears that the disk answers.
  DiskProgress reading;
  for (const File& f : needCrc) {
    if (cancel_) return;
    // Once for the file, also when a zip of this folder is at it meanwhile.
    crcs_.crcOf(f.info, [&]() -> std::optional<std::uint32_t> {
      OpenedFile file = root.openFile(f.rel);
      if (file.fd < 0) return std::nullopt;
      std::uint32_t crc = 0;
      // Only the content the walk saw: a file changed since gets its CRC
      // when a zip needs it.
      FileInfo after;
      const bool ok = file.info.size == f.info.size && file.info.mtimeNs == f.info.mtimeNs &&
                      file.info.ctimeNs == f.info.ctimeNs && file.info.inode == f.info.inode &&
                      computeCrc32(file.fd, file.info.size, crc, &cancel_, &reading) && statFile(file.fd, after) &&
                      after.ctimeNs == file.info.ctimeNs && after.size == file.info.size;
      closeFile(file.fd);
      return ok ? std::optional<std::uint32_t>(crc) : std::nullopt;
    }, &reading);
  }
  if (cancel_) return;
  s.crcsReady = true;
  publish(share->token, s);
  for (const File& f : media) {
    if (cancel_) return;
    OpenedFile file = root.openFile(f.rel);
    if (file.fd < 0) continue;
    const PictureKey key = pictureKeyOf(file.info, Rendition::kThumb);
    // When a photo or clip was taken, for the page's date order: its header only.
    if (!pictures_.taken(key)) {
      std::int64_t taken = 0;
      pictureTaken(file.fd, mediaKindOf(f.rel), taken);
      pictures_.putTaken(key, taken);
    }
    if (!pictures_.has(key)) {
      // The same call and cache as a request's: a failure is kept too.
      Picture pic;
      std::string why;
      const bool made = makePicture(file.fd, mediaKindOf(f.rel), Rendition::kThumb, pic, why);
      pictures_.put(key, made ? std::string_view(pic.bytes) : std::string_view());
    }
    closeFile(file.fd);
  }
}

}  // namespace ferry
