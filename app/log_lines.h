#pragma once

// LogLines: the words of the headless stderr log. Each call appends one
// line: a sentence for people ("ferry: delivered report.pdf to curl 8.5
// (127.0.0.1), 2 resumes"), or with --json one JSON object for scripts
// ({"event":"delivery","outcome":"delivered",...}), the same events either
// way. Formatting only, no I/O; any thread.
//
// JSON lines all carry "event" and "time" (UTC, ISO 8601). Events:
//   serving           the run serves: "files", "folders", "port", "poller"
//   rules             what every link of the run promises: "expires", "downloads", "password"
//   receiving         "dir"
//   transfer-started  one request: "id" (for 'cancel ID' on stdin), "peer", "address", "client", "share", "name", "size", "from", "bytes", ...
//   transfer-ended    "outcome" (done, cancelled, failed), "bytes" sent, "seconds", "rate", "reason"
//   delivery          one client and one file, however many requests: "outcome" (delivered,
//                     stopped, cancelled), "client", "address", "share", "name", "size",
//                     "bytes" covered, "percent", "requests", "resumes", "seconds", "reason"
//   ask               a new device asks to send files: "id", "state" (open, accepted,
//                     accepted-always, declined, timed-out, withdrawn), "client", "address",
//                     "name", "size", "more", "message" (the sentence; for "open", how to answer)
//   device            a nearby device arrived (this computer's page open on it; again when it
//                     renamed itself): "id" (for 'send ID PATH...' and 'text ID TEXT' on
//                     stdin), "kind" ("browser", "localsend"), "name", "address"; a LocalSend
//                     device also "alias", "fingerprint", "port", "protocol", "model", "deviceType"
//   device-gone       it left: "id"
//   text              a device sent text: "device" (its id), "name", "text"
//   sent              a file (or folder) sent to a device's page ('send ID PATH...'): "id"
//                     (for 'take-back ID' on stdin), "device", "name", "url" (its private link)
//   taken-back        that link ended on 'take-back ID' and the page shows the card taken
//                     back: "id", "device", "name"
//   pin               a LocalSend device wants a PIN for what is sent to it: "id" (for
//                     'pin ID PIN' on stdin), "device", "name", "wrong" (true after a wrong one), "message"
//   https-ca          HTTPS with Ferry's own CA (--https): "page" (the plain-HTTP URL where a
//                     device installs the CA), "fingerprint" (SHA-256, "AB:CD:..."), "name"
//   plain-link        with --http-too, a link's (or the receive link's) http:// form: "url"
//   certificate       the certificate changed while serving: "message", "failed" (true: the
//                     one before still serves)
//   error, dropped, stopped
// "time" is when the event happened: a transfer's start or end, a delivery's
// last byte or request.
// Strings are valid UTF-8 whatever the bytes of a file name (U+FFFD for a
// byte that is not).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "server.h"

namespace ferry::app {

class LogLines {
 public:
  explicit LogLines(bool json) : json_(json) {}
  bool json() const { return json_; }

  void serving(std::string& out, std::size_t files, std::size_t folders, std::uint16_t port,
               std::string_view poller) const;
  // The rules of the run's links, once; nothing when there are none. A
  // download limit reads as files and folders count it: complete downloads
  // of a file, devices of a folder.
  void rules(std::string& out, const ShareRules& rules, std::size_t files, std::size_t folders) const;
  void receiving(std::string& out, std::string_view dir) const;
  // A request starts or ends; `d` is the delivery it is part of, when the
  // same snapshot has it (it names the client).
  void transferStarted(std::string& out, const TransferInfo& t, const DeliveryInfo* d) const;
  void transferEnded(std::string& out, const TransferInfo& t, const DeliveryInfo* d) const;
  // A delivery's outcome: once per delivery.
  void deliveryEnded(std::string& out, const DeliveryInfo& d) const;
  // A device asking to send files (answered on stdin: "accept N"), or its ask's end.
  void ask(std::string& out, const ReceiveAsk& a, ReceiveAskState state) const;
  // A nearby device arrives (here) or leaves; text it sent.
  void device(std::string& out, const NearbyDevice& d, bool here) const;
  void text(std::string& out, const NearbyDevice& from, std::string_view text) const;
  // A file sent to a device's page as link `id` of the run, and its taking back.
  void sent(std::string& out, std::uint64_t id, const NearbyDevice& to, std::string_view name,
            std::string_view url) const;
  void takenBack(std::string& out, std::uint64_t id, std::uint64_t device, std::string_view name) const;
  // A LocalSend device wants a PIN for send `session` (again, when `wrong`).
  void pin(std::string& out, std::uint64_t session, std::uint64_t device, std::string_view name, bool wrong) const;
  // Ferry is a LocalSend device now.
  void localsend(std::string& out, const LocalSendStatus& s) const;
  // HTTPS with Ferry's own CA: where devices install it, and its fingerprint.
  void localCa(std::string& out, const LocalCaStatus& s, std::string_view pageUrl) const;
  // With --http-too: a link over plain HTTP, beside its https one on stdout.
  void plainLink(std::string& out, std::string_view url) const;
  // The certificate was reloaded or issued again, or could not be.
  void certificate(std::string& out, std::string_view sentence, bool failed) const;
  void error(std::string& out, std::string_view sentence) const;
  void dropped(std::string& out, std::uint64_t lines) const;
  void stopped(std::string& out) const;

 private:
  bool json_;
};

// "2.1 MB", "512 B": bytes as the log and the live line say them.
std::string humanBytes(double bytes);
// "2026-12-02T18:40:12.345Z".
std::string isoUtc(std::chrono::system_clock::time_point t);
// Appends `s` as a JSON string: escaped, and valid UTF-8 whatever its bytes.
void appendJsonText(std::string& out, std::string_view s);

}  // namespace ferry::app
