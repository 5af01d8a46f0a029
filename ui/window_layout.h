#pragma once

// WindowLayout: what goes where in Ferry's window, and how big. Builds the
// tool bar (the actions, then "Links use" and its address list) and the
// central area — the message and ask bars; the shares list with Nearby
// under it, the QR panel and Receive beside them; the Transfers list and
// the rates graph, hidden until something moves — with the sizes a small
// window (760 × 532) gives each (the shares list and the codes first;
// Nearby keeps its heading and two rows and scrolls, Receive's column
// scrolls, the graph waits for room), brings Nearby into view whenever
// something arrives there,
// and keeps the splitters' sizes with the window's geometry. The widgets
// are the window's children; this object only names them. What they do is
// wired by MainWindow and the controllers.
//
// GUI thread only.

#include <QObject>
#include <QPointer>
#include <QString>
#include <QWidget>

class QComboBox;
class QEvent;
class QMainWindow;
class QScrollArea;
class QSortFilterProxyModel;
class QSplitter;

namespace ferry::ui {

class BandwidthGraph;
class MessageBar;
class NearbyModel;
class NearbyPanel;
class QrPanel;
class ReceiveAskBar;
class ReceivePanel;
class ReceivedTexts;
class ServerBridge;
class SettingsStore;
class TableView;
class TransfersModel;
class WindowActions;

class WindowLayout final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(WindowLayout)

 public:
  struct Parts {
    QMainWindow* window;
    WindowActions* actions;
    ServerBridge* bridge;
    QSortFilterProxyModel* sharesProxy;
    QSortFilterProxyModel* transfersProxy;
    TransfersModel* transfers;
    NearbyModel* nearbyModel;
    ReceivedTexts* receivedTexts;
    QString linkHost;
  };

  explicit WindowLayout(const Parts& parts);
  ~WindowLayout() override;

  // The window's geometry and the splitters' sizes as saved (or the first
  // run's), and saved back.
  void restore(const SettingsStore& store);
  void save(SettingsStore& store) const;

  QComboBox* linkHostCombo = nullptr;
  MessageBar* messageBar = nullptr;
  ReceiveAskBar* receiveAsks = nullptr;
  TableView* sharesView = nullptr;
  QrPanel* qrPanel = nullptr;
  ReceivePanel* receivePanel = nullptr;
  NearbyPanel* nearby = nullptr;
  TableView* transfersView = nullptr;
  BandwidthGraph* graph = nullptr;

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void createToolBar();
  void createCentral();
  void placeGraph();
  void showNearby(QWidget* part);

  Parts p;
  QSplitter* topSplitter = nullptr;
  QSplitter* leftSplitter = nullptr;  // the shares list, Nearby under it
  QScrollArea* nearbyScroll = nullptr;
  QPointer<QWidget> pointedAt;  // what Nearby last brought into view
  QSplitter* mainSplitter = nullptr;
  QWidget* transfersArea = nullptr;  // the Transfers heading and list
  QWidget* graphArea = nullptr;      // the Rates heading and graph
};

}  // namespace ferry::ui
