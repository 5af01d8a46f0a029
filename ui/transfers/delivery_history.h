#pragma once

// DeliveryHistory: the last kMax transfers that ended, both ways — a
// delivery's outcome (when, to whom, which file, how it ended) and each file
// received (when, from whom, the name it was saved under) — as a table (newest first) and as a JSON file in
// QStandardPaths::AppDataLocation that outlives the window. Owns the
// records and the file. Saving is batched and off the GUI thread: the
// records are turned into bytes here (a few tens of kB at most), written by
// a one-thread pool through QSaveFile, so a slow disk never stalls the
// window and a crash never leaves half a file. A file that cannot be read
// is kept aside and the history starts empty; loadProblem() says so.
//
// GUI thread only (the pool's thread touches only the bytes it is given).

#include <cstdint>
#include <vector>

#include <QAbstractTableModel>
#include <QDateTime>
#include <QString>
#include <QThreadPool>
#include <QTimer>

namespace ferry::ui {

class DeliveryHistory final : public QAbstractTableModel {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(DeliveryHistory)

 public:
  static constexpr int kMax = 500;
  static inline const QString kReceived = QStringLiteral("received");
  static inline const QString kSent = QStringLiteral("sent");  // pushed to a nearby device
  enum Column { Time, Client, File, Outcome, ColumnCount };
  // LinkRole: the private link (a share's token) of a file sent to a
  // nearby device's page while it can still be taken back, else "".
  enum Role { RawRole = Qt::UserRole + 1, LinkRole };

  struct Record {
    QDateTime time;
    QString client;   // "Safari on iPhone (192.168.1.20)"
    QString file;     // "build.apk", or a file inside a shared folder
    // "delivered", "stopped", "cancelled": ferry::toString(DeliveryOutcome);
    // kReceived for a file sent to this computer, kSent for files and text
    // sent to a nearby device's page.
    QString outcome;
    QString text;     // as the Transfers list said it: "Delivered (1 resume)", "Received"
    // A file sent to a page: its link's token, while it can be taken back.
    // Not saved: such a link ends with the run.
    QString link;
  };

  // AppDataLocation/history.json.
  static QString defaultPath();

  // Reads `path` (a missing file is an empty history).
  explicit DeliveryHistory(QString path = defaultPath(), QObject* parent = nullptr);
  ~DeliveryHistory() override;  // writes what is pending and waits for it

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  QString path() const { return path_; }
  // Why the file could not be read, as sentences for people; "" when it could.
  QString loadProblem() const { return loadProblem_; }
  const std::vector<Record>& records() const { return records_; }  // oldest first

  // Adds one outcome; the oldest goes beyond kMax. Saved soon.
  void add(Record record);
  // The file sent as `link` was taken back: its row says so (`text`) and
  // offers no taking back any more.
  void takenBack(const QString& link, const QString& text);
  // Empties the history, and the file soon.
  void clear();
  // Writes now (on the pool) and waits until the file is written.
  void flush();

 private:
  void load();
  void scheduleSave();
  void save();

  QString path_;
  QString loadProblem_;
  std::vector<Record> records_;
  QTimer saveTimer_;
  QThreadPool writer_;  // one thread: writes land in order
};

}  // namespace ferry::ui
