#include "widgets/qr_panel.h"

#include <algorithm>

#include <QAction>
#include <QLabel>
#include <QTextDocumentFragment>
#include <QToolButton>
#include <QVBoxLayout>

#include "widgets/link_text.h"
#include "widgets/qr_code_widget.h"

namespace ferry::ui {

QLabel* QrPanel::directionLabel(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  l->setAlignment(Qt::AlignHCenter);
  QFont f = l->font();
  f.setBold(true);
  l->setFont(f);
  return l;
}

QrPanel::QrPanel(QAction* copyLink, QWidget* parent) : QFrame(parent) {
  setFrameShape(QFrame::StyledPanel);
  selection_ = new QLabel(this);
  selection_->setAlignment(Qt::AlignHCenter);
  selection_->hide();
  name_ = new QLabel(this);
  QFont bold = name_->font();
  bold.setBold(true);
  name_->setFont(bold);
  name_->setAlignment(Qt::AlignHCenter);
  // Which way the file goes, on the code itself: the receive panel's says
  // the other way.
  direction_ = directionLabel(tr("This computer → phone"), this);
  direction_->setObjectName(QStringLiteral("qrDirection"));
  code_ = new QrCodeWidget(this);
  code_->setMinimumSize(140, 140);
  link_ = new LinkText(this);
  link_->setObjectName(QStringLiteral("shareLink"));
  rules_ = new QLabel(this);
  rules_->setObjectName(QStringLiteral("shareRules"));
  rules_->setAlignment(Qt::AlignHCenter);
  rules_->setWordWrap(true);
  rules_->setTextFormat(Qt::RichText);
  rules_->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse |
                                  Qt::LinksAccessibleByKeyboard);
  connect(rules_, &QLabel::linkActivated, this, [this] { revealPassword(); });
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
    else if (which == QLatin1String("#ca")) emit caPageRequested();
    else emit troubleshootRequested();
  });

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(6, 10, 6, 10);
  layout->addWidget(selection_);
  layout->addWidget(name_);
  layout->addWidget(direction_);
  layout->addWidget(code_, 1);
  layout->addWidget(link_);
  layout->addWidget(rules_);
  layout->addWidget(copy);
  layout->addWidget(more_);
  // The code (140) or the direction on it, whole, and the margins: the
  // shares list gets the rest.
  setMinimumWidth(std::max(170, direction_->sizeHint().width() + 12 + 2 * frameWidth()));
  setShare({}, {});
}

QrPanel::~QrPanel() = default;

void QrPanel::setShare(const QString& name, const QString& link) {
  if (link != fullLink_) passwordShown_ = false;
  fullName_ = name;
  fullLink_ = link;
  code_->setText(link);
  direction_->setVisible(!link.isEmpty());
  link_->setLink(link, name.isEmpty() ? tr("Select a shared file to show its link here.") : QString());
  link_->setVisible(!link.isEmpty() || name.isEmpty());
  showMore();
  if (link.isEmpty()) setRules({}, {});
  elide();
}

void QrPanel::setCaPageOffered(bool offered) {
  caPageOffered_ = offered;
  showMore();
}

void QrPanel::showMore() {
  QString html = QStringLiteral("<a href=\"#help\">%1</a>").arg(tr("Can't connect?"));
  if (!fullLink_.isEmpty())
    html = QStringLiteral("<a href=\"#addresses\">%1</a> · %2").arg(tr("Other addresses…"), html);
  // Only where the link is https: an http:// link warns about nothing.
  if (caPageOffered_ && !fullLink_.startsWith(QLatin1String("http:")))
    html += QStringLiteral("<br><a href=\"#ca\">%1</a>").arg(tr("Phone warns? Trust this computer"));
  more_->setText(html);
}

void QrPanel::setSelectedCount(int selected) {
  selection_->setText(selected > 1 ? tr("1 of %1 selected").arg(selected) : QString());
  selection_->setToolTip(selected > 1 ? tr("The code and link are those of the current one; Copy Link copies all %1")
                                            .arg(selected)
                                      : QString());
  selection_->setVisible(selected > 1);
}

void QrPanel::setRules(const QString& summary, const QString& password) {
  if (password != password_) passwordShown_ = false;
  rulesSummary_ = summary;
  password_ = password;
  showRules();
}

void QrPanel::revealPassword() {
  passwordShown_ = true;
  showRules();
}

void QrPanel::showRules() {
  QString html = rulesSummary_.toHtmlEscaped();
  if (!password_.isEmpty()) {
    html += QStringLiteral("<br>");
    html += passwordShown_ ? tr("Password: <b>%1</b>").arg(password_.toHtmlEscaped())
                           : QStringLiteral("<a href=\"#password\">%1</a>").arg(tr("Show password"));
  }
  rules_->setText(html);
  rules_->setVisible(!html.isEmpty());
}

QString QrPanel::selectionText() const { return selection_->isVisibleTo(this) ? selection_->text() : QString(); }
QString QrPanel::directionText() const { return direction_->text(); }
QString QrPanel::shownLink() const { return link_->toPlainText(); }
QString QrPanel::rulesText() const { return QTextDocumentFragment::fromHtml(rules_->text()).toPlainText(); }

void QrPanel::resizeEvent(QResizeEvent* event) {
  QFrame::resizeEvent(event);
  elide();
}

void QrPanel::elide() {
  const int w = std::max(60, contentsRect().width() - 24);
  name_->setText(name_->fontMetrics().elidedText(fullName_, Qt::ElideMiddle, w));
}

}  // namespace ferry::ui
