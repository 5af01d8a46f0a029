#pragma once

// FolderHandler: answers requests for a shared folder — its listing pages,
// the files inside it (through the FileHandler, like any shared file) and
// redirects from a folder's link without its '/'. Borrows the file handler
// and the work pool.
//
// Loop thread only.

#include <memory>

#include "body_source.h"
#include "request_target.h"
#include "responder.h"
#include "share_registry.h"

namespace ferry {

class FileHandler;
class WorkPool;

class FolderHandler final {
 public:
  FolderHandler(FileHandler& files, WorkPool& pool);

  BodyPtr serve(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share,
                const RequestTarget& target);

 private:
  FileHandler& files_;
  WorkPool& pool_;
};

}  // namespace ferry
