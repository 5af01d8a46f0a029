#include "widgets/link_text.h"

#include <cmath>

#include <QTextDocument>
#include <QUrl>

namespace ferry::ui {

LinkText::LinkText(QWidget* parent) : QTextEdit(parent) {
  setReadOnly(true);
  setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
  setFrameShape(QFrame::NoFrame);
  setLineWrapMode(QTextEdit::WidgetWidth);
  // A link has no spaces to break at: any character may end a line.
  setWordWrapMode(QTextOption::WrapAnywhere);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  setFocusPolicy(Qt::ClickFocus);
  // On the panel's colour, like a label.
  viewport()->setAutoFillBackground(false);
  setStyleSheet(QStringLiteral("QTextEdit { background: transparent; }"));
  document()->setDocumentMargin(2);
}

LinkText::~LinkText() = default;

QString LinkText::readable(const QString& link) { return QUrl::fromPercentEncoding(link.toUtf8()); }

void LinkText::setLink(const QString& link, const QString& prose) {
  link_ = link;
  setPlainText(link.isEmpty() ? prose : readable(link));
  QTextOption o = document()->defaultTextOption();
  o.setAlignment(Qt::AlignHCenter);
  o.setWrapMode(QTextOption::WrapAnywhere);
  document()->setDefaultTextOption(o);
  setToolTip(link);
  fitHeight();
}

QSize LinkText::sizeHint() const { return {160, height()}; }
QSize LinkText::minimumSizeHint() const { return {60, height()}; }

void LinkText::resizeEvent(QResizeEvent* event) {
  QTextEdit::resizeEvent(event);
  fitHeight();
}

void LinkText::fitHeight() {
  document()->setTextWidth(viewport()->width() > 0 ? viewport()->width() : 160);
  const int h = static_cast<int>(std::ceil(document()->size().height())) + 2 * frameWidth();
  if (h != height()) setFixedHeight(h);
}

}  // namespace ferry::ui
