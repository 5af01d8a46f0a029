// The Host policy as a function over header values: what is answered, what
// is a foreign name (421), and what is no host at all (400).

#include <QTest>

#include "host_check.h"

using ferry::HostVerdict;

Q_DECLARE_METATYPE(ferry::HostVerdict)

class TestHostCheck final : public QObject {
  Q_OBJECT
 private slots:
  void verdicts_data() {
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<HostVerdict>("verdict");
    const auto ok = HostVerdict::kAllowed, foreign = HostVerdict::kForeign, bad = HostVerdict::kMalformed;
    QTest::newRow("ipv4") << QByteArray("127.0.0.1") << ok;
    QTest::newRow("ipv4 port") << QByteArray("192.168.1.20:8080") << ok;
    QTest::newRow("ipv6") << QByteArray("[::1]") << ok;
    QTest::newRow("ipv6 port") << QByteArray("[::1]:8080") << ok;
    QTest::newRow("localhost") << QByteArray("localhost") << ok;
    QTest::newRow("LOCALHOST port") << QByteArray("LOCALHOST:1") << ok;
    QTest::newRow("fqdn dot") << QByteArray("localhost.:8080") << ok;
    QTest::newRow("machine") << QByteArray("kitchen-pc") << ok;
    QTest::newRow("machine.local") << QByteArray("Kitchen-PC.local:80") << ok;
    QTest::newRow("configured") << QByteArray("files.example.org") << ok;
    QTest::newRow("port 0") << QByteArray("localhost:0") << ok;
    QTest::newRow("port 65535") << QByteArray("localhost:65535") << ok;

    QTest::newRow("foreign") << QByteArray("evil.example.com") << foreign;
    QTest::newRow("foreign port") << QByteArray("evil.example.com:8080") << foreign;
    QTest::newRow("foreign underscore") << QByteArray("my_host") << foreign;

    QTest::newRow("empty") << QByteArray("") << bad;
    QTest::newRow("empty port") << QByteArray("localhost:") << bad;
    QTest::newRow("ipv6 junk port") << QByteArray("[::1]:junk") << bad;
    QTest::newRow("ipv6 empty port") << QByteArray("[::1]:") << bad;
    QTest::newRow("junk port") << QByteArray("127.0.0.1:80a80") << bad;
    QTest::newRow("port 65536") << QByteArray("localhost:65536") << bad;
    QTest::newRow("port 6 digits") << QByteArray("localhost:000080") << bad;
    QTest::newRow("signed port") << QByteArray("localhost:+80") << bad;
    QTest::newRow("two ports") << QByteArray("localhost:80:80") << bad;
    QTest::newRow("port only") << QByteArray(":8080") << bad;
    QTest::newRow("unclosed bracket") << QByteArray("[::1") << bad;
    QTest::newRow("after bracket") << QByteArray("[::1]x") << bad;
    QTest::newRow("bracketed name") << QByteArray("[localhost]") << bad;
    QTest::newRow("bracketed ipv4") << QByteArray("[127.0.0.1]") << bad;
    QTest::newRow("bare ipv6") << QByteArray("::1") << bad;
    QTest::newRow("userinfo") << QByteArray("user@localhost") << bad;
    QTest::newRow("space") << QByteArray("local host") << bad;
    QTest::newRow("slash") << QByteArray("localhost/x") << bad;
    QTest::newRow("dot only") << QByteArray(".") << bad;
  }

  void verdicts() {
    QFETCH(QByteArray, host);
    QFETCH(HostVerdict, verdict);
    ferry::HostPolicy policy;
    policy.machineName = "kitchen-pc";
    policy.names = {"files.example.org"};
    QCOMPARE(ferry::checkHost(host.toStdString(), policy), verdict);
  }

  // Avahi renamed the machine after a collision: its new name is answered,
  // with or without the trailing dot, and no other .local name is.
  void theMdnsNameIsAnswered() {
    ferry::HostPolicy policy;
    policy.machineName = "kitchen-pc";
    policy.mdnsName = "kitchen-pc-2.local";
    QCOMPARE(ferry::checkHost("Kitchen-PC-2.local:8080", policy), HostVerdict::kAllowed);
    QCOMPARE(ferry::checkHost("kitchen-pc-2.local.", policy), HostVerdict::kAllowed);
    QCOMPARE(ferry::checkHost("kitchen-pc-3.local", policy), HostVerdict::kForeign);
    policy.mdnsName.clear();
    QCOMPARE(ferry::checkHost("kitchen-pc-2.local", policy), HostVerdict::kForeign);
  }

  // Behind a proxy that rewrites Host every name is answered, but a value
  // that is no host is still the client's error.
  void allowAnyStillRefusesMalformed() {
    ferry::HostPolicy policy;
    policy.allowAny = true;
    QCOMPARE(ferry::checkHost("anything.example:8080", policy), HostVerdict::kAllowed);
    QCOMPARE(ferry::checkHost("anything.example:", policy), HostVerdict::kMalformed);
    QCOMPARE(ferry::checkHost("[::1]:junk", policy), HostVerdict::kMalformed);
  }
};

QTEST_GUILESS_MAIN(TestHostCheck)
#include "tst_host_check.moc"
