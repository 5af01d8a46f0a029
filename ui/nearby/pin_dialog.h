#pragma once

// PinDialog: asks for the PIN a LocalSend device wants before it takes what
// this computer sends it — the device's name, a PIN field, and "wrong PIN,
// try again" when the device refused the last one. OK gives the PIN, Cancel
// gives up the send. Window-modal and opened with open(), so the window's
// event loop (and every transfer) goes on while it waits. Owns its widgets.
//
// GUI thread only.

#include <cstdint>

#include <QDialog>

class QLabel;
class QLineEdit;
class QPushButton;

namespace ferry::ui {

class PinDialog final : public QDialog {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(PinDialog)

 public:
  PinDialog(std::uint64_t session, const QString& device, bool wrong, QWidget* parent = nullptr);
  ~PinDialog() override;

  std::uint64_t session() const { return session_; }
  QString pin() const;
  bool saysWrong() const { return wrong_; }
  QLineEdit* pinField() const { return pin_; }
  QPushButton* okButton() const { return ok_; }

 private:
  std::uint64_t session_;
  bool wrong_;
  QLineEdit* pin_;
  QPushButton* ok_;
};

}  // namespace ferry::ui
