#include "receive/receive_ask_bar.h"

#include <algorithm>

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include "widgets/format.h"

namespace ferry::ui {

ReceiveAskBar::ReceiveAskBar(QWidget* parent) : QFrame(parent) {
  setObjectName(QStringLiteral("receiveAskBar"));
  setFrameShape(QFrame::StyledPanel);
  setAccessibleName(tr("Devices asking to send files"));
  layout_ = new QVBoxLayout(this);
  layout_->setContentsMargins(8, 6, 8, 6);
  setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
  hide();
}

ReceiveAskBar::~ReceiveAskBar() = default;

QString ReceiveAskBar::sentence(const ReceiveAsk& ask) {
  const QString who = QString::fromStdString(ask.label.empty() ? std::string("A device") : ask.label);
  QString file = QString::fromStdString(ask.firstName);
  if (ask.sizeKnown) file = tr("%1 (%2)").arg(file, formatBytes(ask.firstSize));
  const QString from = ask.address.empty() ? who : tr("%1 (%2)").arg(who, QString::fromStdString(ask.address));
  if (!ask.offer.empty()) return tr("%1 wants to send %2.").arg(from, QString::fromStdString(ask.offer));
  if (ask.more == 0) return tr("%1 wants to send %2.").arg(from, file);
  if (ask.more == 1) return tr("%1 wants to send %2 and 1 more file.").arg(from, file);
  return tr("%1 wants to send %2 and %3 more files.").arg(from, file).arg(ask.more);
}

void ReceiveAskBar::open(const ReceiveAsk& ask) {
  if (find(ask.id)) return;
  Row row{ask.id, new QFrame(this), nullptr, nullptr, nullptr, nullptr};
  row.frame->setObjectName(QStringLiteral("receiveAsk"));
  row.text = new QLabel(sentence(ask), row.frame);
  row.text->setTextFormat(Qt::PlainText);  // names come from the sender
  row.text->setWordWrap(true);
  row.accept = new QPushButton(tr("Accept"), row.frame);
  row.always = new QPushButton(tr("Always Accept This Device"), row.frame);
  row.decline = new QPushButton(tr("Decline"), row.frame);
  auto* line = new QHBoxLayout(row.frame);
  line->setContentsMargins(0, 0, 0, 0);
  line->addWidget(row.text, 1);
  line->addWidget(row.accept);
  line->addWidget(row.always);
  line->addWidget(row.decline);
  const std::uint64_t id = ask.id;
  auto answer = [this, id](ReceiveAnswer a) {
    // Gone at once; the core's word that the ask ended finds no row.
    close(id);
    emit answered(id, a);
  };
  connect(row.accept, &QPushButton::clicked, this, [answer] { answer(ReceiveAnswer::kAccept); });
  connect(row.always, &QPushButton::clicked, this, [answer] { answer(ReceiveAnswer::kAcceptAlways); });
  connect(row.decline, &QPushButton::clicked, this, [answer] { answer(ReceiveAnswer::kDecline); });
  layout_->addWidget(row.frame);
  rows_.push_back(row);
  show();
}

void ReceiveAskBar::close(std::uint64_t id) {
  auto it = std::find_if(rows_.begin(), rows_.end(), [id](const Row& r) { return r.id == id; });
  if (it == rows_.end()) return;
  it->frame->hide();
  it->frame->deleteLater();  // may be inside its own button's click
  rows_.erase(it);
  if (rows_.empty()) hide();
}

const ReceiveAskBar::Row* ReceiveAskBar::find(std::uint64_t id) const {
  for (const Row& r : rows_)
    if (r.id == id) return &r;
  return nullptr;
}

QLabel* ReceiveAskBar::text(std::uint64_t id) const {
  const Row* r = find(id);
  return r ? r->text : nullptr;
}

QPushButton* ReceiveAskBar::button(std::uint64_t id, ReceiveAnswer answer) const {
  const Row* r = find(id);
  if (!r) return nullptr;
  switch (answer) {
    case ReceiveAnswer::kAccept: return r->accept;
    case ReceiveAnswer::kAcceptAlways: return r->always;
    case ReceiveAnswer::kDecline: return r->decline;
  }
  return nullptr;
}

}  // namespace ferry::ui
