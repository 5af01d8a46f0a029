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
// A counted text, each form written out whole: formatCount(n, tr("1 file"),
// tr("%1 files")) gives "1 file" or "2 files" ("1,200 files": %1 is n in the
// locale's digits). Ferry loads no translation, and Qt's "%n file(s)" only
// picks a plural form from one, so without one the window would show "(s)".
QString formatCount(qint64 n, const QString& one, const QString& many);

}  // namespace ferry::ui
