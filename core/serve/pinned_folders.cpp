#include "pinned_folders.h"

#include <cerrno>

namespace ferry {

PinnedFolders::~PinnedFolders() {
  if (sweep_) loop_.cancel(sweep_);
  sweep_ = 0;
  clear();
}

void PinnedFolders::clear() {
  for (Entry& e : entries_) closeFile(e.fd);
  entries_.clear();
}

void PinnedFolders::drop(std::size_t i) {
  closeFile(entries_[i].fd);
  if (i + 1 != entries_.size()) entries_[i] = std::move(entries_.back());
  entries_.pop_back();
}

int PinnedFolders::lend(std::string_view path, const FileId& pin, int& error, bool& wouldBlock) {
  wouldBlock = false;
  error = 0;
  const auto now = loop_.now();
  Entry* entry = nullptr;
  for (Entry& e : entries_)
    if (e.pin.inode == pin.inode && e.pin.device == pin.device && e.path == path) {
      entry = &e;
      break;
    }
  if (entry && now - entry->checked < kRecheck) return entry->fd;
  // New, or due: looked up by path again, from the kernel's cache only.
  std::string fresh;
  if (!entry) fresh.assign(path.data(), path.size());
  const int fd = openPinnedFolderPath(entry ? entry->path : fresh, pin, true);
  if (fd < 0) {
    error = errno;
    // EAGAIN: the disk is needed; ENOSYS: no such open here (Windows).
    // Either way the work pool opens it.
    wouldBlock = errno == EAGAIN || errno == ENOSYS;
    // Not the folder shared any more, or not known without the disk: its
    // old descriptor serves nothing from now on.
    if (entry) drop(static_cast<std::size_t>(entry - entries_.data()));
    return -1;
  }
  if (!entry) {
    if (entries_.size() >= kMaxFolders) {
      std::size_t oldest = 0;
      for (std::size_t i = 1; i < entries_.size(); ++i)
        if (entries_[i].checked < entries_[oldest].checked) oldest = i;
      drop(oldest);
    }
    entry = &entries_.emplace_back();
    entry->path = std::move(fresh);
    entry->pin = pin;
  } else {
    closeFile(entry->fd);
  }
  entry->fd = fd;
  entry->checked = now;
  armSweep();
  return fd;
}

void PinnedFolders::armSweep() {
  if (sweep_ || entries_.empty()) return;
  // When the entry checked longest ago falls due.
  auto first = entries_.front().checked;
  for (const Entry& e : entries_)
    if (e.checked < first) first = e.checked;
  const auto wait = first + kRecheck - loop_.now();
  sweep_ = loop_.runAfter(wait > EventLoop::Clock::duration::zero() ? wait : EventLoop::Clock::duration::zero(), [this] {
    sweep_ = 0;
    sweep();
  });
}

void PinnedFolders::sweep() {
  const auto now = loop_.now();
  for (std::size_t i = entries_.size(); i-- > 0;)
    if (now - entries_[i].checked >= kRecheck) drop(i);
  armSweep();
}

}  // namespace ferry
