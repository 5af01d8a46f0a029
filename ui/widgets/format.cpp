#include "widgets/format.h"

#include <cmath>

#include <QCoreApplication>
#include <QLocale>

namespace ferry::ui {

QString formatBytes(std::uint64_t bytes) {
  if (bytes < 1000) return QCoreApplication::translate("format", "%1 B").arg(bytes);
  return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeSIFormat);
}

QString formatRate(double bytesPerSecond) {
  if (!(bytesPerSecond > 0)) bytesPerSecond = 0;
  return QCoreApplication::translate("format", "%1/s").arg(formatBytes(static_cast<std::uint64_t>(bytesPerSecond)));
}

QString formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return QStringLiteral("—");
  auto s = static_cast<qint64>(std::ceil(seconds));
  if (s < 60) return QCoreApplication::translate("format", "%1 s").arg(s);
  if (s < 3600)
    return QCoreApplication::translate("format", "%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  if (s < 100 * 3600)
    return QCoreApplication::translate("format", "%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
  return QCoreApplication::translate("format", "%1 days").arg(s / 86400);
}

QString formatCount(qint64 n, const QString& one, const QString& many) {
  return n == 1 ? one : many.arg(QLocale().toString(n));
}

QString formatProgress(std::uint64_t done, std::uint64_t total) {
  return QCoreApplication::translate("format", "%1 of %2").arg(formatBytes(done), formatBytes(total));
}

}  // namespace ferry::ui
