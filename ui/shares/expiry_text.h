#pragma once

// When a link ends, in words both ways: parseExpiry() reads what a person
// types ("in 2 hours", "tomorrow 18:00", "90m", "friday 9:00",
// "2026-12-24 18:00") into a moment; describeExpiry() and shortExpiry()
// say a moment back ("tomorrow at 18:00 (in 19 hours)", "in 2 h", "ended").
// Pure functions of their arguments (the present is passed in, so tests
// need no clock); any thread.

#include <optional>

#include <QDateTime>
#include <QString>

namespace ferry::ui {

struct ExpiryParse {
  bool ok = false;
  std::optional<QDateTime> when;  // none with ok: "never"
  QString error;                  // a sentence, when !ok
};

// Accepted: "never" or nothing; a duration ("90s", "90m", "2h", "3d", "1w",
// "1h30m", "in 2 hours", "45 minutes"); a time of day ("18:00": the next
// one), optionally after "today", "tomorrow" or a weekday; "tomorrow"
// alone (this time tomorrow); a date ("2026-12-24", at midnight) with an
// optional time. A moment not after `now` is refused, as is one more than
// ten years away.
ExpiryParse parseExpiry(const QString& text, const QDateTime& now);

// For sentences: "today at 18:00 (in 2 hours)", "tomorrow at 09:30 (in 19
// hours)", "on Friday 4 December 2026 at 18:00 (in 3 days)"; a past moment:
// "at 18:00 today (ended)".
QString describeExpiry(const QDateTime& when, const QDateTime& now);

// A time of day as the locale writes it, without seconds ("18:00", "6:00 PM").
QString clockTime(const QTime& time);

// For a column: "in 45 s", "in 12 min", "in 2 h", "in 3 d", "ended".
QString shortExpiry(const QDateTime& when, const QDateTime& now);

}  // namespace ferry::ui
