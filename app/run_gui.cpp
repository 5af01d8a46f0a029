#include "run_gui.h"

#include <cstdio>

#include "headless.h"

namespace ferry::app {

int runGui(int, char**, const CommandLine& cmd) {
  std::fprintf(stderr, "ferry: this build has no window yet; serving headless\n");
  return runHeadless(cmd);
}

}  // namespace ferry::app
