#include "transfers_model.h"

#include <algorithm>
#include <limits>

#include <QApplication>
#include <QColor>

#include "format.h"
#include "palette_colors.h"

namespace ferry::ui {
namespace {

constexpr qint64 kFadeMs = 1500;  // the last part of the retention fades

QString stateText(TransferState s, bool incoming = false) {
  // A file sent to this computer says so where the eye goes: its state.
  if (incoming) {
    switch (s) {
      case TransferState::kActive: return TransfersModel::tr("Receiving");
      case TransferState::kDone: return TransfersModel::tr("Received");
      default: break;
    }
  }
  switch (s) {
    case TransferState::kActive: return TransfersModel::tr("Downloading");
    case TransferState::kDone: return TransfersModel::tr("Done");
    case TransferState::kCancelled: return TransfersModel::tr("Cancelled");
    case TransferState::kFailed: return TransfersModel::tr("Failed");
  }
  return {};
}

}  // namespace

double TransfersModel::Row::eta() const {
  if (state != TransferState::kActive) return 0;
  if (rate < 1) return std::numeric_limits<double>::infinity();
  return double(bytesTotal - std::min(bytesSent, bytesTotal)) / rate;
}

TransfersModel::TransfersModel(QObject* parent) : QAbstractTableModel(parent) {
  clock_.start();
  expiry_.setInterval(100);
  connect(&expiry_, &QTimer::timeout, this, &TransfersModel::tick);
}

TransfersModel::~TransfersModel() = default;

int TransfersModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int TransfersModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

Qt::ItemFlags TransfersModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QVariant TransfersModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::DisplayRole) {
    switch (section) {
      case Client: return tr("Client");
      case File: return tr("File");
      case Progress: return tr("Progress");
      case Transferred: return tr("Transferred");
      case Speed: return tr("Speed");
      case Eta: return tr("Time left");
      case State: return tr("State");
    }
  } else if (role == Qt::TextAlignmentRole) {
    if (section == Transferred || section == Speed || section == Eta)
      return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  return {};
}

double TransfersModel::opacity(const Row& row) const {
  if (row.endedAt < 0) return 1.0;
  const qint64 left = retention_.count() - (clock_.elapsed() - row.endedAt);
  if (left >= kFadeMs) return 1.0;
  return std::clamp(0.25 + 0.75 * double(left) / double(kFadeMs), 0.25, 1.0);
}

QVariant TransfersModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  switch (role) {
    case ProgressRole: return r.progress();
    case StateRole: return static_cast<int>(r.state);
    case RunRole: return QVariant::fromValue<qulonglong>(r.run);
    case IdRole: return QVariant::fromValue<qulonglong>(r.id);
    case ShareTokenRole: return r.token;
    case OpacityRole: return opacity(r);
    default: break;
  }
  const int col = index.column();
  if (role == Qt::DisplayRole) {
    switch (col) {
      case Client: return r.client;
      case File: return r.fileName;
      case Progress: return QStringLiteral("%1%").arg(static_cast<int>(r.progress() * 100.0));
      case Transferred: return formatProgress(r.bytesSent, r.bytesTotal);
      case Speed: return r.state == TransferState::kActive ? formatRate(r.rate) : QString();
      case Eta: return r.state == TransferState::kActive ? formatDuration(r.eta()) : QString();
      case State:
        // "Cancelled: the client closed the connection", but not
        // "Cancelled: cancelled by the user".
        if (r.state == TransferState::kActive || r.reason.isEmpty() ||
            r.reason.startsWith(stateText(r.state), Qt::CaseInsensitive))
          return stateText(r.state, r.incoming);
        return tr("%1: %2").arg(stateText(r.state, r.incoming), r.reason);
    }
  } else if (role == RawRole) {
    switch (col) {
      case Client: return r.client;
      case File: return r.fileName.toLower();
      case Progress: return r.progress();
      case Transferred: return QVariant::fromValue<qulonglong>(r.bytesSent);
      case Speed: return r.state == TransferState::kActive ? r.rate : 0.0;
      case Eta: return r.eta();
      case State: return static_cast<int>(r.state);
    }
  } else if (role == Qt::TextAlignmentRole) {
    if (col == Transferred || col == Speed || col == Eta) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  } else if (role == Qt::ToolTipRole) {
    QString tip = r.incoming ? tr("%1 from %2").arg(r.fileName, r.client) : tr("%1 to %2").arg(r.fileName, r.client);
    if (r.rangeFirst > 0 || r.bytesTotal != r.fileSize)
      tip += QLatin1Char('\n') + tr("Bytes %1 to %2 of %3")
                                     .arg(r.rangeFirst)
                                     .arg(r.rangeFirst + r.bytesTotal)
                                     .arg(formatBytes(r.fileSize));
    if (!r.reason.isEmpty()) tip += QLatin1Char('\n') + r.reason;
    return tip;
  } else if (role == Qt::ForegroundRole && col == State) {
    // Drawn on the view's base, whichever palette is in use.
    if (r.state == TransferState::kFailed) return failureTextColor(QApplication::palette());
  }
  return {};
}

bool TransfersModel::update(Row& row, const TransferInfo& t) {
  const TransferState before = row.state;
  bool changed = row.bytesSent != t.bytesSent || row.rate != t.rate || row.state != t.state;
  row.bytesSent = t.bytesSent;
  row.bytesTotal = t.bytesTotal;
  row.rate = t.rate;
  if (before == TransferState::kActive && t.state != TransferState::kActive) {
    markEnded(row, t.state, QString::fromStdString(t.reason));
    changed = true;
  }
  return changed;
}

void TransfersModel::markEnded(Row& row, TransferState state, const QString& reason) {
  row.state = state;
  row.reason = reason;
  row.rate = 0;
  row.endedAt = clock_.elapsed();
  --active_;
  if (!expiry_.isActive()) expiry_.start();
  emit transferEnded(row.fileName, row.client, static_cast<int>(state), reason);
  if (row.incoming && state == TransferState::kDone) {
    // The core says under which name it was saved ("saved as photo (1).jpg").
    static const QString kSavedAs = QStringLiteral("saved as ");
    emit fileReceived(reason.startsWith(kSavedAs) ? reason.mid(kSavedAs.size()) : row.fileName, row.client);
  }
}

void TransfersModel::applySnapshot(std::uint64_t run, const StatsSnapshot& snapshot) {
  if (run < run_) return;  // a late word from an earlier run
  if (run > run_) {
    endRun(run_);
    run_ = run;
    runStart_ = rows_.size();
    maxSeenId_ = 0;
  }
  const auto& ts = snapshot.transfers;  // sorted by id
  int first = -1, last = -1;
  std::size_t j = 0;
  for (std::size_t i = runStart_; i < rows_.size(); ++i) {
    Row& row = rows_[i];
    while (j < ts.size() && ts[j].id < row.id) ++j;  // already removed here
    bool changed = false;
    if (j < ts.size() && ts[j].id == row.id) {
      changed = update(row, ts[j]);
      ++j;
    } else if (row.state == TransferState::kActive) {
      // Gone from the core's list without our seeing its end (more ended
      // between two snapshots than the core keeps): judge by the bytes.
      markEnded(row, row.bytesSent >= row.bytesTotal ? TransferState::kDone : TransferState::kFailed, QString());
      changed = true;
    }
    if (changed) {
      if (first < 0) first = static_cast<int>(i);
      last = static_cast<int>(i);
    }
  }
  if (first >= 0) emit dataChanged(index(first, 0), index(last, ColumnCount - 1));

  // New transfers have ids above every one seen: they append, in order.
  std::size_t k = j;
  while (k < ts.size() && ts[k].id <= maxSeenId_) ++k;
  if (k < ts.size()) {
    const int from = rowCount();
    beginInsertRows({}, from, from + static_cast<int>(ts.size() - k) - 1);
    for (; k < ts.size(); ++k) {
      const TransferInfo& t = ts[k];
      Row row;
      row.run = run;
      row.id = t.id;
      row.client = QString::fromStdString(t.client);
      row.fileName = QString::fromStdString(t.fileName());
      row.token = QString::fromStdString(t.shareToken());
      row.fileSize = t.fileSize;
      row.rangeFirst = t.rangeFirst;
      row.bytesTotal = t.bytesTotal;
      row.bytesSent = t.bytesSent;
      row.rate = t.rate;
      row.incoming = t.direction == TransferDirection::kUpload;
      row.state = TransferState::kActive;
      ++active_;
      maxSeenId_ = t.id;
      rows_.push_back(std::move(row));
      if (t.state != TransferState::kActive) markEnded(rows_.back(), t.state, QString::fromStdString(t.reason));
    }
    endInsertRows();
  }
}

void TransfersModel::endRun(std::uint64_t run) {
  if (run != run_) return;
  int first = -1, last = -1;
  for (std::size_t i = runStart_; i < rows_.size(); ++i) {
    if (rows_[i].state != TransferState::kActive) continue;
    markEnded(rows_[i], TransferState::kCancelled, tr("the server stopped"));
    if (first < 0) first = static_cast<int>(i);
    last = static_cast<int>(i);
  }
  if (first >= 0) emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

void TransfersModel::setRetention(std::chrono::milliseconds retention) { retention_ = retention; }

void TransfersModel::clearEnded() {
  const qint64 saved = retention_.count();
  retention_ = std::chrono::milliseconds(0);
  tick();
  retention_ = std::chrono::milliseconds(saved);
}

void TransfersModel::tick() {
  const qint64 now = clock_.elapsed();
  // Remove expired rows, a contiguous block at a time, from the bottom up.
  bool anyEnded = false;
  int i = rowCount() - 1;
  while (i >= 0) {
    const Row& r = rows_[static_cast<std::size_t>(i)];
    if (r.endedAt < 0 || now - r.endedAt < retention_.count()) {
      anyEnded = anyEnded || r.endedAt >= 0;
      --i;
      continue;
    }
    int end = i;
    while (i - 1 >= 0) {
      const Row& p = rows_[static_cast<std::size_t>(i - 1)];
      if (p.endedAt < 0 || now - p.endedAt < retention_.count()) break;
      --i;
    }
    beginRemoveRows({}, i, end);
    rows_.erase(rows_.begin() + i, rows_.begin() + end + 1);
    const std::size_t removed = static_cast<std::size_t>(end - i + 1);
    if (static_cast<std::size_t>(i) < runStart_) runStart_ -= std::min(runStart_ - static_cast<std::size_t>(i), removed);
    endRemoveRows();
    --i;
  }
  // Repaint the rows that are fading.
  int first = -1, last = -1;
  for (std::size_t r = 0; r < rows_.size(); ++r) {
    const Row& row = rows_[r];
    if (row.endedAt < 0 || retention_.count() - (now - row.endedAt) >= kFadeMs + 100) continue;
    if (first < 0) first = static_cast<int>(r);
    last = static_cast<int>(r);
  }
  if (first >= 0) emit dataChanged(index(first, 0), index(last, ColumnCount - 1), {OpacityRole});
  if (!anyEnded) expiry_.stop();
}

}  // namespace ferry::ui
