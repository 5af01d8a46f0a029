#include "receive/receive_panel.h"

#include <QCheckBox>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStandardPaths>
#include <QUrl>
#include <QVBoxLayout>

#include "widgets/link_text.h"
#include "widgets/qr_code_widget.h"
#include "widgets/qr_panel.h"
#include "server_bridge.h"

namespace ferry::ui {

ReceivePanel::ReceivePanel(ServerBridge* bridge, QWidget* parent) : QFrame(parent), bridge_(bridge) {
  setObjectName(QStringLiteral("receivePanel"));
  setFrameShape(QFrame::StyledPanel);
  toggle_ = new QCheckBox(tr("Receive files"), this);
  toggle_->setToolTip(tr("Let phones and browsers (or curl -T) send files to this computer"));
  QFont bold = toggle_->font();
  bold.setBold(true);
  toggle_->setFont(bold);

  folderLabel_ = new QLabel(this);
  folderLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  folderLabel_->setWordWrap(true);
  change_ = new QPushButton(tr("Change…"), this);
  open_ = new QPushButton(tr("Open Folder"), this);
  auto* folderRow = new QHBoxLayout;
  folderRow->addWidget(change_);
  folderRow->addWidget(open_);

  // As large as the share's code, and labelled by direction on the code.
  direction_ = QrPanel::directionLabel(tr("Phone → this computer"), this);
  direction_->setObjectName(QStringLiteral("receiveDirection"));
  code_ = new QrCodeWidget(this);
  code_->setAccessibleName(tr("QR code of the receive link"));
  code_->setMinimumSize(140, 140);
  linkLabel_ = new QLabel(this);
  linkLabel_->setAlignment(Qt::AlignHCenter);
  linkLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  linkLabel_->setWordWrap(true);
  linkText_ = new LinkText(this);
  linkText_->setObjectName(QStringLiteral("receiveLink"));
  copy_ = new QPushButton(tr("Copy Link"), this);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(10, 10, 10, 10);
  layout->addWidget(toggle_);
  layout->addWidget(folderLabel_);
  layout->addLayout(folderRow);
  layout->addWidget(direction_);
  layout->addWidget(code_);
  layout->addWidget(linkLabel_);
  layout->addWidget(linkText_);
  layout->addWidget(copy_);
  // In a tall column the code keeps its size under its label, the room
  // left over goes below.
  layout->addStretch(1);
  setMinimumWidth(180);  // the code (140) and its margins: the shares list gets the rest

  connect(toggle_, &QCheckBox::toggled, this, [this](bool on) {
    if (on != on_ && !setReceiving(on)) toggle_->setChecked(false);
  });
  connect(change_, &QPushButton::clicked, this, &ReceivePanel::chooseFolder);
  connect(open_, &QPushButton::clicked, this,
          [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(folder_)); });
  connect(copy_, &QPushButton::clicked, this, [this] {
    if (!link_.isEmpty()) QGuiApplication::clipboard()->setText(link_);
  });
  setFolder(defaultFolder());
}

ReceivePanel::~ReceivePanel() = default;

QString ReceivePanel::defaultFolder() {
  QString downloads = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
  if (downloads.isEmpty()) downloads = QDir::homePath();
  return QDir(downloads).filePath(QStringLiteral("Ferry"));
}

void ReceivePanel::setFolder(const QString& dir) {
  folder_ = QDir::cleanPath(dir);
  folderLabel_->setText(tr("Into %1").arg(QDir::toNativeSeparators(folder_)));
  if (on_) setReceiving(true);  // uploads to the old folder end; the link points here
  refresh();
  emit changed();
}

void ReceivePanel::restore(const QString& dir, const QString& token, bool on) {
  token_ = token;
  setFolder(dir.isEmpty() ? defaultFolder() : dir);
  if (on) setReceiving(true);
}

bool ReceivePanel::setReceiving(bool on) {
  if (!on) {
    bridge_->stopReceiving();
    on_ = false;
    toggle_->setChecked(false);
    refresh();
    emit changed();
    return true;
  }
  // Downloads/Ferry is made on first use; a folder the user chose must exist.
  if (folder_ == QDir::cleanPath(defaultFolder())) QDir().mkpath(folder_);
  QString error;
  auto folder = bridge_->setReceiveFolder(folder_, &error, token_);
  // A saved token that is not one (an edited file) draws a new link
  // rather than leaving Receive off.
  if (!folder && !token_.isEmpty()) folder = bridge_->setReceiveFolder(folder_, &error);
  if (!folder) {
    emit problem(error);
    on_ = false;
    toggle_->setChecked(false);
    refresh();
    return false;
  }
  token_ = QString::fromStdString(folder->token);
  on_ = true;
  toggle_->setChecked(true);
  refresh();
  emit changed();
  return true;
}

void ReceivePanel::setLinkHost(const QString& host) {
  host_ = host;
  refresh();
}

void ReceivePanel::refresh() {
  link_ = on_ ? bridge_->receiveLink(host_) : QString();
  code_->setText(link_);
  code_->setVisible(on_);
  direction_->setVisible(on_ && !link_.isEmpty());
  linkText_->setLink(link_);
  linkText_->setVisible(!link_.isEmpty());
  linkLabel_->setVisible(link_.isEmpty());
  copy_->setEnabled(!link_.isEmpty());
  copy_->setVisible(on_);
  if (!on_)
    linkLabel_->setText(tr("Turn this on to get a link where a phone sends files to this computer."));
  else if (link_.isEmpty())
    linkLabel_->setText(tr("The link appears when Ferry is serving."));
  else
    linkLabel_->clear();
}

QString ReceivePanel::directionText() const { return direction_->text(); }
QString ReceivePanel::shownLink() const { return linkText_->toPlainText(); }

void ReceivePanel::chooseFolder() {
  const QString dir = QFileDialog::getExistingDirectory(this, tr("Receive files into"), folder_);
  if (!dir.isEmpty()) setFolder(dir);
}

}  // namespace ferry::ui
