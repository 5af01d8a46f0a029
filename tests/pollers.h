#pragma once

// Runs a Qt Test class once per poller backend compiled into this build:
// call addPollerRows() from initTestCase_data(), and currentPoller() in the
// tests. Output then reads "testStopWakesIdleLoop(epoll)", "...(poll)".

#include <QString>
#include <QTest>

#include "poller.h"

namespace ferry::test {

inline void addPollerRows() {
  QTest::addColumn<QString>("poller");
  for (const auto& name : ferry::availablePollers())
    QTest::newRow(name.c_str()) << QString::fromStdString(name);
}

inline std::string currentPoller() {
  QFETCH_GLOBAL(QString, poller);
  return poller.toStdString();
}

}  // namespace ferry::test
