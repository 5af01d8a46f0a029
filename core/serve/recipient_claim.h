#pragma once

// RecipientClaim: a device's place among a limited folder's recipients,
// asked for when its request arrives and taken only when the answer is
// about to send bytes (a file's or a zip's head with its body). A request
// that ends in a 404, a redirect, a 304 or a 500 takes no place, so a new
// device asking for a file that is not there (any more) leaves the link as
// it was. Made by ShareGate::claim(), held by a FileResponse or a
// ZipResponse until its answer.
//
// Loop thread only.

#include "share_registry.h"

namespace ferry {

class Responder;
class ShareGate;

struct RecipientClaim {
  ShareGate* gate = nullptr;  // null: no place left to take
  Recipient who;
  bool page = false;  // the refusal is a page (a browser asked)

  bool pending() const { return gate != nullptr; }
  // Takes the place now: true when the answer may go on (the device is in,
  // or was already); false once the 410 went out, the last place having
  // gone to another device meanwhile. Nothing is left pending after.
  bool take(Responder& out, const Share& share);
};

}  // namespace ferry
