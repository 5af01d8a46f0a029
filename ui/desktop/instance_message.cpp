#include "desktop/instance_message.h"

#include <QDir>
#include <QStringDecoder>
#include <QtEndian>

namespace ferry::ui::instance {
namespace {

void appendU32(QByteArray& out, quint32 v) {
  char b[4];
  qToBigEndian(v, b);
  out.append(b, 4);
}

quint32 readU32(const char* p) { return qFromBigEndian<quint32>(p); }

Decoded bad(const QString& why) {
  Decoded d;
  d.status = Decoded::Status::Bad;
  d.error = why;
  return d;
}

}  // namespace

bool encode(const QStringList& paths, QByteArray& out, QString& error) {
  QByteArray payload;
  for (const QString& p : paths) {
    if (p.isEmpty() || !QDir::isAbsolutePath(p)) {
      error = QStringLiteral("not an absolute path: '%1'").arg(p);
      return false;
    }
    const QByteArray utf8 = p.toUtf8();
    if (payload.size() + 4 + utf8.size() > kMaxPayload) {
      error = QStringLiteral("%1 paths are too many to hand over at once (more than %2 bytes)")
                  .arg(paths.size())
                  .arg(kMaxPayload);
      return false;
    }
    appendU32(payload, static_cast<quint32>(utf8.size()));
    payload.append(utf8);
  }
  out.clear();
  out.append(kVersion);
  appendU32(out, static_cast<quint32>(payload.size()));
  out.append(payload);
  return true;
}

Decoded decode(QByteArrayView bytes) {
  if (bytes.isEmpty()) return {};
  if (bytes[0] != kVersion) return bad(QStringLiteral("message version %1, expected %2").arg(int(bytes[0])).arg(int(kVersion)));
  if (bytes.size() < kHeaderSize) return {};
  const quint32 length = readU32(bytes.data() + 1);
  if (length > kMaxPayload) return bad(QStringLiteral("a message of %1 bytes is over the limit of %2").arg(length).arg(kMaxPayload));
  if (bytes.size() < kHeaderSize + qsizetype(length)) return {};

  Decoded d;
  const char* p = bytes.data() + kHeaderSize;
  const char* end = p + length;
  while (p < end) {
    if (end - p < 4) return bad(QStringLiteral("a path's length is cut off"));
    const quint32 n = readU32(p);
    p += 4;
    if (n > quint32(end - p)) return bad(QStringLiteral("a path runs past the end of the message"));
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString path = utf8(QByteArrayView(p, n));
    if (utf8.hasError()) return bad(QStringLiteral("a path is not valid UTF-8"));
    if (path.isEmpty() || path.contains(QChar(0)) || !QDir::isAbsolutePath(path))
      return bad(QStringLiteral("not an absolute path: '%1'").arg(path));
    d.paths.push_back(path);
    p += n;
  }
  d.status = Decoded::Status::Complete;
  d.consumed = kHeaderSize + length;
  return d;
}

}  // namespace ferry::ui::instance
