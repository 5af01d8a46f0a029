#pragma once

// Paths as the operating system takes them. Ferry's paths are UTF-8
// std::string everywhere; on Windows they become UTF-16, with backslashes
// and, past MAX_PATH (260 characters), Windows' own "\\?\" prefix, so that
// a deep folder or a long name still opens. Any thread.

#include <cstdint>
#include <cstdio>
#include <string>

namespace ferry {

// std::fopen for a UTF-8 path (_wfopen on Windows, where fopen takes the
// ANSI code page and loses characters outside it).
std::FILE* openStdioFile(const std::string& path, const char* mode);

// Renames `from` to `to`, replacing `to` if it is there (std::rename on
// Windows refuses to replace); 0 or an errno value.
int replaceFile(const std::string& from, const std::string& to);

// Removes a file; 0 or an errno value.
int removeFileAt(const std::string& path);

#ifdef _WIN32
// UTF-8 to UTF-16, nothing else changed; empty if `utf8` is not UTF-8.
std::wstring widen(const std::string& utf8);

// The path for a W function: widened; a long absolute one ("C:\...",
// "\\server\share\...") gets "\\?\" ("\\?\UNC\"), its slashes turned into
// backslashes and its "." and ".." resolved, since Windows takes such a
// path literally. One that already starts with "\\?\" is left as it is.
std::wstring nativePath(const std::string& utf8);

// CreateFileW sharing read, write and delete, as a descriptor of the C
// runtime: a file being served or received can still be renamed, replaced
// or deleted in Explorer meanwhile, as on Linux (the default share mode of
// _wopen would refuse with "in use"). `create` makes a new file and fails
// on an existing one (EEXIST). -1 with errno set on failure.
int openSharedFile(const std::string& utf8, bool write, bool create);

// What stands in for st_dev and st_ino on Windows: the volume's serial
// number and the file's index on it (GetFileInformationByHandle), for the
// file or folder at `utf8` (not followed if it is a link) or behind the C
// runtime descriptor `fd`. False if Windows would not say.
bool fileIdentity(const std::string& utf8, std::uint64_t& device, std::uint64_t& inode);
bool fileIdentity(int fd, std::uint64_t& device, std::uint64_t& inode);

// errno for a Win32 error code (GetLastError()).
int errnoFromWin32(unsigned long error);
#endif

}  // namespace ferry
