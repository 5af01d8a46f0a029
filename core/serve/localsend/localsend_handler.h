#pragma once

// LocalSendHandler: Ferry as a LocalSend receiver, the RequestHandler of the
// LocalSend port (53317 by default; its own listener, https with Ferry's
// LocalSend identity unless encryption is off).
//
//   GET  /api/localsend/v1/info, /v2/info   who Ferry is (1.17 scans with v1)
//   POST /api/localsend/v2/register         the same, and the caller's
//                                           DeviceInfo to the register hook
//   POST /api/localsend/v2/prepare-upload   an offer of files: asked about
//                                           like a browser's upload, held
//                                           open (long poll) until answered
//   POST /api/localsend/v2/upload           one file's bytes, streamed into
//                                           the receive folder by an Upload
//   POST /api/localsend/v2/cancel           the sender ends the session
//
// One session at a time (another offer meanwhile: 409), its tokens good
// only from the sender's address. A session ends when every accepted file
// is saved, on the sender's cancel, when the user cancels one of its files
// or Receive goes off (the sender is told then), or after kSessionIdle with
// no upload running. With a PIN, an offer without it is 401, and after
// PinTries::kMaxTries wrong ones from an address every offer from it is 429
// for PinTries::kLockout.
//
// Owns the session and the JSON bodies being read; borrows the receive
// target, the uploads' handler (which owns each Upload) and its asks.
//
// Loop thread only, hooks included.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "event_loop.h"
#include "localsend_messages.h"
#include "localsend_pins.h"
#include "responder.h"

namespace ferry {

class ReceiveTarget;
class Upload;
class UploadHandler;

class LocalSendHandler final : public RequestHandler {
 public:
  static constexpr auto kSessionIdle = std::chrono::minutes(5);

  // A device registered (its address: "192.168.1.31"). Set by whoever keeps
  // the list of LocalSend devices.
  using RegisterHook = std::function<void(const localsend::DeviceInfo& device, const std::string& address)>;
  // A cancel for a session this computer is *sending* in: true when it was
  // one (then it is answered 200 and the receiving side never sees it).
  using CancelHook = std::function<bool(std::string_view sessionId, const std::string& address)>;
  // A session this computer ended before its files were all in (the user
  // cancelled, Receive went off): the sender is to be told, as the apps'
  // receivers do (POST /cancel?sessionId to the sender's own server).
  using EndedHook =
      std::function<void(const localsend::DeviceInfo& sender, const std::string& address, const std::string& sessionId)>;
  // A text message (one text/* file with its text in `preview`), accepted.
  using TextListener =
      std::function<void(const localsend::DeviceInfo& from, const std::string& address, const std::string& text)>;

  LocalSendHandler(EventLoop& loop, ReceiveTarget& target, UploadHandler& uploads, localsend::DeviceInfo self,
                   std::string pin);
  ~LocalSendHandler();
  LocalSendHandler(const LocalSendHandler&) = delete;
  LocalSendHandler& operator=(const LocalSendHandler&) = delete;

  void setRegisterHook(RegisterHook hook) { registerHook_ = std::move(hook); }
  void setCancelHook(CancelHook hook) { cancelHook_ = std::move(hook); }
  void setTextListener(TextListener listener) { textListener_ = std::move(listener); }
  void setEndedHook(EndedHook hook) { endedHook_ = std::move(hook); }
  const localsend::DeviceInfo& self() const { return self_; }

  BodyPtr handle(const HttpRequest& req, Responder& out) override;
  SinkPtr accept(const HttpRequest& req, Responder& out) override;
  void connectionsChanged(std::size_t) override {}

  // Receive went off: the session ends, its uploads with it.
  void stopReceiving(std::string_view reason);
  // The user cancels a transfer: when it is one of the session's files, the
  // whole session ends (the sender is told); false when it is not.
  bool cancelTransfer(std::uint64_t transferId);

  // For the JSON bodies (JsonRequest).
  EventLoop& loop() { return loop_; }

 private:
  struct File {
    localsend::FileInfo info;
    std::string subfolder, name;
    std::string token;
    enum class State { kWaiting, kReceiving, kSaved } state = State::kWaiting;
    Upload* upload = nullptr;
    std::weak_ptr<void> uploadAlive;
  };
  struct Session {
    std::string id;
    std::string address;
    localsend::DeviceInfo sender;
    bool accepted = false;  // false while the user is being asked
    std::vector<File> files;
    // Each file's place in `files` by its id, and how many files are in
    // each state: every upload looks its file up, and asks whether more
    // are to come, in O(1) however many files the offer had.
    std::unordered_map<std::string, std::size_t> byId;
    std::size_t waiting = 0, receiving = 0, saved = 0;
    EventLoop::TimerId idle = 0;

    File* find(const std::string& fileId);
    void setState(File& f, File::State state);
  };
  class JsonRequest;

  // A request from a web page (it has an Origin) is answered 403: true then.
  bool fromWebPage(const HttpRequest& req, Responder& out);
  void registerDevice(JsonRequest& body);
  // Answers an offer that the query (PIN) or the moment (receiving off, a
  // session under way) refuses before its body is read: true when it did.
  bool offerRefused(Responder& out, std::string_view query);
  void prepareUpload(JsonRequest& body, std::string_view query);
  void decided(const std::string& sessionId, bool accept);
  SinkPtr upload(const HttpRequest& req, Responder& out, std::string_view query);
  void cancel(Responder& out, std::string_view query);
  // `tell`: the sender did not end it and is told (the ended hook).
  void endSession(std::string_view reason, bool tell = false);
  void armIdle();

  EventLoop& loop_;
  ReceiveTarget& target_;
  UploadHandler& uploads_;
  localsend::DeviceInfo self_;
  std::string pin_;
  localsend::PinTries badPins_;
  std::unique_ptr<Session> session_;
  JsonRequest* waiting_ = nullptr;  // the offer held open while the user is asked
  RegisterHook registerHook_;
  CancelHook cancelHook_;
  TextListener textListener_;
  EndedHook endedHook_;
};

}  // namespace ferry
