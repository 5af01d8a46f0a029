#pragma once

// Waiting for a client process (curl, a second ferry) to end.
//
// QProcess::waitForFinished answers false for a process that has already
// finished, and a test that spun the event loop (QTRY_*, qWait) since the
// start may well have seen it finish there: asking "has it ended?" is what
// such a test means.

#include <QProcess>

inline bool processEnded(QProcess& p, int timeoutMs = 30'000) {
  return p.state() == QProcess::NotRunning || p.waitForFinished(timeoutMs);
}
