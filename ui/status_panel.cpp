#include "status_panel.h"

#include <QLabel>
#include <QStatusBar>

#include "widgets/format.h"
#include "widgets/palette_colors.h"

namespace ferry::ui {

StatusPanel::StatusPanel(QStatusBar* bar) : QObject(bar) {
  auto make = [bar](const QString& tip) {
    auto* l = new QLabel(bar);
    l->setToolTip(tip);
    l->setContentsMargins(6, 0, 6, 0);
    bar->addPermanentWidget(l);
    return l;
  };
  problem_ = make({});
  problem_->hide();
  server_ = make(tr("Where Ferry listens for downloads"));
  rate_ = make(tr("Now: ↓ received by this computer, ↑ sent from it, all transfers together"));
  active_ = make(tr("Transfers in progress, both ways"));
  sent_ = make(tr("Bytes sent since Ferry started"));
  setServing(false, {});
  setStats(0, 0, 0, 0, 0);
}

StatusPanel::~StatusPanel() = default;

void StatusPanel::setServing(bool running, const QString& address) {
  // A coloured dot says it before the words do.
  server_->setText(running ? tr("<span style='color:#2e9d4f'>●</span> Serving on %1").arg(address.toHtmlEscaped())
                           : tr("<span style='color:#8a8a8a'>●</span> Stopped"));
}

void StatusPanel::setStats(double receiveRate, double sendRate, std::size_t active, std::uint64_t totalSent,
                           std::uint64_t totalReceived) {
  rate_->setText(tr("↓ %1 · ↑ %2").arg(formatRate(receiveRate), formatRate(sendRate)));
  active_->setText(active == 1 ? tr("1 transfer") : tr("%1 transfers").arg(active));
  sent_->setText(totalReceived > 0 ? tr("%1 sent · %2 received").arg(formatBytes(totalSent), formatBytes(totalReceived))
                                   : tr("%1 sent").arg(formatBytes(totalSent)));
  sent_->setToolTip(tr("Bytes sent and received since Ferry started"));
}

void StatusPanel::setProblem(const QString& message) {
  // Short in the bar, the whole sentence in the tooltip.
  // On the status bar's window colour, not a view's base.
  QPalette onWindow = problem_->palette();
  onWindow.setColor(QPalette::Base, onWindow.color(QPalette::Window));
  problem_->setText(message.isEmpty() ? QString()
                                      : tr("<span style='color:%1'>⚠ Not saved: disk full?</span>")
                                            .arg(failureTextColor(onWindow).name()));
  problem_->setToolTip(message);
  problem_->setVisible(!message.isEmpty());
}

QString StatusPanel::problemText() const { return problem_->toolTip(); }

bool StatusPanel::problemShown() const { return !problem_->isHidden(); }

QString StatusPanel::serverText() const { return server_->text(); }
QString StatusPanel::rateText() const { return rate_->text(); }
QString StatusPanel::activeText() const { return active_->text(); }
QString StatusPanel::sentText() const { return sent_->text(); }

}  // namespace ferry::ui
