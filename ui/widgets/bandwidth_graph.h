#pragma once

// BandwidthGraph: the last 60 seconds of both rates — bytes arriving (files
// sent to this computer, ↓) and bytes leaving (downloads, ↑) — as two
// labelled lines over a grid with an axis in human units. Owns a ring
// buffer of samples per series and the timer that takes them (4 a second,
// from the latest rates it was given); the vertical scale eases toward its
// target so the picture never jumps, and its labels never repeat.
//
// GUI thread only.

#include <array>

#include <QList>
#include <QPair>
#include <QRectF>
#include <QStringList>
#include <QTimer>
#include <QWidget>

namespace ferry::ui {

class BandwidthGraph final : public QWidget {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(BandwidthGraph)

 public:
  static constexpr int kSeconds = 60;
  static constexpr int kSamplesPerSecond = 4;
  static constexpr int kSamples = kSeconds * kSamplesPerSecond;
  enum Series { Received, Sent, SeriesCount };

  explicit BandwidthGraph(QWidget* parent = nullptr);
  ~BandwidthGraph() override;

  // The current rates (bytes/s); sampled by the graph's own clock.
  void setRates(double received, double sent) {
    rate_[Received] = received;
    rate_[Sent] = sent;
  }
  // Takes one sample now (also what the timer does).
  void sample();
  double sampleAt(Series s, int ago) const;  // 0 = newest
  double scaleMax() const { return shownMax_; }  // before rounding to the grid
  // The vertical axis' labels, bottom up, at the current scale.
  QStringList axisLabels() const;
  // Those painted at the widget's height, with their heights from the
  // plot's bottom: where a line of text does not fit between two, every
  // other one (or every third...) is left out, 0 always kept.
  QList<QPair<QString, double>> paintedAxisLabels() const;
  // What the legend says of a series ("↓ Received 1.2 MB/s").
  QString legendText(Series s) const;
  // Whether anything moved in the last minute.
  bool idle() const { return shownMax_ == 0; }

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  struct Axis {
    double step = 0;
    double max = 0;
    QStringList labels;
  };
  Axis axis() const;
  // The plot's rectangle inside the widget for labels this wide.
  QRectF plotRect(int labelWidth) const;
  // Every how many labels one is painted on a plot this high.
  int labelStride(const Axis& a, double plotHeight) const;
  QColor seriesColor(Series s) const;

  std::array<std::array<double, kSamples>, SeriesCount> ring_{};
  std::array<double, SeriesCount> rate_{};
  int next_ = 0;
  double shownMax_ = 0;  // eased toward the nice maximum of the samples
  QTimer timer_;
};

}  // namespace ferry::ui
