#include "native_path.h"

#include <cerrno>

#ifdef _WIN32
#include <fcntl.h>
#include <io.h>
#include <vector>
#include <windows.h>
#endif

namespace ferry {

#ifndef _WIN32

std::FILE* openStdioFile(const std::string& path, const char* mode) { return std::fopen(path.c_str(), mode); }

int replaceFile(const std::string& from, const std::string& to) {
  return std::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

int removeFileAt(const std::string& path) { return std::remove(path.c_str()) == 0 ? 0 : errno; }

#else

std::wstring widen(const std::string& utf8) {
  if (utf8.empty()) return {};
  int len = ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  if (len <= 0) return {};
  std::wstring w(static_cast<std::size_t>(len), L'\0');
  ::MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, utf8.data(), static_cast<int>(utf8.size()), w.data(), len);
  return w;
}

namespace {

bool isSlash(wchar_t c) { return c == L'\\' || c == L'/'; }

// "C:\a\.\b\..\c" -> "C:\a\c" (the part after the root, one name at a time).
std::wstring resolveDots(const std::wstring& root, const std::wstring& rest) {
  std::vector<std::wstring> names;
  std::size_t i = 0;
  while (i <= rest.size()) {
    std::size_t j = i;
    while (j < rest.size() && !isSlash(rest[j])) ++j;
    std::wstring name = rest.substr(i, j - i);
    if (name == L"..") {
      if (!names.empty()) names.pop_back();
    } else if (!name.empty() && name != L".") {
      names.push_back(std::move(name));
    }
    i = j + 1;
  }
  std::wstring out = root;
  for (std::size_t k = 0; k < names.size(); ++k) out += (k ? L"\\" : L"") + names[k];
  return out;
}

}  // namespace

std::wstring nativePath(const std::string& utf8) {
  std::wstring w = widen(utf8);
  if (w.size() < MAX_PATH - 12) return w;  // CreateDirectory's limit is MAX_PATH - 12
  if (w.rfind(L"\\\\?\\", 0) == 0) return w;
  const bool drive = w.size() >= 3 && w[1] == L':' && isSlash(w[2]) &&
                     ((w[0] >= L'A' && w[0] <= L'Z') || (w[0] >= L'a' && w[0] <= L'z'));
  if (drive) return resolveDots(L"\\\\?\\" + w.substr(0, 2) + L"\\", w.substr(3));
  if (w.size() > 2 && isSlash(w[0]) && isSlash(w[1])) return resolveDots(L"\\\\?\\UNC\\", w.substr(2));
  return w;  // relative: the OS resolves it against the current folder
}

namespace {

bool identityOf(HANDLE h, std::uint64_t& device, std::uint64_t& inode) {
  BY_HANDLE_FILE_INFORMATION info;
  if (!::GetFileInformationByHandle(h, &info)) return false;
  device = info.dwVolumeSerialNumber;
  inode = (static_cast<std::uint64_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow;
  return true;
}

}  // namespace

bool fileIdentity(const std::string& utf8, std::uint64_t& device, std::uint64_t& inode) {
  // No access asked for, only attributes; folders need BACKUP_SEMANTICS.
  HANDLE h = ::CreateFileW(nativePath(utf8).c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                           nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
                           nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  const bool ok = identityOf(h, device, inode);
  ::CloseHandle(h);
  return ok;
}

bool fileIdentity(int fd, std::uint64_t& device, std::uint64_t& inode) {
  const intptr_t h = ::_get_osfhandle(fd);
  return h != -1 && identityOf(reinterpret_cast<HANDLE>(h), device, inode);
}

int errnoFromWin32(unsigned long error) {
  switch (error) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_NAME:
    case ERROR_BAD_NETPATH:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
      return EACCES;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
      return EEXIST;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
      return ENOSPC;
    case ERROR_FILENAME_EXCED_RANGE:
      return ENAMETOOLONG;
    case ERROR_TOO_MANY_OPEN_FILES:
      return EMFILE;
    default:
      return EIO;
  }
}

int openSharedFile(const std::string& utf8, bool write, bool create) {
  const std::wstring path = nativePath(utf8);
  if (path.empty()) {
    errno = utf8.empty() ? ENOENT : EINVAL;  // not UTF-8
    return -1;
  }
  // Not inherited by child processes (no security attributes).
  HANDLE h = ::CreateFileW(path.c_str(), write ? GENERIC_WRITE : GENERIC_READ,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                           create ? CREATE_NEW : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    errno = errnoFromWin32(::GetLastError());
    return -1;
  }
  int fd = ::_open_osfhandle(reinterpret_cast<intptr_t>(h), _O_BINARY | (write ? _O_WRONLY : _O_RDONLY));
  if (fd < 0) {
    ::CloseHandle(h);
    errno = EMFILE;
  }
  return fd;
}

std::FILE* openStdioFile(const std::string& path, const char* mode) {
  const std::wstring wide = nativePath(path);
  const std::wstring wmode = widen(mode);
  if (wide.empty() || wmode.empty()) {
    errno = ENOENT;
    return nullptr;
  }
  return ::_wfopen(wide.c_str(), wmode.c_str());
}

int replaceFile(const std::string& from, const std::string& to) {
  if (::MoveFileExW(nativePath(from).c_str(), nativePath(to).c_str(), MOVEFILE_REPLACE_EXISTING)) return 0;
  return errnoFromWin32(::GetLastError());
}

int removeFileAt(const std::string& path) {
  return ::DeleteFileW(nativePath(path).c_str()) ? 0 : errnoFromWin32(::GetLastError());
}

#endif

}  // namespace ferry
