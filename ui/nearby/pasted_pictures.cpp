#include "nearby/pasted_pictures.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QStandardPaths>

namespace ferry::ui {

QString PastedPictures::folder() {
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/pasted");
}

QString PastedPictures::save(const QImage& image, QString* error) {
  const QString dir = folder();
  QDir().mkpath(dir);
  const QString stem =
      dir + QStringLiteral("/Pasted picture %1").arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd HH.mm.ss")));
  // Two pastes within a second each get a file of their own.
  QString path = stem + QStringLiteral(".png");
  for (int n = 2; QFileInfo::exists(path); ++n) path = stem + QStringLiteral(" (%1).png").arg(n);
  if (image.isNull() || !image.save(path, "PNG")) {
    if (error) *error = QCoreApplication::translate("PastedPictures", "The pasted picture could not be saved in %1.").arg(QDir::toNativeSeparators(dir));
    return {};
  }
  return path;
}

int PastedPictures::sweep(const QSet<QString>& inUse) {
  int removed = 0;
  const QFileInfoList files = QDir(folder()).entryInfoList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
  for (const QFileInfo& f : files) {
    if (inUse.contains(f.absoluteFilePath()) || inUse.contains(f.canonicalFilePath())) continue;
    removed += QFile::remove(f.absoluteFilePath());
  }
  return removed;
}

}  // namespace ferry::ui
