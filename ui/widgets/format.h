#pragma once

// How Ferry writes sizes, rates and durations for people: locale-aware,
// decimal units (as network rates are usually given).

#include <cstdint>

#include <QString>

namespace ferry::ui {

QString formatBytes(std::uint64_t bytes);     // "1.2 MB"
QString formatRate(double bytesPerSecond);    // "1.2 MB/s"
QString formatDuration(double seconds);       // "45 s", "3 min 20 s", "1 h 05 min"
// "1.2 MB of 5.0 MB"
QString formatProgress(std::uint64_t done, std::uint64_t total);

}  // namespace ferry::ui
