#include "nearby/nearby_controller.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QInputDialog>
#include <QMenu>
#include <QMimeData>
#include <QPushButton>

#include "desktop/tray_icon.h"
#include "nearby/device_list_view.h"
#include "nearby/nearby_model.h"
#include "nearby/nearby_panel.h"
#include "nearby/pin_dialog.h"
#include "nearby/pasted_pictures.h"
#include "nearby/received_texts.h"
#include "server_bridge.h"
#include "transfers/delivery_history.h"
#include "transfers/transfers_model.h"
#include "widgets/format.h"
#include "widgets/message_bar.h"
#include "widgets/table_view.h"

namespace ferry::ui {

NearbyController::NearbyController(const Parts& parts, QObject* parent) : QObject(parent), p_(parts) {
  connect(p_.bridge, &ServerBridge::nearbyChanged, this, &NearbyController::onDevice);
  connect(p_.bridge, &ServerBridge::nearbyTextArrived, this, &NearbyController::onText);
  connect(p_.bridge, &ServerBridge::localSendPinAsked, this, &NearbyController::onPinAsked);
  connect(p_.panel->devices(), &DeviceListView::filesDropped, this,
          [this](std::uint64_t device, const QList<QUrl>& urls) {
            QStringList paths;
            for (const QUrl& u : urls) paths << u.toLocalFile();
            sendFiles(device, paths);
          });
  connect(p_.panel->sendFilesButton(), &QPushButton::clicked, this, &NearbyController::askFiles);
  connect(p_.panel->sendTextButton(), &QPushButton::clicked, this, &NearbyController::askText);
  connect(p_.panel->copyButton(), &QPushButton::clicked, this, &NearbyController::copyText);
  connect(p_.panel->openLinkButton(), &QPushButton::clicked, this, &NearbyController::openLink);

  // Ctrl+V anywhere in the window; a text field with focus keeps its own.
  paste_ = new QAction(tr("Paste to Device"), this);
  paste_->setShortcut(QKeySequence::Paste);
  paste_->setShortcutContext(Qt::WindowShortcut);
  paste_->setToolTip(tr("Send what you copied to the chosen nearby device (files without one are shared)"));
  connect(paste_, &QAction::triggered, this, &NearbyController::paste);
  p_.window->addAction(paste_);

  takeBack_ = new QAction(tr("Take Back"), this);
  takeBack_->setToolTip(tr("End the link: the page shows the file as taken back"));
  connect(takeBack_, &QAction::triggered, this, [this] { takeBack(std::exchange(lastSent_, {})); });

  sendTo_ = new QMenu(tr("Send To"), p_.window);
  sendTo_->setToolTipsVisible(true);
  connect(sendTo_, &QMenu::aboutToShow, this, &NearbyController::fillSendTo);
  fillSendTo();
}

NearbyController::~NearbyController() = default;

QAction* NearbyController::sendToAction() const { return sendTo_->menuAction(); }

std::uint64_t NearbyController::chosenDevice() const {
  if (std::uint64_t id = p_.panel->selectedDevice()) return id;
  const std::vector<NearbyDevice> here = p_.devices->here();
  return here.size() == 1 ? here.front().id : 0;
}

QString NearbyController::nameOf(std::uint64_t device) const {
  const int row = p_.devices->rowOf(device);
  return row < 0 ? tr("the device") : p_.devices->index(row).data(NearbyModel::NameRole).toString();
}

QString NearbyController::labelOf(std::uint64_t device) const {
  const int row = p_.devices->rowOf(device);
  if (row < 0) return tr("the device");
  const QModelIndex i = p_.devices->index(row);
  return TransfersModel::clientText(i.data(NearbyModel::NameRole).toString(), i.data(NearbyModel::AddressRole).toString());
}

QString NearbyController::startOf(const QString& text) {
  QString start = text.simplified();
  if (start.size() > 80) start = start.left(80) + QStringLiteral("…");
  return start;
}

void NearbyController::onDevice(const NearbyDevice& device, bool here) {
  p_.devices->apply(device, here);
  fillSendTo();
}

void NearbyController::onText(const NearbyDevice& from, const QString& text) {
  const QString name = QString::fromStdString(from.name);
  p_.texts->add(name, text);
  // The history keeps who and the start of it, as it keeps a file's name.
  const QString start = startOf(text);
  p_.history->add({QDateTime::currentDateTimeUtc(), TransfersModel::clientText(name, QString::fromStdString(from.address)),
                   tr("Text: %1").arg(start), DeliveryHistory::kReceived, tr("Text received")});
  if (p_.tray && !p_.window->isActiveWindow()) p_.tray->notify(tr("Text from %1").arg(name), start);
  else p_.messages->showMessage(MessageBar::Level::Info, tr("%1 sent a text: it is under Nearby, with Copy.").arg(name));
  QApplication::alert(p_.window);
}

void NearbyController::onPinAsked(std::uint64_t session, std::uint64_t, const QString& name, bool wrong) {
  auto* dialog = new PinDialog(session, name, wrong, p_.window);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  // Cancel (or closing it) gives the send up: the device is told nothing
  // more, and the transfer ends saying no PIN was given.
  connect(dialog, &QDialog::finished, this, [this, dialog, session](int result) {
    p_.bridge->answerLocalSendPin(session, result == QDialog::Accepted ? dialog->pin() : QString());
  });
  dialog->open();
  QApplication::alert(p_.window);
}

bool NearbyController::sendFiles(std::uint64_t device, const QStringList& paths) {
  if (paths.isEmpty()) return false;
  QString error;
  QStringList links;
  if (!p_.bridge->sendToDevice(device, paths, &error, &links)) {
    p_.messages->showMessage(MessageBar::Level::Error, error);
    return false;
  }
  // A page's card is the send: it goes in the history now (its download is
  // a delivery of its own). A LocalSend device's goes there once its
  // transfer ends, accepted or not.
  const std::vector<NearbyDevice> here = p_.devices->here();
  const bool localsend = std::any_of(here.begin(), here.end(),
                                     [device](const NearbyDevice& d) { return d.id == device && d.kind == "localsend"; });
  if (!localsend)
    for (qsizetype i = 0; i < paths.size(); ++i)
      p_.history->add({QDateTime::currentDateTimeUtc(), labelOf(device), QFileInfo(paths[i]).fileName(),
                       DeliveryHistory::kSent, tr("Sent to its page"), links.value(i)});
  const QString what = paths.size() == 1 ? QFileInfo(paths.front()).fileName() : formatCount(paths.size(), tr("1 file"), tr("%1 files"));
  if (localsend) {
    p_.messages->showMessage(MessageBar::Level::Info, tr("Offered %1 to %2: it goes once %2 accepts, and shows in Transfers.")
                                                          .arg(what, nameOf(device)));
    return true;
  }
  // Taking back stays possible from the history after this message goes.
  lastSent_ = links;
  p_.messages->showMessage(MessageBar::Level::Info,
                           (paths.size() == 1 ? tr("Sent %1 to %2: it shows on its page with a Download button.")
                                              : tr("Sent %1 to %2: they show on its page with a Download button."))
                               .arg(what, nameOf(device)),
                           {takeBack_});
  return true;
}

void NearbyController::takeBack(const QStringList& links) {
  QStringList taken, ended;
  for (const QString& link : links) {
    if (link.isEmpty()) continue;
    const std::optional<Share> share = p_.bridge->share(link);
    const QString name = share ? QString::fromStdString(share->name) : QString();
    if (share && p_.bridge->removeShare(link)) {
      taken << name;
      p_.history->takenBack(link, tr("Taken back"));
    } else {
      // It went with its device, which left before the send reached it.
      p_.history->takenBack(link, tr("Link ended"));
      ended << link;
    }
  }
  if (taken.isEmpty()) {
    if (!ended.isEmpty())
      p_.messages->showMessage(MessageBar::Level::Warning, tr("That link had ended already: there is nothing to take back."));
    return;
  }
  p_.messages->showMessage(
      MessageBar::Level::Info,
      taken.size() == 1 ? tr("Took back %1: its link no longer works, and the page shows it as taken back.").arg(taken.front())
                        : tr("Took back %1 files: their links no longer work, and the page shows them as taken back.")
                              .arg(taken.size()));
}

bool NearbyController::sendText(std::uint64_t device, const QString& text) {
  QString error;
  if (!p_.bridge->sendText(device, text, &error)) {
    p_.messages->showMessage(MessageBar::Level::Error, error);
    return false;
  }
  p_.history->add({QDateTime::currentDateTimeUtc(), labelOf(device), tr("Text: %1").arg(startOf(text)),
                   DeliveryHistory::kSent, tr("Text sent")});
  p_.messages->showMessage(MessageBar::Level::Info, tr("Text sent to %1.").arg(nameOf(device)));
  return true;
}

void NearbyController::paste() {
  const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
  if (!mime) return;
  QList<QUrl> files = TableView::localFileUrls(mime);
  if (files.isEmpty() && mime->hasImage()) {
    const QString saved = savePastedImage(qvariant_cast<QImage>(mime->imageData()));
    if (saved.isEmpty()) return;
    files << QUrl::fromLocalFile(saved);
  }
  if (!files.isEmpty()) {
    // Files go to the device the user selected; without one, pasting is a drop.
    if (std::uint64_t device = p_.panel->selectedDevice()) {
      QStringList paths;
      for (const QUrl& u : files) paths << u.toLocalFile();
      sendFiles(device, paths);
    } else if (p_.share) {
      p_.share(files);
    }
    return;
  }
  const QString text = mime->text();
  if (text.trimmed().isEmpty()) return;
  const std::uint64_t device = chosenDevice();
  if (!device) {
    p_.messages->showMessage(MessageBar::Level::Warning,
                             p_.devices->hereCount() == 0
                                 ? tr("No device is nearby to paste the text to: open Receive's link on the phone first.")
                                 : tr("Choose a device under Nearby, then paste again to send it the text."));
    return;
  }
  sendText(device, text);
}

QString NearbyController::savePastedImage(const QImage& image) {
  if (image.isNull()) return {};
  // Kept where files of Ferry's own live, for as long as a share uses it
  // (PastedPictures::sweep() at start and quit removes it after).
  QString error;
  const QString path = PastedPictures::save(image, &error);
  if (path.isEmpty()) p_.messages->showMessage(MessageBar::Level::Error, error);
  return path;
}

void NearbyController::askFiles() {
  const std::uint64_t device = chosenDevice();
  if (!device) return;
  const QStringList paths = QFileDialog::getOpenFileNames(p_.window, tr("Send Files to %1").arg(nameOf(device)));
  if (!paths.isEmpty()) sendFiles(device, paths);
}

void NearbyController::askText() {
  const std::uint64_t device = chosenDevice();
  if (!device) return;
  bool ok = false;
  const QString text = QInputDialog::getMultiLineText(p_.window, tr("Send Text to %1").arg(nameOf(device)),
                                                      tr("A note or a link; it shows on the page with Copy:"),
                                                      QString(), &ok);
  if (ok && !text.trimmed().isEmpty()) sendText(device, text);
}

void NearbyController::copyText() {
  const QModelIndex i = p_.panel->currentText();
  if (!i.isValid()) return;
  QGuiApplication::clipboard()->setText(i.data(ReceivedTexts::TextRole).toString());
  p_.messages->showMessage(MessageBar::Level::Info, tr("Text copied"));
}

void NearbyController::openLink() {
  const QUrl link = p_.panel->currentText().data(ReceivedTexts::LinkRole).toUrl();
  if (!link.isEmpty()) QDesktopServices::openUrl(link);
}

void NearbyController::fillSendTo() {
  sendTo_->clear();
  const std::vector<NearbyDevice> here = p_.devices->here();
  for (const NearbyDevice& d : here) {
    const QString kind = NearbyModel::kindText(QString::fromStdString(d.kind));
    QAction* a = sendTo_->addAction(NearbyModel::kindIcon(QString::fromStdString(d.kind)),
                                    QString::fromStdString(d.name));
    a->setToolTip(kind + QStringLiteral(" · ") + QString::fromStdString(d.address));
    connect(a, &QAction::triggered, this, [this, id = d.id] {
      if (p_.selectedSharePaths) sendFiles(id, p_.selectedSharePaths());
    });
  }
  if (here.empty()) sendTo_->addAction(tr("No device nearby"))->setEnabled(false);
  sendTo_->menuAction()->setEnabled(!here.empty());
}

}  // namespace ferry::ui
