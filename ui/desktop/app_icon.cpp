#include "desktop/app_icon.h"

#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>

namespace ferry::ui {

QImage renderAppIcon(int size) {
  QImage img(size, size, QImage::Format_ARGB32_Premultiplied);
  img.fill(Qt::transparent);
  QPainter p(&img);
  p.setRenderHint(QPainter::Antialiasing);
  p.scale(size / 256.0, size / 256.0);  // the SVG's 256-unit canvas

  QLinearGradient sea(0, 16, 0, 240);
  sea.setColorAt(0, QColor(0x35, 0xB0, 0xEA));
  sea.setColorAt(1, QColor(0x13, 0x58, 0xB8));
  p.setPen(Qt::NoPen);
  p.setBrush(sea);
  p.drawRoundedRect(QRectF(16, 16, 224, 224), 52, 52);

  p.setBrush(Qt::white);
  p.drawRoundedRect(QRectF(138, 58, 18, 34), 4, 4);   // funnel
  p.drawRoundedRect(QRectF(90, 84, 76, 44), 9, 9);    // cabin
  p.setBrush(QColor(0x1E, 0x7F, 0xD6));
  p.drawRoundedRect(QRectF(104, 97, 16, 14), 3, 3);   // windows
  p.drawRoundedRect(QRectF(128, 97, 16, 14), 3, 3);
  p.setBrush(Qt::white);
  QPainterPath hull;
  hull.moveTo(48, 134);
  hull.lineTo(208, 134);
  hull.lineTo(186, 176);
  hull.lineTo(70, 176);
  hull.closeSubpath();
  p.drawPath(hull);

  QPainterPath wave;
  wave.moveTo(46, 202);
  wave.quadTo(66, 188, 86, 202);
  wave.quadTo(106, 216, 126, 202);
  wave.quadTo(146, 188, 166, 202);
  wave.quadTo(186, 216, 206, 202);
  QColor foam(Qt::white);
  foam.setAlphaF(0.85);
  p.setPen(QPen(foam, 11, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  p.setBrush(Qt::NoBrush);
  p.drawPath(wave);
  p.end();
  return img;
}

QIcon appIcon() {
  QIcon icon;
  for (int s : {16, 22, 24, 32, 48, 64, 128, 256}) icon.addPixmap(QPixmap::fromImage(renderAppIcon(s)));
  return icon;
}

}  // namespace ferry::ui
