#include "widgets/qr_code_widget.h"

#include <algorithm>

#include <QImage>
#include <QPainter>

#include <qrencode.h>

namespace ferry::ui {
namespace {
constexpr int kQuiet = 4;  // modules of white around the code (ISO/IEC 18004)
}

QrCodeWidget::QrCodeWidget(QWidget* parent) : QWidget(parent) {
  setAccessibleName(tr("QR code of the selected link"));
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
}

QrCodeWidget::~QrCodeWidget() = default;

void QrCodeWidget::setText(const QString& text) {
  if (text == text_) return;
  text_ = text;
  size_ = 0;
  dark_.clear();
  if (!text.isEmpty()) {
    const QByteArray utf8 = text.toUtf8();
    // Medium error correction: survives a smudged screen, stays small.
    if (QRcode* code = QRcode_encodeString8bit(utf8.constData(), 0, QR_ECLEVEL_M)) {
      size_ = code->width;
      dark_.resize(static_cast<std::size_t>(size_ * size_));
      for (int i = 0; i < size_ * size_; ++i) dark_[static_cast<std::size_t>(i)] = code->data[i] & 1;
      QRcode_free(code);
    }
  }
  setToolTip(text.isEmpty() ? QString() : tr("Scan with a phone on the same network to open\n%1").arg(text));
  update();
}

QSize QrCodeWidget::sizeHint() const { return {200, 200}; }
QSize QrCodeWidget::minimumSizeHint() const { return {120, 120}; }

QImage QrCodeWidget::toImage(int scale) const {
  const int side = (size_ + 2 * kQuiet) * scale;
  QImage img(side, side, QImage::Format_RGB32);
  img.fill(Qt::white);
  QPainter p(&img);
  for (int y = 0; y < size_; ++y)
    for (int x = 0; x < size_; ++x)
      if (module(x, y)) p.fillRect((x + kQuiet) * scale, (y + kQuiet) * scale, scale, scale, Qt::black);
  return img;
}

void QrCodeWidget::paintEvent(QPaintEvent*) {
  QPainter p(this);
  const int side = std::min(width(), height());
  if (size_ == 0) {
    QColor c = palette().color(QPalette::WindowText);
    c.setAlphaF(0.5);
    p.setPen(c);
    p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap,
               tr("Select a shared file to see its QR code"));
    return;
  }
  // Whole pixels per module keep the edges sharp for a camera.
  const int scale = std::max(1, side / (size_ + 2 * kQuiet));
  const int drawn = (size_ + 2 * kQuiet) * scale;
  const QPoint origin((width() - drawn) / 2, (height() - drawn) / 2);
  p.fillRect(QRect(origin, QSize(drawn, drawn)), Qt::white);
  for (int y = 0; y < size_; ++y)
    for (int x = 0; x < size_; ++x)
      if (module(x, y))
        p.fillRect(origin.x() + (x + kQuiet) * scale, origin.y() + (y + kQuiet) * scale, scale, scale, Qt::black);
}

}  // namespace ferry::ui
