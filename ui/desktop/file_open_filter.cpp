#include "desktop/file_open_filter.h"

#include <QFileOpenEvent>

namespace ferry::ui {

FileOpenFilter::FileOpenFilter(QObject* parent) : QObject(parent) {}

FileOpenFilter::~FileOpenFilter() = default;

void FileOpenFilter::setHandler(std::function<void(const QStringList&)> handler) {
  handler_ = std::move(handler);
  if (!waiting_.isEmpty()) handler_(std::exchange(waiting_, {}));
}

bool FileOpenFilter::eventFilter(QObject* watched, QEvent* event) {
  if (event->type() != QEvent::FileOpen) return QObject::eventFilter(watched, event);
  const QString file = static_cast<QFileOpenEvent*>(event)->file();
  if (file.isEmpty()) return true;  // a URL, not a file: nothing to share
  if (handler_) handler_({file});
  else waiting_ << file;
  return true;
}

}  // namespace ferry::ui
