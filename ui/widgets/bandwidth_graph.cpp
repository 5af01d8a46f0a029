#include "widgets/bandwidth_graph.h"

#include <algorithm>
#include <cmath>

#include <QPainter>
#include <QPainterPath>

#include "widgets/format.h"

namespace ferry::ui {

BandwidthGraph::BandwidthGraph(QWidget* parent) : QWidget(parent) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
  setToolTip(tr("Total upload rate over the last minute"));
  setAccessibleName(tr("Upload rate graph"));
  timer_.setInterval(1000 / kSamplesPerSecond);
  connect(&timer_, &QTimer::timeout, this, &BandwidthGraph::sample);
  timer_.start();
}

BandwidthGraph::~BandwidthGraph() = default;

QSize BandwidthGraph::sizeHint() const { return {480, 130}; }
QSize BandwidthGraph::minimumSizeHint() const { return {200, 80}; }

double BandwidthGraph::sampleAt(int ago) const {
  return ring_[static_cast<std::size_t>((next_ - 1 - ago + 2 * kSamples) % kSamples)];
}

void BandwidthGraph::sample() {
  const bool wasIdle = shownMax_ == 0 && rate_ == 0;
  ring_[static_cast<std::size_t>(next_)] = std::max(0.0, rate_);
  next_ = (next_ + 1) % kSamples;
  const double peak = *std::max_element(ring_.begin(), ring_.end());
  // Headroom above the peak; ease toward it (fast up, slow down) so the
  // scale never jumps.
  const double target = peak * 1.1;
  if (target >= shownMax_) shownMax_ += (target - shownMax_) * 0.5;
  else shownMax_ += (target - shownMax_) * 0.1;
  if (target == 0 || std::abs(shownMax_ - target) < target * 0.005) shownMax_ = target;
  // A graph that was and stays flat needs no repaint.
  if (wasIdle && peak == 0) return;
  if (isVisible()) update();
}

void BandwidthGraph::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  p.fillRect(rect(), pal.color(QPalette::Base));

  const QFontMetrics fm = fontMetrics();
  // Grid: at most 4 intervals of a round step (1, 2, 2.5 or 5 times a power
  // of ten) covering the eased maximum.
  const double top = shownMax_ > 0 ? shownMax_ : 1000.0;  // an idle graph still shows a scale
  const double decade = std::pow(10.0, std::floor(std::log10(top / 4)));
  double step = 10 * decade;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (top / (m * decade) <= 4.0 + 1e-9) {
      step = m * decade;
      break;
    }
  const double axisMax = step * std::max(1.0, std::ceil(top / step - 1e-9));
  QStringList labels;
  int labelWidth = 0;
  for (double v = 0; v <= axisMax + step / 2; v += step) {
    labels << formatRate(v);
    labelWidth = std::max(labelWidth, fm.horizontalAdvance(labels.back()));
  }
  const QRectF plot(labelWidth + 12, fm.height() / 2.0 + 4, width() - labelWidth - 20,
                    height() - fm.height() / 2.0 - fm.height() - 12);
  if (plot.width() < 10 || plot.height() < 10) return;

  QColor grid = pal.color(QPalette::Text);
  grid.setAlphaF(0.12);
  QColor textColor = pal.color(QPalette::Text);
  textColor.setAlphaF(0.7);
  p.setFont(font());
  for (int i = 0; i < labels.size(); ++i) {
    const double y = plot.bottom() - plot.height() * (i * step) / axisMax;
    p.setPen(QPen(grid, 1));
    p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    p.setPen(textColor);
    p.drawText(QRectF(0, y - fm.height() / 2.0, labelWidth + 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
               labels[i]);
  }
  // Time axis: every 15 s.
  for (int s = 0; s <= kSeconds; s += 15) {
    const double x = plot.right() - plot.width() * s / kSeconds;
    p.setPen(QPen(grid, 1));
    p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    p.setPen(textColor);
    const QString t = s == 0 ? tr("now") : tr("%1 s ago").arg(s);
    const int w = fm.horizontalAdvance(t);
    const double tx = std::clamp(x - w / 2.0, plot.left() - labelWidth / 2.0, plot.right() - w);
    p.drawText(QPointF(tx, plot.bottom() + fm.ascent() + 4), t);
  }

  // The curve, oldest sample at the left.
  QPainterPath line;
  for (int i = kSamples - 1; i >= 0; --i) {
    const double x = plot.right() - plot.width() * i / (kSamples - 1);
    const double y = plot.bottom() - plot.height() * std::min(sampleAt(i), axisMax) / axisMax;
    if (i == kSamples - 1) line.moveTo(x, y);
    else line.lineTo(x, y);
  }
  QPainterPath area = line;
  area.lineTo(plot.right(), plot.bottom());
  area.lineTo(plot.left(), plot.bottom());
  area.closeSubpath();
  QColor accent = pal.color(QPalette::Highlight);
  QLinearGradient fill(plot.topLeft(), plot.bottomLeft());
  QColor a1 = accent, a2 = accent;
  a1.setAlphaF(0.45);
  a2.setAlphaF(0.08);
  fill.setColorAt(0, a1);
  fill.setColorAt(1, a2);
  p.fillPath(area, fill);
  p.setPen(QPen(accent, 2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  p.drawPath(line);

  // Frame.
  QColor frame = pal.color(QPalette::Text);
  frame.setAlphaF(0.25);
  p.setPen(QPen(frame, 1));
  p.setBrush(Qt::NoBrush);
  p.drawRect(plot);
}

}  // namespace ferry::ui
