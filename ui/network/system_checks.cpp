#include "network/system_checks.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>

#ifdef Q_OS_WIN
#include "network/windows_network.h"
#endif

namespace ferry::ui {
namespace {

using Kind = FirewallState::Kind;
using Port = FirewallState::Port;

#ifdef Q_OS_LINUX
QByteArray readAll(const QString& path) {
  QFile f(path);
  return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Runs a command for at most `ms`; its stdout, or nothing.
QByteArray run(const QString& program, const QStringList& args, int ms, int* exitCode) {
  QProcess p;
  p.start(program, args);
  if (!p.waitForFinished(ms)) {
    p.kill();
    p.waitForFinished(500);
    *exitCode = -1;
    return {};
  }
  *exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
  return p.readAllStandardOutput().trimmed();
}

// ufw keeps its state in files: /etc/ufw/ufw.conf says whether it is on
// (readable by everyone); the rules in /etc/ufw/user*.rules are root's
// alone on most systems, and `ufw status` needs root too, so the port is
// often Unknown.
std::optional<FirewallState> ufw(quint16 port) {
  const QByteArray conf = readAll(QStringLiteral("/etc/ufw/ufw.conf"));
  if (!QRegularExpression(QStringLiteral("^ENABLED=yes"), QRegularExpression::MultilineOption)
           .match(QString::fromLatin1(conf))
           .hasMatch())
    return std::nullopt;
  FirewallState s{Kind::Ufw, Port::Unknown};
  const QByteArray defaults = readAll(QStringLiteral("/etc/default/ufw"));
  if (defaults.contains("DEFAULT_INPUT_POLICY=\"ACCEPT\"")) {
    s.port = Port::Open;
    return s;
  }
  QFile rules(QStringLiteral("/etc/ufw/user.rules"));
  if (!rules.open(QIODevice::ReadOnly)) return s;
  // "### tuple ### allow tcp 8080 0.0.0.0/0 any 0.0.0.0/0 in" (or "any"
  // for both protocols; a range "8000:8100").
  const QRegularExpression tuple(QStringLiteral("^### tuple ### allow (tcp|any) ([0-9:,]+) "));
  s.port = Port::Closed;
  while (!rules.atEnd()) {
    const QRegularExpressionMatch m = tuple.match(QString::fromLatin1(rules.readLine()));
    if (!m.hasMatch()) continue;
    for (const QString& part : m.captured(2).split(QLatin1Char(','))) {
      const QStringList range = part.split(QLatin1Char(':'));
      const uint lo = range.value(0).toUInt(), hi = range.size() > 1 ? range[1].toUInt() : lo;
      if (port >= lo && port <= hi) s.port = Port::Open;
    }
  }
  return s;
}

// firewalld answers ordinary users over D-Bus for queries.
std::optional<FirewallState> firewalld(quint16 port) {
  const QString cmd = QStandardPaths::findExecutable(QStringLiteral("firewall-cmd"));
  if (cmd.isEmpty()) return std::nullopt;
  int code = 0;
  if (run(cmd, {QStringLiteral("--state")}, 2000, &code) != "running") return std::nullopt;
  FirewallState s{Kind::Firewalld, Port::Unknown};
  const QByteArray answer = run(cmd, {QStringLiteral("--query-port=%1/tcp").arg(port)}, 2000, &code);
  if (answer == "yes") s.port = Port::Open;
  else if (answer == "no") s.port = Port::Closed;
  return s;
}
#endif

}  // namespace

SystemChecks::~SystemChecks() = default;

FirewallState SystemChecks::firewall(quint16 port) const {
#if defined(Q_OS_LINUX)
  if (auto s = ufw(port)) return *s;
  if (auto s = firewalld(port)) return *s;
  return {Kind::None, Port::Unknown};
#elif defined(Q_OS_WIN)
  Q_UNUSED(port);
  return {Kind::Windows, Port::Unknown};
#else
  Q_UNUSED(port);
  return {Kind::Unknown, Port::Unknown};
#endif
}

WindowsNetwork SystemChecks::windowsNetwork() const {
  WindowsNetwork w;
#ifdef Q_OS_WIN
  const WindowsNetworkFacts f = queryWindowsNetwork();
  if (f.publicProfile >= 0) w.publicProfile = f.publicProfile == 1;
  if (f.ruleExists >= 0) w.ruleExists = f.ruleExists == 1;
  w.program = QCoreApplication::applicationFilePath().replace(QLatin1Char('/'), QLatin1Char('\\'));
#endif
  return w;
}

}  // namespace ferry::ui
