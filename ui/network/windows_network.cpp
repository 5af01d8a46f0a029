#include "network/windows_network.h"

#include <windows.h>
#include <netfw.h>
#include <netlistmgr.h>
#include <oleauto.h>

namespace ferry::ui {
namespace {

// Releases a COM pointer at the end of its scope.
template <class T>
struct Com {
  T* p = nullptr;
  ~Com() {
    if (p) p->Release();
  }
  void** out() { return reinterpret_cast<void**>(&p); }
};

}  // namespace

WindowsNetworkFacts queryWindowsNetwork() {
  WindowsNetworkFacts facts;
  // Qt has the GUI thread in a single-threaded apartment already; then
  // this returns S_FALSE (or RPC_E_CHANGED_MODE), and COM works as it is.
  const HRESULT init = ::CoInitializeEx(nullptr, COINIT_APARTMENTTHREADED);
  {
    // Microsoft: the category tells the profile; which ports are open is the
    // firewall's to say (hence the rule check below, not a guess from it).
    Com<INetworkListManager> nlm;
    if (SUCCEEDED(::CoCreateInstance(__uuidof(NetworkListManager), nullptr, CLSCTX_ALL, __uuidof(INetworkListManager),
                                     nlm.out()))) {
      Com<IEnumNetworks> networks;
      if (SUCCEEDED(nlm.p->GetNetworks(NLM_ENUM_NETWORK_CONNECTED, &networks.p))) {
        int seen = 0, isPublic = 0;
        for (;;) {
          Com<INetwork> net;
          ULONG got = 0;
          if (networks.p->Next(1, &net.p, &got) != S_OK || got != 1) break;
          NLM_NETWORK_CATEGORY category;
          if (SUCCEEDED(net.p->GetCategory(&category))) {
            ++seen;
            if (category == NLM_NETWORK_CATEGORY_PUBLIC) isPublic = 1;
          }
        }
        if (seen > 0) facts.publicProfile = isPublic;
      }
    }
    Com<INetFwPolicy2> policy;
    if (SUCCEEDED(::CoCreateInstance(__uuidof(NetFwPolicy2), nullptr, CLSCTX_INPROC_SERVER, __uuidof(INetFwPolicy2),
                                     policy.out()))) {
      Com<INetFwRules> rules;
      if (SUCCEEDED(policy.p->get_Rules(&rules.p))) {
        BSTR name = ::SysAllocString(L"Ferry");  // the installer's rule (packaging/)
        Com<INetFwRule> rule;
        facts.ruleExists = SUCCEEDED(rules.p->Item(name, &rule.p)) ? 1 : 0;
        ::SysFreeString(name);
      }
    }
  }
  if (SUCCEEDED(init)) ::CoUninitialize();
  return facts;
}

}  // namespace ferry::ui
