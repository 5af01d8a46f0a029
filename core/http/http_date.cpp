#include "http_date.h"

#include <cstdio>
#include <cstring>

#include "calendar.h"

namespace ferry {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm): avoids
// timegm(), which Windows spells differently.
long long daysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

}  // namespace

std::string formatHttpDate(std::time_t t) {
  char buf[32];
  return std::string(formatHttpDate(t, buf));
}

std::string_view formatHttpDate(std::time_t t, char* buf) {
  const std::tm tm = utcTime(t);
  int n = std::snprintf(buf, 30, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                        kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string_view(buf, n > 0 && n < 30 ? static_cast<std::size_t>(n) : 0);
}

std::time_t parseHttpDate(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s.substr(25) != " GMT") return -1;
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
  };
  int day, year, hh, mm, ss;
  if (!num(5, 2, day) || !num(12, 4, year) || !num(17, 2, hh) || !num(20, 2, mm) || !num(23, 2, ss))
    return -1;
  if (s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':') return -1;
  int month = -1;
  for (int i = 0; i < 12; ++i)
    if (s.substr(8, 3) == kMonths[i]) month = i + 1;
  if (month < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return -1;
  long long days = daysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return static_cast<std::time_t>(days * 86400 + hh * 3600 + mm * 60 + ss);
}

std::string_view DateCache::now() {
  std::time_t t = std::time(nullptr);
  if (t != second_ || value_.empty()) {
    second_ = t;
    value_ = formatHttpDate(t);
  }
  return value_;
}

}  // namespace ferry
