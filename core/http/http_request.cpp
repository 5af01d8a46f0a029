#include "http_request.h"

#include <cstring>

#include <llhttp.h>

namespace ferry {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

std::string_view HttpRequest::header(std::string_view name) const {
  for (std::size_t i = 0; i < headerCount; ++i)
    if (iequals(headers[i].name, name)) return headers[i].value;
  return {};
}

std::size_t HttpRequest::count(std::string_view name) const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < headerCount; ++i)
    if (iequals(headers[i].name, name)) ++n;
  return n;
}

struct RequestParser::Impl {
  llhttp_t parser;
  llhttp_settings_t settings;
  HttpRequest* req = nullptr;
  const HttpLimits* limits = nullptr;
  bool complete = false;
  bool tooManyHeaders = false;
  bool inField = false;

  static Impl* self(llhttp_t* p) { return static_cast<Impl*>(p->data); }

  Impl() {
    llhttp_settings_init(&settings);
    settings.on_url = [](llhttp_t* p, const char* at, std::size_t len) {
      HttpRequest* r = self(p)->req;
      // One execute() over a contiguous head: a second call can only extend
      // the same span.
      r->target = r->target.empty() ? std::string_view(at, len)
                                    : std::string_view(r->target.data(), r->target.size() + len);
      return 0;
    };
    settings.on_header_field = [](llhttp_t* p, const char* at, std::size_t len) {
      Impl* s = self(p);
      HttpRequest* r = s->req;
      if (!s->inField) {
        if (r->headerCount >= s->limits->maxHeaders || r->headerCount >= HttpRequest::kMaxHeaders) {
          s->tooManyHeaders = true;
          return -1;
        }
        r->headers[r->headerCount++] = {std::string_view(at, len), std::string_view("", 0)};
        s->inField = true;
      } else {
        auto& n = r->headers[r->headerCount - 1].name;
        n = std::string_view(n.data(), n.size() + len);
      }
      return 0;
    };
    settings.on_header_field_complete = [](llhttp_t* p) {
      self(p)->inField = false;
      return 0;
    };
    settings.on_header_value = [](llhttp_t* p, const char* at, std::size_t len) {
      HttpRequest* r = self(p)->req;
      if (r->headerCount == 0) return -1;
      auto& v = r->headers[r->headerCount - 1].value;
      v = v.empty() ? std::string_view(at, len) : std::string_view(v.data(), v.size() + len);
      return 0;
    };
    settings.on_headers_complete = [](llhttp_t* p) -> int {
      Impl* s = self(p);
      HttpRequest* r = s->req;
      r->versionMajor = p->http_major;
      r->versionMinor = p->http_minor;
      r->keepAlive = llhttp_should_keep_alive(p) != 0;
      r->isGet = p->method == HTTP_GET;
      r->isHead = p->method == HTTP_HEAD;
      r->method = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
      r->hasBody = (p->flags & (F_CHUNKED | F_TRANSFER_ENCODING)) != 0 ||
                   ((p->flags & F_CONTENT_LENGTH) && p->content_length > 0);
      if (r->hasBody) {
        // No request to a file server carries a body; stop here rather than
        // wait for one.
        s->complete = true;
        return static_cast<int>(HPE_PAUSED);
      }
      return 0;
    };
    settings.on_message_complete = [](llhttp_t* p) -> int {
      self(p)->complete = true;
      return static_cast<int>(HPE_PAUSED);  // one request at a time: pipelined ones wait
    };
    llhttp_init(&parser, HTTP_REQUEST, &settings);
    parser.data = this;
  }
};

RequestParser::RequestParser() : impl_(std::make_unique<Impl>()) {}
RequestParser::~RequestParser() = default;

namespace {

// Finds the end of the head: the empty line. Bare LF line ends are found too
// so llhttp can reject them with a 400 instead of the client waiting for
// the header timeout.
std::size_t findHeadEnd(std::string_view in, std::size_t from) {
  for (std::size_t i = from; i < in.size(); ++i) {
    const void* nl = std::memchr(in.data() + i, '\n', in.size() - i);
    if (!nl) return std::string_view::npos;
    i = static_cast<std::size_t>(static_cast<const char*>(nl) - in.data());
    if (i + 1 < in.size() && in[i + 1] == '\n') return i + 2;
    if (i + 2 < in.size() && in[i + 1] == '\r' && in[i + 2] == '\n') return i + 3;
  }
  return std::string_view::npos;
}

bool isTchar(unsigned char c) {
  // RFC 9110 §5.6.2 token characters.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// What llhttp tolerates and we do not, because proxies disagree about it and
// disagreement is how requests get smuggled: a space before the colon, an
// empty or non-token field name, obs-fold continuation lines, and control
// characters in a value.
bool headersWellFormed(const HttpRequest& r) {
  for (std::size_t i = 0; i < r.headerCount; ++i) {
    std::string_view n = r.headers[i].name;
    if (n.empty()) return false;
    for (char c : n)
      if (c == 0 || !isTchar(static_cast<unsigned char>(c))) return false;
    if (n.data()[n.size()] != ':') return false;
    for (char c : r.headers[i].value) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
    }
  }
  return true;
}

}  // namespace

RequestParser::Result RequestParser::parse(std::string_view in, const HttpLimits& limits, HttpRequest& out,
                                           std::size_t& consumed, int& status, std::size_t& scanned_) {
  // Tolerate empty lines before a request (RFC 9112 §2.2), as browsers may
  // send a stray CRLF after a previous request.
  std::size_t lead = 0;
  while (lead < in.size() && (in[lead] == '\r' || in[lead] == '\n') && lead < 8) ++lead;
  std::string_view head = in.substr(lead);

  std::size_t from = scanned_ > lead + 2 ? scanned_ - lead - 2 : 0;
  std::size_t end = findHeadEnd(head, from);
  std::size_t lineEnd = head.find('\n');
  if (lineEnd == std::string_view::npos ? head.size() > limits.maxRequestLine : lineEnd > limits.maxRequestLine) {
    status = 414;
    return Result::kError;
  }
  if (end == std::string_view::npos) {
    scanned_ = in.size();
    if (head.size() > limits.maxRequestLine + limits.maxHeaderBlock) {
      status = 431;
      return Result::kError;
    }
    return Result::kIncomplete;
  }
  scanned_ = 0;
  if (end - lineEnd > limits.maxHeaderBlock + 2) {
    status = 431;
    return Result::kError;
  }

  out.headerCount = 0;
  out.target = {};
  out.hasBody = false;
  Impl& s = *impl_;
  s.req = &out;
  s.limits = &limits;
  s.complete = false;
  s.tooManyHeaders = false;
  s.inField = false;
  llhttp_reset(&s.parser);
  llhttp_errno_t err = llhttp_execute(&s.parser, head.data(), end);
  if (err == HPE_PAUSED && s.complete) {
    // llhttp must have ended the head where we found its empty line: a
    // lone CR it took for a line end would otherwise make the body, or the
    // next request, begin where we think the head still goes on.
    const char* stop = llhttp_get_error_pos(&s.parser);
    if (stop != head.data() + end) {
      status = 400;
      return Result::kError;
    }
    llhttp_resume(&s.parser);
    consumed = lead + end;
    if (out.versionMajor != 1) {
      // No version at all (HTTP/0.9's "GET /") is malformed; 2.0 and up
      // are versions we do not speak.
      status = out.versionMajor == 0 ? 400 : 505;
      return Result::kError;
    }
    if (!headersWellFormed(out)) {
      status = 400;
      return Result::kError;
    }
    return Result::kComplete;
  }
  status = s.tooManyHeaders ? 431 : 400;
  return Result::kError;
}

}  // namespace ferry
