#include "shares/share_properties_dialog.h"

#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

#include "shares/expiry_text.h"
#include "widgets/palette_colors.h"
#include "widgets/qr_code_widget.h"
#include "shares/shares_model.h"

namespace ferry::ui {
namespace {


constexpr int kMinPassword = 4;
constexpr int kMaxPassword = 128;

}  // namespace

QString readablePassword() {
  // No letters that read alike (l/1, o/0), none that need a shift key.
  static const char kConsonants[] = "bdfghjkmnprstvwz";
  static const char kVowels[] = "aeiu";
  QRandomGenerator* rng = QRandomGenerator::system();
  QString out;
  for (int group = 0; group < 3; ++group) {
    for (int i = 0; i < 2; ++i) {
      out += QLatin1Char(kConsonants[rng->bounded(16)]);
      out += QLatin1Char(kVowels[rng->bounded(4)]);
    }
    out += QLatin1Char('-');
  }
  out += QString::number(rng->bounded(10, 100));
  return out;
}

SharePropertiesDialog::SharePropertiesDialog(const Share& share, Rotate rotate, QWidget* parent)
    : QDialog(parent), share_(share), rotate_(std::move(rotate)) {
  setWindowTitle(tr("Properties of %1").arg(share.name));

  link_ = new QLabel(this);
  link_->setObjectName(QStringLiteral("link"));
  link_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  link_->setTextFormat(Qt::PlainText);
  link_->setWordWrap(true);
  auto* rotateButton = new QPushButton(tr("&Rotate Link…"), this);
  rotateButton->setObjectName(QStringLiteral("rotate"));
  rotateButton->setToolTip(tr("Give the share a new link: the old one stops working at once"));
  connect(rotateButton, &QPushButton::clicked, this, &SharePropertiesDialog::rotate);
  // The link to hand on: copied, or scanned from its code.
  code_ = new QrCodeWidget(this);
  code_->setObjectName(QStringLiteral("code"));
  code_->setFixedSize(140, 140);
  copyLink_ = new QPushButton(tr("Copy &Link"), this);
  copyLink_->setObjectName(QStringLiteral("copyLink"));
  copyLink_->setAutoDefault(false);
  connect(copyLink_, &QPushButton::clicked, this,
          [this] { QGuiApplication::clipboard()->setText(share_.link); });
  auto* linkSide = new QVBoxLayout;
  linkSide->addWidget(link_);
  auto* linkButtons = new QHBoxLayout;
  linkButtons->addWidget(copyLink_);
  linkButtons->addWidget(rotateButton);
  linkButtons->addStretch(1);
  linkSide->addLayout(linkButtons);
  linkSide->addStretch(1);
  auto* linkRow = new QHBoxLayout;
  linkRow->addWidget(code_);
  linkRow->addLayout(linkSide, 1);
  showLink(share.link, tr("(the link appears when Ferry serves)"));

  const QDateTime now = QDateTime::currentDateTime();
  expiry_ = new QComboBox(this);
  expiry_->setObjectName(QStringLiteral("expiry"));
  if (share.rules.expires)
    expiry_->addItem(tr("As set: %1").arg(describeExpiry(toQDateTime(*share.rules.expires), now)), kKeep);
  expiry_->addItem(tr("Never"), kNever);
  expiry_->addItem(tr("In 1 hour"), kHour);
  expiry_->addItem(tr("In 1 day"), kDay);
  expiry_->addItem(tr("In 7 days"), kWeek);
  // One control: a choice from the list, or a time typed into it.
  expiry_->setEditable(true);
  expiry_->setInsertPolicy(QComboBox::NoInsert);
  expiryText_ = expiry_->lineEdit();
  expiryText_->setObjectName(QStringLiteral("expiryText"));
  expiryText_->setPlaceholderText(tr("in 2 hours, tomorrow 18:00, 90m, 2026-12-24 18:00"));
  expiryText_->setClearButtonEnabled(true);
  expiryResult_ = new QLabel(this);
  expiryResult_->setObjectName(QStringLiteral("expiryResult"));
  expiryResult_->setWordWrap(true);
  connect(expiry_, &QComboBox::currentTextChanged, this, &SharePropertiesDialog::updateExpiryText);

  limited_ = new QCheckBox(tr("Allow only"), this);
  limited_->setObjectName(QStringLiteral("limited"));
  limit_ = new QSpinBox(this);
  limit_->setObjectName(QStringLiteral("limit"));
  limit_->setRange(1, 1000000);
  // "1 complete download", "3 complete downloads"; a folder's "1 device".
  auto pluralSuffix = [this](int n) {
    if (share_.folder) limit_->setSuffix(n == 1 ? tr(" device") : tr(" devices"));
    else limit_->setSuffix(n == 1 ? tr(" complete download") : tr(" complete downloads"));
  };
  connect(limit_, &QSpinBox::valueChanged, this, pluralSuffix);
  limit_->setValue(share.rules.downloadLimit ? static_cast<int>(share.rules.downloadLimit) : 1);
  pluralSuffix(limit_->value());
  limited_->setChecked(share.rules.downloadLimit != 0);
  limit_->setEnabled(limited_->isChecked());
  limitNote_ = new QLabel(this);
  limitNote_->setWordWrap(true);
  limitNote_->setObjectName(QStringLiteral("limitNote"));
  auto updateLimitNote = [this] {
    limit_->setEnabled(limited_->isChecked());
    QString note;
    if (share_.folder) {
      // What a folder's limit counts, said where it is set.
      note = tr("A folder's limit counts devices: each may open, view and download anything in it, the zip too, "
                "for as long as the link lasts; other devices are refused. ");
      note += share_.deliveries == 0   ? tr("No device has downloaded from it yet.")
              : share_.deliveries == 1 ? tr("1 device so far.")
                                       : tr("%1 devices so far.").arg(share_.deliveries);
    } else {
      note = share_.deliveries == 0   ? tr("Not delivered completely yet.")
             : share_.deliveries == 1 ? tr("Delivered completely once so far.")
                                      : tr("Delivered completely %1 times so far.").arg(share_.deliveries);
    }
    if (limited_->isChecked() && share_.deliveries >= static_cast<std::uint32_t>(limit_->value()))
      note += QLatin1Char(' ') + tr("With this limit the link ends at once.");
    limitNote_->setText(note);
  };
  connect(limited_, &QCheckBox::toggled, this, updateLimitNote);
  connect(limit_, &QSpinBox::valueChanged, this, updateLimitNote);
  updateLimitNote();
  auto* limitRow = new QHBoxLayout;
  limitRow->addWidget(limited_);
  limitRow->addWidget(limit_, 1);

  password_ = new QLineEdit(QString::fromStdString(share.rules.password), this);
  password_->setObjectName(QStringLiteral("password"));
  password_->setPlaceholderText(tr("No password"));
  password_->setMaxLength(kMaxPassword);
  password_->setToolTip(tr("The link opens a page that asks for it; curl -u :PASSWORD works too"));
  generate_ = new QPushButton(tr("&Generate"), this);
  generate_->setObjectName(QStringLiteral("generate"));
  generate_->setToolTip(tr("Make up a password that is easy to read out and type"));
  connect(generate_, &QPushButton::clicked, this, [this] { password_->setText(readablePassword()); });
  copy_ = new QPushButton(tr("&Copy"), this);
  copy_->setObjectName(QStringLiteral("copyPassword"));
  connect(copy_, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(password_->text()); });
  removePassword_ = new QPushButton(tr("Re&move"), this);
  removePassword_->setObjectName(QStringLiteral("removePassword"));
  connect(removePassword_, &QPushButton::clicked, password_, &QLineEdit::clear);
  auto updatePassword = [this] {
    copy_->setEnabled(!password_->text().isEmpty());
    removePassword_->setEnabled(!password_->text().isEmpty());
  };
  connect(password_, &QLineEdit::textChanged, this, updatePassword);
  updatePassword();
  auto* passwordRow = new QHBoxLayout;
  passwordRow->addWidget(password_, 1);
  passwordRow->addWidget(generate_);
  passwordRow->addWidget(copy_);
  passwordRow->addWidget(removePassword_);

  auto* rules = new QGroupBox(tr("Link rules"), this);
  auto* form = new QFormLayout(rules);
  // Labels made here: addRow(text, layout) gives a label without a buddy,
  // which would show its '&'.
  auto label = [this](const QString& text, QWidget* buddy) {
    auto* l = new QLabel(text, this);
    l->setBuddy(buddy);
    return l;
  };
  form->addRow(label(tr("&Expires:"), expiry_), expiry_);
  form->addRow(QString(), expiryResult_);
  form->addRow(label(tr("&Download limit:"), limited_), limitRow);
  form->addRow(QString(), limitNote_);
  form->addRow(label(tr("&Password:"), password_), passwordRow);

  problem_ = new QLabel(this);
  problem_->setObjectName(QStringLiteral("problem"));
  problem_->setWordWrap(true);
  QPalette warn = problem_->palette();
  warn.setColor(QPalette::WindowText, failureTextColor(warn));
  problem_->setPalette(warn);
  problem_->hide();

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  auto* linkBox = new QGroupBox(tr("Link"), this);
  linkBox->setLayout(linkRow);
  layout->addWidget(linkBox);
  layout->addWidget(rules);
  layout->addWidget(problem_);
  layout->addWidget(buttons);
  updateExpiryText();
  resize(560, sizeHint().height());
  // The first thing to set, not the button that ends the link.
  rotateButton->setAutoDefault(false);
  expiry_->setFocus();
}

SharePropertiesDialog::~SharePropertiesDialog() = default;

void SharePropertiesDialog::updateExpiryText() {
  const QDateTime now = QDateTime::currentDateTime();
  std::optional<QDateTime> when;
  switch (expiryChoice()) {
    case kKeep: when = toQDateTime(*share_.rules.expires); break;
    case kNever: break;
    case kHour: when = now.addSecs(3600); break;
    case kDay: when = now.addDays(1); break;
    case kWeek: when = now.addDays(7); break;
    case kTyped: {
      if (expiryText_->text().trimmed().isEmpty()) {
        expiryResult_->setText(tr("Type when the link should stop working."));
        return;
      }
      const ExpiryParse p = parseExpiry(expiryText_->text(), now);
      if (!p.ok) {
        expiryResult_->setText(p.error);
        return;
      }
      when = p.when;
      break;
    }
  }
  expiryResult_->setText(when ? tr("The link stops working %1.").arg(describeExpiry(*when, now))
                              : tr("The link works until you remove it."));
}

QString SharePropertiesDialog::validate(const QDateTime& now, ShareRules* out) const {
  ShareRules r;
  switch (expiryChoice()) {
    case kKeep: r.expires = share_.rules.expires; break;
    case kNever: break;
    case kHour: r.expires = fromQDateTime(now.addSecs(3600)); break;
    case kDay: r.expires = fromQDateTime(now.addDays(1)); break;
    case kWeek: r.expires = fromQDateTime(now.addDays(7)); break;
    case kTyped: {
      const ExpiryParse p = parseExpiry(expiryText_->text(), now);
      if (expiryText_->text().trimmed().isEmpty())
        return tr("Type when the link should stop working, or choose another expiry.");
      if (!p.ok) return p.error;
      if (p.when) r.expires = fromQDateTime(*p.when);
      break;
    }
  }
  r.downloadLimit = limited_->isChecked() ? static_cast<std::uint32_t>(limit_->value()) : 0;
  const QString pw = password_->text();
  if (!pw.isEmpty()) {
    if (pw.size() < kMinPassword)
      return tr("A password needs at least %1 characters; Generate makes a good one.").arg(kMinPassword);
    if (pw.trimmed() != pw)
      return tr("A password may not begin or end with a space: people would not know to type it.");
    for (QChar c : pw)
      if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
        return tr("A password may contain only characters that can be typed.");
  }
  r.password = pw.toStdString();
  if (out) *out = r;
  return {};
}

void SharePropertiesDialog::accept() {
  const QString why = validate(QDateTime::currentDateTime(), &result_);
  problem_->setText(why);
  problem_->setVisible(!why.isEmpty());
  if (why.isEmpty()) QDialog::accept();
}

void SharePropertiesDialog::rotate() {
  if (QMessageBox::question(this, tr("Rotate Link?"),
                            tr("%1 gets a new link. The old link stops working at once, and downloads through it "
                               "end. Rotate the link?")
                                .arg(share_.name)) != QMessageBox::Yes)
    return;
  const std::optional<QString> fresh = rotate_ ? rotate_() : std::nullopt;
  if (!fresh) {
    problem_->setText(tr("Ferry could not give %1 a new link: it is no longer shared.").arg(share_.name));
    problem_->show();
    return;
  }
  rotated_ = true;
  const QString link = *fresh;
  share_.link = link;
  showLink(link, tr("(the new link appears when Ferry serves)"));
}

void SharePropertiesDialog::showLink(const QString& link, const QString& none) {
  // Read as a person reads it ("holiday photos.zip"); copied as it is.
  link_->setText(link.isEmpty() ? none : QUrl(link).toDisplayString(QUrl::PrettyDecoded));
  code_->setText(link);
  code_->setVisible(!link.isEmpty());
  copyLink_->setEnabled(!link.isEmpty());
}

SharePropertiesDialog::Expiry SharePropertiesDialog::expiryChoice() const {
  // A choice from the list shows its own text; anything else was typed.
  const int i = expiry_->findText(expiry_->currentText());
  return i >= 0 ? static_cast<Expiry>(expiry_->itemData(i).toInt()) : kTyped;
}

}  // namespace ferry::ui
