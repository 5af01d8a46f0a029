#pragma once

// NetworkWatcher: this machine's ranked link addresses, kept current as
// the laptop moves between networks. Asks again when Qt's
// QNetworkInformation reports a change (where a backend is available) and
// every few seconds otherwise (Qt 6.4 has no backend for plain Linux
// without NetworkManager, nor for every change a VPN makes). Owns the
// timer and the last ranking; the source of addresses can be replaced, so
// tests feed it recorded lists.
//
// GUI thread only.

#include <functional>

#include <QList>
#include <QObject>
#include <QTimer>

#include "network/address_ranking.h"

namespace ferry::ui {

class NetworkWatcher final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(NetworkWatcher)

 public:
  // Ranks the machine's addresses, with the name the mDNS responder
  // publishes ("" while none does).
  using Source = std::function<QList<LinkAddress>(const QString& mdnsName)>;
  static constexpr int kDefaultIntervalMs = 5000;

  explicit NetworkWatcher(QObject* parent = nullptr);
  ~NetworkWatcher() override;

  // The addresses as of the last check, best first.
  const QList<LinkAddress>& addresses() const { return addresses_; }
  // The one with this host, or null.
  const LinkAddress* find(const QString& host) const;

  // Replaces where addresses come from (rankedMachineAddresses() by
  // default) and checks at once.
  void setSource(Source source);
  void setInterval(int ms) { timer_.setInterval(ms); }

  // The name the mDNS responder publishes, "mypc.local" ("" = none); ranks
  // again at once.
  void setMdnsName(const QString& name);
  const QString& mdnsName() const { return mdnsName_; }

  // Ranks again now; emits changed() if the list differs.
  void check();

 signals:
  void changed();

 private:
  Source source_;
  QString mdnsName_;
  QList<LinkAddress> addresses_;
  QTimer timer_;
};

}  // namespace ferry::ui
