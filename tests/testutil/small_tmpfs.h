#pragma once

// SmallTmpfs: a tmpfs of a few MiB mounted on a temporary folder for one
// test, so a disk really fills (507, nothing left behind) without filling
// the machine's. Needs root; unmounted when it goes. Linux only.

#include <QFile>
#include <QTemporaryDir>

#include <sys/mount.h>
#include <unistd.h>

class SmallTmpfs {
 public:
  explicit SmallTmpfs(int mebibytes) {
    if (::geteuid() != 0) {
      why_ = "mounting a small tmpfs needs root";
      return;
    }
    const QByteArray options = "size=" + QByteArray::number(mebibytes) + "m";
    if (::mount("tmpfs", QFile::encodeName(dir_.path()).constData(), "tmpfs", 0, options.constData()) != 0) {
      why_ = "cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?)";
      return;
    }
    mounted_ = true;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(QFile::encodeName(dir_.path()).constData(), MNT_DETACH);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;

  bool mounted() const { return mounted_; }
  // Why it is not mounted: the test's QSKIP reason.
  const char* why() const { return why_; }
  QString path() const { return dir_.path(); }
  QString filePath(const QString& name) const { return dir_.filePath(name); }

 private:
  QTemporaryDir dir_;
  bool mounted_ = false;
  const char* why_ = "";
};
