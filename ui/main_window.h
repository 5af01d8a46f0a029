#pragma once

// MainWindow: Ferry's window. Owns the bridge to the server, the share and
// transfer models with their views, the QR panel, the bandwidth graph, the
// status bar and the tray icon, and decides what the views' intents mean
// (files dropped → shared; Ctrl+C → links copied; Cancel → transfer ended).
//
// GUI thread only.

#include <cstdint>
#include <memory>

#include <QList>
#include <QMainWindow>
#include <QStringList>
#include <QUrl>

#include "server.h"
#include "settings_store.h"

class QAction;
class QComboBox;
class QLabel;
class QSortFilterProxyModel;
class QSplitter;

namespace ferry::ui {

class BandwidthGraph;
class MessageBar;
class QrPanel;
class ServerBridge;
class ShareManager;
class SharesModel;
class StatusPanel;
class TableView;
class TransfersModel;
class TrayIcon;

// What the command line says for this run; it wins over saved settings
// without being saved.
struct LaunchOptions {
  ServerOptions server;  // poller, extra hosts, proxies, limits...
  bool portGiven = false;
  bool bindGiven = false;
  bool rateGiven = false;
  bool maxConnectionsGiven = false;
  QStringList paths;  // shared at startup
};

class MainWindow final : public QMainWindow {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(MainWindow)

 public:
  enum class Action { AddFiles, Remove, CopyLink, OpenFolder, StartStop, Settings, Quit, CancelTransfer, ClearFinished, ShowWindow };

  explicit MainWindow(SettingsStore store, LaunchOptions launch = {}, QWidget* parent = nullptr);
  ~MainWindow() override;

  // Starts serving if the settings say so (called once the window shows).
  void startIfWanted();
  // False when it could not: the message bar says why (and offers a free
  // port when the one asked for is busy).
  bool startServing();
  void stopServing();
  bool isServing() const;

  // Shares local files (what a drop or "Add files…" does); returns how many
  // were added. Folders and unreadable paths get a message.
  int shareFiles(const QList<QUrl>& urls);
  QStringList selectedLinks() const;
  void copySelectedLinks();
  void cancelSelectedTransfers();

  AppSettings settings() const { return settings_; }
  void applySettings(const AppSettings& s);
  QString linkHost() const;

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
  StatusPanel* statusPanel() const { return status_; }

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dropEvent(QDropEvent* event) override;
  void closeEvent(QCloseEvent* event) override;

 private:
  void createActions();
  void createMenus();
  void createToolBar();
  void createCentral();
  void createTray();
  void restoreWindow();
  void saveWindow();

  void onSnapshot(quint64 run, std::shared_ptr<const StatsSnapshot> snapshot);
  void onRunningChanged(bool running);
  void refreshServerStatus();
  void onTransferEnded(const QString& file, const QString& client, int state, const QString& reason);
  // After any write of the settings file: shows or clears the warning.
  void onSaved(bool ok);
  void addFilesDialog();
  void removeSelected();
  void openContainingFolder();
  void openSettings();
  void quit();
  void updateSelectionActions();
  void updateLinkPrefix();
  void updateQrPanel();
  void fillLinkHostCombo();
  void selectShareRows(const QList<int>& sourceRows);
  QList<int> selectedShareRows() const;  // source rows, in view order
  ServerOptions serverOptions() const;
  std::uint16_t effectivePort() const;

  SettingsStore store_;
  LaunchOptions launch_;
  AppSettings settings_;

  ServerBridge* bridge_;
  ShareManager* shares_;
  TransfersModel* transfers_;
  QSortFilterProxyModel* sharesProxy_;
  QSortFilterProxyModel* transfersProxy_;

  MessageBar* messageBar_ = nullptr;
  TableView* sharesView_ = nullptr;
  TableView* transfersView_ = nullptr;
  QrPanel* qrPanel_ = nullptr;
  BandwidthGraph* graph_ = nullptr;
  StatusPanel* status_ = nullptr;
  QComboBox* linkHostCombo_ = nullptr;
  QSplitter* topSplitter_ = nullptr;
  QSplitter* mainSplitter_ = nullptr;
  TrayIcon* tray_ = nullptr;
  bool trayHintShown_ = false;
  bool settingsUnsaved_ = false;  // saved again with the next save that works
  bool quitting_ = false;
  bool startFailureShown_ = false;  // the message bar tells why serving did not start

  std::uint64_t sentBeforeRun_ = 0;  // bytes sent by earlier runs of this session
  std::uint64_t sentThisRun_ = 0;

  QAction* addFiles_ = nullptr;
  QAction* remove_ = nullptr;
  QAction* copyLink_ = nullptr;
  QAction* openFolder_ = nullptr;
  QAction* startStop_ = nullptr;
  QAction* settingsAction_ = nullptr;
  QAction* quit_ = nullptr;
  QAction* cancelTransfer_ = nullptr;
  QAction* clearFinished_ = nullptr;
  QAction* showWindow_ = nullptr;
  QAction* about_ = nullptr;
  QAction* showQr_ = nullptr;
  QAction* showGraph_ = nullptr;
};

}  // namespace ferry::ui
