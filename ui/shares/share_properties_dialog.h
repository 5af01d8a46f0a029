#pragma once

// SharePropertiesDialog: a share's link (shown whole, with its QR code and
// Copy Link) and its rules — when it expires (one control: never, in an
// hour, a day, a week, or a time typed into it, read by parseExpiry()), how many
// complete downloads it allows, the password it asks for (typed or
// generated, copied) — and Rotate Link…, which gives it a new token after
// asking. Owns its form widgets only: rules() is the result, and rotating
// goes through the function it is given, so the window decides what it does.
//
// GUI thread only.

#include <functional>
#include <optional>

#include <QDateTime>
#include <QDialog>
#include <QString>

#include "share_rules.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace ferry::ui {

class QrCodeWidget;

// A password a person can read out and type on a phone ("boka-ruvi-temo-47"):
// syllables drawn from the system's CSPRNG, about 44 bits.
QString readablePassword();

class SharePropertiesDialog final : public QDialog {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(SharePropertiesDialog)

 public:
  struct Share {
    QString name;
    QString link;  // "" while no link can be given
    ShareRules rules;
    std::uint32_t deliveries = 0;  // complete deliveries counted so far (a folder's: devices let in)
    bool folder = false;           // a folder's limit counts devices, not files
  };
  // Gives the share a new token; returns its new link ("" while none can
  // be given), nothing if the share is gone.
  using Rotate = std::function<std::optional<QString>()>;

  SharePropertiesDialog(const Share& share, Rotate rotate, QWidget* parent = nullptr);
  ~SharePropertiesDialog() override;

  // What the form says, with durations counted from `now`; valid after
  // accept() (which refuses a form that does not validate, saying why).
  ShareRules rules() const { return result_; }
  // Why the form cannot be applied as it is, in a sentence; "" when it can.
  QString validate(const QDateTime& now, ShareRules* out) const;
  bool rotated() const { return rotated_; }

  void accept() override;

 private:
  // Expiry choices; a typed one reads the text of the control.
  enum Expiry { kKeep, kNever, kHour, kDay, kWeek, kTyped };
  Expiry expiryChoice() const;
  void updateExpiryText();
  void rotate();
  void showLink(const QString& link, const QString& none);

  Share share_;
  Rotate rotate_;
  ShareRules result_;
  bool rotated_ = false;
  QLabel* link_;
  QrCodeWidget* code_;
  QPushButton* copyLink_;
  QComboBox* expiry_;
  QLineEdit* expiryText_;
  QLabel* expiryResult_;
  QCheckBox* limited_;
  QSpinBox* limit_;
  QLabel* limitNote_;
  QLineEdit* password_;
  QPushButton* generate_;
  QPushButton* copy_;
  QPushButton* removePassword_;
  QLabel* problem_;
};

}  // namespace ferry::ui
