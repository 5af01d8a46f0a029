#pragma once

// QrPanel: the selected share at a glance — its name, the QR code of its link
// for a phone to scan, the link itself and a Copy button. Owns these
// widgets; the copy action belongs to the window.
//
// GUI thread only.

#include <QFrame>

class QAction;
class QLabel;

namespace ferry::ui {

class QrCodeWidget;

class QrPanel final : public QFrame {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(QrPanel)

 public:
  QrPanel(QAction* copyLink, QWidget* parent = nullptr);
  ~QrPanel() override;

  // Empty link: nothing selected (or no link yet).
  void setShare(const QString& name, const QString& link);
  QrCodeWidget* code() const { return code_; }
  QString link() const { return fullLink_; }
  QString name() const { return fullName_; }

 signals:
  // "Other addresses…": the link at each of the machine's addresses.
  void otherAddressesRequested();
  // "Can't connect?": help for a link that does not open.
  void troubleshootRequested();

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void elide();

  QLabel* name_;
  QrCodeWidget* code_;
  QLabel* link_;
  QLabel* more_;
  QString fullName_;
  QString fullLink_;
};

}  // namespace ferry::ui
