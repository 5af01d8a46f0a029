#pragma once

// SettingsStore: Ferry's settings and shares (with their tokens, so links
// keep working after a restart), kept in one INI file under
// QStandardPaths::AppConfigLocation ($XDG_CONFIG_HOME/ferry/ferry.ini on
// Linux). Owns only that file; not a QObject.
//
// GUI thread only. Every save ends in QSettings::sync(), which writes a
// temporary file and renames it over the old one (QSaveFile), so a crash
// never leaves half a file; the file is made readable by its owner only,
// since the tokens in it are the keys to the shares.
//
// Each share is a group of its own, named by its token ([shares] with
// TOKEN\path, TOKEN\downloads, TOKEN\order, and for a folder TOKEN\folder
// and TOKEN\showHidden, written only when true; a link's rules as
// TOKEN\expires, TOKEN\downloadLimit, TOKEN\password and its count of
// complete deliveries as TOKEN\deliveries, a folder's recipients as
// TOKEN\recipients, written only when set): no count whose loss loses
// every entry (QSettings arrays keep theirs in a "size" key, the last line
// of the section), and a save writes only the shares this store changed
// since it read them. QSettings merges key by key with the file on disk
// under its own lock file, so a second Ferry writing the same file keeps
// its shares and this one keeps its own.
//
// A damaged file is salvaged when the store is made (settings_salvage.h):
// kept as a dated backup, the readable part read. loadProblems() says what
// happened, and which saved values were not understood.

#include <cstdint>

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include "settings/settings_salvage.h"

class QSettings;

namespace ferry::ui {

struct AppSettings {
  std::uint16_t port = 8080;  // 0 = any free port (links then change at each start)
  QString bind;               // "" = every interface
  QString linkHost;           // "" = automatic (the primary LAN address)
  std::uint64_t rateLimit = 0;  // bytes/s for all downloads together; 0 = unlimited
  int maxConnections = 1024;
  bool startOnLaunch = true;
  bool keepInTray = true;        // when the platform has a tray
  bool notifyOnComplete = true;  // tray message when a download completes
  // Receive: ask before taking files from a device not accepted yet, and
  // the largest file taken (bytes; 0 = no cap). Off and none by default.
  bool askNewDevices = false;
  std::uint64_t maxReceiveSize = 0;
  // Seconds shared caches in front of Ferry may keep plain links; 0 = none.
  std::uint32_t publicCacheSeconds = 0;
  // HTTPS with the user's certificate: a PEM chain and its key ("" = plain HTTP).
  QString tlsCert;
  QString tlsKey;
  // HTTPS with Ferry's own CA instead (kept in the data folder; each
  // device trusts it once from the page /ferry-ca).
  bool httpsOwnCa = false;
  // With either HTTPS: plain HTTP is answered on the same port too, and
  // the window's links and QR codes use http:// (plainLinks) or https://.
  bool httpToo = false;
  bool plainLinks = false;
  // How long a link shared in the window works (its expiry, counted from
  // when it is shared); 0 = until it is removed. Safe by default: a link
  // forgotten in a chat ends tomorrow. Shares saved earlier keep their rules.
  std::uint32_t newLinkExpirySeconds = kOneDay;
  static constexpr std::uint32_t kOneDay = 24 * 3600;
  // Who shares, as pages say it ("Shared by NAME") and as LocalSend devices
  // list this computer; "" = this computer's host name.
  QString deviceName;
  // Be a LocalSend device (seen by, and sending to, the LocalSend apps on
  // the local network). Off by default: it multicasts on the network.
  bool localsend = false;
  friend bool operator==(const AppSettings&, const AppSettings&) = default;
};

// Receive as the window left it ([receive]): on or off, the folder and the
// token of its link (so the link a phone has saved keeps working), and the
// devices accepted for good ("Always accept this device").
struct SavedReceive {
  bool on = false;
  QString folder;  // "" = the default (Downloads/Ferry)
  QString token;   // "" = none drawn yet
  QStringList devices;
  friend bool operator==(const SavedReceive&, const SavedReceive&) = default;
};

struct SavedShare {
  QString token;
  QString path;
  std::uint64_t downloads = 0;  // completed downloads so far, over all runs
  bool folder = false;      // so a folder that is gone at startup is listed as one
  bool showHidden = false;  // a folder's hidden entries are listed and zipped
  // The link's rules (ShareRules) and what its download limit has counted.
  QDateTime expires;  // invalid = never
  std::uint32_t downloadLimit = 0;  // 0 = none
  QString password;   // "" = none
  std::uint32_t deliveries = 0;  // complete deliveries, over all runs
  // A folder with a download limit: the devices it is for ("COOKIE@ADDRESS",
  // recipientText()), so they keep their place after a restart.
  QStringList recipients;
  friend bool operator==(const SavedShare&, const SavedShare&) = default;
};

class SettingsStore final {
 public:
  // Bounds of saved values, so a hand-edited file cannot ask for nonsense.
  static constexpr qulonglong kMaxPublicCacheSeconds = 365ull * 86400;
  static constexpr qulonglong kMaxDownloadLimit = 1000000;
  // As --name takes it: pages say "Shared by NAME".
  static constexpr int kMaxDeviceName = 100;

  // The file Ferry uses: AppConfigLocation/ferry.ini.
  static QString defaultPath();

  explicit SettingsStore(QString path = defaultPath());

  QString path() const { return path_; }
  // Why the last save failed, as a sentence naming the file; empty when it
  // succeeded. A failed save leaves the previous file as it was.
  QString lastError() const { return lastError_; }
  // Sentences for the user about the file as it was read: damaged and kept
  // as a backup, values that were not understood (each replaced by its
  // default). Empty when all was well.
  QString loadProblems() const;

  // A saved value that is not understood (port=80a80) gives the default.
  AppSettings loadSettings() const;
  bool saveSettings(const AppSettings& settings);

  // In the order they were shared; remembers them as this store's own.
  QList<SavedShare> loadShares();
  // Writes the shares that are new or changed since the last load or save,
  // and removes those that were loaded or saved here and are gone from
  // `shares`; shares that another writer added are left alone.
  bool saveShares(const QList<SavedShare>& shares);
  // A share's token changed (a rotated link): the next save writes it under
  // `now` in the place `was` had, so the list keeps its order.
  void renameShare(const QString& was, const QString& now) { renamed_.insert(now, was); }

  SavedReceive loadReceive() const;
  bool saveReceive(const SavedReceive& receive);

  QByteArray windowGeometry() const;
  QByteArray windowState() const;
  QByteArray splitterState(const QString& name) const;
  void saveWindow(const QByteArray& geometry, const QByteArray& state,
                  const QList<QPair<QString, QByteArray>>& splitters);

  // Notices shown once ever ("Ferry is still serving" in the tray), by name.
  bool noticeShown(const QString& name) const;
  void setNoticeShown(const QString& name);

 private:
  bool finish(QSettings& s);
  // The value under `key` as a number in [min, max]; `fallback` (noted in
  // problems_) when it is there but is not one.
  qulonglong number(const QSettings& s, const QString& key, qulonglong fallback, qulonglong min,
                    qulonglong max) const;
  bool flag(const QSettings& s, const QString& key, bool fallback) const;
  void note(const QString& problem) const;

  QString path_;
  QString lastError_;
  SalvageResult salvage_;              // what was found when the store was made
  int sharesRead_ = -1;                // by the last loadShares(); -1 before
  mutable QStringList problems_;       // values not understood
  QHash<QString, SavedShare> known_;   // by token: as last read or written here
  QHash<QString, QString> renamed_;    // new token -> old, until the next save
};

}  // namespace ferry::ui
