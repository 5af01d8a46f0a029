#pragma once

// SharesController: what the user does to the list of shares — add (a drop,
// Add Files…), remove, copy links, open the containing folder, a share's
// Properties —
// and what follows the selection: which of those actions apply, and the QR
// panel. Owns no data and no widgets: it uses the share manager, the views
// and the bars it is given.
//
// GUI thread only.

#include <chrono>
#include <vector>

#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include "shares/shares_model.h"

class QAction;
class QSortFilterProxyModel;
class QStatusBar;
class QWidget;

namespace ferry::ui {

class MessageBar;
class QrPanel;
class ServerBridge;
class ShareManager;
class TableView;
class WindowActions;

class SharesController final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(SharesController)

 public:
  struct Parts {
    ShareManager* shares;
    ServerBridge* bridge;  // only to say whether links work right now
    TableView* sharesView;
    QSortFilterProxyModel* sharesProxy;
    TableView* transfersView;  // Ctrl+C there copies those downloads' links
    QrPanel* qrPanel;
    WindowActions* actions;
    MessageBar* messages;
    QStatusBar* statusBar;
  };

  explicit SharesController(const Parts& parts, QObject* parent = nullptr);
  ~SharesController() override;

  // Shares local files and folders (what a drop or "Add files…" does);
  // returns how many were added. Paths that cannot be shared get a message.
  int shareFiles(const QList<QUrl>& urls);
  void addFilesDialog();
  QStringList selectedLinks() const;
  void copySelectedLinks();
  // Unshares the selection at once; the message bar offers Undo for a while.
  void removeSelected();
  void openContainingFolder();
  // The current share's Properties (its link rules, Rotate Link…), applied
  // through the share manager when accepted. False if none is selected or
  // the dialog was cancelled.
  bool showProperties();

  void selectRows(const QList<int>& sourceRows);
  QList<int> selectedRows() const;  // source rows, in view order

  // The QR panel's line of a link's rules: "🔒 password · ends 18:00 · 1 of 3 downloads".
  static QString rulesSummary(const ShareRules& rules, std::uint32_t deliveries, const QDateTime& now);

 private:
  void updateActions();
  void updateQrPanel();
  void offerUndo(std::vector<SharesModel::Entry> removed);

  static constexpr std::chrono::seconds kUndoFor{30};
  Parts p_;
  QPointer<QAction> undo_;  // the standing offer, if any
};

}  // namespace ferry::ui
