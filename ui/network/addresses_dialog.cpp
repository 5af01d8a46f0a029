#include "network/addresses_dialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include "widgets/qr_code_widget.h"

namespace ferry::ui {

QString linkAt(const QUrl& link, const QString& host) {
  QUrl u(link);
  u.setHost(host);
  return u.toString(QUrl::FullyEncoded);
}

AddressesDialog::AddressesDialog(const QString& name, const QUrl& link, const QList<LinkAddress>& addresses,
                                 QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("%1 at Every Address").arg(name));
  auto* intro = new QLabel(tr("Each network adapter of this computer has its own address. If the link does not "
                              "open on the other device, scan the code of the network that device is on."),
                           this);
  intro->setWordWrap(true);

  auto* grid = new QWidget(this);
  auto* layout = new QGridLayout(grid);
  constexpr int kColumns = 3;
  int n = 0;
  for (const LinkAddress& a : addresses) {
    if (a.kind == AdapterKind::Loopback) continue;  // reaches no other device
    const QString url = linkAt(link, a.host);
    links_ << url;
    auto* card = new QWidget(grid);
    auto* v = new QVBoxLayout(card);
    auto* title = new QLabel(a.label, card);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    title->setAlignment(Qt::AlignHCenter);
    v->addWidget(title);
    if (a.unlikely) {
      auto* note = new QLabel(tr("A virtual adapter: only reachable from its VPN, containers or virtual machines"), card);
      note->setWordWrap(true);
      note->setAlignment(Qt::AlignHCenter);
      v->addWidget(note);
    }
    auto* code = new QrCodeWidget(card);
    code->setText(url);
    code->setMinimumSize(160, 160);
    codes_ << code;
    v->addWidget(code, 1);
    auto* text = new QLabel(url, card);
    text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    text->setWordWrap(true);
    text->setAlignment(Qt::AlignHCenter);
    v->addWidget(text);
    auto* copy = new QPushButton(tr("Copy Link"), card);
    connect(copy, &QPushButton::clicked, this, [url] { QApplication::clipboard()->setText(url); });
    v->addWidget(copy);
    layout->addWidget(card, n / kColumns, n % kColumns);
    ++n;
  }
  if (n == 0) layout->addWidget(new QLabel(tr("This computer has no network address other devices could use."), grid));

  auto* scroll = new QScrollArea(this);
  scroll->setWidget(grid);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  QPushButton* help = buttons->addButton(tr("Can't Connect?"), QDialogButtonBox::HelpRole);
  connect(help, &QPushButton::clicked, this, [this] {
    emit troubleshootRequested();
    accept();
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* outer = new QVBoxLayout(this);
  outer->addWidget(intro);
  outer->addWidget(scroll, 1);
  outer->addWidget(buttons);
  resize(std::min(3, std::max(1, n)) * 250 + 40, 520);
}

AddressesDialog::~AddressesDialog() = default;

}  // namespace ferry::ui
