#include "network/network_watcher.h"

#include <QNetworkInformation>

#include "network/link_hosts.h"

namespace ferry::ui {
namespace {

bool sameList(const QList<LinkAddress>& a, const QList<LinkAddress>& b) {
  if (a.size() != b.size()) return false;
  for (qsizetype i = 0; i < a.size(); ++i)
    if (a[i].host != b[i].host || a[i].label != b[i].label) return false;
  return true;
}

}  // namespace

NetworkWatcher::NetworkWatcher(QObject* parent) : QObject(parent), source_(&rankedMachineAddresses) {
  addresses_ = source_(mdnsName_);
  timer_.setInterval(kDefaultIntervalMs);
  connect(&timer_, &QTimer::timeout, this, &NetworkWatcher::check);
  timer_.start();
  // The change is seen at once where Qt can tell; the timer covers the rest.
  if (QNetworkInformation::loadDefaultBackend()) {
    QNetworkInformation* info = QNetworkInformation::instance();
    connect(info, &QNetworkInformation::reachabilityChanged, this, &NetworkWatcher::check, Qt::QueuedConnection);
    connect(info, &QNetworkInformation::transportMediumChanged, this, &NetworkWatcher::check, Qt::QueuedConnection);
  }
}

NetworkWatcher::~NetworkWatcher() = default;

const LinkAddress* NetworkWatcher::find(const QString& host) const {
  for (const LinkAddress& l : addresses_)
    if (l.host == host) return &l;
  return nullptr;
}

void NetworkWatcher::setSource(Source source) {
  source_ = std::move(source);
  check();
}

void NetworkWatcher::setMdnsName(const QString& name) {
  if (name == mdnsName_) return;
  mdnsName_ = name;
  check();
}

void NetworkWatcher::check() {
  QList<LinkAddress> now = source_(mdnsName_);
  if (sameList(now, addresses_)) return;
  addresses_ = std::move(now);
  emit changed();
}

}  // namespace ferry::ui
