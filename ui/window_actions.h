#pragma once

// WindowActions: every command of Ferry's window as a QAction — text, icon,
// tooltip, shortcut — and where each appears: the menu bar and the tool bar.
// Owns the actions (children of this object); what they do is connected by
// their users, as uic's generated Ui classes leave it to the form. The
// members are public for the same reason.
//
// GUI thread only.

#include <QObject>

class QAction;
class QMenuBar;
class QToolBar;
class QWidget;

namespace ferry::ui {

class WindowActions final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(WindowActions)

 public:
  // window: where About opens.
  explicit WindowActions(QWidget* window);
  ~WindowActions() override;

  void fillMenuBar(QMenuBar* bar) const;
  // The commands; the caller appends its own widgets after them.
  void fillToolBar(QToolBar* bar) const;
  // Start/Stop says what pressing it will do.
  void setServing(bool serving);

  QAction* addFiles;
  QAction* addFolder;
  QAction* remove;
  QAction* copyLink;
  QAction* copyZipLink;
  QAction* showHidden;  // checkable: the selected folders' hidden files
  QAction* openFolder;
  QAction* properties;  // the selected share's link rules
  QAction* startStop;
  QAction* settings;
  QAction* quit;
  QAction* cancelTransfer;
  QAction* clearFinished;
  QAction* discardUpload;  // the selected unfinished uploads' part files
  QAction* showWindow;
  QAction* about;
  QAction* cantConnect;
  QAction* showQr;
  QAction* showGraph;
  QAction* history;  // the delivery history
};

}  // namespace ferry::ui
