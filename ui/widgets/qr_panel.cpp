#include "widgets/qr_panel.h"

#include <QAction>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

#include "widgets/qr_code_widget.h"

namespace ferry::ui {

QrPanel::QrPanel(QAction* copyLink, QWidget* parent) : QFrame(parent) {
  setFrameShape(QFrame::StyledPanel);
  name_ = new QLabel(this);
  QFont bold = name_->font();
  bold.setBold(true);
  name_->setFont(bold);
  name_->setAlignment(Qt::AlignHCenter);
  code_ = new QrCodeWidget(this);
  link_ = new QLabel(this);
  link_->setAlignment(Qt::AlignHCenter);
  link_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  QFont small = link_->font();
  small.setPointSizeF(small.pointSizeF() * 0.9);
  link_->setFont(small);
  auto* copy = new QToolButton(this);
  copy->setDefaultAction(copyLink);
  copy->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  copy->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);

  // Two links rather than buttons: they are the way out when the code does
  // not work, not something to press every time.
  more_ = new QLabel(this);
  more_->setAlignment(Qt::AlignHCenter);
  more_->setTextFormat(Qt::RichText);
  more_->setTextInteractionFlags(Qt::LinksAccessibleByMouse | Qt::LinksAccessibleByKeyboard);
  more_->setWordWrap(true);
  connect(more_, &QLabel::linkActivated, this, [this](const QString& which) {
    if (which == QLatin1String("#addresses")) emit otherAddressesRequested();
    else emit troubleshootRequested();
  });

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(10, 10, 10, 10);
  layout->addWidget(name_);
  layout->addWidget(code_, 1);
  layout->addWidget(link_);
  layout->addWidget(copy);
  layout->addWidget(more_);
  setMinimumWidth(200);
  setShare({}, {});
}

QrPanel::~QrPanel() = default;

void QrPanel::setShare(const QString& name, const QString& link) {
  fullName_ = name;
  fullLink_ = link;
  code_->setText(link);
  link_->setToolTip(link);
  const QString help = QStringLiteral("<a href=\"#help\">%1</a>").arg(tr("Can't connect?"));
  more_->setText(link.isEmpty() ? help
                                : QStringLiteral("<a href=\"#addresses\">%1</a> · %2").arg(tr("Other addresses…"), help));
  elide();
}

void QrPanel::resizeEvent(QResizeEvent* event) {
  QFrame::resizeEvent(event);
  elide();
}

void QrPanel::elide() {
  const int w = std::max(60, contentsRect().width() - 24);
  name_->setText(name_->fontMetrics().elidedText(fullName_, Qt::ElideMiddle, w));
  link_->setText(link_->fontMetrics().elidedText(fullLink_, Qt::ElideMiddle, w));
}

}  // namespace ferry::ui
