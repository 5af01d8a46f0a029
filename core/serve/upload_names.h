#pragma once

// The names a file sent to this computer may have, and the names it gets
// when its own is taken. A name is one path component that every file
// system Ferry runs on can hold; anything else is refused with a sentence,
// never rewritten into something the sender did not ask for (LocalSend PR
// #3263), and never joined to a path before it passed.
//
// Pure functions: any thread.

#include <string>
#include <string_view>

namespace ferry {

// Why `name` (already percent-decoded) cannot be a received file's name, as
// a sentence for the sender; empty when it can. Refused: empty, "." and
// "..", a slash or backslash, NUL and control characters (C1 ones too), the
// characters that reorder text on screen (U+202E...), a drive ("C:") or
// any colon, Windows' reserved names (CON, NUL, CONIN$, COM1... with any
// extension), a trailing dot or space, invalid UTF-8, more than 255 bytes,
// the names of Ferry's own part files and their records, and on Windows < > " | ? *.
std::string whyBadUploadName(std::string_view name);

// The n-th name tried for `name`: n = 0 is the name itself, then
// "name (1).ext", "name (2).ext"... (the extension is what follows the last
// dot, unless the name starts with it: ".bashrc (1)"). Never longer than
// 255 bytes: the part before the extension is cut on a character boundary
// to make room for the number.
std::string numberedName(std::string_view name, unsigned n);

// The hidden part file a body is written to before it gets its name, the
// n-th try: ".NAME.ferry-part", ".NAME.ferry-part-1"... (NAME cut to fit).
std::string partFileName(std::string_view name, unsigned n);
bool isPartFileName(std::string_view name);
// The record beside a page upload's part file that lets it resume after a
// restart (its id, size, client and name): "PART.resume".
std::string partRecordName(std::string_view partName);
bool isPartRecordName(std::string_view name);

}  // namespace ferry
