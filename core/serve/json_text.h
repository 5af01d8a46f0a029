#pragma once

// The little JSON the receive page reads: a string, escaped so that a file
// name can be neither markup nor end the string. Any thread.

#include <string>
#include <string_view>

namespace ferry {

// Appends `s` as a JSON string literal (with its quotes). <, > and & are
// escaped too, so the text is safe inside a page's <script> as well.
void appendJsonString(std::string& out, std::string_view s);

}  // namespace ferry
