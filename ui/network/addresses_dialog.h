#pragma once

// AddressesDialog: one share's link at every address of this machine, each
// with its QR code and the adapter it belongs to, for when the link's own
// address does not reach the phone (a second network card, a guest
// network, a hotspot). Owns its widgets; shows the list it is given.
//
// GUI thread only.

#include <QDialog>
#include <QList>
#include <QUrl>

#include "network/address_ranking.h"

namespace ferry::ui {

class QrCodeWidget;

class AddressesDialog final : public QDialog {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(AddressesDialog)

 public:
  // `link`: the share's link as the window shows it; its host is replaced
  // by each address in turn.
  AddressesDialog(const QString& name, const QUrl& link, const QList<LinkAddress>& addresses,
                  QWidget* parent = nullptr);
  ~AddressesDialog() override;

  // The links shown, in order.
  QStringList links() const { return links_; }
  QList<QrCodeWidget*> codes() const { return codes_; }

 signals:
  // The user asked for help reaching Ferry.
  void troubleshootRequested();

 private:
  QStringList links_;
  QList<QrCodeWidget*> codes_;
};

// `link` with its host replaced by `host` (brackets added for IPv6).
QString linkAt(const QUrl& link, const QString& host);

}  // namespace ferry::ui
