#pragma once

// BandwidthGraph: total upload rate over the last 60 seconds, as a filled
// line over a grid with a labelled axis in human units. Owns a ring buffer
// of samples and the timer that takes them (4 a second, from the latest rate
// it was given); the vertical scale eases toward its target so the picture
// never jumps.
//
// GUI thread only.

#include <array>

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

  explicit BandwidthGraph(QWidget* parent = nullptr);
  ~BandwidthGraph() override;

  // The current rate (bytes/s); sampled by the graph's own clock.
  void setRate(double bytesPerSecond) { rate_ = bytesPerSecond; }
  // Takes one sample now (also what the timer does).
  void sample();
  double sampleAt(int ago) const;  // 0 = newest
  double scaleMax() const { return shownMax_; }  // before rounding to the grid

  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  std::array<double, kSamples> ring_{};
  int next_ = 0;
  double rate_ = 0;
  double shownMax_ = 0;  // eased toward the nice maximum of the samples
  QTimer timer_;
};

}  // namespace ferry::ui
