#pragma once

// FileOpenFilter: files handed to Ferry by the desktop rather than on its
// command line — on macOS, Finder's "Open With" and a drop on the Dock icon
// arrive as QFileOpenEvent, at start-up or while Ferry runs. Installed on
// the application object; passes the paths on, queued until a handler is
// set (they can arrive before the window exists). Owns the queue only.
//
// GUI thread only.

#include <functional>

#include <QObject>
#include <QStringList>

namespace ferry::ui {

class FileOpenFilter final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(FileOpenFilter)

 public:
  explicit FileOpenFilter(QObject* parent = nullptr);
  ~FileOpenFilter() override;

  void setHandler(std::function<void(const QStringList&)> handler);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  std::function<void(const QStringList&)> handler_;
  QStringList waiting_;
};

}  // namespace ferry::ui
