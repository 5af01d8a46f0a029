#pragma once

// A time_t as calendar fields, thread-safe on every platform (gmtime and
// localtime share one static buffer; their _r / _s forms differ by OS).

#include <ctime>

namespace ferry {

std::tm utcTime(std::time_t t);
// In this machine's time zone: what the person sharing files sees.
std::tm localTime(std::time_t t);

}  // namespace ferry
