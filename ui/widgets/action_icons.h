#pragma once

// The Start/Stop icons, painted: a green "play" and a red "stop" read as the
// server's state at a glance on every platform and theme; and a padlock,
// which few icon themes name alike. Pure functions;
// GUI thread (QPixmap).

#include <QIcon>

namespace ferry::ui {

QIcon startIcon();
QIcon stopIcon();
// A padlock: a link that asks for a password.
QIcon padlockIcon();

}  // namespace ferry::ui
