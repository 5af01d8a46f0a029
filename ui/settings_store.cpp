#include "settings_store.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace ferry::ui {

QString SettingsStore::defaultPath() {
  return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/ferry.ini");
}

SettingsStore::SettingsStore(QString path) : path_(std::move(path)) {}

AppSettings SettingsStore::loadSettings() const {
  QSettings s(path_, QSettings::IniFormat);
  AppSettings d;
  AppSettings out;
  s.beginGroup(QStringLiteral("server"));
  uint port = s.value(QStringLiteral("port"), d.port).toUInt();
  out.port = static_cast<std::uint16_t>(port <= 65535 ? port : d.port);
  out.bind = s.value(QStringLiteral("bind"), d.bind).toString();
  out.linkHost = s.value(QStringLiteral("linkHost"), d.linkHost).toString();
  out.rateLimit = s.value(QStringLiteral("rateLimit"), QVariant::fromValue<qulonglong>(d.rateLimit)).toULongLong();
  out.maxConnections = qBound(1, s.value(QStringLiteral("maxConnections"), d.maxConnections).toInt(), 1000000);
  out.startOnLaunch = s.value(QStringLiteral("startOnLaunch"), d.startOnLaunch).toBool();
  s.endGroup();
  s.beginGroup(QStringLiteral("window"));
  out.keepInTray = s.value(QStringLiteral("keepInTray"), d.keepInTray).toBool();
  out.notifyOnComplete = s.value(QStringLiteral("notifyOnComplete"), d.notifyOnComplete).toBool();
  s.endGroup();
  return out;
}

bool SettingsStore::saveSettings(const AppSettings& v) {
  QSettings s(path_, QSettings::IniFormat);
  s.beginGroup(QStringLiteral("server"));
  s.setValue(QStringLiteral("port"), v.port);
  s.setValue(QStringLiteral("bind"), v.bind);
  s.setValue(QStringLiteral("linkHost"), v.linkHost);
  s.setValue(QStringLiteral("rateLimit"), QVariant::fromValue<qulonglong>(v.rateLimit));
  s.setValue(QStringLiteral("maxConnections"), v.maxConnections);
  s.setValue(QStringLiteral("startOnLaunch"), v.startOnLaunch);
  s.endGroup();
  s.beginGroup(QStringLiteral("window"));
  s.setValue(QStringLiteral("keepInTray"), v.keepInTray);
  s.setValue(QStringLiteral("notifyOnComplete"), v.notifyOnComplete);
  s.endGroup();
  return finish(s);
}

QList<SavedShare> SettingsStore::loadShares() const {
  QSettings s(path_, QSettings::IniFormat);
  QList<SavedShare> out;
  int n = s.beginReadArray(QStringLiteral("shares"));
  for (int i = 0; i < n; ++i) {
    s.setArrayIndex(i);
    SavedShare share;
    share.token = s.value(QStringLiteral("token")).toString();
    share.path = s.value(QStringLiteral("path")).toString();
    share.downloads = s.value(QStringLiteral("downloads")).toULongLong();
    if (!share.token.isEmpty() && !share.path.isEmpty()) out.push_back(share);
  }
  s.endArray();
  return out;
}

bool SettingsStore::saveShares(const QList<SavedShare>& shares) {
  QSettings s(path_, QSettings::IniFormat);
  s.remove(QStringLiteral("shares"));
  s.beginWriteArray(QStringLiteral("shares"), static_cast<int>(shares.size()));
  for (int i = 0; i < shares.size(); ++i) {
    s.setArrayIndex(i);
    s.setValue(QStringLiteral("token"), shares[i].token);
    s.setValue(QStringLiteral("path"), shares[i].path);
    s.setValue(QStringLiteral("downloads"), QVariant::fromValue<qulonglong>(shares[i].downloads));
  }
  s.endArray();
  return finish(s);
}

QByteArray SettingsStore::windowGeometry() const {
  return QSettings(path_, QSettings::IniFormat).value(QStringLiteral("window/geometry")).toByteArray();
}

QByteArray SettingsStore::windowState() const {
  return QSettings(path_, QSettings::IniFormat).value(QStringLiteral("window/state")).toByteArray();
}

QByteArray SettingsStore::splitterState(const QString& name) const {
  return QSettings(path_, QSettings::IniFormat).value(QStringLiteral("window/splitter-") + name).toByteArray();
}

void SettingsStore::saveWindow(const QByteArray& geometry, const QByteArray& state,
                               const QList<QPair<QString, QByteArray>>& splitters) {
  QSettings s(path_, QSettings::IniFormat);
  s.setValue(QStringLiteral("window/geometry"), geometry);
  s.setValue(QStringLiteral("window/state"), state);
  for (const auto& [name, value] : splitters) s.setValue(QStringLiteral("window/splitter-") + name, value);
  finish(s);
}

bool SettingsStore::finish(QSettings& s) {
  // Share tokens are secrets: the file is its owner's alone. Created so
  // before the first write; QSaveFile keeps an existing file's permissions.
  QDir().mkpath(QFileInfo(path_).absolutePath());
  if (!QFileInfo::exists(path_)) {
    QFile f(path_);
    f.open(QIODevice::WriteOnly, QFile::ReadOwner | QFile::WriteOwner);
  }
  s.sync();  // QSaveFile underneath: a temporary file renamed over the old one
  QFile::setPermissions(path_, QFile::ReadOwner | QFile::WriteOwner);
  if (s.status() == QSettings::NoError) {
    lastError_.clear();
    return true;
  }
  // QSettings does not say why; a full or read-only disk is what it
  // nearly always is.
  lastError_ = QCoreApplication::translate("SettingsStore",
                                           "Could not save to %1 (is the disk full or read-only?). "
                                           "Shared files and their links will not survive a restart until it can.")
                   .arg(QDir::toNativeSeparators(path_));
  return false;
}

}  // namespace ferry::ui
