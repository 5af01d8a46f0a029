#include "settings/settings_dialog.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QGroupBox>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QVBoxLayout>

#include "net_address.h"
#include "network/link_hosts.h"
#include "tls_context.h"
#include "widgets/format.h"

namespace ferry::ui {
namespace {

constexpr std::uint64_t kMegabyte = 1'000'000;  // as sizes are shown (format.h)

}  // namespace

SettingsDialog::SettingsDialog(const AppSettings& s, bool trayAvailable, QWidget* parent)
    : QDialog(parent), base_(s) {
  setWindowTitle(tr("Ferry Settings"));

  port_ = new QSpinBox(this);
  port_->setRange(0, 65535);
  port_->setSpecialValueText(tr("Any free port"));
  port_->setValue(s.port);
  port_->setToolTip(tr("The TCP port Ferry listens on. With \"any free port\", links change each time Ferry starts."));

  const QList<LinkAddress> addresses = rankedMachineAddresses();
  bind_ = new QComboBox(this);
  bind_->setEditable(true);
  bind_->addItem(tr("All interfaces"), QString());
  for (const LinkAddress& a : addresses)
    if (!QHostAddress(a.host).isNull()) bind_->addItem(a.label, a.host);
  if (int i = bind_->findData(s.bind); i >= 0) bind_->setCurrentIndex(i);
  else bind_->setEditText(s.bind);
  bind_->setToolTip(tr("Listen on one address only, or on all of them"));

  linkHost_ = new QComboBox(this);
  linkHost_->setEditable(true);
  linkHost_->addItem(tr("Automatic (%1)").arg(effectiveLinkHost(QString(), s.bind, addresses)), QString());
  for (const LinkAddress& a : addresses) linkHost_->addItem(a.label, a.host);
  if (int i = linkHost_->findData(s.linkHost); i >= 0) linkHost_->setCurrentIndex(i);
  else linkHost_->setEditText(s.linkHost);
  linkHost_->setToolTip(tr("The address put in links: one the other person's device can reach.\n"
                           "Type a name if Ferry sits behind a proxy."));

  rate_ = new QSpinBox(this);
  rate_->setRange(0, 10'000'000);
  rate_->setSingleStep(100);
  rate_->setSuffix(tr(" kB/s"));
  rate_->setSpecialValueText(tr("Unlimited"));
  rate_->setValue(static_cast<int>(std::min<std::uint64_t>(s.rateLimit / 1000, 10'000'000)));
  rate_->setToolTip(tr("Total upload speed for all downloads together"));

  maxConnections_ = new QSpinBox(this);
  maxConnections_->setRange(1, 100000);
  maxConnections_->setValue(s.maxConnections);
  maxConnections_->setToolTip(tr("Clients beyond this many are asked to come back later"));

  publicCache_ = new QSpinBox(this);
  publicCache_->setObjectName(QStringLiteral("publicCache"));
  publicCache_->setRange(0, static_cast<int>(SettingsStore::kMaxPublicCacheSeconds));
  publicCache_->setSingleStep(60);
  publicCache_->setSuffix(tr(" seconds"));
  publicCache_->setSpecialValueText(tr("Off"));
  publicCache_->setValue(static_cast<int>(s.publicCacheSeconds));
  publicCache_->setToolTip(tr("Behind nginx or a CDN: how long a shared cache may keep a plain link's file.\n"
                              "Off: every download asks Ferry, so removing a share ends its link everywhere at once.\n"
                              "Links with an expiry, a download limit or a password are never cached."));

  newLinkExpiry_ = new QComboBox(this);
  newLinkExpiry_->setObjectName(QStringLiteral("newLinkExpiry"));
  newLinkExpiry_->addItem(tr("Never (until removed)"), 0u);
  newLinkExpiry_->addItem(tr("After 1 hour"), 3600u);
  newLinkExpiry_->addItem(tr("After 1 day"), AppSettings::kOneDay);
  newLinkExpiry_->addItem(tr("After 1 week"), 7u * AppSettings::kOneDay);
  if (newLinkExpiry_->findData(s.newLinkExpirySeconds) < 0)  // set in the file by hand
    newLinkExpiry_->addItem(tr("After %1").arg(formatDuration(s.newLinkExpirySeconds)), s.newLinkExpirySeconds);
  newLinkExpiry_->setCurrentIndex(newLinkExpiry_->findData(s.newLinkExpirySeconds));
  newLinkExpiry_->setToolTip(tr("How long a file's link works once you share it. A link forgotten in a chat then "
                                "ends by itself; a share's Properties change its own."));

  deviceName_ = new QLineEdit(s.deviceName, this);
  deviceName_->setObjectName(QStringLiteral("deviceName"));
  deviceName_->setMaxLength(SettingsStore::kMaxDeviceName);
  deviceName_->setPlaceholderText(QString::fromStdString(localHostName()));
  deviceName_->setToolTip(tr("How this computer is named on the pages people open (\"Shared by …\")\n"
                             "and in the LocalSend apps nearby. Empty: this computer's name."));

  localsend_ = new QCheckBox(tr("Be a LocalSend &device"), this);
  localsend_->setObjectName(QStringLiteral("localsend"));
  localsend_->setChecked(s.localsend);

  startOnLaunch_ = new QCheckBox(tr("Start serving when Ferry opens"), this);
  startOnLaunch_->setChecked(s.startOnLaunch);
  keepInTray_ = new QCheckBox(tr("Keep serving in the system tray when the window is closed"), this);
  keepInTray_->setChecked(s.keepInTray && trayAvailable);
  keepInTray_->setEnabled(trayAvailable);
  if (!trayAvailable) keepInTray_->setToolTip(tr("This desktop has no system tray"));
  notify_ = new QCheckBox(tr("Notify me when a download completes"), this);
  notify_->setChecked(s.notifyOnComplete);
  notify_->setEnabled(trayAvailable);

  askNewDevices_ = new QCheckBox(tr("Ask before accepting files from a new device"), this);
  askNewDevices_->setChecked(s.askNewDevices);
  askNewDevices_->setToolTip(tr("The first time a phone or computer sends files, Ferry asks you first.\n"
                                "Without this, anyone with the receive link can send files."));
  maxReceive_ = new QSpinBox(this);
  maxReceive_->setRange(0, 10'000'000);
  maxReceive_->setSingleStep(100);
  maxReceive_->setSuffix(tr(" MB"));
  maxReceive_->setSpecialValueText(tr("No limit"));
  maxReceive_->setValue(static_cast<int>(std::min<std::uint64_t>(s.maxReceiveSize / kMegabyte, 10'000'000)));
  maxReceive_->setToolTip(tr("Files larger than this are refused before any of it is sent"));

  auto* server = new QGroupBox(tr("Sharing"), this);
  auto* form = serverForm_ = new QFormLayout(server);
  form->addRow(tr("New links &end:"), newLinkExpiry_);
  form->addRow(tr("&Port:"), port_);
  form->addRow(tr("Lin&k address:"), linkHost_);
  form->addRow(tr("&Bandwidth limit:"), rate_);
  form->addRow(tr("&Name shown to others:"), deviceName_);

  // LocalSend: off until asked for, since it announces this computer to
  // the whole local network.
  auto* localsend = new QGroupBox(tr("LocalSend"), this);
  localsendForm_ = new QFormLayout(localsend);
  localsendForm_->addRow(localsend_);
  auto* localsendNote = new QLabel(
      tr("Makes this computer visible to the LocalSend apps on the local network (phones, tablets, computers): "
         "it announces itself to them by multicast. They can then send files into Receive's folder (while "
         "Receive is on), and you can send to them from Nearby."),
      this);
  localsendNote->setWordWrap(true);
  localsendForm_->addRow(localsendNote);

  // What only a server behind a proxy, or a busy one, needs.
  auto* advanced = new QGroupBox(tr("Advanced"), this);
  advancedForm_ = new QFormLayout(advanced);
  advancedForm_->addRow(tr("&Listen on:"), bind_);
  advancedForm_->addRow(tr("&Max connections:"), maxConnections_);
  advancedForm_->addRow(tr("Let &caches keep plain links for:"), publicCache_);

  auto* behaviour = new QGroupBox(tr("Behaviour"), this);
  auto* col = new QVBoxLayout(behaviour);
  col->addWidget(startOnLaunch_);
  col->addWidget(keepInTray_);
  col->addWidget(notify_);

  auto* receive = new QGroupBox(tr("Receiving files"), this);
  auto* receiveForm = new QFormLayout(receive);
  receiveForm->addRow(askNewDevices_);
  receiveForm->addRow(tr("Largest &file accepted:"), maxReceive_);

  // HTTPS: two files, each typed or picked. Checked when serving starts;
  // a file that cannot serve is a message in the window.
  auto* https = new QGroupBox(tr("HTTPS"), this);
  auto* httpsForm = httpsForm_ = new QFormLayout(https);
  auto fileRow = [this, httpsForm](const QString& label, const QString& name, const QString& value,
                                   const QString& pickTitle) {
    auto* edit = new QLineEdit(value, this);
    edit->setObjectName(name);
    edit->setPlaceholderText(tr("None: plain HTTP"));
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this, edit, pickTitle] {
      const QString file = QFileDialog::getOpenFileName(this, pickTitle, edit->text(), tr("PEM files (*.pem *.crt *.key);;All files (*)"));
      if (!file.isEmpty()) edit->setText(file);
    });
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    httpsForm->addRow(label, row);
    return edit;
  };
  // Ferry's own CA needs no files: each device installs it once.
  ownCa_ = new QCheckBox(tr("Use Ferry's &own certificate (each device trusts it once)"), this);
  ownCa_->setObjectName(QStringLiteral("httpsOwnCa"));
  ownCa_->setChecked(s.httpsOwnCa);
  httpsForm->addRow(ownCa_);
  caInfo_ = new QLabel(this);
  caInfo_->setObjectName(QStringLiteral("caFingerprint"));
  caInfo_->setWordWrap(true);
  caInfo_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  caInfo_->hide();
  httpsForm->addRow(caInfo_);
  tlsCert_ = fileRow(tr("Cer&tificate:"), QStringLiteral("tlsCert"), s.tlsCert, tr("Certificate (PEM, chain included)"));
  tlsKey_ = fileRow(tr("Private &key:"), QStringLiteral("tlsKey"), s.tlsKey, tr("Private key (PEM)"));
  auto* httpsNote = new QLabel(TlsContext::kAvailable
                                   ? tr("With Ferry's own certificate, or both files of yours set, links start with "
                                        "https:// and passwords travel encrypted.")
                                   : QString::fromUtf8(TlsContext::kUnavailable) + QLatin1Char('.'),
                               this);
  httpsNote->setWordWrap(true);
  httpsForm->addRow(httpsNote);
  auto ownCaChosen = [this](bool own) {
    tlsCert_->setEnabled(!own && TlsContext::kAvailable);
    tlsKey_->setEnabled(!own && TlsContext::kAvailable);
  };
  connect(ownCa_, &QCheckBox::toggled, this, ownCaChosen);
  ownCaChosen(ownCa_->isChecked());
  if (!TlsContext::kAvailable) ownCa_->setEnabled(false);
  // Both on one port: a phone that has not trusted the certificate opens
  // the http:// link, one that has the https:// one.
  httpToo_ = new QCheckBox(tr("Answer plain &HTTP on the same port too (for devices that do not trust the "
                              "certificate)"),
                           this);
  httpToo_->setObjectName(QStringLiteral("httpToo"));
  httpToo_->setChecked(s.httpToo);
  httpToo_->setEnabled(TlsContext::kAvailable);
  httpsForm->addRow(httpToo_);
  linkScheme_ = new QComboBox(this);
  linkScheme_->setObjectName(QStringLiteral("linkScheme"));
  linkScheme_->addItem(tr("https:// (devices that trust it)"), false);
  linkScheme_->addItem(tr("http:// (any device, not encrypted)"), true);
  linkScheme_->setCurrentIndex(s.plainLinks ? 1 : 0);
  httpsForm->addRow(tr("&Links and QR codes use:"), linkScheme_);
  auto httpTooChosen = [this](bool on) { linkScheme_->setEnabled(on && TlsContext::kAvailable); };
  connect(httpToo_, &QCheckBox::toggled, this, httpTooChosen);
  httpTooChosen(httpToo_->isChecked());

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  // Six groups are taller than many a laptop's screen: squeezed into it,
  // their fields would be cut in half. They scroll instead, and OK and
  // Cancel stay in view.
  page_ = new QWidget;
  auto* groups = new QVBoxLayout(page_);
  groups->setContentsMargins(0, 0, 0, 0);
  groups->addWidget(server);
  groups->addWidget(behaviour);
  groups->addWidget(receive);
  groups->addWidget(localsend);
  groups->addWidget(https);
  groups->addWidget(advanced);
  groups->addStretch();
  scroll_ = new QScrollArea(this);
  scroll_->setWidgetResizable(true);
  scroll_->setFrameShape(QFrame::NoFrame);
  scroll_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  scroll_->setWidget(page_);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(scroll_);
  layout->addWidget(buttons);
}

void SettingsDialog::showEvent(QShowEvent* event) {
  // Sized once, when the command line's notes are in: the whole form where
  // the screen has room, as much of it as fits where it has not.
  if (!sized_) {
    sized_ = true;
    const int bar = scroll_->verticalScrollBar()->sizeHint().width();
    scroll_->setMinimumWidth(page_->minimumSizeHint().width() + bar);
    const QSize form = page_->sizeHint();
    const QMargins m = layout()->contentsMargins();
    int height = form.height() + layout()->spacing() + m.top() + m.bottom() +
                 layout()->itemAt(1)->sizeHint().height();
    if (const QScreen* s = screen()) height = std::min(height, s->availableGeometry().height() * 9 / 10);
    resize(std::max(width(), form.width() + bar + m.left() + m.right()), height);
  }
  QDialog::showEvent(event);
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::showCommandLine(const RunSettings& run) {
  const LaunchOptions& l = run.launch();
  const ServerOptions& o = l.server;
  auto note = [this](QFormLayout* form, QWidget* field, const QString& text) {
    int row = -1;
    QFormLayout::ItemRole role;
    form->getWidgetPosition(field, &row, &role);
    // A field with a button beside it sits in a row's layout.
    for (int r = 0; row < 0 && r < form->rowCount(); ++r)
      if (QLayoutItem* item = form->itemAt(r, QFormLayout::FieldRole); item && item->layout() &&
                                                                          item->layout()->indexOf(field) >= 0)
        row = r;
    if (row < 0) return;
    auto* label = new QLabel(text, this);
    label->setWordWrap(true);
    QFont f = label->font();
    f.setItalic(true);
    label->setFont(f);
    form->insertRow(row + 1, QString(), label);
    notes_ << text;
  };
  auto saying = [](const QString& value, const char* option) {
    return tr("This run uses %1, from %2 on the command line.").arg(value, QLatin1String(option));
  };
  if (l.portGiven)
    note(serverForm_, port_, saying(o.port ? QString::number(o.port) : tr("any free port"), "--port"));
  if (l.rateGiven)
    note(serverForm_, rate_, saying(o.rateLimit ? formatRate(double(o.rateLimit)) : tr("no limit"), "--rate-limit"));
  if (!o.sharerName.empty())
    note(serverForm_, deviceName_, saying(QString::fromStdString(o.sharerName), "--name"));
  if (o.localsend) note(localsendForm_, localsend_, tr("This run is a LocalSend device, from --localsend on the command line."));
  // HTTPS from the command line wins over what is set here for this run.
  if (o.localCa)
    note(httpsForm_, ownCa_, tr("This run serves HTTPS with Ferry's own certificate, from --https on the command line."));
  else if (!o.tlsCert.empty())
    note(httpsForm_, tlsKey_,
         tr("This run serves HTTPS with %1, from --tls-cert and --tls-key on the command line.")
             .arg(QString::fromStdString(o.tlsCert)));
  if (o.plainHttpToo) {
    note(httpsForm_, httpToo_, tr("This run answers plain HTTP on its port too, from --http-too on the command line."));
    linkScheme_->setEnabled(TlsContext::kAvailable);  // links may now be either scheme
  }
  if (o.hsts)
    note(httpsForm_, httpToo_,
         tr("This run tells browsers to use https only (HSTS), from --hsts on the command line: plain HTTP is not "
            "answered."));
  if (l.bindGiven)
    note(advancedForm_, bind_,
         saying(o.bind.empty() ? tr("all interfaces") : QString::fromStdString(o.bind), "--bind"));
  if (l.maxConnectionsGiven)
    note(advancedForm_, maxConnections_, saying(QString::number(o.limits.maxConnections), "--max-connections"));
  if (l.publicCacheGiven)
    note(advancedForm_, publicCache_,
         saying(o.publicCacheSeconds ? formatCount(qint64(o.publicCacheSeconds), tr("1 second"), tr("%1 seconds")) : tr("off"),
                "--public-cache"));
}

QStringList SettingsDialog::commandLineNotes() const { return notes_; }

void SettingsDialog::showLocalCa(const QString& pageUrl, const QString& fingerprint) {
  caInfo_->setText(tr("A phone or computer trusts it once from %1 (open it there). Its fingerprint, to compare with "
                      "the one that page shows: SHA-256 %2")
                       .arg(pageUrl, fingerprint));
  caInfo_->show();
}

AppSettings SettingsDialog::settings() const {
  AppSettings s = base_;
  s.port = static_cast<std::uint16_t>(port_->value());
  auto comboValue = [](QComboBox* c) {
    // A listed entry carries its value; typed text stands for itself.
    if (c->currentIndex() >= 0 && c->itemText(c->currentIndex()) == c->currentText())
      return c->currentData().toString();
    return c->currentText().trimmed();
  };
  s.bind = comboValue(bind_);
  s.linkHost = comboValue(linkHost_);
  s.rateLimit = static_cast<std::uint64_t>(rate_->value()) * 1000;
  s.maxConnections = maxConnections_->value();
  s.publicCacheSeconds = static_cast<std::uint32_t>(publicCache_->value());
  s.newLinkExpirySeconds = newLinkExpiry_->currentData().toUInt();
  s.startOnLaunch = startOnLaunch_->isChecked();
  if (keepInTray_->isEnabled()) s.keepInTray = keepInTray_->isChecked();
  if (notify_->isEnabled()) s.notifyOnComplete = notify_->isChecked();
  s.askNewDevices = askNewDevices_->isChecked();
  s.deviceName = deviceName_->text().trimmed();
  s.localsend = localsend_->isChecked();
  s.tlsCert = tlsCert_->text().trimmed();
  s.tlsKey = tlsKey_->text().trimmed();
  s.httpsOwnCa = ownCa_->isChecked();
  s.httpToo = httpToo_->isChecked();
  s.plainLinks = linkScheme_->currentData().toBool();
  // A cap typed in whole MB; one saved that is not (from the file) stays as it was.
  if (static_cast<std::uint64_t>(maxReceive_->value()) != base_.maxReceiveSize / kMegabyte)
    s.maxReceiveSize = static_cast<std::uint64_t>(maxReceive_->value()) * kMegabyte;
  return s;
}

}  // namespace ferry::ui
