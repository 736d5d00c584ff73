// Netpbm's grey and colour images, PGM and PPM (netpbm.sourceforge.net/doc/pgm.html and
// ppm.html): the simplest picture files there are, a short text header and then the samples.
//
//   P5 <ws> width <ws> height <ws> maxval <one ws> raster      binary grey (PGM)
//   P6 ...                                                      binary colour (PPM): R G B
//   P2 ... maxval <ws> sample <ws> sample ...                   plain grey, decimal text
//   P3 ...                                                      plain colour, decimal text
//
// <ws> is any run of whitespace (space, tab, CR, LF) and comments, a comment being "#" through
// the next CR or LF. A comment counts as whitespace, as libnetpbm reads it: in the header, also
// as the one whitespace character that ends it (where the spec asks for one more), and between
// a plain file's samples. The raster is `height` rows of `width` pixels, each pixel one sample
// (grey) or three (red, green, blue), each 0..maxval; a binary sample is one byte when maxval
// < 256, else two, most significant first. maxval is 1..65535.
//
// An image reads into an attn::Image of 1 channel (PGM) or 3 (PPM), each sample divided by
// maxval, so 0 is black and 1 full intensity whatever the maxval. The writer writes P5 or P6
// with maxval 255, each value v clamped to [0, 1] (so 1.0000001 from rounding is white) and
// written as round(255 v): 8-bit images read and write back exactly.
//
// Refused, each with an attn::Error "PATH: what is wrong": a magic other than P2, P3, P5, P6
// (PBM bitmaps and PAM included); a missing or malformed number; a width or height of 0 or
// above 16384; a maxval of 0 or above 65535; a sample above maxval; a raster shorter than the
// header's sizes (checked before anything is allocated, so a hostile header never asks for
// more memory than the file's size); and anything but whitespace after the image (a file of
// several images, which the spec allows, is refused: attn reads one image a file).
#pragma once

#include <string>

#include "train/io/image.h"

namespace attn {

// `name` is what errors call the bytes (the path).
Image parse_netpbm(const std::string& bytes, const std::string& name);
Image read_netpbm(const std::string& path);

// P5 for an image of 1 channel, P6 for 3, maxval 255. Throws attn::Error for another number of
// channels, sizes the reader would refuse, or a value that is NaN.
std::string format_netpbm(const Image& image);
void write_netpbm(const std::string& path, const Image& image);

}  // namespace attn
