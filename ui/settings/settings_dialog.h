#pragma once

// SettingsDialog: edits AppSettings — port, link address, bandwidth limit,
// how long new links work, start on launch, tray behaviour, what Receive
// accepts (asking about new devices, a size cap), and under Advanced the
// server's and proxies' knobs (listen address, max connections, how long
// caches in front of Ferry may keep plain links), and HTTPS (the user's
// certificate and key files), the name shown to others and LocalSend. Says beside a setting
// when this run's command line overrides it. Owns its form widgets only;
// the window applies the result.
//
// GUI thread only.

#include <QDialog>

#include "settings/run_settings.h"
#include "settings/settings_store.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QLabel;
class QFormLayout;
class QSpinBox;
class QScrollArea;

namespace ferry::ui {

class SettingsDialog final : public QDialog {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(SettingsDialog)

 public:
  SettingsDialog(const AppSettings& settings, bool trayAvailable, QWidget* parent = nullptr);
  ~SettingsDialog() override;

  AppSettings settings() const;
  // Notes under each setting the command line overrides for this run
  // ("This run uses 9090, from --port"); the saved value stays editable.
  void showCommandLine(const RunSettings& run);
  // The notes shown, in form order.
  QStringList commandLineNotes() const;
  // While serving with Ferry's own CA: where devices install it, and the
  // fingerprint they compare.
  void showLocalCa(const QString& pageUrl, const QString& fingerprint);
  QCheckBox* askNewDevices() const { return askNewDevices_; }
  QSpinBox* maxReceiveSize() const { return maxReceive_; }
  QComboBox* newLinkExpiry() const { return newLinkExpiry_; }
  QCheckBox* localSend() const { return localsend_; }
  QLineEdit* deviceName() const { return deviceName_; }

 protected:
  void showEvent(QShowEvent* event) override;

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
  QCheckBox* httpToo_;
  QComboBox* linkScheme_;
  QCheckBox* ownCa_;
  QLabel* caInfo_;
  QComboBox* newLinkExpiry_;  // data: seconds, 0 = never
  QLineEdit* deviceName_;
  QCheckBox* localsend_;
  QFormLayout* localsendForm_ = nullptr;
  QFormLayout* serverForm_ = nullptr;
  QFormLayout* advancedForm_ = nullptr;
  QFormLayout* httpsForm_ = nullptr;
  QStringList notes_;
  QWidget* page_ = nullptr;          // the groups, inside scroll_
  QScrollArea* scroll_ = nullptr;
  bool sized_ = false;
};

}  // namespace ferry::ui
