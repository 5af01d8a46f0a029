#pragma once

// SharesModel: the table of shared files and folders — name, size (and a
// folder's file count), completed downloads ("1 of 3" under a download
// limit), when the link expires, and the link (a padlock when it asks for a
// password; greyed, with the reason, once a rule has ended it). Owns the rows (token,
// path, what is known of the file or folder); knows nothing of the server:
// the window feeds it counters from snapshots and folder summaries from the
// scanner, and tells it the link prefix.
//
// GUI thread only.

#include <cstdint>
#include <vector>

#include <QAbstractTableModel>
#include <QDateTime>
#include <QFileIconProvider>
#include <QHash>
#include <QString>
#include <QStringList>

#include "folder_scanner.h"
#include "transfer_stats.h"

namespace ferry::ui {

// Between core's time points and Qt's.
QDateTime toQDateTime(ShareRules::Clock::time_point t);
ShareRules::Clock::time_point fromQDateTime(const QDateTime& t);
// "Delivered to 3 devices".
QString deliveredToDevices(std::uint32_t devices);

class SharesModel final : public QAbstractTableModel {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(SharesModel)

 public:
  enum Column { Name, Size, Downloads, Expires, Link, ColumnCount };
  enum Role {
    RawRole = Qt::UserRole + 1,  // sortable value of the column (qint64 / QString)
    TokenRole,
    PathRole,
    LinkRole,
    MissingRole,  // bool: the file is not where it was shared from
    ProblemRole,  // QString: why the server does not serve it; empty when it does
    FolderRole,   // bool: the share is a folder
    ZipLinkRole,  // QString: a folder's whole contents as one .zip; empty for a file
    EndedRole,    // QString: why a rule ended the link ("This link expired at 18:00"); empty while it works
    PasswordRole, // bool: the link asks for a password
  };

  struct Entry {
    QString token;
    QString path;  // absolute
    QString name;
    qint64 size = -1;
    bool missing = false;
    bool registered = true;  // known to the server (false while missing at startup)
    QString problem;         // why the server refused it (a sentence); empty when registered
    bool folder = false;
    bool showHidden = false;  // a folder's dot-files and the like are listed and zipped
    FolderSummary summary;    // a folder's contents as counted so far
    std::uint64_t downloadsBefore = 0;  // persisted, plus earlier server runs
    std::uint64_t downloadsThisRun = 0;
    std::uint64_t downloads() const { return downloadsBefore + downloadsThisRun; }
    ShareRules rules;
    std::uint32_t deliveriesBefore = 0;  // persisted, plus earlier server runs
    std::uint32_t deliveriesThisRun = 0;
    std::uint32_t devicesThisRun = 0;  // distinct addresses delivered to this run
    std::uint32_t deliveries() const { return deliveriesBefore + deliveriesThisRun; }
    QStringList recipients;  // a limited folder's, as saved (the server keeps them while it serves)
  };

  // Why a rule has ended a share's link at `now` ("This link expired at
  // 18:00", "This link was used 3 times"); empty while it works.
  static QString endedReason(const Entry& e, const QDateTime& now);

  explicit SharesModel(QObject* parent = nullptr);
  ~SharesModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;

  // Appends a share (its size and presence read from disk); returns its row.
  // A token already present keeps its row.
  int add(Entry entry);
  // The same for many, in one insertion; returns their rows, in order.
  std::vector<int> add(std::vector<Entry> entries);
  bool remove(const QString& token);
  // Removes every row of these tokens: one removal per run of adjacent
  // rows, so thousands cost what one does. Returns how many went.
  int remove(const QStringList& tokens);
  int rowOf(const QString& token) const;  // -1 if absent
  int rowOfPath(const QString& path) const;
  const Entry& entry(int row) const { return rows_[static_cast<std::size_t>(row)]; }
  const std::vector<Entry>& entries() const { return rows_; }
  // Whether the server serves the row's file; `problem` says why not.
  void setRegistered(int row, bool registered, const QString& problem = {});
  // A folder's contents as the scanner last counted them.
  void setFolderSummary(int row, const FolderSummary& summary);
  void setShowHidden(int row, bool show);
  void setRules(int row, const ShareRules& rules);
  // The share has a new token (a rotated link); this run's counts, kept
  // under the old token by the server, become history.
  void setToken(int row, const QString& token);
  // Time passes: the Expires column, and links that have just expired.
  void refreshExpiry();

  // "http://host:port/"; "" while no link can be given.
  void setLinkPrefix(const QString& prefix);
  QString linkPrefix() const { return prefix_; }
  QString linkAt(int row) const;  // a folder's ends in '/': its listing
  QString zipLinkAt(int row) const;  // a folder's link + "?zip"; empty for a file

  // Counters of the current server run (from a snapshot): one batched
  // dataChanged for the rows that moved.
  void applyCounters(const std::vector<ShareCounters>& counters);
  // The run ended: its counts become history.
  void endRun();

  // Looks at every file and folder again: presence, and a file's size.
  // Returns rows that are back on disk but not registered with the server.
  std::vector<int> refreshFiles();

 private:
  QVariant folderSize(const Entry& e, int role) const;
  void reindex();
  void emitRowsChanged(int first, int last, int firstColumn = 0, int lastColumn = ColumnCount - 1);

  std::vector<Entry> rows_;
  QHash<QString, int> byToken_;
  QHash<QString, int> byPath_;
  QString prefix_;
  QFileIconProvider icons_;
  mutable QHash<QString, QIcon> iconCache_;  // by suffix
};

}  // namespace ferry::ui
