#pragma once

// TrayIcon: Ferry in the system tray, so serving goes on with the window
// closed. Owns the QSystemTrayIcon and its menu (Show, Copy Link of the
// last share, Start/Stop, Quit); the actions themselves belong to the
// window. Construct only when QSystemTrayIcon::isSystemTrayAvailable().
//
// GUI thread only.

#include <QObject>

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace ferry::ui {

class TrayIcon final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(TrayIcon)

 public:
  TrayIcon(QAction* show, QAction* copyLastLink, QAction* startStop, QAction* quit, QObject* parent = nullptr);
  ~TrayIcon() override;

  void setStatus(const QString& tooltip);
  void notify(const QString& title, const QString& message);
  QMenu* menu() const { return menu_; }
  // What notify() was last asked to say (shown or not: not every tray
  // shows messages).
  QString lastNotice() const { return lastNotice_; }

 signals:
  void activated();  // clicked: show the window

 private:
  QMenu* menu_;
  QSystemTrayIcon* tray_;
  QString lastNotice_;
};

}  // namespace ferry::ui
