#pragma once

// Who sends an upload, as Receive's "ask before accepting" tells devices
// apart: the id the receive page keeps in its browser's storage and sends
// in an X-Ferry-Device header, else (curl, wget) the address. And what to
// call the device when asking ("Safari on iPhone", "Chrome on Android",
// "curl 8.5"; else from the system alone: "iPhone", "Android phone").
//
// Any thread (pure functions).

#include <string>
#include <string_view>

namespace ferry {

struct HttpRequest;

// "page:<id>" for a well-formed X-Ferry-Device header, else "address:<ip>".
std::string deviceKey(const HttpRequest& req, std::string_view client);
// The address part of a client "ip:port" / "[v6]:port" / "ip".
std::string clientAddress(std::string_view client);
// A name for people, from the User-Agent header (clientName() first).
std::string deviceLabel(std::string_view userAgent);

}  // namespace ferry
