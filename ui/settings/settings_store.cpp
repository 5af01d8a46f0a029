#include "settings/settings_store.h"

#include <algorithm>
#include <limits>
#include <vector>

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

namespace {

QString storeTr(const char* text, const char* disambiguation = nullptr, int n = -1) {
  return QCoreApplication::translate("SettingsStore", text, disambiguation, n);
}

const QString kShares = QStringLiteral("shares");
const QString kReceive = QStringLiteral("receive");

// The layout before shares were grouped by token: a QSettings array,
// [shares] 1\token=…, 1\path=…, …, size=N. Still read, so that an update
// keeps every link; the first save moves the entries to the new layout.
bool isArrayIndex(const QString& group) {
  bool ok = false;
  group.toUInt(&ok);
  return ok;
}

}  // namespace

SettingsStore::SettingsStore(QString path) : path_(std::move(path)), salvage_(salvageIniFile(path_)) {}

QString SettingsStore::loadProblems() const {
  QStringList out;
  if (salvage_.damaged) {
    const QString file = QDir::toNativeSeparators(path_);
    const QString read = sharesRead_ < 0 ? QString()
                                         : sharesRead_ == 1 ? storeTr(" (1 shared file)")
                                                           : storeTr(" (%1 shared files)").arg(sharesRead_);
    out << (salvage_.backup.isEmpty()
                ? storeTr("The settings file %1 is damaged: %2. Ferry read what it could%3, but could not keep a "
                     "copy of the damaged file.")
                      .arg(file, salvage_.why, read)
                : storeTr("The settings file %1 was damaged: %2. Ferry restored what it could read%3 and kept the "
                     "damaged file as %4.")
                      .arg(file, salvage_.why, read, QDir::toNativeSeparators(salvage_.backup)));
  }
  out += problems_;
  return out.join(QLatin1Char('\n'));
}

void SettingsStore::note(const QString& problem) const {
  if (!problems_.contains(problem)) problems_ << problem;
}

qulonglong SettingsStore::number(const QSettings& s, const QString& key, qulonglong fallback, qulonglong min,
                                 qulonglong max) const {
  const QVariant v = s.value(key);
  if (!v.isValid()) return fallback;
  bool ok = false;
  const qulonglong n = v.toString().trimmed().toULongLong(&ok);
  if (ok && n >= min && n <= max) return n;
  note(storeTr("The saved setting %1=%2 is not a number from %3 to %4, so Ferry uses %5.")
           .arg(key, v.toString())
           .arg(min)
           .arg(max)
           .arg(fallback));
  return fallback;
}

bool SettingsStore::flag(const QSettings& s, const QString& key, bool fallback) const {
  const QVariant v = s.value(key);
  if (!v.isValid()) return fallback;
  const QString t = v.toString().trimmed().toLower();
  if (t == QLatin1String("true") || t == QLatin1String("1")) return true;
  if (t == QLatin1String("false") || t == QLatin1String("0")) return false;
  note(storeTr("The saved setting %1=%2 is neither true nor false, so Ferry uses %3.")
           .arg(key, v.toString(), fallback ? QStringLiteral("true") : QStringLiteral("false")));
  return fallback;
}

AppSettings SettingsStore::loadSettings() const {
  QSettings s(path_, QSettings::IniFormat);
  const AppSettings d;
  AppSettings out;
  s.beginGroup(QStringLiteral("server"));
  out.port = static_cast<std::uint16_t>(number(s, QStringLiteral("port"), d.port, 0, 65535));
  out.bind = s.value(QStringLiteral("bind"), d.bind).toString();
  out.linkHost = s.value(QStringLiteral("linkHost"), d.linkHost).toString();
  out.rateLimit = number(s, QStringLiteral("rateLimit"), d.rateLimit, 0, std::numeric_limits<qulonglong>::max());
  out.maxConnections = static_cast<int>(number(s, QStringLiteral("maxConnections"), static_cast<qulonglong>(d.maxConnections), 1, 1000000));
  out.startOnLaunch = flag(s, QStringLiteral("startOnLaunch"), d.startOnLaunch);
  out.publicCacheSeconds = static_cast<std::uint32_t>(
      number(s, QStringLiteral("publicCacheSeconds"), d.publicCacheSeconds, 0, kMaxPublicCacheSeconds));
  out.tlsCert = s.value(QStringLiteral("tlsCert"), d.tlsCert).toString();
  out.tlsKey = s.value(QStringLiteral("tlsKey"), d.tlsKey).toString();
  out.deviceName = s.value(QStringLiteral("name"), d.deviceName).toString().trimmed().left(kMaxDeviceName);
  out.localsend = flag(s, QStringLiteral("localsend"), d.localsend);
  out.httpsOwnCa = flag(s, QStringLiteral("httpsOwnCa"), d.httpsOwnCa);
  out.httpToo = flag(s, QStringLiteral("httpToo"), d.httpToo);
  out.plainLinks = flag(s, QStringLiteral("plainLinks"), d.plainLinks);
  s.endGroup();
  s.beginGroup(QStringLiteral("window"));
  out.keepInTray = flag(s, QStringLiteral("keepInTray"), d.keepInTray);
  out.notifyOnComplete = flag(s, QStringLiteral("notifyOnComplete"), d.notifyOnComplete);
  out.newLinkExpirySeconds = static_cast<std::uint32_t>(
      number(s, QStringLiteral("newLinkExpiry"), d.newLinkExpirySeconds, 0, 366ull * 24 * 3600));
  s.endGroup();
  s.beginGroup(kReceive);
  out.askNewDevices = flag(s, QStringLiteral("askNewDevices"), d.askNewDevices);
  out.maxReceiveSize =
      number(s, QStringLiteral("maxFileSize"), d.maxReceiveSize, 0, std::numeric_limits<qulonglong>::max());
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
  s.setValue(QStringLiteral("publicCacheSeconds"), v.publicCacheSeconds);
  s.setValue(QStringLiteral("tlsCert"), v.tlsCert);
  s.setValue(QStringLiteral("tlsKey"), v.tlsKey);
  s.setValue(QStringLiteral("name"), v.deviceName);
  s.setValue(QStringLiteral("localsend"), v.localsend);
  s.setValue(QStringLiteral("httpsOwnCa"), v.httpsOwnCa);
  s.setValue(QStringLiteral("httpToo"), v.httpToo);
  s.setValue(QStringLiteral("plainLinks"), v.plainLinks);
  s.endGroup();
  s.beginGroup(QStringLiteral("window"));
  s.setValue(QStringLiteral("keepInTray"), v.keepInTray);
  s.setValue(QStringLiteral("notifyOnComplete"), v.notifyOnComplete);
  s.setValue(QStringLiteral("newLinkExpiry"), v.newLinkExpirySeconds);
  s.endGroup();
  s.beginGroup(kReceive);
  s.setValue(QStringLiteral("askNewDevices"), v.askNewDevices);
  s.setValue(QStringLiteral("maxFileSize"), QVariant::fromValue<qulonglong>(v.maxReceiveSize));
  s.endGroup();
  return finish(s);
}

SavedReceive SettingsStore::loadReceive() const {
  QSettings s(path_, QSettings::IniFormat);
  SavedReceive out;
  s.beginGroup(kReceive);
  out.on = flag(s, QStringLiteral("on"), out.on);
  out.folder = s.value(QStringLiteral("folder")).toString();
  out.token = s.value(QStringLiteral("token")).toString();
  out.devices = s.value(QStringLiteral("acceptedDevices")).toStringList();
  out.devices.removeAll(QString());
  s.endGroup();
  return out;
}

bool SettingsStore::saveReceive(const SavedReceive& v) {
  QSettings s(path_, QSettings::IniFormat);
  s.beginGroup(kReceive);
  s.setValue(QStringLiteral("on"), v.on);
  s.setValue(QStringLiteral("folder"), v.folder);
  s.setValue(QStringLiteral("token"), v.token);
  s.setValue(QStringLiteral("acceptedDevices"), v.devices);
  s.endGroup();
  return finish(s);
}

QList<SavedShare> SettingsStore::loadShares() {
  QSettings s(path_, QSettings::IniFormat);
  struct Row {
    bool array;  // the old layout sorts first, by its index
    qulonglong order;
    SavedShare share;
  };
  std::vector<Row> rows;
  known_.clear();
  s.beginGroup(kShares);
  for (const QString& group : s.childGroups()) {
    const bool array = isArrayIndex(group);
    s.beginGroup(group);
    Row row{array, array ? group.toULongLong() : s.value(QStringLiteral("order")).toULongLong(), {}};
    row.share.token = array ? s.value(QStringLiteral("token")).toString() : group;
    row.share.path = s.value(QStringLiteral("path")).toString();
    row.share.downloads = s.value(QStringLiteral("downloads")).toULongLong();
    // Absent before folders could be shared: a file, showing nothing hidden.
    row.share.folder = flag(s, QStringLiteral("folder"), false);
    row.share.showHidden = flag(s, QStringLiteral("showHidden"), false);
    // Absent before links had rules: a plain link.
    if (const QString e = s.value(QStringLiteral("expires")).toString(); !e.isEmpty()) {
      row.share.expires = QDateTime::fromString(e, Qt::ISODateWithMs);
      // A rule not understood must not become no rule: the link ends.
      if (!row.share.expires.isValid()) {
        note(storeTr("The saved expiry %1 of a shared file is not a date, so its link ends now.").arg(e));
        row.share.expires = QDateTime::currentDateTimeUtc();
      }
    }
    row.share.downloadLimit = static_cast<std::uint32_t>(number(s, QStringLiteral("downloadLimit"), 0, 0, kMaxDownloadLimit));
    row.share.password = s.value(QStringLiteral("password")).toString();
    row.share.deliveries = static_cast<std::uint32_t>(number(s, QStringLiteral("deliveries"), 0, 0, 0xffffffffu));
    row.share.recipients = s.value(QStringLiteral("recipients")).toStringList();
    s.endGroup();
    // An entry without its path is one another writer is removing, or
    // what a damaged file left of one: nothing to restore.
    if (row.share.token.isEmpty() || row.share.path.isEmpty()) continue;
    if (!array) known_.insert(row.share.token, row.share);
    rows.push_back(std::move(row));
  }
  s.endGroup();
  std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return a.array != b.array ? a.array : a.order < b.order;
  });
  QList<SavedShare> out;
  for (Row& r : rows)
    if (std::none_of(out.begin(), out.end(), [&](const SavedShare& o) { return o.token == r.share.token; }))
      out.push_back(std::move(r.share));
  sharesRead_ = static_cast<int>(out.size());
  return out;
}

bool SettingsStore::saveShares(const QList<SavedShare>& shares) {
  QSettings s(path_, QSettings::IniFormat);
  s.beginGroup(kShares);
  qulonglong next = 0;
  for (const QString& group : s.childGroups()) {
    if (isArrayIndex(group)) s.remove(group);  // moved to the new layout below
    else next = std::max(next, s.value(group + QStringLiteral("/order")).toULongLong() + 1);
  }
  s.remove(QStringLiteral("size"));
  QHash<QString, SavedShare> now;
  for (const SavedShare& share : shares) {
    now.insert(share.token, share);
    const auto was = known_.constFind(share.token);
    if (was != known_.cend() && *was == share) continue;  // unchanged: another writer's edits stay
    // A rotated link's new token takes the old one's place.
    const QString old = renamed_.value(share.token);
    const QVariant place = old.isEmpty() ? QVariant() : s.value(old + QStringLiteral("/order"));
    s.beginGroup(share.token);
    s.setValue(QStringLiteral("path"), share.path);
    s.setValue(QStringLiteral("downloads"), QVariant::fromValue<qulonglong>(share.downloads));
    // Only when set, so a file's entry reads as it always did.
    for (const auto& [key, on] : {std::pair{QStringLiteral("folder"), share.folder},
                                  std::pair{QStringLiteral("showHidden"), share.showHidden}}) {
      if (on) s.setValue(key, true);
      else s.remove(key);
    }
    auto setOrRemove = [&s](const QString& key, const QVariant& value, bool set) {
      if (set) s.setValue(key, value);
      else s.remove(key);
    };
    setOrRemove(QStringLiteral("expires"), share.expires.toUTC().toString(Qt::ISODateWithMs), share.expires.isValid());
    setOrRemove(QStringLiteral("downloadLimit"), share.downloadLimit, share.downloadLimit != 0);
    setOrRemove(QStringLiteral("password"), share.password, !share.password.isEmpty());
    setOrRemove(QStringLiteral("deliveries"), share.deliveries, share.deliveries != 0);
    setOrRemove(QStringLiteral("recipients"), share.recipients, !share.recipients.isEmpty());
    if (was == known_.cend()) s.setValue(QStringLiteral("order"), place.isValid() ? place : QVariant(next++));
    s.endGroup();
  }
  for (auto it = known_.cbegin(); it != known_.cend(); ++it)
    if (!now.contains(it.key())) s.remove(it.key());  // unshared here
  s.endGroup();
  if (!finish(s)) return false;
  known_ = std::move(now);
  renamed_.clear();
  return true;
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
  // (FormatError is about what was read, and the salvage dealt with it.)
  if (s.status() != QSettings::AccessError) {
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

bool SettingsStore::noticeShown(const QString& name) const {
  return QSettings(path_, QSettings::IniFormat).value(QStringLiteral("notices/") + name).toBool();
}

void SettingsStore::setNoticeShown(const QString& name) {
  QSettings s(path_, QSettings::IniFormat);
  s.setValue(QStringLiteral("notices/") + name, true);
  finish(s);
}

}  // namespace ferry::ui
