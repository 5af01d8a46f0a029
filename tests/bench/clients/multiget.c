// multiget: N clients download the same URL at once over loopback, each on
// its own connection; prints one JSON line with the wall time from the first
// connect to the last byte, the bytes received and the failures.
//
//   multiget HOST PORT PATH N [TIMEOUT_S]
//
// One thread, epoll, 256 KiB reads discarded: the client costs as little CPU
// per byte as a client can, so the server is what is measured. Used by
// scripts/bench.sh for workload 2 (and as a cross-check for workload 1).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF (256 * 1024)

typedef struct {
  int fd;
  int state;  // 0 connecting/sending, 1 headers, 2 body, 3 done, 4 failed
  char head[8192];
  size_t headLen;
  long long contentLength, bodyGot;
  size_t sent;
} Conn;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: multiget HOST PORT PATH N [TIMEOUT_S]\n");
    return 2;
  }
  const char* host = argv[1];
  int port = atoi(argv[2]);
  const char* path = argv[3];
  int n = atoi(argv[4]);
  double timeout = argc > 5 ? atof(argv[5]) : 120;
  char req[2048];
  int reqLen = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: multiget\r\nAccept: */*\r\n\r\n",
                        path, host, port);
  struct sockaddr_in to = {0};
  to.sin_family = AF_INET;
  to.sin_port = htons((unsigned short)port);
  inet_pton(AF_INET, host, &to.sin_addr);

  static char buf[BUF];
  Conn* c = calloc((size_t)n, sizeof *c);
  int ep = epoll_create1(0);
  double t0 = now();
  for (int i = 0; i < n; ++i) {
    c[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    c[i].contentLength = -1;
    if (connect(c[i].fd, (struct sockaddr*)&to, sizeof to) != 0 && errno != EINPROGRESS) {
      c[i].state = 4;
      continue;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (unsigned)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
  }
  int open = 0;
  for (int i = 0; i < n; ++i) open += c[i].state < 3;
  long long total = 0;
  double firstByteMax = 0, last = t0;
  struct epoll_event evs[256];
  while (open > 0) {
    if (now() - t0 > timeout) break;
    int k = epoll_wait(ep, evs, 256, 1000);
    for (int e = 0; e < k; ++e) {
      Conn* x = &c[evs[e].data.u32];
      if (x->state >= 3) continue;
      if (x->state == 0 && (evs[e].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
        ssize_t w = send(x->fd, req + x->sent, (size_t)reqLen - x->sent, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN) {
          x->state = 4;
        } else if (w > 0) {
          x->sent += (size_t)w;
          if (x->sent == (size_t)reqLen) {
            x->state = 1;
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = evs[e].data.u32};
            epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &ev);
          }
        }
      }
      if ((x->state == 1 || x->state == 2) && (evs[e].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
        for (;;) {
          ssize_t r = recv(x->fd, buf, BUF, 0);
          if (r < 0 && errno == EAGAIN) break;
          if (r <= 0) {
            x->state = (x->contentLength >= 0 && x->bodyGot >= x->contentLength) ? 3 : 4;
            break;
          }
          if (x->state == 1) {
            double t = now() - t0;
            if (t > firstByteMax) firstByteMax = t;
            size_t take = (size_t)r;
            if (take > sizeof x->head - 1 - x->headLen) take = sizeof x->head - 1 - x->headLen;
            memcpy(x->head + x->headLen, buf, take);
            x->headLen += take;
            x->head[x->headLen] = 0;
            char* end = strstr(x->head, "\r\n\r\n");
            if (!end) {
              if (x->headLen >= sizeof x->head - 1) x->state = 4;
              if (x->state == 4) break;
              continue;
            }
            size_t headBytes = (size_t)(end + 4 - x->head);
            if (strncmp(x->head, "HTTP/1.", 7) != 0 || strncmp(x->head + 9, "200", 3) != 0) {
              x->state = 4;
              break;
            }
            for (char* p = x->head; p < end; ++p) {
              if ((p == x->head || p[-1] == '\n') && strncasecmp(p, "content-length:", 15) == 0) {
                x->contentLength = atoll(p + 15);
                break;
              }
            }
            // Bytes of this read past the head are body. The head is small
            // and arrives in the first read in practice.
            long long body = (long long)r - (long long)(headBytes - (x->headLen - take));
            x->bodyGot = body > 0 ? body : 0;
            x->state = 2;
          } else {
            x->bodyGot += r;
          }
          if (x->contentLength >= 0 && x->bodyGot >= x->contentLength) {
            x->state = 3;
            break;
          }
        }
        if (x->state >= 3) {
          total += x->bodyGot;
          last = now();
          --open;
          epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL);
          close(x->fd);
        }
      } else if (x->state == 4) {
        --open;
        epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL);
        close(x->fd);
      }
    }
  }
  int ok = 0, failed = 0;
  for (int i = 0; i < n; ++i) {
    if (c[i].state == 3)
      ++ok;
    else
      ++failed;
  }
  double wall = last - t0;
  printf("{\"clients\": %d, \"ok\": %d, \"failed\": %d, \"bytes\": %lld, \"wall_s\": %.6f, \"mb_per_s\": %.1f, "
         "\"first_byte_max_s\": %.6f}\n",
         n, ok, failed, total, wall, wall > 0 ? total / wall / 1e6 : 0.0, firstByteMax);
  return failed ? 1 : 0;
}
