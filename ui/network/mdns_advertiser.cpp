#include "network/mdns_advertiser.h"

namespace ferry::ui {

MdnsAdvertiser::~MdnsAdvertiser() = default;

void MdnsAdvertiser::setHostName(const QString& name) {
  if (name == hostName_) return;
  hostName_ = name;
  emit hostNameChanged(name);
}

#ifndef FERRY_MDNS
MdnsAdvertiser* MdnsAdvertiser::create(QObject*) { return nullptr; }
#endif

}  // namespace ferry::ui
