#include "type_icon.h"

#include <cctype>

namespace ferry {
namespace {

// One colour per kind, dark enough for white text on light and dark pages.
std::string_view colourOf(MediaKind k) {
  switch (k) {
    case MediaKind::kImage: return "#2e7d32";
    case MediaKind::kVideo: return "#6a1b9a";
    case MediaKind::kAudio: return "#00838f";
    case MediaKind::kPdf: return "#c62828";
    case MediaKind::kText: return "#546e7a";
    case MediaKind::kArchive: return "#8d6e63";
    case MediaKind::kDocument: return "#1565c0";
    case MediaKind::kOther: break;
  }
  return "#616161";
}

}  // namespace

std::string fileTypeIcon(std::string_view fileName) {
  const std::string_view ext = extensionOf(fileName);
  std::string svg;
  svg.reserve(512);
  // 96x96 like a small tile; the sheet is 64 wide with its corner folded.
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"96\" viewBox=\"0 0 96 96\">";
  svg += "<path d=\"M20 6h40l20 20v64H20z\" fill=\"";
  svg += colourOf(mediaKindOf(fileName));
  svg += "\"/><path d=\"M60 6v20h20z\" fill=\"#fff\" fill-opacity=\".45\"/>";
  if (!ext.empty()) {
    svg += "<text x=\"50\" y=\"68\" font-family=\"sans-serif\" font-size=\"";
    svg += ext.size() > 3 ? "15" : "18";
    svg += "\" font-weight=\"bold\" fill=\"#fff\" text-anchor=\"middle\">";
    for (char c : ext) svg += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    svg += "</text>";
  }
  svg += "</svg>\n";
  return svg;
}

std::string folderIcon() {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"96\" height=\"96\" viewBox=\"0 0 96 96\">"
         "<path d=\"M8 20h28l8 8h44v52H8z\" fill=\"#f9a825\"/><path d=\"M8 34h80v46H8z\" fill=\"#fbc02d\"/>"
         "</svg>\n";
}

}  // namespace ferry
