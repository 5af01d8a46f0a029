#pragma once

// UnfinishedLine: one line beside the Transfers heading while uploads from
// this computer's page wait part-way for their senders ("2 unfinished
// uploads, 1.3 GB, from Safari on iPhone"), with Delete, which removes what
// arrived of all of them (each sender's page is told its upload is gone
// when it tries to resume). Hidden while there are none. It reads the list
// from the ServerBridge whenever it changes; each upload is also a row of
// the list below it.
//
// GUI thread only.

#include <vector>

#include <QWidget>

#include "share/unfinished_upload.h"

class QLabel;
class QPushButton;

namespace ferry::ui {

class ServerBridge;

class UnfinishedLine final : public QWidget {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(UnfinishedLine)

 public:
  explicit UnfinishedLine(ServerBridge* bridge, QWidget* parent = nullptr);
  ~UnfinishedLine() override;

  // "1 unfinished upload, 1.0 GB, from Safari on iPhone"; "" for none.
  static QString summary(const std::vector<UnfinishedUpload>& uploads);

  QString text() const;
  QPushButton* deleteButton() const { return delete_; }

 private:
  void refresh();
  void deleteAll();

  ServerBridge* bridge_;
  QLabel* text_;
  QPushButton* delete_;
  std::vector<UnfinishedUpload> uploads_;
};

}  // namespace ferry::ui
