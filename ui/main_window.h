#pragma once

// MainWindow: Ferry's window. Owns the bridge to the server, the share and
// transfer models with their views, the QR panel, the bandwidth graph, the
// status bar and the tray icon, and puts them together: the actions and
// menus (WindowActions), serving and its status (ServingController), the
// shares list's commands (SharesController, FolderCommands). What is left here is the
// settings (saved and applied), the window's own geometry, drops on it and
// closing it.
//
// GUI thread only.

#include <memory>

#include <QList>
#include <QMainWindow>
#include <QStringList>
#include <QUrl>

#include "run_settings.h"
#include "settings_store.h"

class QAction;
class QComboBox;
class QSortFilterProxyModel;
class QSplitter;

namespace ferry::ui {

class BandwidthGraph;
class FolderCommands;
class MessageBar;
class QrPanel;
class ReceivePanel;
class ServerBridge;
class ServingController;
class ShareManager;
class SharesController;
class SharesModel;
class StatusPanel;
class TableView;
class TransfersModel;
class TrayIcon;
class WindowActions;

class MainWindow final : public QMainWindow {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(MainWindow)

 public:
  enum class Action { AddFiles, Remove, CopyLink, OpenFolder, StartStop, Settings, Quit, CancelTransfer, ClearFinished, ShowWindow,
                      AddFolder, CopyZipLink, ShowHidden };

  explicit MainWindow(SettingsStore store, LaunchOptions launch = {}, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts serving if the settings say so (called once the window shows).
  void startIfWanted();
  // False when it could not: the message bar says why (and offers a free
  // port when the one asked for is busy).
  bool startServing();
  void stopServing();
  bool isServing() const;

  // Shares local files and folders (what a drop or "Add files…" does);
  // returns how many were added. Paths that cannot be shared get a message.
  int shareFiles(const QList<QUrl>& urls);
  QStringList selectedLinks() const;
  void copySelectedLinks();
  void cancelSelectedTransfers();

  AppSettings settings() const { return run_.saved(); }
  void applySettings(const AppSettings& s);
  QString linkHost() const { return run_.linkHost(); }

  // The session ends without a question (SIGTERM, a logout): the window's
  // geometry is saved now, the shares and their counts as the window goes.
  void endSession();

  QAction* action(Action a) const;
  ServerBridge* bridge() const { return bridge_; }
  SharesModel* sharesModel() const;
  TransfersModel* transfersModel() const { return transfers_; }
  TableView* sharesView() const { return sharesView_; }
  TableView* transfersView() const { return transfersView_; }
  QSortFilterProxyModel* sharesProxy() const { return sharesProxy_; }
  QSortFilterProxyModel* transfersProxy() const { return transfersProxy_; }
  MessageBar* messageBar() const { return messageBar_; }
  BandwidthGraph* graph() const { return graph_; }
  QrPanel* qrPanel() const { return qrPanel_; }
  ReceivePanel* receivePanel() const { return receive_; }
  StatusPanel* statusPanel() const { return status_; }

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  void createToolBar();
  void createCentral();
  void createTray();
  void restoreWindow();
  void saveWindow();

  // After any write of the settings file: shows or clears the warning.
  void onSaved(bool ok);
  void openSettings();
  // `before`: the server's options before the change, to tell whether it
  // must restart.
  void applySettings(const AppSettings& s, const ServerOptions& before);
  void useFreePort(std::uint16_t port);
  void quit();
  void updateTransferActions();
  void fillLinkHostCombo();

  SettingsStore store_;
  RunSettings run_;

  ServerBridge* bridge_;
  ShareManager* shares_;
  TransfersModel* transfers_;
  QSortFilterProxyModel* sharesProxy_;
  QSortFilterProxyModel* transfersProxy_;
  WindowActions* actions_;
  ServingController* serving_ = nullptr;
  SharesController* sharesCommands_ = nullptr;
  FolderCommands* folderCommands_ = nullptr;

  MessageBar* messageBar_ = nullptr;
  TableView* sharesView_ = nullptr;
  TableView* transfersView_ = nullptr;
  QrPanel* qrPanel_ = nullptr;
  ReceivePanel* receive_ = nullptr;
  BandwidthGraph* graph_ = nullptr;
  StatusPanel* status_ = nullptr;
  QComboBox* linkHostCombo_ = nullptr;
  QSplitter* topSplitter_ = nullptr;
  QSplitter* mainSplitter_ = nullptr;
  TrayIcon* tray_ = nullptr;
  bool trayHintShown_ = false;
  bool settingsUnsaved_ = false;  // saved again with the next save that works
  bool quitting_ = false;
};

}  // namespace ferry::ui
