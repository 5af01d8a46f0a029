#include "receive_page.h"

#include "page_template.h"
#include "web_assets.h"

namespace ferry {

void renderReceivePage(std::string& out, std::string_view nonce, std::string_view limit, bool asks) {
  static const PageTemplate page(webAsset("receive.html"));
  page.render(out, [&](std::string_view hole, std::string& to) {
    if (hole == "nonce") {
      to += nonce;  // base64url: nothing to escape
    } else if (hole == "css") {
      to += webAsset("ferry.css");
      to += webAsset("receive.css");
    } else if (hole == "limit") {
      htmlEscape(limit, to);  // plain words and numbers; escaped all the same
    } else if (hole == "asks") {
      to += asks ? "1" : "0";
    } else if (hole == "script") {
      to += webAsset("receive.js");
      to += "\n";
      to += webAsset("nearby.js");
    }
  });
}

void appendReceivePageHeaders(std::string& head, std::string_view nonce) {
  head += "Content-Security-Policy: default-src 'none'; style-src 'nonce-";
  head += nonce;
  head += "'; script-src 'nonce-";
  head += nonce;
  head += "'; connect-src 'self'; img-src 'self' data:; media-src data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'\r\n";
  head += "Referrer-Policy: no-referrer\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n";
  head += "Cache-Control: no-store\r\n";
}

}  // namespace ferry
