#pragma once

// Salvage of a damaged INI settings file, before QSettings reads it.
//
// QSettings reads what it can of a damaged file and says little: a line cut
// in half is read as a shorter value, and a broken section header ("[[[")
// files every key after it under a section nobody asks for (status
// FormatError, keys kept). The next save then writes that misreading back
// for good. salvageIniFile() looks at the bytes first: when the file ends
// in the middle of a line (QSettings ends every line it writes) or has
// lines QSettings cannot parse, it copies the file to a dated backup beside
// it and rewrites the original with only the complete, well-formed lines,
// so that what QSettings then reads is exactly what could be trusted.
//
// GUI thread only (like the store that calls it); touches only that file
// and its backup.

#include <QString>

namespace ferry::ui {

struct SalvageResult {
  bool damaged = false;
  QString why;     // "it ends in the middle of a line", as the end of a sentence
  QString backup;  // the damaged file's copy; empty if none could be written
};

// Checks the file at `path` and, when damaged, keeps it as
// "<path>.damaged-<yyyyMMdd-HHmmss>" and rewrites `path` with what can be
// read. A missing or empty file is not damaged.
SalvageResult salvageIniFile(const QString& path);

}  // namespace ferry::ui
