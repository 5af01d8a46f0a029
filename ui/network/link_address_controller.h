#pragma once

// LinkAddressController: the "Links use" choice. Fills its combo box with
// this machine's addresses, each named by its adapter ("Wi-Fi —
// 192.168.1.20"), keeps the ranking RunSettings uses for the automatic
// choice current as networks come and go, and when the address the user
// chose disappears (the laptop left that network) falls back to automatic
// and says so. Uses, but does not own, the settings, the watcher and the
// widgets it is given; the window applies what it asks for.
//
// GUI thread only.

#include <QObject>
#include <QString>

#include "network/address_ranking.h"

class QComboBox;
class QStatusBar;

namespace ferry::ui {

class MessageBar;
class NetworkWatcher;
class RunSettings;

class LinkAddressController final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(LinkAddressController)

 public:
  struct Parts {
    RunSettings* settings;
    NetworkWatcher* watcher;
    QComboBox* combo;
    MessageBar* messages;
    QStatusBar* statusBar;
  };

  explicit LinkAddressController(const Parts& parts, QObject* parent = nullptr);
  ~LinkAddressController() override;

  // After the settings changed: the combo shows what they say.
  void refill();
  // "Wi-Fi — 192.168.1.20" for a host of the ranking, else the host.
  QString describe(const QString& host) const;

 signals:
  // The user picked a host ("" = automatic), or the chosen one is gone.
  void hostChosen(const QString& host);
  // The automatic choice moved: links must be shown anew.
  void linksChanged();

 private:
  void onNetworkChanged();

  Parts p_;
  QList<LinkAddress> before_;  // the ranking before the latest change
};

}  // namespace ferry::ui
