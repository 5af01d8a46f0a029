#pragma once

// TrayIcon: Ferry in the system tray, so serving goes on with the window
// closed. Owns the QSystemTrayIcon and its menu (Show, Start/Stop, Quit);
// the actions themselves belong to the window. Construct only when
// QSystemTrayIcon::isSystemTrayAvailable().
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
  TrayIcon(QAction* show, QAction* startStop, QAction* quit, QObject* parent = nullptr);
  ~TrayIcon() override;

  void setStatus(const QString& tooltip);
  void notify(const QString& title, const QString& message);

 signals:
  void activated();  // clicked: show the window

 private:
  QMenu* menu_;
  QSystemTrayIcon* tray_;
};

}  // namespace ferry::ui
