#pragma once

// clientName(): what to call a client in a sentence for people ("Safari on
// iPhone", "curl 8.5"), read from its User-Agent. Pure; any thread.

#include <string>
#include <string_view>

namespace ferry {

// "Safari on iPhone", "Chrome on Android", "Firefox on Linux", "curl 8.5",
// "Wget 1.21", "aria2 1.36", "Python requests", "Qt"...; "" when the
// User-Agent says nothing a person would recognise (the address alone is
// then shown).
std::string clientName(std::string_view userAgent);

}  // namespace ferry
