#include <QTest>

#include <atomic>
#include <thread>

#include "event_loop.h"
#include "pollers.h"

using namespace std::chrono_literals;

class TestEventLoop final : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase_data() { ferry::test::addPollerRows(); }

  void stopWakesIdleLoop() {
    auto loop = ferry::EventLoop::create(ferry::test::currentPoller());
    QVERIFY(loop);
    std::atomic<bool> returned{false};
    std::thread t([&] { loop->run(); returned = true; });
    std::this_thread::sleep_for(100ms);
    QVERIFY(!returned);
    auto t0 = std::chrono::steady_clock::now();
    loop->stop();
    t.join();
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    qInfo("stop() -> run() returned in %lld us", static_cast<long long>(us));
    QVERIFY(returned);
  }
};

QTEST_GUILESS_MAIN(TestEventLoop)
#include "tst_event_loop.moc"
