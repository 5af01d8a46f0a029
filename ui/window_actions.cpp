#include "window_actions.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QStyle>
#include <QToolBar>
#include <QToolButton>
#include <QWidget>

#include "widgets/action_icons.h"
#include "desktop/app_icon.h"

namespace ferry::ui {
namespace {

QIcon themed(const char* name, QStyle::StandardPixmap fallback) {
  return QIcon::fromTheme(QLatin1String(name), QApplication::style()->standardIcon(fallback));
}

}  // namespace

WindowActions::WindowActions(QWidget* window) : QObject(window) {
  auto make = [this](const QString& text, const QIcon& icon, const QString& tip) {
    auto* a = new QAction(icon, text, this);
    a->setToolTip(tip);
    a->setStatusTip(tip);
    return a;
  };
  addFiles = make(tr("&Add Files…"), themed("list-add", QStyle::SP_DialogOpenButton),
                  tr("Share files from a file dialog (Ctrl+O); or drop them on the window"));
  addFiles->setShortcut(QKeySequence::Open);
  addFiles->setIconText(tr("Add Files"));

  addFolder = make(tr("Add F&older…"), themed("folder", QStyle::SP_DirIcon),
                   tr("Share a folder from a file dialog (Ctrl+Shift+A): one link lists all of it; or drop it "
                      "on the window"));
  addFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
  addFolder->setIconText(tr("Add Folder"));

  remove = make(tr("&Remove"), themed("list-remove", QStyle::SP_TrashIcon),
                tr("Stop sharing the selected files: their links stop working at once (Delete)"));
  remove->setShortcut(QKeySequence::Delete);
  remove->setShortcutContext(Qt::WidgetWithChildrenShortcut);

  copyLink = make(tr("&Copy Link"), themed("edit-copy", QStyle::SP_FileLinkIcon),
                  tr("Copy the links of the selected files, one per line (Ctrl+C)"));
  copyLink->setShortcut(QKeySequence::Copy);

  copyZipLink = make(tr("Copy &Zip Link"), themed("package-x-generic", QStyle::SP_FileIcon),
                     tr("Copy the links that download the selected folders whole, as one .zip each (Ctrl+Shift+C)"));
  copyZipLink->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));

  showHidden = make(tr("Show &Hidden Files"), QIcon(),
                    tr("List and zip the selected folders' hidden files too (dot-files, .DS_Store, Thumbs.db…)"));
  showHidden->setCheckable(true);

  openFolder = make(tr("Open Containing &Folder"), themed("folder-open", QStyle::SP_DirOpenIcon),
                    tr("Show the selected file's folder in the file manager"));
  openFolder->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));

  properties = make(tr("&Properties…"), themed("document-properties", QStyle::SP_FileDialogInfoView),
                    tr("When the selected link expires, how many downloads it allows, its password; a new link "
                       "(Alt+Return)"));
  properties->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Return));
  properties->setShortcutContext(Qt::WidgetWithChildrenShortcut);

  startStop = make(tr("&Stop Serving"), stopIcon(), tr("Start or stop the server (Ctrl+T); shares stay listed either way"));
  startStop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));

  settings = make(tr("Se&ttings…"), themed("preferences-system", QStyle::SP_FileDialogDetailedView),
                  tr("Port, addresses, bandwidth limit and behaviour"));
  settings->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
  settings->setMenuRole(QAction::PreferencesRole);

  quit = make(tr("&Quit"), themed("application-exit", QStyle::SP_DialogCloseButton), tr("Stop serving and quit"));
  quit->setShortcut(QKeySequence::Quit);
  quit->setMenuRole(QAction::QuitRole);

  cancelTransfer = make(tr("&Cancel Transfer"), themed("process-stop", QStyle::SP_BrowserStop),
                        tr("End the selected transfers now (Delete)"));
  cancelTransfer->setShortcut(QKeySequence::Delete);
  cancelTransfer->setShortcutContext(Qt::WidgetWithChildrenShortcut);

  discardUpload = make(tr("&Discard Unfinished Upload"), themed("edit-delete", QStyle::SP_TrashIcon),
                       tr("Delete what arrived of the selected uploads that stopped part-way: "
                          "the sender can no longer resume them"));
  discardUpload->setEnabled(false);

  clearFinished = make(tr("Clear &Finished"), themed("edit-clear", QStyle::SP_DialogResetButton),
                       tr("Remove finished, cancelled and failed transfers from the list"));

  showWindow = make(tr("&Show Ferry"), appIcon(), tr("Show the window"));
  connect(showWindow, &QAction::triggered, window, [window] {
    window->showNormal();
    window->raise();
    window->activateWindow();
  });

  about = make(tr("&About Ferry"), appIcon(), tr("Version and licence"));
  connect(about, &QAction::triggered, window, [window] {
    QMessageBox::about(window, tr("About Ferry"),
                       tr("<h3>Ferry %1</h3><p>Hand a file to someone nearby: drop it on the window, "
                          "give them the link or let their phone scan the QR code, and watch the download.</p>"
                          "<p>Files are served by Ferry's own HTTP server, straight from your disk.</p>")
                           .arg(QStringLiteral(FERRY_VERSION)));
  });
  about->setMenuRole(QAction::AboutRole);
  cantConnect = new QAction(tr("&Can't Connect?…"), this);
  cantConnect->setToolTip(tr("What keeps another device from opening a link, and how to fix it"));

  showQr = new QAction(tr("&QR Code"), this);
  showQr->setCheckable(true);
  showQr->setChecked(true);
  showQr->setToolTip(tr("Show the QR code of the selected link"));
  showGraph = new QAction(tr("&Bandwidth Graph"), this);
  showGraph->setCheckable(true);
  showGraph->setChecked(true);
  showGraph->setToolTip(tr("Show the last minute's rates, sent and received"));
  history = new QAction(tr("Transfer &History…"), this);
  history->setToolTip(tr("Who got which file and how it ended, and each file received: the last 500"));
  history->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
}

WindowActions::~WindowActions() = default;

void WindowActions::fillMenuBar(QMenuBar* bar) const {
  QMenu* file = bar->addMenu(tr("&File"));
  file->addAction(addFiles);
  file->addAction(addFolder);
  file->addAction(remove);
  file->addAction(openFolder);
  file->addSeparator();
  file->addAction(quit);

  QMenu* edit = bar->addMenu(tr("&Edit"));
  edit->addAction(copyLink);
  edit->addAction(copyZipLink);
  edit->addAction(showHidden);
  edit->addAction(properties);
  edit->addSeparator();
  edit->addAction(settings);

  QMenu* server = bar->addMenu(tr("&Server"));
  server->addAction(startStop);
  server->addSeparator();
  server->addAction(cancelTransfer);
  server->addAction(discardUpload);
  server->addAction(clearFinished);

  QMenu* view = bar->addMenu(tr("&View"));
  view->addAction(showQr);
  view->addAction(showGraph);
  view->addSeparator();
  view->addAction(history);

  QMenu* help = bar->addMenu(tr("&Help"));
  help->addAction(cantConnect);
  help->addAction(about);
}

void WindowActions::fillToolBar(QToolBar* bar) const {
  bar->addAction(addFiles);
  bar->addAction(addFolder);
  // Remove's Delete covers the widgets that show the action and their
  // children: shown by the tool bar itself, it would cover the link address
  // box there too, and Delete while editing it would unshare a file. A
  // button of its own keeps it to the button (and the shares list).
  auto* removeButton = new QToolButton(bar);
  removeButton->setDefaultAction(remove);
  removeButton->setAutoRaise(true);
  removeButton->setFocusPolicy(Qt::NoFocus);
  removeButton->setToolButtonStyle(bar->toolButtonStyle());
  removeButton->setIconSize(bar->iconSize());
  connect(bar, &QToolBar::toolButtonStyleChanged, removeButton, &QToolButton::setToolButtonStyle);
  connect(bar, &QToolBar::iconSizeChanged, removeButton, &QToolButton::setIconSize);
  bar->addWidget(removeButton);
  bar->addAction(copyLink);
  bar->addSeparator();
  bar->addAction(startStop);
  bar->addSeparator();
  bar->addAction(settings);
}

void WindowActions::setServing(bool serving) {
  startStop->setText(serving ? tr("&Stop Serving") : tr("&Start Serving"));
  startStop->setIconText(serving ? tr("Stop") : tr("Start"));
  startStop->setIcon(serving ? stopIcon() : startIcon());
}

}  // namespace ferry::ui
