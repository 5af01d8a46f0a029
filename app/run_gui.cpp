#include "run_gui.h"

#include <cstdio>
#include <cstdlib>

#include <QApplication>
#include <QIcon>
#include <QPalette>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QSystemTrayIcon>
#include <QTimer>

#include "app_icon.h"
#include "main_window.h"
#include "palette_colors.h"
#include "settings_store.h"
#include "termination_signals.h"

namespace ferry::app {
namespace {

// FERRY_PALETTE=dark|light forces a palette over Fusion (screenshots, and a
// check that every custom widget reads in both).
void applyForcedPalette(QApplication& app) {
  const QByteArray which = qgetenv("FERRY_PALETTE");
  if (which != "dark" && which != "light") return;
  app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  QPalette p = app.style()->standardPalette();
  if (which == "dark") p = ui::darkPalette(p);
  app.setPalette(p);
}

// FERRY_SCREENSHOT=FILE [FERRY_SCREENSHOT_DELAY=seconds]: once the delay has
// passed, save the window as it is (QWidget::grab) and quit. Used by
// scripts/screenshot.sh on a real run with real downloads.
void scheduleScreenshot(ui::MainWindow& window) {
  const QString file = qEnvironmentVariable("FERRY_SCREENSHOT");
  if (file.isEmpty()) return;
  bool ok = false;
  double delay = qEnvironmentVariable("FERRY_SCREENSHOT_DELAY").toDouble(&ok);
  if (!ok || delay < 0) delay = 5;
  QTimer::singleShot(static_cast<int>(delay * 1000), &window, [&window, file] {
    const bool saved = window.grab().save(file, "PNG");
    std::fprintf(stderr, "ferry: %s %s\n", saved ? "screenshot saved to" : "could not save screenshot to",
                 qPrintable(file));
    QApplication::exit(saved ? 0 : 1);
  });
}

// While QApplication starts: Qt ends the process with qFatal() when no
// platform plugin can open a display (DISPLAY names a server that is not
// there, QT_QPA_PLATFORM names a platform that cannot start). Say that in
// plain words and exit 2, as for any other launch the user can fix.
QtMessageHandler gQtHandler = nullptr;
void onStartupMessage(QtMsgType type, const QMessageLogContext& context, const QString& message) {
  if (type != QtFatalMsg) {
    if (gQtHandler) gQtHandler(type, context, message);
    return;
  }
  const QByteArray display = qgetenv("DISPLAY"), wayland = qgetenv("WAYLAND_DISPLAY");
  std::fprintf(stderr,
               "ferry: cannot open the window: no display could be opened (DISPLAY=%s, WAYLAND_DISPLAY=%s)\n"
               "ferry: `ferry --headless FILE...` serves files without a window.\n",
               display.isEmpty() ? "(not set)" : display.constData(),
               wayland.isEmpty() ? "(not set)" : wayland.constData());
  std::fflush(stderr);
  std::_Exit(2);  // from inside Qt's start: no destructors, no atexit handlers
}

int runGui(int argc, char** argv, const CommandLine& cmd) {
  QApplication::setApplicationName(QStringLiteral("ferry"));
  QApplication::setApplicationDisplayName(QStringLiteral("Ferry"));
  QApplication::setApplicationVersion(QStringLiteral(FERRY_VERSION));
  QApplication::setDesktopFileName(QStringLiteral("io.github.ferry_app.Ferry"));
  gQtHandler = qInstallMessageHandler(onStartupMessage);
  QApplication app(argc, argv);
  qInstallMessageHandler(gQtHandler);
  // Desktops without an icon theme of their own still get real icons.
  QIcon::setFallbackThemeName(QStringLiteral("Adwaita"));
  app.setWindowIcon(ui::appIcon());
  applyForcedPalette(app);
  // With a tray, closing the window can leave Ferry serving; it then quits
  // through its Quit action.
  if (QSystemTrayIcon::isSystemTrayAvailable()) app.setQuitOnLastWindowClosed(false);

  ui::LaunchOptions launch;
  launch.server = cmd.server;
  launch.cacheDirectory = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
  launch.portGiven = cmd.portGiven;
  launch.bindGiven = cmd.bindGiven;
  launch.rateGiven = cmd.rateGiven;
  launch.maxConnectionsGiven = cmd.maxConnectionsGiven;
  for (const std::string& p : cmd.paths) launch.paths << QString::fromStdString(p);

  ui::MainWindow window(ui::SettingsStore{}, launch);
  ui::TerminationSignals termination;
  QObject::connect(&termination, &ui::TerminationSignals::received, &window, &ui::MainWindow::endSession);
  window.show();
  QTimer::singleShot(0, &window, &ui::MainWindow::startIfWanted);
  scheduleScreenshot(window);
  return app.exec();
}

}  // namespace
}  // namespace ferry::app

const char* ferry_gui_build(std::size_t* commandLineSize) {
  *commandLineSize = sizeof(ferry::app::CommandLine);
  return kFerryGuiBuild;
}

int ferry_gui_main(int argc, char** argv, const ferry::app::CommandLine* cmd) {
  return ferry::app::runGui(argc, argv, *cmd);
}
