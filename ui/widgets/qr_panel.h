#pragma once

// QrPanel: the selected share at a glance — which of the selected shares it
// shows ("1 of 4 selected"), its name, the QR code of its link labelled by
// direction ("This computer → phone"), the link itself whole and readable
// (LinkText), the link's rules in a line ("🔒 password · ends 18:00 · 1 of 3
// downloads") with the password one click away, and a Copy button. Owns
// these widgets; the copy action belongs to the window.
//
// GUI thread only.

#include <QFrame>

class QAction;
class QLabel;

namespace ferry::ui {

class LinkText;
class QrCodeWidget;

class QrPanel final : public QFrame {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(QrPanel)

 public:
  QrPanel(QAction* copyLink, QWidget* parent = nullptr);
  ~QrPanel() override;

  // Empty link: nothing selected (or no link yet). Clears the rules.
  void setShare(const QString& name, const QString& link);
  // How many shares are selected; above one the panel says which it shows.
  void setSelectedCount(int selected);
  // The link's rules in words (empty: none) and its password (empty: none),
  // shown only once asked for.
  void setRules(const QString& summary, const QString& password);
  // Shows the password (what "Show password" does).
  void revealPassword();
  // Serving https with Ferry's own CA: a link to its install page's code,
  // for a phone that warns about the link.
  void setCaPageOffered(bool offered);

  QrCodeWidget* code() const { return code_; }
  QLabel* moreLinks() const { return more_; }  // "Other addresses…", "Can't connect?"…
  QString link() const { return fullLink_; }
  QString name() const { return fullName_; }
  QString selectionText() const;
  QString directionText() const;
  QString shownLink() const;  // as a person reads it
  QString rulesText() const;  // plain text of the rules line, the password if shown
  // The bold caption above a QR code that says which way files go.
  static QLabel* directionLabel(const QString& text, QWidget* parent);

 signals:
  // "Other addresses…": the link at each of the machine's addresses.
  void otherAddressesRequested();
  // "Can't connect?": help for a link that does not open.
  void troubleshootRequested();
  // "Phone warns? Trust this computer": the CA install page's code.
  void caPageRequested();

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void elide();
  void showRules();
  void showMore();

  QLabel* selection_;
  QLabel* name_;
  QLabel* direction_;
  QrCodeWidget* code_;
  LinkText* link_;
  QLabel* rules_;
  QLabel* more_;
  QString fullName_;
  QString fullLink_;
  QString rulesSummary_;
  QString password_;
  bool passwordShown_ = false;
  bool caPageOffered_ = false;
};

}  // namespace ferry::ui
