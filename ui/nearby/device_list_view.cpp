#include "nearby/device_list_view.h"

#include <QDragEnterEvent>
#include <QPainter>

#include "nearby/nearby_model.h"
#include "widgets/table_view.h"

namespace ferry::ui {

DeviceListView::DeviceListView(QWidget* parent) : QListView(parent) {
  setSelectionMode(SingleSelection);
  setEditTriggers(NoEditTriggers);
  setUniformItemSizes(false);
  setWordWrap(false);
  setTextElideMode(Qt::ElideRight);
  setIconSize(QSize(28, 28));
  setSpacing(2);
  setAcceptDrops(true);
  viewport()->setAcceptDrops(true);
  setDragDropMode(DropOnly);
  setDropIndicatorShown(false);  // the hovered device is highlighted instead
}

DeviceListView::~DeviceListView() = default;

void DeviceListView::setPlaceholderText(const QString& text) {
  placeholder_ = text;
  viewport()->update();
}

std::uint64_t DeviceListView::deviceAt(const QPoint& pos) const {
  const QModelIndex i = indexAt(pos);
  if (!i.isValid() || !i.data(NearbyModel::HereRole).toBool()) return 0;
  return i.data(NearbyModel::IdRole).toULongLong();
}

void DeviceListView::paintEvent(QPaintEvent* event) {
  QListView::paintEvent(event);
  QPainter p(viewport());
  p.setRenderHint(QPainter::Antialiasing);
  if ((!model() || model()->rowCount() == 0) && !placeholder_.isEmpty()) {
    QColor c = palette().color(QPalette::Text);
    c.setAlphaF(0.55);
    p.setPen(c);
    p.drawText(viewport()->rect().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
  }
  if (target_.isValid()) {
    QColor accent = palette().color(QPalette::Highlight);
    p.setPen(QPen(accent, 2, Qt::DashLine));
    accent.setAlphaF(0.12);
    p.setBrush(accent);
    p.drawRoundedRect(QRectF(visualRect(target_)).adjusted(1, 1, -1, -1), 6, 6);
  }
}

void DeviceListView::dragEnterEvent(QDragEnterEvent* event) {
  if (TableView::localFileUrls(event->mimeData()).isEmpty()) return event->ignore();
  event->acceptProposedAction();  // moves over the list decide per device
}

void DeviceListView::dragMoveEvent(QDragMoveEvent* event) {
  const QPoint pos = event->position().toPoint();
  const bool onDevice = deviceAt(pos) != 0 && !TableView::localFileUrls(event->mimeData()).isEmpty();
  const QPersistentModelIndex now = onDevice ? QPersistentModelIndex(indexAt(pos)) : QPersistentModelIndex();
  if (now != target_) {
    target_ = now;
    viewport()->update();
  }
  if (onDevice) event->acceptProposedAction();
  else event->ignore();
}

void DeviceListView::dragLeaveEvent(QDragLeaveEvent* event) {
  target_ = QPersistentModelIndex();
  viewport()->update();
  event->accept();
}

void DeviceListView::dropEvent(QDropEvent* event) {
  target_ = QPersistentModelIndex();
  viewport()->update();
  const std::uint64_t device = deviceAt(event->position().toPoint());
  const QList<QUrl> urls = TableView::localFileUrls(event->mimeData());
  if (!device || urls.isEmpty()) return event->ignore();
  event->acceptProposedAction();
  emit filesDropped(device, urls);
}

}  // namespace ferry::ui
