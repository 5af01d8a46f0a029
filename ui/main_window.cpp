#include "main_window.h"

#include <algorithm>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QHostAddress>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QToolBar>
#include <QVBoxLayout>

#include "action_icons.h"
#include "app_icon.h"
#include "bandwidth_graph.h"
#include "link_hosts.h"
#include "message_bar.h"
#include "progress_delegate.h"
#include "qr_panel.h"
#include "server_bridge.h"
#include "settings_dialog.h"
#include "share_manager.h"
#include "shares_model.h"
#include "status_panel.h"
#include "table_view.h"
#include "transfers_model.h"
#include "tray_icon.h"

namespace ferry::ui {
namespace {

QIcon themed(const char* name, QStyle::StandardPixmap fallback) {
  return QIcon::fromTheme(QLatin1String(name), QApplication::style()->standardIcon(fallback));
}

QLabel* sectionTitle(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  QFont f = l->font();
  f.setBold(true);
  l->setFont(f);
  l->setContentsMargins(2, 6, 0, 2);
  l->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);  // extra height goes to the content
  return l;
}

}  // namespace

MainWindow::MainWindow(SettingsStore store, LaunchOptions launch, QWidget* parent)
    : QMainWindow(parent), store_(std::move(store)), launch_(std::move(launch)), settings_(store_.loadSettings()) {
  setWindowTitle(QStringLiteral("Ferry"));
  setWindowIcon(appIcon());
  setAcceptDrops(true);  // anywhere on the window

  bridge_ = new ServerBridge(this);
  shares_ = new ShareManager(bridge_, &store_, this);
  transfers_ = new TransfersModel(this);
  sharesProxy_ = new QSortFilterProxyModel(this);
  sharesProxy_->setSourceModel(shares_->model());
  sharesProxy_->setSortRole(SharesModel::RawRole);
  transfersProxy_ = new QSortFilterProxyModel(this);
  transfersProxy_->setSourceModel(transfers_);
  transfersProxy_->setSortRole(TransfersModel::RawRole);

  createActions();
  createMenus();
  createToolBar();
  createCentral();
  status_ = new StatusPanel(statusBar());
  createTray();

  connect(bridge_, &ServerBridge::snapshotArrived, this, &MainWindow::onSnapshot);
  connect(bridge_, &ServerBridge::runningChanged, this, &MainWindow::onRunningChanged);
  connect(transfers_, &TransfersModel::transferEnded, this, &MainWindow::onTransferEnded);
  connect(sharesView_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &MainWindow::updateSelectionActions);
  connect(sharesView_->selectionModel(), &QItemSelectionModel::currentChanged, this, &MainWindow::updateQrPanel);
  connect(transfersView_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &MainWindow::updateSelectionActions);
  connect(shares_->model(), &QAbstractItemModel::dataChanged, this, &MainWindow::updateQrPanel);
  connect(shares_, &ShareManager::saveFinished, this, &MainWindow::onSaved);
  connect(transfers_, &QAbstractItemModel::dataChanged, this, &MainWindow::updateSelectionActions);

  bridge_->setRateLimit(launch_.rateGiven ? launch_.server.rateLimit : settings_.rateLimit);
  shares_->restore();
  if (!launch_.paths.isEmpty()) {
    QList<QUrl> urls;
    for (const QString& p : launch_.paths) urls << QUrl::fromLocalFile(QFileInfo(p).absoluteFilePath());
    shareFiles(urls);
  } else if (shares_->model()->rowCount() > 0) {
    selectShareRows({shares_->model()->rowCount() - 1});
  }
  updateLinkPrefix();
  updateSelectionActions();
  refreshServerStatus();
  restoreWindow();
  // A damaged settings file, values not understood: said once, at startup.
  if (const QString p = store_.loadProblems(); !p.isEmpty()) messageBar_->showMessage(MessageBar::Level::Warning, p);
}

MainWindow::~MainWindow() {
  disconnect(shares_, nullptr, this, nullptr);  // no status updates while going away
  shares_->save();
  bridge_->stop();
}

// ---- construction ---------------------------------------------------------

void MainWindow::createActions() {
  auto make = [this](const QString& text, const QIcon& icon, const QString& tip, auto slot) {
    auto* a = new QAction(icon, text, this);
    a->setToolTip(tip);
    a->setStatusTip(tip);
    connect(a, &QAction::triggered, this, slot);
    return a;
  };
  addFiles_ = make(tr("&Add Files…"), themed("list-add", QStyle::SP_DialogOpenButton),
                   tr("Share files from a file dialog (Ctrl+O); or drop them on the window"), &MainWindow::addFilesDialog);
  addFiles_->setShortcut(QKeySequence::Open);
  addFiles_->setIconText(tr("Add Files"));

  remove_ = make(tr("&Remove"), themed("list-remove", QStyle::SP_TrashIcon),
                 tr("Stop sharing the selected files: their links stop working at once (Delete)"),
                 &MainWindow::removeSelected);
  remove_->setShortcut(QKeySequence::Delete);
  remove_->setShortcutContext(Qt::WidgetWithChildrenShortcut);

  copyLink_ = make(tr("&Copy Link"), themed("edit-copy", QStyle::SP_FileLinkIcon),
                   tr("Copy the links of the selected files, one per line (Ctrl+C)"), &MainWindow::copySelectedLinks);
  copyLink_->setShortcut(QKeySequence::Copy);

  openFolder_ = make(tr("Open Containing &Folder"), themed("folder-open", QStyle::SP_DirOpenIcon),
                     tr("Show the selected file's folder in the file manager"), &MainWindow::openContainingFolder);
  openFolder_->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));

  startStop_ = make(tr("&Stop Serving"), stopIcon(),
                    tr("Start or stop the server (Ctrl+T); shares stay listed either way"), [this] {
                      if (isServing()) stopServing();
                      else startServing();
                    });
  startStop_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));

  settingsAction_ = make(tr("Se&ttings…"), themed("preferences-system", QStyle::SP_FileDialogDetailedView),
                         tr("Port, addresses, bandwidth limit and behaviour"), &MainWindow::openSettings);
  settingsAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
  settingsAction_->setMenuRole(QAction::PreferencesRole);

  quit_ = make(tr("&Quit"), themed("application-exit", QStyle::SP_DialogCloseButton), tr("Stop serving and quit"),
               &MainWindow::quit);
  quit_->setShortcut(QKeySequence::Quit);
  quit_->setMenuRole(QAction::QuitRole);

  cancelTransfer_ = make(tr("&Cancel Download"), themed("process-stop", QStyle::SP_BrowserStop),
                         tr("End the selected downloads now (Delete)"), &MainWindow::cancelSelectedTransfers);
  cancelTransfer_->setShortcut(QKeySequence::Delete);
  cancelTransfer_->setShortcutContext(Qt::WidgetWithChildrenShortcut);

  clearFinished_ = make(tr("Clear &Finished"), themed("edit-clear", QStyle::SP_DialogResetButton),
                        tr("Remove finished, cancelled and failed downloads from the list"),
                        [this] { transfers_->clearEnded(); });

  showWindow_ = make(tr("&Show Ferry"), appIcon(), tr("Show the window"), [this] {
    showNormal();
    raise();
    activateWindow();
  });

  about_ = make(tr("&About Ferry"), appIcon(), tr("Version and licence"), [this] {
    QMessageBox::about(this, tr("About Ferry"),
                       tr("<h3>Ferry %1</h3><p>Hand a file to someone nearby: drop it on the window, "
                          "give them the link or let their phone scan the QR code, and watch the download.</p>"
                          "<p>Files are served by Ferry's own HTTP server, straight from your disk.</p>")
                           .arg(QStringLiteral(FERRY_VERSION)));
  });
  about_->setMenuRole(QAction::AboutRole);

  showQr_ = new QAction(tr("&QR Code"), this);
  showQr_->setCheckable(true);
  showQr_->setChecked(true);
  showQr_->setToolTip(tr("Show the QR code of the selected link"));
  showGraph_ = new QAction(tr("&Bandwidth Graph"), this);
  showGraph_->setCheckable(true);
  showGraph_->setChecked(true);
  showGraph_->setToolTip(tr("Show the upload rate of the last minute"));
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(addFiles_);
  file->addAction(remove_);
  file->addAction(openFolder_);
  file->addSeparator();
  file->addAction(quit_);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(copyLink_);
  edit->addSeparator();
  edit->addAction(settingsAction_);

  QMenu* server = menuBar()->addMenu(tr("&Server"));
  server->addAction(startStop_);
  server->addSeparator();
  server->addAction(cancelTransfer_);
  server->addAction(clearFinished_);

  QMenu* view = menuBar()->addMenu(tr("&View"));
  view->addAction(showQr_);
  view->addAction(showGraph_);

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(about_);
}

void MainWindow::createToolBar() {
  QToolBar* bar = addToolBar(tr("Main"));
  bar->setObjectName(QStringLiteral("mainToolBar"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  bar->addAction(addFiles_);
  bar->addAction(remove_);
  bar->addAction(copyLink_);
  bar->addSeparator();
  bar->addAction(startStop_);
  bar->addSeparator();
  bar->addAction(settingsAction_);

  auto* spacer = new QWidget(bar);
  spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  bar->addWidget(spacer);
  auto* label = new QLabel(tr("Links use "), bar);
  linkHostCombo_ = new QComboBox(bar);
  linkHostCombo_->setToolTip(tr("The address put in links: pick one the other person's device can reach"));
  linkHostCombo_->setAccessibleName(tr("Link address"));
  linkHostCombo_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  label->setBuddy(linkHostCombo_);
  bar->addWidget(label);
  bar->addWidget(linkHostCombo_);
  fillLinkHostCombo();
  connect(linkHostCombo_, &QComboBox::activated, this, [this](int i) {
    AppSettings s = settings_;
    s.linkHost = linkHostCombo_->itemData(i).toString();
    applySettings(s);
  });
}

void MainWindow::createCentral() {
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(8, 4, 8, 4);

  messageBar_ = new MessageBar(central);
  layout->addWidget(messageBar_);

  // Shares, with the QR panel beside them.
  sharesView_ = new TableView(central);
  sharesView_->setObjectName(QStringLiteral("sharesView"));
  sharesView_->setAccessibleName(tr("Shared files"));
  sharesView_->setModel(sharesProxy_);
  sharesView_->setAcceptsFileDrops(true);
  sharesView_->setPlaceholderText(tr("Drop files here to share them\n\nor use Add Files (Ctrl+O)"));
  sharesView_->setContextMenuPolicy(Qt::ActionsContextMenu);
  sharesView_->addAction(copyLink_);
  sharesView_->addAction(openFolder_);
  auto* sep = new QAction(this);
  sep->setSeparator(true);
  sharesView_->addAction(sep);
  sharesView_->addAction(remove_);
  QHeaderView* sh = sharesView_->horizontalHeader();
  sh->setSectionResizeMode(SharesModel::Name, QHeaderView::Interactive);
  sh->setSectionResizeMode(SharesModel::Size, QHeaderView::ResizeToContents);
  sh->setSectionResizeMode(SharesModel::Downloads, QHeaderView::ResizeToContents);
  sh->setSectionResizeMode(SharesModel::Link, QHeaderView::Stretch);
  sh->resizeSection(SharesModel::Name, 220);
  sharesView_->setTextElideMode(Qt::ElideMiddle);
  connect(sharesView_, &TableView::filesDropped, this, &MainWindow::shareFiles);
  connect(sharesView_, &QAbstractItemView::doubleClicked, this, &MainWindow::copySelectedLinks);

  qrPanel_ = new QrPanel(copyLink_, central);
  connect(showQr_, &QAction::toggled, qrPanel_, &QWidget::setVisible);

  auto* sharesBox = new QWidget(central);
  auto* sharesLayout = new QVBoxLayout(sharesBox);
  sharesLayout->setContentsMargins(0, 0, 0, 0);
  sharesLayout->addWidget(sectionTitle(tr("Shared files"), sharesBox));
  sharesLayout->addWidget(sharesView_);

  topSplitter_ = new QSplitter(Qt::Horizontal, central);
  topSplitter_->addWidget(sharesBox);
  topSplitter_->addWidget(qrPanel_);
  topSplitter_->setStretchFactor(0, 1);
  topSplitter_->setStretchFactor(1, 0);
  topSplitter_->setCollapsible(0, false);

  // Transfers.
  transfersView_ = new TableView(central);
  transfersView_->setObjectName(QStringLiteral("transfersView"));
  transfersView_->setAccessibleName(tr("Downloads"));
  transfersView_->setModel(transfersProxy_);
  transfersView_->setItemDelegate(new ProgressDelegate(TransfersModel::Progress, transfersView_));
  transfersView_->setPlaceholderText(tr("Downloads appear here as they happen"));
  transfersView_->setContextMenuPolicy(Qt::ActionsContextMenu);
  transfersView_->addAction(cancelTransfer_);
  transfersView_->addAction(clearFinished_);
  QHeaderView* th = transfersView_->horizontalHeader();
  th->setSectionResizeMode(QHeaderView::Interactive);
  th->setSectionResizeMode(TransfersModel::State, QHeaderView::Stretch);
  th->resizeSection(TransfersModel::Client, 150);
  th->resizeSection(TransfersModel::File, 170);
  th->resizeSection(TransfersModel::Progress, 130);
  th->resizeSection(TransfersModel::Transferred, 150);
  th->resizeSection(TransfersModel::Speed, 90);
  th->resizeSection(TransfersModel::Eta, 80);
  transfersView_->setTextElideMode(Qt::ElideMiddle);

  auto* transfersBox = new QWidget(central);
  auto* transfersLayout = new QVBoxLayout(transfersBox);
  transfersLayout->setContentsMargins(0, 0, 0, 0);
  transfersLayout->addWidget(sectionTitle(tr("Downloads"), transfersBox));
  transfersLayout->addWidget(transfersView_);

  graph_ = new BandwidthGraph(central);
  auto* graphBox = new QWidget(central);
  auto* graphLayout = new QVBoxLayout(graphBox);
  graphLayout->setContentsMargins(0, 0, 0, 0);
  graphLayout->addWidget(sectionTitle(tr("Upload rate"), graphBox));
  graphLayout->addWidget(graph_);
  connect(showGraph_, &QAction::toggled, graphBox, &QWidget::setVisible);

  mainSplitter_ = new QSplitter(Qt::Vertical, central);
  mainSplitter_->addWidget(topSplitter_);
  mainSplitter_->addWidget(transfersBox);
  mainSplitter_->addWidget(graphBox);
  mainSplitter_->setStretchFactor(0, 3);
  mainSplitter_->setStretchFactor(1, 3);
  mainSplitter_->setStretchFactor(2, 1);
  for (int i = 0; i < 3; ++i) mainSplitter_->setCollapsible(i, false);
  layout->addWidget(mainSplitter_, 1);
  setCentralWidget(central);

  setTabOrder(sharesView_, transfersView_);
  resize(1040, 760);
}

void MainWindow::createTray() {
  if (!QSystemTrayIcon::isSystemTrayAvailable()) return;
  tray_ = new TrayIcon(showWindow_, startStop_, quit_, this);
  connect(tray_, &TrayIcon::activated, showWindow_, &QAction::trigger);
}

void MainWindow::restoreWindow() {
  if (QByteArray g = store_.windowGeometry(); !g.isEmpty()) restoreGeometry(g);
  if (QByteArray s = store_.windowState(); !s.isEmpty()) restoreState(s);
  if (QByteArray s = store_.splitterState(QStringLiteral("main")); !s.isEmpty()) mainSplitter_->restoreState(s);
  else mainSplitter_->setSizes({290, 220, 190});
  if (QByteArray s = store_.splitterState(QStringLiteral("top")); !s.isEmpty()) topSplitter_->restoreState(s);
  else topSplitter_->setSizes({720, 270});
}

void MainWindow::saveWindow() {
  store_.saveWindow(saveGeometry(), saveState(),
                    {{QStringLiteral("main"), mainSplitter_->saveState()},
                     {QStringLiteral("top"), topSplitter_->saveState()}});
}

// ---- serving --------------------------------------------------------------

std::uint16_t MainWindow::effectivePort() const { return launch_.portGiven ? launch_.server.port : settings_.port; }

ServerOptions MainWindow::serverOptions() const {
  ServerOptions o = launch_.server;
  o.port = effectivePort();
  o.bind = (launch_.bindGiven ? QString::fromStdString(launch_.server.bind) : settings_.bind).toStdString();
  o.rateLimit = launch_.rateGiven ? launch_.server.rateLimit : settings_.rateLimit;
  if (!launch_.maxConnectionsGiven) o.limits.maxConnections = static_cast<std::size_t>(settings_.maxConnections);
  // A name typed as the link address (a proxy's, say) must be answered.
  const QString host = linkHost();
  if (QHostAddress(host).isNull()) o.allowedHosts.push_back(host.toStdString());
  return o;
}

QString MainWindow::linkHost() const {
  return effectiveLinkHost(settings_.linkHost, launch_.bindGiven ? QString::fromStdString(launch_.server.bind)
                                                                 : settings_.bind);
}

void MainWindow::startIfWanted() {
  if (settings_.startOnLaunch || !launch_.paths.isEmpty()) startServing();
}

bool MainWindow::isServing() const { return bridge_->isRunning(); }

bool MainWindow::startServing() {
  const ServerOptions options = serverOptions();
  const ServerBridge::StartResult r = bridge_->start(options);
  if (r.ok) {
    if (startFailureShown_) messageBar_->dismiss();  // that failure is over; other news stays
    startFailureShown_ = false;
    statusBar()->showMessage(tr("Serving on port %1").arg(bridge_->port()), 4000);
    return true;
  }
  startFailureShown_ = true;
  if (r.portBusy) {
    const std::uint16_t free = ServerBridge::findFreePort(QString::fromStdString(options.bind));
    QList<QAction*> offers;
    if (free != 0) {
      auto* use = new QAction(tr("Use Port %1").arg(free), messageBar_);
      connect(use, &QAction::triggered, this, [this, free] {
        AppSettings s = settings_;
        s.port = free;
        launch_.portGiven = false;
        applySettings(s);
        if (!isServing()) startServing();
      });
      offers << use;
    }
    offers << settingsAction_;
    messageBar_->showMessage(MessageBar::Level::Warning,
                             tr("Port %1 is already in use by another program, so Ferry cannot serve on it.%2")
                                 .arg(options.port)
                                 .arg(free ? tr(" Port %1 is free.").arg(free) : QString()),
                             offers);
  } else {
    messageBar_->showMessage(MessageBar::Level::Error, tr("Ferry cannot start serving: %1").arg(r.error),
                             {settingsAction_});
  }
  return false;
}

void MainWindow::stopServing() {
  bridge_->stop();
  statusBar()->showMessage(tr("Stopped serving: links do not work until you start again"), 5000);
}

void MainWindow::onRunningChanged(bool running) {
  if (!running) {
    transfers_->endRun(bridge_->run());
    shares_->model()->endRun();
    shares_->scheduleSave();
    sentBeforeRun_ += sentThisRun_;
    sentThisRun_ = 0;
    graph_->setRate(0);
  }
  status_->setStats(0, 0, sentBeforeRun_);
  refreshServerStatus();
}

void MainWindow::refreshServerStatus() {
  const bool running = isServing();
  startStop_->setText(running ? tr("&Stop Serving") : tr("&Start Serving"));
  startStop_->setIconText(running ? tr("Stop") : tr("Start"));
  startStop_->setIcon(running ? stopIcon() : startIcon());
  const QString address = QStringLiteral("%1:%2").arg(linkHost()).arg(bridge_->port());
  status_->setServing(running, address);
  if (tray_) tray_->setStatus(running ? tr("Ferry — serving on %1").arg(address) : tr("Ferry — stopped"));
  updateLinkPrefix();
}

void MainWindow::onSnapshot(quint64 run, std::shared_ptr<const StatsSnapshot> snapshot) {
  transfers_->applySnapshot(run, *snapshot);
  if (run != bridge_->run()) return;
  shares_->model()->applyCounters(snapshot->shares);
  sentThisRun_ = snapshot->totalBytesSent;
  const bool running = bridge_->isRunning();
  graph_->setRate(running ? snapshot->uploadRate : 0);
  status_->setStats(running ? snapshot->uploadRate : 0, running ? snapshot->activeTransfers : 0,
                    sentBeforeRun_ + sentThisRun_);
}

void MainWindow::onTransferEnded(const QString& file, const QString& client, int state, const QString&) {
  if (static_cast<TransferState>(state) != TransferState::kDone) return;
  shares_->scheduleSave();  // download counts
  if (tray_ && settings_.notifyOnComplete && !isActiveWindow())
    tray_->notify(tr("Download complete"), tr("%1 was downloaded by %2").arg(file, client));
}

// ---- shares ---------------------------------------------------------------

int MainWindow::shareFiles(const QList<QUrl>& urls) {
  QStringList paths;
  for (const QUrl& u : urls)
    if (u.isLocalFile()) paths << u.toLocalFile();
  const ShareManager::AddResult r = shares_->addPaths(paths);

  QList<int> select = r.added;
  if (select.isEmpty()) select = r.alreadyShared;
  if (!select.isEmpty()) {
    selectShareRows(select);
    sharesView_->setFocus(Qt::OtherFocusReason);  // so Ctrl+C copies right away
  }

  QStringList problems;
  if (!r.folders.isEmpty()) {
    QStringList names;
    for (const QString& f : r.folders) names << QStringLiteral("“%1”").arg(QFileInfo(f).fileName());
    problems << (r.folders.size() == 1
                     ? tr("%1 is a folder. Ferry shares files, not folders (yet): open the folder and drop the "
                          "files you want to share.")
                           .arg(names.first())
                     : tr("%1 are folders. Ferry shares files, not folders (yet): open them and drop the files "
                          "you want to share.")
                           .arg(names.join(QStringLiteral(", "))));
  }
  problems << r.errors;
  if (!problems.isEmpty()) messageBar_->showMessage(MessageBar::Level::Warning, problems.join(QLatin1Char('\n')));
  else if (!r.added.isEmpty()) messageBar_->dismiss();

  if (r.added.size() == 1) {
    statusBar()->showMessage(tr("Sharing %1 — press Ctrl+C to copy its link")
                                 .arg(shares_->model()->entry(r.added.first()).name),
                             6000);
  } else if (r.added.size() > 1) {
    statusBar()->showMessage(tr("Sharing %1 files — press Ctrl+C to copy their links").arg(r.added.size()), 6000);
  } else if (!r.alreadyShared.isEmpty() && problems.isEmpty()) {
    statusBar()->showMessage(tr("Already shared"), 4000);
  }
  return static_cast<int>(r.added.size());
}

void MainWindow::addFilesDialog() {
  const QString start = QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
  const QStringList files = QFileDialog::getOpenFileNames(this, tr("Share Files"), start);
  QList<QUrl> urls;
  for (const QString& f : files) urls << QUrl::fromLocalFile(f);
  if (!urls.isEmpty()) shareFiles(urls);
}

QList<int> MainWindow::selectedShareRows() const {
  QModelIndexList rows = sharesView_->selectionModel()->selectedRows();
  std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  QList<int> out;
  for (const QModelIndex& i : rows) out << sharesProxy_->mapToSource(i).row();
  if (out.isEmpty() && sharesView_->currentIndex().isValid())
    out << sharesProxy_->mapToSource(sharesView_->currentIndex()).row();
  return out;
}

void MainWindow::selectShareRows(const QList<int>& sourceRows) {
  QItemSelection selection;
  QModelIndex current;
  for (int row : sourceRows) {
    QModelIndex i = sharesProxy_->mapFromSource(shares_->model()->index(row, 0));
    if (!i.isValid()) continue;
    selection.select(i, i);
    current = i;
  }
  if (!current.isValid()) return;
  auto* sm = sharesView_->selectionModel();
  sm->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
  sm->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  sharesView_->scrollTo(current);
  updateQrPanel();
}

QStringList MainWindow::selectedLinks() const {
  QStringList links;
  const SharesModel* m = shares_->model();
  if (transfersView_->hasFocus() && transfersView_->selectionModel()->hasSelection()) {
    // In the downloads list, Ctrl+C copies the links of those downloads' files.
    for (const QModelIndex& i : transfersView_->selectionModel()->selectedRows()) {
      int row = m->rowOf(i.data(TransfersModel::ShareTokenRole).toString());
      if (row >= 0 && !links.contains(m->linkAt(row))) links << m->linkAt(row);
    }
    return links;
  }
  for (int row : selectedShareRows())
    if (QString l = m->linkAt(row); !l.isEmpty()) links << l;
  return links;
}

void MainWindow::copySelectedLinks() {
  const QStringList links = selectedLinks();
  if (links.isEmpty()) {
    statusBar()->showMessage(shares_->model()->rowCount() ? tr("Select a shared file to copy its link")
                                                          : tr("Nothing shared yet: drop a file on the window"),
                             4000);
    return;
  }
  QGuiApplication::clipboard()->setText(links.join(QLatin1Char('\n')));
  QString msg = links.size() == 1 ? tr("Copied the link to the clipboard") : tr("Copied %1 links to the clipboard").arg(links.size());
  if (!isServing()) msg += tr(" — Ferry is not serving: start it so the link works");
  statusBar()->showMessage(msg, 5000);
}

void MainWindow::removeSelected() {
  QStringList tokens;
  for (int row : selectedShareRows()) tokens << shares_->model()->entry(row).token;
  if (tokens.isEmpty()) return;
  const int firstRow = sharesView_->selectionModel()->selectedRows().isEmpty()
                           ? sharesView_->currentIndex().row()
                           : sharesView_->selectionModel()->selectedRows().first().row();
  shares_->remove(tokens);
  statusBar()->showMessage(tokens.size() == 1 ? tr("Stopped sharing 1 file: its link no longer works")
                                              : tr("Stopped sharing %1 files: their links no longer work").arg(tokens.size()),
                           5000);
  // Keep a selection for keyboard use: the row that took the removed one's place.
  const int rows = sharesProxy_->rowCount();
  if (rows > 0) {
    QModelIndex next = sharesProxy_->index(std::min(firstRow, rows - 1), 0);
    sharesView_->selectionModel()->setCurrentIndex(next, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  }
  updateQrPanel();
  updateSelectionActions();
}

void MainWindow::openContainingFolder() {
  const QList<int> rows = selectedShareRows();
  if (rows.isEmpty()) return;
  const QString dir = QFileInfo(shares_->model()->entry(rows.first()).path).absolutePath();
  if (!QDesktopServices::openUrl(QUrl::fromLocalFile(dir)))
    statusBar()->showMessage(tr("Could not open %1").arg(QDir::toNativeSeparators(dir)), 5000);
}

void MainWindow::cancelSelectedTransfers() {
  int n = 0;
  for (const QModelIndex& i : transfersView_->selectionModel()->selectedRows()) {
    if (static_cast<TransferState>(i.data(TransfersModel::StateRole).toInt()) != TransferState::kActive) continue;
    bridge_->cancelTransfer(i.data(TransfersModel::RunRole).toULongLong(), i.data(TransfersModel::IdRole).toULongLong());
    ++n;
  }
  if (n) statusBar()->showMessage(n == 1 ? tr("Cancelling 1 download") : tr("Cancelling %1 downloads").arg(n), 4000);
}

void MainWindow::updateSelectionActions() {
  const bool any = !selectedShareRows().isEmpty();
  remove_->setEnabled(any);
  copyLink_->setEnabled(shares_->model()->rowCount() > 0);
  openFolder_->setEnabled(any);
  bool active = false;
  for (const QModelIndex& i : transfersView_->selectionModel()->selectedRows())
    active = active || static_cast<TransferState>(i.data(TransfersModel::StateRole).toInt()) == TransferState::kActive;
  cancelTransfer_->setEnabled(active);
  updateQrPanel();
}

void MainWindow::updateQrPanel() {
  const QModelIndex cur = sharesView_->currentIndex();
  if (!cur.isValid()) {
    qrPanel_->setShare({}, {});
    return;
  }
  const int row = sharesProxy_->mapToSource(cur).row();
  qrPanel_->setShare(shares_->model()->entry(row).name, shares_->model()->linkAt(row));
}

void MainWindow::updateLinkPrefix() {
  const std::uint16_t port = isServing() ? bridge_->port() : effectivePort();
  shares_->model()->setLinkPrefix(port ? linkPrefix(linkHost(), port) : QString());
  updateQrPanel();
}

void MainWindow::fillLinkHostCombo() {
  linkHostCombo_->clear();
  const QString bind = launch_.bindGiven ? QString::fromStdString(launch_.server.bind) : settings_.bind;
  linkHostCombo_->addItem(tr("Automatic (%1)").arg(effectiveLinkHost(QString(), bind)), QString());
  QStringList hosts = machineAddresses();
  if (!settings_.linkHost.isEmpty() && !hosts.contains(settings_.linkHost)) hosts.prepend(settings_.linkHost);
  for (const QString& h : hosts) linkHostCombo_->addItem(h, h);
  linkHostCombo_->setCurrentIndex(std::max(0, linkHostCombo_->findData(settings_.linkHost)));
}

// ---- settings, drops, closing ----------------------------------------------

void MainWindow::onSaved(bool ok) {
  if (ok && settingsUnsaved_) {
    settingsUnsaved_ = !store_.saveSettings(settings_);
    ok = !settingsUnsaved_;
    if (!ok) shares_->markUnsaved();  // so that this is tried again
  }
  const QString problem = ok ? QString() : store_.lastError();
  if (problem.isEmpty() && !status_->problemText().isEmpty()) statusBar()->showMessage(tr("Saved"), 3000);
  status_->setProblem(problem);
}

void MainWindow::openSettings() {
  SettingsDialog dialog(settings_, tray_ != nullptr, this);
  if (dialog.exec() != QDialog::Accepted) return;
  // What the user sets here replaces this run's command-line values.
  AppSettings s = dialog.settings();
  if (s.port != settings_.port) launch_.portGiven = false;
  if (s.bind != settings_.bind) launch_.bindGiven = false;
  if (s.rateLimit != settings_.rateLimit) launch_.rateGiven = false;
  if (s.maxConnections != settings_.maxConnections) launch_.maxConnectionsGiven = false;
  applySettings(s);
}

void MainWindow::applySettings(const AppSettings& s) {
  const ServerOptions before = serverOptions();
  settings_ = s;
  settingsUnsaved_ = !store_.saveSettings(settings_);
  if (settingsUnsaved_) shares_->save();  // reports it, and keeps retrying
  const ServerOptions after = serverOptions();
  bridge_->setRateLimit(after.rateLimit);
  fillLinkHostCombo();
  updateLinkPrefix();
  const bool restart = before.port != after.port || before.bind != after.bind ||
                       before.limits.maxConnections != after.limits.maxConnections ||
                       before.allowedHosts != after.allowedHosts;
  if (restart && isServing()) {
    const int active = transfers_->activeCount();
    if (active > 0 &&
        QMessageBox::question(this, tr("Restart the Server?"),
                              tr("The new settings need a restart of the server, which ends %n download(s) in "
                                 "progress. Restart now?",
                                 nullptr, active)) != QMessageBox::Yes) {
      statusBar()->showMessage(tr("The new settings apply the next time Ferry starts serving"), 6000);
      return;
    }
    bridge_->stop();
    startServing();
  }
  refreshServerStatus();
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
  saveWindow();
  shares_->save();
  if (!quitting_ && tray_ && settings_.keepInTray) {
    hide();
    if (!trayHintShown_ && isServing()) {
      tray_->notify(tr("Ferry is still serving"),
                    tr("Your links keep working. Use the tray icon to show Ferry again or to quit."));
      trayHintShown_ = true;
    }
    event->ignore();
    return;
  }
  const int active = transfers_->activeCount();
  if (active > 0 && isServing() &&
      QMessageBox::question(this, tr("Quit Ferry?"),
                            tr("%n download(s) still in progress will be cut off. Quit anyway?", nullptr, active)) !=
          QMessageBox::Yes) {
    quitting_ = false;
    event->ignore();
    return;
  }
  event->accept();
  quitting_ = true;
  // With a tray the app outlives its last window; quitting is explicit.
  if (tray_) QApplication::quit();
}

void MainWindow::quit() {
  quitting_ = true;
  if (!close()) quitting_ = false;
}

QAction* MainWindow::action(Action a) const {
  switch (a) {
    case Action::AddFiles: return addFiles_;
    case Action::Remove: return remove_;
    case Action::CopyLink: return copyLink_;
    case Action::OpenFolder: return openFolder_;
    case Action::StartStop: return startStop_;
    case Action::Settings: return settingsAction_;
    case Action::Quit: return quit_;
    case Action::CancelTransfer: return cancelTransfer_;
    case Action::ClearFinished: return clearFinished_;
    case Action::ShowWindow: return showWindow_;
  }
  return nullptr;
}

SharesModel* MainWindow::sharesModel() const { return shares_->model(); }

}  // namespace ferry::ui
