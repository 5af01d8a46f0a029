#include "network/reachability.h"

#include <algorithm>

#include <QCoreApplication>
#include <QHostAddress>

namespace ferry::ui {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("ferry::ui::Reachability", text); }

bool isLoopback(const QString& host) {
  if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) return true;
  QString h = host;
  if (h.startsWith(QLatin1Char('['))) h = h.mid(1, h.size() - 2);
  return QHostAddress(h).isLoopback();
}

const LinkAddress* find(const QList<LinkAddress>& list, const QString& host) {
  for (const LinkAddress& l : list)
    if (l.host == host) return &l;
  return nullptr;
}

const LinkAddress* bestReal(const QList<LinkAddress>& list) {
  for (const LinkAddress& l : list)
    if (!l.unlikely && l.kind != AdapterKind::HostName && l.kind != AdapterKind::Loopback) return &l;
  return nullptr;
}

void bindAndLink(const ReachabilityFacts& f, QList<Finding>& out) {
  using L = Finding::Level;
  if (!f.serving) {
    out.push_back({L::Problem, tr("Ferry is not serving"), tr("Press Start: until then no link opens anywhere."), {}});
  }
  if (isLoopback(f.bind)) {
    out.push_back({L::Problem, tr("Ferry listens on this computer only (%1)").arg(f.bind),
                   tr("Other devices cannot connect at all. In Settings, set \"Listen on\" to All interfaces."), {}});
  } else if (!f.bind.isEmpty()) {
    out.push_back({L::Ok, tr("Ferry listens on %1 only").arg(f.bind),
                   tr("Devices reach it at that address; the others of this computer do not answer."), {}});
  }

  const LinkAddress* link = find(f.addresses, f.linkHost);
  const LinkAddress* better = bestReal(f.addresses);
  const QString suggestion =
      better ? tr(" Under \"Links use\", choose %1, or the adapter of the network the other device is on.").arg(better->label)
             : QString();
  if (isLoopback(f.linkHost)) {
    out.push_back({L::Problem, tr("Links use %1, which only this computer can open").arg(f.linkHost),
                   tr("On another device that address is the device itself.") + suggestion, {}});
  } else if (link && link->unlikely) {
    out.push_back({L::Problem, tr("Links use a virtual adapter: %1").arg(link->label),
                   tr("That address belongs to a VPN, containers or virtual machines; a phone on your Wi-Fi cannot "
                      "reach it.") +
                       suggestion,
                   {}});
  } else if (link && link->kind == AdapterKind::HostName) {
    out.push_back({L::Warning, tr("Links use this computer's name, %1").arg(f.linkHost),
                   tr("Android before version 12, and many networks, cannot look up such names. If the link does not "
                      "open, use an address instead.") +
                       suggestion,
                   {}});
  } else if (link) {
    out.push_back({L::Ok, tr("Links use %1").arg(link->label),
                   tr("The other device must be on that network (the same Wi-Fi, or the same wired network)."), {}});
  } else if (!f.linkHost.isEmpty()) {
    out.push_back({L::Info, tr("Links use %1, which is not an address of this computer").arg(f.linkHost),
                   tr("That is right behind a proxy or a port forward; otherwise choose one of this computer's "
                      "addresses under \"Links use\"."),
                   {}});
  }
}

void vpn(const ReachabilityFacts& f, QList<Finding>& out) {
  QStringList vpns;
  for (const LinkAddress& l : f.addresses)
    if (l.kind == AdapterKind::Vpn && !vpns.contains(l.interfaceName)) vpns << l.interfaceName;
  if (vpns.isEmpty()) return;
  out.push_back({Finding::Level::Warning, tr("A VPN is on (%1)").arg(vpns.join(QStringLiteral(", "))),
                 tr("Many VPNs block connections from the local network while they are on (\"kill switch\", "
                    "\"block connections without VPN\"). If the other device cannot connect, allow local network "
                    "access in the VPN's settings, or turn it off while sharing."),
                 {}});
}

void firewall(const ReachabilityFacts& f, QList<Finding>& out) {
  using L = Finding::Level;
  using K = FirewallState::Kind;
  using P = FirewallState::Port;
  const QString port = QString::number(f.port);
  switch (f.firewall.kind) {
    case K::None:
    case K::Unknown: return;
    case K::Ufw:
      if (f.firewall.port == P::Open) {
        out.push_back({L::Ok, tr("The firewall (ufw) lets port %1 in").arg(port), {}, {}});
      } else {
        out.push_back({f.firewall.port == P::Closed ? L::Problem : L::Warning,
                       f.firewall.port == P::Closed ? tr("The firewall (ufw) blocks port %1").arg(port)
                                                    : tr("The firewall (ufw) is on and may block port %1").arg(port),
                       tr("Let other devices in on Ferry's port with this command (it asks for your password):"),
                       QStringLiteral("sudo ufw allow %1/tcp").arg(port)});
      }
      return;
    case K::Firewalld:
      if (f.firewall.port == P::Open) {
        out.push_back({L::Ok, tr("The firewall (firewalld) lets port %1 in").arg(port), {}, {}});
      } else {
        out.push_back({f.firewall.port == P::Closed ? L::Problem : L::Warning,
                       f.firewall.port == P::Closed ? tr("The firewall (firewalld) blocks port %1").arg(port)
                                                    : tr("The firewall (firewalld) is on and may block port %1").arg(port),
                       tr("Open Ferry's port now and after restarts with this command:"),
                       QStringLiteral("sudo firewall-cmd --add-port=%1/tcp && sudo firewall-cmd --permanent "
                                      "--add-port=%1/tcp")
                           .arg(port)});
      }
      return;
    case K::Windows: break;
  }
  const WindowsNetwork& w = f.windows;
  if (w.publicProfile.value_or(false)) {
    out.push_back({L::Problem, tr("Windows treats this network as Public"),
                   tr("On a Public network Windows blocks incoming connections. If this is your home or office "
                      "network: Settings → Network & Internet → the network → Network profile type → Private."),
                   {}});
  }
  if (w.ruleExists.has_value() && !*w.ruleExists) {
    const QString program = w.program.isEmpty() ? QStringLiteral("C:\\Program Files\\Ferry\\bin\\ferry.exe") : w.program;
    out.push_back({L::Problem, tr("Windows Firewall has no rule for Ferry"),
                   tr("The installer adds one for private networks. To add it by hand, run this in a terminal opened "
                      "as administrator:"),
                   QStringLiteral("netsh advfirewall firewall add rule name=\"Ferry\" dir=in action=allow "
                                  "program=\"%1\" profile=private")
                       .arg(program)});
  } else if (w.ruleExists.value_or(false) && !w.publicProfile.value_or(false)) {
    out.push_back({L::Ok, tr("Windows Firewall lets Ferry in on private networks"), {}, {}});
  }
}

}  // namespace

QList<Finding> diagnose(const ReachabilityFacts& facts) {
  QList<Finding> out;
  bindAndLink(facts, out);
  vpn(facts, out);
  firewall(facts, out);
  out.push_back({Finding::Level::Info, tr("Guest and public Wi-Fi may keep devices apart"),
                 tr("Many guest, hotel and café networks stop devices from reaching each other (client isolation), "
                    "and Ferry cannot tell from here. If all above is fine and the link still does not open, use a "
                    "network you control, or turn on the phone's hotspot and join this computer to it."),
                 {}});
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) { return a.level < b.level; });
  return out;
}

}  // namespace ferry::ui
