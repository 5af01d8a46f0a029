#include "nearby/pin_dialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace ferry::ui {

PinDialog::PinDialog(std::uint64_t session, const QString& device, bool wrong, QWidget* parent)
    : QDialog(parent), session_(session), wrong_(wrong) {
  setObjectName(QStringLiteral("localSendPin"));
  setWindowTitle(tr("PIN for %1").arg(device));
  setWindowModality(Qt::WindowModal);

  auto* says = new QLabel(tr("%1 wants a PIN before it takes what you send. The PIN is shown in its LocalSend app's "
                             "settings.")
                              .arg(device),
                          this);
  says->setTextFormat(Qt::PlainText);  // a device names itself
  says->setWordWrap(true);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(says);
  if (wrong) {
    auto* again = new QLabel(tr("Wrong PIN, try again."), this);
    again->setObjectName(QStringLiteral("wrongPin"));
    QFont bold = again->font();
    bold.setBold(true);
    again->setFont(bold);
    layout->addWidget(again);
  }
  pin_ = new QLineEdit(this);
  pin_->setObjectName(QStringLiteral("pin"));
  pin_->setMaxLength(64);
  auto* form = new QFormLayout;
  form->addRow(tr("&PIN:"), pin_);
  layout->addLayout(form);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  ok_ = buttons->button(QDialogButtonBox::Ok);
  ok_->setText(tr("&Send"));
  ok_->setEnabled(false);  // an empty PIN would give up: that is Cancel's job
  connect(pin_, &QLineEdit::textChanged, this, [this] { ok_->setEnabled(!pin().isEmpty()); });
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  layout->addWidget(buttons);
  pin_->setFocus();
}

PinDialog::~PinDialog() = default;

QString PinDialog::pin() const { return pin_->text().trimmed(); }

}  // namespace ferry::ui
