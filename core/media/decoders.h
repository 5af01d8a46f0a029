#pragma once

// The decoders behind makePicture(), one file each: image_picture.cpp
// (libvips) and video_picture.cpp (libav*, encoded by libvips). Linked only
// into the ferry-pictures helper (pictures_main.cpp), never into the
// server. Thread-safe; they block.

#include <string>

#include "picture.h"

namespace ferry::media {

// libvips set up once for the process (hostile-input settings, bounded
// cache and threads); false when it cannot start.
bool startVips();
std::string vipsVersion();

bool imagePicture(int fd, int side, const PictureLimits& limits, Picture& out, std::string& why);
bool imageTaken(int fd, std::int64_t& taken);

// Encodes packed RGB pixels (rows of width*3 bytes) as the JPEG of a
// picture, turned clockwise by `rotate` degrees (0, 90, 180, 270).
bool encodeRgb(const unsigned char* rgb, int width, int height, int rotate, int quality, Picture& out,
               std::string& why);

bool videoPicture(int fd, int side, const PictureLimits& limits, Picture& out, std::string& why);
bool videoTaken(int fd, std::int64_t& taken);
std::string avVersion();

}  // namespace ferry::media
