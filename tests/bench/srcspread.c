// LD_PRELOAD shim for load generators (wrk) that cannot choose a source
// address: spreads their TCP connections to 127.0.0.1 over the source
// addresses 127.0.0.2 .. 127.0.0.(1+N), N = SRCSPREAD_N (default 64).
//
// Why: Ferry caps connections per client IP (256 by default, not settable
// from its command line), and on loopback every client is 127.0.0.1. Real
// clients come from many addresses; so do these. Every server in the
// benchmark gets the same treatment.
//
//   gcc -O2 -shared -fPIC -o srcspread.so srcspread.c -ldl
//   SRCSPREAD_N=64 LD_PRELOAD=./srcspread.so wrk -c1000 ...
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static unsigned g_next;

int connect(int fd, const struct sockaddr* addr, socklen_t len) {
  static int (*real_connect)(int, const struct sockaddr*, socklen_t);
  if (!real_connect) real_connect = (int (*)(int, const struct sockaddr*, socklen_t))dlsym(RTLD_NEXT, "connect");
  if (addr && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
    const struct sockaddr_in* to = (const struct sockaddr_in*)addr;
    if (to->sin_addr.s_addr == htonl(INADDR_LOOPBACK)) {
      const char* env = getenv("SRCSPREAD_N");
      unsigned n = env ? (unsigned)atoi(env) : 64;
      if (n > 0) {
        unsigned k = __atomic_fetch_add(&g_next, 1, __ATOMIC_RELAXED) % n;
        struct sockaddr_in from = {0};
        from.sin_family = AF_INET;
        from.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + k);  // 127.0.0.2 + k
        int one = 1;
        setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        bind(fd, (const struct sockaddr*)&from, sizeof from);  // best effort
      }
    }
  }
  return real_connect(fd, addr, len);
}
