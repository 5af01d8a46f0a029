#pragma once

// BackgroundController: Ferry serving with its window closed, on every
// desktop. Where a tray exists, closing the window while files are shared
// hides it to the tray (saying so once, ever); where there is none (plain
// GNOME), closing asks, with "Stop Sharing and Quit" the default and
// "Keep Sharing in the Background" a deliberate choice, after which a
// second launch brings the window back. Owns the tray icon, created when the tray
// appears (at login the tray may start after Ferry: availability is
// checked again), and the tray's "Copy Link" of the last share. Uses, but
// does not own, the window's actions, the shares and the settings store.
//
// GUI thread only.

#include <functional>

#include <QObject>
#include <QTimer>

class QAction;
class QWidget;

namespace ferry::ui {

class SettingsStore;
class SharesModel;
class TrayIcon;
class WindowActions;

class BackgroundController final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(BackgroundController)

 public:
  // What closing the window does.
  enum class Close { Hide, Quit, Stay };
  // Asks whether to keep sharing with no window (and no tray): Hide (keep
  // sharing), Quit or Stay (cancel); replaceable for tests.
  using Ask = std::function<Close(QWidget* window)>;
  // The question asked by default: quitting is its default button.
  static Close askKeepSharing(QWidget* window);
  static constexpr int kTrayCheckMs = 5000;

  BackgroundController(QWidget* window, WindowActions* actions, SharesModel* shares, SettingsStore* store,
                       QObject* parent = nullptr);
  ~BackgroundController() override;

  // Whether a tray exists now (QSystemTrayIcon::isSystemTrayAvailable() by
  // default), checked again until it does.
  void setTrayProbe(std::function<bool()> probe);
  void setAsk(Ask ask) { ask_ = std::move(ask); }
  void setTrayCheckInterval(int ms) { trayCheck_.setInterval(ms); }

  TrayIcon* tray() const { return tray_; }
  QAction* copyLastLink() const { return copyLastLink_; }

  // The window is being closed (not quit): `sharing` = serving with
  // something shared. `keepInTray`: the user's setting.
  Close onClose(bool sharing, bool keepInTray);

 signals:
  void trayCreated(ferry::ui::TrayIcon* tray);

 private:
  void checkTray();
  void updateCopyLastLink();

  QWidget* window_;
  WindowActions* actions_;
  SharesModel* shares_;
  SettingsStore* store_;
  std::function<bool()> probe_;
  Ask ask_;
  TrayIcon* tray_ = nullptr;
  QAction* copyLastLink_;
  QTimer trayCheck_;
};

}  // namespace ferry::ui
