#include "run_gui.h"

#include <cstdio>
#include <cstdlib>

#include <QApplication>
#include <QFileInfo>
#include <QIcon>
#include <QPalette>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QTimer>

#include "desktop/app_icon.h"
#include "desktop/file_open_filter.h"
#include "main_window.h"
#include "widgets/palette_colors.h"
#include "settings/settings_store.h"
#include "desktop/single_instance.h"
#include "desktop/termination_signals.h"

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

// FERRY_SCREENSHOT=FILE [FERRY_SCREENSHOT_DELAY=seconds]
// [FERRY_SCREENSHOT_SIZE=WxH]: once the delay has passed, save the window as
// it is (QWidget::grab) and quit; the size, if given, is the window's from
// the start. Used by scripts/screenshot.sh on a real run with real downloads.
void scheduleScreenshot(ui::MainWindow& window) {
  const QString file = qEnvironmentVariable("FERRY_SCREENSHOT");
  if (file.isEmpty()) return;
  if (const QStringList size = qEnvironmentVariable("FERRY_SCREENSHOT_SIZE").split(QLatin1Char('x')); size.size() == 2)
    window.resize(size[0].toInt(), size[1].toInt());
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
  // Closing the window can leave Ferry serving (in the tray, or in the
  // background where there is none, and a tray may appear later); it then
  // quits through its Quit action.
  app.setQuitOnLastWindowClosed(false);

  ui::LaunchOptions launch;
  launch.server = cmd.server;
  launch.cacheDirectory = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
  launch.portGiven = cmd.portGiven;
  launch.bindGiven = cmd.bindGiven;
  launch.rateGiven = cmd.rateGiven;
  launch.maxConnectionsGiven = cmd.maxConnectionsGiven;
  for (const std::string& p : cmd.paths) launch.paths << QFileInfo(QString::fromStdString(p)).absoluteFilePath();

  // One window per session: a Ferry already running gets the paths instead
  // (a file manager's "Open with" starts one process per file).
  std::unique_ptr<ui::SingleInstance> instance;
  if (!cmd.newInstance) {
    instance = std::make_unique<ui::SingleInstance>(ui::SingleInstance::defaultKey());
    switch (instance->start(launch.paths)) {
      case ui::SingleInstance::Role::Primary: break;
      case ui::SingleInstance::Role::Forwarded:
        if (!launch.paths.isEmpty())
          std::fprintf(stderr, "ferry: handed %lld %s to the Ferry already running\n",
                       static_cast<long long>(launch.paths.size()), launch.paths.size() == 1 ? "path" : "paths");
        return 0;
      case ui::SingleInstance::Role::Failed:
        std::fprintf(stderr, "ferry: %s\nferry: `ferry --new-instance` opens a window of its own.\n",
                     qPrintable(instance->error()));
        return 1;
    }
  }

  // macOS hands files over as events (Finder's "Open With", the Dock).
  ui::FileOpenFilter fileOpens;
  app.installEventFilter(&fileOpens);

  ui::MainWindow window(ui::SettingsStore{}, launch);
  ui::TerminationSignals termination;
  QObject::connect(&termination, &ui::TerminationSignals::received, &window, &ui::MainWindow::endSession);
  window.show();
  QTimer::singleShot(0, &window, [&window, &instance, &fileOpens] {
    window.startIfWanted();
    if (instance) instance->setHandler([&window](const QStringList& paths) { window.takeLaunch(paths); });
    fileOpens.setHandler([&window](const QStringList& paths) { window.takeLaunch(paths); });
  });
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
