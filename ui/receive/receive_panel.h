#pragma once

// ReceivePanel: the window's Receive switch. Turning it on gives this
// computer a receive link (its QR code for a phone to scan, the link, Copy)
// and files sent to it go into the folder shown (Downloads/Ferry unless the
// user chose another; Open Folder shows it). Turning it off ends the link at
// once; on again, the same link works again (its token is kept, and saved
// by the window with the folder, so a link a phone has kept works after a
// restart too). Owns these widgets; talks to core only through the
// ServerBridge.
//
// GUI thread only.

#include <QFrame>
#include <QString>

class QCheckBox;
class QLabel;
class QPushButton;

namespace ferry::ui {

class LinkText;
class QrCodeWidget;
class ServerBridge;

class ReceivePanel final : public QFrame {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ReceivePanel)

 public:
  ReceivePanel(ServerBridge* bridge, QWidget* parent = nullptr);
  ~ReceivePanel() override;

  // The platform's Downloads folder + "Ferry".
  static QString defaultFolder();

  // On: the folder is made if missing; false (and the reason shown) when
  // it cannot be used.
  bool setReceiving(bool on);
  bool receiving() const { return on_; }
  void setFolder(const QString& dir);
  QString folder() const { return folder_; }
  // The receive link's token ("" until Receive was first on).
  QString token() const { return token_; }
  // As saved: the folder, the link's token, and on or off. A saved folder
  // that cannot be used now leaves Receive off and says why.
  void restore(const QString& dir, const QString& token, bool on);
  // The host links are made for (the window's link host).
  void setLinkHost(const QString& host);
  // Serving started or stopped: the link appears or goes.
  void refresh();
  QString link() const { return link_; }

  QCheckBox* toggle() const { return toggle_; }
  QrCodeWidget* code() const { return code_; }
  QString directionText() const;  // the caption on the code
  QString shownLink() const;      // the link as a person reads it

 signals:
  void problem(const QString& sentence);
  // On or off, the folder or the token changed: what restore() takes.
  void changed();

 private:
  void chooseFolder();

  ServerBridge* bridge_;
  QCheckBox* toggle_;
  QLabel* folderLabel_;
  QPushButton* change_;
  QPushButton* open_;
  QrCodeWidget* code_;
  QLabel* linkLabel_;  // a sentence while there is no link
  QLabel* direction_;
  LinkText* linkText_;  // the link, whole
  QPushButton* copy_;
  QString folder_;
  QString host_ = QStringLiteral("127.0.0.1");
  QString link_;
  QString token_;
  bool on_ = false;
};

}  // namespace ferry::ui
