#include "shares/shares_model.h"

#include <algorithm>
#include <limits>

#include <QApplication>
#include <QFileInfo>
#include <QFont>
#include <QLocale>
#include <QStyle>
#include <QUrl>

#include "widgets/action_icons.h"
#include "shares/expiry_text.h"
#include "widgets/format.h"

namespace ferry::ui {
namespace {

// Same encoding as the core's links: everything but RFC 3986 unreserved.
QString encodedName(const QString& name) { return QString::fromLatin1(QUrl::toPercentEncoding(name)); }

QString readableLink(const QString& link) { return QUrl(link).toDisplayString(QUrl::PrettyDecoded); }

QString fileCount(std::size_t n) {
  return n == 1 ? SharesModel::tr("1 file") : SharesModel::tr("%1 files").arg(QLocale().toString(qulonglong(n)));
}

}  // namespace

QDateTime toQDateTime(ShareRules::Clock::time_point t) {
  return QDateTime::fromMSecsSinceEpoch(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

ShareRules::Clock::time_point fromQDateTime(const QDateTime& t) {
  return ShareRules::Clock::time_point(std::chrono::milliseconds(t.toMSecsSinceEpoch()));
}

QString deliveredToDevices(std::uint32_t devices) {
  return devices == 1 ? SharesModel::tr("Delivered to 1 device")
                      : SharesModel::tr("Delivered to %1 devices").arg(QLocale().toString(devices));
}

QString SharesModel::endedReason(const Entry& e, const QDateTime& now) {
  if (e.rules.expires) {
    const QDateTime when = toQDateTime(*e.rules.expires);
    if (when <= now) {
      const QLocale l;
      const QString time = clockTime(when.time());
      return when.date() == now.date() ? tr("This link expired at %1").arg(time)
                                       : tr("This link expired on %1 at %2").arg(l.toString(when.date(), QLocale::ShortFormat), time);
    }
  }
  if (e.rules.downloadLimit && e.deliveries() >= e.rules.downloadLimit && e.folder)
    return e.rules.downloadLimit == 1 ? tr("This link is for the one device that has used it")
                                      : tr("This link is for the %1 devices that have used it").arg(e.rules.downloadLimit);
  if (e.rules.downloadLimit && e.deliveries() >= e.rules.downloadLimit)
    return e.rules.downloadLimit == 1 ? tr("This link was used once") : tr("This link was used %1 times").arg(e.rules.downloadLimit);
  return {};
}

SharesModel::SharesModel(QObject* parent) : QAbstractTableModel(parent) {
  // Icons by file type, not by content: the provider must not open files.
  icons_.setOptions(QFileIconProvider::DontUseCustomDirectoryIcons);
}

SharesModel::~SharesModel() = default;

int SharesModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int SharesModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

Qt::ItemFlags SharesModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant SharesModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    switch (section) {
      case Name: return tr("Name");
      case Size: return tr("Size");
      case Downloads: return tr("Downloads");
      case Expires: return tr("Expires");
      case Link: return tr("Link");
    }
  } else if (role == Qt::ToolTipRole) {
    switch (section) {
      case Downloads: return tr("Completed downloads of the whole file; \"1 of 3\" under a download limit");
      case Expires: return tr("When the link stops working (a padlock: it asks for a password); set both in Properties");
      case Link: return tr("Give this link to the person who should get the file");
    }
  } else if (role == Qt::TextAlignmentRole) {
    if (section == Size || section == Downloads) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

QString SharesModel::linkAt(int row) const {
  if (prefix_.isEmpty() || row < 0 || row >= rowCount()) return {};
  const Entry& e = rows_[static_cast<std::size_t>(row)];
  // A folder's link is its listing, with the '/' its page's links build on.
  return prefix_ + e.token + QLatin1Char('/') + encodedName(e.name) + (e.folder ? QStringLiteral("/") : QString());
}

QString SharesModel::zipLinkAt(int row) const {
  if (row < 0 || row >= rowCount() || !rows_[static_cast<std::size_t>(row)].folder) return {};
  const QString link = linkAt(row);
  return link.isEmpty() ? QString() : link + QStringLiteral("?zip");
}

QVariant SharesModel::folderSize(const Entry& e, int role) const {
  const FolderSummary& s = e.summary;
  if (role == RawRole) return s.state == FolderSummary::kDone ? qint64(s.bytes) : qint64(-1);
  const QString problem = QString::fromStdString(s.problem);
  if (role == Qt::DisplayRole) {
    switch (s.state) {
      case FolderSummary::kCounting: return tr("counting…");
      case FolderSummary::kDone: return tr("%1 · %2").arg(formatBytes(s.bytes), fileCount(s.files));
      case FolderSummary::kTooLarge: return tr("too large for one zip");
      case FolderSummary::kUnreadable: return tr("cannot be read");
    }
  } else if (role == Qt::ToolTipRole) {
    switch (s.state) {
      case FolderSummary::kCounting: return tr("Ferry is counting what %1 holds").arg(e.path);
      case FolderSummary::kDone:
        return tr("%1 in %2 folders: %3 bytes\n%4")
            .arg(fileCount(s.files), QLocale().toString(qulonglong(s.folders)), QLocale().toString(qulonglong(s.bytes)),
                 s.crcsReady ? tr("Its zip starts at once") : tr("Ferry is preparing its zip"));
      case FolderSummary::kTooLarge:
        return tr("%1 cannot be downloaded as one zip: %2.\nIts link still lists it, and its files download "
                  "one by one.")
            .arg(e.path, problem);
      case FolderSummary::kUnreadable: return tr("Ferry cannot count what %1 holds: %2.").arg(e.path, problem);
    }
  }
  return {};
}

QVariant SharesModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Entry& e = rows_[static_cast<std::size_t>(index.row())];
  switch (role) {
    case TokenRole: return e.token;
    case PathRole: return e.path;
    case LinkRole: return linkAt(index.row());
    case MissingRole: return e.missing;
    case ProblemRole: return e.missing ? QString() : e.problem;
    case FolderRole: return e.folder;
    case ZipLinkRole: return zipLinkAt(index.row());
    default: break;
  }
  const int col = index.column();
  const QString ended = e.rules.any() ? endedReason(e, QDateTime::currentDateTime()) : QString();
  if (role == EndedRole) return ended;
  if (role == PasswordRole) return !e.rules.password.empty();
  // A file that is there but not served (unreadable, a broken token): its
  // link would 404, so the row says why instead of looking fine.
  const bool refused = !e.missing && !e.problem.isEmpty();
  if (refused && (col == Link || role == Qt::ToolTipRole) && (role == Qt::DisplayRole || role == Qt::ToolTipRole))
    return e.problem;
  const bool folderSizeRole = role == Qt::DisplayRole || role == Qt::ToolTipRole || role == RawRole;
  if (e.folder && !e.missing && col == Size && folderSizeRole) return folderSize(e, role);
  if (role == Qt::DisplayRole) {
    switch (col) {
      case Name: return e.name;
      case Size: return e.missing ? tr("missing") : formatBytes(static_cast<std::uint64_t>(std::max<qint64>(e.size, 0)));
      case Downloads:
        if (e.rules.downloadLimit)
          return tr("%1 of %2").arg(QLocale().toString(e.deliveries()), QLocale().toString(e.rules.downloadLimit));
        return QString::number(e.downloads());
      case Expires:
        if (!e.rules.expires) return tr("never");  // said, not left blank: a reader cannot tell blank from unknown
        return shortExpiry(toQDateTime(*e.rules.expires), QDateTime::currentDateTime());
      case Link: {
        // People read "holiday photos.zip", not "holiday%20photos.zip";
        // what is copied stays encoded (linkAt).
        QString link = linkAt(index.row());
        return link.isEmpty() ? tr("(link appears when serving)") : readableLink(link);
      }
    }
  } else if (role == RawRole) {
    switch (col) {
      case Name: return e.name.toLower();
      case Size: return e.missing ? qint64(-1) : e.size;
      case Downloads: return QVariant::fromValue<qulonglong>(e.rules.downloadLimit ? e.deliveries() : e.downloads());
      case Expires:
        return e.rules.expires ? toQDateTime(*e.rules.expires).toMSecsSinceEpoch()
                               : std::numeric_limits<qint64>::max();  // never: after every date
      case Link: return linkAt(index.row());
    }
  } else if (role == Qt::DecorationRole && col == Name) {
    if (e.missing || refused) return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
    if (e.folder) return icons_.icon(QFileIconProvider::Folder);
    const QString suffix = QFileInfo(e.name).suffix().toLower();
    auto it = iconCache_.find(suffix);
    if (it == iconCache_.end()) {
      QIcon icon = icons_.icon(QFileInfo(e.path));
      if (icon.isNull()) icon = icons_.icon(QFileIconProvider::File);
      it = iconCache_.insert(suffix, icon);
    }
    return *it;
  } else if (role == Qt::DecorationRole && col == Expires && !e.rules.password.empty()) {
    // Beside the other rules: the window shows the link itself under its QR.
    return padlockIcon();
  } else if (role == Qt::ToolTipRole && !ended.isEmpty()) {
    if (e.folder && e.rules.downloadLimit && e.deliveries() >= e.rules.downloadLimit &&
        !(e.rules.expires && toQDateTime(*e.rules.expires) <= QDateTime::currentDateTime()))
      return tr("%1.\nThey may still take anything in it; other devices get \"410 Gone\". Raise the limit in "
                "Properties to let more in.")
          .arg(ended);
    return tr("%1.\nIts link answers \"410 Gone\" with that sentence; change the rules in Properties to open "
              "it again.")
        .arg(ended);
  } else if (role == Qt::ToolTipRole) {
    if (e.missing && e.folder)
      return tr("The folder is no longer at %1.\nIts link will work again when the folder is back.").arg(e.path);
    if (e.missing)
      return tr("The file is no longer at %1.\nIts link will work again when the file is back.").arg(e.path);
    if (col == Link)
      return tr("%1\nCtrl+C copies it%2")
          .arg(readableLink(linkAt(index.row())),
               e.rules.password.empty() ? QString() : tr("\nIt asks for a password"));
    if (col == Expires && e.rules.expires)
      return tr("The link stops working %1").arg(describeExpiry(toQDateTime(*e.rules.expires), QDateTime::currentDateTime()));
    if (col == Expires) return tr("The link works until you remove the share; Properties give it an end");
    if (col == Downloads) {
      QString tip = e.rules.downloadLimit && e.folder
                        ? tr("Used by %1 of the %2 devices allowed").arg(e.deliveries()).arg(e.rules.downloadLimit)
                    : e.rules.downloadLimit
                        ? tr("Delivered completely %1 of the %2 times allowed").arg(e.deliveries()).arg(e.rules.downloadLimit)
                        : tr("Downloaded completely %1 times").arg(e.downloads());
      if (e.devicesThisRun > 0) tip += QLatin1Char('\n') + deliveredToDevices(e.devicesThisRun);
      return tip;
    }
    return e.path;
  } else if (role == Qt::TextAlignmentRole) {
    if (col == Size || col == Downloads) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  } else if (role == Qt::ForegroundRole && (e.missing || !ended.isEmpty())) {
    return QApplication::palette().brush(QPalette::Disabled, QPalette::Text);
  } else if (role == Qt::ForegroundRole && col == Expires && !e.rules.expires) {
    return QApplication::palette().brush(QPalette::PlaceholderText);  // the usual case, in a quiet voice
  } else if (role == Qt::FontRole && e.missing && col == Size) {
    QFont f;
    f.setItalic(true);
    return f;
  }
  return {};
}

int SharesModel::add(Entry entry) {
  std::vector<Entry> one;
  one.push_back(std::move(entry));
  return add(std::move(one)).front();
}

std::vector<int> SharesModel::add(std::vector<Entry> entries) {
  std::vector<int> rows;
  rows.reserve(entries.size());
  std::vector<Entry> fresh;
  QHash<QString, int> pending;  // tokens new in this batch, by row
  const int first = rowCount();
  for (Entry& entry : entries) {
    if (int row = rowOf(entry.token); row >= 0) {
      rows.push_back(row);
      continue;
    }
    if (auto it = pending.constFind(entry.token); it != pending.cend()) {
      rows.push_back(*it);
      continue;
    }
    QFileInfo fi(entry.path);
    entry.missing = entry.folder ? !fi.isDir() : !fi.isFile();
    if (!entry.missing && !entry.folder) entry.size = fi.size();
    if (entry.name.isEmpty()) entry.name = fi.fileName();
    const int row = first + static_cast<int>(fresh.size());
    pending.insert(entry.token, row);
    rows.push_back(row);
    fresh.push_back(std::move(entry));
  }
  if (fresh.empty()) return rows;
  beginInsertRows({}, first, first + static_cast<int>(fresh.size()) - 1);
  rows_.reserve(rows_.size() + fresh.size());
  for (Entry& e : fresh) {
    byToken_.insert(e.token, static_cast<int>(rows_.size()));
    if (!byPath_.contains(e.path)) byPath_.insert(e.path, static_cast<int>(rows_.size()));
    rows_.push_back(std::move(e));
  }
  endInsertRows();
  return rows;
}

bool SharesModel::remove(const QString& token) { return remove(QStringList{token}) > 0; }

int SharesModel::remove(const QStringList& tokens) {
  std::vector<int> doomed;
  for (const QString& t : tokens)
    if (int row = rowOf(t); row >= 0) doomed.push_back(row);
  std::sort(doomed.begin(), doomed.end());
  doomed.erase(std::unique(doomed.begin(), doomed.end()), doomed.end());
  if (doomed.empty()) return 0;
  // Runs of adjacent rows, last first, so earlier rows keep their numbers
  // while later ones go.
  std::vector<std::pair<int, int>> runs;
  for (int row : doomed) {
    if (!runs.empty() && runs.back().second == row - 1) runs.back().second = row;
    else runs.emplace_back(row, row);
  }
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    beginRemoveRows({}, it->first, it->second);
    rows_.erase(rows_.begin() + it->first, rows_.begin() + it->second + 1);
    endRemoveRows();
  }
  reindex();
  return static_cast<int>(doomed.size());
}

int SharesModel::rowOf(const QString& token) const { return byToken_.value(token, -1); }

int SharesModel::rowOfPath(const QString& path) const { return byPath_.value(path, -1); }

void SharesModel::setRegistered(int row, bool registered, const QString& problem) {
  Entry& e = rows_[static_cast<std::size_t>(row)];
  const QString why = registered ? QString() : problem;
  e.registered = registered;
  if (e.problem == why) return;
  e.problem = why;
  emitRowsChanged(row, row);
}

void SharesModel::setFolderSummary(int row, const FolderSummary& summary) {
  Entry& e = rows_[static_cast<std::size_t>(row)];
  e.summary = summary;
  emitRowsChanged(row, row, Size, Size);
}

void SharesModel::setShowHidden(int row, bool show) {
  Entry& e = rows_[static_cast<std::size_t>(row)];
  if (e.showHidden == show) return;
  e.showHidden = show;
  emitRowsChanged(row, row);
}

void SharesModel::setRules(int row, const ShareRules& rules) {
  Entry& e = rows_[static_cast<std::size_t>(row)];
  if (e.rules == rules) return;
  e.rules = rules;
  emitRowsChanged(row, row);
}

void SharesModel::setToken(int row, const QString& token) {
  Entry& e = rows_[static_cast<std::size_t>(row)];
  e.downloadsBefore += e.downloadsThisRun;
  e.downloadsThisRun = 0;
  e.deliveriesBefore += e.deliveriesThisRun;
  e.deliveriesThisRun = 0;
  e.token = token;
  reindex();
  emitRowsChanged(row, row);
}

void SharesModel::refreshExpiry() {
  int first = -1, last = -1;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    if (!rows_[i].rules.expires) continue;
    first = first < 0 ? static_cast<int>(i) : first;
    last = static_cast<int>(i);
  }
  // The whole row: an expiry that has just passed greys it.
  if (first >= 0) emitRowsChanged(first, last);
}

void SharesModel::setLinkPrefix(const QString& prefix) {
  if (prefix == prefix_) return;
  prefix_ = prefix;
  if (!rows_.empty()) emitRowsChanged(0, rowCount() - 1, Link, Link);
}

void SharesModel::applyCounters(const std::vector<ShareCounters>& counters) {
  int first = -1, last = -1;
  for (const ShareCounters& c : counters) {
    int row = rowOf(QString::fromStdString(c.token));
    if (row < 0) continue;
    Entry& e = rows_[static_cast<std::size_t>(row)];
    const auto deliveries = static_cast<std::uint32_t>(c.deliveries);
    if (e.downloadsThisRun == c.downloads && e.deliveriesThisRun == deliveries && e.devicesThisRun == c.devices)
      continue;
    e.downloadsThisRun = c.downloads;
    e.deliveriesThisRun = deliveries;
    e.devicesThisRun = c.devices;
    first = first < 0 ? row : std::min(first, row);
    last = std::max(last, row);
  }
  // Whole rows: a download limit just reached greys them.
  if (first >= 0) emitRowsChanged(first, last);
}

void SharesModel::endRun() {
  for (Entry& e : rows_) {
    e.downloadsBefore += e.downloadsThisRun;
    e.downloadsThisRun = 0;
    e.deliveriesBefore += e.deliveriesThisRun;
    e.deliveriesThisRun = 0;
    e.devicesThisRun = 0;
  }
}

std::vector<int> SharesModel::refreshFiles() {
  std::vector<int> back;
  int first = -1, last = -1;
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    Entry& e = rows_[i];
    QFileInfo fi(e.path);
    const bool missing = e.folder ? !fi.isDir() : !fi.isFile();
    // A folder's size is the scanner's to say (setFolderSummary).
    const qint64 size = missing || e.folder ? e.size : fi.size();
    if (!missing && !e.registered) back.push_back(static_cast<int>(i));
    if (missing == e.missing && size == e.size) continue;
    e.missing = missing;
    e.size = size;
    first = first < 0 ? static_cast<int>(i) : first;
    last = static_cast<int>(i);
  }
  if (first >= 0) emitRowsChanged(first, last);
  return back;
}

void SharesModel::reindex() {
  byToken_.clear();
  byPath_.clear();
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    byToken_.insert(rows_[i].token, static_cast<int>(i));
    if (!byPath_.contains(rows_[i].path)) byPath_.insert(rows_[i].path, static_cast<int>(i));  // the first
  }
}

void SharesModel::emitRowsChanged(int first, int last, int firstColumn, int lastColumn) {
  emit dataChanged(index(first, firstColumn), index(last, lastColumn));
}

}  // namespace ferry::ui
