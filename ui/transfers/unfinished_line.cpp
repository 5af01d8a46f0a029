#include "transfers/unfinished_line.h"

#include <algorithm>
#include <chrono>

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStringList>

#include "server_bridge.h"
#include "widgets/format.h"

namespace ferry::ui {

UnfinishedLine::UnfinishedLine(ServerBridge* bridge, QWidget* parent) : QWidget(parent), bridge_(bridge) {
  setObjectName(QStringLiteral("unfinishedUploads"));
  text_ = new QLabel(this);
  delete_ = new QPushButton(tr("Delete"), this);
  delete_->setToolTip(tr("Delete what arrived of these files: their senders would have to send them again"));
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(text_, 1);
  layout->addWidget(delete_);
  connect(delete_, &QPushButton::clicked, this, &UnfinishedLine::deleteAll);
  connect(bridge_, &ServerBridge::unfinishedUploadsChanged, this, &UnfinishedLine::refresh);
  refresh();
}

UnfinishedLine::~UnfinishedLine() = default;

QString UnfinishedLine::summary(const std::vector<UnfinishedUpload>& uploads) {
  if (uploads.empty()) return {};
  std::uint64_t bytes = 0;
  QStringList senders;
  for (const UnfinishedUpload& u : uploads) {
    bytes += u.received;
    const QString who = QString::fromStdString(u.clientName.empty() ? u.address : u.clientName);
    if (!who.isEmpty() && !senders.contains(who)) senders << who;
  }
  const int n = static_cast<int>(uploads.size());
  QString line = n == 1 ? tr("1 unfinished upload, %1").arg(formatBytes(bytes))
                        : tr("%1 unfinished uploads, %2").arg(QLocale().toString(n), formatBytes(bytes));
  if (senders.size() == 1) line = tr("%1, from %2").arg(line, senders.front());
  else if (senders.size() == 2) line = tr("%1, from %2 and %3").arg(line, senders[0], senders[1]);
  else if (senders.size() > 2) line = tr("%1, from %2 devices").arg(line, QLocale().toString(senders.size()));
  return line;
}

QString UnfinishedLine::text() const { return text_->text(); }

void UnfinishedLine::refresh() {
  uploads_ = bridge_->unfinishedUploads();
  text_->setText(summary(uploads_));
  // When each goes unless its sender comes back: the earliest.
  QString until;
  if (!uploads_.empty()) {
    auto first = uploads_.front().removedAt;
    for (const UnfinishedUpload& u : uploads_) first = std::min(first, u.removedAt);
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(first.time_since_epoch()).count();
    until = QLocale().toString(QDateTime::fromSecsSinceEpoch(secs), QLocale::ShortFormat);
  }
  text_->setToolTip(
      uploads_.empty()
          ? QString()
          : tr("Kept for their senders to resume; the first is removed at %1 unless its sender comes back").arg(until));
  setVisible(!uploads_.empty());
}

void UnfinishedLine::deleteAll() {
  for (const UnfinishedUpload& u : uploads_) bridge_->discardUnfinishedUpload(QString::fromStdString(u.id));
}

}  // namespace ferry::ui
