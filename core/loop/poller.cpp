// Backend selection: what this build has, and which one to use.

#include "poller.h"

#include <cstdlib>

namespace ferry {

const std::vector<std::string>& availablePollers() {
  static const std::vector<std::string> names = {
#if defined(FERRY_HAVE_EPOLL)
      "epoll",
#endif
#if defined(FERRY_HAVE_KQUEUE)
      "kqueue",
#endif
#ifdef _WIN32
      "wsapoll",
#else
      "poll",
#endif
  };
  return names;
}

std::string defaultPollerName() {
  if (const char* env = std::getenv("FERRY_POLLER"); env && *env) return env;
  return availablePollers().front();
}

std::unique_ptr<Poller> createPoller(std::string_view name, std::string* error) {
  std::string chosen = name.empty() ? defaultPollerName() : std::string(name);
  std::error_code ec;
  std::unique_ptr<Poller> p;
#if defined(FERRY_HAVE_EPOLL)
  if (chosen == "epoll") p = createEpollPoller(ec);
#endif
#if defined(FERRY_HAVE_KQUEUE)
  if (chosen == "kqueue") p = createKqueuePoller(ec);
#endif
#ifdef _WIN32
  if (chosen == "wsapoll" || chosen == "poll") p = createPollPoller(ec);
#else
  if (chosen == "poll") p = createPollPoller(ec);
#endif
  if (p) return p;
  if (error) {
    std::string list;
    for (const auto& n : availablePollers()) list += (list.empty() ? "" : ", ") + n;
    if (ec)
      *error = "poller '" + chosen + "' failed to start: " + ec.message();
    else
      *error = "unknown poller '" + chosen + "'; available on this system: " + list;
  }
  return nullptr;
}

}  // namespace ferry
