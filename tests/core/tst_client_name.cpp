// clientName() over real User-Agent strings: what the window and the log
// call a client, and "" where the string says nothing a person knows.

#include <QTest>

#include "client_name.h"

class TestClientName : public QObject {
  Q_OBJECT

 private slots:
  void names_data() {
    QTest::addColumn<QString>("ua");
    QTest::addColumn<QString>("name");
    auto row = [](const char* tag, const char* ua, const char* name) { QTest::newRow(tag) << ua << name; };
    row("ios safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari on iPhone");
    row("ios safari 13", "Mozilla/5.0 (iPhone; CPU iPhone OS 13_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.1.2 Mobile/15E148 Safari/604.1", "Safari on iPhone");
    row("ios chrome", "Mozilla/5.0 (iPhone; CPU iPhone OS 14_7_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/93.0.4577.39 Mobile/15E148 Safari/604.1", "Chrome on iPhone");
    row("ios firefox", "Mozilla/5.0 (iPhone; CPU iPhone OS 14_7_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/36.0 Mobile/15E148 Safari/605.1.15", "Firefox on iPhone");
    row("ios edge", "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.0 EdgiOS/114.0.1823.79 Mobile/15E148 Safari/605.1.15", "Edge on iPhone");
    row("ios webview", "Mozilla/5.0 (iPhone; CPU iPhone OS 14_7_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Mobile", "An app on iPhone");
    row("old ipad", "Mozilla/5.0 (iPad; CPU OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/13.0.4 Mobile/15E148 Safari/604.1", "Safari on iPad");
    row("android chrome", "Mozilla/5.0 (Linux; Android 11) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/93.0.4577.62 Mobile Safari/537.36", "Chrome on Android");
    row("android chrome model", "Mozilla/5.0 (Linux; Android 10; SM-G981B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0.3987.162 Mobile Safari/537.36", "Chrome on Android");
    row("android webview", "Mozilla/5.0 (Linux; Android 11; wv) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/93.0.4577.62 Mobile Safari/537.36", "An app on Android");
    row("android firefox", "Mozilla/5.0 (Android 11; Mobile; rv:91.0) Gecko/91.0 Firefox/91.0", "Firefox on Android");
    row("samsung", "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android");
    row("android edge", "Mozilla/5.0 (Linux; Android 10; HD1913) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/114.0.5735.196 Mobile Safari/537.36 EdgA/114.0.1823.74", "Edge on Android");
    row("windows chrome", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36", "Chrome on Windows");
    row("windows edge", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/93.0.4577.63 Safari/537.36 Edg/93.0.961.38", "Edge on Windows");
    row("windows firefox", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:109.0) Gecko/20100101 Firefox/112.0", "Firefox on Windows");
    row("windows opera", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0", "Opera on Windows");
    row("mac safari", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15", "Safari on Mac");
    row("mac chrome", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome on Mac");
    row("mac firefox", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:120.0) Gecko/20100101 Firefox/120.0", "Firefox on Mac");
    row("linux firefox", "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", "Firefox on Linux");
    row("ubuntu firefox", "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox on Linux");
    row("linux chrome", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome on Linux");
    row("chromeos", "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36", "Chrome on ChromeOS");
    row("curl", "curl/8.5.0", "curl 8.5");
    row("curl 7", "curl/7.88.1", "curl 7.88");
    row("wget", "Wget/1.21.3", "Wget 1.21");
    row("wget2", "Wget/1.21", "Wget 1.21");
    row("aria2", "aria2/1.36.0", "aria2 1.36");
    row("requests", "python-requests/2.31.0", "Python requests");
    row("urllib", "Python-urllib/3.11", "Python");
    row("qt", "Mozilla/5.0", "Qt");
    row("empty", "", "");
    row("unknown tool", "MyDownloader", "");
    row("bare mozilla", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "");
  }
  void names() {
    QFETCH(QString, ua);
    QFETCH(QString, name);
    QCOMPARE(QString::fromStdString(ferry::clientName(ua.toStdString())), name);
  }
};

QTEST_APPLESS_MAIN(TestClientName)
#include "tst_client_name.moc"
