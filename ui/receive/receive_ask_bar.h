#pragma once

// ReceiveAskBar: the window's prompts for devices that want to send files
// while Receive asks about new devices — one row each ("iPhone
// (192.168.1.31) wants to send photo.jpg (2.1 MB) and 2 more files") with
// Accept, Always Accept This Device and Decline. Not modal: the window
// stays usable, and a prompt the core ended (unanswered in time, Receive
// turned off) just goes. Owns its rows; the answers go out as a signal.
//
// GUI thread only.

#include <cstdint>
#include <vector>

#include <QFrame>
#include <QString>

#include "receive_asks.h"

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace ferry::ui {

class ReceiveAskBar final : public QFrame {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ReceiveAskBar)

 public:
  explicit ReceiveAskBar(QWidget* parent = nullptr);
  ~ReceiveAskBar() override;

  // Who wants to send what, in words.
  static QString sentence(const ReceiveAsk& ask);

  // A device asks: its row appears (the bar shows).
  void open(const ReceiveAsk& ask);
  // The ask ended: its row goes (the bar hides with the last one).
  void close(std::uint64_t id);
  int count() const { return static_cast<int>(rows_.size()); }
  // The row's text and buttons, for tests and accessibility; null if none.
  QLabel* text(std::uint64_t id) const;
  QPushButton* button(std::uint64_t id, ReceiveAnswer answer) const;

 signals:
  void answered(quint64 id, ferry::ReceiveAnswer answer);

 private:
  struct Row {
    std::uint64_t id;
    QFrame* frame;
    QLabel* text;
    QPushButton* accept;
    QPushButton* always;
    QPushButton* decline;
  };
  const Row* find(std::uint64_t id) const;

  QVBoxLayout* layout_;
  std::vector<Row> rows_;
};

}  // namespace ferry::ui
