#pragma once

// StatusPanel: the permanent part of the status bar — where Ferry listens,
// the current rates both ways ("↓ 108 MB/s · ↑ 0 B/s"), the transfers in
// progress and the totals sent and received. Owns its
// labels (parented to the status bar); holds no state of the server.
//
// GUI thread only.

#include <cstdint>

#include <QObject>

class QLabel;
class QStatusBar;

namespace ferry::ui {

class StatusPanel final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(StatusPanel)

 public:
  explicit StatusPanel(QStatusBar* bar);
  ~StatusPanel() override;

  // address: "192.168.1.20:8080"; ignored when not running.
  void setServing(bool running, const QString& address);
  // receiveRate: bytes/s arriving; sendRate: bytes/s leaving.
  void setStats(double receiveRate, double sendRate, std::size_t active, std::uint64_t totalSent,
                std::uint64_t totalReceived);
  // A problem that stays until it is solved (empty: none), such as a
  // settings file that cannot be saved.
  void setProblem(const QString& message);

  QString serverText() const;
  QString rateText() const;
  QString activeText() const;
  QString sentText() const;
  QString problemText() const;  // the whole sentence; empty when none
  bool problemShown() const;
 private:
  QLabel* problem_;
  QLabel* server_;
  QLabel* rate_;
  QLabel* active_;
  QLabel* sent_;
};

}  // namespace ferry::ui
