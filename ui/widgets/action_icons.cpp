#include "widgets/action_icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace ferry::ui {
namespace {

template <typename Paint>
QIcon painted(Paint paint) {
  QIcon icon;
  for (int s : {16, 22, 24, 32, 48, 64}) {
    QPixmap pm(s, s);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.scale(s / 24.0, s / 24.0);  // drawn on a 24-unit canvas
    paint(p);
    p.end();
    icon.addPixmap(pm);
  }
  return icon;
}

}  // namespace

QIcon startIcon() {
  return painted([](QPainter& p) {
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0x2e, 0x9d, 0x4f));
    p.drawEllipse(QRectF(2, 2, 20, 20));
    QPainterPath play;
    play.moveTo(9.5, 7);
    play.lineTo(17, 12);
    play.lineTo(9.5, 17);
    play.closeSubpath();
    p.setBrush(Qt::white);
    p.drawPath(play);
  });
}

QIcon stopIcon() {
  return painted([](QPainter& p) {
    p.setPen(Qt::NoPen);
    // A calm grey: stopping is a choice offered, not an alarm while all is well.
    p.setBrush(QColor(0x7a, 0x7f, 0x87));
    p.drawEllipse(QRectF(2, 2, 20, 20));
    p.setBrush(Qt::white);
    p.drawRoundedRect(QRectF(8, 8, 8, 8), 1.5, 1.5);
  });
}

QIcon padlockIcon() {
  return painted([](QPainter& p) {
    const QColor ink(0xb0, 0x7d, 0x12);
    p.setPen(QPen(ink, 2.4));
    p.setBrush(Qt::NoBrush);
    p.drawArc(QRectF(7, 3, 10, 12), 0, 180 * 16);
    p.drawLine(QPointF(7, 9), QPointF(7, 11));
    p.drawLine(QPointF(17, 9), QPointF(17, 11));
    p.setPen(Qt::NoPen);
    p.setBrush(ink);
    p.drawRoundedRect(QRectF(4.5, 10.5, 15, 11), 2, 2);
    p.setBrush(Qt::white);
    p.drawEllipse(QRectF(10.5, 13.5, 3, 3));
    p.drawRect(QRectF(11.3, 15.5, 1.4, 3.5));
  });
}

}  // namespace ferry::ui
