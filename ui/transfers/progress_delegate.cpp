#include "transfers/progress_delegate.h"

#include <algorithm>

#include <QApplication>
#include <QPainter>
#include <QStyleOptionProgressBar>

#include "transfers/transfers_model.h"

namespace ferry::ui {

ProgressDelegate::ProgressDelegate(int progressColumn, QObject* parent)
    : QStyledItemDelegate(parent), progressColumn_(progressColumn) {}

ProgressDelegate::~ProgressDelegate() = default;

void ProgressDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  painter->save();
  bool ok = false;
  const double opacity = index.data(TransfersModel::OpacityRole).toDouble(&ok);
  if (ok) painter->setOpacity(opacity);

  if (index.column() != progressColumn_) {
    QStyledItemDelegate::paint(painter, option, index);
    painter->restore();
    return;
  }

  // The cell's own background (selection), then the bar inside it.
  QStyleOptionViewItem cell = option;
  initStyleOption(&cell, index);
  cell.text.clear();
  const QWidget* widget = option.widget;
  QStyle* style = widget ? widget->style() : QApplication::style();
  style->drawPrimitive(QStyle::PE_PanelItemViewItem, &cell, painter, widget);

  const double progress = std::clamp(index.data(TransfersModel::ProgressRole).toDouble(), 0.0, 1.0);
  const auto state = static_cast<TransferState>(index.data(TransfersModel::StateRole).toInt());
  QStyleOptionProgressBar bar;
  if (widget) bar.initFrom(widget);
  bar.state = option.state | QStyle::State_Horizontal;
  if (state != TransferState::kActive && state != TransferState::kDone) bar.state &= ~QStyle::State_Enabled;
  bar.palette = option.palette;
  const int vpad = std::max(2, (option.rect.height() - option.fontMetrics.height() - 6) / 2);
  bar.rect = option.rect.adjusted(3, vpad, -3, -vpad);
  bar.minimum = 0;
  bar.maximum = 1000;
  bar.progress = static_cast<int>(progress * 1000.0);
  bar.text = index.data(Qt::DisplayRole).toString();
  bar.textVisible = true;
  bar.textAlignment = Qt::AlignCenter;
  style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
  painter->restore();
}

QSize ProgressDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
  QSize s = QStyledItemDelegate::sizeHint(option, index);
  if (index.column() == progressColumn_) s.setWidth(std::max(s.width(), 120));
  return s;
}

}  // namespace ferry::ui
