#include "ca_page.h"

#include "header_values.h"
#include "page_template.h"
#include "web_assets.h"

namespace ferry {
namespace {

// A stable UUID for the profile from the CA's fingerprint: the same CA is
// the same profile (iOS then replaces it instead of adding a second).
std::string uuidFrom(const std::string& fingerprint, char variant) {
  std::string hex;
  for (char c : fingerprint)
    if (c != ':') hex += c;
  hex.resize(32, '0');
  hex[12] = '4';
  hex[16] = variant;
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' + hex.substr(16, 4) + '-' +
         hex.substr(20, 12);
}

std::string xmlEscaped(const std::string& s) {
  std::string out;
  htmlEscape(s, out);
  return out;
}

void send(Responder& out, std::string_view type, std::string_view extra, const std::string& body) {
  std::string& head = out.beginHead(200);
  head += "Content-Type: ";
  head += type;
  head += "\r\nContent-Length: ";
  appendNumber(head, body.size());
  head += "\r\nCache-Control: no-cache\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\n";
  head += extra;
  out.endHead();
  if (!out.headOnly()) head += body;
}

}  // namespace

CaPage::CaPage(const LocalCa& ca) : der_(ca.caDer) {
  static const PageTemplate page(webAsset("ca.html"));
  page.render(page_, [&](std::string_view hole, std::string& to) {
    if (hole == "style") {
      to += webAsset("ferry.css");
      to += webAsset("gate.css");
    } else if (hole == "ca") {
      htmlEscape(ca.caName, to);
    } else if (hole == "fingerprint") {
      htmlEscape(ca.fingerprint, to);
    }
  });
  const std::string name = xmlEscaped(ca.caName);
  profile_ =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
      "<plist version=\"1.0\">\n<dict>\n"
      "<key>PayloadContent</key>\n<array>\n<dict>\n"
      "<key>PayloadCertificateFileName</key><string>ferry-ca.crt</string>\n"
      "<key>PayloadContent</key><data>" + ca.caDerBase64 + "</data>\n"
      "<key>PayloadDescription</key><string>Lets this device trust https links from " + name + "</string>\n"
      "<key>PayloadDisplayName</key><string>" + name + "</string>\n"
      "<key>PayloadIdentifier</key><string>com.apple.security.root." + uuidFrom(ca.fingerprint, '8') + "</string>\n"
      "<key>PayloadType</key><string>com.apple.security.root</string>\n"
      "<key>PayloadUUID</key><string>" + uuidFrom(ca.fingerprint, '8') + "</string>\n"
      "<key>PayloadVersion</key><integer>1</integer>\n"
      "</dict>\n</array>\n"
      "<key>PayloadDescription</key><string>The certificate authority of Ferry on this computer. It can vouch only "
      "for private network addresses and .local names.</string>\n"
      "<key>PayloadDisplayName</key><string>" + name + "</string>\n"
      "<key>PayloadIdentifier</key><string>io.github.ferry-app.ca." + uuidFrom(ca.fingerprint, '9') + "</string>\n"
      "<key>PayloadRemovalDisallowed</key><false/>\n"
      "<key>PayloadType</key><string>Configuration</string>\n"
      "<key>PayloadUUID</key><string>" + uuidFrom(ca.fingerprint, '9') + "</string>\n"
      "<key>PayloadVersion</key><integer>1</integer>\n"
      "</dict>\n</plist>\n";
}

bool CaPage::serve(const HttpRequest& req, Responder& out) const {
  const std::string_view path = std::string_view(req.target).substr(0, req.target.find('?'));
  if (path != kPage && path != kCertificate && path != kProfile) return false;
  if (!req.isGet && !req.isHead) {
    out.respond(405, "Allow: GET, HEAD\r\n");
    return true;
  }
  if (path == kCertificate)
    send(out, "application/x-x509-ca-cert", "Content-Disposition: attachment; filename=\"ferry-ca.crt\"\r\n", der_);
  else if (path == kProfile)
    send(out, "application/x-apple-aspen-config",
         "Content-Disposition: attachment; filename=\"ferry-ca.mobileconfig\"\r\n", profile_);
  else
    send(out, "text/html; charset=utf-8",
         "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; "
         "base-uri 'none'\r\nX-Frame-Options: DENY\r\n",
         page_);
  return true;
}

}  // namespace ferry
