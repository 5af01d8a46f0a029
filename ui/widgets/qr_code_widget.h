#pragma once

// QrCodeWidget: the QR code of one text (a link), drawn crisp at whole-pixel
// module sizes with the quiet zone scanners need, always dark on white so a
// phone reads it whatever the palette. Owns the encoded modules (libqrencode).
//
// GUI thread only.

#include <vector>

#include <QString>
#include <QWidget>

namespace ferry::ui {

class QrCodeWidget final : public QWidget {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(QrCodeWidget)

 public:
  explicit QrCodeWidget(QWidget* parent = nullptr);
  ~QrCodeWidget() override;

  void setText(const QString& text);
  QString text() const { return text_; }
  // Modules per side (0 when empty); module(x, y) true = dark.
  int modules() const { return size_; }
  bool module(int x, int y) const { return dark_[static_cast<std::size_t>(y * size_ + x)]; }
  // The code alone, `scale` pixels a module, with a 4-module quiet zone.
  QImage toImage(int scale) const;

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;
  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int w) const override { return w; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QString text_;
  int size_ = 0;
  std::vector<bool> dark_;
};

}  // namespace ferry::ui
