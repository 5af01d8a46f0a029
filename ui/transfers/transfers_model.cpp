#include "transfers/transfers_model.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <QApplication>
#include <QColor>
#include <QLocale>

#include "widgets/format.h"
#include "widgets/palette_colors.h"

namespace ferry::ui {
namespace {

constexpr qint64 kFadeMs = 1500;  // the last part of the retention fades
constexpr int kMaxEndpoints = 8;  // a download manager's segments: the tooltip names a few

QString plainStateText(TransferState s, bool incoming) {
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

TransferState stateOf(DeliveryOutcome o) {
  switch (o) {
    case DeliveryOutcome::kInProgress: return TransferState::kActive;
    case DeliveryOutcome::kDelivered: return TransferState::kDone;
    case DeliveryOutcome::kCancelled: return TransferState::kCancelled;
    case DeliveryOutcome::kStopped: return TransferState::kFailed;
  }
  return TransferState::kFailed;
}

QDateTime wallTime(std::chrono::system_clock::time_point t) {
  return QDateTime::fromMSecsSinceEpoch(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count(), Qt::UTC);
}

int percent(double progress) { return static_cast<int>(std::floor(std::clamp(progress, 0.0, 1.0) * 100.0)); }

}  // namespace

QString TransfersModel::outcomeText(DeliveryOutcome outcome, std::uint32_t resumes, double progress) {
  switch (outcome) {
    case DeliveryOutcome::kInProgress: return tr("Downloading");
    case DeliveryOutcome::kDelivered:
      if (resumes == 0) return tr("Delivered");
      return resumes == 1 ? tr("Delivered (1 resume)") : tr("Delivered (%1 resumes)").arg(resumes);
    case DeliveryOutcome::kStopped: return tr("Stopped at %1%").arg(percent(progress));
    case DeliveryOutcome::kCancelled: return tr("Cancelled");
  }
  return {};
}

QString TransfersModel::clientText(const QString& name, const QString& address) {
  return name.isEmpty() ? address : tr("%1 (%2)").arg(name, address);
}

double TransfersModel::Row::eta() const {
  if (state != TransferState::kActive) return 0;
  if (rate < 1) return std::numeric_limits<double>::infinity();
  return double(bytesTotal - std::min(bytesSent, bytesTotal)) / rate;
}

int TransfersModel::activeCount() const {
  int n = 0;
  for (const Row& r : rows_)
    n += r.state == TransferState::kActive && r.unfinishedId.isEmpty() && (!r.delivery || !r.inFlight.empty());
  return n;
}

int TransfersModel::unfinishedCount() const {
  return static_cast<int>(std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return !r.unfinishedId.isEmpty(); }));
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
      case Direction: return QString();
      case Client: return tr("Device");
      case File: return tr("File");
      case Progress: return tr("Progress");
      case Transferred: return tr("Transferred");
      case Speed: return tr("Speed");
      case Eta: return tr("Time left");
      case State: return tr("State");
    }
  } else if (role == Qt::ToolTipRole) {
    if (section == Direction) return tr("↓ received by this computer, ↑ sent from it");
    if (section == Transferred) return tr("Bytes of the file the client has, however many requests it took");
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

QString TransfersModel::stateText(const Row& r) const {
  if (!r.unfinishedId.isEmpty()) return tr("Waiting for sender to resume");
  if (!r.delivery) {
    // "Cancelled: the client closed the connection", but not
    // "Cancelled: cancelled by the user".
    if (r.state == TransferState::kActive || r.reason.isEmpty() ||
        r.reason.startsWith(plainStateText(r.state, r.incoming), Qt::CaseInsensitive))
      return plainStateText(r.state, r.incoming);
    return tr("%1: %2").arg(plainStateText(r.state, r.incoming), r.reason);
  }
  if (r.outcome == DeliveryOutcome::kInProgress) {
    // Between a cut and its resume the client has no request open.
    if (r.inFlight.empty()) return tr("Paused at %1%").arg(percent(r.progress()));
    return r.resumes == 0 ? tr("Downloading")
           : r.resumes == 1 ? tr("Downloading (1 resume)")
                            : tr("Downloading (%1 resumes)").arg(r.resumes);
  }
  const QString text = outcomeText(r.outcome, r.resumes, r.progress());
  if (r.outcome == DeliveryOutcome::kCancelled && !r.reason.isEmpty() &&
      !r.reason.startsWith(text, Qt::CaseInsensitive))
    return tr("%1: %2").arg(text, r.reason);
  return text;
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
    case OutcomeRole: return r.delivery ? static_cast<int>(r.outcome) : -1;
    case IncomingRole: return r.incoming;
    case UnfinishedIdRole: return r.unfinishedId;
    case TransferIdsRole: {
      QVariantList ids;
      if (r.delivery) {
        for (std::uint64_t id : r.inFlight) ids << QVariant::fromValue<qulonglong>(id);
      } else if (r.state == TransferState::kActive && r.unfinishedId.isEmpty()) {
        ids << QVariant::fromValue<qulonglong>(r.id);
      }
      return ids;
    }
    default: break;
  }
  const int col = index.column();
  if (role == Qt::DisplayRole) {
    switch (col) {
      case Direction: return r.incoming ? QStringLiteral("↓") : QStringLiteral("↑");
      case Client: return r.client;
      case File: return r.fileName;
      case Progress: return QStringLiteral("%1%").arg(percent(r.progress()));
      case Transferred: return formatProgress(r.bytesSent, r.bytesTotal);
      case Speed: return r.state == TransferState::kActive && r.rate > 0 ? formatRate(r.rate) : QString();
      case Eta: return r.state == TransferState::kActive && r.unfinishedId.isEmpty() ? formatDuration(r.eta()) : QString();
      case State: return stateText(r);
    }
  } else if (role == RawRole) {
    switch (col) {
      case Direction: return r.incoming ? 0 : 1;
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
    if (col == Direction) return Qt::AlignCenter;
  } else if (role == Qt::AccessibleTextRole && col == Direction) {
    return r.incoming ? tr("Received") : tr("Sent");
  } else if (role == Qt::ToolTipRole && !r.unfinishedId.isEmpty()) {
    return tr("%1 from %2: %3 of %4 arrived, then it stopped.\n"
              "Kept until %5 for the sender to resume: choosing the file again on the page continues it.\n"
              "Discard Upload deletes what arrived.")
        .arg(r.fileName, r.client, formatBytes(r.bytesSent), formatBytes(r.bytesTotal),
             QLocale().toString(r.removedAt.toLocalTime(), QLocale::ShortFormat));
  } else if (role == Qt::ToolTipRole) {
    QString tip = r.incoming ? tr("%1 from %2").arg(r.fileName, r.client) : tr("%1 to %2").arg(r.fileName, r.client);
    if (r.delivery) {
      tip += QLatin1Char('\n') + tr("From %1").arg(r.endpoints);
      tip += QLatin1Char('\n') + (r.requests == 1 ? tr("1 request") : tr("%1 requests").arg(r.requests));
      if (r.resumes > 0) tip += r.resumes == 1 ? tr(", 1 resume") : tr(", %1 resumes").arg(r.resumes);
    } else if (!r.endpoints.isEmpty()) {
      tip += QLatin1Char('\n') + tr("From %1").arg(r.endpoints);
    }
    if (!r.delivery && (r.rangeFirst > 0 || r.bytesTotal != r.fileSize)) {
      tip += QLatin1Char('\n') + tr("Bytes %1 to %2 of %3")
                                     .arg(r.rangeFirst)
                                     .arg(r.rangeFirst + r.bytesTotal)
                                     .arg(formatBytes(r.fileSize));
    }
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

bool TransfersModel::update(Row& row, const DeliveryInfo& d, std::vector<std::uint64_t> inFlight,
                            const QString& endpoints) {
  const DeliveryOutcome before = row.outcome;
  bool changed = row.bytesSent != d.covered || row.rate != d.rate || row.requests != d.requests ||
                 row.resumes != d.resumes || row.inFlight != inFlight || before != d.outcome;
  row.bytesSent = d.covered;
  row.bytesTotal = d.size;
  row.requests = d.requests;
  row.resumes = d.resumes;
  row.inFlight = std::move(inFlight);
  for (const QString& e : endpoints.split(QStringLiteral(", "), Qt::SkipEmptyParts)) {
    QStringList known = row.endpoints.split(QStringLiteral(", "), Qt::SkipEmptyParts);
    if (known.contains(e) || known.size() >= kMaxEndpoints) continue;
    known << e;
    row.endpoints = known.join(QStringLiteral(", "));
    changed = true;
  }
  if (before == DeliveryOutcome::kInProgress && d.outcome != DeliveryOutcome::kInProgress) {
    endDelivery(row, d.outcome, QString::fromStdString(d.reason));
    changed = true;
  } else {
    row.rate = d.rate;
  }
  return changed;
}

void TransfersModel::markEnded(Row& row, TransferState state, const QString& reason) {
  row.state = state;
  row.reason = reason;
  row.rate = 0;
  row.endedAt = clock_.elapsed();
  if (!expiry_.isActive()) expiry_.start();
  emit transferEnded(row.fileName, row.client, static_cast<int>(state), reason);
  // Sent to a device rather than fetched from a link: it has no share.
  if (!row.incoming && row.token.isEmpty())
    emit sendEnded(row.fileName, row.client, static_cast<int>(state),
                   state == TransferState::kDone ? tr("Delivered") : stateText(row));
  if (row.incoming && state == TransferState::kDone) {
    // The core says under which name it was saved ("saved as photo (1).jpg").
    static const QString kSavedAs = QStringLiteral("saved as ");
    emit fileReceived(reason.startsWith(kSavedAs) ? reason.mid(kSavedAs.size()) : row.fileName, row.client);
  }
}

void TransfersModel::endDelivery(Row& row, DeliveryOutcome outcome, const QString& reason) {
  row.outcome = outcome;
  row.state = stateOf(outcome);
  row.reason = reason;
  row.rate = 0;
  row.inFlight.clear();
  row.endedAt = clock_.elapsed();
  if (!expiry_.isActive()) expiry_.start();
  emit deliveryEnded(row.token, row.fileName, row.client, static_cast<int>(outcome), stateText(row));
}

void TransfersModel::applySnapshot(std::uint64_t run, const StatsSnapshot& snapshot) {
  if (run < run_) return;  // a late word from an earlier run
  if (run > run_) {
    endRun(run_);
    run_ = run;
    runRows_.clear();
    maxSeen_[0] = maxSeen_[1] = 0;
  }
  // Each delivery's requests: those in flight (what Cancel ends) and where
  // they come from.
  QHash<std::uint64_t, std::vector<std::uint64_t>> inFlight;
  QHash<std::uint64_t, QString> endpoints;
  for (const TransferInfo& t : snapshot.transfers) {
    if (!t.delivery) continue;
    if (t.state == TransferState::kActive) inFlight[t.delivery].push_back(t.id);
    QString& e = endpoints[t.delivery];
    const QString client = QString::fromStdString(t.client);
    if (!e.contains(client)) e += (e.isEmpty() ? QString() : QStringLiteral(", ")) + client;
  }

  std::vector<char> seen(rows_.size(), 0);
  int first = -1, last = -1;
  auto touched = [&](int i) {
    first = first < 0 ? i : std::min(first, i);
    last = std::max(last, i);
  };
  std::vector<Row> fresh;
  for (const DeliveryInfo& d : snapshot.deliveries) {
    if (auto it = runRows_.constFind(key(true, d.id)); it != runRows_.cend()) {
      seen[static_cast<std::size_t>(*it)] = 1;
      if (update(rows_[static_cast<std::size_t>(*it)], d, inFlight.value(d.id), endpoints.value(d.id))) touched(*it);
      continue;
    }
    if (d.id <= maxSeen_[1]) continue;  // seen and removed here (Clear Finished)
    Row row;
    row.run = run;
    row.id = d.id;
    row.delivery = true;
    row.client = clientText(QString::fromStdString(d.clientName), QString::fromStdString(d.address));
    row.fileName = QString::fromStdString(!d.item.empty() ? d.item : d.share ? d.share->name : std::string());
    row.token = d.share ? QString::fromStdString(d.share->token) : QString();
    row.fileSize = d.size;
    row.bytesTotal = d.size;
    row.bytesSent = d.covered;
    row.requests = d.requests;
    row.resumes = d.resumes;
    row.rate = d.rate;
    row.inFlight = inFlight.value(d.id);
    row.endpoints = endpoints.value(d.id);
    row.outcome = d.outcome;  // ended before the UI saw it: said once inserted
    row.reason = QString::fromStdString(d.reason);
    fresh.push_back(std::move(row));
  }
  for (const TransferInfo& t : snapshot.transfers) {
    if (t.delivery) continue;
    if (auto it = runRows_.constFind(key(false, t.id)); it != runRows_.cend()) {
      seen[static_cast<std::size_t>(*it)] = 1;
      if (update(rows_[static_cast<std::size_t>(*it)], t)) touched(*it);
      continue;
    }
    if (t.id <= maxSeen_[0]) continue;
    Row row;
    row.run = run;
    row.id = t.id;
    // Named as a delivery's client is: "Safari on iPhone (192.168.1.31)".
    row.client = clientText(QString::fromStdString(t.clientName),
                            QString::fromStdString(std::string(addressWithoutPort(t.client))));
    row.endpoints = QString::fromStdString(t.client);
    row.fileName = QString::fromStdString(t.fileName());
    row.token = QString::fromStdString(t.shareToken());
    row.fileSize = t.fileSize;
    row.rangeFirst = t.rangeFirst;
    row.bytesTotal = t.bytesTotal;
    row.bytesSent = t.bytesSent;
    row.rate = t.rate;
    row.incoming = t.direction == TransferDirection::kUpload;
    row.state = t.state;  // ended before the UI saw it: said once inserted
    row.reason = QString::fromStdString(t.reason);
    fresh.push_back(std::move(row));
  }
  // Gone from the core's lists without our seeing their end (more ended
  // between two snapshots than the core keeps): judged by the bytes.
  for (auto it = runRows_.cbegin(); it != runRows_.cend(); ++it) {
    const auto i = static_cast<std::size_t>(it.value());
    Row& row = rows_[i];
    if (seen[i] || row.state != TransferState::kActive) continue;
    const bool whole = row.bytesSent >= row.bytesTotal;
    if (row.delivery) endDelivery(row, whole ? DeliveryOutcome::kDelivered : DeliveryOutcome::kStopped, QString());
    else markEnded(row, whole ? TransferState::kDone : TransferState::kFailed, QString());
    touched(it.value());
  }
  if (first >= 0) emit dataChanged(index(first, 0), index(last, ColumnCount - 1));

  if (fresh.empty()) return;
  const int from = rowCount();
  beginInsertRows({}, from, from + static_cast<int>(fresh.size()) - 1);
  for (Row& row : fresh) {
    auto& seenId = maxSeen_[row.delivery ? 1 : 0];
    seenId = std::max(seenId, row.id);
    const DeliveryOutcome outcome = row.outcome;
    const TransferState state = row.state;
    row.outcome = DeliveryOutcome::kInProgress;
    row.state = TransferState::kActive;
    runRows_.insert(key(row.delivery, row.id), static_cast<int>(rows_.size()));
    rows_.push_back(std::move(row));
    Row& r = rows_.back();
    if (r.delivery && outcome != DeliveryOutcome::kInProgress) endDelivery(r, outcome, r.reason);
    else if (!r.delivery && state != TransferState::kActive) markEnded(r, state, r.reason);
  }
  endInsertRows();
}

void TransfersModel::endRun(std::uint64_t run) {
  if (run != run_) return;
  int first = -1, last = -1;
  for (auto it = runRows_.cbegin(); it != runRows_.cend(); ++it) {
    Row& row = rows_[static_cast<std::size_t>(it.value())];
    if (row.state != TransferState::kActive) continue;
    if (row.delivery) endDelivery(row, DeliveryOutcome::kStopped, tr("the server stopped"));
    else markEnded(row, TransferState::kCancelled, tr("the server stopped"));
    first = first < 0 ? it.value() : std::min(first, it.value());
    last = std::max(last, it.value());
  }
  if (first >= 0) emit dataChanged(index(first, 0), index(last, ColumnCount - 1));
}

void TransfersModel::setUnfinished(const std::vector<UnfinishedUpload>& list) {
  QHash<QString, const UnfinishedUpload*> listed;
  for (const UnfinishedUpload& u : list) listed.insert(QString::fromStdString(u.id), &u);
  // Rows no longer listed go (resumed, saved, discarded, expired); the
  // others take what the core says now. Few rows: one by one is fine.
  bool removed = false;
  for (int i = rowCount() - 1; i >= 0; --i) {
    Row& r = rows_[static_cast<std::size_t>(i)];
    if (r.unfinishedId.isEmpty()) continue;
    if (auto it = listed.find(r.unfinishedId); it != listed.end()) {
      const UnfinishedUpload& u = **it;
      if (r.bytesSent != u.received || r.bytesTotal != u.size) {
        r.bytesSent = u.received;
        r.bytesTotal = r.fileSize = u.size;
        r.removedAt = wallTime(u.removedAt);
        emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
      }
      listed.erase(it);
      continue;
    }
    beginRemoveRows({}, i, i);
    rows_.erase(rows_.begin() + i);
    endRemoveRows();
    removed = true;
  }
  if (removed) reindex();
  std::vector<Row> fresh;
  for (const UnfinishedUpload& u : list) {
    const QString id = QString::fromStdString(u.id);
    if (!listed.contains(id)) continue;  // already a row
    Row row;
    row.unfinishedId = id;
    row.incoming = true;
    row.client = clientText(QString::fromStdString(u.clientName), QString::fromStdString(u.address));
    row.endpoints = QString::fromStdString(u.address);
    row.fileName = QString::fromStdString(u.name);
    row.fileSize = row.bytesTotal = u.size;
    row.bytesSent = u.received;
    row.removedAt = wallTime(u.removedAt);
    fresh.push_back(std::move(row));
  }
  if (fresh.empty()) return;
  const int from = rowCount();
  beginInsertRows({}, from, from + static_cast<int>(fresh.size()) - 1);
  for (Row& row : fresh) rows_.push_back(std::move(row));
  endInsertRows();
}

void TransfersModel::setRetention(std::chrono::milliseconds retention) { retention_ = retention; }

void TransfersModel::clearEnded() {
  const qint64 saved = retention_.count();
  retention_ = std::chrono::milliseconds(0);
  tick();
  retention_ = std::chrono::milliseconds(saved);
}

void TransfersModel::reindex() {
  runRows_.clear();
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].run == run_ && rows_[i].unfinishedId.isEmpty()) runRows_.insert(key(rows_[i].delivery, rows_[i].id), static_cast<int>(i));
}

void TransfersModel::tick() {
  const qint64 now = clock_.elapsed();
  // Remove expired rows, a contiguous block at a time, from the bottom up.
  bool anyEnded = false;
  bool removed = false;
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
    endRemoveRows();
    removed = true;
    --i;
  }
  if (removed) reindex();
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
