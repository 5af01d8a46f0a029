#include "desktop/tray_icon.h"

#include <QAction>
#include <QMenu>
#include <QSystemTrayIcon>

#include "desktop/app_icon.h"

namespace ferry::ui {

TrayIcon::TrayIcon(QAction* show, QAction* copyLastLink, QAction* startStop, QAction* quit, QObject* parent)
    : QObject(parent), menu_(new QMenu), tray_(new QSystemTrayIcon(this)) {
  menu_->addAction(show);
  menu_->addAction(copyLastLink);
  menu_->addAction(startStop);
  menu_->addSeparator();
  menu_->addAction(quit);
  tray_->setIcon(appIcon());
  tray_->setContextMenu(menu_);
  tray_->setToolTip(QStringLiteral("Ferry"));
  connect(tray_, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason r) {
    if (r == QSystemTrayIcon::Trigger || r == QSystemTrayIcon::DoubleClick) emit activated();
  });
  tray_->show();
}

TrayIcon::~TrayIcon() { delete menu_; }

void TrayIcon::setStatus(const QString& tooltip) { tray_->setToolTip(tooltip); }

void TrayIcon::notify(const QString& title, const QString& message) {
  lastNotice_ = title + QLatin1Char('\n') + message;
  if (QSystemTrayIcon::supportsMessages()) tray_->showMessage(title, message, QSystemTrayIcon::Information, 5000);
}

}  // namespace ferry::ui
