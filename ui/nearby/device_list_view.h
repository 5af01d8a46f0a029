#pragma once

// DeviceListView: the Nearby list as a view. Files or a folder dropped on a
// device that is here become an intent (filesDropped with that device's
// id) for the window to act on; a drop anywhere else is refused, so nothing
// goes to a device the user did not point at. Empty, it says how a phone
// gets into it. Owns no data.
//
// GUI thread only.

#include <cstdint>

#include <QList>
#include <QListView>
#include <QUrl>

namespace ferry::ui {

class DeviceListView final : public QListView {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(DeviceListView)

 public:
  explicit DeviceListView(QWidget* parent = nullptr);
  ~DeviceListView() override;

  void setPlaceholderText(const QString& text);
  // The device a drop at `pos` (viewport coordinates) would go to, or 0.
  std::uint64_t deviceAt(const QPoint& pos) const;

 signals:
  void filesDropped(std::uint64_t device, const QList<QUrl>& urls);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dragLeaveEvent(QDragLeaveEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  QString placeholder_;
  QPersistentModelIndex target_;  // the row a drag hovers
};

}  // namespace ferry::ui
