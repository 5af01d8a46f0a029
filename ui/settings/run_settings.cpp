#include "settings/run_settings.h"

#include <QHostAddress>
#include <QStandardPaths>

#include "network/link_hosts.h"

namespace ferry::ui {

RunSettings::RunSettings(AppSettings saved, LaunchOptions launch)
    : saved_(std::move(saved)), launch_(std::move(launch)) {}

void RunSettings::takeFromUser(const AppSettings& s) {
  if (s.port != saved_.port) launch_.portGiven = false;
  if (s.bind != saved_.bind) launch_.bindGiven = false;
  if (s.rateLimit != saved_.rateLimit) launch_.rateGiven = false;
  if (s.maxConnections != saved_.maxConnections) launch_.maxConnectionsGiven = false;
  if (s.publicCacheSeconds != saved_.publicCacheSeconds) launch_.publicCacheGiven = false;
  if (s.tlsCert != saved_.tlsCert || s.tlsKey != saved_.tlsKey || s.httpsOwnCa != saved_.httpsOwnCa) {
    launch_.server.tlsCert.clear();
    launch_.server.tlsKey.clear();
    launch_.server.localCa = false;
  }
  if (s.httpToo != saved_.httpToo) launch_.server.plainHttpToo = false;
  if (s.localsend != saved_.localsend) launch_.server.localsend = false;  // the switch rules from now on
  if (s.deviceName != saved_.deviceName) launch_.server.sharerName.clear();
  saved_ = s;
}

void RunSettings::usePort(std::uint16_t port) {
  saved_.port = port;
  launch_.portGiven = false;
}

std::uint16_t RunSettings::port() const { return launch_.portGiven ? launch_.server.port : saved_.port; }

QString RunSettings::bind() const {
  return launch_.bindGiven ? QString::fromStdString(launch_.server.bind) : saved_.bind;
}

std::uint64_t RunSettings::rateLimit() const { return launch_.rateGiven ? launch_.server.rateLimit : saved_.rateLimit; }

QString RunSettings::linkHost() const {
  return ranked_.isEmpty() ? effectiveLinkHost(saved_.linkHost, bind()) : effectiveLinkHost(saved_.linkHost, bind(), ranked_);
}

ServerOptions RunSettings::serverOptions() const {
  ServerOptions o = launch_.server;
  o.port = port();
  o.bind = bind().toStdString();
  o.rateLimit = rateLimit();
  if (!launch_.maxConnectionsGiven) o.limits.maxConnections = static_cast<std::size_t>(saved_.maxConnections);
  if (!launch_.publicCacheGiven) o.publicCacheSeconds = saved_.publicCacheSeconds;
  // The command line's HTTPS (--tls-cert or --https) wins; else Settings'
  // own CA, else its certificate files.
  if (o.tlsCert.empty() && o.tlsKey.empty() && !o.localCa) {
    if (saved_.httpsOwnCa) {
      o.localCa = true;
    } else {
      o.tlsCert = saved_.tlsCert.toStdString();
      o.tlsKey = saved_.tlsKey.toStdString();
    }
  }
  // Plain HTTP beside https: --http-too or Settings; never with HSTS,
  // which tells browsers to stop using it.
  o.plainHttpToo = (o.plainHttpToo || saved_.httpToo) && (!o.tlsCert.empty() || o.localCa) && !o.hsts;
  // LocalSend: the switch in Settings, or --localsend for this run.
  o.localsend = o.localsend || saved_.localsend;
  if (o.sharerName.empty()) o.sharerName = saved_.deviceName.toStdString();
  // Ferry's own CA is data, not cache (devices have installed it): where
  // headless keeps it too (app/cache_dir.h, userDataDirectory()).
  if (o.localCa && o.localCaDir.empty())
    o.localCaDir = (QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/https").toStdString();
  // LocalSend: its certificate is kept with the window's cache, as headless keeps it.
  if (o.localsend && o.localsendIdentityDir.empty() && !launch_.cacheDirectory.isEmpty())
    o.localsendIdentityDir = (launch_.cacheDirectory + "/localsend").toStdString();
  // A name typed as the link address (a proxy's, say) must be answered.
  const QString host = linkHost();
  if (QHostAddress(host).isNull()) o.allowedHosts.push_back(host.toStdString());
  return o;
}

}  // namespace ferry::ui
