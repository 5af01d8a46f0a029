#pragma once

// ReceiveController: Receive as the window runs it — the switch, folder and
// link restored at startup and saved when they change; what the settings
// say Receive accepts (asking about new devices, a size cap) handed to the
// core; the prompts when a device asks (the window alerts, the tray says
// so when the window is not in front) and the devices accepted for good;
// and the word when a file has arrived, naming it, with Open Folder (a
// tray message while the window is not in front and a tray exists, else
// the window's message bar). Uses, but does not own, the parts it is given.
//
// GUI thread only.

#include <QObject>
#include <QString>

#include "receive_asks.h"

class QAction;
class QWidget;

namespace ferry::ui {

struct AppSettings;
class MessageBar;
class ReceiveAskBar;
class ReceivePanel;
class ServerBridge;
class SettingsStore;
class TransfersModel;
class TrayIcon;

class ReceiveController final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ReceiveController)

 public:
  struct Parts {
    QWidget* window;
    ServerBridge* bridge;
    SettingsStore* store;
    ReceivePanel* panel;
    ReceiveAskBar* asks;
    MessageBar* messages;
    TransfersModel* transfers;
    TrayIcon* tray;  // null without a system tray
  };

  // Restores Receive as it was saved.
  ReceiveController(const Parts& parts, const AppSettings& settings, QObject* parent = nullptr);
  ~ReceiveController() override;

  void applySettings(const AppSettings& settings);
  void setTray(TrayIcon* tray) { p_.tray = tray; }
  // Shows the receive folder (the message's Open Folder).
  QAction* openFolder() const { return openFolder_; }

 signals:
  // After each write of the settings file.
  void saved(bool ok);

 private:
  void save();
  void onAsk(const ReceiveAsk& ask, ReceiveAskState state);
  void onReceived(const QString& name, const QString& client);
  bool inFront() const;

  Parts p_;
  QAction* openFolder_;
};

}  // namespace ferry::ui
