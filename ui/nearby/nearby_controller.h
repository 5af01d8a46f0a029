#pragma once

// NearbyController: nearby devices as the window runs them. Keeps the Nearby
// list up to date from the bridge (devices arrive and leave on their own;
// the list is fed only from ServerBridge's signals), sends files and text to
// the device the user chose — "Send Files…", "Send Text…", files dropped on
// a device, "Send to ▸" on the shares' context menu, Ctrl+V — and shows the
// text a device's page sends (a row with Copy and Open Link, a notice, a
// line in the history), takes back files sent to a page (Take Back in the
// message that says they went, and on their rows in the history), and asks
// for the PIN a LocalSend device wants before it takes a send. Nothing is
// sent to a device the user did not choose.
// Uses, but does not own, the parts it is given.
//
// GUI thread only.

#include <cstdint>
#include <functional>

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include "nearby_devices.h"

class QAction;
class QMenu;
class QWidget;

namespace ferry::ui {

class DeliveryHistory;
class MessageBar;
class NearbyModel;
class NearbyPanel;
class ReceivedTexts;
class ServerBridge;
class TrayIcon;

class NearbyController final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(NearbyController)

 public:
  struct Parts {
    QWidget* window;
    ServerBridge* bridge;
    NearbyModel* devices;
    ReceivedTexts* texts;
    NearbyPanel* panel;
    MessageBar* messages;
    DeliveryHistory* history;
    TrayIcon* tray;  // null without a system tray
    // The paths of the shares selected in the shares list ("Send to ▸").
    std::function<QStringList()> selectedSharePaths;
    // What pasting files does when no device is chosen: share them.
    std::function<void(const QList<QUrl>&)> share;
  };

  explicit NearbyController(const Parts& parts, QObject* parent = nullptr);
  ~NearbyController() override;

  void setTray(TrayIcon* tray) { p_.tray = tray; }

  // Sends to one device; false (and the message bar says why) when it could not.
  bool sendFiles(std::uint64_t device, const QStringList& paths);
  bool sendText(std::uint64_t device, const QString& text);
  // Ends the private links of files sent to a page (shares' tokens, as
  // DeliveryHistory::LinkRole holds them): their cards on the page say they
  // were taken back, and their rows in the history too.
  void takeBack(const QStringList& links);
  QAction* takeBackAction() const { return takeBack_; }
  // Ctrl+V: the clipboard's files (or picture) to the selected device, or
  // shared like a drop when none is selected; its text to the chosen device.
  void paste();
  // The device the panel's buttons and a pasted text go to: the one
  // selected, or the only one here. 0 when none is.
  std::uint64_t chosenDevice() const;

  QAction* pasteAction() const { return paste_; }
  // "Send to ▸": one entry per device here, sending the selected shares.
  QMenu* sendToMenu() const { return sendTo_; }
  QAction* sendToAction() const;

 private:
  void onDevice(const NearbyDevice& device, bool here);
  void onText(const NearbyDevice& from, const QString& text);
  // A LocalSend device wants a PIN for a send: asked in a PinDialog.
  void onPinAsked(std::uint64_t session, std::uint64_t device, const QString& name, bool wrong);
  void askFiles();
  void askText();
  void copyText();
  void openLink();
  void fillSendTo();
  // A picture on the clipboard, saved as a PNG to share: its path, or "".
  QString savePastedImage(const class QImage& image);
  QString nameOf(std::uint64_t device) const;
  // "Safari on iPhone (192.168.1.31)", as Transfers and the history name devices.
  QString labelOf(std::uint64_t device) const;
  // The start of a text, on one line, as the history keeps it.
  static QString startOf(const QString& text);

  Parts p_;
  QAction* paste_;
  QMenu* sendTo_;
  // Take Back in the message after a send: the links of that send.
  QAction* takeBack_;
  QStringList lastSent_;
};

}  // namespace ferry::ui
