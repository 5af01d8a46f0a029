#pragma once

// FolderCommands: what the user does with shared folders — share one from a
// dialog (Add Folder…), copy the links that download folders whole (Copy Zip
// Link), and choose whether a folder's hidden files are listed and zipped
// (Show Hidden Files) — and which of those apply to the selection. Owns no
// data and no widgets: it drives the share manager and the shares list's
// controller it is given, and puts its actions in the shares list's
// context menu.
//
// GUI thread only.

#include <QList>
#include <QObject>
#include <QStringList>

class QStatusBar;

namespace ferry::ui {

class ServerBridge;
class ShareManager;
class SharesController;
class TableView;
class WindowActions;

class FolderCommands final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(FolderCommands)

 public:
  struct Parts {
    ShareManager* shares;
    ServerBridge* bridge;  // only to say whether links work right now
    SharesController* sharesCommands;
    TableView* sharesView;
    WindowActions* actions;
    QStatusBar* statusBar;
  };

  explicit FolderCommands(const Parts& parts, QObject* parent = nullptr);
  ~FolderCommands() override;

  void addFolderDialog();
  // The zip links of the selected folders, in view order.
  QStringList selectedZipLinks() const;
  void copySelectedZipLinks();
  void setShowHidden(bool show);

 private:
  QList<int> selectedFolderRows() const;  // source rows
  void updateActions();

  Parts p_;
};

}  // namespace ferry::ui
