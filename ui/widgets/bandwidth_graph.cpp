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
  setToolTip(tr("The last minute: ↓ received by this computer, ↑ sent from it"));
  setAccessibleName(tr("Transfer rate graph"));
  timer_.setInterval(1000 / kSamplesPerSecond);
  connect(&timer_, &QTimer::timeout, this, &BandwidthGraph::sample);
  timer_.start();
}

BandwidthGraph::~BandwidthGraph() = default;

QSize BandwidthGraph::sizeHint() const { return {480, 130}; }
QSize BandwidthGraph::minimumSizeHint() const { return {200, 110}; }

double BandwidthGraph::sampleAt(Series s, int ago) const {
  return ring_[s][static_cast<std::size_t>((next_ - 1 - ago + 2 * kSamples) % kSamples)];
}

void BandwidthGraph::sample() {
  const bool wasIdle = shownMax_ == 0 && rate_[Received] == 0 && rate_[Sent] == 0;
  double peak = 0;
  for (int s = 0; s < SeriesCount; ++s) {
    ring_[s][static_cast<std::size_t>(next_)] = std::max(0.0, rate_[s]);
    peak = std::max(peak, *std::max_element(ring_[s].begin(), ring_[s].end()));
  }
  next_ = (next_ + 1) % kSamples;
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

BandwidthGraph::Axis BandwidthGraph::axis() const {
  // At most 4 intervals of a round step (1, 2, 2.5 or 5 times a power of
  // ten) covering the eased maximum. Rates are shown in whole bytes below
  // 1 kB/s: the step is never under 1 B/s, and a step whose labels would
  // round into one another ("1 B/s, 1 B/s") doubles until they do not.
  const double top = shownMax_ > 0 ? std::max(shownMax_, 4.0) : 1000.0;  // an idle graph still shows a scale
  const double decade = std::pow(10.0, std::floor(std::log10(top / 4)));
  Axis a;
  a.step = 10 * decade;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (top / (m * decade) <= 4.0 + 1e-9) {
      a.step = m * decade;
      break;
    }
  a.step = std::max(a.step, 1.0);
  for (;;) {
    a.max = a.step * std::max(1.0, std::ceil(top / a.step - 1e-9));
    a.labels.clear();
    for (double v = 0; v <= a.max + a.step / 2; v += a.step) a.labels << formatRate(v);
    if (a.labels.removeDuplicates() == 0) break;
    a.step *= 2;
  }
  return a;
}

QStringList BandwidthGraph::axisLabels() const { return axis().labels; }

QRectF BandwidthGraph::plotRect(int labelWidth) const {
  // A line of legend above the plot, the time axis' labels under it.
  const QFontMetrics fm = fontMetrics();
  const double legendHeight = fm.height() + 4;
  return {labelWidth + 12.0, legendHeight + fm.height() / 2.0 + 2, width() - labelWidth - 20.0,
          height() - legendHeight - fm.height() / 2.0 - fm.height() - 10};
}

int BandwidthGraph::labelStride(const Axis& a, double plotHeight) const {
  // A short graph (a small window) has room for fewer labels than the
  // grid has lines: painted one over another they would read as none.
  const double gap = a.labels.size() > 1 ? plotHeight * a.step / a.max : plotHeight;
  const double need = fontMetrics().height() + 2;
  return gap >= need ? 1 : static_cast<int>(std::ceil(need / std::max(gap, 1.0)));
}

QList<QPair<QString, double>> BandwidthGraph::paintedAxisLabels() const {
  const Axis ax = axis();
  int labelWidth = 0;
  for (const QString& l : ax.labels) labelWidth = std::max(labelWidth, fontMetrics().horizontalAdvance(l));
  const QRectF plot = plotRect(labelWidth);
  QList<QPair<QString, double>> out;
  if (plot.width() < 10 || plot.height() < 10) return out;
  const int stride = labelStride(ax, plot.height());
  for (int i = 0; i < ax.labels.size(); i += stride) out.append({ax.labels[i], plot.height() * (i * ax.step) / ax.max});
  return out;
}

QColor BandwidthGraph::seriesColor(Series s) const {
  if (s == Sent) return palette().color(QPalette::Highlight);
  // Received: a green that reads on light and dark bases alike.
  return palette().color(QPalette::Base).lightness() < 128 ? QColor(0x5f, 0xc9, 0x7a) : QColor(0x1f, 0x8a, 0x3f);
}

QString BandwidthGraph::legendText(Series s) const {
  return (s == Received ? tr("↓ Received %1") : tr("↑ Sent %1")).arg(formatRate(sampleAt(s, 0)));
}

void BandwidthGraph::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.setRenderHint(QPainter::Antialiasing);
  const QPalette& pal = palette();
  p.fillRect(rect(), pal.color(QPalette::Base));

  const QFontMetrics fm = fontMetrics();
  const Axis ax = axis();
  int labelWidth = 0;
  for (const QString& l : ax.labels) labelWidth = std::max(labelWidth, fm.horizontalAdvance(l));
  const QRectF plot = plotRect(labelWidth);
  if (plot.width() < 10 || plot.height() < 10) return;
  const int stride = labelStride(ax, plot.height());

  QColor grid = pal.color(QPalette::Text);
  grid.setAlphaF(0.12);
  QColor textColor = pal.color(QPalette::Text);
  textColor.setAlphaF(0.7);
  p.setFont(font());
  for (int i = 0; i < ax.labels.size(); ++i) {
    const double y = plot.bottom() - plot.height() * (i * ax.step) / ax.max;
    p.setPen(QPen(grid, 1));
    p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    if (i % stride) continue;  // its line only
    p.setPen(textColor);
    p.drawText(QRectF(0, y - fm.height() / 2.0, labelWidth + 6, fm.height()), Qt::AlignRight | Qt::AlignVCenter,
               ax.labels[i]);
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

  // The curves, oldest sample at the left: sent under received, each a
  // line over a faint fill of its colour.
  for (Series s : {Sent, Received}) {
    QPainterPath line;
    for (int i = kSamples - 1; i >= 0; --i) {
      const double x = plot.right() - plot.width() * i / (kSamples - 1);
      const double y = plot.bottom() - plot.height() * std::min(sampleAt(s, i), ax.max) / ax.max;
      if (i == kSamples - 1) line.moveTo(x, y);
      else line.lineTo(x, y);
    }
    QPainterPath area = line;
    area.lineTo(plot.right(), plot.bottom());
    area.lineTo(plot.left(), plot.bottom());
    area.closeSubpath();
    const QColor accent = seriesColor(s);
    QLinearGradient fill(plot.topLeft(), plot.bottomLeft());
    QColor a1 = accent, a2 = accent;
    a1.setAlphaF(0.30);
    a2.setAlphaF(0.05);
    fill.setColorAt(0, a1);
    fill.setColorAt(1, a2);
    p.fillPath(area, fill);
    p.setPen(QPen(accent, 2, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.drawPath(line);
  }

  // Legend: a swatch and the current rate of each series.
  double x = plot.left();
  for (Series s : {Received, Sent}) {
    const QString text = legendText(s);
    const double y = 2 + fm.height() / 2.0;
    p.setPen(QPen(seriesColor(s), 3, Qt::SolidLine, Qt::RoundCap));
    p.drawLine(QPointF(x, y), QPointF(x + 14, y));
    p.setPen(pal.color(QPalette::Text));
    p.drawText(QPointF(x + 20, 2 + fm.ascent()), text);
    x += 20 + fm.horizontalAdvance(text) + 18;
  }

  // Frame.
  QColor frame = pal.color(QPalette::Text);
  frame.setAlphaF(0.25);
  p.setPen(QPen(frame, 1));
  p.setBrush(Qt::NoBrush);
  p.drawRect(plot);
}

}  // namespace ferry::ui
