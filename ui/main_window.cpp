#include "main_window.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QStatusBar>
#include <QSystemTrayIcon>

#include "network/addresses_dialog.h"
#include "network/ca_page_dialog.h"
#include "desktop/app_icon.h"
#include "desktop/background_controller.h"
#include "network/connection_help.h"
#include "transfers/delivery_history.h"
#include "transfers/history_dialog.h"
#include "shares/folder_commands.h"
#include "network/link_address_controller.h"
#include "network/link_hosts.h"
#include "network/mdns_advertiser.h"
#include "widgets/format.h"
#include "widgets/message_bar.h"
#include "network/network_watcher.h"
#include "widgets/qr_panel.h"
#include "receive/receive_ask_bar.h"
#include "receive/receive_controller.h"
#include "receive/receive_panel.h"
#include "server_bridge.h"
#include "serving_controller.h"
#include "settings/settings_dialog.h"
#include "shares/share_manager.h"
#include "shares/shares_controller.h"
#include "shares/shares_model.h"
#include "status_panel.h"
#include "network/system_checks.h"
#include "widgets/table_view.h"
#include "transfers/transfers_model.h"
#include "desktop/tray_icon.h"
#include "network/visitor_tracker.h"
#include "nearby/nearby_controller.h"
#include "nearby/nearby_model.h"
#include "nearby/nearby_panel.h"
#include "nearby/pasted_pictures.h"
#include "nearby/received_texts.h"
#include "net_address.h"
#include "window_actions.h"
#include "window_layout.h"

namespace ferry::ui {
MainWindow::MainWindow(SettingsStore store, LaunchOptions launch, QWidget* parent)
    : QMainWindow(parent),
      store_(std::move(store)),
      run_(store_.loadSettings(), std::move(launch)),
      visitors_(std::make_unique<VisitorTracker>()),
      checks_(std::make_unique<SystemChecks>()) {
  setWindowTitle(QStringLiteral("Ferry"));
  setWindowIcon(appIcon());
  setAcceptDrops(true);  // anywhere on the window

  bridge_ = new ServerBridge(this);
  bridge_->setPlainLinks(run_.saved().plainLinks);
  shares_ = new ShareManager(bridge_, &store_, this);
  transfers_ = new TransfersModel(this);
  sharesProxy_ = new QSortFilterProxyModel(this);
  sharesProxy_->setSourceModel(shares_->model());
  sharesProxy_->setSortRole(SharesModel::RawRole);
  transfersProxy_ = new QSortFilterProxyModel(this);
  transfersProxy_->setSourceModel(transfers_);
  transfersProxy_->setSortRole(TransfersModel::RawRole);
  nearbyModel_ = new NearbyModel(this);
  receivedTexts_ = new ReceivedTexts(this);

  actions_ = new WindowActions(this);
  actions_->fillMenuBar(menuBar());
  layout_ = new WindowLayout({this, actions_, bridge_, sharesProxy_, transfersProxy_, transfers_, nearbyModel_,
                              receivedTexts_, run_.linkHost()});
  linkHostCombo_ = layout_->linkHostCombo;
  messageBar_ = layout_->messageBar;
  receiveAsks_ = layout_->receiveAsks;
  sharesView_ = layout_->sharesView;
  qrPanel_ = layout_->qrPanel;
  receive_ = layout_->receivePanel;
  nearby_ = layout_->nearby;
  transfersView_ = layout_->transfersView;
  graph_ = layout_->graph;
  status_ = new StatusPanel(statusBar());
  background_ = new BackgroundController(this, actions_, shares_->model(), &store_, this);
  tray_ = background_->tray();
  network_ = new NetworkWatcher(this);
  linkAddresses_ = new LinkAddressController({&run_, network_, linkHostCombo_, messageBar_, statusBar()}, this);

  serving_ = new ServingController({this, bridge_, shares_, transfers_, &run_, actions_, messageBar_, statusBar(), status_,
                                    graph_, tray_},
                                   this);
  sharesCommands_ = new SharesController({shares_, bridge_, sharesView_, sharesProxy_, transfersView_, qrPanel_,
                                          actions_, messageBar_, statusBar()},
                                         this);
  folderCommands_ =
      new FolderCommands({shares_, bridge_, sharesCommands_, sharesView_, actions_, statusBar()}, this);
  connect(serving_, &ServingController::usePortRequested, this, &MainWindow::useFreePort);
  receiving_ = new ReceiveController(
      {this, bridge_, &store_, receive_, receiveAsks_, messageBar_, transfers_, tray_}, run_.saved(), this);
  connect(receiving_, &ReceiveController::saved, this, &MainWindow::onSaved);
  connect(background_, &BackgroundController::trayCreated, this, [this](TrayIcon* tray) {
    tray_ = tray;
    serving_->setTray(tray);
    receiving_->setTray(tray);
    nearbying_->setTray(tray);
  });
  connect(linkAddresses_, &LinkAddressController::hostChosen, this, [this](const QString& host) {
    AppSettings s = run_.saved();
    s.linkHost = host;
    applySettings(s);
  });
  connect(linkAddresses_, &LinkAddressController::linksChanged, serving_, &ServingController::refresh);
  advertiseOverMdns();
  connect(qrPanel_, &QrPanel::otherAddressesRequested, this, &MainWindow::showOtherAddresses);
  connect(qrPanel_, &QrPanel::troubleshootRequested, this, &MainWindow::showConnectionHelp);
  connect(qrPanel_, &QrPanel::caPageRequested, this, &MainWindow::showCaPage);
  connect(actions_->cantConnect, &QAction::triggered, this, &MainWindow::showConnectionHelp);
  connect(bridge_, &ServerBridge::snapshotArrived, this,
          [this](quint64, const std::shared_ptr<const StatsSnapshot>& snapshot) {
            QSet<QString> own;
            for (const LinkAddress& l : network_->addresses()) own.insert(l.host);
            visitors_->apply(*snapshot, own);
          });
  connect(actions_->settings, &QAction::triggered, this, &MainWindow::openSettings);
  connect(actions_->quit, &QAction::triggered, this, &MainWindow::quit);
  connect(actions_->cancelTransfer, &QAction::triggered, this, &MainWindow::cancelSelectedTransfers);
  connect(actions_->clearFinished, &QAction::triggered, transfers_, &TransfersModel::clearEnded);
  connect(actions_->discardUpload, &QAction::triggered, this, &MainWindow::discardSelectedUploads);
  connect(bridge_, &ServerBridge::unfinishedUploadsChanged, transfers_,
          [this] { transfers_->setUnfinished(bridge_->unfinishedUploads()); });
  connect(transfersView_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &MainWindow::updateTransferActions);
  connect(transfers_, &QAbstractItemModel::dataChanged, this, &MainWindow::updateTransferActions);
  connect(shares_, &ShareManager::saveFinished, this, &MainWindow::onSaved);
  history_ = new DeliveryHistory(DeliveryHistory::defaultPath(), this);
  connect(transfers_, &TransfersModel::deliveryEnded, history_,
          [this](const QString&, const QString& file, const QString& client, int outcome, const QString& text) {
            history_->add({QDateTime::currentDateTimeUtc(), client, file,
                           QString::fromLatin1(toString(static_cast<DeliveryOutcome>(outcome))), text});
          });
  connect(transfers_, &TransfersModel::fileReceived, history_, [this](const QString& saved, const QString& client) {
    history_->add({QDateTime::currentDateTimeUtc(), client, saved, DeliveryHistory::kReceived, tr("Received")});
  });
  connect(transfers_, &TransfersModel::sendEnded, history_,
          [this](const QString& file, const QString& client, int state, const QString& text) {
            const auto outcome = state == int(TransferState::kDone)        ? DeliveryOutcome::kDelivered
                                 : state == int(TransferState::kCancelled) ? DeliveryOutcome::kCancelled
                                                                            : DeliveryOutcome::kStopped;
            history_->add({QDateTime::currentDateTimeUtc(), client, file, QString::fromLatin1(toString(outcome)), text});
          });
  connect(actions_->history, &QAction::triggered, this, &MainWindow::showHistory);
  nearbying_ = new NearbyController(
      {this, bridge_, nearbyModel_, receivedTexts_, nearby_, messageBar_, history_, tray_,
       [this] {
         QStringList paths;
         for (int row : sharesCommands_->selectedRows())
           paths << shares_->model()->index(row, 0).data(SharesModel::PathRole).toString();
         return paths;
       },
       [this](const QList<QUrl>& urls) { shareFiles(urls); }},
      this);
  sharesView_->insertAction(actions_->properties, nearbying_->sendToAction());
  // LocalSend as serving started it (from Settings or --localsend): on, or why not.
  connect(bridge_, &ServerBridge::runningChanged, this, [this](bool running) {
    if (running && run_.serverOptions().localsend) reportLocalSend(bridge_->localSend(), false);
    qrPanel_->setCaPageOffered(running && bridge_->localCa().on);
  });

  bridge_->setRateLimit(run_.rateLimit());
  shares_->setNewLinkExpiry(std::chrono::seconds(run_.saved().newLinkExpirySeconds));
  bridge_->setCacheDirectory(run_.launch().cacheDirectory);  // before the shared folders are counted
  shares_->restore();
  PastedPictures::sweep(sharedPaths());  // pictures pasted in an earlier run that nothing shares now
  if (!run_.launch().paths.isEmpty()) {
    QList<QUrl> urls;
    for (const QString& p : run_.launch().paths) urls << QUrl::fromLocalFile(QFileInfo(p).absoluteFilePath());
    shareFiles(urls);
  } else if (shares_->model()->rowCount() > 0) {
    sharesCommands_->selectRows({shares_->model()->rowCount() - 1});
  }
  updateTransferActions();
  serving_->refresh();
  layout_->restore(store_);
  // A damaged settings file, values not understood: said once, at startup.
  QStringList problems;
  for (const QString& p : {store_.loadProblems(), history_->loadProblem()})
    if (!p.isEmpty()) problems << p;
  if (!problems.isEmpty()) messageBar_->showMessage(MessageBar::Level::Warning, problems.join(QLatin1Char('\n')));
}

MainWindow::~MainWindow() {
  disconnect(shares_, nullptr, this, nullptr);  // no status updates while going away
  // Stopped first: the run's last snapshot (its final counts) arrives
  // before the shares are saved.
  bridge_->stop();
  shares_->save();
  // Links to pasted pictures sent to devices end with the run; those shared
  // in the list stay until they are removed from it.
  PastedPictures::sweep(sharedPaths());
}

QSet<QString> MainWindow::sharedPaths() const {
  QSet<QString> paths;
  const SharesModel* m = shares_->model();
  for (int row = 0; row < m->rowCount(); ++row) paths.insert(m->index(row, 0).data(SharesModel::PathRole).toString());
  return paths;
}

// ---- construction ---------------------------------------------------------

// ---- what the rest of the app and the tests drive ---------------------------

void MainWindow::startIfWanted() {
  if (run_.saved().startOnLaunch || !run_.launch().paths.isEmpty()) startServing();
}

bool MainWindow::startServing() { return serving_->start(); }
void MainWindow::stopServing() { serving_->stop(); }
bool MainWindow::isServing() const { return serving_->isServing(); }

int MainWindow::shareFiles(const QList<QUrl>& urls) { return sharesCommands_->shareFiles(urls); }

void MainWindow::takeLaunch(const QStringList& paths) {
  if (!paths.isEmpty()) {
    QList<QUrl> urls;
    for (const QString& p : paths) urls << QUrl::fromLocalFile(p);
    shareFiles(urls);  // one already shared is selected: serving it is still what was asked
    if (!isServing() && shares_->model()->rowCount() > 0) startServing();
  }
  if (isMinimized()) showNormal();
  else show();
  raise();
  activateWindow();
}

QStringList MainWindow::selectedLinks() const { return sharesCommands_->selectedLinks(); }
void MainWindow::copySelectedLinks() { sharesCommands_->copySelectedLinks(); }

void MainWindow::advertiseOverMdns() {
  mdns_ = MdnsAdvertiser::create(this);
  if (!mdns_) return;  // built without mDNS
  // The name the responder answers for is offered in links and answered
  // as a Host; the service follows the server's port.
  connect(mdns_, &MdnsAdvertiser::hostNameChanged, this, [this](const QString& name) {
    bridge_->setMdnsName(name);
    network_->setMdnsName(name);
  });
  connect(bridge_, &ServerBridge::runningChanged, mdns_, [this](bool running) {
    if (running)
      mdns_->publish(bridge_->port());
    else
      mdns_->withdraw();
  });
  if (bridge_->isRunning()) mdns_->publish(bridge_->port());
}

AddressesDialog* MainWindow::showOtherAddresses() {
  if (qrPanel_->link().isEmpty()) return nullptr;
  auto* d = new AddressesDialog(qrPanel_->name(), QUrl(qrPanel_->link()), network_->addresses(), this);
  d->setAttribute(Qt::WA_DeleteOnClose);
  connect(d, &AddressesDialog::troubleshootRequested, this, &MainWindow::showConnectionHelp);
  d->show();
  return d;
}

CaPageDialog* MainWindow::showCaPage() {
  const LocalCaStatus ca = bridge_->localCa();
  if (!isServing() || !ca.on) return nullptr;
  const QString page = QStringLiteral("http://%1%2").arg(
      QString::fromStdString(hostForUrl(run_.linkHost().toStdString(), bridge_->port())),
      QString::fromStdString(ca.pagePath));
  auto* d = new CaPageDialog(page, QString::fromStdString(ca.name), QString::fromStdString(ca.fingerprint), this);
  d->setAttribute(Qt::WA_DeleteOnClose);
  d->show();
  return d;
}

ConnectionHelp* MainWindow::showConnectionHelp() {
  if (!help_) {
    help_ = new ConnectionHelp(
        [this] {
          ReachabilityFacts f;
          f.serving = isServing();
          f.bind = run_.bind();
          f.port = isServing() ? bridge_->port() : run_.port();
          f.linkHost = run_.linkHost();
          f.addresses = network_->addresses();
          f.firewall = checks_->firewall(f.port);
          f.windows = checks_->windowsNetwork();
          return f;
        },
        visitors_.get(), this);
  } else {
    help_->refresh();
  }
  help_->show();
  help_->raise();
  help_->activateWindow();
  return help_;
}

HistoryDialog* MainWindow::showHistory() {
  if (!historyDialog_) {
    historyDialog_ = new HistoryDialog(history_, this);
    connect(historyDialog_, &HistoryDialog::takeBackRequested, nearbying_,
            [this](const QString& link) { nearbying_->takeBack({link}); });
  }
  historyDialog_->show();
  historyDialog_->raise();
  historyDialog_->activateWindow();
  return historyDialog_;
}

void MainWindow::setSystemChecks(std::unique_ptr<SystemChecks> checks) { checks_ = std::move(checks); }

void MainWindow::cancelSelectedTransfers() {
  int n = 0;
  for (const QModelIndex& i : transfersView_->selectionModel()->selectedRows()) {
    // A delivery's row ends every request it has in flight.
    const QVariantList ids = i.data(TransfersModel::TransferIdsRole).toList();
    for (const QVariant& id : ids) bridge_->cancelTransfer(i.data(TransfersModel::RunRole).toULongLong(), id.toULongLong());
    n += !ids.isEmpty();
  }
  if (n) statusBar()->showMessage(n == 1 ? tr("Cancelling 1 transfer") : tr("Cancelling %1 transfers").arg(n), 4000);
}

void MainWindow::discardSelectedUploads() {
  int n = 0;
  for (const QModelIndex& i : transfersView_->selectionModel()->selectedRows()) {
    const QString id = i.data(TransfersModel::UnfinishedIdRole).toString();
    if (id.isEmpty()) continue;
    bridge_->discardUnfinishedUpload(id);
    ++n;
  }
  if (n) statusBar()->showMessage(formatCount(n, tr("Discarded 1 unfinished upload: what arrived is deleted"),
                                          tr("Discarded %1 unfinished uploads: what arrived is deleted")), 4000);
}

void MainWindow::updateTransferActions() {
  bool active = false;
  bool unfinished = false;
  for (const QModelIndex& i : transfersView_->selectionModel()->selectedRows()) {
    active = active || !i.data(TransfersModel::TransferIdsRole).toList().isEmpty();
    unfinished = unfinished || !i.data(TransfersModel::UnfinishedIdRole).toString().isEmpty();
  }
  actions_->cancelTransfer->setEnabled(active);
  actions_->discardUpload->setEnabled(unfinished);
}

// ---- settings, drops, closing ----------------------------------------------

void MainWindow::onSaved(bool ok) {
  if (ok && settingsUnsaved_) {
    settingsUnsaved_ = !store_.saveSettings(run_.saved());
    ok = !settingsUnsaved_;
    if (!ok) shares_->markUnsaved();  // so that this is tried again
  }
  const QString problem = ok ? QString() : store_.lastError();
  if (problem.isEmpty() && !status_->problemText().isEmpty()) statusBar()->showMessage(tr("Saved"), 3000);
  status_->setProblem(problem);
}

void MainWindow::openSettings() {
  SettingsDialog dialog(run_.saved(), tray_ != nullptr, this);
  dialog.showCommandLine(run_);
  if (const LocalCaStatus ca = bridge_->localCa(); ca.on)
    dialog.showLocalCa(QStringLiteral("http://%1%2").arg(QString::fromStdString(hostForUrl(run_.linkHost().toStdString(), bridge_->port())),
                                                        QString::fromStdString(ca.pagePath)),
                       QString::fromStdString(ca.fingerprint));
  if (dialog.exec() != QDialog::Accepted) return;
  // What the user sets here replaces this run's command-line values.
  const ServerOptions before = run_.serverOptions();
  run_.takeFromUser(dialog.settings());
  applySettings(run_.saved(), before);
}

void MainWindow::useFreePort(std::uint16_t port) {
  const ServerOptions before = run_.serverOptions();
  run_.usePort(port);
  applySettings(run_.saved(), before);
  if (!isServing()) startServing();
}

void MainWindow::applySettings(const AppSettings& s) { applySettings(s, run_.serverOptions()); }

void MainWindow::applySettings(const AppSettings& s, const ServerOptions& before) {
  run_.setSaved(s);
  settingsUnsaved_ = !store_.saveSettings(s);
  if (settingsUnsaved_) shares_->save();  // reports it, and keeps retrying
  const ServerOptions after = run_.serverOptions();
  bridge_->setRateLimit(after.rateLimit);
  bridge_->setPlainLinks(s.plainLinks);
  shares_->setNewLinkExpiry(std::chrono::seconds(s.newLinkExpirySeconds));
  receiving_->applySettings(s);
  linkAddresses_->refill();
  serving_->refresh();
  receive_->setLinkHost(run_.linkHost());
  const bool restart = before.port != after.port || before.bind != after.bind ||
                       before.limits.maxConnections != after.limits.maxConnections ||
                       before.allowedHosts != after.allowedHosts ||
                       before.publicCacheSeconds != after.publicCacheSeconds || before.tlsCert != after.tlsCert ||
                       before.tlsKey != after.tlsKey || before.localCa != after.localCa ||
                       before.plainHttpToo != after.plainHttpToo;
  if (restart && !isServing() && serving_->wantsToServe()) {
    // It could not start as it was set (a busy port): try what was chosen.
    startServing();
  } else if (restart && isServing()) {
    const int active = transfers_->activeCount();
    if (active > 0 &&
        QMessageBox::question(this, tr("Restart the Server?"),
                              formatCount(active,
                                          tr("The new settings need a restart of the server, which ends 1 "
                                             "download in progress. Restart now?"),
                                          tr("The new settings need a restart of the server, which ends %1 "
                                             "downloads in progress. Restart now?"))) != QMessageBox::Yes) {
      statusBar()->showMessage(tr("The new settings apply the next time Ferry starts serving"), 6000);
      return;
    }
    bridge_->stop();
    startServing();
  } else if (isServing()) {
    // LocalSend and the name go on, off or change without a restart: the
    // shares' downloads carry on.
    if (before.sharerName != after.sharerName) bridge_->setSharerName(QString::fromStdString(after.sharerName));
    if (before.localsend != after.localsend || (after.localsend && before.sharerName != after.sharerName))
      reportLocalSend(bridge_->setLocalSend(after), before.localsend);
  }
  serving_->refresh();
}

void MainWindow::reportLocalSend(const LocalSendStatus& status, bool wasOn) {
  if (!status.error.empty()) {
    messageBar_->showMessage(MessageBar::Level::Warning, QString::fromStdString(status.error));
  } else if (status.on && !wasOn) {
    statusBar()->showMessage(tr("LocalSend is on: the LocalSend apps nearby see this computer as %1")
                                 .arg(QString::fromStdString(status.alias)),
                             6000);
  } else if (!status.on && wasOn) {
    statusBar()->showMessage(tr("LocalSend is off: this computer no longer announces itself"), 6000);
  }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (TableView::localFileUrls(event->mimeData()).isEmpty()) return event->ignore();
  event->acceptProposedAction();
}

void MainWindow::dragMoveEvent(QDragMoveEvent* event) {
  if (TableView::localFileUrls(event->mimeData()).isEmpty()) return event->ignore();
  event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = TableView::localFileUrls(event->mimeData());
  if (urls.isEmpty()) return event->ignore();
  event->acceptProposedAction();
  shareFiles(urls);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  layout_->save(store_);
  shares_->save();
  if (!quitting_) {
    const bool sharing = isServing() && shares_->model()->rowCount() > 0;
    switch (background_->onClose(sharing, run_.saved().keepInTray)) {
      case BackgroundController::Close::Hide:
        hide();
        event->ignore();
        return;
      case BackgroundController::Close::Stay: event->ignore(); return;
      case BackgroundController::Close::Quit: break;
    }
  }
  const int active = transfers_->activeCount();
  if (active > 0 && isServing() &&
      QMessageBox::question(this, tr("Quit Ferry?"),
                            formatCount(active, tr("1 download still in progress will be cut off. Quit anyway?"),
                                        tr("%1 downloads still in progress will be cut off. Quit anyway?"))) !=
          QMessageBox::Yes) {
    quitting_ = false;
    event->ignore();
    return;
  }
  event->accept();
  quitting_ = true;
  // Ferry outlives its last window (in the tray, or in the background);
  // quitting is explicit.
  if (!QApplication::quitOnLastWindowClosed()) QApplication::quit();
}

void MainWindow::endSession() {
  layout_->save(store_);
  quitting_ = true;
  QApplication::exit(0);
}

void MainWindow::quit() {
  quitting_ = true;
  if (!close()) quitting_ = false;
}

QAction* MainWindow::action(Action a) const {
  switch (a) {
    case Action::AddFiles: return actions_->addFiles;
    case Action::Remove: return actions_->remove;
    case Action::CopyLink: return actions_->copyLink;
    case Action::OpenFolder: return actions_->openFolder;
    case Action::StartStop: return actions_->startStop;
    case Action::Settings: return actions_->settings;
    case Action::Quit: return actions_->quit;
    case Action::CancelTransfer: return actions_->cancelTransfer;
    case Action::ClearFinished: return actions_->clearFinished;
    case Action::ShowWindow: return actions_->showWindow;
    case Action::AddFolder: return actions_->addFolder;
    case Action::CopyZipLink: return actions_->copyZipLink;
    case Action::ShowHidden: return actions_->showHidden;
    case Action::Properties: return actions_->properties;
    case Action::History: return actions_->history;
    case Action::DiscardUpload: return actions_->discardUpload;
  }
  return nullptr;
}

SharesModel* MainWindow::sharesModel() const { return shares_->model(); }

}  // namespace ferry::ui
