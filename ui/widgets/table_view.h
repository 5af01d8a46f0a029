#pragma once

// TableView: Ferry's item view — a QTableView that says what to do when it
// is empty and, if asked, takes files dropped on it, reporting them as an
// intent (filesDropped) for the window to act on. Owns no data.
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

  // Local files among a drag's URLs.
  static QList<QUrl> localFileUrls(const class QMimeData* mime);

 signals:
  void filesDropped(const QList<QUrl>& urls);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dragMoveEvent(QDragMoveEvent* event) override;
  void dragLeaveEvent(QDragLeaveEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  QString placeholder_;
  bool dragging_ = false;
};

}  // namespace ferry::ui
