#pragma once

// NearbyPanel: the window's Nearby area — the devices here now and recently
// (a DeviceListView over NearbyModel), "Send Files…" and "Send Text…" for
// the chosen device, and, once a device's page has sent some, the texts
// received with Copy and Open Link (a link opens only on that click), beside
// the devices where the panel is wide and under them where it is not. Owns
// these widgets; what the buttons do is connected by NearbyController.
//
// GUI thread only.

#include <cstdint>

#include <QFrame>

class QBoxLayout;
class QLabel;
class QListView;
class QPushButton;

namespace ferry::ui {

class DeviceListView;
class NearbyModel;
class ReceivedTexts;

class NearbyPanel final : public QFrame {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(NearbyPanel)

 public:
  NearbyPanel(NearbyModel* devices, ReceivedTexts* texts, QWidget* parent = nullptr);
  ~NearbyPanel() override;

  // The device the user chose in the list (0: none, or it left).
  std::uint64_t selectedDevice() const;
  void selectDevice(std::uint64_t id);
  // The text chosen in the received list (its first row when none is).
  QModelIndex currentText() const;

  // Tall enough for the heading, two devices and the buttons.
  int leastHeight() const;
  // Under the devices, the texts keep as much again.
  QSize minimumSizeHint() const override;

  QLabel* heading() const { return heading_; }
  DeviceListView* devices() const { return devices_; }
  QListView* texts() const { return texts_; }
  QPushButton* sendFilesButton() const { return sendFiles_; }
  QPushButton* sendTextButton() const { return sendText_; }
  QPushButton* copyButton() const { return copy_; }
  QPushButton* openLinkButton() const { return openLink_; }

 protected:
  void resizeEvent(QResizeEvent* event) override;

 private:
  void updateButtons();

  NearbyModel* model_;
  ReceivedTexts* textModel_;
  QBoxLayout* columns_;
  QLabel* heading_;
  DeviceListView* devices_;
  QPushButton* sendFiles_;
  QPushButton* sendText_;
  QWidget* textsBox_;
  QListView* texts_;
  QPushButton* copy_;
  QPushButton* openLink_;
};

}  // namespace ferry::ui
