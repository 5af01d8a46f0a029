#pragma once

// What a second `ferry FILE...` tells the running one: the wire format of
// the single-instance channel, as pure functions so every truncation and
// every malformed message can be tested. Any thread.
//
//   version (1 byte) | payload length (u32, big endian) | payload
//   payload = per path: length (u32, big endian) | UTF-8 bytes
//
// Paths are absolute (the sender's working directory means nothing to the
// receiver); no paths at all means "show the window". The receiver answers
// one byte: kAck once the paths are in its hands, kRefused for a message it
// will not take.

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

namespace ferry::ui::instance {

inline constexpr char kVersion = 1;
inline constexpr qsizetype kHeaderSize = 5;
// Explorer's Send To passes a whole selection: a thousand long paths fit.
inline constexpr qsizetype kMaxPayload = 1 << 20;
inline constexpr char kAck = 0x06;
inline constexpr char kRefused = 0x15;

// False (and `error` says why) when the paths cannot be sent: one is
// relative or empty, or together they exceed kMaxPayload.
bool encode(const QStringList& paths, QByteArray& out, QString& error);

struct Decoded {
  enum class Status { Incomplete, Complete, Bad };
  Status status = Status::Incomplete;
  QStringList paths;
  qsizetype consumed = 0;  // bytes of the message, when Complete
  QString error;           // when Bad
};

// Looks at the bytes received so far. Incomplete until the whole message
// is there; Bad as soon as the bytes cannot become a valid message (a
// version not ours, a payload over the cap, a path that is not valid
// UTF-8, not absolute, or runs past the payload).
Decoded decode(QByteArrayView bytes);

}  // namespace ferry::ui::instance
