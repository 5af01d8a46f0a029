#include "desktop/background_controller.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QMessageBox>
#include <QPushButton>
#include <QSystemTrayIcon>
#include <QWidget>

#include "settings/settings_store.h"
#include "shares/shares_model.h"
#include "desktop/tray_icon.h"
#include "window_actions.h"

namespace ferry::ui {
namespace {

const QString kTrayNotice = QStringLiteral("stillServingInTray");

}  // namespace

BackgroundController::Close BackgroundController::askKeepSharing(QWidget* window) {
  // With no tray, a window closed on a running server leaves nothing on
  // screen that says files are still shared: stopping is the default, and
  // keeping on a choice that says how to come back.
  QMessageBox box(QMessageBox::Question, tr("Stop Sharing?"), tr("Closing the window stops sharing."),
                  QMessageBox::NoButton, window);
  box.setInformativeText(
      tr("Your links stop working once Ferry quits. This desktop has no system tray, so nothing would show "
         "that Ferry is still sharing with the window closed.\n\n"
         "To keep sharing anyway, choose Keep Sharing in the Background: start Ferry again (from the "
         "applications menu, or run ferry) to bring the window back, and quit from there."));
  QPushButton* quit = box.addButton(tr("Stop Sharing and Quit"), QMessageBox::AcceptRole);
  QPushButton* keep = box.addButton(tr("Keep Sharing in the Background"), QMessageBox::ActionRole);
  box.addButton(QMessageBox::Cancel);
  box.setDefaultButton(quit);
  box.exec();
  if (box.clickedButton() == keep) return Close::Hide;
  if (box.clickedButton() == quit) return Close::Quit;
  return Close::Stay;
}

BackgroundController::BackgroundController(QWidget* window, WindowActions* actions, SharesModel* shares,
                                           SettingsStore* store, QObject* parent)
    : QObject(parent),
      window_(window),
      actions_(actions),
      shares_(shares),
      store_(store),
      probe_(&QSystemTrayIcon::isSystemTrayAvailable),
      ask_(&BackgroundController::askKeepSharing),
      copyLastLink_(new QAction(tr("Copy Link"), this)) {
  copyLastLink_->setIcon(actions_->copyLink->icon());
  connect(copyLastLink_, &QAction::triggered, this, [this] {
    const int last = shares_->rowCount() - 1;
    if (last < 0) return;
    QApplication::clipboard()->setText(shares_->linkAt(last));
    if (tray_) tray_->notify(tr("Link copied"), shares_->linkAt(last));
  });
  for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
    connect(shares_, signal, this, &BackgroundController::updateCopyLastLink);
  connect(shares_, &QAbstractItemModel::modelReset, this, &BackgroundController::updateCopyLastLink);
  connect(shares_, &QAbstractItemModel::dataChanged, this, &BackgroundController::updateCopyLastLink);
  updateCopyLastLink();

  // A tray that starts after Ferry (at login, or once the user adds the
  // AppIndicator extension) still gets the icon.
  trayCheck_.setInterval(kTrayCheckMs);
  connect(&trayCheck_, &QTimer::timeout, this, &BackgroundController::checkTray);
  checkTray();
}

BackgroundController::~BackgroundController() = default;

void BackgroundController::setTrayProbe(std::function<bool()> probe) {
  probe_ = std::move(probe);
  checkTray();
}

void BackgroundController::checkTray() {
  if (tray_) return trayCheck_.stop();
  if (!probe_()) {
    if (!trayCheck_.isActive()) trayCheck_.start();
    return;
  }
  trayCheck_.stop();
  tray_ = new TrayIcon(actions_->showWindow, copyLastLink_, actions_->startStop, actions_->quit, this);
  connect(tray_, &TrayIcon::activated, actions_->showWindow, &QAction::trigger);
  emit trayCreated(tray_);
}

void BackgroundController::updateCopyLastLink() {
  const int last = shares_->rowCount() - 1;
  copyLastLink_->setEnabled(last >= 0 && !shares_->linkAt(last).isEmpty());
  copyLastLink_->setText(last >= 0 ? tr("Copy Link of “%1”").arg(shares_->entry(last).name) : tr("Copy Link"));
}

BackgroundController::Close BackgroundController::onClose(bool sharing, bool keepInTray) {
  if (!sharing) return Close::Quit;
  if (tray_) {
    if (!keepInTray) return Close::Quit;
    if (!store_->noticeShown(kTrayNotice)) {
      tray_->notify(tr("Ferry is still sharing"),
                    tr("Your links keep working. Click the tray icon to show Ferry again, or quit from its menu."));
      store_->setNoticeShown(kTrayNotice);
    }
    return Close::Hide;
  }
  return ask_(window_);
}

}  // namespace ferry::ui
