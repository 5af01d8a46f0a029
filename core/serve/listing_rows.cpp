#include "listing_rows.h"

#include <algorithm>

#include "page_kind.h"
#include "page_template.h"
#include "request_target.h"

namespace ferry {

void appendListingRows(const ListingInput& in, const std::vector<FolderEntry>& entries, std::size_t begin,
                       std::size_t end, std::size_t eager, std::string& o) {
  std::size_t pictured = 0;  // tiles with a picture so far
  for (std::size_t i = begin; i < end && i < entries.size(); ++i) {
    const FolderEntry& e = entries[i];
    const PageKind kind = e.info.folder ? PageKind::kOther : pageKindOf(e.name);
    std::string href;
    appendPercentEncoded(href, e.name);  // percent-encoded: nothing left to escape
    const FolderTotals* inside = e.info.folder && in.folderTotals && i < in.folderTotals->size() &&
                                         (*in.folderTotals)[i]
                                     ? &*(*in.folderTotals)[i]
                                     : nullptr;
    o += "<li data-kind=\"";
    o += e.info.folder ? "folder" : pageKindAttribute(kind);
    // What picking it adds to a selection's zip (a folder's when known).
    if (!e.info.folder || inside) {
      o += "\" data-bytes=\"";
      o += std::to_string(inside ? inside->bytes : e.info.size);
    }
    o += "\"><a href=\"";
    o += href;
    // Without the script, a tap shows pictures, clips and documents in
    // the browser; anything else downloads.
    if (e.info.folder) o += '/';
    else if (kind == PageKind::kPictureByView) o += "?view";
    else if (kind != PageKind::kOther) o += "?inline";
    o += "\"><span class=\"thumb\">";
    const bool hasCover = in.covers && i < in.covers->size() && !(*in.covers)[i].empty();
    if (hasThumbnailWorthShowing(kind) || hasCover) {
      // Every tile the same square box, sized before the picture comes:
      // nothing on the page moves while thumbnails arrive.
      o += "<img src=\"";
      o += href;
      if (hasCover) {
        o += '/';
        appendPercentEncoded(o, (*in.covers)[i]);
      }
      // The first screen's pictures are fetched as soon as the page's
      // first bytes name them; a lazy one waits for the page's layout.
      o += "?thumb\"";
      if (++pictured > eager) o += " loading=\"lazy\"";
      o += " decoding=\"async\" width=\"400\" height=\"400\" alt=\"";
      htmlEscape(e.name, o);
      o += "\">";
      if (kind == PageKind::kClip) o += "<span class=\"play\" aria-hidden=\"true\"></span>";
      // A folder with a cover still looks like a folder.
      if (hasCover) o += "<span class=\"icon folder badge\" aria-hidden=\"true\"></span>";
    } else {
      o += "<span class=\"icon ";
      o += e.info.folder ? "folder" : kind == PageKind::kSound ? "file sound" : "file";
      o += "\" aria-hidden=\"true\"></span>";
    }
    o += "</span><span class=\"name\">";
    htmlEscape(e.name, o);
    o += "</span><span class=\"meta\"><span class=\"size\">";
    o += !e.info.folder ? humanSize(e.info.size) : inside ? describeTotals(*inside) : std::string("Folder");
    o += "</span><span class=\"sep\"> &middot; </span>";
    appendDates(o, e.info.mtime);
    o += "</span></a></li>\n";
  }
}

void renderListingRows(const ListingInput& in, const std::vector<FolderEntry>& entries, std::size_t from,
                       std::string& out) {
  // Asked for once the page's first screen is shown: nothing in them is
  // urgent, so every picture waits until it nears the screen.
  appendListingRows(in, entries, from, std::min(entries.size(), kMaxListedEntries), 0, out);
}

}  // namespace ferry
