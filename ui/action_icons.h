#pragma once

// The Start/Stop icons, painted: a green "play" and a red "stop" read as the
// server's state at a glance on every platform and theme. Pure functions;
// GUI thread (QPixmap).

#include <QIcon>

namespace ferry::ui {

QIcon startIcon();
QIcon stopIcon();

}  // namespace ferry::ui
