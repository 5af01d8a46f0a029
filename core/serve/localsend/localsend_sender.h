#pragma once

// Sender: Ferry sending files, folders and text to a LocalSend device, as
// the LocalSend apps send (protocol v2):
//   POST /api/localsend/v2/prepare-upload  who we are and what we offer; the
//        device asks its user and answers with a token per accepted file
//        (200), 204 (nothing wanted, or a text message shown), 401 (a PIN is
//        needed: the listener is asked for one, and the offer goes again
//        with ?pin=), 403 declined, 409 busy, 429 too many wrong PINs;
//   POST /api/localsend/v2/upload?sessionId&fileId&token  each file's bytes,
//        two at a time (the apps' limit), streamed from disk; a 422
//        (checksum mismatch, LocalSend 2.2) is retried up to three tries;
//   POST /api/localsend/v2/cancel?sessionId  when the user cancels here.
// The device cancelling (its POST /cancel to our listener) ends the session
// through peerCancelled().
//
// Every file of a session is a transfer in TransferStats from the offer on
// (the "sent" direction: it leaves this computer, named by the device's
// alias), so Transfers shows it waiting, moving and how it ended: done,
// declined, cancelled (by whom) or failed (why).
//
// Owns its sessions and their HTTP clients. Loop thread only; the listener
// is called on the loop thread and must not block.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "event_loop.h"
#include "http_client.h"
#include "localsend_messages.h"
#include "transfer_stats.h"
#include "work_pool.h"

namespace ferry {
class TlsContext;
}

namespace ferry::localsend {

class Sender final {
 public:
  // Uploads of one session at once (what the apps do).
  static constexpr int kParallel = 2;
  static constexpr int kTries = 3;
  // How long a device may take to answer an offer: its user decides meanwhile.
  static constexpr auto kDecisionTime = std::chrono::minutes(5);

  // Where a session goes.
  struct Target {
    std::uint64_t device = 0;  // in NearbyDevices
    DeviceInfo info;           // its port, protocol, fingerprint, alias
    std::string address;
  };
  // One file of an offer: a file on disk, or (text) bytes in memory.
  struct Item {
    std::string path;      // "" for text
    std::string fileName;  // as the device will name it: "a/b.jpg" keeps a folder
    std::uint64_t size = 0;
    std::string fileType;  // MIME
    std::string text;      // the bytes of a text message (also its preview)
    bool isText = false;
  };

  // A device wants a PIN for session `id` (again, when `wrong`); answer with pin().
  using PinListener = std::function<void(std::uint64_t id, std::uint64_t device, const std::string& alias, bool wrong)>;
  // A session could not reach its device (to check whether it is gone).
  using Unreachable = std::function<void(std::uint64_t device)>;

  Sender(EventLoop& loop, WorkPool& pool, TransferStats& stats, std::shared_ptr<TlsContext> client, DeviceInfo self);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void setPinListener(PinListener l) { pinListener_ = std::move(l); }
  void setUnreachable(Unreachable u) { unreachable_ = std::move(u); }

  // Offers `items` to the device; returns the session's id.
  std::uint64_t send(const Target& target, std::vector<Item> items);
  // The PIN for a session that asked for one; an empty PIN gives up.
  void pin(std::uint64_t id, const std::string& pin);
  // The user cancels: the device is told, every transfer ends as cancelled.
  void cancel(std::uint64_t id, const std::string& reason = "cancelled by the user");
  // Cancels the session transfer `transferId` belongs to; false if none.
  bool cancelTransfer(std::uint64_t transferId);
  // The device at `address` cancelled its session `sessionId` ("" = its
  // only one): true when it was one of ours.
  bool peerCancelled(const std::string& sessionId, const std::string& address);
  // A device's session sending *to* this computer ended here: it is told
  // with POST /cancel?sessionId to its own server, as the apps' receivers
  // tell theirs (over https pinned to the fingerprint it offered with).
  void tellSenderCancelled(const DeviceInfo& device, const std::string& address, const std::string& sessionId);

 private:
  struct File {
    Item item;
    std::string id;
    std::string token;  // "" while not accepted
    TransferHandle transfer;
    std::uint64_t sent = 0;
    int tries = 0;
    bool done = false;
  };
  struct Session {
    std::uint64_t id = 0;
    Target target;
    std::vector<File> files;
    std::string sessionId;  // the device's
    std::string pin;
    std::unique_ptr<HttpClient> offer;
    std::unordered_map<std::size_t, std::unique_ptr<HttpClient>> uploads;  // by file index
    std::size_t next = 0;  // the next file to upload
    bool waitingForPin = false;
  };

  void offer(Session& s);
  void offered(std::uint64_t id, HttpClient::Response r);
  void pump(Session& s);
  void upload(Session& s, std::size_t index);
  void uploaded(std::uint64_t id, std::size_t index, HttpClient::Response r);
  // Ends every transfer still open with `state` and `reason`, then the session.
  void end(std::uint64_t id, TransferState state, const std::string& reason);
  void maybeDone(std::uint64_t id);
  HttpClient::Request requestTo(const Target& t) const;
  void tellCancel(const Target& target, const std::string& sessionId);

  EventLoop& loop_;
  WorkPool& pool_;
  TransferStats& stats_;
  std::shared_ptr<TlsContext> client_;
  DeviceInfo self_;
  PinListener pinListener_;
  Unreachable unreachable_;
  std::unordered_map<std::uint64_t, Session> sessions_;
  // Cancel requests to devices, in flight after their session ended.
  std::unordered_map<std::uint64_t, std::unique_ptr<HttpClient>> farewells_;
  std::uint64_t nextId_ = 1;
  std::uint64_t nextFarewell_ = 1;
};

}  // namespace ferry::localsend
