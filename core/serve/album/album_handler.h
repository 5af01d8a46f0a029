#pragma once

// AlbumHandler: answers the picture requests of a share, after its gate
// (password, expiry) like its bytes: `…/<file>?thumb` (always an image: the
// thumbnail, or the file's type icon) and `…/<file>?view` (a JPEG of at
// most 2048 px for formats browsers do not show, HEIC and TIFF; a redirect
// to the file itself for everything else). `?thumb` on a folder answers the
// folder icon. Borrows the work pool and the picture cache.
//
// Loop thread only.

#include <memory>
#include <string_view>

#include "body_source.h"
#include "picture_key.h"
#include "responder.h"
#include "share_registry.h"

namespace ferry {

class PictureCache;
class WorkPool;

class AlbumHandler final {
 public:
  AlbumHandler(WorkPool& pool, PictureCache& cache) : pool_(pool), cache_(cache) {}

  // A shared file (rel empty) or the file `rel` inside a shared folder.
  BodyPtr serve(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share, std::string_view rel,
                PictureAsk ask);
  // `?thumb` (or `?view`) on a folder's own link.
  void serveFolder(const HttpRequest& req, Responder& out, PictureAsk ask);
  // The pictures made so far, and when photos were taken (the listing's dates).
  const PictureCache& cache() const { return cache_; }

 private:
  WorkPool& pool_;
  PictureCache& cache_;
};

}  // namespace ferry
