// Linux: Avahi's D-Bus API on the system bus (FERRY_AVAHI_BUS=<address>
// names another bus, which the tests use). The interfaces are Avahi's
// introspection files, avahi/avahi avahi-daemon/org.freedesktop.Avahi.Server.xml
// and org.freedesktop.Avahi.EntryGroup.xml; the states are avahi-common/defs.h's
// AvahiServerState and AvahiEntryGroupState. As avahi-client's documentation
// asks of publishers (client-publish-service.c), the service is announced
// once the server is RUNNING, taken back when it is REGISTERING or in
// COLLISION (its host name is changing), renamed on a service-name
// collision, and announced anew when the daemon restarts (the bus name
// gets a new owner). Calls never start the daemon (no D-Bus activation).

#include <functional>

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusServiceWatcher>
#include <QHostInfo>
#include <QtDebug>

#include "network/mdns_advertiser.h"

namespace ferry::ui {
namespace {

const QString kService = QStringLiteral("org.freedesktop.Avahi");
const QString kServerPath = QStringLiteral("/");
const QString kServer = QStringLiteral("org.freedesktop.Avahi.Server");
const QString kGroup = QStringLiteral("org.freedesktop.Avahi.EntryGroup");
constexpr int kServerRunning = 2;       // AVAHI_SERVER_RUNNING
constexpr int kGroupCollision = 3;      // AVAHI_ENTRY_GROUP_COLLISION
constexpr int kGroupFailure = 4;        // AVAHI_ENTRY_GROUP_FAILURE
constexpr int kUnspecified = -1;        // AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC
constexpr int kCallTimeoutMs = 5000;

QDBusConnection chooseBus() {
  const QByteArray address = qgetenv("FERRY_AVAHI_BUS");
  if (address.isEmpty()) return QDBusConnection::systemBus();
  return QDBusConnection::connectToBus(QString::fromUtf8(address), QStringLiteral("ferry-avahi"));
}

class AvahiAdvertiser final : public MdnsAdvertiser {
  Q_OBJECT

 public:
  explicit AvahiAdvertiser(QObject* parent)
      : MdnsAdvertiser(parent), bus_(chooseBus()), watcher_(kService, bus_, QDBusServiceWatcher::WatchForOwnerChange) {
    qDBusRegisterMetaType<QList<QByteArray>>();
    if (!bus_.isConnected()) {
      sayOnce(QStringLiteral("no D-Bus system bus"));
      return;
    }
    connect(&watcher_, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString&, const QString&, const QString& owner) {
              // Whatever the old daemon held went with it.
              ++generation_;
              groupPath_.clear();
              setHostName(QString());
              if (!owner.isEmpty()) query();
            });
    bus_.connect(kService, kServerPath, kServer, QStringLiteral("StateChanged"), this,
                 SLOT(onServerStateChanged(int, QString)));
    query();
  }

  ~AvahiAdvertiser() override {
    // Blocking, briefly: the process may be about to exit, and an
    // asynchronous Free would not leave. Avahi also frees a client's groups
    // when it leaves the bus.
    if (!groupPath_.isEmpty()) bus_.call(message(groupPath_, kGroup, QStringLiteral("Free")), QDBus::Block, 500);
  }

  void publish(quint16 port) override {
    port_ = port;
    if (!hostName().isEmpty()) announce();
  }

  void withdraw() override {
    port_ = 0;
    freeGroup();
  }

 private slots:
  void onServerStateChanged(int state, const QString&) {
    if (state == kServerRunning) {
      query();
      return;
    }
    // The host name is being (re)claimed: what was announced goes, and is
    // announced again once the server runs.
    freeGroup();
    setHostName(QString());
  }

  void onGroupStateChanged(int state, const QString& error) {
    if (state == kGroupCollision) {
      // Another machine has this service name: take the one Avahi suggests.
      call(message(kServerPath, kServer, QStringLiteral("GetAlternativeServiceName"), {serviceName_}),
           [this](const QDBusMessage& reply) {
             serviceName_ = reply.arguments().value(0).toString();
             announce();
           });
    } else if (state == kGroupFailure) {
      sayOnce(QStringLiteral("Avahi could not announce Ferry: %1").arg(error));
    }
  }

 private:
  QDBusMessage message(const QString& path, const QString& interface, const QString& method,
                       const QVariantList& args = {}) const {
    QDBusMessage m = QDBusMessage::createMethodCall(kService, path, interface, method);
    m.setArguments(args);
    m.setAutoStartService(false);  // never start a daemon the user did not
    return m;
  }

  // Sends `m`; `onReply` runs with its answer unless it failed or the
  // daemon changed meanwhile.
  void call(const QDBusMessage& m, std::function<void(const QDBusMessage&)> onReply = {}) {
    auto* w = new QDBusPendingCallWatcher(bus_.asyncCall(m, kCallTimeoutMs), this);
    connect(w, &QDBusPendingCallWatcher::finished, this, [this, w, gen = generation_, onReply = std::move(onReply)] {
      w->deleteLater();
      const QDBusMessage reply = w->reply();
      if (reply.type() == QDBusMessage::ErrorMessage) {
        sayOnce(reply.errorMessage());
        return;
      }
      if (gen == generation_ && onReply) onReply(reply);
    });
  }

  // Is the server running, and under which name?
  void query() {
    call(message(kServerPath, kServer, QStringLiteral("GetState")), [this](const QDBusMessage& state) {
      if (state.arguments().value(0).toInt() != kServerRunning) return;  // StateChanged will say
      call(message(kServerPath, kServer, QStringLiteral("GetHostNameFqdn")), [this](const QDBusMessage& name) {
        const QString fqdn = name.arguments().value(0).toString();
        if (fqdn.isEmpty()) return;
        setHostName(fqdn);
        if (serviceName_.isEmpty()) serviceName_ = tr("Ferry on %1").arg(fqdn.section(QLatin1Char('.'), 0, 0));
        if (port_) announce();
      });
    });
  }

  // The service on port_, in a group of its own (made on first use).
  void announce() {
    if (!port_) return;
    if (groupPath_.isEmpty()) {
      if (creatingGroup_) return;  // announce() runs again once it exists
      creatingGroup_ = true;
      call(message(kServerPath, kServer, QStringLiteral("EntryGroupNew")), [this](const QDBusMessage& reply) {
        creatingGroup_ = false;
        groupPath_ = reply.arguments().value(0).value<QDBusObjectPath>().path();
        if (groupPath_.isEmpty()) return;
        bus_.connect(kService, groupPath_, kGroup, QStringLiteral("StateChanged"), this,
                     SLOT(onGroupStateChanged(int, QString)));
        announce();
      });
      return;
    }
    // Messages to one destination arrive in order: no need to wait between.
    call(message(groupPath_, kGroup, QStringLiteral("Reset")));
    call(message(groupPath_, kGroup, QStringLiteral("AddService"),
                 {kUnspecified, kUnspecified, 0u, serviceName_, QStringLiteral("_http._tcp"), QString(), QString(),
                  QVariant::fromValue<quint16>(port_), QVariant::fromValue(QList<QByteArray>())}));
    call(message(groupPath_, kGroup, QStringLiteral("Commit")));
  }

  void freeGroup() {
    if (groupPath_.isEmpty()) return;
    bus_.disconnect(kService, groupPath_, kGroup, QStringLiteral("StateChanged"), this,
                    SLOT(onGroupStateChanged(int, QString)));
    call(message(groupPath_, kGroup, QStringLiteral("Free")));
    groupPath_.clear();
  }

  // Where nothing answers, say so once, not at every try.
  void sayOnce(const QString& why) {
    if (said_) return;
    said_ = true;
    qInfo("ferry: links offer no .local name (%s)", qPrintable(why));
  }

  QDBusConnection bus_;
  QDBusServiceWatcher watcher_;
  QString groupPath_;
  QString serviceName_;
  quint16 port_ = 0;
  quint64 generation_ = 0;  // bumped when the daemon goes or comes
  bool creatingGroup_ = false;
  bool said_ = false;
};

}  // namespace

MdnsAdvertiser* MdnsAdvertiser::create(QObject* parent) { return new AvahiAdvertiser(parent); }

}  // namespace ferry::ui

#include "mdns_advertiser_avahi.moc"
