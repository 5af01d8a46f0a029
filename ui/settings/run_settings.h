#pragma once

// RunSettings: what this run of the window uses — the saved settings with
// the command line's values on top (those win without being saved). Owns
// both; derives the server's options and the host put in links from them.
// A plain value; not a QObject.
//
// GUI thread only.

#include <cstdint>

#include <QString>
#include <QStringList>

#include "network/address_ranking.h"
#include "server.h"
#include "settings/settings_store.h"

namespace ferry::ui {

// What the command line says for this run; it wins over saved settings
// without being saved.
struct LaunchOptions {
  ServerOptions server;  // poller, extra hosts, proxies, limits...
  bool portGiven = false;
  bool bindGiven = false;
  bool rateGiven = false;
  bool maxConnectionsGiven = false;
  bool publicCacheGiven = false;  // --public-cache
  // --tls-cert and --tls-key: launch.server's tlsCert/tlsKey; --name and
  // --localsend (its options too): launch.server's sharerName and localsend*
  QStringList paths;  // shared at startup
  QString cacheDirectory;  // where CRC-32s of zipped files persist; "" = this run only
};

class RunSettings final {
 public:
  RunSettings(AppSettings saved, LaunchOptions launch);

  const AppSettings& saved() const { return saved_; }
  const LaunchOptions& launch() const { return launch_; }

  // Replaces the saved settings (the caller saves them).
  void setSaved(const AppSettings& s) { saved_ = s; }
  // What the user sets in the window replaces this run's command-line
  // value of each setting they changed.
  void takeFromUser(const AppSettings& s);
  // The port the user picked (a free one offered for a busy one), over the
  // command line's.
  void usePort(std::uint16_t port);

  std::uint16_t port() const;
  QString bind() const;
  std::uint64_t rateLimit() const;
  // The address put in links (settings' choice, else the automatic one).
  QString linkHost() const;
  // The ranking the automatic choice comes from, as the window last saw
  // it; until set, the live one is asked each time.
  void setMachineAddresses(QList<LinkAddress> ranked) { ranked_ = std::move(ranked); }
  ServerOptions serverOptions() const;
  // Links start with https:// (a certificate is set, or Ferry's own CA).
  bool secure() const {
    const ServerOptions o = serverOptions();
    return !o.tlsCert.empty() || o.localCa;
  }
  // The window's links start with https:// (secure(), and not plain links
  // chosen where the port answers plain HTTP too).
  bool linksSecure() const { return secure() && !(serverOptions().plainHttpToo && saved_.plainLinks); }

 private:
  AppSettings saved_;
  LaunchOptions launch_;
  QList<LinkAddress> ranked_;
};

}  // namespace ferry::ui
