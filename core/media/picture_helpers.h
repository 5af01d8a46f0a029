#pragma once

// PictureHelpers: the ferry-pictures processes that decode pictures for
// this process, so that libvips and libav* are never loaded into the server
// and a decoder that crashes or hangs on a hostile file costs that one
// picture.
//
// A caller takes an idle helper, or starts one (posix_spawn; the helper
// inherits its socket and nothing else but stderr), sends it the file's
// descriptor and waits for the answer until the request's time limit plus
// a margin. A helper serves one caller at a time, so there are never more
// helpers than callers at once. A helper that answered goes back to the
// idle set; one that died is reaped and its picture "could not be
// decoded"; one past the deadline is killed and its picture "took too long
// to decode" at once: the caller does not wait for it to go (a decoder
// stuck reading a hung disk dies only when the read returns), the reaper
// does. So a caller is held at most the time limit and its margin, whatever
// the file's disk does (WorkPool counts on this). Helpers end themselves
// after 30 s without a request; a thread of this class, running only while
// helpers do, reaps them then (one idle for most of that is not sent more
// work, so a request does not race its end). Every child started is waited
// for: no zombies.
//
// A helper runs at the CPU and I/O priority of the thread that started it
// (the folder scanner's are the lowest), and serves only callers of that
// same priority: a page's thumbnails never wait on a helper at nice 19.
// It lowers its CPU priority to nice 10 when it started higher: decoding
// gives way to the server's own work, so a download going on meanwhile
// keeps its speed. One second without a request, it hands the memory its
// decoders freed back to the system.
//
// The helper executable is looked for once: $FERRY_PICTURES_HELPER when
// set, else ferry-pictures beside the running executable, else where the
// build made it. Missing, every call fails, pictures are off and one line on
// stderr says where it was looked for.
//
// One instance per process (instance()), never destroyed: helpers still
// running when the process exits see their socket close and end. Any
// thread; ask() blocks.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <sys/types.h>

#include "picture_wire.h"

namespace ferry::media {

class PictureHelpers {
 public:
  static PictureHelpers& instance();

  // Whether the helper executable was found.
  bool available();

  // Sends `request` and `fd` to a helper and waits for its answer for at
  // most `limit` plus a margin. True with the reply (and, for a picture,
  // its JPEG in `bytes`) when the helper answered; false with `why` when it
  // did not (missing, died, too slow). A reply with ok == 0 comes with the
  // helper's reason in `why`.
  bool ask(const PictureRequest& request, int fd, std::chrono::milliseconds limit, PictureReply& reply,
           std::string& bytes, std::string& why);

  PictureHelpers(const PictureHelpers&) = delete;
  PictureHelpers& operator=(const PictureHelpers&) = delete;

 private:
  struct Helper {
    pid_t pid = -1;
    int sock = -1;
    long priority = 0;  // the starting thread's (priorityOfThisThread())
    std::chrono::steady_clock::time_point idleSince;
  };
  enum class Exchange { kAnswered, kEnded, kTooSlow };

  PictureHelpers();
  bool take(Helper& h, bool& fresh, std::string& why);
  bool spawn(Helper& h, std::string& why);
  void giveBack(Helper h);
  int end(Helper h);       // its wait status
  void abandon(Helper h);  // killed; the reaper waits for it
  Exchange exchange(const Helper& h, const PictureRequest& request, int fd,
                    std::chrono::steady_clock::time_point deadline, PictureReply& reply, std::string& bytes,
                    std::string& why);
  void startReaper();  // mu_ held
  void wake();
  void reap();

  std::once_flag found_;
  std::string path_;  // the executable; "" when not found

  std::mutex mu_;
  std::vector<Helper> idle_;
  std::vector<pid_t> live_;   // idle, busy and dying
  std::vector<pid_t> dying_;  // killed, not yet waited for (abandon())
  std::chrono::milliseconds idleTime_{0};  // how long a helper waits for work
  std::thread reaper_;
  bool reaperRunning_ = false;
  int wakeRead_ = -1;
  int wakeWrite_ = -1;
};

}  // namespace ferry::media
