#pragma once

// HistoryDialog: the delivery history (DeliveryHistory) as a table, newest
// first, with Clear History (after asking). Owns its widgets only; shows
// the history it is given, live.
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

 private:
  void updateState();
  void askToClear();

  DeliveryHistory* history_;
  QTableView* view_;
  QLabel* summary_;
  QPushButton* clear_;
};

}  // namespace ferry::ui
