#include "http_connection.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>


#include "byte_range.h"
#include "file_io.h"
#include "host_check.h"
#include "http_date.h"
#include "http_server.h"
#include "mime_types.h"
#include "rate_limiter.h"
#include "request_target.h"
#include "share_registry.h"
#include "transfer_stats.h"

namespace ferry {
namespace {

constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::string_view kDiskErrorBody = "This file cannot be read right now (a disk error).\n";

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 421: return "Misdirected Request";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
  }
  return "Unknown";
}

void appendNumber(std::string& s, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  s.append(buf, r.ptr);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string_view opaqueTag(std::string_view tag) {
  tag = trim(tag);
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  return tag;
}

// If-None-Match uses the weak comparison (RFC 9110 §13.1.2).
bool noneMatchHits(std::string_view header, std::string_view etag) {
  if (trim(header) == "*") return true;
  while (!header.empty()) {
    auto comma = header.find(',');
    if (opaqueTag(header.substr(0, comma)) == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

// RFC 6266: an ASCII fallback and the exact name in UTF-8.
void appendContentDisposition(std::string& s, std::string_view name) {
  s += "Content-Disposition: attachment; filename=\"";
  for (unsigned char c : name) {
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation: one '_' per character
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '%')
      s.push_back('_');
    else
      s.push_back(static_cast<char>(c));
  }
  s += "\"; filename*=UTF-8''";
  appendPercentEncoded(s, name);
  s += "\r\n";
}

}  // namespace

HttpConnection::HttpConnection(HttpServer& server, NativeSocket fd, std::string peer, std::string peerIp)
    : server_(server),
      conn_(server.loop(), fd, server.options().limits.readBufferCeiling()),
      peer_(std::move(peer)),
      peerIp_(std::move(peerIp)),
      client_(peer_),
      since_(server.loop().now()) {}

HttpConnection::~HttpConnection() {
  if (limiterTicket_) server_.limiter().cancel(limiterTicket_);
  releaseFile();
}

bool HttpConnection::start() { return !conn_.start(this); }

void HttpConnection::releaseFile() {
  closeFile(fileFd_);
  fileFd_ = -1;

}

void HttpConnection::onReadable() {
  if (closed_) return;
  if (state_ == State::kLingering) {
    conn_.consume(conn_.buffered().size());
    if (conn_.eof()) closeNow({}, false);
    return;
  }
  if (state_ == State::kWriting) {
    // A pipelined request waits in the buffer; reading pauses when it is
    // full. A client that half-closed still gets its response.
    return;
  }
  processInput();
}

void HttpConnection::processInput() {
  while (!closed_ && (state_ == State::kIdle || state_ == State::kReading)) {
    std::string_view in = conn_.buffered();
    if (in.empty()) {
      if (conn_.eof()) closeNow({}, false);
      return;
    }
    if (state_ == State::kIdle) {
      state_ = State::kReading;
      since_ = server_.loop().now();
    }
    std::size_t consumed = 0;
    int status = 0;
    HttpRequest& request = server_.request();
    auto r = server_.parser().parse(in, server_.options().limits, request, consumed, status, scanned_);
    if (r == RequestParser::Result::kIncomplete) {
      if (conn_.eof()) closeNow({}, false);
      return;
    }
    if (r == RequestParser::Result::kError) {
      conn_.consume(in.size());
      respondSimple(status, true);
      conn_.flush();
      return;
    }
    state_ = State::kWriting;
    since_ = server_.loop().now();
    http10_ = request.versionMinor == 0;
    handle(request);  // copies what it needs out of the buffer
    conn_.consume(consumed);
    conn_.flush();
  }
}

std::string& HttpConnection::beginHeaders(int status) {
  // Headers are written straight into the connection's output buffer, which
  // is empty whenever a response begins (one response at a time).
  std::string& head = conn_.output();
  head += "HTTP/1.1 ";
  appendNumber(head, static_cast<std::uint64_t>(status));
  head += ' ';
  head += reasonPhrase(status);
  head += "\r\nServer: Ferry\r\nDate: ";
  head += server_.date();
  head += "\r\n";
  return head;
}

void HttpConnection::respondSimple(int status, bool close, std::string_view extraHeaders, std::string_view body,
                                   bool headOnly) {
  state_ = State::kWriting;
  if (close) closeAfterResponse_ = true;
  std::string text;
  if (body.empty() && status >= 400) {
    text = std::to_string(status) + " " + std::string(reasonPhrase(status)) + "\n";
    body = text;
  }
  std::string& head = beginHeaders(status);
  head += extraHeaders;
  if (status != 304) {
    head += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ";
    appendNumber(head, body.size());
    head += "\r\n";
  }
  if (closeAfterResponse_)
    head += "Connection: close\r\n";
  else if (http10_)
    head += "Connection: keep-alive\r\n";
  head += "\r\n";
  if (!headOnly && status != 304) head += body;
}

void HttpConnection::handle(const HttpRequest& req) {
  closeAfterResponse_ = !req.keepAlive;
  if (req.hasBody) return respondSimple(400, true, {}, "Requests with a body are not accepted.\n");
  // Two Content-Length headers are how request smuggling starts, even when
  // they agree; no client of ours needs them.
  if (req.count("content-length") > 1) return respondSimple(400, true);

  client_ = peer_;
  if (std::string_view xff = req.header("x-forwarded-for"); !xff.empty() && server_.trustedProxy(peerIp_)) {
    // The proxy appends the address it saw last.
    auto comma = xff.rfind(',');
    client_ = std::string(trim(comma == std::string_view::npos ? xff : xff.substr(comma + 1)));
  }

  std::size_t hosts = req.count("host");
  std::string_view host = trim(req.header("host"));
  if (hosts > 1 || (hosts == 0 && req.versionMinor >= 1))
    return respondSimple(400, true, {}, "HTTP/1.1 requests need exactly one Host header.\n");
  if (hosts == 1) {
    HostVerdict verdict = checkHost(host, server_.options().hosts);
    if (verdict == HostVerdict::kMalformed) return respondSimple(400, true, {}, "The Host header is not a host name.\n");
    if (verdict == HostVerdict::kForeign)
      return respondSimple(421, true, {}, "This server does not answer for that host name.\n");
  }
  if (!req.isGet && !req.isHead)
    return respondSimple(405, false, "Allow: GET, HEAD\r\n", {}, false);

  RequestTarget target = parseRequestTarget(req.target);
  if (target.status == RequestTarget::kBadRequest) return respondSimple(400, true, {}, {}, req.isHead);
  if (target.status == RequestTarget::kNotFound) return respondSimple(404, false, {}, {}, req.isHead);
  std::shared_ptr<const Share> share = server_.shares().find(target.token);
  if (!share) return respondSimple(404, false, {}, {}, req.isHead);
  serveFile(req, std::move(share));
}

void HttpConnection::serveFile(const HttpRequest& req, std::shared_ptr<const Share> share) {
  int fd = openForReading(share->path);
  FileInfo st;
  const bool known = fd >= 0 && statFile(fd, st);
  if (!known || !st.regular) {
    const int err = known ? 0 : errno;  // 0: there, but not a regular file
    closeFile(fd);
    return refuseUnreadable(req, share, err);
  }
  const std::uint64_t size = st.size;
  const std::uint64_t mtimeNs = st.mtimeNs;
  const std::time_t mtime = st.mtime;

  // Strong validator from size, mtime and inode: editors that save by
  // rename change the inode even when size and mtime collide. Built on the
  // stack, like everything on this path: serving a request allocates nothing.
  char etagBuf[64];
  int etagLen = std::snprintf(etagBuf, sizeof etagBuf, "\"%llx-%llx-%llx\"", static_cast<unsigned long long>(size),
                              static_cast<unsigned long long>(mtimeNs), static_cast<unsigned long long>(st.inode));
  const std::string_view etag(etagBuf, static_cast<std::size_t>(etagLen));
  const std::string_view lastModified = server_.httpDate(mtime);

  auto appendValidators = [&](std::string& h) {
    h += "ETag: ";
    h += etag;
    h += "\r\nLast-Modified: ";
    h += lastModified;
    // Token links are unguessable but the file behind one may change: caches
    // (a CDN in front of us) may store it, and revalidate cheaply with the
    // validators before each reuse.
    h += "\r\nCache-Control: no-cache\r\n";
  };

  // Conditional requests (RFC 9110 §13.2.2): If-None-Match wins over
  // If-Modified-Since.
  std::string_view inm = req.header("if-none-match");
  bool notModified = false;
  if (!inm.empty()) {
    notModified = noneMatchHits(inm, etag);
  } else if (std::string_view ims = trim(req.header("if-modified-since")); !ims.empty()) {
    std::time_t t = parseHttpDate(ims);
    notModified = t >= 0 && mtime <= t;
  }

  RangeResult range;
  if (std::string_view rh = req.header("range"); !notModified && !rh.empty()) {
    bool rangeApplies = true;
    if (std::string_view ir = trim(req.header("if-range")); !ir.empty()) {
      // An entity-tag must match strongly; a date must equal Last-Modified.
      rangeApplies = (ir.front() == '"') ? ir == etag : ir == lastModified;
    }
    if (rangeApplies) range = parseRange(rh, size);
  }

  if (notModified || range.kind == RangeResult::kUnsatisfiable) {
    closeFile(fd);
    std::string extra;
    if (!notModified) {
      extra += "Content-Range: bytes */";
      appendNumber(extra, size);
      extra += "\r\n";
    }
    appendValidators(extra);
    if (notModified) return respondSimple(304, false, extra);
    return respondSimple(416, false, extra, "The requested range is not inside the file.\n", req.isHead);
  }

  const bool partial = range.kind == RangeResult::kSingle;
  const std::uint64_t first = partial ? range.range.first : 0;
  const std::uint64_t length = partial ? range.range.length() : size;

  state_ = State::kWriting;
  std::string& head = beginHeaders(partial ? 206 : 200);
  head += "Content-Type: ";
  head += mimeTypeForName(share->name);
  head += "\r\nContent-Length: ";
  appendNumber(head, length);
  head += "\r\nAccept-Ranges: bytes\r\n";
  if (partial) {
    head += "Content-Range: bytes ";
    appendNumber(head, first);
    head += '-';
    appendNumber(head, range.range.last);
    head += '/';
    appendNumber(head, size);
    head += "\r\n";
  }
  appendValidators(head);
  appendContentDisposition(head, share->name);
  head += "X-Content-Type-Options: nosniff\r\n";
  if (closeAfterResponse_)
    head += "Connection: close\r\n";
  else if (req.versionMinor == 0)
    head += "Connection: keep-alive\r\n";
  head += "\r\n";

  if (req.isHead) {
    closeFile(fd);
    return;
  }
  share_ = std::move(share);
  transfer_ = server_.stats().begin(client_, share_, size, first, length);
  if (length <= kInlineBody) {
    // A small body goes out with the headers in one send(): cheaper than a
    // sendfile() call of its own, and within the one-chunk memory bound.
    std::size_t at = head.size();
    head.resize(at + static_cast<std::size_t>(length));
    std::uint64_t got = 0;
    while (got < length) {
      long long n = readAt(fd, head.data() + at + got, static_cast<std::size_t>(length - got), first + got);
      if (n <= 0) {
        // Nothing has been sent yet: say so with a status, not a cut.
        const int err = errno;
        std::string why = n == 0 ? "the file shrank during the download"
                                 : std::string("cannot read the file: ") + std::strerror(err);
        closeFile(fd);
        server_.stats().finish(transfer_, TransferState::kFailed, std::move(why));
        transfer_ = {};
        share_.reset();
        return respondSimple(500, true, {}, n == 0 ? "This file changed while it was being read; try again.\n"
                                                   : kDiskErrorBody);
      }
      got += static_cast<std::uint64_t>(n);
    }
    closeFile(fd);
    inFlight_ = length;
    bodyLeft_ = 0;
    return;
  }
  fileFd_ = fd;
  offset_ = first;
  bodyLeft_ = length;
  inFlight_ = 0;
  pumpBody();
}

void HttpConnection::refuseUnreadable(const HttpRequest& req, const std::shared_ptr<const Share>& share, int err) {
  // The link is valid but its file cannot be served. The person sharing it
  // sees why, as a failed transfer; the client gets the status nginx would
  // give: gone 404, not permitted 403, anything else (a disk error) 500.
  int status = 500;
  std::string why;
  if (err == 0) {
    status = 404;
    why = "the file is no longer a regular file";
  } else {
    if (err == ENOENT || err == ENOTDIR) status = 404;
    else if (err == EACCES || err == EPERM) status = 403;
    why = std::string("cannot open the file: ") + std::strerror(err);
  }
  if (!req.isHead) {
    TransferHandle h = server_.stats().begin(client_, share, 0, 0, 0);
    server_.stats().finish(h, TransferState::kFailed, std::move(why));
  }
  std::string_view body = status == 404   ? "This file is no longer available.\n"
                          : status == 403 ? "This file cannot be read right now.\n"
                                          : kDiskErrorBody;
  respondSimple(status, false, {}, body, req.isHead);
}

void HttpConnection::pumpBody() {
  if (closed_ || bodyLeft_ == 0 || limiterTicket_ || inFlight_) return;
  std::uint64_t want = std::min(bodyLeft_, kBodyChunk);
  std::uint64_t grant = server_.limiter().take(want);
  if (grant == 0) {
    // Out of bandwidth: wait for the limiter's refill instead of polling.
    limiterTicket_ = server_.limiter().enqueue([this] {
      limiterTicket_ = 0;
      pumpBody();
      conn_.flush();
    });
    return;
  }
  conn_.queueFile(fileFd_, offset_, grant);
  offset_ += grant;
  bodyLeft_ -= grant;
  inFlight_ = grant;
}

void HttpConnection::onDrained() {
  if (closed_ || state_ != State::kWriting) return;
  if (inFlight_) {
    if (conn_.fileEnded()) return closeNow("the file shrank during the download", true);
    server_.stats().addBytes(transfer_, inFlight_);
    inFlight_ = 0;
  }
  if (bodyLeft_ > 0) return pumpBody();
  finishResponse();
}

void HttpConnection::finishResponse() {
  if (transfer_) {
    server_.stats().finish(transfer_, TransferState::kDone);
    transfer_ = {};
  }
  share_.reset();
  releaseFile();
  if (closeAfterResponse_) {
    // Half-close and drain what the client still sends, so our response is
    // not destroyed by a reset (a close with unread data sends RST).
    conn_.shutdownWrite();
    state_ = State::kLingering;
    since_ = server_.loop().now();
    conn_.consume(conn_.buffered().size());
    if (conn_.eof()) closeNow({}, false);
    return;
  }
  state_ = State::kIdle;
  since_ = server_.loop().now();
  processInput();
}

void HttpConnection::onError(std::error_code ec) {
  closeNow("the client closed the connection (" + ec.message() + ")", false);
}

void HttpConnection::onFileError(std::error_code ec) {
  closeNow("cannot read the file: " + ec.message(), true);
}

void HttpConnection::onBroken(std::error_code cause) {
  closeNow("the server failed while serving it (" + cause.message() + ")", true);
}

void HttpConnection::cancel(const std::string& reason) { closeNow(reason, false); }

void HttpConnection::closeNow(const std::string& why, bool failed) {
  if (closed_) return;
  closed_ = true;
  if (transfer_) {
    server_.stats().finish(transfer_, failed ? TransferState::kFailed : TransferState::kCancelled,
                           why.empty() ? "the client closed the connection" : why);
    transfer_ = {};
  }
  if (limiterTicket_) {
    server_.limiter().cancel(limiterTicket_);
    limiterTicket_ = 0;
  }
  releaseFile();
  conn_.halt();
  server_.release(this);
}

void HttpConnection::checkTimeouts(std::chrono::steady_clock::time_point now) {
  if (closed_) return;
  const HttpLimits& limits = server_.options().limits;
  switch (state_) {
    case State::kIdle:
      if (now - since_ > limits.idleTimeout) closeNow({}, false);
      break;
    case State::kReading:
      if (now - since_ > limits.headerTimeout) {
        conn_.consume(conn_.buffered().size());
        respondSimple(408, true);
        conn_.flush();
      }
      break;
    case State::kWriting:
      if (conn_.queuedBytes() > 0 && now - std::max(since_, conn_.lastWriteProgress()) > limits.writeStallTimeout)
        closeNow("the client stopped reading (no progress for " +
                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limits.writeStallTimeout).count()) +
                     " s)",
                 true);
      break;
    case State::kLingering:
      if (now - since_ > kLingerTimeout) closeNow({}, false);
      break;
  }
}

}  // namespace ferry

