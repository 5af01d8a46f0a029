#pragma once

// TransfersModel: the Transfers list, both ways. A row per delivery (↑ sent)
// — one client receiving one file (or zip), however many requests it takes
// (ranges, resumes, a download manager's segments) — with the client named
// for people, progress as the bytes of the file it really has, speed, ETA
// and the outcome ("Delivered", "Delivered (2 resumes)", "Stopped at 45%",
// "Cancelled"); and a row per transfer that belongs to no delivery: a file
// sent to this computer (↓ received), its sender named the same way; and a
// row per upload from this computer's page that stopped part-way and waits
// for its sender to resume (↓, "Waiting for sender to resume"), for as
// long as the core keeps it (Discard removes what arrived).
// Owns the rows, merged from the server's snapshots; keeps an ended row for
// a while with its outcome, fades it, then removes it (its own timer, since
// an idle server sends no snapshots).
//
// GUI thread only. Work per snapshot is one pass over the rows and the
// snapshot and one batched dataChanged, whatever the number of transfers.

#include <chrono>
#include <cstdint>
#include <vector>

#include <QAbstractTableModel>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QString>
#include <QStringList>
#include <QTimer>

#include "transfer_stats.h"
#include "unfinished_upload.h"

namespace ferry::ui {

class TransfersModel final : public QAbstractTableModel {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(TransfersModel)

 public:
  enum Column { Direction, Client, File, Progress, Transferred, Speed, Eta, State, ColumnCount };
  enum Role {
    RawRole = Qt::UserRole + 1,  // sortable value of the column
    ProgressRole,                // double 0..1
    StateRole,                   // int(ferry::TransferState); a delivery's outcome mapped onto it
    RunRole,                     // quint64
    IdRole,                      // quint64: the transfer's, or the delivery's id
    ShareTokenRole,              // QString
    OpacityRole,                 // double 0..1: fading out once finished
    OutcomeRole,                 // int(ferry::DeliveryOutcome); -1 for a row that is no delivery
    TransferIdsRole,             // QVariantList of quint64: the requests in flight (what Cancel ends)
    IncomingRole,                // bool: a file sent to this computer (↓), not one sent from it (↑)
    UnfinishedIdRole,            // QString: an unfinished upload's id (what discarding it names); "" otherwise
  };

  explicit TransfersModel(QObject* parent = nullptr);
  ~TransfersModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;

  void applySnapshot(std::uint64_t run, const StatsSnapshot& snapshot);
  // The run ended: rows still active (had the core not said) end now.
  void endRun(std::uint64_t run);
  // The unfinished uploads as the core lists them now: rows come, change and
  // go with the list (one resumed is a Receiving row again meanwhile).
  void setUnfinished(const std::vector<UnfinishedUpload>& list);
  int unfinishedCount() const;

  // How long an ended row stays (the last part of it fading out).
  void setRetention(std::chrono::milliseconds retention);
  std::chrono::milliseconds retention() const { return retention_; }
  // Removes ended rows now (e.g. "Clear finished").
  void clearEnded();

  // Rows with requests in flight: what stopping the server would cut off
  // (a delivery waiting for its client to resume has none, nor has an
  // unfinished upload).
  int activeCount() const;

  // "Delivered", "Delivered (2 resumes)", "Stopped at 45%", "Cancelled".
  static QString outcomeText(DeliveryOutcome outcome, std::uint32_t resumes, double progress);
  // "Safari on iPhone (192.168.1.20)"; the address alone when the client
  // says nothing a person would recognise.
  static QString clientText(const QString& name, const QString& address);

 signals:
  // A transfer that is no delivery stopped being active: state is
  // int(ferry::TransferState).
  void transferEnded(const QString& fileName, const QString& client, int state, const QString& reason);
  // A file sent to this computer is in the receive folder, under savedName.
  void fileReceived(const QString& savedName, const QString& client);
  // A file this computer sent on its own to a nearby device (LocalSend: a
  // transfer of no share and no delivery) ended: state is
  // int(ferry::TransferState), text how it ended in words.
  void sendEnded(const QString& fileName, const QString& client, int state, const QString& text);
  // A delivery ended: outcome is int(ferry::DeliveryOutcome), text what the
  // State column says.
  void deliveryEnded(const QString& shareToken, const QString& fileName, const QString& client, int outcome,
                     const QString& text);

 private:
  struct Row {
    std::uint64_t run = 0;
    std::uint64_t id = 0;
    bool delivery = false;
    QString client;     // for people
    QString endpoints;  // the raw address:port of each request, for the tooltip
    QString fileName;
    QString token;
    std::uint64_t bytesTotal = 0;
    std::uint64_t bytesSent = 0;  // a delivery's: bytes of the file covered
    std::uint64_t rangeFirst = 0;
    std::uint64_t fileSize = 0;
    double rate = 0;
    TransferState state = TransferState::kActive;
    DeliveryOutcome outcome = DeliveryOutcome::kInProgress;
    std::uint32_t requests = 0;
    std::uint32_t resumes = 0;
    std::vector<std::uint64_t> inFlight;  // a delivery's active transfer ids
    bool incoming = false;  // a file sent to this computer
    QString unfinishedId;   // an unfinished upload waiting for its sender: its id
    QDateTime removedAt;    // an unfinished upload's part file goes then
    QString reason;
    qint64 endedAt = -1;  // clock_ ms when the UI saw it end
    double progress() const {
      return bytesTotal ? double(std::min(bytesSent, bytesTotal)) / double(bytesTotal)
                        : (state == TransferState::kDone ? 1.0 : 0.0);
    }
    double eta() const;
  };
  static quint64 key(bool delivery, std::uint64_t id) { return (id << 1) | (delivery ? 1 : 0); }
  bool update(Row& row, const TransferInfo& t);  // true if anything shown changed
  bool update(Row& row, const DeliveryInfo& d, std::vector<std::uint64_t> inFlight, const QString& endpoints);
  void markEnded(Row& row, TransferState state, const QString& reason);
  void endDelivery(Row& row, DeliveryOutcome outcome, const QString& reason);
  QString stateText(const Row& r) const;
  void reindex();
  void tick();
  double opacity(const Row& row) const;

  std::vector<Row> rows_;
  QHash<quint64, int> runRows_;  // row of each key of run_
  std::uint64_t run_ = 0;        // the run whose rows are indexed
  std::uint64_t maxSeen_[2] = {0, 0};  // of run_, per kind: ids at or below were seen (maybe already removed)
  std::chrono::milliseconds retention_{10000};
  QElapsedTimer clock_;
  QTimer expiry_;
};

}  // namespace ferry::ui
