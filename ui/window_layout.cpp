#include "window_layout.h"

#include <algorithm>

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

#include "nearby/nearby_panel.h"
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
  connect(p.actions->showQr, &QAction::toggled, qrPanel, &QWidget::setVisible);

  auto* sharesBox = new QWidget(central);
  auto* sharesLayout = new QVBoxLayout(sharesBox);
  sharesLayout->setContentsMargins(0, 0, 0, 0);
  sharesLayout->addWidget(sectionTitle(tr("Shared files"), sharesBox));
  sharesLayout->addWidget(sharesView);
  // In a small window (760 × 532) the shares list keeps room for names; the
  // side panels give way first, down to their own minimum.
  sharesBox->setMinimumWidth(378);

  topSplitter = new QSplitter(Qt::Horizontal, central);
  topSplitter->addWidget(sharesBox);
  topSplitter->addWidget(qrPanel);
  // Receive: its own switch, link and QR code, beside the shares'.
  receivePanel = new ReceivePanel(p.bridge, central);
  receivePanel->setLinkHost(p.linkHost);
  connect(p.bridge, &ServerBridge::runningChanged, receivePanel, &ReceivePanel::refresh);
  connect(receivePanel, &ReceivePanel::problem, messageBar,
          [bar = messageBar](const QString& why) { bar->showMessage(MessageBar::Level::Error, why); });
  // Nearby devices under it: the phones that opened Receive's page.
  nearby = new NearbyPanel(p.nearbyModel, p.receivedTexts, central);
  sideSplitter = new QSplitter(Qt::Vertical, central);
  sideSplitter->setObjectName(QStringLiteral("sideSplitter"));
  sideSplitter->addWidget(receivePanel);
  sideSplitter->addWidget(nearby);
  // Receive's code keeps a size a phone can scan; the list takes what is left.
  sideSplitter->setStretchFactor(0, 1);
  sideSplitter->setStretchFactor(1, 0);
  sideSplitter->setCollapsible(0, false);
  topSplitter->addWidget(sideSplitter);
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
  // graph come once something moves (the graph as View > Bandwidth Graph says).
  transfersBox->hide();
  graphBox->hide();
  auto reveal = [showGraph = p.actions->showGraph, transfersBox, graphBox] {
    transfersBox->show();
    graphBox->setVisible(showGraph->isChecked());
  };
  connect(p.transfers, &QAbstractItemModel::rowsInserted, transfersBox, reveal);
  connect(p.actions->showGraph, &QAction::toggled, graphBox, [transfersBox, graphBox](bool on) {
    graphBox->setVisible(on && transfersBox->isVisibleTo(transfersBox->parentWidget()));
  });

  mainSplitter = new QSplitter(Qt::Vertical, central);
  mainSplitter->addWidget(topSplitter);
  mainSplitter->addWidget(transfersBox);
  mainSplitter->addWidget(graphBox);
  mainSplitter->setStretchFactor(0, 3);
  mainSplitter->setStretchFactor(1, 3);
  mainSplitter->setStretchFactor(2, 1);
  for (int i = 0; i < 3; ++i) mainSplitter->setCollapsible(i, false);
  layout->addWidget(mainSplitter, 1);
  p.window->setCentralWidget(central);

  QWidget::setTabOrder(sharesView, transfersView);
  p.window->resize(1040, 760);
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
  if (QByteArray s = store.splitterState(QStringLiteral("side")); !s.isEmpty()) sideSplitter->restoreState(s);
  else sideSplitter->setSizes({430, 230});
}

void WindowLayout::save(SettingsStore& store) const {
  store.saveWindow(p.window->saveGeometry(), p.window->saveState(),
                   {{QStringLiteral("main"), mainSplitter->saveState()},
                    {QStringLiteral("top"), topSplitter->saveState()},
                    {QStringLiteral("side"), sideSplitter->saveState()}});
}

}  // namespace ferry::ui
