#include "widgets/table_view.h"

#include <QDragEnterEvent>
#include <QHeaderView>
#include <QMimeData>
#include <QPainter>

namespace ferry::ui {

TableView::TableView(QWidget* parent) : QTableView(parent) {
  setSelectionBehavior(SelectRows);
  setSelectionMode(ExtendedSelection);
  setAlternatingRowColors(true);
  setShowGrid(false);
  setWordWrap(false);
  setSortingEnabled(true);
  setTabKeyNavigation(false);  // Tab moves between the window's parts
  setEditTriggers(NoEditTriggers);
  verticalHeader()->hide();
  verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
  verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
  horizontalHeader()->setHighlightSections(false);
  horizontalHeader()->setSortIndicatorShown(true);
  horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);
}

TableView::~TableView() = default;

void TableView::setPlaceholderText(const QString& text) {
  placeholder_ = text;
  viewport()->update();
}

void TableView::setAcceptsFileDrops(bool accept) {
  setAcceptDrops(accept);
  viewport()->setAcceptDrops(accept);
  setDragDropMode(accept ? DropOnly : NoDragDrop);
}

QList<QUrl> TableView::localFileUrls(const QMimeData* mime) {
  QList<QUrl> out;
  if (!mime || !mime->hasUrls()) return out;
  for (const QUrl& u : mime->urls())
    if (u.isLocalFile()) out.push_back(u);
  return out;
}

void TableView::paintEvent(QPaintEvent* event) {
  QTableView::paintEvent(event);
  const bool empty = !model() || model()->rowCount() == 0;
  if (!empty && !dragging_) return;
  QPainter p(viewport());
  p.setRenderHint(QPainter::Antialiasing);
  if (empty && !placeholder_.isEmpty()) {
    QColor c = palette().color(QPalette::Text);
    c.setAlphaF(0.55);
    p.setPen(c);
    p.drawText(viewport()->rect().adjusted(24, 24, -24, -24), Qt::AlignCenter | Qt::TextWordWrap, placeholder_);
  }
  if (dragging_) {
    QColor accent = palette().color(QPalette::Highlight);
    p.setPen(QPen(accent, 2, Qt::DashLine));
    accent.setAlphaF(0.08);
    p.setBrush(accent);
    p.drawRoundedRect(QRectF(viewport()->rect()).adjusted(4, 4, -4, -4), 8, 8);
  }
}

void TableView::dragEnterEvent(QDragEnterEvent* event) {
  if (localFileUrls(event->mimeData()).isEmpty()) return event->ignore();
  event->acceptProposedAction();
  dragging_ = true;
  viewport()->update();
}

void TableView::dragMoveEvent(QDragMoveEvent* event) {
  if (localFileUrls(event->mimeData()).isEmpty()) return event->ignore();
  event->acceptProposedAction();
}

void TableView::dragLeaveEvent(QDragLeaveEvent* event) {
  dragging_ = false;
  viewport()->update();
  event->accept();
}

void TableView::dropEvent(QDropEvent* event) {
  dragging_ = false;
  viewport()->update();
  const QList<QUrl> urls = localFileUrls(event->mimeData());
  if (urls.isEmpty()) return event->ignore();
  event->acceptProposedAction();
  emit filesDropped(urls);
}

}  // namespace ferry::ui
