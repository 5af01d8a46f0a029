#include "network/connection_help.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStyle>
#include <QVBoxLayout>

#include "network/visitor_tracker.h"

namespace ferry::ui {
namespace {

QIcon levelIcon(Finding::Level level, QStyle* style) {
  switch (level) {
    case Finding::Level::Problem: return style->standardIcon(QStyle::SP_MessageBoxCritical);
    case Finding::Level::Warning: return style->standardIcon(QStyle::SP_MessageBoxWarning);
    case Finding::Level::Ok: return style->standardIcon(QStyle::SP_DialogApplyButton);
    case Finding::Level::Info: return style->standardIcon(QStyle::SP_MessageBoxInformation);
  }
  return {};
}

QWidget* findingRow(const Finding& f, QWidget* parent) {
  auto* row = new QWidget(parent);
  auto* grid = new QGridLayout(row);
  grid->setContentsMargins(0, 4, 0, 8);
  auto* icon = new QLabel(row);
  icon->setPixmap(levelIcon(f.level, row->style()).pixmap(24, 24));
  icon->setAlignment(Qt::AlignTop);
  grid->addWidget(icon, 0, 0, 3, 1);
  auto* title = new QLabel(f.title, row);
  QFont bold = title->font();
  bold.setBold(true);
  title->setFont(bold);
  title->setWordWrap(true);
  grid->addWidget(title, 0, 1, 1, 2);
  if (!f.detail.isEmpty()) {
    auto* detail = new QLabel(f.detail, row);
    detail->setWordWrap(true);
    grid->addWidget(detail, 1, 1, 1, 2);
  }
  if (!f.command.isEmpty()) {
    auto* command = new QLineEdit(f.command, row);
    command->setReadOnly(true);
    command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    command->setAccessibleName(QObject::tr("Command"));
    auto* copy = new QPushButton(QObject::tr("Copy"), row);
    const QString text = f.command;
    QObject::connect(copy, &QPushButton::clicked, row, [text] { QApplication::clipboard()->setText(text); });
    grid->addWidget(command, 2, 1);
    grid->addWidget(copy, 2, 2);
  }
  grid->setColumnStretch(1, 1);
  return row;
}

}  // namespace

ConnectionHelp::ConnectionHelp(std::function<ReachabilityFacts()> gather, const VisitorTracker* visitors,
                               QWidget* parent)
    : QDialog(parent), gather_(std::move(gather)), visitors_(visitors) {
  setWindowTitle(tr("Can't Connect?"));
  auto* intro = new QLabel(tr("What may keep the other device from opening a link, checked on this computer:"), this);
  intro->setWordWrap(true);
  visitor_ = new QLabel(this);
  QFont bold = visitor_->font();
  bold.setBold(true);
  visitor_->setFont(bold);
  visitor_->setWordWrap(true);

  auto* scroll = new QScrollArea(this);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  list_ = new QWidget(scroll);
  listLayout_ = new QVBoxLayout(list_);
  listLayout_->setContentsMargins(0, 0, 0, 0);
  scroll->setWidget(list_);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  QPushButton* again = buttons->addButton(tr("Check Again"), QDialogButtonBox::ActionRole);
  connect(again, &QPushButton::clicked, this, &ConnectionHelp::refresh);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(intro);
  layout->addWidget(scroll, 1);
  layout->addWidget(visitor_);
  layout->addWidget(buttons);
  resize(620, 560);

  // "2 s ago" stays true while the panel is open.
  tick_.setInterval(1000);
  connect(&tick_, &QTimer::timeout, this, &ConnectionHelp::updateVisitor);
  tick_.start();
  refresh();
}

ConnectionHelp::~ConnectionHelp() = default;

void ConnectionHelp::refresh() {
  findings_ = diagnose(gather_());
  while (QLayoutItem* item = listLayout_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  for (const Finding& f : findings_) listLayout_->addWidget(findingRow(f, list_));
  listLayout_->addStretch(1);
  updateVisitor();
}

QString ConnectionHelp::visitorText() const { return visitor_->text(); }

void ConnectionHelp::updateVisitor() { visitor_->setText(visitors_->describe()); }

}  // namespace ferry::ui
