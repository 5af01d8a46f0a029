#pragma once

// PastedPictures: the pictures pasted into the window (Ctrl+V of an image),
// each saved as a PNG in Ferry's data folder (`pasted/`) so that its link
// has a file to serve. Owns that folder and nothing else: sweep() removes
// the pictures no share of the window uses any more. Run at start (after
// the saved shares are restored) and at quit; a picture sent to a nearby
// device lives as long as this run, since its private link ends with it.
//
// GUI thread only (plain file work on a folder of a few small files).

#include <QSet>
#include <QString>

class QImage;

namespace ferry::ui {

class PastedPictures final {
 public:
  // AppDataLocation/pasted.
  static QString folder();
  // Saves `image` as "Pasted picture <date time>.png" in folder(): its path,
  // or "" with a sentence in *error.
  static QString save(const QImage& image, QString* error);
  // Removes the files in folder() whose path is not in `inUse` (absolute
  // paths); how many went.
  static int sweep(const QSet<QString>& inUse);
};

}  // namespace ferry::ui
