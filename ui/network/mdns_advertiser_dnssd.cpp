// macOS: Bonjour's DNS-SD API (dns_sd.h), answered by mDNSResponder, which
// always runs there. Built and run only on macOS; reviewed against Apple's
// documentation, not run by this project's test suite.
//
// - DNSServiceRegister: name NULL takes the computer's name, host NULL its
//   own host, the port in network byte order; the registration lives as
//   long as its DNSServiceRef, and DNSServiceRefDeallocate withdraws it.
//   https://developer.apple.com/documentation/dnssd/1804733-dnsserviceregister
// - Replies arrive on DNSServiceRefSockFD(); DNSServiceProcessResult reads
//   them and calls the callback on this thread.
//   https://developer.apple.com/documentation/dnssd/1804698-dnsservicerefsockfd
// - The name the machine answers to on the network is the "Local Hostname"
//   of Sharing settings: SCDynamicStoreCopyLocalHostName, plus ".local".
//   https://developer.apple.com/documentation/systemconfiguration/1517501-scdynamicstorecopylocalhostname

#include <dns_sd.h>

#include <CoreFoundation/CoreFoundation.h>
#include <SystemConfiguration/SystemConfiguration.h>

#include <QSocketNotifier>
#include <QtDebug>
#include <QtEndian>

#include "network/mdns_advertiser.h"

namespace ferry::ui {
namespace {

QString localHostName() {
  CFStringRef name = SCDynamicStoreCopyLocalHostName(nullptr);
  if (!name) return {};
  const QString out = QString::fromCFString(name);
  CFRelease(name);
  return out.isEmpty() ? QString() : out + QStringLiteral(".local");
}

class DnsSdAdvertiser final : public MdnsAdvertiser {
  Q_OBJECT

 public:
  explicit DnsSdAdvertiser(QObject* parent) : MdnsAdvertiser(parent) { setHostName(localHostName()); }
  ~DnsSdAdvertiser() override { withdraw(); }

  void publish(quint16 port) override {
    withdraw();
    const DNSServiceErrorType err =
        DNSServiceRegister(&ref_, 0, kDNSServiceInterfaceIndexAny, nullptr, "_http._tcp", nullptr, nullptr,
                           qToBigEndian(port), 0, nullptr, &DnsSdAdvertiser::registered, this);
    if (err != kDNSServiceErr_NoError) {
      ref_ = nullptr;
      // mDNSResponder is not answering: no .local name to offer.
      if (err == kDNSServiceErr_ServiceNotRunning) setHostName(QString());
      sayOnce(err);
      return;
    }
    setHostName(localHostName());
    notifier_ = new QSocketNotifier(DNSServiceRefSockFD(ref_), QSocketNotifier::Read, this);
    connect(notifier_, &QSocketNotifier::activated, this, [this] {
      if (DNSServiceProcessResult(ref_) != kDNSServiceErr_NoError) withdraw();
    });
  }

  void withdraw() override {
    delete notifier_;
    notifier_ = nullptr;
    if (ref_) DNSServiceRefDeallocate(ref_);
    ref_ = nullptr;
  }

 private:
  static void DNSSD_API registered(DNSServiceRef, DNSServiceFlags, DNSServiceErrorType err, const char*, const char*,
                                   const char*, void* context) {
    if (err != kDNSServiceErr_NoError) static_cast<DnsSdAdvertiser*>(context)->sayOnce(err);
  }

  void sayOnce(DNSServiceErrorType err) {
    if (said_) return;
    said_ = true;
    qInfo("ferry: Bonjour could not announce Ferry (error %d)", static_cast<int>(err));
  }

  DNSServiceRef ref_ = nullptr;
  QSocketNotifier* notifier_ = nullptr;
  bool said_ = false;
};

}  // namespace

MdnsAdvertiser* MdnsAdvertiser::create(QObject* parent) { return new DnsSdAdvertiser(parent); }

}  // namespace ferry::ui

#include "mdns_advertiser_dnssd.moc"
