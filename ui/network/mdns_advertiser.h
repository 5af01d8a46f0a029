#pragma once

// MdnsAdvertiser: publishes Ferry's port as an `_http._tcp` service through
// the platform's own mDNS responder, and says which name this machine
// answers to there ("mypc.local"), for links. One implementation file per
// platform, compiled only there: Avahi over D-Bus on Linux
// (mdns_advertiser_avahi.cpp), dns_sd on macOS (mdns_advertiser_dnssd.cpp),
// DnsServiceRegister on Windows 10+ (mdns_advertiser_windows.cpp); none when
// built with -DFERRY_MDNS=OFF. Owns its registration: withdrawn on
// withdraw() and on destruction.
//
// GUI thread only.

#include <QObject>
#include <QString>

namespace ferry::ui {

class MdnsAdvertiser : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(MdnsAdvertiser)

 public:
  // The platform's advertiser, or null when the build has none.
  static MdnsAdvertiser* create(QObject* parent);
  ~MdnsAdvertiser() override;

  // Announces the service on `port`, replacing an earlier announcement;
  // kept up (and announced again) while the responder comes and goes.
  virtual void publish(quint16 port) = 0;
  // Takes the announcement back.
  virtual void withdraw() = 0;

  // The name the responder answers for, "mypc.local"; "" while no
  // responder runs.
  const QString& hostName() const { return hostName_; }

 signals:
  void hostNameChanged(const QString& name);

 protected:
  explicit MdnsAdvertiser(QObject* parent) : QObject(parent) {}
  void setHostName(const QString& name);

 private:
  QString hostName_;
};

}  // namespace ferry::ui
