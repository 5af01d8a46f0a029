#include "shares/folder_commands.h"

#include <QAction>
#include <QClipboard>
#include <QFileDialog>
#include <QGuiApplication>
#include <QItemSelectionModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QUrl>

#include "server_bridge.h"
#include "shares/share_manager.h"
#include "shares/shares_controller.h"
#include "shares/shares_model.h"
#include "widgets/table_view.h"
#include "window_actions.h"

namespace ferry::ui {

FolderCommands::FolderCommands(const Parts& parts, QObject* parent) : QObject(parent), p_(parts) {
  WindowActions* a = p_.actions;
  connect(a->addFolder, &QAction::triggered, this, &FolderCommands::addFolderDialog);
  connect(a->copyZipLink, &QAction::triggered, this, &FolderCommands::copySelectedZipLinks);
  // triggered, not toggled: updateActions() sets the check mark to match the
  // selection, and that is no request to change anything.
  connect(a->showHidden, &QAction::triggered, this, &FolderCommands::setShowHidden);

  // In the context menu, beside Copy Link (which gives a folder's listing).
  const QList<QAction*> menu = p_.sharesView->actions();
  const int after = static_cast<int>(menu.indexOf(a->copyLink));
  QAction* before = after >= 0 && after + 1 < menu.size() ? menu[after + 1] : nullptr;
  p_.sharesView->insertActions(before, {a->copyZipLink, a->showHidden});

  QItemSelectionModel* selection = p_.sharesView->selectionModel();
  connect(selection, &QItemSelectionModel::selectionChanged, this, &FolderCommands::updateActions);
  connect(selection, &QItemSelectionModel::currentChanged, this, &FolderCommands::updateActions);
  connect(p_.shares->model(), &QAbstractItemModel::dataChanged, this, &FolderCommands::updateActions);
  connect(p_.shares->model(), &QAbstractItemModel::rowsRemoved, this, &FolderCommands::updateActions);
  updateActions();
}

FolderCommands::~FolderCommands() = default;

void FolderCommands::addFolderDialog() {
  const QString start = QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
  const QString dir = QFileDialog::getExistingDirectory(p_.sharesView->window(), tr("Share a Folder"), start);
  if (!dir.isEmpty()) p_.sharesCommands->shareFiles({QUrl::fromLocalFile(dir)});
}

QList<int> FolderCommands::selectedFolderRows() const {
  QList<int> rows;
  for (int row : p_.sharesCommands->selectedRows())
    if (p_.shares->model()->entry(row).folder) rows << row;
  return rows;
}

QStringList FolderCommands::selectedZipLinks() const {
  QStringList links;
  for (int row : selectedFolderRows())
    if (QString l = p_.shares->model()->zipLinkAt(row); !l.isEmpty()) links << l;
  return links;
}

void FolderCommands::copySelectedZipLinks() {
  const QStringList links = selectedZipLinks();
  if (links.isEmpty()) {
    p_.statusBar->showMessage(selectedFolderRows().isEmpty() ? tr("Select a shared folder to copy its zip link")
                                                             : tr("The zip link appears when Ferry serves"),
                              4000);
    return;
  }
  QGuiApplication::clipboard()->setText(links.join(QLatin1Char('\n')));
  QString msg = links.size() == 1 ? tr("Copied the zip link to the clipboard: it downloads the whole folder")
                                  : tr("Copied %1 zip links to the clipboard").arg(links.size());
  if (!p_.bridge->isRunning()) msg += tr(" — Ferry is not serving: start it so the link works");
  p_.statusBar->showMessage(msg, 5000);
}

void FolderCommands::setShowHidden(bool show) {
  QStringList tokens;
  for (int row : selectedFolderRows()) tokens << p_.shares->model()->entry(row).token;
  if (tokens.isEmpty()) return;
  p_.shares->setShowHidden(tokens, show);
  p_.statusBar->showMessage(show ? tr("Hidden files are listed and zipped too")
                                 : tr("Hidden files are left out of the listing and the zip"),
                            5000);
  updateActions();
}

void FolderCommands::updateActions() {
  const QList<int> folders = selectedFolderRows();
  WindowActions* a = p_.actions;
  a->copyZipLink->setEnabled(!folders.isEmpty());
  a->showHidden->setEnabled(!folders.isEmpty());
  // Checked when every selected folder shows its hidden files.
  bool all = !folders.isEmpty();
  for (int row : folders) all = all && p_.shares->model()->entry(row).showHidden;
  a->showHidden->setChecked(all);
}

}  // namespace ferry::ui
