#pragma once

// SettingsDialog: edits AppSettings — port, bind address, link address,
// bandwidth limit, max connections, how long caches in front of Ferry may
// keep plain links, start on launch, tray behaviour, and what Receive
// accepts (asking about new devices, a size cap), and HTTPS (the user's
// certificate and key files). Owns its
// form widgets only; the window applies the result.
//
// GUI thread only.

#include <QDialog>

#include "settings/settings_store.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace ferry::ui {

class SettingsDialog final : public QDialog {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(SettingsDialog)

 public:
  SettingsDialog(const AppSettings& settings, bool trayAvailable, QWidget* parent = nullptr);
  ~SettingsDialog() override;

  AppSettings settings() const;
  QCheckBox* askNewDevices() const { return askNewDevices_; }
  QSpinBox* maxReceiveSize() const { return maxReceive_; }

 private:
  AppSettings base_;
  QSpinBox* port_;
  QComboBox* bind_;
  QComboBox* linkHost_;
  QSpinBox* rate_;
  QSpinBox* maxConnections_;
  QSpinBox* publicCache_;
  QCheckBox* startOnLaunch_;
  QCheckBox* keepInTray_;
  QCheckBox* notify_;
  QCheckBox* askNewDevices_;
  QSpinBox* maxReceive_;  // in MB; 0 = no cap
  QLineEdit* tlsCert_;
  QLineEdit* tlsKey_;
};

}  // namespace ferry::ui
