#pragma once

// MainWindow: Ferry's window. Owns the bridge to the server, the share and
// transfer models with their views, the QR panel, the bandwidth graph, the
// status bar, the network watcher and the "Can't connect?" panel, and puts
// them together: the actions and menus (WindowActions), serving and its
// status (ServingController), the shares list's commands (SharesController,
// FolderCommands), the link address (LinkAddressController), the tray and
// closing to the background (BackgroundController), Receive's prompts,
// notices and saved state (ReceiveController), nearby devices
// (NearbyController); what goes where is WindowLayout's. What is left here
// is the settings (saved and applied), drops on the window, later launches
// and closing it.
//
// GUI thread only.

#include <memory>

#include <QList>
#include <QSet>
#include <QMainWindow>
#include <QStringList>
#include <QUrl>

#include "settings/run_settings.h"
#include "settings/settings_store.h"

class QAction;
class QComboBox;
class QSortFilterProxyModel;
class QSplitter;

namespace ferry::ui {

class AddressesDialog;
class BackgroundController;
class BandwidthGraph;
class CaPageDialog;
class DeliveryHistory;
class HistoryDialog;
class ConnectionHelp;
class FolderCommands;
class LinkAddressController;
class MdnsAdvertiser;
class MessageBar;
class NearbyController;
class NearbyModel;
class NearbyPanel;
class NetworkWatcher;
class QrPanel;
class ReceiveAskBar;
class ReceiveController;
class ReceivePanel;
class ReceivedTexts;
class ServerBridge;
class ServingController;
class ShareManager;
class SharesController;
class SharesModel;
class StatusPanel;
class SystemChecks;
class TableView;
class TransfersModel;
class TrayIcon;
class VisitorTracker;
class WindowActions;
class WindowLayout;

class MainWindow final : public QMainWindow {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(MainWindow)

 public:
  enum class Action { AddFiles, Remove, CopyLink, OpenFolder, StartStop, Settings, Quit, CancelTransfer, ClearFinished, ShowWindow,
                      AddFolder, CopyZipLink, ShowHidden, Properties, History, DiscardUpload };

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
  // What a later `ferry PATH...` (or macOS's Open With) asks of this
  // window: share the paths and serve them, and come to the front, from
  // the tray or the background too.
  void takeLaunch(const QStringList& paths);
  QStringList selectedLinks() const;
  void copySelectedLinks();
  void cancelSelectedTransfers();
  // The selected unfinished uploads: forgotten, their part files removed.
  void discardSelectedUploads();
  // The selected share's link at every address, each with its QR code
  // (null when nothing is selected). Deletes itself when closed.
  AddressesDialog* showOtherAddresses();
  // The "Can't connect?" panel, opened (or raised) and checked anew.
  ConnectionHelp* showConnectionHelp();
  // The QR code of Ferry's CA install page (serving with --https); null
  // when not serving with it.
  CaPageDialog* showCaPage();
  // The delivery history, opened (or raised).
  HistoryDialog* showHistory();
  DeliveryHistory* history() const { return history_; }
  // Where that panel's firewall and network-profile checks come from.
  void setSystemChecks(std::unique_ptr<SystemChecks> checks);

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
  ReceiveAskBar* receiveAsks() const { return receiveAsks_; }
  NearbyPanel* nearbyPanel() const { return nearby_; }
  NearbyModel* nearbyModel() const { return nearbyModel_; }
  ReceivedTexts* receivedTexts() const { return receivedTexts_; }
  NearbyController* nearby() const { return nearbying_; }
  StatusPanel* statusPanel() const { return status_; }
  NetworkWatcher* networkWatcher() const { return network_; }
  BackgroundController* background() const { return background_; }
  VisitorTracker* visitors() const { return visitors_.get(); }
  QComboBox* linkHostCombo() const { return linkHostCombo_; }

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  void advertiseOverMdns();

  // After any write of the settings file: shows or clears the warning.
  void onSaved(bool ok);
  void openSettings();
  // `before`: the server's options before the change, to tell whether it
  // must restart.
  void applySettings(const AppSettings& s, const ServerOptions& before);
  void useFreePort(std::uint16_t port);
  // What LocalSend's start (or stop) left, in the message bar or the
  // status bar; `wasOn`: whether it was on before.
  void reportLocalSend(const LocalSendStatus& status, bool wasOn);
  void quit();
  void updateTransferActions();
  // The paths of the shares in the list.
  QSet<QString> sharedPaths() const;

  SettingsStore store_;
  RunSettings run_;

  ServerBridge* bridge_;
  ShareManager* shares_;
  TransfersModel* transfers_;
  QSortFilterProxyModel* sharesProxy_;
  QSortFilterProxyModel* transfersProxy_;
  WindowActions* actions_;
  WindowLayout* layout_ = nullptr;  // what goes where; names the widgets below
  ServingController* serving_ = nullptr;
  SharesController* sharesCommands_ = nullptr;
  FolderCommands* folderCommands_ = nullptr;

  MessageBar* messageBar_ = nullptr;
  TableView* sharesView_ = nullptr;
  TableView* transfersView_ = nullptr;
  QrPanel* qrPanel_ = nullptr;
  ReceivePanel* receive_ = nullptr;
  ReceiveAskBar* receiveAsks_ = nullptr;
  ReceiveController* receiving_ = nullptr;
  NearbyModel* nearbyModel_ = nullptr;
  ReceivedTexts* receivedTexts_ = nullptr;
  NearbyPanel* nearby_ = nullptr;
  NearbyController* nearbying_ = nullptr;
  BandwidthGraph* graph_ = nullptr;
  StatusPanel* status_ = nullptr;
  QComboBox* linkHostCombo_ = nullptr;
  BackgroundController* background_ = nullptr;
  TrayIcon* tray_ = nullptr;  // background_'s, once a tray exists
  NetworkWatcher* network_ = nullptr;
  MdnsAdvertiser* mdns_ = nullptr;  // null when built without mDNS
  LinkAddressController* linkAddresses_ = nullptr;
  std::unique_ptr<VisitorTracker> visitors_;
  std::unique_ptr<SystemChecks> checks_;
  ConnectionHelp* help_ = nullptr;
  DeliveryHistory* history_ = nullptr;
  HistoryDialog* historyDialog_ = nullptr;
  bool settingsUnsaved_ = false;  // saved again with the next save that works
  bool quitting_ = false;
};

}  // namespace ferry::ui
