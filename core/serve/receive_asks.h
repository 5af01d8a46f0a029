#pragma once

// ReceiveAsks: uploads from devices the user has not accepted yet, waiting
// for an answer (LocalSend's prompt: "iPhone wants to send IMG_0001.HEIC
// and 4 more — Accept / Decline"). One ask per device: a second upload from
// a device already waiting joins its ask. An ask not answered within the
// policy's askTimeout is declined. At most kMaxOpen devices wait at once; one more is
// refused at once (a flood of devices must not queue without bound).
//
// Owns the open asks and their timers, and the callbacks of the uploads
// waiting on them (each holds a liveness token of its upload: a waiter
// whose upload has gone is skipped). Borrows the loop and the receive
// target (where accepted devices are remembered).
//
// Loop thread only; the listener is called on it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "event_loop.h"

namespace ferry {

class ReceiveTarget;

// What the window shows when a device asks.
struct ReceiveAsk {
  std::uint64_t id = 0;
  std::string device;   // the key remembered on acceptance
  std::string label;    // "iPhone", "Android phone", "curl"...
  std::string address;  // "192.168.1.31"
  std::string firstName;
  std::uint64_t firstSize = 0;
  bool sizeKnown = false;
  std::uint32_t more = 0;  // files the device sends after this one
  // A whole offer asked about at once (LocalSend): "12 photos, 48 MB",
  // said instead of the first file and the count when not empty.
  std::string offer;
};

enum class ReceiveAnswer { kDecline, kAccept, kAcceptAlways };

// An ask opens, then ends in exactly one of the other states.
enum class ReceiveAskState { kOpen, kAccepted, kAcceptedAlways, kDeclined, kTimedOut, kWithdrawn };

using ReceiveAskListener = std::function<void(const ReceiveAsk&, ReceiveAskState)>;

class ReceiveAsks final {
 public:
  static constexpr std::size_t kMaxOpen = 8;

  // What a waiting upload hears: go on (kAccepted*) or not.
  using Waiter = std::function<void(ReceiveAskState)>;

  ReceiveAsks(EventLoop& loop, ReceiveTarget& target);
  ~ReceiveAsks();
  ReceiveAsks(const ReceiveAsks&) = delete;
  ReceiveAsks& operator=(const ReceiveAsks&) = delete;

  void setListener(ReceiveAskListener listener) { listener_ = std::move(listener); }
  // Waits for the user's answer about `ask.device`; false when kMaxOpen
  // other devices wait already (nothing is kept then).
  bool wait(const ReceiveAsk& ask, std::weak_ptr<void> alive, Waiter then);
  // The user's answer; an unknown or ended ask is ignored.
  void answer(std::uint64_t id, ReceiveAnswer answer);
  // Receive went off: every ask ends (kWithdrawn).
  void withdrawAll();
  // Every ask whose waiters have all gone (the uploads or offers that asked
  // were closed by their senders) ends (kWithdrawn): it leaves the window,
  // and no longer counts against kMaxOpen.
  void withdrawAbandoned();
  std::size_t open() const { return open_.size(); }

 private:
  struct Open {
    ReceiveAsk ask;
    EventLoop::TimerId timer = 0;
    std::vector<std::pair<std::weak_ptr<void>, Waiter>> waiters;
  };
  void end(std::size_t index, ReceiveAskState state);

  EventLoop& loop_;
  ReceiveTarget& target_;
  ReceiveAskListener listener_;
  std::vector<Open> open_;
  std::uint64_t nextId_ = 1;
};

}  // namespace ferry
