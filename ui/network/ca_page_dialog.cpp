#include "network/ca_page_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QVBoxLayout>

#include "widgets/link_text.h"
#include "widgets/qr_code_widget.h"
#include "widgets/qr_panel.h"

namespace ferry::ui {

CaPageDialog::CaPageDialog(const QString& pageUrl, const QString& caName, const QString& fingerprint,
                           QWidget* parent)
    : QDialog(parent), pageUrl_(pageUrl) {
  setWindowTitle(tr("Trust This Computer on a Phone"));
  auto* steps = new QLabel(tr("A phone that warns about the link has not trusted \"%1\" yet. Scan this code with "
                              "it, install the certificate as the page says (once per phone), then scan the "
                              "link's code again.")
                               .arg(caName),
                           this);
  steps->setWordWrap(true);
  auto* direction = QrPanel::directionLabel(tr("Certificate → phone"), this);
  code_ = new QrCodeWidget(this);
  code_->setObjectName(QStringLiteral("caPageCode"));
  code_->setMinimumSize(180, 180);
  code_->setText(pageUrl);
  auto* link = new LinkText(this);
  link->setObjectName(QStringLiteral("caPageLink"));
  link->setLink(pageUrl);
  // Someone who can change traffic on the network could serve a page with
  // a CA of their own: the fingerprint is how a person notices.
  fingerprint_ = new QLabel(tr("The page must show this fingerprint (SHA-256):\n%1").arg(fingerprint), this);
  fingerprint_->setObjectName(QStringLiteral("caFingerprint"));
  fingerprint_->setWordWrap(true);
  fingerprint_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(steps);
  layout->addWidget(direction);
  layout->addWidget(code_, 1);
  layout->addWidget(link);
  layout->addWidget(fingerprint_);
  layout->addWidget(buttons);
  resize(380, 520);
}

CaPageDialog::~CaPageDialog() = default;

QString CaPageDialog::fingerprintText() const { return fingerprint_->text(); }

}  // namespace ferry::ui
