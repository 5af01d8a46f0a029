// What the registry promises the rest of Ferry: a share's rules and its
// delivery count change for the next lookup only (a request in flight keeps
// the share it found), and rotating a link gives it a new token in its old
// place while the old token stops resolving; a folder with a download limit
// lets in as many recipients (devices) as it allows, and no more.

#include <QDir>
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

  // A folder's limit counts recipients: a browser by its cookie, a client
  // without one by its address; the count is what the limit compares.
  void aFolderLetsInItsRecipientsOnly() {
    using ferry::Recipient;
    using ferry::RecipientAdmission;
    ShareRegistry reg;
    QDir(dir_.path()).mkpath("Photos");
    auto folder = reg.add(dir_.filePath("Photos").toStdString(), nullptr);
    auto plain = reg.add(file("c.txt"), nullptr);
    QVERIFY(folder && folder->folder);
    ShareRules rules;
    rules.downloadLimit = 2;
    reg.setRules(folder->token, rules);
    reg.setRules(plain->token, rules);
    const Recipient phone{"AAAAAAAAAAAAAAAAAAAAAA", "192.168.1.31"}, laptop{"BBBBBBBBBBBBBBBBBBBBBB", "192.168.1.31"},
        curl{"", "192.168.1.40"}, other{"", "192.168.1.50"};
    QCOMPARE(reg.admitRecipient(folder->token, phone), RecipientAdmission::kNew);
    QCOMPARE(reg.admitRecipient(folder->token, phone), RecipientAdmission::kKnown);
    QCOMPARE(reg.admitRecipient(folder->token, Recipient{phone.cookie, "10.0.0.9"}), RecipientAdmission::kKnown);
    QCOMPARE(reg.find(folder->token)->deliveries, 1u);
    QCOMPARE(reg.admitRecipient(folder->token, curl), RecipientAdmission::kNew);
    QCOMPARE(reg.admitRecipient(folder->token, Recipient{"", "192.168.1.40"}), RecipientAdmission::kKnown);
    // A browser that took a file before it had its cookie is still known.
    QCOMPARE(reg.admitRecipient(folder->token, Recipient{laptop.cookie, "192.168.1.40"}), RecipientAdmission::kKnown);
    QCOMPARE(reg.find(folder->token)->deliveries, 2u);
    // Full: a second browser behind the phone's address, a new address.
    QCOMPARE(reg.admitRecipient(folder->token, laptop), RecipientAdmission::kFull);
    QCOMPARE(reg.admitRecipient(folder->token, Recipient{"", "192.168.1.31"}), RecipientAdmission::kFull);
    QCOMPARE(reg.admitRecipient(folder->token, other), RecipientAdmission::kFull);
    QVERIFY(reg.isRecipient(folder->token, phone) && !reg.isRecipient(folder->token, other));
    QCOMPARE(reg.find(folder->token)->deliveries, 2u);
    // A single file counts copies elsewhere: nobody is counted here.
    QCOMPARE(reg.admitRecipient(plain->token, other), RecipientAdmission::kKnown);
    QVERIFY(reg.recipients(plain->token).empty());

    // Kept and restored, as text too; a rotated link keeps them.
    const auto kept = reg.recipients(folder->token);
    QCOMPARE(kept.size(), std::size_t(2));
    for (const Recipient& r : kept) {
      Recipient back;
      QVERIFY(ferry::parseRecipient(ferry::recipientText(r), back));
      QCOMPARE(back, r);
    }
    Recipient junk;
    QVERIFY(!ferry::parseRecipient("no at sign", junk));
    QVERIFY(!ferry::parseRecipient("not a token@1.2.3.4", junk));
    QVERIFY(!ferry::parseRecipient("AAAAAAAAAAAAAAAAAAAAAA@", junk));
    auto rotated = reg.rotate(folder->token);
    QVERIFY(rotated);
    QCOMPARE(reg.recipients(rotated->token), kept);
    ShareRegistry next;
    auto again = next.add(dir_.filePath("Photos").toStdString(), nullptr, rotated->token);
    QVERIFY(again);
    next.setRules(again->token, rules);
    next.setDeliveries(again->token, 2);
    QVERIFY(next.setRecipients(again->token, kept));
    QCOMPARE(next.admitRecipient(again->token, curl), RecipientAdmission::kKnown);
    QCOMPARE(next.admitRecipient(again->token, other), RecipientAdmission::kFull);
    QVERIFY(next.remove(again->token));
    QVERIFY(next.recipients(again->token).empty());
  }
};

QTEST_GUILESS_MAIN(TestShareRegistry)
#include "tst_share_registry.moc"
