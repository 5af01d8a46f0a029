#include "widgets/table_view.h"

#include <QAction>
#include <QDragEnterEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QMimeData>
#include <QPainter>
#include <QToolButton>

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

void TableView::setEmptyActions(const QList<QAction*>& actions) {
  delete emptyButtons_;
  emptyButtons_ = new QWidget(viewport());
  emptyButtons_->setObjectName(QStringLiteral("emptyButtons"));
  auto* row = new QHBoxLayout(emptyButtons_);
  row->setContentsMargins(0, 0, 0, 0);
  row->setSpacing(12);
  for (QAction* a : actions) {
    auto* b = new QToolButton(emptyButtons_);
    b->setDefaultAction(a);
    b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    b->setIconSize(QSize(24, 24));
    b->setAutoRaise(false);
    row->addWidget(b);
  }
  // Shown while the view is empty, whatever empties or fills it.
  for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
    connect(model(), signal, this, &TableView::placeEmptyButtons);
  connect(model(), &QAbstractItemModel::modelReset, this, &TableView::placeEmptyButtons);
  placeEmptyButtons();
}

bool TableView::isEmpty() const { return !model() || model()->rowCount() == 0; }

void TableView::placeEmptyButtons() {
  if (!emptyButtons_) return;
  emptyButtons_->setVisible(isEmpty());
  emptyButtons_->adjustSize();
  const QRect r = viewport()->rect();
  emptyButtons_->move(r.center().x() - emptyButtons_->width() / 2, r.center().y() + 44);
}

void TableView::resizeEvent(QResizeEvent* event) {
  QTableView::resizeEvent(event);
  placeEmptyButtons();
}

void TableView::paintEvent(QPaintEvent* event) {
  QTableView::paintEvent(event);
  const bool empty = isEmpty();
  if (!empty && !dragging_) return;
  QPainter p(viewport());
  p.setRenderHint(QPainter::Antialiasing);
  if (empty && emptyButtons_) {
    // The drop zone: a frame, an arrow into it, the invitation large.
    const QRectF zone = QRectF(viewport()->rect()).adjusted(12, 12, -12, -12);
    QColor line = palette().color(QPalette::Text);
    line.setAlphaF(0.3);
    p.setPen(QPen(line, 2, Qt::DashLine));
    p.setBrush(Qt::NoBrush);
    p.drawRoundedRect(zone, 12, 12);
    const QPointF c = zone.center();
    QColor ink = palette().color(QPalette::Text);
    ink.setAlphaF(0.45);
    p.setPen(QPen(ink, 4, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.drawLine(QPointF(c.x(), c.y() - 96), QPointF(c.x(), c.y() - 56));
    p.drawPolyline(
        QPolygonF({QPointF(c.x() - 16, c.y() - 72), QPointF(c.x(), c.y() - 56), QPointF(c.x() + 16, c.y() - 72)}));
    const QStringList lines = placeholder_.split(QLatin1Char('\n'));
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    p.setFont(big);
    ink.setAlphaF(0.8);
    p.setPen(ink);
    const QRectF head(zone.left() + 16, c.y() - 44, zone.width() - 32, QFontMetricsF(big).height() * 2.2);
    p.drawText(head, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, lines.value(0));
    p.setFont(font());
    ink.setAlphaF(0.6);
    p.setPen(ink);
    p.drawText(QRectF(zone.left() + 16, c.y() + 4, zone.width() - 32, 36),
               Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, lines.mid(1).join(QLatin1Char(' ')).trimmed());
  } else if (empty && !placeholder_.isEmpty()) {
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
