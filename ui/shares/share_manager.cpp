#include "shares/share_manager.h"

#include <algorithm>

#include <QDir>
#include <QFileInfo>
#include <QSet>

#include "server_bridge.h"
#include "settings/settings_store.h"

namespace ferry::ui {

ShareManager::ShareManager(ServerBridge* bridge, SettingsStore* store, QObject* parent)
    : QObject(parent), bridge_(bridge), store_(store) {
  refreshTimer_.setInterval(3000);
  connect(&refreshTimer_, &QTimer::timeout, this, &ShareManager::refresh);
  refreshTimer_.start();
  // Expiry counts down in the list ("in 2 min"), and a link that ends greys.
  expiryTimer_.setInterval(15000);
  connect(&expiryTimer_, &QTimer::timeout, &model_, &SharesModel::refreshExpiry);
  expiryTimer_.start();
  saveTimer_.setSingleShot(true);
  saveTimer_.setInterval(2000);
  connect(&saveTimer_, &QTimer::timeout, this, &ShareManager::save);
  connect(bridge_, &ServerBridge::folderSummaryChanged, this, &ShareManager::onFolderSummaryChanged);
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
    e.folder = saved.folder;
    e.showHidden = saved.showHidden;
    if (saved.expires.isValid()) e.rules.expires = fromQDateTime(saved.expires);
    e.rules.downloadLimit = saved.downloadLimit;
    e.rules.password = saved.password.toStdString();
    e.deliveriesBefore = saved.deliveries;
    e.recipients = saved.recipients;
    // A folder's count saved when its limit counted complete files (more
    // than the devices kept): counted again as devices, as the limit does
    // now. Which devices took those files was not kept; at least one did.
    if (saved.folder && saved.deliveries > static_cast<std::uint32_t>(saved.recipients.size()))
      e.deliveriesBefore = std::max<std::uint32_t>(static_cast<std::uint32_t>(saved.recipients.size()), 1);
    QString error;
    auto share = serve(e, &error);
    if (share) {
      e.name = QString::fromStdString(share->name);
      e.folder = share->folder;
    }
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
    const QString path = QDir::cleanPath(fi.absoluteFilePath());  // a folder's URL may end in '/'
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
    e.folder = share->folder;
    if (newLinkExpiry_.count() > 0) {
      // Obeyed from the first request on.
      e.rules.expires = std::chrono::time_point_cast<ShareRules::Clock::duration>(ShareRules::Clock::now() + newLinkExpiry_);
      bridge_->setRules(e.token, e.rules);
    }
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
  for (SharesModel::Entry& e : back) {
    e.registered = serve(e, nullptr).has_value();
    e.summary = {};  // counted again from the start
  }
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
    const bool served = serve(e, &error).has_value();
    model_.setRegistered(row, served, error);
  }
}

int ShareManager::setShowHidden(const QStringList& tokens, bool show) {
  int changed = 0;
  for (const QString& t : tokens) {
    const int row = model_.rowOf(t);
    if (row < 0 || !model_.entry(row).folder || model_.entry(row).showHidden == show) continue;
    model_.setShowHidden(row, show);
    // Counted again with or without them; the row says so until it is done.
    if (bridge_->setShowHidden(t, show)) model_.setFolderSummary(row, {});
    ++changed;
  }
  if (changed > 0) save();
  return changed;
}

bool ShareManager::setRules(const QString& token, const ShareRules& rules) {
  const int row = model_.rowOf(token);
  if (row < 0) return false;
  // A share not served now (its file is missing) gets them when it is.
  if (model_.entry(row).registered && !bridge_->setRules(token, rules)) return false;
  model_.setRules(row, rules);
  save();
  return true;
}

QString ShareManager::rotate(const QString& token) {
  const int row = model_.rowOf(token);
  if (row < 0) return {};
  auto share = bridge_->rotateShare(token);
  if (!share) return {};
  const QString fresh = QString::fromStdString(share->token);
  model_.setToken(row, fresh);
  store_->renameShare(token, fresh);
  save();
  return fresh;
}

std::optional<Share> ShareManager::serve(const SharesModel::Entry& e, QString* error) {
  auto share = bridge_->addShare(e.path, error, e.token);
  if (share && share->folder && e.showHidden) bridge_->setShowHidden(e.token, true);
  // The rules and the count before the first request, so a restart never
  // opens a link that had ended.
  if (share && e.rules.any()) bridge_->setRules(e.token, e.rules);
  if (share && e.deliveries() > 0) bridge_->setDeliveries(e.token, e.deliveries());
  if (share && !e.recipients.isEmpty()) {
    std::vector<Recipient> known;
    for (const QString& text : e.recipients)
      if (Recipient r; parseRecipient(text.toStdString(), r)) known.push_back(std::move(r));
    bridge_->setRecipients(e.token, known);
  }
  return share;
}

void ShareManager::onFolderSummaryChanged(const QString& token) {
  const int row = model_.rowOf(token);
  if (row < 0) return;  // unshared meanwhile
  if (auto summary = bridge_->folderSummary(token)) model_.setFolderSummary(row, *summary);
}

void ShareManager::save() {
  saveTimer_.stop();
  QList<SavedShare> out;
  for (const SharesModel::Entry& e : model_.entries()) {
    SavedShare s{e.token, e.path, e.downloads(), e.folder, e.folder && e.showHidden};
    if (e.rules.expires) s.expires = toQDateTime(*e.rules.expires).toUTC();
    s.downloadLimit = e.rules.downloadLimit;
    s.password = QString::fromStdString(e.rules.password);
    s.deliveries = e.deliveries();
    s.recipients = e.recipients;
    if (e.registered && e.folder) {
      s.recipients.clear();
      for (const Recipient& r : bridge_->recipients(e.token)) s.recipients << QString::fromStdString(recipientText(r));
    }
    out.push_back(std::move(s));
  }
  unsaved_ = !store_->saveShares(out);
  emit saveFinished(!unsaved_);
}

void ShareManager::scheduleSave() {
  if (!saveTimer_.isActive()) saveTimer_.start();
}

}  // namespace ferry::ui
