// What the registry promises the rest of Ferry: a share's rules and its
// delivery count change for the next lookup only (a request in flight keeps
// the share it found), and rotating a link gives it a new token in its old
// place while the old token stops resolving.

#include <QTemporaryDir>
#include <QTest>

#include <fstream>

#include "share_registry.h"

using ferry::Share;
using ferry::ShareRegistry;
using ferry::ShareRules;

class TestShareRegistry : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  std::string file(const char* name) {
    std::string p = dir_.filePath(name).toStdString();
    std::ofstream(p) << name;
    return p;
  }

 private slots:
  void rulesApplyToTheNextLookup() {
    ShareRegistry reg;
    auto s = reg.add(file("a.txt"), nullptr);
    QVERIFY(s);
    QVERIFY(!s->rules.any());
    auto inFlight = reg.find(s->token);
    ShareRules rules;
    rules.downloadLimit = 2;
    rules.password = "hunter2";
    QVERIFY(reg.setRules(s->token, rules));
    QVERIFY(!inFlight->rules.any());
    QCOMPARE(reg.find(s->token)->rules.downloadLimit, 2u);
    QCOMPARE(reg.find(s->token)->rules.password, std::string("hunter2"));
    QVERIFY(!reg.setRules("nosuchtokenxxxxxxxxxxxx", rules));
  }

  void deliveriesCountUpAndRestore() {
    ShareRegistry reg;
    auto s = reg.add(file("b.txt"), nullptr);
    QCOMPARE(reg.noteDelivered(s->token), 1u);
    QCOMPARE(reg.noteDelivered(s->token), 2u);
    QCOMPARE(reg.find(s->token)->deliveries, 2u);
    QVERIFY(reg.setDeliveries(s->token, 7));
    QCOMPARE(reg.noteDelivered(s->token), 8u);
    QCOMPARE(reg.noteDelivered("unknown"), 0u);
  }

  void rotateKeepsPlaceRulesAndCount() {
    ShareRegistry reg;
    auto first = reg.add(file("1.txt"), nullptr);
    auto second = reg.add(file("2.txt"), nullptr);
    auto third = reg.add(file("3.txt"), nullptr);
    ShareRules rules;
    rules.downloadLimit = 3;
    reg.setRules(second->token, rules);
    reg.noteDelivered(second->token);
    auto rotated = reg.rotate(second->token);
    QVERIFY(rotated);
    QVERIFY(rotated->token != second->token);
    QCOMPARE(rotated->token.size(), second->token.size());
    QVERIFY(!reg.find(second->token));
    QCOMPARE(reg.find(rotated->token)->path, second->path);
    QCOMPARE(rotated->rules, rules);
    QCOMPARE(rotated->deliveries, 1u);
    auto list = reg.list();
    QCOMPARE(list.size(), std::size_t(3));
    QCOMPARE(list[0].token, first->token);
    QCOMPARE(list[1].token, rotated->token);
    QCOMPARE(list[2].token, third->token);
    QVERIFY(!reg.rotate(second->token));
  }
};

QTEST_GUILESS_MAIN(TestShareRegistry)
#include "tst_share_registry.moc"
