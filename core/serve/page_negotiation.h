#pragma once

// How a request for a file wants it: as the bytes to save (an attachment,
// what every download tool has always had), as the bytes to show in a page
// (an <img>, <video> or <audio> asking, or a link of the page's own with
// "?inline"), or, for a browser opening a single shared file's link, as a
// landing page about it. Pure functions of the request.
//
// Any thread.

#include <string_view>

#include "http_request.h"

namespace ferry {

// True when `req` (query `query`) asks for the file to be shown rather than
// saved: "?inline", or Sec-Fetch-Dest image, video, audio or track. "?download"
// always means save.
bool asksInline(const HttpRequest& req, std::string_view query);

// Whether a file of this Content-Type may be shown by a browser at the
// share's address. Pictures (not SVG, which can run script), sound, video,
// PDF and plain text: nothing that runs in the page's origin.
bool showableInline(std::string_view contentType);

// A browser navigating to the link (Sec-Fetch-Dest: document, or, from a
// browser that does not send it, Accept naming text/html and a User-Agent
// that is not a download tool's), a GET with no range and no query that
// asks for the bytes ("?download", "?inline", "?thumb", "?view").
bool wantsLandingPage(const HttpRequest& req, std::string_view query);

// curl, Wget, aria2, axel, lftp, HTTPie, Python, Go, Java, PowerShell...:
// clients that mean the bytes whatever they accept.
bool isDownloadTool(std::string_view userAgent);

}  // namespace ferry
