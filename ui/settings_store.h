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

#include <cstdint>

#include <QByteArray>
#include <QList>
#include <QString>

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
  friend bool operator==(const AppSettings&, const AppSettings&) = default;
};

struct SavedShare {
  QString token;
  QString path;
  std::uint64_t downloads = 0;  // completed downloads so far, over all runs
  friend bool operator==(const SavedShare&, const SavedShare&) = default;
};

class SettingsStore final {
 public:
  // The file Ferry uses: AppConfigLocation/ferry.ini.
  static QString defaultPath();

  explicit SettingsStore(QString path = defaultPath());

  QString path() const { return path_; }
  // Why the last save failed, as a sentence naming the file; empty when it
  // succeeded. A failed save leaves the previous file as it was.
  QString lastError() const { return lastError_; }

  AppSettings loadSettings() const;
  bool saveSettings(const AppSettings& settings);

  QList<SavedShare> loadShares() const;
  bool saveShares(const QList<SavedShare>& shares);

  QByteArray windowGeometry() const;
  QByteArray windowState() const;
  QByteArray splitterState(const QString& name) const;
  void saveWindow(const QByteArray& geometry, const QByteArray& state,
                  const QList<QPair<QString, QByteArray>>& splitters);

 private:
  bool finish(QSettings& s);
  QString path_;
  QString lastError_;
};

}  // namespace ferry::ui
