#include "settings/settings_salvage.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QList>
#include <QSaveFile>
#include <QSettings>

namespace ferry::ui {
namespace {

// Lines QSettings' INI reader cannot parse: a section header without its
// ']' (QSettings still opens a section, named by whatever follows the '[',
// and files the keys after it there) and a key line without '='. Comments
// and blank lines are fine.
bool unreadable(const QByteArray& line) {
  const QByteArray t = line.trimmed();
  if (t.isEmpty() || t.startsWith(';') || t.startsWith('#')) return false;
  if (t.startsWith('[')) return !t.contains(']');
  return !t.contains('=');
}

QString backupName(const QString& path) {
  const QString base = path + QStringLiteral(".damaged-") +
                       QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
  QString name = base;
  for (int n = 2; QFile::exists(name); ++n) name = base + QLatin1Char('-') + QString::number(n);
  return name;
}

QString salvageTr(const char* text) { return QCoreApplication::translate("SettingsStore", text); }

}  // namespace

SalvageResult salvageIniFile(const QString& path) {
  SalvageResult r;
  QFile f(path);
  if (!f.open(QIODevice::ReadOnly)) return r;
  const QByteArray bytes = f.readAll();
  f.close();
  if (bytes.isEmpty()) return r;

  QList<QByteArray> lines = bytes.split('\n');
  // QSettings ends every line it writes: an unterminated last line was cut
  // short (a full disk, a copy that stopped), and its value with it.
  const bool cut = !lines.last().isEmpty();
  lines.removeLast();
  QByteArray kept;
  int dropped = 0;
  for (const QByteArray& line : lines) {
    if (unreadable(line)) {
      ++dropped;
      continue;
    }
    kept += line + '\n';
  }
  const bool formatError = QSettings(path, QSettings::IniFormat).status() == QSettings::FormatError;
  if (!cut && dropped == 0 && !formatError) return r;

  r.damaged = true;
  r.why = cut ? salvageTr("it ends in the middle of a line, as if cut short")
              : salvageTr("it has lines that are not settings");
  const QString backup = backupName(path);
  // QFile::copy gives the copy the original's permissions (owner only).
  if (!QFile::copy(path, backup)) return r;  // then the original stays as it is, too
  r.backup = backup;
  QSaveFile out(path);
  if (out.open(QIODevice::WriteOnly) && out.write(kept) == kept.size()) out.commit();
  return r;
}

}  // namespace ferry::ui
