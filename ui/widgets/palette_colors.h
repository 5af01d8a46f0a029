#pragma once

// The palettes Ferry can force (FERRY_PALETTE=dark|light, for screenshots
// and for checking every widget in both) and the colours of its own that
// must read on whichever palette is in use. Pure functions.
//
// GUI thread only (QPalette, QApplication).

#include <QColor>
#include <QPalette>

namespace ferry::ui {

// Fusion's own palette made dark: grey window, near-black base.
QPalette darkPalette(QPalette from);

// Text that says something failed, on the palette's base: a red with at
// least WCAG's 4.5:1 contrast against it (no one red does on both a white
// and a near-black base: the dark one is lighter).
QColor failureTextColor(const QPalette& palette);

// WCAG 2 relative luminance and contrast ratio (1 to 21).
double relativeLuminance(const QColor& c);
double contrastRatio(const QColor& a, const QColor& b);

}  // namespace ferry::ui
