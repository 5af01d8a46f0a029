#include "serving_controller.h"

#include <QAction>
#include <QMessageBox>
#include <QStatusBar>
#include <QWidget>

#include "widgets/bandwidth_graph.h"
#include "network/link_hosts.h"
#include "widgets/format.h"
#include "widgets/message_bar.h"
#include "settings/run_settings.h"
#include "server_bridge.h"
#include "shares/share_manager.h"
#include "shares/shares_model.h"
#include "status_panel.h"
#include "transfers/transfers_model.h"
#include "desktop/tray_icon.h"
#include "window_actions.h"

namespace ferry::ui {

ServingController::ServingController(const Parts& parts, QObject* parent) : QObject(parent), p_(parts) {
  connect(p_.bridge, &ServerBridge::snapshotArrived, this, &ServingController::onSnapshot);
  connect(p_.bridge, &ServerBridge::runningChanged, this, &ServingController::onRunningChanged);
  connect(p_.transfers, &TransfersModel::transferEnded, this, &ServingController::onTransferEnded);
  connect(p_.transfers, &TransfersModel::deliveryEnded, this, &ServingController::onDeliveryEnded);
  connect(p_.actions->startStop, &QAction::triggered, this, &ServingController::toggle);
}

ServingController::~ServingController() = default;

bool ServingController::isServing() const { return p_.bridge->isRunning(); }

void ServingController::toggle() {
  if (!isServing()) {
    start();
    return;
  }
  const int active = p_.transfers->activeCount();
  if (active > 0 &&
      QMessageBox::question(p_.window, tr("Stop Serving?"),
                            formatCount(active, tr("1 download in progress will be cut off. Stop serving anyway?"),
                                        tr("%1 downloads in progress will be cut off. Stop serving anyway?"))) !=
          QMessageBox::Yes)
    return;
  stop();
}

bool ServingController::start() {
  const ServerOptions options = p_.settings->serverOptions();
  const ServerBridge::StartResult r = p_.bridge->start(options);
  wanted_ = true;
  if (r.ok) {
    // Where it serves is the status panel's to say, once. A failure to
    // start is over now; other news (a damaged settings file) stays.
    if (startFailureShown_) p_.messages->dismiss();
    startFailureShown_ = false;
    return true;
  }
  startFailureShown_ = true;
  if (r.portBusy) {
    offerFreePort(options);
  } else {
    p_.messages->showMessage(MessageBar::Level::Error, tr("Ferry cannot start serving: %1").arg(r.error),
                             {p_.actions->settings});
  }
  return false;
}

void ServingController::offerFreePort(const ServerOptions& options) {
  const std::uint16_t free = ServerBridge::findFreePort(QString::fromStdString(options.bind));
  QList<QAction*> offers;
  if (free != 0) {
    auto* use = new QAction(tr("Use Port %1").arg(free), p_.messages);
    connect(use, &QAction::triggered, this, [this, free] { emit usePortRequested(free); });
    offers << use;
  }
  offers << p_.actions->settings;
  p_.messages->showMessage(MessageBar::Level::Warning,
                           tr("Port %1 is already in use by another program, so Ferry cannot serve on it.%2")
                               .arg(options.port)
                               .arg(free ? tr(" Port %1 is free.").arg(free) : QString()),
                           offers);
}

void ServingController::stop() {
  wanted_ = false;
  p_.bridge->stop();
  p_.statusBar->showMessage(tr("Stopped serving: links do not work until you start again"), 5000);
}

void ServingController::onRunningChanged(bool running) {
  if (!running) {
    p_.transfers->endRun(p_.bridge->run());
    p_.shares->model()->endRun();
    p_.shares->scheduleSave();
    sentBeforeRun_ += sentThisRun_;
    sentThisRun_ = 0;
    receivedBeforeRun_ += receivedThisRun_;
    receivedThisRun_ = 0;
    p_.graph->setRates(0, 0);
  }
  p_.status->setStats(0, 0, 0, sentBeforeRun_, receivedBeforeRun_);
  refresh();
}

void ServingController::refresh() {
  const bool running = isServing();
  p_.actions->setServing(running);
  const QString address = QStringLiteral("%1:%2").arg(p_.settings->linkHost()).arg(p_.bridge->port());
  p_.status->setServing(running, address);
  if (p_.tray) p_.tray->setStatus(running ? tr("Ferry — serving on %1").arg(address) : tr("Ferry — stopped"));
  updateLinkPrefix();
}

void ServingController::setTray(TrayIcon* tray) {
  p_.tray = tray;
  refresh();
}

void ServingController::updateLinkPrefix() {
  const std::uint16_t port = isServing() ? p_.bridge->port() : p_.settings->port();
  // While serving, what the server does; stopped, what it will do.
  const bool secure = isServing() ? p_.bridge->linksSecure() : p_.settings->linksSecure();
  p_.shares->model()->setLinkPrefix(port ? linkPrefix(p_.settings->linkHost(), port, secure) : QString());
}

void ServingController::onSnapshot(quint64 run, std::shared_ptr<const StatsSnapshot> snapshot) {
  p_.transfers->applySnapshot(run, *snapshot);
  if (run != p_.bridge->run()) return;
  p_.shares->model()->applyCounters(snapshot->shares);
  sentThisRun_ = snapshot->totalBytesSent;
  receivedThisRun_ = snapshot->totalBytesReceived;
  const bool running = p_.bridge->isRunning();
  const double in = running ? snapshot->receiveRate : 0, out = running ? snapshot->uploadRate : 0;
  p_.graph->setRates(in, out);
  p_.status->setStats(in, out, running ? snapshot->activeTransfers : 0, sentBeforeRun_ + sentThisRun_,
                      receivedBeforeRun_ + receivedThisRun_);
}

void ServingController::onTransferEnded(const QString&, const QString&, int state, const QString&) {
  // Downloads are told by their delivery; this is a file received, or a
  // request that belongs to no delivery.
  if (static_cast<TransferState>(state) == TransferState::kDone) p_.shares->scheduleSave();
}

void ServingController::onDeliveryEnded(const QString&, const QString& file, const QString& client, int outcome,
                                        const QString&) {
  if (static_cast<DeliveryOutcome>(outcome) != DeliveryOutcome::kDelivered) return;
  p_.shares->scheduleSave();  // download and delivery counts
  // Said once per client that has the whole file, however many requests it took.
  if (p_.tray && p_.settings->saved().notifyOnComplete && !p_.window->isActiveWindow())
    p_.tray->notify(tr("Delivered"), tr("%1 was delivered to %2").arg(file, client));
}

}  // namespace ferry::ui
