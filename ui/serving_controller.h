#pragma once

// ServingController: whether Ferry serves, and everything the window shows
// of it — Start/Stop (with a free port offered when the one asked for is
// busy), the serving line and totals in the status bar, the tray's status
// and notifications, the upload graph, the link prefix of the shares, and
// each run's end (counts become history). Owns the session's byte totals;
// uses, but does not own, the bridge, the models and the widgets it is given.
//
// GUI thread only.

#include <cstdint>
#include <memory>

#include <QObject>

#include "server.h"

class QStatusBar;
class QWidget;

namespace ferry::ui {

class BandwidthGraph;
class MessageBar;
class RunSettings;
class ServerBridge;
class ShareManager;
class StatusPanel;
class TransfersModel;
class TrayIcon;
class WindowActions;

class ServingController final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ServingController)

 public:
  struct Parts {
    QWidget* window;  // where questions are asked
    ServerBridge* bridge;
    ShareManager* shares;
    TransfersModel* transfers;
    const RunSettings* settings;
    WindowActions* actions;
    MessageBar* messages;
    QStatusBar* statusBar;
    StatusPanel* status;
    BandwidthGraph* graph;
    TrayIcon* tray;  // null without a system tray
  };

  explicit ServingController(const Parts& parts, QObject* parent = nullptr);
  ~ServingController() override;

  // False when it could not: the message bar says why (and offers a free
  // port when the one asked for is busy).
  bool start();
  void stop();
  // The Start/Stop action: stopping asks first while downloads run.
  void toggle();
  bool isServing() const;
  // Serving, or asked to and could not (a busy port, say): new settings
  // are then worth another try.
  bool wantsToServe() const { return wanted_; }

  // The status bar, the tray and the links, after anything they show changed.
  void refresh();
  // A tray that appeared after start-up.
  void setTray(TrayIcon* tray);

 signals:
  // The user took the free port offered for a busy one.
  void usePortRequested(std::uint16_t port);

 private:
  void onRunningChanged(bool running);
  void onSnapshot(quint64 run, std::shared_ptr<const StatsSnapshot> snapshot);
  void onTransferEnded(const QString& file, const QString& client, int state, const QString& reason);
  void onDeliveryEnded(const QString& token, const QString& file, const QString& client, int outcome,
                       const QString& text);
  void updateLinkPrefix();
  void offerFreePort(const ServerOptions& options);

  Parts p_;
  std::uint64_t sentBeforeRun_ = 0;  // bytes sent by earlier runs of this session
  std::uint64_t sentThisRun_ = 0;
  std::uint64_t receivedBeforeRun_ = 0;  // bytes received likewise
  std::uint64_t receivedThisRun_ = 0;
  bool wanted_ = false;
  bool startFailureShown_ = false;  // the message bar tells why serving did not start
};

}  // namespace ferry::ui
