#include "receive/receive_controller.h"

#include <QAction>
#include <QApplication>
#include <QDesktopServices>
#include <QUrl>
#include <QWidget>

#include "widgets/message_bar.h"
#include "receive/receive_ask_bar.h"
#include "receive/receive_panel.h"
#include "server_bridge.h"
#include "settings/settings_store.h"
#include "transfers/transfers_model.h"
#include "desktop/tray_icon.h"

namespace ferry::ui {

ReceiveController::ReceiveController(const Parts& parts, const AppSettings& settings, QObject* parent)
    : QObject(parent), p_(parts) {
  openFolder_ = new QAction(tr("Open Folder"), this);
  connect(openFolder_, &QAction::triggered, this,
          [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(p_.panel->folder())); });

  applySettings(settings);
  const SavedReceive saved = p_.store->loadReceive();
  for (const QString& key : saved.devices) p_.bridge->acceptReceiveDevice(key);
  p_.panel->restore(saved.folder, saved.token, saved.on);
  // Connected after the restore: what was just read need not be written.
  connect(p_.panel, &ReceivePanel::changed, this, &ReceiveController::save);
  if (saved.token.isEmpty() && !p_.panel->token().isEmpty()) save();  // a new link: keep it

  connect(p_.bridge, &ServerBridge::receiveAskChanged, this, &ReceiveController::onAsk);
  connect(p_.asks, &ReceiveAskBar::answered, p_.bridge,
          [this](quint64 id, ReceiveAnswer answer) { p_.bridge->answerReceiveAsk(id, answer); });
  connect(p_.transfers, &TransfersModel::fileReceived, this, &ReceiveController::onReceived);
}

ReceiveController::~ReceiveController() = default;

void ReceiveController::applySettings(const AppSettings& s) {
  ReceivePolicy policy = p_.bridge->receivePolicy();
  policy.askNewDevices = s.askNewDevices;
  policy.maxFileSize = s.maxReceiveSize;
  p_.bridge->setReceivePolicy(policy);
}

void ReceiveController::save() {
  SavedReceive r = p_.store->loadReceive();
  const QString folder = p_.panel->folder();
  r.on = p_.panel->receiving();
  r.folder = folder == ReceivePanel::defaultFolder() ? QString() : folder;
  r.token = p_.panel->token();
  emit saved(p_.store->saveReceive(r));
}

bool ReceiveController::inFront() const { return p_.window->isVisible() && p_.window->isActiveWindow(); }

void ReceiveController::onAsk(const ReceiveAsk& ask, ReceiveAskState state) {
  if (state != ReceiveAskState::kOpen) {
    p_.asks->close(ask.id);  // answered here, or ended by the core (no answer in time, Receive off)
    if (state == ReceiveAskState::kAcceptedAlways) {
      SavedReceive r = p_.store->loadReceive();
      const QString key = QString::fromStdString(ask.device);
      if (!r.devices.contains(key)) {
        r.devices << key;
        emit saved(p_.store->saveReceive(r));
      }
    }
    return;
  }
  p_.asks->open(ask);
  if (inFront()) return;
  // Someone stands there with a phone: bring the question to them.
  if (p_.tray) p_.tray->notify(tr("Files waiting"), ReceiveAskBar::sentence(ask));
  QApplication::alert(p_.window);
}

void ReceiveController::onReceived(const QString& name, const QString& client) {
  if (p_.tray && !inFront()) {
    p_.tray->notify(tr("File received"), tr("%1 arrived from %2.").arg(name, client));
    return;
  }
  p_.messages->showMessage(MessageBar::Level::Info, tr("%1 arrived from %2.").arg(name, client), {openFolder_});
}

}  // namespace ferry::ui
