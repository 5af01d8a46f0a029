#pragma once

// TransfersModel: a row per download — client, file, progress, bytes, speed,
// ETA, state. Owns the rows, merged from the server's snapshots; keeps a
// finished, cancelled or failed row for a while with its outcome, fades it,
// then removes it (its own timer, since an idle server sends no snapshots).
//
// GUI thread only. Work per snapshot is one pass over the rows and one
// batched dataChanged, whatever the number of transfers.

#include <chrono>
#include <cstdint>
#include <vector>

#include <QAbstractTableModel>
#include <QElapsedTimer>
#include <QString>
#include <QTimer>

#include "transfer_stats.h"

namespace ferry::ui {

class TransfersModel final : public QAbstractTableModel {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(TransfersModel)

 public:
  enum Column { Client, File, Progress, Transferred, Speed, Eta, State, ColumnCount };
  enum Role {
    RawRole = Qt::UserRole + 1,  // sortable value of the column
    ProgressRole,                // double 0..1
    StateRole,                   // int(ferry::TransferState)
    RunRole,                     // quint64
    IdRole,                      // quint64
    ShareTokenRole,              // QString
    OpacityRole,                 // double 0..1: fading out once finished
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

  // How long an ended row stays (the last part of it fading out).
  void setRetention(std::chrono::milliseconds retention);
  std::chrono::milliseconds retention() const { return retention_; }
  // Removes ended rows now (e.g. "Clear finished").
  void clearEnded();

  int activeCount() const { return active_; }

 signals:
  // A transfer stopped being active: state is int(ferry::TransferState).
  void transferEnded(const QString& fileName, const QString& client, int state, const QString& reason);
  // A file sent to this computer is in the receive folder, under savedName.
  void fileReceived(const QString& savedName, const QString& client);

 private:
  struct Row {
    std::uint64_t run = 0;
    std::uint64_t id = 0;
    QString client;
    QString fileName;
    QString token;
    std::uint64_t bytesTotal = 0;
    std::uint64_t bytesSent = 0;
    std::uint64_t rangeFirst = 0;
    std::uint64_t fileSize = 0;
    double rate = 0;
    TransferState state = TransferState::kActive;
    bool incoming = false;  // a file sent to this computer
    QString reason;
    qint64 endedAt = -1;  // clock_ ms when the UI saw it end
    double progress() const { return bytesTotal ? double(bytesSent) / double(bytesTotal) : (state == TransferState::kDone ? 1.0 : 0.0); }
    double eta() const;
  };
  bool update(Row& row, const TransferInfo& t);  // true if anything shown changed
  void markEnded(Row& row, TransferState state, const QString& reason);
  void tick();
  double opacity(const Row& row) const;

  std::vector<Row> rows_;          // by (run, id)
  std::uint64_t run_ = 0;          // the run whose rows form the tail
  std::size_t runStart_ = 0;       // index of the first row of run_
  std::uint64_t maxSeenId_ = 0;    // of run_: ids at or below were seen (maybe already removed)
  int active_ = 0;
  std::chrono::milliseconds retention_{10000};
  QElapsedTimer clock_;
  QTimer expiry_;
};

}  // namespace ferry::ui
