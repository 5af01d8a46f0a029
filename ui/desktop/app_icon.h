#pragma once

// Ferry's app icon, painted with QPainter from the same shapes as
// resources/io.github.ferry_app.Ferry.svg (so no SVG module is needed at run
// time). Pure functions; any thread (QImage painting only).

#include <QIcon>
#include <QImage>

namespace ferry::ui {

// The icon at size x size pixels, transparent around the tile.
QImage renderAppIcon(int size);
// Every size a desktop asks for (16 to 256).
QIcon appIcon();

}  // namespace ferry::ui
