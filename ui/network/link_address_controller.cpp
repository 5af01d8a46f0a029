#include "network/link_address_controller.h"

#include <QComboBox>
#include <QStatusBar>

#include "network/link_hosts.h"
#include "widgets/message_bar.h"
#include "network/network_watcher.h"
#include "settings/run_settings.h"

namespace ferry::ui {
namespace {

const LinkAddress* findIn(const QList<LinkAddress>& list, const QString& host) {
  for (const LinkAddress& l : list)
    if (l.host == host) return &l;
  return nullptr;
}

}  // namespace

LinkAddressController::LinkAddressController(const Parts& parts, QObject* parent) : QObject(parent), p_(parts) {
  before_ = p_.watcher->addresses();
  p_.settings->setMachineAddresses(before_);
  connect(p_.watcher, &NetworkWatcher::changed, this, &LinkAddressController::onNetworkChanged);
  connect(p_.combo, &QComboBox::activated, this, [this](int i) { emit hostChosen(p_.combo->itemData(i).toString()); });
  refill();
}

LinkAddressController::~LinkAddressController() = default;

QString LinkAddressController::describe(const QString& host) const {
  const LinkAddress* l = p_.watcher->find(host);
  return l ? l->label : host;
}

void LinkAddressController::refill() {
  QComboBox* c = p_.combo;
  c->clear();
  const QList<LinkAddress>& ranked = p_.watcher->addresses();
  const QString bind = p_.settings->bind();
  const QString automatic = effectiveLinkHost(QString(), bind, ranked);
  c->addItem(isWildcardBind(bind) ? tr("Automatic: %1").arg(describe(automatic)) : tr("Automatic (%1)").arg(automatic),
             QString());
  c->setItemData(0, tr("The best address of this computer's network adapters, chosen again when networks change"),
                 Qt::ToolTipRole);
  const QString chosen = p_.settings->saved().linkHost;
  if (!chosen.isEmpty() && !p_.watcher->find(chosen)) c->addItem(chosen, chosen);
  for (const LinkAddress& l : ranked) {
    c->addItem(l.label, l.host);
    if (l.unlikely)
      c->setItemData(c->count() - 1, tr("A virtual adapter: devices near you probably cannot reach it"),
                     Qt::ToolTipRole);
    else if (l.kind == AdapterKind::HostName && l.host.endsWith(QLatin1String(".local"), Qt::CaseInsensitive))
      c->setItemData(c->count() - 1,
                     tr("This computer's name on the local network: it stays the same when the address changes, "
                        "but Android before version 12, and some networks, cannot look up .local names"),
                     Qt::ToolTipRole);
  }
  c->setCurrentIndex(std::max(0, c->findData(chosen)));
}

void LinkAddressController::onNetworkChanged() {
  const QList<LinkAddress> before = before_;
  const QList<LinkAddress>& now = p_.watcher->addresses();
  before_ = now;
  const QString oldLinkHost = p_.settings->linkHost();
  p_.settings->setMachineAddresses(now);
  const QString chosen = p_.settings->saved().linkHost;
  // Only an address this machine had: a name, or a proxy's address the
  // user typed, stays whatever the network does.
  if (const LinkAddress* gone = findIn(before, chosen); gone && !findIn(now, chosen)) {
    const QString automatic = effectiveLinkHost(QString(), p_.settings->bind(), now);
    p_.messages->showMessage(
        MessageBar::Level::Warning,
        tr("%1 is no longer an address of this computer (%2 went away), so links now use the automatic choice, %3. "
           "Links handed out with the old address stop working; share them again.")
            .arg(chosen, gone->interfaceName.isEmpty() ? adapterKindName(gone->kind) : gone->interfaceName, describe(automatic)));
    emit hostChosen(QString());
    return;
  }
  refill();
  if (p_.settings->linkHost() != oldLinkHost) {
    p_.statusBar->showMessage(tr("The network changed: links now use %1").arg(describe(p_.settings->linkHost())), 8000);
    emit linksChanged();
  }
}

}  // namespace ferry::ui
