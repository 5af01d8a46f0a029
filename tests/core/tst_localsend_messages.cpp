// LocalSend's JSON as the apps send it (1.17 writes absent optionals as
// null, 1.18 leaves them out and says "2.2"), what hostile bodies get (a
// sentence naming the field, nothing decoded), and that what Ferry writes
// reads back the same. And what Ferry offers: at most as many files as a
// receiver takes (localsend_items.h); how long wrong PINs lock an address
// out (localsend_pins.h).

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <string>

#include "localsend_items.h"
#include "localsend_messages.h"
#include "localsend_pins.h"

namespace ls = ferry::localsend;

// moc reads no further than the declarations: it stops at raw strings.
#ifndef Q_MOC_RUN
namespace {

// A prepare-upload body as LocalSend 1.17 (Dart) sends it: nulls for absent optionals.
const char* k117 = R"({"info":{"alias":"Pixel 8","version":"2.1","deviceModel":"Google","deviceType":"mobile",
 "fingerprint":"ABC","port":53317,"protocol":"https","download":false,"announcement":true},
 "files":{"f1":{"id":"f1","fileName":"IMG_0001.jpg","size":48213,"fileType":"image/jpeg","sha256":null,
 "preview":null,"metadata":{"modified":"2026-01-02T03:04:05.000Z","accessed":null}},
 "f2":{"id":"f2","fileName":"Trip/b.mp4","size":0,"fileType":"video/mp4","sha256":null,"preview":null,
 "metadata":null}}})";

// As 1.18 (Rust, serde) sends it: optionals left out, a type in capitals.
const char* k118 = R"({"info":{"alias":"Desk","version":"2.2","deviceType":"DESKTOP","fingerprint":"F",
 "port":53318,"protocol":"http"},"files":{"x":{"id":"x","fileName":"a.txt","size":5,"fileType":"text/plain",
 "sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","preview":"hello"}}})";

std::string withInfo(const std::string& info) {
  return R"({"info":)" + info + R"(,"files":{"a":{"id":"a","fileName":"a","size":1,"fileType":"x"}}})";
}
std::string withFile(const std::string& file) {
  return R"({"info":{"alias":"A","version":"2.1","fingerprint":"F","port":1,"protocol":"http"},"files":{"a":)" +
         file + "}}";
}

}  // namespace
#endif

class TestLocalSendMessages final : public QObject {
  Q_OBJECT
 private slots:
  void reads117();
  void reads118();
  void unknownTypeIsDesktop();
  void refused_data();
  void refused();
  void fileCountLimit();
  void offerOfAsManyFilesAsReceiversTake();
  void valueCountAndBodyLimits();
  void pinLockoutEnds();
  void roundTrips();
};

#ifndef Q_MOC_RUN
void TestLocalSendMessages::reads117() {
  std::string error;
  auto p = ls::decodePrepareUpload(k117, &error);
  QVERIFY2(p, error.c_str());
  QCOMPARE(p->info.alias, std::string("Pixel 8"));
  QCOMPARE(p->info.deviceModel.value_or(""), std::string("Google"));
  QVERIFY(p->info.deviceType == ls::DeviceType::kMobile);
  QCOMPARE(p->info.port, std::uint16_t(53317));
  QVERIFY(p->info.protocol == ls::Protocol::kHttps);
  QCOMPARE(p->files.size(), std::size_t(2));
  QCOMPARE(p->files[0].id, std::string("f1"));
  QCOMPARE(p->files[0].size, std::uint64_t(48213));
  QVERIFY(!p->files[0].sha256 && !p->files[0].preview);
  QCOMPARE(p->files[0].modified.value_or(""), std::string("2026-01-02T03:04:05.000Z"));
  QVERIFY(!p->files[0].accessed);
  QCOMPARE(p->files[1].fileName, std::string("Trip/b.mp4"));
  QVERIFY(!p->files[1].modified);
}

void TestLocalSendMessages::reads118() {
  std::string error;
  auto p = ls::decodePrepareUpload(k118, &error);
  QVERIFY2(p, error.c_str());
  QVERIFY(p->info.deviceType == ls::DeviceType::kDesktop);
  QVERIFY(!p->info.deviceModel);
  QVERIFY(!p->info.download);
  QVERIFY(p->info.protocol == ls::Protocol::kHttp);
  QCOMPARE(p->files[0].preview.value_or(""), std::string("hello"));
  QCOMPARE(p->files[0].sha256->size(), std::size_t(64));
}

void TestLocalSendMessages::unknownTypeIsDesktop() {
  auto d = ls::decodeDeviceInfo(
      R"({"alias":"A","version":"2.1","deviceType":"toaster","fingerprint":"F","port":1,"protocol":"https"})",
      nullptr);
  QVERIFY(d && d->deviceType == ls::DeviceType::kDesktop);
  d = ls::decodeDeviceInfo(
      R"({"alias":"A","version":"2.1","deviceType":null,"fingerprint":"F","port":1,"protocol":"https","download":null})",
      nullptr);
  QVERIFY(d && !d->deviceType && !d->download);
}

void TestLocalSendMessages::refused_data() {
  QTest::addColumn<QByteArray>("body");
  QTest::addColumn<QByteArray>("says");
  auto row = [](const char* name, const std::string& body, const char* says) {
    QTest::newRow(name) << QByteArray::fromStdString(body) << QByteArray(says);
  };
  row("not json", "{\"info\":", "not JSON");
  row("array", "[1,2]", "not a JSON object");
  row("no info", R"({"files":{}})", "info is missing");
  row("null info", R"({"info":null,"files":{}})", "info is missing");
  row("info string", R"({"info":"x","files":{}})", "info is not an object");
  row("null alias", withInfo(R"({"alias":null,"version":"2","fingerprint":"F","port":1,"protocol":"http"})"),
      "info.alias is missing");
  row("alias number", withInfo(R"({"alias":7,"version":"2","fingerprint":"F","port":1,"protocol":"http"})"),
      "info.alias is not a string");
  row("port string", withInfo(R"({"alias":"A","version":"2","fingerprint":"F","port":"1","protocol":"http"})"),
      "info.port is not a whole number");
  row("port big", withInfo(R"({"alias":"A","version":"2","fingerprint":"F","port":70000,"protocol":"http"})"),
      "info.port is larger than 65535");
  row("protocol ftp", withInfo(R"({"alias":"A","version":"2","fingerprint":"F","port":1,"protocol":"ftp"})"),
      "info.protocol is neither");
  row("no fingerprint", withInfo(R"({"alias":"A","version":"2","port":1,"protocol":"http"})"),
      "info.fingerprint is missing");
  row("files array", withFile("1").replace(withFile("1").find(R"({"a":1})"), 7, "[]"), "files is not an object");
  row("file null", withFile("null"), "is not an object");
  row("size float", withFile(R"({"id":"a","fileName":"a","size":1.5,"fileType":"x"})"), "size is not a whole number");
  row("size negative", withFile(R"({"id":"a","fileName":"a","size":-1,"fileType":"x"})"), "size is negative");
  row("size huge", withFile(R"({"id":"a","fileName":"a","size":18446744073709551616,"fileType":"x"})"),
      "size is not a whole number");
  row("size string", withFile(R"({"id":"a","fileName":"a","size":"1","fileType":"x"})"), "size is not a whole number");
  row("name null", withFile(R"({"id":"a","fileName":null,"size":1,"fileType":"x"})"), "fileName is missing");
  row("sha number", withFile(R"({"id":"a","fileName":"a","size":1,"fileType":"x","sha256":5})"),
      "sha256 is not a string");
  row("metadata list", withFile(R"({"id":"a","fileName":"a","size":1,"fileType":"x","metadata":[]})"),
      "metadata is not an object");
  row("name long", withFile(R"({"id":"a","fileName":")" + std::string(5000, 'n') + R"(","size":1,"fileType":"x"})"),
      "fileName is longer than 4096 bytes");
  row("deep", std::string(100, '[') + std::string(100, ']'), "nested deeper");
  row("deep in file",
      withFile(R"({"id":"a","fileName":"a","size":1,"fileType":"x","metadata":{"x":[[[[[1]]]]]}})"),
      "nested deeper");
  row("empty files", R"({"info":{"alias":"A","version":"2","fingerprint":"F","port":1,"protocol":"http"},"files":{}})",
      "files is empty");
  row("bad utf-8", withFile("{\"id\":\"a\",\"fileName\":\"\xff\",\"size\":1,\"fileType\":\"x\"}"), "not JSON");
}
void TestLocalSendMessages::refused() {
  QFETCH(QByteArray, body);
  QFETCH(QByteArray, says);
  std::string error;
  auto p = ls::decodePrepareUpload(body.toStdString(), &error);
  QVERIFY(!p);
  QVERIFY2(error.find(says.toStdString()) != std::string::npos, error.c_str());
}

void TestLocalSendMessages::fileCountLimit() {
  auto offer = [](int n) {
    std::string body = R"({"info":{"alias":"A","version":"2","fingerprint":"F","port":1,"protocol":"http"},"files":{)";
    for (int i = 0; i < n; ++i) {
      if (i) body += ',';
      std::string id = "id" + std::to_string(i);
      body += "\"" + id + R"(":{"id":")" + id + R"(","fileName":"f)" + std::to_string(i) +
              R"(.jpg","size":1000,"fileType":"image/jpeg","sha256":null,"preview":null})";
    }
    return body + "}}";
  };
  std::string error;
  auto many = ls::decodePrepareUpload(offer(10'000), &error);
  QVERIFY2(many, error.c_str());
  QCOMPARE(many->files.size(), std::size_t(10'000));
  QVERIFY(!ls::decodePrepareUpload(offer(10'001), &error));
  QVERIFY2(error.find("more than 10000 files") != std::string::npos, error.c_str());
}

void TestLocalSendMessages::offerOfAsManyFilesAsReceiversTake() {
  // Exactly kMaxOfferFiles files is what a receiver takes (the decoder above
  // reads 10,000): a folder of that many is offered; one file more is not.
  QTemporaryDir dir;
  QVERIFY(dir.isValid());
  const std::string root = dir.path().toStdString();
  const std::string folder = root + "/Many";
  QVERIFY(QDir().mkpath(QString::fromStdString(folder)));
  for (std::size_t i = 0; i < ls::kMaxOfferFiles; ++i) std::ofstream(folder + "/f" + std::to_string(i));
  std::string error;
  auto items = ls::itemsFor({folder}, &error);
  QVERIFY2(items, error.c_str());
  QCOMPARE(items->size(), ls::kMaxOfferFiles);
  std::ofstream(root + "/one more.txt");
  QVERIFY(!ls::itemsFor({folder, root + "/one more.txt"}, &error));
  QVERIFY2(error.find("at most 10000 files") != std::string::npos, error.c_str());
  std::ofstream(folder + "/f-last");
  QVERIFY(!ls::itemsFor({folder}, &error));
  QVERIFY2(error.find("at most 10000 files") != std::string::npos, error.c_str());
}

void TestLocalSendMessages::pinLockoutEnds() {
  using P = ls::PinTries;
  P tries;
  const auto t0 = P::Clock::now();
  const std::string phone = "192.168.1.31", other = "192.168.1.32";
  for (int i = 0; i < P::kMaxTries; ++i) {
    QVERIFY(!tries.locked(phone, t0));
    tries.wrong(phone, t0 + std::chrono::seconds(i));
  }
  const auto last = t0 + std::chrono::seconds(P::kMaxTries - 1);
  QVERIFY(tries.locked(phone, last));
  QVERIFY(tries.locked(phone, last + P::kLockout - std::chrono::seconds(1)));
  QVERIFY2(!tries.locked(other, last), "counted per address");
  QVERIFY2(!tries.locked(phone, last + P::kLockout), "the lockout ends");
  // After it, the address starts from nothing: one wrong PIN does not lock it again.
  tries.wrong(phone, last + P::kLockout);
  QVERIFY(!tries.locked(phone, last + P::kLockout));
  // Wrong PINs spread wider apart than the lockout never add up.
  P slow;
  for (int i = 0; i < 5; ++i) slow.wrong(phone, t0 + i * P::kLockout);
  QVERIFY(!slow.locked(phone, t0 + 4 * P::kLockout));
  // The right PIN forgets the address.
  P fixed;
  fixed.wrong(phone, t0);
  fixed.wrong(phone, t0);
  fixed.right(phone);
  fixed.wrong(phone, t0);
  QVERIFY(!fixed.locked(phone, t0));
}

void TestLocalSendMessages::valueCountAndBodyLimits() {
  std::string error;
  std::string flat = R"({"info":[)";
  for (int i = 0; i < 250'000; ++i) flat += i ? ",1" : "1";
  flat += "]}";
  QVERIFY(!ls::decodePrepareUpload(flat, &error));
  QVERIFY2(error.find("more than 200000 values") != std::string::npos, error.c_str());
  QVERIFY(!ls::decodePrepareUpload(std::string(5 * 1024 * 1024, ' '), &error));
  QVERIFY2(error.find("larger than") != std::string::npos, error.c_str());
}

void TestLocalSendMessages::roundTrips() {
  ls::DeviceInfo me;
  me.alias = "Anna's laptop \"home\"";
  me.version = std::string(ls::kProtocolVersion);
  me.deviceModel = "Ferry";
  me.deviceType = ls::DeviceType::kDesktop;
  me.fingerprint = "AB12";
  me.port = 53320;
  me.protocol = ls::Protocol::kHttp;
  auto back = ls::decodeDeviceInfo(ls::encodeDeviceInfo(me), nullptr);
  QVERIFY(back);
  QCOMPARE(back->alias, me.alias);
  QCOMPARE(back->port, me.port);
  QVERIFY(back->protocol == ls::Protocol::kHttp);

  // The info answer carries neither port nor protocol.
  const std::string answer = ls::encodeDeviceAnswer(me);
  QVERIFY(answer.find("port") == std::string::npos);
  auto info = ls::decodeDeviceAnswer(answer, nullptr);
  QVERIFY(info && !info->hasAddress && info->fingerprint == "AB12");

  auto ann = ls::decodeAnnouncement(ls::encodeAnnouncement(me, false), nullptr);
  QVERIFY(ann && !ann->announce);
  ann = ls::decodeAnnouncement(ls::encodeDeviceInfo(me), nullptr);
  QVERIFY(ann && ann->announce);

  ls::PrepareUpload offer{me, {}};
  ls::FileInfo f;
  f.id = "1";
  f.fileName = "a/b.jpg";
  f.size = 123456789012ULL;
  f.fileType = "image/jpeg";
  f.modified = "2026-01-01T00:00:00Z";
  offer.files.push_back(f);
  auto p = ls::decodePrepareUpload(ls::encodePrepareUpload(offer), nullptr);
  QVERIFY(p && p->files.size() == 1 && p->files[0].size == f.size && p->files[0].modified == f.modified);

  ls::PrepareUploadAnswer a{"s1", {{"1", "t1"}, {"2", "t2"}}};
  auto ab = ls::decodePrepareUploadAnswer(ls::encodePrepareUploadAnswer(a), nullptr);
  QVERIFY(ab && ab->sessionId == "s1" && ab->tokens.size() == 2);
  QCOMPARE(ls::decodeErrorMessage(ls::encodeError("PIN required")).value_or(""), std::string("PIN required"));
  // A name from a foreign disk that is not UTF-8 is still valid JSON.
  QVERIFY(ls::decodeErrorMessage(ls::encodeError("bad \xff name")).has_value());
}
#endif

QTEST_APPLESS_MAIN(TestLocalSendMessages)
#include "tst_localsend_messages.moc"
