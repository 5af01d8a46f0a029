#include "folder_handler.h"

#include "file_handler.h"
#include "folder_path.h"
#include "listing_response.h"

namespace ferry {

FolderHandler::FolderHandler(FileHandler& files, WorkPool& pool) : files_(files), pool_(pool) {}

BodyPtr FolderHandler::serve(const HttpRequest& req, Responder& out, std::shared_ptr<const Share> share,
                             const RequestTarget& target) {
  FolderPath where = parseFolderPath(target.path, share->showHidden);
  switch (where.status) {
    case FolderPath::kBadRequest:
      out.respond(400, {}, "This link does not name a place inside the shared folder.\n");
      return nullptr;
    case FolderPath::kNotFound:
      out.respond(404);
      return nullptr;
    case FolderPath::kAddSlash: {
      // A folder's link is the one with its '/': relative links on its page
      // (and a person's bookmark) then mean what they say.
      std::string extra = "Location: ";
      if (target.path.size() > 1) {
        extra += req.target.substr(0, req.target.find_first_of("?#"));
      } else {
        extra += '/';
        extra += share->token;
        extra += '/';
        appendPercentEncoded(extra, share->name);
      }
      extra += "/\r\n";
      out.respond(301, extra, "The folder is at the same link with a '/' at the end.\n");
      return nullptr;
    }
    case FolderPath::kOk:
      break;
  }
  if (!where.folder) return files_.serve(req, out, std::move(share), where.rel);
  auto* page = new ListingResponse(pool_, out, std::move(share), std::move(where.rel), parseListingSort(target.query));
  BodyPtr body(page);
  page->start();
  return body;
}

}  // namespace ferry
