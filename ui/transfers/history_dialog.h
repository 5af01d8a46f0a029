#pragma once

// HistoryDialog: the delivery history (DeliveryHistory) as a table, newest
// first, with Clear History (after asking) and Take Back for a file sent to
// a nearby device's page whose link still works (the window decides what
// taking back does: takeBackRequested). Owns its widgets only; shows the
// history it is given, live.
//
// GUI thread only.

#include <QDialog>

class QLabel;
class QPushButton;
class QTableView;

namespace ferry::ui {

class DeliveryHistory;

class HistoryDialog final : public QDialog {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(HistoryDialog)

 public:
  HistoryDialog(DeliveryHistory* history, QWidget* parent = nullptr);
  ~HistoryDialog() override;

  QTableView* view() const { return view_; }
  QPushButton* clearButton() const { return clear_; }
  QPushButton* takeBackButton() const { return takeBack_; }

 signals:
  // Take Back on a row: the link (a share's token) of the file it sent.
  void takeBackRequested(const QString& link);

 private:
  void updateState();
  QString currentLink() const;
  void askToClear();

  DeliveryHistory* history_;
  QTableView* view_;
  QLabel* summary_;
  QPushButton* clear_;
  QPushButton* takeBack_;
};

}  // namespace ferry::ui
