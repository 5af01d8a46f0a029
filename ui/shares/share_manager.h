#pragma once

// ShareManager: keeps three lists of shares in step — the SharesModel the
// user sees, the server's registry (what is served) and the settings file
// (what survives a restart, tokens, folder settings, link rules and the
// deliveries a download limit counts included) — and
// brings the scanner's counts of shared folders to their rows. Owns the
// model and the timers that re-check files on disk and batch saves; uses,
// but does not own, the bridge and the store.
//
// GUI thread only.

#include <chrono>
#include <optional>

#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include "shares/shares_model.h"

namespace ferry::ui {

class ServerBridge;
class SettingsStore;

class ShareManager final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ShareManager)

 public:
  struct AddResult {
    QList<int> added;           // model rows of new shares
    QList<int> alreadyShared;   // model rows of paths that were shared before
    QStringList errors;         // sentences for people
  };

  ShareManager(ServerBridge* bridge, SettingsStore* store, QObject* parent = nullptr);
  ~ShareManager() override;

  SharesModel* model() { return &model_; }

  // Shares from the settings file, with their tokens. A file that is gone is
  // listed as missing and served again when it comes back.
  void restore();
  // New shares' links end `newLinkExpiry` after they are added (0: never);
  // paths already shared keep their rules.
  AddResult addPaths(const QStringList& paths);
  void setNewLinkExpiry(std::chrono::seconds expiry) { newLinkExpiry_ = expiry; }
  void remove(const QStringList& tokens);
  // Shares again what remove() took, with the same tokens (links already
  // sent work again) and counts; returns their model rows.
  QList<int> reinstate(const std::vector<SharesModel::Entry>& removed);
  // Whether these folders list and zip their hidden entries (files among
  // the tokens are left alone); saved at once. Returns how many changed.
  int setShowHidden(const QStringList& tokens, bool show);
  // A share's link rules; the next request obeys them; saved at once.
  bool setRules(const QString& token, const ShareRules& rules);
  // A new token for the share (the old link ends at once); saved at once.
  // Returns the new token, or "" if the share is unknown.
  QString rotate(const QString& token);
  // Presence and size of every file; re-registers files that came back.
  void refresh();
  void save();           // now; the owner calls it before destroying this
  void scheduleSave();   // soon, once, however often called
  // Saves again with the next refresh, as after a failure (for the owner,
  // whose own part of the same file failed to save).
  void markUnsaved() { unsaved_ = true; }

 signals:
  // After every save; on failure the store's lastError() says why.
  void saveFinished(bool ok);

 private:
  // Registers a row's share with the server under its token, with its
  // folder setting; `error` says why not.
  std::optional<Share> serve(const SharesModel::Entry& e, QString* error);
  void onFolderSummaryChanged(const QString& token);

  ServerBridge* bridge_;
  SettingsStore* store_;
  SharesModel model_;
  QTimer refreshTimer_;
  QTimer saveTimer_;
  QTimer expiryTimer_;
  bool unsaved_ = false;  // the last save failed: retried with every refresh
  std::chrono::seconds newLinkExpiry_{0};
};

}  // namespace ferry::ui
