#include "share_manager.h"

#include <QFileInfo>
#include <QSet>

#include "server_bridge.h"
#include "settings_store.h"

namespace ferry::ui {

ShareManager::ShareManager(ServerBridge* bridge, SettingsStore* store, QObject* parent)
    : QObject(parent), bridge_(bridge), store_(store) {
  refreshTimer_.setInterval(3000);
  connect(&refreshTimer_, &QTimer::timeout, this, &ShareManager::refresh);
  refreshTimer_.start();
  saveTimer_.setSingleShot(true);
  saveTimer_.setInterval(2000);
  connect(&saveTimer_, &QTimer::timeout, this, &ShareManager::save);
}

// The store may already be gone (the window owns it and destroys its
// members before its children): the owner saves before destroying us.
ShareManager::~ShareManager() = default;

void ShareManager::restore() {
  for (const SavedShare& saved : store_->loadShares()) {
    SharesModel::Entry e;
    e.token = saved.token;
    e.path = saved.path;
    e.name = QFileInfo(saved.path).fileName();
    e.downloadsBefore = saved.downloads;
    QString error;
    auto share = bridge_->addShare(saved.path, &error, saved.token);
    if (share) e.name = QString::fromStdString(share->name);
    e.registered = share.has_value();
    if (!share) e.problem = error;
    model_.add(std::move(e));
  }
}

ShareManager::AddResult ShareManager::addPaths(const QStringList& paths) {
  AddResult result;
  std::vector<SharesModel::Entry> fresh;
  QSet<QString> seen;
  for (const QString& raw : paths) {
    const QFileInfo fi(raw);
    const QString path = fi.absoluteFilePath();
    if (fi.isDir()) {
      result.folders << path;
      continue;
    }
    if (int row = model_.rowOfPath(path); row >= 0) {
      result.alreadyShared << row;
      continue;
    }
    if (seen.contains(path)) continue;
    QString error;
    auto share = bridge_->addShare(path, &error);
    if (!share) {
      result.errors << error;
      continue;
    }
    seen.insert(path);
    SharesModel::Entry e;
    e.token = QString::fromStdString(share->token);
    e.path = QString::fromStdString(share->path);
    e.name = QString::fromStdString(share->name);
    fresh.push_back(std::move(e));
  }
  // One insertion for the lot: a view costs the same for 4,000 as for one.
  for (int row : model_.add(std::move(fresh))) result.added << row;
  if (!result.added.isEmpty()) save();
  return result;
}

void ShareManager::remove(const QStringList& tokens) {
  for (const QString& t : tokens) bridge_->removeShare(t);  // its link 404s at once, its downloads end
  if (model_.remove(tokens) > 0) save();
}

QList<int> ShareManager::reinstate(const std::vector<SharesModel::Entry>& removed) {
  std::vector<SharesModel::Entry> back = removed;
  for (SharesModel::Entry& e : back) e.registered = bridge_->addShare(e.path, nullptr, e.token).has_value();
  QList<int> rows;
  for (int row : model_.add(std::move(back))) rows << row;
  if (!rows.isEmpty()) save();
  return rows;
}

void ShareManager::refresh() {
  // A disk that was full may have room again.
  if (unsaved_) save();
  for (int row : model_.refreshFiles()) {
    const SharesModel::Entry& e = model_.entry(row);
    QString error;
    const bool served = bridge_->addShare(e.path, &error, e.token).has_value();
    model_.setRegistered(row, served, error);
  }
}

void ShareManager::save() {
  saveTimer_.stop();
  QList<SavedShare> out;
  for (const SharesModel::Entry& e : model_.entries()) out.push_back({e.token, e.path, e.downloads()});
  unsaved_ = !store_->saveShares(out);
  emit saveFinished(!unsaved_);
}

void ShareManager::scheduleSave() {
  if (!saveTimer_.isActive()) saveTimer_.start();
}

}  // namespace ferry::ui
