#include "transfers/history_dialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "transfers/delivery_history.h"

namespace ferry::ui {

HistoryDialog::HistoryDialog(DeliveryHistory* history, QWidget* parent) : QDialog(parent), history_(history) {
  setWindowTitle(tr("Transfer History"));
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  view_ = new QTableView(this);
  view_->setObjectName(QStringLiteral("historyView"));
  view_->setModel(history);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  view_->verticalHeader()->hide();
  view_->setAlternatingRowColors(true);
  view_->setTextElideMode(Qt::ElideMiddle);
  QHeaderView* h = view_->horizontalHeader();
  h->setSectionResizeMode(DeliveryHistory::Time, QHeaderView::ResizeToContents);
  h->setSectionResizeMode(DeliveryHistory::Client, QHeaderView::Interactive);
  h->setSectionResizeMode(DeliveryHistory::File, QHeaderView::Stretch);
  h->setSectionResizeMode(DeliveryHistory::Outcome, QHeaderView::ResizeToContents);
  h->resizeSection(DeliveryHistory::Client, 220);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  clear_ = buttons->addButton(tr("C&lear History…"), QDialogButtonBox::ResetRole);
  clear_->setObjectName(QStringLiteral("clearHistory"));
  connect(clear_, &QPushButton::clicked, this, &HistoryDialog::askToClear);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  takeBack_ = buttons->addButton(tr("&Take Back"), QDialogButtonBox::ActionRole);
  takeBack_->setObjectName(QStringLiteral("takeBack"));
  takeBack_->setToolTip(tr("End the link of the file sent to a device's page: its page shows it as taken back"));
  connect(takeBack_, &QPushButton::clicked, this, [this] {
    if (const QString link = currentLink(); !link.isEmpty()) emit takeBackRequested(link);
  });
  connect(view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &HistoryDialog::updateState);
  connect(history, &QAbstractItemModel::dataChanged, this, &HistoryDialog::updateState);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(summary_);
  layout->addWidget(view_, 1);
  layout->addWidget(buttons);
  for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
    connect(history, signal, this, &HistoryDialog::updateState);
  connect(history, &QAbstractItemModel::modelReset, this, &HistoryDialog::updateState);
  updateState();
  resize(760, 420);
}

HistoryDialog::~HistoryDialog() = default;

void HistoryDialog::updateState() {
  const int n = history_->rowCount();
  summary_->setText(n == 0 ? tr("Nothing yet. Each download that ends (↑ delivered, stopped or cancelled) and each "
                                "file received (↓) is listed here, the last %1 of them.")
                                 .arg(DeliveryHistory::kMax)
                           : n == 1 ? tr("1 transfer, newest first.")
                                    : tr("%1 transfers, newest first (Ferry keeps the last %2).")
                                          .arg(n)
                                          .arg(DeliveryHistory::kMax));
  clear_->setEnabled(n > 0);
  takeBack_->setEnabled(!currentLink().isEmpty());
}

QString HistoryDialog::currentLink() const {
  const QModelIndex i = view_->currentIndex();
  return i.isValid() ? i.siblingAtColumn(0).data(DeliveryHistory::LinkRole).toString() : QString();
}

void HistoryDialog::askToClear() {
  if (QMessageBox::question(this, tr("Clear History?"),
                            (history_->rowCount() == 1
                                 ? tr("Forget the one transfer in the history? This cannot be undone.")
                                 : tr("Forget all %1 transfers in the history? This cannot be undone.")
                                       .arg(history_->rowCount()))) != QMessageBox::Yes)
    return;
  history_->clear();
}

}  // namespace ferry::ui
