#include "album_handler.h"

#include "header_values.h"
#include "picture_response.h"
#include "type_icon.h"

namespace ferry {
namespace {

// "IMG_1.heic", the last segment of the request's path, still encoded: a
// Location relative to the file's own folder.
std::string_view lastSegment(std::string_view target) {
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  return path.substr(path.rfind('/') + 1);
}

}  // namespace

BodyPtr AlbumHandler::serve(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share,
                            std::string_view rel, PictureAsk ask) {
  const std::string_view name = rel.empty() ? std::string_view(share->name) : rel.substr(rel.rfind('/') + 1);
  if (ask == PictureAsk::kView && !(mediaKindOf(name) == MediaKind::kImage && needsViewRendition(name) &&
                                    canPicture(MediaKind::kImage))) {
    // Browsers show it as it is (or nothing can be made of it here): the
    // file itself, by its own link.
    const std::string_view segment = lastSegment(req.target);
    std::string extra = "Location: ";
    if (segment.empty()) extra += "./";  // "/token/" of a file share
    else extra.append(segment);
    extra += "\r\nCache-Control: no-store\r\n";
    out.respond(302, extra, "This file is shown as it is, at its own link.\n");
    return nullptr;
  }
  auto* r = new PictureResponse(pool_, cache_, out, std::move(share), std::string(rel),
                                ask == PictureAsk::kView ? Rendition::kView : Rendition::kThumb,
                                req.header("if-none-match"));
  BodyPtr body(r);
  r->start();
  return body;
}

void AlbumHandler::serveFolder(const HttpRequest& req, Responder& out, PictureAsk ask) {
  (void)req;
  if (ask == PictureAsk::kView) {
    out.respond(404, {}, "A folder has no picture to view; its page lists what it holds.\n");
    return;
  }
  static const std::string icon = folderIcon();
  std::string& head = out.beginHead(200);
  head += "Content-Type: image/svg+xml\r\nCache-Control: private, max-age=3600, immutable\r\n"
          "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n"
          "X-Content-Type-Options: nosniff\r\nContent-Length: ";
  appendNumber(head, icon.size());
  head += "\r\n";
  out.endHead();
  if (!out.headOnly()) head += icon;
}

}  // namespace ferry
