#pragma once

// ProgressDelegate: paints the transfers table. The progress column becomes
// a native progress bar; every cell of a row that is fading out is drawn
// with that row's opacity. Reads index data only (ProgressRole, StateRole,
// OpacityRole, DisplayRole); owns nothing.
//
// GUI thread only.

#include <QStyledItemDelegate>

namespace ferry::ui {

class ProgressDelegate final : public QStyledItemDelegate {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ProgressDelegate)

 public:
  explicit ProgressDelegate(int progressColumn, QObject* parent = nullptr);
  ~ProgressDelegate() override;

  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
  QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;

 private:
  int progressColumn_;
};

}  // namespace ferry::ui
