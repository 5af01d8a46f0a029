#pragma once

// The little JSON the receive page reads: a string, escaped so that a file
// name can be neither markup nor end the string. Any thread.

#include <string>
#include <string_view>

namespace ferry {

class Responder;

// Appends `s` as a JSON string literal (with its quotes). <, > and & are
// escaped too, so the text is safe inside a page's <script> as well.
void appendJsonString(std::string& out, std::string_view s);

// A complete answer whose body is `json` (application/json, not cached).
void respondJson(Responder& out, int status, std::string_view json);

}  // namespace ferry
