#include "network/visitor_tracker.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHostAddress>

namespace ferry::ui {

QString clientAddress(const std::string& client) {
  const QString c = QString::fromStdString(client);
  if (c.startsWith(QLatin1Char('['))) return c.mid(1, c.indexOf(QLatin1Char(']')) - 1);
  const qsizetype colon = c.lastIndexOf(QLatin1Char(':'));
  return colon > 0 && c.count(QLatin1Char(':')) == 1 ? c.left(colon) : c;
}

void VisitorTracker::apply(const StatsSnapshot& snapshot, const QSet<QString>& own) {
  for (const TransferInfo& t : snapshot.transfers) {
    if (t.started <= when_) continue;
    const QString address = clientAddress(t.client);
    QHostAddress a(address);
    // An IPv4 client on a dual-stack socket: ::ffff:192.168.1.31.
    bool mapped = false;
    const quint32 v4 = a.toIPv4Address(&mapped);
    const QString shown = mapped ? QHostAddress(v4).toString() : address;
    if (a.isLoopback() || own.contains(shown)) continue;
    client_ = shown;
    when_ = t.started;
  }
}

QString VisitorTracker::describe(std::chrono::system_clock::time_point now) const {
  if (!seen())
    return QCoreApplication::translate("ferry::ui::VisitorTracker",
                                       "No other device has downloaded from Ferry since it started.");
  const auto seconds = std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(now - when_).count());
  QString ago;
  if (seconds < 60) ago = QCoreApplication::translate("ferry::ui::VisitorTracker", "%1 s ago").arg(seconds);
  else if (seconds < 3600) ago = QCoreApplication::translate("ferry::ui::VisitorTracker", "%1 min ago").arg(seconds / 60);
  else
    ago = QCoreApplication::translate("ferry::ui::VisitorTracker", "at %1")
              .arg(QDateTime::fromSecsSinceEpoch(std::chrono::system_clock::to_time_t(when_)).toString(QStringLiteral("HH:mm")));
  return QCoreApplication::translate("ferry::ui::VisitorTracker", "%1 connected %2").arg(client_, ago);
}

}  // namespace ferry::ui
