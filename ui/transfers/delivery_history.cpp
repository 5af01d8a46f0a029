#include "transfers/delivery_history.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QLocale>
#include <QSaveFile>
#include <QStandardPaths>

namespace ferry::ui {
namespace {

constexpr int kVersion = 1;
constexpr qint64 kMaxFileBytes = 4 * 1024 * 1024;  // 500 records are ~100 kB: more is not ours

QJsonObject toJson(const DeliveryHistory::Record& r) {
  return {{QStringLiteral("time"), r.time.toUTC().toString(Qt::ISODateWithMs)},
          {QStringLiteral("client"), r.client},
          {QStringLiteral("file"), r.file},
          {QStringLiteral("outcome"), r.outcome},
          {QStringLiteral("text"), r.text}};
}

// Each write lands whole (QSaveFile); the file is its owner's alone, as
// it names who got what.
void write(const QString& path, const QByteArray& bytes) {
  QDir().mkpath(QFileInfo(path).absolutePath());
  QSaveFile f(path);
  if (!f.open(QIODevice::WriteOnly)) return;
  f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
  f.write(bytes);
  f.commit();
}

}  // namespace

QString DeliveryHistory::defaultPath() {
  return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/history.json");
}

DeliveryHistory::DeliveryHistory(QString path, QObject* parent) : QAbstractTableModel(parent), path_(std::move(path)) {
  writer_.setMaxThreadCount(1);
  saveTimer_.setSingleShot(true);
  saveTimer_.setInterval(1000);
  connect(&saveTimer_, &QTimer::timeout, this, &DeliveryHistory::save);
  load();
}

DeliveryHistory::~DeliveryHistory() { flush(); }

void DeliveryHistory::load() {
  QFile f(path_);
  if (!f.exists()) return;
  QString why;
  QJsonArray list;
  if (!f.open(QIODevice::ReadOnly)) {
    why = f.errorString();
  } else if (f.size() > kMaxFileBytes) {
    why = tr("it is larger than a history can be");
  } else {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
      why = tr("%1 at byte %2").arg(error.errorString()).arg(error.offset);
    else if (!doc.isObject() || !doc.object().value(QStringLiteral("deliveries")).isArray())
      why = tr("it is not a list of deliveries");
    else
      list = doc.object().value(QStringLiteral("deliveries")).toArray();
  }
  f.close();
  for (const QJsonValue& v : list) {
    const QJsonObject o = v.toObject();
    Record r{QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs),
             o.value(QStringLiteral("client")).toString(), o.value(QStringLiteral("file")).toString(),
             o.value(QStringLiteral("outcome")).toString(), o.value(QStringLiteral("text")).toString()};
    if (!r.time.isValid() || r.text.isEmpty()) continue;  // a record not understood is left out
    records_.push_back(std::move(r));
  }
  if (records_.size() > static_cast<std::size_t>(kMax))
    records_.erase(records_.begin(), records_.end() - kMax);
  if (why.isEmpty()) return;
  // Kept aside, not overwritten: it may be worth a look.
  const QString aside = path_ + QStringLiteral(".damaged-") +
                        QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
  const bool kept = QFile::rename(path_, aside);
  loadProblem_ = kept ? tr("The delivery history %1 could not be read (%2), so it starts empty. The damaged file "
                           "was kept as %3.")
                            .arg(QDir::toNativeSeparators(path_), why, QDir::toNativeSeparators(aside))
                      : tr("The delivery history %1 could not be read (%2), so it starts empty.")
                            .arg(QDir::toNativeSeparators(path_), why);
}

int DeliveryHistory::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(records_.size());
}

int DeliveryHistory::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant DeliveryHistory::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case Time: return tr("When");
    case Client: return tr("Device");
    case File: return tr("File");
    case Outcome: return tr("Outcome");
  }
  return {};
}

QVariant DeliveryHistory::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  // Newest first.
  const Record& r = records_[records_.size() - 1 - static_cast<std::size_t>(index.row())];
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case Time: return QLocale().toString(r.time.toLocalTime(), QLocale::ShortFormat);
      case Client: return r.client;
      case File: return r.file;
      // Which way, where the outcome is read.
      case Outcome: return (r.outcome == kReceived ? tr("↓ %1") : tr("↑ %1")).arg(r.text);
    }
  } else if (role == RawRole) {
    switch (index.column()) {
      case Time: return r.time.toMSecsSinceEpoch();
      case Client: return r.client;
      case File: return r.file.toLower();
      case Outcome: return r.outcome;
    }
  } else if (role == LinkRole) {
    return r.link;
  } else if (role == Qt::ToolTipRole) {
    return (r.outcome == kReceived ? tr("%1 from %2, %3: %4") : tr("%1 to %2, %3: %4"))
        .arg(r.file, r.client, QLocale().toString(r.time.toLocalTime(), QLocale::LongFormat), r.text);
  }
  return {};
}

void DeliveryHistory::add(Record record) {
  if (records_.size() >= static_cast<std::size_t>(kMax)) {
    const int last = rowCount() - 1;  // the oldest, shown last
    beginRemoveRows({}, last - (static_cast<int>(records_.size()) - kMax), last);
    records_.erase(records_.begin(), records_.begin() + (static_cast<std::ptrdiff_t>(records_.size()) - kMax + 1));
    endRemoveRows();
  }
  beginInsertRows({}, 0, 0);
  records_.push_back(std::move(record));
  endInsertRows();
  scheduleSave();
}

void DeliveryHistory::takenBack(const QString& link, const QString& text) {
  if (link.isEmpty()) return;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    Record& r = records_[i];
    if (r.link != link) continue;
    r.link.clear();
    r.text = text;
    const int row = rowCount() - 1 - static_cast<int>(i);
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
  }
  scheduleSave();
}

void DeliveryHistory::clear() {
  if (records_.empty() && !QFile::exists(path_)) return;
  beginResetModel();
  records_.clear();
  endResetModel();
  scheduleSave();
}

void DeliveryHistory::scheduleSave() {
  if (!saveTimer_.isActive()) saveTimer_.start();
}

void DeliveryHistory::save() {
  saveTimer_.stop();
  QJsonArray list;
  for (const Record& r : records_) list.append(toJson(r));
  const QByteArray bytes =
      QJsonDocument(QJsonObject{{QStringLiteral("version"), kVersion}, {QStringLiteral("deliveries"), list}})
          .toJson(QJsonDocument::Indented);
  writer_.start([path = path_, bytes] { write(path, bytes); });
}

void DeliveryHistory::flush() {
  if (saveTimer_.isActive()) save();
  writer_.waitForDone();
}

}  // namespace ferry::ui
