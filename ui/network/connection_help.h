#pragma once

// ConnectionHelp: the "Can't connect?" panel. Checks what blocks another
// device (how Ferry listens, the link's address, VPNs, the firewall, the
// Windows network profile), says each in words with the exact command
// where one fixes it, explains what cannot be checked (guest Wi-Fi), and
// shows when another device last connected, so the user sees the fix
// worked. Owns its widgets; asks `gather` for the facts each time it
// refreshes, and reads the tracker it is given.
//
// GUI thread only.

#include <functional>

#include <QDialog>
#include <QList>
#include <QTimer>

#include "network/reachability.h"

class QLabel;
class QVBoxLayout;

namespace ferry::ui {

class VisitorTracker;

class ConnectionHelp final : public QDialog {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ConnectionHelp)

 public:
  ConnectionHelp(std::function<ReachabilityFacts()> gather, const VisitorTracker* visitors, QWidget* parent = nullptr);
  ~ConnectionHelp() override;

  // Checks again (the Check Again button).
  void refresh();

  const QList<Finding>& findings() const { return findings_; }
  QString visitorText() const;

 private:
  void updateVisitor();

  std::function<ReachabilityFacts()> gather_;
  const VisitorTracker* visitors_;
  QList<Finding> findings_;
  QLabel* visitor_;
  QWidget* list_ = nullptr;
  QVBoxLayout* listLayout_;
  QTimer tick_;
};

}  // namespace ferry::ui
