#include "widgets/message_bar.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPointer>
#include <QStyle>
#include <QToolButton>

namespace ferry::ui {

MessageBar::MessageBar(QWidget* parent) : QFrame(parent) {
  setAccessibleName(tr("Message"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(10, 6, 6, 6);
  icon_ = new QLabel(this);
  text_ = new QLabel(this);
  text_->setWordWrap(true);
  text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  text_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  buttonBox_ = new QHBoxLayout;
  auto* close = new QToolButton(this);
  close->setAutoRaise(true);
  close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton));
  close->setToolTip(tr("Dismiss"));
  close->setAccessibleName(tr("Dismiss message"));
  connect(close, &QToolButton::clicked, this, &MessageBar::dismiss);
  layout->addWidget(icon_);
  layout->addWidget(text_, 1);
  layout->addLayout(buttonBox_);
  layout->addWidget(close);
  hide();
}

MessageBar::~MessageBar() = default;

QString MessageBar::text() const { return text_->text(); }

QColor MessageBar::accent() const {
  switch (level_) {
    case Level::Info: return palette().color(QPalette::Highlight);
    case Level::Warning: return QColor(0xe0, 0x9a, 0x1b);
    case Level::Error: return QColor(0xd9, 0x48, 0x3b);
  }
  return {};
}

void MessageBar::showMessage(Level level, const QString& text, const QList<QAction*>& actions) {
  level_ = level;
  const QStyle::StandardPixmap pix = level == Level::Info      ? QStyle::SP_MessageBoxInformation
                                     : level == Level::Warning ? QStyle::SP_MessageBoxWarning
                                                               : QStyle::SP_MessageBoxCritical;
  const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
  icon_->setPixmap(style()->standardIcon(pix).pixmap(iconSize, iconSize));
  text_->setText(text);
  // Later: the button whose action replaced this message may be emitting.
  for (QToolButton* b : buttons_) {
    b->hide();
    b->deleteLater();
  }
  buttons_.clear();
  for (QAction* a : actions) {
    auto* b = new QToolButton(this);
    b->setText(a->text());
    b->setToolTip(a->toolTip());
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    // The button answers this message: it goes first, then the action runs
    // (and may show the next one). The action itself stays free to be
    // triggered elsewhere without touching whatever the bar says then.
    connect(b, &QToolButton::clicked, this, [this, a = QPointer<QAction>(a)] {
      dismiss();
      if (a) a->trigger();
    });
    buttonBox_->addWidget(b);
    buttons_.push_back(b);
  }
  show();
  update();
}

void MessageBar::dismiss() {
  hide();
  text_->clear();
}

void MessageBar::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QColor base = palette().color(QPalette::Window);
  const QColor a = accent();
  // 18% of the accent over the window colour: a tint that keeps the
  // palette's own text readable, light or dark.
  QColor tint = QColor::fromRgbF(base.redF() * 0.82 + a.redF() * 0.18, base.greenF() * 0.82 + a.greenF() * 0.18,
                                 base.blueF() * 0.82 + a.blueF() * 0.18);
  p.setPen(QPen(a, 1));
  p.setBrush(tint);
  p.drawRoundedRect(QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5), 4, 4);
}

}  // namespace ferry::ui
