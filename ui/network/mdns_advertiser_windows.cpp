// Windows 10+: the system's own mDNS responder through windns.h. Built and
// run only on Windows; reviewed against Microsoft's documentation, not run
// by this project's test suite.
//
// - DnsServiceConstructInstance builds "<name>._http._tcp.local" on this
//   host and port; DnsServiceRegister announces it and returns
//   DNS_REQUEST_PENDING, its callback reporting the outcome later (on a
//   thread of the system's; the registration ends with the process too).
//   https://learn.microsoft.com/en-us/windows/win32/api/windns/nf-windns-dnsserviceconstructinstance
//   https://learn.microsoft.com/en-us/windows/win32/api/windns/nf-windns-dnsserviceregister
//   https://learn.microsoft.com/en-us/windows/win32/api/windns/nc-windns-dns_service_register_complete
// - DnsServiceDeRegister takes the same request back.
//   https://learn.microsoft.com/en-us/windows/win32/api/windns/nf-windns-dnsservicederegister
// - The name the responder answers to is the computer's DNS host name plus
//   ".local" (GetComputerNameExW, ComputerNameDnsHostname), offered once a
//   registration succeeded: that is the sign the responder runs.

#include <windows.h>
#include <windns.h>

// winerror.h of the Windows SDK defines it; mingw-w64's (10.0) does not.
#ifndef DNS_REQUEST_PENDING
#define DNS_REQUEST_PENDING 9506L
#endif

#include <QCoreApplication>
#include <QHash>
#include <QtDebug>

#include "network/mdns_advertiser.h"

namespace ferry::ui {
namespace {

QString dnsHostName() {
  wchar_t buf[256];
  DWORD size = 256;
  if (!GetComputerNameExW(ComputerNameDnsHostname, buf, &size)) return {};
  return QString::fromWCharArray(buf, static_cast<int>(size));
}

class WindowsAdvertiser final : public MdnsAdvertiser {
  Q_OBJECT

 public:
  explicit WindowsAdvertiser(QObject* parent) : MdnsAdvertiser(parent), id_(++lastId()) { live().insert(id_, this); }
  ~WindowsAdvertiser() override {
    live().remove(id_);  // a late callback finds no one
    withdraw();
  }

  void publish(quint16 port) override {
    withdraw();
    const QString host = dnsHostName();
    if (host.isEmpty()) return;
    const std::wstring instance = (tr("Ferry on %1").arg(host) + QStringLiteral("._http._tcp.local")).toStdWString();
    const std::wstring target = (host + QStringLiteral(".local")).toStdWString();
    instance_ = DnsServiceConstructInstance(instance.c_str(), target.c_str(), nullptr, nullptr, port, 0, 0, 0, nullptr,
                                            nullptr);
    if (!instance_) return;
    request_ = {};
    request_.Version = DNS_QUERY_REQUEST_VERSION1;
    request_.InterfaceIndex = 0;  // every interface
    request_.pServiceInstance = instance_;
    request_.pRegisterCompletionCallback = &WindowsAdvertiser::completed;
    request_.pQueryContext = reinterpret_cast<void*>(id_);
    request_.unicastEnabled = FALSE;  // mDNS, not unicast DNS
    const DWORD rc = DnsServiceRegister(&request_, nullptr);
    if (rc != DNS_REQUEST_PENDING) {
      sayOnce(rc);
      DnsServiceFreeInstance(instance_);
      instance_ = nullptr;
    }
  }

  void withdraw() override {
    if (!instance_) return;
    DnsServiceDeRegister(&request_, nullptr);
    DnsServiceFreeInstance(instance_);
    instance_ = nullptr;
  }

 private:
  // On a system thread: hand the outcome to the GUI thread.
  static void WINAPI completed(DWORD status, PVOID context, PDNS_SERVICE_INSTANCE instance) {
    if (instance) DnsServiceFreeInstance(instance);
    const quintptr id = reinterpret_cast<quintptr>(context);
    QMetaObject::invokeMethod(
        QCoreApplication::instance(),
        [id, status] {
          if (WindowsAdvertiser* a = live().value(id)) a->onCompleted(status);
        },
        Qt::QueuedConnection);
  }

  void onCompleted(DWORD status) {
    if (status == ERROR_SUCCESS) {
      setHostName(dnsHostName() + QStringLiteral(".local"));
    } else {
      setHostName(QString());
      sayOnce(status);
    }
  }

  void sayOnce(DWORD status) {
    if (said_) return;
    said_ = true;
    qInfo("ferry: Windows could not announce Ferry over mDNS (error %lu)", static_cast<unsigned long>(status));
  }

  // GUI thread only.
  static QHash<quintptr, WindowsAdvertiser*>& live() {
    static QHash<quintptr, WindowsAdvertiser*> map;
    return map;
  }
  static quintptr& lastId() {
    static quintptr id = 0;
    return id;
  }

  const quintptr id_;
  DNS_SERVICE_REGISTER_REQUEST request_ = {};
  PDNS_SERVICE_INSTANCE instance_ = nullptr;
  bool said_ = false;
};

}  // namespace

// Wine (8) has DnsService* only as stubs that abort the process when
// called; it has no mDNS responder to reach anyway. ntdll says whether it is
// Wine by exporting wine_get_version.
static bool runningUnderWine() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll && ::GetProcAddress(ntdll, "wine_get_version");
}

MdnsAdvertiser* MdnsAdvertiser::create(QObject* parent) {
  if (runningUnderWine()) return nullptr;  // the window works without (no .local name offered)
  return new WindowsAdvertiser(parent);
}

}  // namespace ferry::ui

#include "mdns_advertiser_windows.moc"
