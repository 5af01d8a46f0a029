// Pages from resources/web: built into the binary byte for byte, their holes
// filled, and every name escaped so it can be neither markup nor break out of
// an attribute.

#include <QFile>
#include <QTest>

#include <string>

#include "page_template.h"
#include "web_assets.h"

using ferry::htmlEscape;
using ferry::PageTemplate;
using ferry::webAsset;

class TestPageTemplate : public QObject {
  Q_OBJECT

 private slots:
  void assetsAreTheFilesOfResourcesWeb() {
    QFile css(QStringLiteral(FERRY_SOURCE_DIR "/resources/web/ferry.css"));
    QVERIFY(css.open(QIODevice::ReadOnly));
    QByteArray want = css.readAll();
    std::string_view got = webAsset("ferry.css");
    QCOMPARE(QByteArray(got.data(), qsizetype(got.size())), want);
    QVERIFY(webAsset("no-such-page.html").empty());
  }

  void holesAreFilledInOrder() {
    PageTemplate t("<h1>{{title}}</h1>{{body}}<p>{{title}}</p>{{unclosed");
    QCOMPARE(t.holes().size(), std::size_t(2));
    std::string out;
    t.render(out, [](std::string_view name, std::string& o) { o += name == "title" ? "T" : "B"; });
    QCOMPARE(QString::fromStdString(out), QStringLiteral("<h1>T</h1>B<p>T</p>{{unclosed"));
  }

  void escapingLeavesNoMarkup_data() {
    QTest::addColumn<QByteArray>("in");
    QTest::addColumn<QByteArray>("out");
    QTest::newRow("script") << QByteArray("<script>alert(1)</script>")
                            << QByteArray("&lt;script&gt;alert(1)&lt;/script&gt;");
    QTest::newRow("attribute") << QByteArray("a\" onmouseover='x'") << QByteArray("a&quot; onmouseover=&#39;x&#39;");
    QTest::newRow("ampersand") << QByteArray("R&D &amp;") << QByteArray("R&amp;D &amp;amp;");
    QTest::newRow("utf-8 kept") << QByteArray("Fotos \xC3\xA9t\xC3\xA9 \xF0\x9F\x8C\x8A")
                                << QByteArray("Fotos \xC3\xA9t\xC3\xA9 \xF0\x9F\x8C\x8A");
    QTest::newRow("latin-1 byte") << QByteArray("caf\xE9.txt") << QByteArray("caf\xEF\xBF\xBD.txt");
    QTest::newRow("overlong slash") << QByteArray("a\xC0\xAF") << QByteArray("a\xEF\xBF\xBD\xEF\xBF\xBD");
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << QByteArray("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    QTest::newRow("control") << QByteArray("a\x1b[31mb") << QByteArray("a\xEF\xBF\xBD[31mb");
    QTest::newRow("truncated") << QByteArray("x\xE2\x82") << QByteArray("x\xEF\xBF\xBD\xEF\xBF\xBD");
  }

  void escapingLeavesNoMarkup() {
    QFETCH(QByteArray, in);
    QFETCH(QByteArray, out);
    std::string got;
    htmlEscape(std::string_view(in.constData(), std::size_t(in.size())), got);
    QCOMPARE(QByteArray(got.data(), qsizetype(got.size())), out);
  }
};

QTEST_APPLESS_MAIN(TestPageTemplate)
#include "tst_page_template.moc"
