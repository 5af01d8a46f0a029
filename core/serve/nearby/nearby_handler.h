#pragma once

// NearbyHandler: the receive link's live side, for "this computer's page"
// on a phone. `GET <receive link>?events[&name=N]` opens the page's
// Server-Sent Events stream: while it is open the browser is a nearby
// device (NearbyDevices), known by a cookie scoped to the receive link, and
// what this computer sends to that device (text, links to files) reaches
// it, and only it, as events. `POST <receive link>?text` is text the page
// sends to this computer (at most kMaxText bytes).
//
// On the wire: `retry:` first, then a `hello` event (the device's id and
// name), the device's queued messages it has not seen (all of them on a
// fresh page; after `Last-Event-ID` on a reconnect), each with its `id:`:
// `text`, `file` (a card with its private link), and `removed` (that link
// was taken back: the card says so and offers no download);
// a comment every kHeartbeat keeps proxies and NAT tables from closing an
// idle stream and lets a vanished phone be noticed. Streams are not
// transfers: they are not counted as downloads.
//
// Caps: kMaxStreamsPerDevice (a device's oldest stream ends when it opens
// another), kMaxStreamsPerAddress (beyond: 429); the queue bounds are
// NearbyDevices'.
//
// Owns the device registry and knows its open streams by id (each owned by
// its connection). Loop thread only; the text listener is called on it and
// must not block.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "body_sink.h"
#include "body_source.h"
#include "event_loop.h"
#include "nearby_devices.h"
#include "responder.h"

namespace ferry {

struct ReceiveFolder;
class EventStream;

// Text a nearby device sent to this computer.
using NearbyTextListener = std::function<void(const NearbyDevice& from, const std::string& text)>;

class NearbyHandler final {
 public:
  static constexpr std::size_t kMaxText = 64 * 1024;
  static constexpr std::size_t kMaxStreamsPerDevice = 4;
  static constexpr std::size_t kMaxStreamsPerAddress = 16;
  static constexpr auto kHeartbeat = std::chrono::seconds(15);
  static constexpr int kRetryMs = 2000;
  // The device's cookie over plain HTTP; over TLS its schemeCookieName()
  // (Secure, the prefix making browsers take it only from https). Where one port speaks both
  // (--http-too) the names differ, as a browser keeps an http page from
  // replacing a Secure cookie of the same name: one name would make every
  // http reconnect after an https visit a new device. A device that comes
  // over https holding only the plain cookie stays the same device under a
  // new key (the old one travelled in the clear and opens nothing after).
  static constexpr std::string_view kCookie = "ferry_device";

  explicit NearbyHandler(EventLoop& loop);
  ~NearbyHandler();
  NearbyHandler(const NearbyHandler&) = delete;
  NearbyHandler& operator=(const NearbyHandler&) = delete;

  // Whether a request on the receive link is this handler's.
  static bool wantsEvents(const HttpRequest& req);
  static bool wantsText(const HttpRequest& req);

  BodyPtr events(const HttpRequest& req, Responder& out, const ReceiveFolder& folder);
  SinkPtr text(const HttpRequest& req, Responder& out, const ReceiveFolder& folder);

  // Sends a message to one device's page (queued for its reconnects too);
  // false when the device is not here.
  bool send(std::uint64_t device, std::string_view type, std::string json);
  // A file's card: the share behind it, its link as the page has it, and
  // the `file` event's data.
  struct Card {
    std::string token;
    std::string link;
    std::string json;
  };
  // Sends a `file` card, and remembers whose card the link is, for
  // takeBack(); false when the device is not here.
  bool sendFile(std::uint64_t device, const Card& card);
  // The share `token` was removed: when it was sent to a device still here,
  // its page gets `removed` with the link, and shows the card taken back.
  void takeBack(std::string_view token);
  // Receive went off or moved: every stream ends (the devices leave).
  void stopReceiving(std::string_view reason);

  NearbyDevices& devices() { return devices_; }
  // Without a listener nothing on this computer would show a page's text
  // (nor send it anything): the page then keeps its nearby area hidden,
  // and text posted anyway gets 503.
  void setTextListener(NearbyTextListener listener) { textListener_ = std::move(listener); }

  // For EventStream and the text sink.
  void closed(std::uint64_t streamId);
  void textArrived(std::uint64_t device, std::string text);

 private:
  struct Open {
    EventStream* stream;
    std::uint64_t device;
    std::string address;
  };
  struct Sent {
    std::uint64_t device;
    std::string link;
  };
  // Writes to a stream found by id; it may end while being written to.
  void writeTo(std::uint64_t streamId, std::string_view frame);
  // The key in the request's cookie for its scheme; for a device moving to
  // https a new one it is known by from now on (`moved` then true).
  std::string keyOf(const HttpRequest& req, const Responder& out, bool& moved);
  void heartbeat();

  EventLoop& loop_;
  NearbyDevices devices_;
  NearbyTextListener textListener_;
  std::unordered_map<std::uint64_t, Open> streams_;
  // Links sent to devices, by token, while their device is known.
  std::unordered_map<std::string, Sent> sent_;
  std::uint64_t nextStream_ = 1;
  EventLoop::TimerId heartbeat_ = 0;
};

}  // namespace ferry
