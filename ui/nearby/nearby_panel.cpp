#include "nearby/nearby_panel.h"

#include <algorithm>

#include <QBoxLayout>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

#include "nearby/device_list_view.h"
#include "nearby/nearby_model.h"
#include "nearby/received_texts.h"

namespace ferry::ui {
namespace {

QLabel* title(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  QFont f = l->font();
  f.setBold(true);
  l->setFont(f);
  return l;
}

}  // namespace

NearbyPanel::NearbyPanel(NearbyModel* devices, ReceivedTexts* texts, QWidget* parent)
    : QFrame(parent), model_(devices), textModel_(texts) {
  setObjectName(QStringLiteral("nearbyPanel"));
  setFrameShape(QFrame::StyledPanel);
  // The devices, then the texts received: side by side where the panel is
  // wide (under the shares list), one above the other where it is narrow.
  columns_ = new QBoxLayout(QBoxLayout::LeftToRight, this);
  columns_->setContentsMargins(8, 6, 8, 8);
  auto* devicesBox = new QWidget(this);
  auto* layout = new QVBoxLayout(devicesBox);
  layout->setContentsMargins(0, 0, 0, 0);
  columns_->addWidget(devicesBox, 2);

  heading_ = title(tr("Nearby"), this);
  heading_->setObjectName(QStringLiteral("nearbyHeading"));
  auto* heading = heading_;
  heading->setToolTip(tr("Phones with this computer's page open (Receive's code), and other devices that can "
                         "take files from this computer"));
  layout->addWidget(heading);
  devices_ = new DeviceListView(this);
  devices_->setObjectName(QStringLiteral("nearbyDevices"));
  devices_->setAccessibleName(tr("Nearby devices"));
  devices_->setModel(model_);
  devices_->setPlaceholderText(tr("A phone that scans Receive's code shows up here: then drop files on it, "
                                  "or send it text"));
  layout->addWidget(devices_, 2);

  auto* buttons = new QHBoxLayout;
  sendFiles_ = new QPushButton(tr("Send Files…"), this);
  sendFiles_->setToolTip(tr("Send files to the chosen device: they appear on its page with a Download button"));
  sendText_ = new QPushButton(tr("Send Text…"), this);
  sendText_->setToolTip(tr("Send a note or a link to the chosen device (Ctrl+V sends what you copied)"));
  buttons->addWidget(sendFiles_);
  buttons->addWidget(sendText_);
  layout->addLayout(buttons);

  // Texts received: shown from the first one on.
  textsBox_ = new QWidget(this);
  auto* tl = new QVBoxLayout(textsBox_);
  tl->setContentsMargins(0, 0, 0, 0);
  tl->addWidget(title(tr("Texts received"), textsBox_));
  texts_ = new QListView(textsBox_);
  texts_->setObjectName(QStringLiteral("receivedTexts"));
  texts_->setAccessibleName(tr("Texts received"));
  texts_->setModel(textModel_);
  texts_->setWordWrap(true);
  texts_->setTextElideMode(Qt::ElideRight);
  texts_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  texts_->setSelectionMode(QAbstractItemView::SingleSelection);
  texts_->setAlternatingRowColors(true);
  tl->addWidget(texts_, 1);
  auto* textButtons = new QHBoxLayout;
  copy_ = new QPushButton(tr("Copy"), textsBox_);
  copy_->setToolTip(tr("Put the chosen text on the clipboard"));
  openLink_ = new QPushButton(tr("Open Link"), textsBox_);
  openLink_->setToolTip(tr("Open the link in the chosen text in your browser"));
  textButtons->addWidget(copy_);
  textButtons->addWidget(openLink_);
  textButtons->addStretch(1);
  tl->addLayout(textButtons);
  textsBox_->hide();
  columns_->addWidget(textsBox_, 3);

  connect(model_, &QAbstractItemModel::rowsInserted, this, &NearbyPanel::updateButtons);
  connect(model_, &QAbstractItemModel::rowsRemoved, this, &NearbyPanel::updateButtons);
  connect(devices_->selectionModel(), &QItemSelectionModel::selectionChanged, this, &NearbyPanel::updateButtons);
  connect(textModel_, &QAbstractItemModel::rowsInserted, this, [this] {
    textsBox_->show();
    updateGeometry();
    texts_->setCurrentIndex(textModel_->index(0));  // the newest
    updateButtons();
  });
  connect(texts_->selectionModel(), &QItemSelectionModel::currentChanged, this, &NearbyPanel::updateButtons);
  updateButtons();
}

NearbyPanel::~NearbyPanel() = default;

int NearbyPanel::leastHeight() const {
  // The heading, two devices' rows (their 28 px icons) and the buttons.
  const QMargins m = columns_->contentsMargins();
  const int rows = 2 * (std::max(devices_->iconSize().height(), 2 * fontMetrics().lineSpacing()) + 2 * devices_->spacing());
  return m.top() + m.bottom() + heading_->sizeHint().height() + rows + 2 * devices_->frameWidth() +
         sendFiles_->sizeHint().height() + 2 * columns_->spacing();
}

QSize NearbyPanel::minimumSizeHint() const {
  // One above the other, the texts keep rows of their own: the area
  // around the panel scrolls to them.
  QSize size = QFrame::minimumSizeHint();
  int least = leastHeight();
  if (columns_->direction() == QBoxLayout::TopToBottom && textsBox_->isVisibleTo(this))
    least += leastHeight() - heading_->sizeHint().height() + textsBox_->layout()->itemAt(0)->sizeHint().height();
  size.setHeight(std::max(size.height(), least));
  return size;
}

void NearbyPanel::resizeEvent(QResizeEvent* event) {
  const bool wide = width() >= 440;
  if (columns_->direction() != (wide ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom)) {
    columns_->setDirection(wide ? QBoxLayout::LeftToRight : QBoxLayout::TopToBottom);
    updateGeometry();
  }
  columns_->setSpacing(wide ? 12 : 6);
  QFrame::resizeEvent(event);
}

std::uint64_t NearbyPanel::selectedDevice() const {
  for (const QModelIndex& i : devices_->selectionModel()->selectedIndexes())
    if (i.data(NearbyModel::HereRole).toBool()) return i.data(NearbyModel::IdRole).toULongLong();
  return 0;
}

void NearbyPanel::selectDevice(std::uint64_t id) {
  const int row = model_->rowOf(id);
  if (row < 0) return devices_->clearSelection();
  devices_->setCurrentIndex(model_->index(row));
}

QModelIndex NearbyPanel::currentText() const {
  const QModelIndex i = texts_->currentIndex();
  return i.isValid() ? i : textModel_->index(0);
}

void NearbyPanel::updateButtons() {
  // With one device here, it is the one meant.
  const bool device = selectedDevice() != 0 || model_->hereCount() == 1;
  sendFiles_->setEnabled(device);
  sendText_->setEnabled(device);
  const QModelIndex t = currentText();
  copy_->setEnabled(t.isValid());
  openLink_->setEnabled(t.isValid() && !t.data(ReceivedTexts::LinkRole).toUrl().isEmpty());
}

}  // namespace ferry::ui
