#include "window_layout.h"

#include <algorithm>

#include <QAction>
#include <QComboBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QMainWindow>
#include <QMetaObject>
#include <QScrollArea>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

#include "nearby/device_list_view.h"
#include "nearby/nearby_model.h"
#include "nearby/nearby_panel.h"
#include "nearby/received_texts.h"
#include "receive/receive_ask_bar.h"
#include "receive/receive_panel.h"
#include "server_bridge.h"
#include "settings/settings_store.h"
#include "shares/shares_model.h"
#include "transfers/progress_delegate.h"
#include "transfers/transfers_model.h"
#include "transfers/unfinished_line.h"
#include "widgets/bandwidth_graph.h"
#include "widgets/message_bar.h"
#include "widgets/qr_panel.h"
#include "widgets/table_view.h"
#include "window_actions.h"

namespace ferry::ui {
namespace {

QLabel* sectionTitle(const QString& text, QWidget* parent) {
  auto* l = new QLabel(text, parent);
  QFont f = l->font();
  f.setBold(true);
  l->setFont(f);
  l->setContentsMargins(2, 6, 0, 2);
  l->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);  // extra height goes to the content
  return l;
}

}  // namespace

WindowLayout::WindowLayout(const Parts& parts) : QObject(parts.window), p(parts) {
  createToolBar();
  createCentral();
}

WindowLayout::~WindowLayout() = default;

void WindowLayout::createToolBar() {
  QToolBar* bar = p.window->addToolBar(tr("Main"));
  bar->setObjectName(QStringLiteral("mainToolBar"));
  bar->setMovable(false);
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  p.actions->fillToolBar(bar);

  auto* spacer = new QWidget(bar);
  spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
  bar->addWidget(spacer);
  auto* label = new QLabel(tr("Links use "), bar);
  linkHostCombo = new QComboBox(bar);
  linkHostCombo->setToolTip(tr("The address put in links: pick one the other person's device can reach"));
  linkHostCombo->setAccessibleName(tr("Link address"));
  linkHostCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
  label->setBuddy(linkHostCombo);
  bar->addWidget(label);
  bar->addWidget(linkHostCombo);
}

void WindowLayout::createCentral() {
  auto* central = new QWidget(p.window);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(8, 4, 8, 4);

  messageBar = new MessageBar(central);
  layout->addWidget(messageBar);
  // Devices asking to send files: above everything, not in the way of it.
  receiveAsks = new ReceiveAskBar(central);
  layout->addWidget(receiveAsks);

  // Shares, with the QR panel beside them.
  sharesView = new TableView(central);
  sharesView->setObjectName(QStringLiteral("sharesView"));
  sharesView->setAccessibleName(tr("Shared files"));
  sharesView->setModel(p.sharesProxy);
  sharesView->setAcceptsFileDrops(true);
  sharesView->setPlaceholderText(
      tr("Drop files or folders here to share them\nEach gets a link and a QR code for phones and computers on this network"));
  sharesView->setEmptyActions({p.actions->addFiles, p.actions->addFolder});
  sharesView->setContextMenuPolicy(Qt::ActionsContextMenu);
  sharesView->addAction(p.actions->copyLink);
  sharesView->addAction(p.actions->openFolder);
  sharesView->addAction(p.actions->properties);
  auto* sep = new QAction(p.window);
  sep->setSeparator(true);
  sharesView->addAction(sep);
  sharesView->addAction(p.actions->remove);
  QHeaderView* sh = sharesView->horizontalHeader();
  sh->setSectionResizeMode(SharesModel::Name, QHeaderView::Stretch);
  sh->setSectionResizeMode(SharesModel::Size, QHeaderView::ResizeToContents);
  sh->setSectionResizeMode(SharesModel::Downloads, QHeaderView::ResizeToContents);
  sh->setSectionResizeMode(SharesModel::Expires, QHeaderView::ResizeToContents);
  // The link is shown whole under its QR code (and copied with Ctrl+C): a
  // column of it could only ever show it cut short.
  sharesView->setColumnHidden(SharesModel::Link, true);
  sharesView->setTextElideMode(Qt::ElideMiddle);

  qrPanel = new QrPanel(p.actions->copyLink, central);
  // While nothing is shared there is no code to show: the drop zone takes
  // its room.
  auto placeQr = [this, showQr = p.actions->showQr, shares = p.sharesProxy] {
    const bool want = showQr->isChecked() && shares->rowCount() > 0;
    if (want == qrPanel->isVisibleTo(qrPanel->parentWidget())) return;
    qrPanel->setVisible(want);
    // Back from hiding: as wide as Receive beside it (its code as large),
    // taken from the shares list.
    QList<int> sizes = topSplitter ? topSplitter->sizes() : QList<int>();
    if (!want || sizes.size() != 3 || sizes[0] <= 0) return;
    const int side = std::max(sizes[2], qrPanel->minimumSizeHint().width());
    if (sizes[1] >= side) return;
    sizes[0] = std::max(sizes[0] + sizes[1] - side, 1);
    sizes[1] = side;
    topSplitter->setSizes(sizes);
  };
  connect(p.actions->showQr, &QAction::toggled, qrPanel, placeQr);
  for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
    connect(p.sharesProxy, signal, qrPanel, placeQr);
  connect(p.sharesProxy, &QAbstractItemModel::modelReset, qrPanel, placeQr);
  qrPanel->setVisible(p.sharesProxy->rowCount() > 0);  // nothing shared yet: hidden

  auto* sharesBox = new QWidget(central);
  auto* sharesLayout = new QVBoxLayout(sharesBox);
  sharesLayout->setContentsMargins(0, 0, 0, 0);
  sharesLayout->addWidget(sectionTitle(tr("Shared files"), sharesBox));
  sharesLayout->addWidget(sharesView);
  // In a small window (760 × 532) the shares list keeps room for names and
  // four rows; the side panels and Nearby give way first, down to their
  // own minimum.
  sharesBox->setMinimumWidth(378);
  sharesView->setMinimumHeight(sharesView->horizontalHeader()->sizeHint().height() +
                               4 * sharesView->verticalHeader()->defaultSectionSize() + 2 * sharesView->frameWidth());

  // Nearby under the shares, as wide as they are: the devices to drop
  // them on and the texts received, side by side. It keeps room for its
  // heading and two rows in any window, and scrolls for the rest.
  nearby = new NearbyPanel(p.nearbyModel, p.receivedTexts, central);
  nearbyScroll = new QScrollArea(central);
  nearbyScroll->setObjectName(QStringLiteral("nearbyScroll"));
  nearbyScroll->setWidget(nearby);
  nearbyScroll->setWidgetResizable(true);
  nearbyScroll->setFrameShape(QFrame::NoFrame);
  nearbyScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  nearbyScroll->setMinimumHeight(nearby->leastHeight());
  nearbyScroll->installEventFilter(this);
  leftSplitter = new QSplitter(Qt::Vertical, central);
  leftSplitter->setObjectName(QStringLiteral("leftSplitter"));
  leftSplitter->addWidget(sharesBox);
  leftSplitter->addWidget(nearbyScroll);
  leftSplitter->setStretchFactor(0, 1);
  leftSplitter->setStretchFactor(1, 0);
  leftSplitter->setCollapsible(0, false);
  leftSplitter->setCollapsible(1, false);
  // Whatever points the user at Nearby (a device arriving, a text and the
  // message saying it is under Nearby) finds it in view.
  connect(p.nearbyModel, &QAbstractItemModel::rowsInserted, this, [this] { showNearby(nearby->devices()); });
  connect(p.receivedTexts, &QAbstractItemModel::rowsInserted, this, [this] { showNearby(nearby->texts()); });

  topSplitter = new QSplitter(Qt::Horizontal, central);
  topSplitter->addWidget(leftSplitter);
  topSplitter->addWidget(qrPanel);
  // Receive: its own switch, link and QR code, beside the shares'.
  receivePanel = new ReceivePanel(p.bridge, central);
  receivePanel->setLinkHost(p.linkHost);
  connect(p.bridge, &ServerBridge::runningChanged, receivePanel, &ReceivePanel::refresh);
  connect(receivePanel, &ReceivePanel::problem, messageBar,
          [bar = messageBar](const QString& why) { bar->showMessage(MessageBar::Level::Error, why); });
  // In a short window (760 × 532 with Transfers out) the column scrolls
  // rather than push the window taller than asked: the shares list and
  // the share's code keep their room.
  auto* sideScroll = new QScrollArea(central);
  sideScroll->setObjectName(QStringLiteral("sideScroll"));
  // Held by a splitter rather than set as the area's widget: the area would
  // size Receive by its height for the width (its code's preferred size)
  // and scroll where its least height fits.
  auto* sideColumn = new QSplitter(Qt::Vertical, central);
  sideColumn->addWidget(receivePanel);
  sideColumn->setCollapsible(0, false);
  sideColumn->setHandleWidth(0);
  sideScroll->setWidget(sideColumn);
  sideScroll->setWidgetResizable(true);
  sideScroll->setFrameShape(QFrame::NoFrame);
  sideScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  sideScroll->setMinimumWidth(receivePanel->minimumWidth() + 5);  // as narrow as Receive itself goes
  topSplitter->addWidget(sideScroll);
  topSplitter->setStretchFactor(0, 1);
  topSplitter->setStretchFactor(1, 0);
  topSplitter->setStretchFactor(2, 0);
  topSplitter->setCollapsible(0, false);
  topSplitter->setCollapsible(2, false);

  // Transfers.
  transfersView = new TableView(central);
  transfersView->setObjectName(QStringLiteral("transfersView"));
  transfersView->setAccessibleName(tr("Transfers"));
  transfersView->setModel(p.transfersProxy);
  transfersView->setItemDelegate(new ProgressDelegate(TransfersModel::Progress, transfersView));
  transfersView->setPlaceholderText(tr("Files sent (↑) and received (↓) appear here as they happen"));
  transfersView->setContextMenuPolicy(Qt::ActionsContextMenu);
  transfersView->addAction(p.actions->cancelTransfer);
  transfersView->addAction(p.actions->discardUpload);
  transfersView->addAction(p.actions->clearFinished);
  QHeaderView* th = transfersView->horizontalHeader();
  th->setSectionResizeMode(QHeaderView::Interactive);
  th->setSectionResizeMode(TransfersModel::State, QHeaderView::Stretch);
  th->resizeSection(TransfersModel::Direction, 28);
  th->resizeSection(TransfersModel::Client, 190);
  th->resizeSection(TransfersModel::File, 170);
  th->resizeSection(TransfersModel::Progress, 130);
  th->resizeSection(TransfersModel::Transferred, 150);
  th->resizeSection(TransfersModel::Speed, 90);
  th->resizeSection(TransfersModel::Eta, 80);
  transfersView->setTextElideMode(Qt::ElideMiddle);

  auto* transfersBox = new QWidget(central);
  auto* transfersLayout = new QVBoxLayout(transfersBox);
  transfersLayout->setContentsMargins(0, 0, 0, 0);
  // Beside the heading: uploads that wait part-way for their senders, with Delete.
  auto* transfersHead = new QHBoxLayout;
  transfersHead->addWidget(sectionTitle(tr("Transfers"), transfersBox));
  transfersHead->addStretch(1);
  transfersHead->addWidget(new UnfinishedLine(p.bridge, transfersBox));
  transfersLayout->addLayout(transfersHead);
  transfersLayout->addWidget(transfersView);

  graph = new BandwidthGraph(central);
  auto* graphBox = new QWidget(central);
  auto* graphLayout = new QVBoxLayout(graphBox);
  graphLayout->setContentsMargins(0, 0, 0, 0);
  graphLayout->addWidget(sectionTitle(tr("Rates"), graphBox));
  graphLayout->addWidget(graph);
  // First run: the shares take the window; the Transfers list and the
  // graph come once something moves (the graph as View > Bandwidth Graph
  // says, and where the window is tall enough for it: see placeGraph()).
  // Neither makes the window taller: the shares and the codes above them
  // keep their room, and these two take what is left.
  transfersBox->hide();
  graphBox->hide();
  transfersBox->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Ignored);
  graphBox->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Ignored);
  transfersArea = transfersBox;
  graphArea = graphBox;
  connect(p.transfers, &QAbstractItemModel::rowsInserted, this, [this] {
    if (transfersArea->isVisibleTo(transfersArea->parentWidget())) return;
    transfersArea->show();
    // The list gets room for a few rows at once, not a sliver.
    QList<int> sizes = mainSplitter->sizes();
    const int total = sizes.value(0) + sizes.value(1) + sizes.value(2);
    const int row = sharesView->verticalHeader()->defaultSectionSize();
    const int least = topSplitter->minimumSizeHint().height();
    const int top = std::max(least, std::min(std::max(least + 2 * row, total * 55 / 100),
                                             total - transfersArea->minimumSizeHint().height() - mainSplitter->handleWidth()));
    mainSplitter->setSizes({top, std::max(total - top, 0), 0});
    placeGraph();
  });
  connect(p.actions->showGraph, &QAction::toggled, this, &WindowLayout::placeGraph);

  mainSplitter = new QSplitter(Qt::Vertical, central);
  mainSplitter->addWidget(topSplitter);
  mainSplitter->addWidget(transfersBox);
  mainSplitter->addWidget(graphBox);
  mainSplitter->setStretchFactor(0, 3);
  mainSplitter->setStretchFactor(1, 3);
  mainSplitter->setStretchFactor(2, 1);
  for (int i = 0; i < 3; ++i) mainSplitter->setCollapsible(i, false);
  mainSplitter->installEventFilter(this);
  layout->addWidget(mainSplitter, 1);
  p.window->setCentralWidget(central);

  QWidget::setTabOrder(sharesView, transfersView);
  p.window->resize(1040, 760);
}

bool WindowLayout::eventFilter(QObject* watched, QEvent* event) {
  if (watched == mainSplitter && event->type() == QEvent::Resize) placeGraph();
  // The list or text that last arrived stays in view as the area changes
  // (Transfers coming out, the window made smaller); once the area has
  // taken its new size.
  if (watched == nearbyScroll && event->type() == QEvent::Resize && pointedAt)
    QMetaObject::invokeMethod(this, [this] { if (pointedAt) nearbyScroll->ensureWidgetVisible(pointedAt, 0, 0); },
                              Qt::QueuedConnection);
  return QObject::eventFilter(watched, event);
}

void WindowLayout::showNearby(QWidget* part) {
  // Laid out first: a list that has just appeared (the texts, under the
  // devices in a narrow window) has no place yet, nor the panel its height.
  if (const int least = nearby->minimumSizeHint().height(); nearby->height() < least)
    nearby->resize(nearby->width(), least);
  nearby->layout()->activate();
  nearbyScroll->ensureWidgetVisible(part, 0, 0);
  pointedAt = part;
}

void WindowLayout::placeGraph() {
  // Shown once something moved, if View says so and there is room for it
  // under the shares and a few rows of Transfers; a short window (760 × 532)
  // leaves it out rather than squeezing everything.
  const bool revealed = transfersArea->isVisibleTo(transfersArea->parentWidget());
  const int handles = 2 * mainSplitter->handleWidth();
  const int room = mainSplitter->height() - topSplitter->minimumSizeHint().height() - handles -
                   transfersArea->minimumSizeHint().height() - 2 * sharesView->verticalHeader()->defaultSectionSize();
  const bool want = revealed && p.actions->showGraph->isChecked() && room >= graphArea->minimumSizeHint().height();
  if (want == graphArea->isVisibleTo(graphArea->parentWidget())) return;
  graphArea->setVisible(want);
  if (want) {
    QList<int> sizes = mainSplitter->sizes();
    const int graph = graphArea->minimumSizeHint().height();
    sizes[1] = std::max(sizes[1] - graph, transfersArea->minimumSizeHint().height());
    sizes[2] = graph;
    mainSplitter->setSizes(sizes);
  }
}

void WindowLayout::restore(const SettingsStore& store) {
  if (QByteArray g = store.windowGeometry(); !g.isEmpty()) p.window->restoreGeometry(g);
  if (QByteArray s = store.windowState(); !s.isEmpty()) p.window->restoreState(s);
  if (QByteArray s = store.splitterState(QStringLiteral("main")); !s.isEmpty()) mainSplitter->restoreState(s);
  else mainSplitter->setSizes({290, 220, 190});
  if (QByteArray s = store.splitterState(QStringLiteral("top")); !s.isEmpty()) topSplitter->restoreState(s);
  else topSplitter->setSizes({560, 240, 240});
  // A state saved before the Receive panel existed leaves it no width.
  if (QList<int> sizes = topSplitter->sizes(); sizes.size() == 3 && sizes[2] == 0) {
    sizes[0] = std::max(sizes[0] - 240, 200);
    sizes[2] = 240;
    topSplitter->setSizes(sizes);
  }
  if (QByteArray s = store.splitterState(QStringLiteral("left")); !s.isEmpty()) leftSplitter->restoreState(s);
  else leftSplitter->setSizes({400, 220});
}

void WindowLayout::save(SettingsStore& store) const {
  store.saveWindow(p.window->saveGeometry(), p.window->saveState(),
                   {{QStringLiteral("main"), mainSplitter->saveState()},
                    {QStringLiteral("top"), topSplitter->saveState()},
                    {QStringLiteral("left"), leftSplitter->saveState()}});
}

}  // namespace ferry::ui
