#pragma once

// LinkText: a link shown whole for people to read — percent-encoding
// decoded ("holiday photos.zip", not "holiday%20photos.zip"), wrapped
// anywhere so no part is elided, selectable, and as tall as its lines. The
// link itself (encoded, what Copy gives) is kept apart from the text shown.
// Owns only its document.
//
// GUI thread only.

#include <QTextEdit>

namespace ferry::ui {

class LinkText final : public QTextEdit {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(LinkText)

 public:
  explicit LinkText(QWidget* parent = nullptr);
  ~LinkText() override;

  // `link` as sent; `prose` (when the link is empty) a sentence instead.
  void setLink(const QString& link, const QString& prose = {});
  QString link() const { return link_; }
  // What a person reads: the link with its percent-encoding decoded.
  static QString readable(const QString& link);

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void fitHeight();

  QString link_;
};

}  // namespace ferry::ui
