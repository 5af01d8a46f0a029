#pragma once

// TerminationSignals: SIGTERM, SIGINT and SIGHUP (a logout, `kill`, Ctrl+C
// in the terminal that started the window) as a Qt signal on the GUI
// thread, so Ferry can save and exit instead of dying where it stands. The
// way Qt's documentation shows ("Calling Qt Functions From Unix Signal
// Handlers"): the handler only writes the signal's number to a socket pair,
// a QSocketNotifier reads it in the event loop. Owns the socket pair and the
// handlers, restored to the default when it goes; one instance at a time.
// Does nothing on Windows.
//
// GUI thread only (the handler itself runs wherever the OS delivers it).

#include <QObject>

class QSocketNotifier;

namespace ferry::ui {

class TerminationSignals final : public QObject {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(TerminationSignals)

 public:
  explicit TerminationSignals(QObject* parent = nullptr);
  ~TerminationSignals() override;

 signals:
  void received(int signal);

 private:
  void onReadable();

  int fds_[2] = {-1, -1};
  QSocketNotifier* notifier_ = nullptr;
};

}  // namespace ferry::ui
