#pragma once

// CaPageDialog: the QR code of the page that installs Ferry's own CA on a
// phone (http://HOST:PORT/ferry-ca, answered over plain HTTP), for a phone
// that warns about the https link: scan it, install, then scan the link's
// code again. Shows the page's address and the CA's fingerprint, which the
// page shows too, so a person can tell it is this computer's. Owns its
// widgets.
//
// GUI thread only.

#include <QDialog>

class QLabel;

namespace ferry::ui {

class QrCodeWidget;

class CaPageDialog final : public QDialog {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(CaPageDialog)

 public:
  CaPageDialog(const QString& pageUrl, const QString& caName, const QString& fingerprint, QWidget* parent = nullptr);
  ~CaPageDialog() override;

  QrCodeWidget* code() const { return code_; }
  QString pageUrl() const { return pageUrl_; }
  QString fingerprintText() const;

 private:
  QrCodeWidget* code_;
  QLabel* fingerprint_;
  QString pageUrl_;
};

}  // namespace ferry::ui
