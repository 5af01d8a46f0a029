#include "shares/shares_controller.h"

#include <algorithm>

#include <QAction>
#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QItemSelectionModel>
#include <QLocale>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>

#include "widgets/message_bar.h"
#include "widgets/qr_panel.h"
#include "server_bridge.h"
#include "shares/expiry_text.h"
#include "shares/share_manager.h"
#include "shares/share_properties_dialog.h"
#include "shares/shares_model.h"
#include "widgets/table_view.h"
#include "transfers/transfers_model.h"
#include "window_actions.h"

namespace ferry::ui {

SharesController::SharesController(const Parts& parts, QObject* parent) : QObject(parent), p_(parts) {
  WindowActions* a = p_.actions;
  connect(a->addFiles, &QAction::triggered, this, &SharesController::addFilesDialog);
  connect(a->remove, &QAction::triggered, this, &SharesController::removeSelected);
  connect(a->copyLink, &QAction::triggered, this, &SharesController::copySelectedLinks);
  connect(a->openFolder, &QAction::triggered, this, &SharesController::openContainingFolder);
  connect(p_.sharesView, &TableView::filesDropped, this, &SharesController::shareFiles);
  connect(a->properties, &QAction::triggered, this, &SharesController::showProperties);
  connect(p_.sharesView, &QAbstractItemView::doubleClicked, this, &SharesController::showProperties);
  connect(p_.sharesView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
          &SharesController::updateActions);
  connect(p_.sharesView->selectionModel(), &QItemSelectionModel::currentChanged, this,
          &SharesController::updateQrPanel);
  connect(p_.shares->model(), &QAbstractItemModel::dataChanged, this, &SharesController::updateQrPanel);
  updateActions();
}

SharesController::~SharesController() = default;

int SharesController::shareFiles(const QList<QUrl>& urls) {
  QStringList paths;
  for (const QUrl& u : urls)
    if (u.isLocalFile()) paths << u.toLocalFile();
  const ShareManager::AddResult r = p_.shares->addPaths(paths);

  QList<int> select = r.added;
  if (select.isEmpty()) select = r.alreadyShared;
  if (!select.isEmpty()) {
    selectRows(select);
    p_.sharesView->setFocus(Qt::OtherFocusReason);  // so Ctrl+C copies right away
  }

  const QStringList& problems = r.errors;
  if (!problems.isEmpty()) p_.messages->showMessage(MessageBar::Level::Warning, problems.join(QLatin1Char('\n')));
  else if (!r.added.isEmpty()) p_.messages->dismiss();

  if (r.added.size() == 1) {
    p_.statusBar->showMessage(tr("Sharing %1 — press Ctrl+C to copy its link")
                                  .arg(p_.shares->model()->entry(r.added.first()).name),
                              6000);
  } else if (r.added.size() > 1) {
    p_.statusBar->showMessage(tr("Sharing %1 files — press Ctrl+C to copy their links").arg(r.added.size()), 6000);
  } else if (!r.alreadyShared.isEmpty() && problems.isEmpty()) {
    p_.statusBar->showMessage(tr("Already shared"), 4000);
  }
  return static_cast<int>(r.added.size());
}

void SharesController::addFilesDialog() {
  const QString start = QStandardPaths::writableLocation(QStandardPaths::HomeLocation);
  const QStringList files = QFileDialog::getOpenFileNames(p_.sharesView->window(), tr("Share Files"), start);
  QList<QUrl> urls;
  for (const QString& f : files) urls << QUrl::fromLocalFile(f);
  if (!urls.isEmpty()) shareFiles(urls);
}

QList<int> SharesController::selectedRows() const {
  QModelIndexList rows = p_.sharesView->selectionModel()->selectedRows();
  std::sort(rows.begin(), rows.end(), [](const QModelIndex& a, const QModelIndex& b) { return a.row() < b.row(); });
  QList<int> out;
  for (const QModelIndex& i : rows) out << p_.sharesProxy->mapToSource(i).row();
  if (out.isEmpty() && p_.sharesView->currentIndex().isValid())
    out << p_.sharesProxy->mapToSource(p_.sharesView->currentIndex()).row();
  return out;
}

void SharesController::selectRows(const QList<int>& sourceRows) {
  std::vector<int> rows;  // in the view
  rows.reserve(static_cast<std::size_t>(sourceRows.size()));
  QModelIndex current;
  for (int row : sourceRows) {
    QModelIndex i = p_.sharesProxy->mapFromSource(p_.shares->model()->index(row, 0));
    if (!i.isValid()) continue;
    rows.push_back(i.row());
    current = i;
  }
  if (!current.isValid()) return;
  // One range per run of adjacent rows: a selection of thousands of
  // one-row ranges makes every later question about it slow.
  std::sort(rows.begin(), rows.end());
  QItemSelection selection;
  for (std::size_t k = 0; k < rows.size();) {
    std::size_t end = k;
    while (end + 1 < rows.size() && rows[end + 1] <= rows[end] + 1) ++end;
    selection.select(p_.sharesProxy->index(rows[k], 0), p_.sharesProxy->index(rows[end], 0));
    k = end + 1;
  }
  auto* sm = p_.sharesView->selectionModel();
  sm->setCurrentIndex(current, QItemSelectionModel::NoUpdate);
  sm->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  p_.sharesView->scrollTo(current);
  updateQrPanel();
}

QStringList SharesController::selectedLinks() const {
  QStringList links;
  const SharesModel* m = p_.shares->model();
  TableView* transfers = p_.transfersView;
  if (transfers->hasFocus() && transfers->selectionModel()->hasSelection()) {
    // In the downloads list, Ctrl+C copies the links of those downloads' files.
    for (const QModelIndex& i : transfers->selectionModel()->selectedRows()) {
      int row = m->rowOf(i.data(TransfersModel::ShareTokenRole).toString());
      if (row >= 0 && !links.contains(m->linkAt(row))) links << m->linkAt(row);
    }
    return links;
  }
  for (int row : selectedRows())
    if (QString l = m->linkAt(row); !l.isEmpty()) links << l;
  return links;
}

void SharesController::copySelectedLinks() {
  const QStringList links = selectedLinks();
  if (links.isEmpty()) {
    p_.statusBar->showMessage(p_.shares->model()->rowCount() ? tr("Select a shared file to copy its link")
                                                             : tr("Nothing shared yet: drop a file on the window"),
                              4000);
    return;
  }
  QGuiApplication::clipboard()->setText(links.join(QLatin1Char('\n')));
  QString msg = links.size() == 1 ? tr("Copied the link to the clipboard") : tr("Copied %1 links to the clipboard").arg(links.size());
  if (!p_.bridge->isRunning()) msg += tr(" — Ferry is not serving: start it so the link works");
  p_.statusBar->showMessage(msg, 5000);
}

void SharesController::removeSelected() {
  QStringList tokens;
  std::vector<SharesModel::Entry> removed;
  for (int row : selectedRows()) {
    removed.push_back(p_.shares->model()->entry(row));
    tokens << removed.back().token;
  }
  if (tokens.isEmpty()) return;
  TableView* view = p_.sharesView;
  const int firstRow = view->selectionModel()->selectedRows().isEmpty()
                           ? view->currentIndex().row()
                           : view->selectionModel()->selectedRows().first().row();
  p_.shares->remove(tokens);
  offerUndo(std::move(removed));
  // Keep a selection for keyboard use: the row that took the removed one's place.
  const int rows = p_.sharesProxy->rowCount();
  if (rows > 0) {
    QModelIndex next = p_.sharesProxy->index(std::min(firstRow, rows - 1), 0);
    view->selectionModel()->setCurrentIndex(next, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  }
  updateQrPanel();
  updateActions();
}

void SharesController::offerUndo(std::vector<SharesModel::Entry> removed) {
  delete undo_;  // one removal can be undone: the last
  const QString text = removed.size() == 1
                           ? tr("Removed %1: its link no longer works.").arg(removed.front().name)
                           : tr("Removed %1 files: their links no longer work.").arg(removed.size());
  undo_ = new QAction(tr("Undo"), this);
  undo_->setToolTip(tr("Share them again with the same links"));
  connect(undo_, &QAction::triggered, this, [this, removed = std::move(removed)] {
    const QList<int> rows = p_.shares->reinstate(removed);
    selectRows(rows);
    p_.statusBar->showMessage(rows.size() == 1 ? tr("Sharing %1 again: its link works again").arg(removed.front().name)
                                               : tr("Sharing %1 files again: their links work again").arg(rows.size()),
                              5000);
    undo_->deleteLater();
    undo_ = nullptr;
  });
  p_.messages->showMessage(MessageBar::Level::Info, text, {undo_});
  // The offer stands for a while, then goes (if nothing replaced it).
  QTimer::singleShot(kUndoFor, undo_, [this, text] {
    if (p_.messages->isVisible() && p_.messages->text() == text) p_.messages->dismiss();
    undo_->deleteLater();
    undo_ = nullptr;
  });
}

void SharesController::openContainingFolder() {
  const QList<int> rows = selectedRows();
  if (rows.isEmpty()) return;
  const QString dir = QFileInfo(p_.shares->model()->entry(rows.first()).path).absolutePath();
  if (!QDesktopServices::openUrl(QUrl::fromLocalFile(dir)))
    p_.statusBar->showMessage(tr("Could not open %1").arg(QDir::toNativeSeparators(dir)), 5000);
}

bool SharesController::showProperties() {
  const QModelIndex cur = p_.sharesView->currentIndex();
  const QList<int> rows = selectedRows();
  if (rows.isEmpty()) return false;
  const int row = cur.isValid() ? p_.sharesProxy->mapToSource(cur).row() : rows.first();
  SharesModel* m = p_.shares->model();
  // Copied: rows may come and go while the dialog is open.
  const SharesModel::Entry e = m->entry(row);
  QString token = e.token;  // follows a rotation
  SharePropertiesDialog dialog({e.name, m->linkAt(row), e.rules, e.deliveries(), e.folder},
                               [this, &token]() -> std::optional<QString> {
                                 const QString fresh = p_.shares->rotate(token);
                                 if (fresh.isEmpty()) return std::nullopt;
                                 token = fresh;
                                 return p_.shares->model()->linkAt(p_.shares->model()->rowOf(fresh));
                               },
                               p_.sharesView->window());
  const bool accepted = dialog.exec() == QDialog::Accepted;
  if (dialog.rotated()) p_.statusBar->showMessage(tr("%1 has a new link: the old one no longer works").arg(e.name), 6000);
  if (!accepted) return false;
  const int now = m->rowOf(token);
  if (now < 0) return false;  // unshared meanwhile
  const QString name = m->entry(now).name;
  if (!p_.shares->setRules(token, dialog.rules())) {
    p_.messages->showMessage(MessageBar::Level::Error,
                             tr("Ferry could not apply the rules to %1: it is no longer shared.").arg(name));
    return false;
  }
  p_.statusBar->showMessage(tr("The rules of %1 apply from the next download").arg(name), 5000);
  return true;
}

void SharesController::updateActions() {
  const bool any = !selectedRows().isEmpty();
  p_.actions->properties->setEnabled(any);
  p_.actions->remove->setEnabled(any);
  p_.actions->copyLink->setEnabled(p_.shares->model()->rowCount() > 0);
  p_.actions->openFolder->setEnabled(any);
  updateQrPanel();
}

void SharesController::updateQrPanel() {
  const QModelIndex cur = p_.sharesView->currentIndex();
  p_.qrPanel->setSelectedCount(static_cast<int>(p_.sharesView->selectionModel()->selectedRows().size()));
  if (!cur.isValid()) {
    p_.qrPanel->setShare({}, {});
    return;
  }
  const int row = p_.sharesProxy->mapToSource(cur).row();
  const SharesModel::Entry& e = p_.shares->model()->entry(row);
  p_.qrPanel->setShare(e.name, p_.shares->model()->linkAt(row));
  p_.qrPanel->setRules(rulesSummary(e.rules, e.deliveries(), QDateTime::currentDateTime()),
                       QString::fromStdString(e.rules.password));
}

QString SharesController::rulesSummary(const ShareRules& rules, std::uint32_t deliveries, const QDateTime& now) {
  QStringList parts;
  if (!rules.password.empty()) parts << tr("🔒 password");
  if (rules.expires) {
    const QDateTime at = toQDateTime(*rules.expires).toLocalTime();
    if (at <= now) parts << tr("ended");
    else if (at.date() == now.date()) parts << tr("ends %1").arg(clockTime(at.time()));
    else if (at.date() == now.date().addDays(1)) parts << tr("ends tomorrow %1").arg(clockTime(at.time()));
    else parts << tr("ends %1 %2").arg(QLocale().toString(at.date(), QLocale::ShortFormat), clockTime(at.time()));
  }
  if (rules.downloadLimit)
    parts << (rules.downloadLimit == 1 ? tr("%1 of 1 download").arg(deliveries)
                                       : tr("%1 of %2 downloads").arg(deliveries).arg(rules.downloadLimit));
  return parts.join(QStringLiteral(" · "));
}

}  // namespace ferry::ui
