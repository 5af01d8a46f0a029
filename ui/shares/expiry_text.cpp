#include "shares/expiry_text.h"

#include <QCoreApplication>
#include <QLocale>
#include <QRegularExpression>
#include <QStringList>
#include <QTimeZone>

#include "widgets/format.h"

namespace ferry::ui {
namespace {

QString expiryTr(const char* text) { return QCoreApplication::translate("ExpiryText", text); }

ExpiryParse refuse(const QString& why) { return {false, std::nullopt, why}; }

// Seconds in one unit, from its spellings; 0 if not a unit.
qint64 unitSeconds(const QString& unit) {
  static const struct {
    const char* names;
    qint64 seconds;
  } kUnits[] = {
      {"s sec secs second seconds", 1},
      {"m min mins minute minutes", 60},
      {"h hr hrs hour hours", 3600},
      {"d day days", 86400},
      {"w wk week weeks", 7 * 86400},
  };
  for (const auto& u : kUnits)
    if (QString::fromLatin1(u.names).split(QLatin1Char(' ')).contains(unit)) return u.seconds;
  return 0;
}

// "1h30m", "2 hours 15 minutes", "90m": seconds, or -1 if not a duration.
qint64 durationSeconds(const QString& text) {
  static const QRegularExpression part(QStringLiteral("\\G\\s*(\\d+)\\s*([a-z]+)\\s*(?:and\\s*|,\\s*)?"));
  qint64 total = 0;
  qsizetype at = 0;
  bool any = false;
  auto it = part.globalMatch(text);
  while (it.hasNext()) {
    const QRegularExpressionMatch m = it.next();
    if (m.capturedStart() != at) return -1;
    const qint64 unit = unitSeconds(m.captured(2));
    bool ok = false;
    const qint64 n = m.captured(1).toLongLong(&ok);
    if (!unit || !ok || n > 100000) return -1;
    total += n * unit;
    at = m.capturedEnd();
    any = true;
  }
  return any && at == text.size() ? total : -1;
}

// "18:00", "9:30", "18", "6pm", "6:30 pm": minutes after midnight, or -1.
int timeOfDay(const QString& text) {
  static const QRegularExpression re(QStringLiteral("^(\\d{1,2})(?:[:.h](\\d{2}))?\\s*(am|pm)?$"));
  const QRegularExpressionMatch m = re.match(text);
  if (!m.hasMatch()) return -1;
  int h = m.captured(1).toInt();
  const int min = m.captured(2).isEmpty() ? 0 : m.captured(2).toInt();
  const QString half = m.captured(3);
  if (!half.isEmpty()) {
    if (h < 1 || h > 12) return -1;
    h = (h % 12) + (half == QLatin1String("pm") ? 12 : 0);
  }
  // A bare number is an hour only with am/pm or a colon: "90" is no time.
  if (m.captured(2).isEmpty() && half.isEmpty() && !text.contains(QLatin1Char('h'))) {
    if (text.size() > 2) return -1;
  }
  if (h > 23 || min > 59) return -1;
  return h * 60 + min;
}

int weekday(const QString& word) {
  static const char* kDays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
  for (int i = 0; i < 7; ++i) {
    const QString day = QString::fromLatin1(kDays[i]);
    if (word == day || (word.size() >= 3 && day.startsWith(word))) return i + 1;  // Qt: Monday = 1
  }
  return 0;
}

QDateTime at(const QDate& day, int minutes, const QDateTime& like) {
  return QDateTime(day, QTime(minutes / 60, minutes % 60), like.timeZone());
}

std::optional<QDateTime> moment(QString t, const QDateTime& now) {
  if (t.startsWith(QLatin1String("at "))) t = t.mid(3).trimmed();
  const QDate today = now.date();
  if (const int m = timeOfDay(t); m >= 0) {
    QDateTime when = at(today, m, now);
    return when > now ? when : at(today.addDays(1), m, now);  // the next 18:00
  }
  const qsizetype space = t.indexOf(QLatin1Char(' '));
  const QString first = space < 0 ? t : t.left(space);
  QString rest = space < 0 ? QString() : t.mid(space + 1).trimmed();
  if (rest.startsWith(QLatin1String("at "))) rest = rest.mid(3).trimmed();
  const int restTime = rest.isEmpty() ? -1 : timeOfDay(rest);
  if (!rest.isEmpty() && restTime < 0) return std::nullopt;
  if (first == QLatin1String("today")) return rest.isEmpty() ? std::nullopt : std::optional(at(today, restTime, now));
  if (first == QLatin1String("tomorrow"))
    return rest.isEmpty() ? now.addDays(1) : at(today.addDays(1), restTime, now);
  if (const int wd = weekday(first); wd > 0) {
    int ahead = (wd - today.dayOfWeek() + 7) % 7;
    if (ahead == 0) ahead = 7;  // "friday" on a Friday: the next one
    return at(today.addDays(ahead), rest.isEmpty() ? now.time().hour() * 60 + now.time().minute() : restTime, now);
  }
  const QDate date = QDate::fromString(first, Qt::ISODate);
  if (date.isValid()) return at(date, rest.isEmpty() ? 0 : restTime, now);
  return std::nullopt;
}

// Plural by hand: without a translation loaded, expiryTr()'s %n leaves "hour(s)".
QString count(qint64 n, const char* one, const char* many) { return formatCount(n, expiryTr(one), expiryTr(many)); }

QString inWords(qint64 seconds) {
  if (seconds < 90) return count(seconds, "in 1 second", "in %1 seconds");
  if (seconds < 90 * 60) return count((seconds + 30) / 60, "in 1 minute", "in %1 minutes");
  if (seconds < 36 * 3600) return count((seconds + 1800) / 3600, "in 1 hour", "in %1 hours");
  return count((seconds + 43200) / 86400, "in 1 day", "in %1 days");
}

}  // namespace

ExpiryParse parseExpiry(const QString& text, const QDateTime& now) {
  const QString t = text.simplified().toLower();
  if (t.isEmpty() || t == QLatin1String("never")) return {true, std::nullopt, {}};
  QDateTime when;
  const QString duration = t.startsWith(QLatin1String("in ")) ? t.mid(3) : t;
  if (const qint64 s = durationSeconds(duration); s >= 0) {
    if (s == 0) return refuse(expiryTr("A link that ends at once is no link: give a time after now."));
    when = now.addSecs(s);
  } else if (auto m = moment(t, now)) {
    when = *m;
  } else {
    return refuse(expiryTr("Ferry does not understand \"%1\". Try \"in 2 hours\", \"90m\", \"tomorrow 18:00\" or "
                     "\"2026-12-24 18:00\".")
                      .arg(text.simplified()));
  }
  if (!when.isValid()) return refuse(expiryTr("\"%1\" is not a time that exists.").arg(text.simplified()));
  if (when <= now)
    return refuse(expiryTr("%1 has already passed: give a time after now.")
                      .arg(QLocale().toString(when.date(), QLocale::ShortFormat) + QLatin1Char(' ') + clockTime(when.time())));
  if (when > now.addYears(10)) return refuse(expiryTr("That is more than ten years away: choose Never instead."));
  return {true, when, {}};
}

QString clockTime(const QTime& time) {
  // Some locales' short format (C's among them) still has seconds.
  QString format = QLocale().timeFormat(QLocale::ShortFormat);
  format.remove(QRegularExpression(QStringLiteral("[:.]ss?")));
  return QLocale().toString(time, format);
}

QString describeExpiry(const QDateTime& when, const QDateTime& now) {
  const QLocale locale;
  const QString time = clockTime(when.time());
  const qint64 days = now.date().daysTo(when.date());
  QString day;
  if (days == 0) day = expiryTr("today at %1").arg(time);
  else if (days == 1) day = expiryTr("tomorrow at %1").arg(time);
  else if (days == -1) day = expiryTr("yesterday at %1").arg(time);
  else day = expiryTr("on %1 at %2").arg(locale.toString(when.date(), QStringLiteral("dddd d MMMM yyyy")), time);
  const qint64 left = now.secsTo(when);
  return left > 0 ? expiryTr("%1 (%2)").arg(day, inWords(left)) : expiryTr("%1 (ended)").arg(day);
}

QString shortExpiry(const QDateTime& when, const QDateTime& now) {
  const qint64 s = now.secsTo(when);
  if (s <= 0) return expiryTr("ended");
  if (s < 60) return expiryTr("in %1 s").arg(s);
  if (s < 3600) return expiryTr("in %1 min").arg((s + 59) / 60);
  if (s < 48 * 3600) return expiryTr("in %1 h").arg(s / 3600 + (s % 3600 >= 1800 ? 1 : 0));
  return expiryTr("in %1 d").arg(s / 86400 + (s % 86400 >= 43200 ? 1 : 0));
}

}  // namespace ferry::ui
