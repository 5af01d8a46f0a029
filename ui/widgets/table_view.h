#pragma once

// TableView: Ferry's item view — a QTableView that says what to do when it
// is empty and, if asked, takes files dropped on it, reporting them as an
// intent (filesDropped) for the window to act on. A view that takes drops
// is, while empty, a drop zone: a framed area with the invitation in large
// type and buttons for the actions it is given (Add Files…, Add Folder…).
// Owns no data; owns the buttons.
//
// GUI thread only.

#include <QList>
#include <QTableView>
#include <QUrl>

namespace ferry::ui {

class TableView final : public QTableView {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(TableView)

 public:
  explicit TableView(QWidget* parent = nullptr);
  ~TableView() override;

  void setPlaceholderText(const QString& text);
  void setAcceptsFileDrops(bool accept);
  // The buttons the empty drop zone offers (e.g. Add Files…), under its text.
  void setEmptyActions(const QList<QAction*>& actions);
  // The empty drop zone's buttons (hidden while the view has rows).
  QWidget* emptyButtons() const { return emptyButtons_; }

  // Local files among a drag's URLs.
  static QList<QUrl> localFileUrls(const class QMimeData* mime);

 signals:
  void filesDropped(const QList<QUrl>& urls);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dragLeaveEvent(QDragLeaveEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void placeEmptyButtons();
  bool isEmpty() const;

  QString placeholder_;
  bool dragging_ = false;
  QWidget* emptyButtons_ = nullptr;
};

}  // namespace ferry::ui
