#include "json_text.h"

#include "responder.h"

namespace ferry {

void appendJsonString(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20 || c == '<' || c == '>' || c == '&' || u == 0x7f) {
          out += "\\u00";
          out += hex[u >> 4];
          out += hex[u & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace ferry

namespace ferry {

void respondJson(Responder& out, int status, std::string_view json) {
  std::string& head = out.beginHead(status);
  head += "Content-Type: application/json\r\nCache-Control: no-store\r\nContent-Length: ";
  head += std::to_string(json.size());
  head += "\r\n";
  out.endHead();
  if (!out.headOnly()) head += json;
}

}  // namespace ferry
