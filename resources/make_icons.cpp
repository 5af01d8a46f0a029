// Writes Ferry's app icon as PNGs for the desktop (hicolor theme layout):
//   make_icons OUTDIR  ->  OUTDIR/<N>x<N>/apps/io.github.ferry_app.Ferry.png
// Run at build time; paints with ui/desktop/app_icon.cpp, the same code the window
// uses, so the installed icon and the running app's icon are one picture.

#include <cstdio>

#include <QDir>
#include <QGuiApplication>

#include "desktop/app_icon.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_icons OUTDIR\n");
    return 2;
  }
  qputenv("QT_QPA_PLATFORM", "offscreen");
  QGuiApplication app(argc, argv);
  const QString out = QString::fromLocal8Bit(argv[1]);
  for (int s : {16, 22, 24, 32, 48, 64, 128, 256}) {
    const QString dir = QStringLiteral("%1/%2x%2/apps").arg(out).arg(s);
    QDir().mkpath(dir);
    const QString file = dir + QStringLiteral("/io.github.ferry_app.Ferry.png");
    if (!ferry::ui::renderAppIcon(s).save(file, "PNG")) {
      std::fprintf(stderr, "make_icons: cannot write %s\n", qPrintable(file));
      return 1;
    }
  }
  return 0;
}
